"""Sharing, in Chromium: a social worker asks "may I share?", records the disclosure and sees
it as received by their party; a police request is referred and a designated officer
approves it. Screenshots under ``test-artifacts/``."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
import uvicorn

from tests.api.running_app import app_for
from tests.browser.conftest import _free_port, screenshot
from tests.support.accounts_world import PASSWORD, code_at
from tests.support.databases import DatabaseTemplates
from tests.support.sharing_world import (
    AMARA,
    CHLOE,
    LCC_OFFICER,
    POLICE_OFFICER,
    SOCIAL_WORKER,
    TEMPLATE,
    build_sharing_world,
)

pytestmark = pytest.mark.browser


@pytest.fixture
def sharing_server(
    request: pytest.FixtureRequest, database_templates: DatabaseTemplates
) -> Iterator[str]:
    for url in database_templates.copy(request, "sqlite", TEMPLATE, build_sharing_world):
        port = _free_port()
        config = uvicorn.Config(app_for(url), host="127.0.0.1", port=port, log_level="warning")
        server = uvicorn.Server(config)
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        deadline = time.monotonic() + 10
        while not server.started:
            if time.monotonic() > deadline:
                pytest.fail("the server did not start within 10 s")
            time.sleep(0.02)
        try:
            yield f"http://127.0.0.1:{port}"
        finally:
            server.should_exit = True
            thread.join(timeout=10)


def _sign_in(page, base: str, email: str, *, second_factor: bool = False) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{base}/sign-in")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    if second_factor:
        page.get_by_label("Security code").fill(code_at(datetime.now(UTC)))
        page.get_by_role("button", name="Continue").click()


def test_a_social_worker_asks_discloses_and_sees_it_received(
    page,
    sharing_server: str,  # type: ignore[no-untyped-def]
) -> None:
    _sign_in(page, sharing_server, SOCIAL_WORKER)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="May I share?").click()
    assert page.get_by_role("heading", level=1).inner_text() == "May I share?"
    page.select_option("#provider", "LTHT")
    page.select_option("#recipient", "LCC")
    page.fill("#nhs_number", AMARA)
    page.check("#category-identity")
    page.check("#category-physical-health")
    page.check("#purpose-care")
    page.check("#method-email")
    screenshot(page, "sharing-01-may-i-share")
    page.get_by_role("button", name="Ask").click()
    answer = page.locator("#answer-title")
    assert "Permit" in answer.inner_text() or "permit" in answer.inner_text()
    screenshot(page, "sharing-02-answer")
    page.fill("#content-identity", "Amara Okafor, 2 Hyde Park Road")
    page.fill("#content-physical-health", "Hip fracture; walks with a frame")
    page.select_option("#nature-physical-health", "both")
    page.get_by_role("button", name="Record the disclosure").click()
    assert "/disclosures/" in page.url
    assert page.get_by_role("heading", level=1).inner_text() == "Disclosure from LTHT to LCC"
    assert page.get_by_text("Hip fracture; walks with a frame").count() == 1
    screenshot(page, "sharing-03-disclosure")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Received").click()
    assert page.get_by_role("row").count() == 2
    screenshot(page, "sharing-04-received")


def test_a_designated_officer_approves_a_police_referral(
    page,
    sharing_server: str,  # type: ignore[no-untyped-def]
) -> None:
    _sign_in(page, sharing_server, POLICE_OFFICER)
    page.goto(f"{sharing_server}/share")
    page.select_option("#provider", "LCC")
    page.select_option("#recipient", "WYP")
    page.fill("#nhs_number", CHLOE)
    page.check("#category-identity")
    page.check("#purpose-crime")
    page.check("#basis-statutory")
    page.select_option("#legal_ground", "dpa-1998-s29")
    page.fill("#justification", "Investigating an assault on a child in her care")
    page.check("#method-verbal")
    page.fill("#officer_name", "Wes Police")
    page.fill("#rank", "Detective Constable")
    page.fill("#information_needed", "Her name and address")
    page.fill("#why_needed", "To interview her as a witness")
    page.check("#prejudice_statement")
    page.get_by_role("button", name="Ask").click()
    assert "Refer" in page.locator("#answer-title").inner_text()
    screenshot(page, "sharing-05-referred")
    page.fill("#content-identity", "Chloe Adeyemi")
    page.get_by_role("button", name="Send to a designated officer").click()
    assert "/referrals/" in page.url
    page.context.clear_cookies()

    _sign_in(page, sharing_server, LCC_OFFICER, second_factor=True)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Referrals").click()
    screenshot(page, "sharing-06-referrals")
    page.get_by_role("link", name="for crime").first.click()
    screenshot(page, "sharing-07-referral")
    page.check("#decision-approve")
    page.fill("#reason", "Necessary to investigate the assault; telling her would prejudice it")
    page.get_by_role("button", name="Record the decision").click()
    assert "/disclosures/" in page.url
    assert page.get_by_text("Chloe Adeyemi").count() == 1
    screenshot(page, "sharing-08-approved-disclosure")
