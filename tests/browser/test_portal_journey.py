"""A service user signs in to the portal and reads their report, in Chromium.

Staff invite Amara Okafor from her page; she redeems the code at home, chooses an address
and a password, and reads what is held and shared about her: the disclosure from LTHT to
LCC with the kinds of information that went, and, instead of the item kept confidential
from her (Principle 8), how many items are withheld and under which ground (Principle 12).
Screenshots of each page go to ``test-artifacts/``.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator

import pytest
import uvicorn

from tests.api.running_app import app_for
from tests.browser.conftest import _free_port, screenshot
from tests.support.accounts_world import PASSWORD, PEOPLE
from tests.support.databases import DatabaseTemplates
from tests.support.portal_world import CONFIDENTIAL_CONTENT, TEMPLATE, build_portal_world

pytestmark = pytest.mark.browser


@pytest.fixture
def portal_server(
    request: pytest.FixtureRequest, database_templates: DatabaseTemplates
) -> Iterator[str]:
    """The app on a copy of the portal world, served at http://127.0.0.1:<port>."""
    for url in database_templates.copy(request, "sqlite", TEMPLATE, build_portal_world):
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


def test_a_service_user_signs_in_to_the_portal_and_reads_their_report(
    page,
    portal_server: str,  # type: ignore[no-untyped-def]
) -> None:
    base = portal_server
    # A practitioner of LTHT, which holds Amara, invites her.
    page.goto(f"{base}/sign-in")
    page.get_by_label("Email address").fill(PEOPLE["practitioner"].email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("link", name="Okafor, Amara").click()
    page.get_by_role("button", name="Invite to the portal").click()
    assert page.get_by_role("heading", level=1).inner_text().startswith("Portal invitation")
    code = page.locator(".secret").inner_text()
    assert re.fullmatch(r"[A-Z2-7]{4}(-[A-Z2-7]{4}){3}", code)
    screenshot(page, "portal-01-staff-invitation")
    page.get_by_role("button", name="Sign out").click()

    # At home, she uses the invitation.
    page.goto(f"{base}/portal/redeem")
    screenshot(page, "portal-02-redeem")
    page.get_by_label("Invitation code").fill(code)
    page.get_by_label("Your email address").fill("amara@home.example")
    page.get_by_label("Choose a password").fill("my own long passphrase")
    page.get_by_label("Type the password again").fill("my own long passphrase")
    page.get_by_role("button", name="Set up my account").click()
    assert page.url == f"{base}/portal"
    page.get_by_role("button", name="Sign out").click()

    # She signs in again and reads her report.
    assert page.url == f"{base}/portal/sign-in"
    screenshot(page, "portal-03-sign-in")
    page.get_by_label("Email address").fill("amara@home.example")
    page.get_by_label("Password").fill("my own long passphrase")
    page.get_by_role("button", name="Sign in").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Your information"
    shared = page.get_by_role("table", name=re.compile("Each time one organisation shared"))
    assert "Leeds City Council" in shared.inner_text()
    assert "Identity" in shared.inner_text() or "identity" in shared.inner_text().lower()
    # The item kept confidential from her is not shown, not even its kind; its ground is.
    content = page.content()
    assert CONFIDENTIAL_CONTENT not in content
    assert "Physical health" not in content
    assert "1 item withheld from you under" in content
    screenshot(page, "portal-04-report")

    # A staff page is not open to her portal session.
    page.goto(f"{base}/service-users")
    assert page.get_by_role("heading", level=1).inner_text() == "Not signed in"
