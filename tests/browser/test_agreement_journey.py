"""An information sharing lead, in Chromium, lints and activates an agreement (Section 1.1):
the page lists what the lint found, each with its severity, clause, field and fix;
activation is refused while an error stands and nothing changes; the lead starts the next
version, exports it, puts the missing part back, imports it over the draft and sends it for
signature; the hospital's lead and the council's lead each sign for their party, the
hospital's lead activates it, and the register shows it in force. Screenshots ``isa-*``
under ``test-artifacts/``."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest
import yaml

from infoshare.agreements import EXAMPLES_DIR
from infoshare.services.access_log import CONSOLE
from infoshare.services.accounts import create_account
from infoshare.services.agreements import import_agreement
from infoshare.services.database import open_database
from infoshare.services.staff import create_staff
from tests.browser.conftest import screenshot, served
from tests.support.accounts_world import NOW, PASSWORD, PEOPLE
from tests.support.databases import DatabaseTemplates
from tests.support.sharing_world import build_sharing_world

pytestmark = pytest.mark.browser

TEMPLATE = "leeds-2002-agreement-journey"
LEAD = PEOPLE["information-sharing-lead"].email
#: the council's information sharing lead, who signs for LCC (Section 1.1)
LCC_LEAD = "lucy.lead@lcc.example"
REFERENCE = "LEEDS-ISA-2026-101"


def _agreement() -> dict[str, object]:
    """The example discharge agreement as a new one, signed by both parties this month."""
    document = yaml.safe_load(
        (EXAMPLES_DIR / "hospital-discharge.yaml").read_text(encoding="utf-8")
    )
    document.update(
        reference=REFERENCE,
        title="Discharge to intermediate care",
        status="proposed",
        start_date="2026-11-01",
        review_date="2027-10-31",
        history=[{"version": 1, "dated": "2026-10-20", "summary": "First version."}],
    )
    for signatory in document["signatories"]:
        signatory["signed_at"] = "2026-10-28"
    return document


def build_agreement_world(url: str) -> None:
    """The sharing world and one signed agreement that leaves out how long the recipient
    keeps what it is told (Principle 2): the lint finds an error, so it cannot go in force."""
    build_sharing_world(url)
    document = _agreement()
    del document["retention"]
    database = open_database(url)
    try:
        create_staff(
            database.unit_of_work(), organisation_code="LCC", name="Lucy Lead", email=LCC_LEAD,
            job_title="Information sharing lead", roles=("information-sharing-lead",),
            training_completed_on=date(2025, 6, 1), now=NOW,
        )  # fmt: skip
        create_account(database.unit_of_work(), email=LCC_LEAD, password=PASSWORD, now=NOW)
        import_agreement(
            database.unit_of_work(),
            yaml.safe_dump(document, sort_keys=False),
            "discharge-intermediate.yaml",
            requester=CONSOLE,
            now=max(NOW, datetime(2026, 11, 1, tzinfo=UTC)),
        )
    finally:
        database.dispose()


def _sign_in(page, base: str, email: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{base}/sign-in")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def _sign(page, party: str, name: str) -> None:  # type: ignore[no-untyped-def]
    """Sign the open version for the signed-in person's ``party``, dated today."""
    page.get_by_label("Name of the signatory").fill(name)
    page.get_by_label("Their post").fill("Caldicott Guardian")
    page.get_by_label("Signed on").fill(datetime.now(UTC).date().isoformat())
    page.get_by_role("button", name="Record the signature").click()
    partners = page.get_by_role("table", name="Partners, and whether each has signed this version")
    assert partners.get_by_role("row", name=party).get_by_role("cell").last.inner_text() == "Signed"


@pytest.fixture
def agreement_server(
    request: pytest.FixtureRequest, database_templates: DatabaseTemplates
) -> Iterator[str]:
    for url in database_templates.copy(request, "sqlite", TEMPLATE, build_agreement_world):
        with served(url) as base:
            yield base


def test_an_information_sharing_lead_lints_fixes_and_activates_an_agreement(
    page,
    agreement_server: str,  # type: ignore[no-untyped-def]
) -> None:
    base = agreement_server
    _sign_in(page, base, LEAD)

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Agreements").click()
    row = page.get_by_role("row").filter(has_text=REFERENCE)
    assert "Signed" in row.inner_text()
    screenshot(page, "isa-01-register")
    row.get_by_role("link").first.click()

    # The lint's finding: severity, rule and clause, the field, and the sentence that fixes it.
    assert page.get_by_role("heading", level=1).inner_text() == "Discharge to intermediate care"
    finding = page.get_by_role("row").filter(has=page.locator("code", has_text="retention"))
    text = finding.inner_text()
    assert "Error ISA035 no-retention (Principle 2)" in text
    assert "add retention: the period in months" in text
    assert page.locator(".summary").inner_text().startswith("Checked as at")
    assert "1 error " in page.locator(".summary").inner_text()
    screenshot(page, "isa-02-findings")

    page.get_by_role("button", name="Activate the agreement").click()
    assert page.get_by_role("heading", level=1).inner_text() == "The agreement cannot be activated"
    assert "ISA035 retention" in page.locator("main").inner_text()
    screenshot(page, "isa-03-activation-refused")
    page.goto(f"{base}/agreements/{REFERENCE}")
    assert "Signed" in page.locator(".lead").inner_text()

    # The fix: the next version, exported, completed and imported over its draft.
    page.fill("#summary", "Says how long the council keeps what it is told")
    page.fill("#dated", "2026-11-20")
    page.get_by_role("button", name="Start the new version").click()
    assert "version 2" in page.locator(".lead").inner_text()
    assert "Draft" in page.locator(".lead").inner_text()
    screenshot(page, "isa-04-amendment-draft")
    exported = page.request.get(f"{base}/api/v1/agreements/{REFERENCE}/yaml?version=2")
    assert exported.ok, exported.text()
    draft = yaml.safe_load(exported.text())
    draft["retention"] = _agreement()["retention"]
    page.goto(f"{base}/agreements/new")
    page.fill("#file_name", "discharge-intermediate-v2.yaml")
    page.fill("#text", yaml.safe_dump(draft, sort_keys=False))
    screenshot(page, "isa-05-import")
    page.get_by_role("button", name="Check and store the agreement").click()
    assert "version 2" in page.locator(".lead").inner_text()
    assert "0 errors" in page.locator(".summary").inner_text()
    screenshot(page, "isa-06-fixed-draft")

    # Each party's signatory signs the fixed version in turn (Section 1.1).
    page.get_by_role("button", name="Send to the partners for signature").click()
    assert "Proposed" in page.locator(".lead").inner_text()
    _sign(page, "LTHT", "Dr Anne Whitaker")
    assert "Proposed" in page.locator(".lead").inner_text()
    page.context.clear_cookies()
    _sign_in(page, base, LCC_LEAD)
    page.goto(f"{base}/agreements/{REFERENCE}?version=2")
    screenshot(page, "isa-07-lcc-signs")
    _sign(page, "LCC", "Peter Ackroyd")
    assert "Signed" in page.locator(".lead").inner_text()
    page.context.clear_cookies()
    _sign_in(page, base, LEAD)
    page.goto(f"{base}/agreements/{REFERENCE}?version=2")

    page.get_by_role("button", name="Activate the agreement").click()
    assert "Active" in page.locator(".lead").inner_text()
    screenshot(page, "isa-08-active")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Agreements").click()
    assert "Active" in page.get_by_role("row").filter(has_text=REFERENCE).inner_text()
    screenshot(page, "isa-09-register-active")
