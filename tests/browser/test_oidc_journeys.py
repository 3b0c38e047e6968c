"""In Chromium: signing in through the organisation's OpenID Connect provider, and an
administrator managing accounts. Screenshots of each page go under ``test-artifacts/``.

The provider (tests/support/oidc_provider.py) and infoshare both run on 127.0.0.1, each in
its own uvicorn thread; the browser really goes from one to the other and back.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import uvicorn

from infoshare.api.app import create_app
from infoshare.settings import Environment, load_settings
from tests.browser.conftest import screenshot
from tests.support.accounts_world import PASSWORD, PEOPLE, TEMPLATE, build_world, code_at
from tests.support.databases import DatabaseTemplates
from tests.support.oidc_provider import LocalProvider, providers_file, running_provider

pytestmark = pytest.mark.browser


@pytest.fixture
def provider() -> Iterator[LocalProvider]:
    with running_provider() as running:
        running.subject = {"email": PEOPLE["practitioner"].email, "email_verified": True}
        yield running


@pytest.fixture
def oidc_server(
    request: pytest.FixtureRequest,
    database_templates: DatabaseTemplates,
    provider: LocalProvider,
    tmp_path: Path,
) -> Iterator[str]:
    """infoshare on the accounts world, with LTHT's provider configured."""
    import socket

    for url in database_templates.copy(request, "sqlite", TEMPLATE, build_world):
        settings = load_settings(
            database_url=url,
            environment=Environment.TEST,
            oidc_providers_file=providers_file(tmp_path, provider.issuer),
        )
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        config = uvicorn.Config(create_app(settings), log_level="warning", ws="none")
        server = uvicorn.Server(config)
        thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
        thread.start()
        deadline = time.monotonic() + 10
        while not server.started:
            if time.monotonic() > deadline:
                pytest.fail("the server did not start within 10 s")
            time.sleep(0.02)
        try:
            yield f"http://127.0.0.1:{sock.getsockname()[1]}"
        finally:
            server.should_exit = True
            thread.join(timeout=10)
            sock.close()


def test_a_practitioner_signs_in_through_their_trusts_provider(
    page,  # type: ignore[no-untyped-def]
    oidc_server: str,
    provider: LocalProvider,
) -> None:
    page.goto(f"{oidc_server}/sign-in")
    link = page.get_by_role("link", name="Test Trust staff sign-in")
    assert link.count() == 1
    screenshot(page, "30-sign-in-with-organisation")
    link.click()
    # at the provider's own page, on another origin
    assert page.url.startswith(provider.issuer + "/authorize?")
    screenshot(page, "31-organisation-provider")
    answer = page.get_by_role("link", name="Continue to infoshare").get_attribute("href")
    page.get_by_role("link", name="Continue to infoshare").click()
    assert page.url == f"{oidc_server}/service-users"
    assert page.get_by_role("heading", level=1).inner_text() == "Service users of LTHT"
    cookies = {c["name"]: c for c in page.context.cookies()}
    assert cookies["__Host-infoshare-session"]["httpOnly"]
    assert "__Host-infoshare-oidc-state" not in cookies
    screenshot(page, "32-signed-in-through-organisation")

    # the same answer again (someone who copied the address, say) is refused
    replay = page.goto(answer)
    assert replay is not None
    assert replay.status == 401
    assert "used or is too old" in page.get_by_role("alert").inner_text()


def test_a_token_for_the_wrong_audience_is_refused_on_the_page(
    page,  # type: ignore[no-untyped-def]
    oidc_server: str,
    provider: LocalProvider,
) -> None:
    provider.tamper = "audience"
    page.goto(f"{oidc_server}/sign-in")
    page.get_by_role("link", name="Test Trust staff sign-in").click()
    page.get_by_role("link", name="Continue to infoshare").click()
    alert = page.get_by_role("alert").inner_text()
    assert "did not work, and nothing was changed" in alert
    screenshot(page, "33-organisation-sign-in-refused")


def test_an_administrator_adds_a_member_of_staff_who_sets_their_password(
    page,  # type: ignore[no-untyped-def]
    oidc_server: str,
) -> None:
    page.goto(f"{oidc_server}/sign-in")
    page.get_by_label("Email address").fill(PEOPLE["administrator"].email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_label("Security code").fill(code_at(datetime.now(UTC)))
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Accounts").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Accounts of LTHT"
    screenshot(page, "34-accounts")

    page.get_by_label("Full name").fill("Ines Nurse")
    page.get_by_label("Email address").fill("ines.nurse@ltht.example")
    page.get_by_label("Job title").fill("Staff nurse")
    page.get_by_label("Practitioner").check()
    page.get_by_role("button", name="Add and make a first sign-in link").click()
    link = page.locator(".secret").inner_text().strip()
    assert "/account/set-password/" in link
    screenshot(page, "35-account-created-with-link")

    page.get_by_role("link", name="Ines Nurse").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Account of Ines Nurse"
    screenshot(page, "36-managed-account")

    page.get_by_role("button", name="Sign out").click()
    page.goto(link)
    page.get_by_label("New password").fill("a brand new passphrase for ines")
    page.get_by_label("The same password again").fill("a brand new passphrase for ines")
    page.get_by_role("button", name="Set the password").click()
    assert "Your password is set" in page.get_by_role("status").inner_text()
    screenshot(page, "37-password-set")
