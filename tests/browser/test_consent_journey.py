"""Consent, then sharing, in Chromium (Principles 3, 5; Procedures A3, A4): a hospital
practitioner asks "may I share?" about a person who has given no consent and is not told to
go ahead; records the person's consent on the Appendix 4 form and sees it on the person's
consent history; asks again and is now told to share, records the disclosure, and the
council's social worker sees it received. Screenshots ``consent-*`` under
``test-artifacts/``."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from tests.browser.conftest import screenshot, served
from tests.support.accounts_world import PASSWORD
from tests.support.databases import DatabaseTemplates
from tests.support.sharing_world import (
    BRIAN,
    PRACTITIONER,
    SOCIAL_WORKER,
    TEMPLATE,
    build_sharing_world,
)

pytestmark = pytest.mark.browser

CATEGORIES = ("identity", "physical-health")


@pytest.fixture
def sharing_server(
    request: pytest.FixtureRequest, database_templates: DatabaseTemplates
) -> Iterator[str]:
    for url in database_templates.copy(request, "sqlite", TEMPLATE, build_sharing_world):
        with served(url) as base:
            yield base


def _sign_in(page, base: str, email: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{base}/sign-in")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def _ask(page) -> str:  # type: ignore[no-untyped-def]
    """Ask whether LTHT may tell LCC Brian's identity and physical health for his care."""
    page.get_by_role("navigation", name="Main").get_by_role("link", name="May I share?").click()
    page.select_option("#provider", "LTHT")
    page.select_option("#recipient", "LCC")
    page.select_option("#recipient_role", "practitioner")
    page.fill("#nhs_number", BRIAN)
    for category in CATEGORIES:
        page.check(f"#category-{category}")
    page.check("#purpose-care")
    page.check("#method-email")
    page.get_by_role("button", name="Ask").click()
    return str(page.locator("#answer-title").inner_text())


def test_a_practitioner_records_consent_then_shares_and_the_recipient_sees_it(
    page,
    sharing_server: str,  # type: ignore[no-untyped-def]
) -> None:
    base = sharing_server
    _sign_in(page, base, PRACTITIONER)
    before = _ask(page)
    # Without consent the answer withholds each item and says why (Procedure A4).
    assert before == "The answer: Deny"
    assert "no consent to share identity is recorded" in page.locator("main").inner_text()
    screenshot(page, "consent-01-before-consent")

    # Appendix 4, from the person's record: what was explained and what they agreed to.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Service users").click()
    page.get_by_role("link", name="Holt, Brian").click()
    page.get_by_role("link", name="Consent history").click()
    page.get_by_role("link", name="Record a consent or refusal").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Consent to share information"
    assert page.locator("#nhs_number").input_value() == BRIAN
    for group in ("explained_", ""):
        page.check(f"#{group}purposes-care")
        for category in CATEGORIES:
            page.check(f"#{group}data_categories-{category}")
        page.check(f"#{group}recipients-LCC")
    page.fill("#form_version", "App4-2002-v1")
    page.fill("#obtained_at", datetime.now(UTC).strftime("%Y-%m-%dT%H:%M"))
    screenshot(page, "consent-02-form")
    page.get_by_role("button", name="Record the decision").click()
    assert "/consents" in page.url
    assert page.get_by_role("heading", level=1).inner_text() == "Consent history: Brian Holt"
    history = page.locator("main").inner_text()
    assert "LCC" in history
    assert "Withdraw" in history  # a consent in force, which may be withdrawn
    screenshot(page, "consent-03-history")

    after = _ask(page)
    screenshot(page, "consent-04-answer")
    assert after == "The answer: Permit", page.locator("main").inner_text()
    page.fill("#content-identity", "Brian Holt, 14 Cardigan Road")
    page.fill("#content-physical-health", "Stroke; needs help to wash and dress")
    page.select_option("#nature-physical-health", "both")
    page.get_by_role("button", name="Record the disclosure").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Disclosure from LTHT to LCC"
    screenshot(page, "consent-05-disclosure")
    page.context.clear_cookies()

    _sign_in(page, base, SOCIAL_WORKER)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Received").click()
    received = page.get_by_role("row").filter(has_text=BRIAN)
    assert received.count() == 1
    assert "LTHT" in received.inner_text()
    screenshot(page, "consent-06-received")
    received.get_by_role("link").click()
    assert page.get_by_text("Stroke; needs help to wash and dress").count() == 1
    screenshot(page, "consent-07-received-disclosure")
