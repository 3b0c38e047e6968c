"""Signing in, in Chromium: with and without a second factor, the pages, signing out.

Each journey saves screenshots of the pages it passes under ``test-artifacts/``.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.browser.conftest import screenshot
from tests.support.accounts_world import PASSWORD, PEOPLE, code_at

pytestmark = pytest.mark.browser


def _sign_in(page, base: str, who: str, password: str = PASSWORD) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{base}/sign-in")
    page.get_by_label("Email address").fill(PEOPLE[who].email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def test_a_practitioner_signs_in_sees_their_service_users_and_signs_out(
    page,
    live_server: str,  # type: ignore[no-untyped-def]
) -> None:
    page.goto(live_server + "/")
    assert page.get_by_role("heading", level=1).count() == 1
    screenshot(page, "01-home-public")
    page.get_by_role("link", name="Sign in").click()
    assert page.url == f"{live_server}/sign-in"
    screenshot(page, "02-sign-in")

    _sign_in(page, live_server, "practitioner")
    # The Secure, __Host- cookie was accepted over http://127.0.0.1 and sent back.
    assert page.url == f"{live_server}/service-users"
    cookies = {c["name"]: c for c in page.context.cookies()}
    session = cookies["__Host-infoshare-session"]
    assert session["secure"]
    assert session["httpOnly"]
    assert session["sameSite"] == "Lax"
    assert page.get_by_role("heading", level=1).inner_text() == "Service users of LTHT"
    assert page.get_by_role("row").count() == 4  # the header and three people LTHT holds
    assert page.get_by_text("Marsh").count() == 0  # held by WYP only
    screenshot(page, "03-service-users")

    # the same list on a tablet in portrait: the table still fits the width
    page.set_viewport_size({"width": 768, "height": 1024})
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 768
    screenshot(page, "03b-service-users-tablet")
    page.set_viewport_size({"width": 1280, "height": 800})

    page.get_by_role("link", name="Okafor, Amara").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Amara Okafor"
    screenshot(page, "04-service-user")

    page.get_by_role("link", name="Your account").click()
    assert "Second factor" in page.content()
    screenshot(page, "05-account")

    page.get_by_role("button", name="Sign out").click()
    assert page.url == f"{live_server}/"
    page.goto(f"{live_server}/service-users")
    assert page.get_by_role("heading", level=1).inner_text() == "Not signed in"
    screenshot(page, "06-signed-out")


def test_a_designated_officer_signs_in_with_a_second_factor(
    page,
    live_server: str,  # type: ignore[no-untyped-def]
) -> None:
    _sign_in(page, live_server, "practitioner", password="not the password")
    alert = page.get_by_role("alert")
    assert "the email address or the password is not right" in alert.inner_text()
    screenshot(page, "07-sign-in-wrong-password")

    _sign_in(page, live_server, "designated-officer")
    assert page.url == f"{live_server}/sign-in/second-factor"
    screenshot(page, "08-second-factor")
    page.get_by_label("Security code").fill("000000")
    page.get_by_role("button", name="Continue").click()
    assert "the code is not right" in page.get_by_role("alert").inner_text()
    page.get_by_label("Security code").fill(code_at(datetime.now(UTC)))
    page.get_by_role("button", name="Continue").click()
    assert page.url == f"{live_server}/service-users"
    nav = page.get_by_role("navigation", name="Main")
    assert nav.get_by_role("link", name="Service users").count() == 1
    nav.get_by_role("link", name="Access log").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Access log"
    # the officer's own listing a moment ago is already in it
    assert page.get_by_role("row").count() >= 4
    screenshot(page, "10-access-log")


def test_a_lead_member_sees_no_service_users_link_and_is_refused_the_page(
    page,
    live_server: str,  # type: ignore[no-untyped-def]
) -> None:
    _sign_in(page, live_server, "lead-member")
    assert page.url == f"{live_server}/account"
    nav = page.get_by_role("navigation", name="Main")
    assert nav.get_by_role("link", name="Service users").count() == 0
    response = page.goto(f"{live_server}/service-users")
    assert response is not None
    assert response.status == 403
    main = page.get_by_role("main").inner_text()
    assert "your roles do not allow service-users:read (Procedure B1)" in main
    screenshot(page, "09-refused")


def test_the_sign_in_page_is_usable_with_the_keyboard_alone(
    page,
    live_server: str,  # type: ignore[no-untyped-def]
) -> None:
    page.goto(f"{live_server}/sign-in")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent")
    assert focused.strip() == "Skip to main content"
    page.get_by_label("Email address").focus()
    page.keyboard.type(PEOPLE["practitioner"].email)
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server}/service-users")
