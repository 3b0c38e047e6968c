"""Signing in through the pages (Procedure B1): cookies, CSRF, sessions, second factor, errors.

Each test runs on SQLite and PostgreSQL against a copy of the small accounts world.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient

from infoshare.services.access_log import Outcome, recent_entries
from infoshare.services.database import open_database
from infoshare.web.cookies import CSRF_COOKIE, SESSION_COOKIE
from tests.support.accounts_world import PEOPLE, TEMPLATE, build_world
from tests.support.databases import DatabaseTemplates, row_counts
from tests.web.accessibility import problems
from tests.web.signing_in import form_token, https_client, sign_in


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def world_url(
    request: pytest.FixtureRequest, database_templates: DatabaseTemplates
) -> Iterator[str]:
    yield from database_templates.copy(request, request.param, TEMPLATE, build_world)


@pytest.fixture
def client(world_url: str) -> Iterator[TestClient]:
    with https_client(world_url) as client:
        yield client


def _denials(url: str) -> list[str]:
    db = open_database(url)
    try:
        return [e.action for e in recent_entries(db.unit_of_work(), outcome=Outcome.DENIED)]
    finally:
        db.dispose()


def _set_cookie_headers(response: object) -> list[str]:
    return response.headers.get_list("set-cookie")  # type: ignore[attr-defined]


def test_signing_in_sets_a_host_only_secure_httponly_samesite_cookie(client: TestClient) -> None:
    response = sign_in(client, "practitioner")
    assert response.status_code == 303
    assert response.headers["location"] == "/service-users"
    session_cookie = next(c for c in _set_cookie_headers(response) if c.startswith(SESSION_COOKIE))
    attributes = {part.strip().split("=")[0].lower() for part in session_cookie.split(";")}
    assert {"secure", "httponly", "path", "samesite"} <= attributes
    assert "domain" not in attributes
    assert "samesite=lax" in session_cookie.lower()
    page = client.get("/service-users")
    assert page.status_code == 200
    assert "Amara" in page.text
    assert "Dylan" not in page.text


def test_a_new_session_id_at_sign_in(client: TestClient) -> None:
    sign_in(client, "practitioner")
    first = client.cookies.get(SESSION_COOKIE)
    sign_in(client, "practitioner")
    second = client.cookies.get(SESSION_COOKIE)
    assert first
    assert second
    assert first != second
    client.cookies.clear()
    client.cookies.set(SESSION_COOKIE, first)
    assert client.get("/account", follow_redirects=False).status_code == 401


def test_unknown_user_and_wrong_password_look_the_same(client: TestClient, world_url: str) -> None:
    page = client.get("/sign-in")
    token = form_token(page.text)
    answers = []
    for email, password in (
        ("nobody@ltht.example", "whatever it is"),
        (PEOPLE["practitioner"].email, "not the right password"),
    ):
        response = client.post(
            "/sign-in", data={"email": email, "password": password, "csrf_token": token}
        )
        assert response.status_code == 401
        answers.append(response.text.replace(email, "EMAIL"))
    assert answers[0] == answers[1]
    assert "the email address or the password is not right" in answers[0]
    assert row_counts(world_url)["web_sessions"] == 0


def test_a_form_without_its_token_is_refused_logged_and_changes_nothing(
    client: TestClient, world_url: str
) -> None:
    client.get("/sign-in")
    before = row_counts(world_url)
    for token in ("", "forged-token", "x" * 100):
        response = client.post(
            "/sign-in",
            data={
                "email": PEOPLE["practitioner"].email,
                "password": "correct horse battery staple",
                "csrf_token": token,
            },
        )
        assert response.status_code == 403
        assert "this form has expired or did not come from infoshare" in response.text
    after = row_counts(world_url)
    assert after.pop("access_log") == before.pop("access_log") + 3
    assert after == before
    assert _denials(world_url) == ["form"] * 3


def test_a_token_from_another_browser_is_refused(client: TestClient, world_url: str) -> None:
    other_token = form_token(client.get("/sign-in").text)
    client.cookies.clear()
    client.cookies.set(CSRF_COOKIE, "someone-elses-nonce")
    response = client.post(
        "/sign-in", data={"email": "a@b.cd", "password": "p" * 12, "csrf_token": other_token}
    )
    assert response.status_code == 403


def test_a_forged_or_ended_session_gets_401_with_a_message_and_is_logged(
    client: TestClient, world_url: str
) -> None:
    client.cookies.set(SESSION_COOKIE, "forged-session-id")
    response = client.get("/service-users", follow_redirects=False)
    assert response.status_code == 401
    assert "your session has ended or is not valid; sign in again" in response.text
    assert 'href="/sign-in"' in response.text
    assert _denials(world_url) == ["sign-in-required"]


def test_sign_out_ends_the_session_everywhere(client: TestClient, world_url: str) -> None:
    sign_in(client, "practitioner")
    old = client.cookies.get(SESSION_COOKIE)
    account = client.get("/account")
    response = client.post(
        "/sign-out", data={"csrf_token": form_token(account.text)}, follow_redirects=False
    )
    assert response.status_code == 303
    assert any(
        c.startswith(SESSION_COOKIE) and "Max-Age=0" in c for c in _set_cookie_headers(response)
    )
    client.cookies.set(SESSION_COOKIE, old or "")
    assert client.get("/account", follow_redirects=False).status_code == 401


def test_sign_out_without_its_token_does_not_sign_out(client: TestClient) -> None:
    sign_in(client, "practitioner")
    assert client.post("/sign-out", data={}).status_code == 403
    assert client.get("/account").status_code == 200


def test_a_designated_officer_needs_the_second_factor(client: TestClient) -> None:
    page = client.get("/sign-in")
    response = client.post(
        "/sign-in",
        data={
            "email": PEOPLE["designated-officer"].email,
            "password": "correct horse battery staple",
            "csrf_token": form_token(page.text),
        },
        follow_redirects=False,
    )
    assert response.headers["location"] == "/sign-in/second-factor"
    # the session waits at the second factor: no page with personal data yet
    blocked = client.get("/service-users", follow_redirects=False)
    assert blocked.status_code == 303
    assert blocked.headers["location"] == "/sign-in/second-factor"
    factor = client.get("/sign-in/second-factor")
    assert problems(factor.text) == []
    wrong = client.post(
        "/sign-in/second-factor", data={"code": "000000", "csrf_token": form_token(factor.text)}
    )
    assert wrong.status_code == 401
    assert "the code is not right" in wrong.text
    assert client.get("/service-users", follow_redirects=False).status_code == 303
    client.cookies.clear()
    assert sign_in(client, "designated-officer").status_code == 303
    assert client.get("/service-users").status_code == 200


def test_over_long_fields_are_refused_with_a_message(client: TestClient, world_url: str) -> None:
    token = form_token(client.get("/sign-in").text)
    before = row_counts(world_url)
    response = client.post(
        "/sign-in", data={"email": "a" * 300 + "@x.uk", "password": "p", "csrf_token": token}
    )
    assert response.status_code == 422
    assert "email" in response.text
    after = row_counts(world_url)
    assert after.pop("access_log") == before.pop("access_log") + 1
    assert after == before
    assert _denials(world_url) == ["form"]


def test_throttled_sign_in_says_how_long_to_wait(client: TestClient) -> None:
    token = form_token(client.get("/sign-in").text)
    for _ in range(5):
        client.post(
            "/sign-in",
            data={
                "email": PEOPLE["practitioner"].email,
                "password": "wrong guess here",
                "csrf_token": token,
            },
        )
    response = client.post(
        "/sign-in",
        data={
            "email": PEOPLE["practitioner"].email,
            "password": "correct horse battery staple",
            "csrf_token": token,
        },
    )
    assert response.status_code == 429
    assert "too many failed attempts to sign in; wait 15 minutes" in response.text
    assert int(response.headers["retry-after"]) > 800


def test_enrolment_shows_the_secret_and_otpauth_uri(client: TestClient) -> None:
    sign_in(client, "practitioner")
    page = client.get("/account/second-factor")
    assert page.status_code == 200
    assert "otpauth://totp/infoshare:pat.practitioner@ltht.example?secret=" in page.text
    assert problems(page.text) == []


@pytest.mark.parametrize(
    ("who", "path"),
    [
        (None, "/sign-in"),
        ("practitioner", "/service-users"),
        ("practitioner", "/account"),
        ("designated-officer", "/"),
    ],
)
def test_account_pages_pass_the_accessibility_checks(
    client: TestClient, who: str | None, path: str
) -> None:
    if who is not None:
        sign_in(client, who)
    page = client.get(path)
    assert page.status_code == 200
    assert problems(page.text) == []
    if who is not None:
        assert "Sign out" in page.text
        assert PEOPLE[who].organisation in page.text


def test_navigation_follows_the_role(client: TestClient) -> None:
    sign_in(client, "practitioner")
    assert 'href="/service-users"' in client.get("/account").text
    client.cookies.clear()
    sign_in(client, "lead-member")
    assert 'href="/service-users"' not in client.get("/account").text


def test_the_service_user_page_logs_the_read(client: TestClient, world_url: str) -> None:
    sign_in(client, "practitioner")
    listing = client.get("/service-users")
    link = listing.text.split('href="/service-users/', 1)[1].split('"', 1)[0]
    page = client.get(f"/service-users/{link}")
    assert page.status_code == 200
    assert problems(page.text) == []
    db = open_database(world_url)
    try:
        reads = recent_entries(db.unit_of_work(), outcome=Outcome.READ, limit=10)
    finally:
        db.dispose()
    assert reads[0].why == "opened the service user's page"
    assert reads[0].actor == PEOPLE["practitioner"].email
    assert str(reads[0].service_user_id) == link
    assert datetime.now(UTC) >= reads[0].at


@pytest.mark.parametrize(
    ("who", "path", "status"),
    [
        (None, "/service-users", 401),
        ("lead-member", "/service-users", 403),
        ("practitioner", "/service-users/00000000-0000-0000-0000-000000000000", 404),
    ],
)
def test_refusal_pages_say_what_to_do_and_pass_the_accessibility_checks(
    client: TestClient, who: str | None, path: str, status: int
) -> None:
    if who is not None:
        sign_in(client, who)
    page = client.get(path, follow_redirects=False)
    assert page.status_code == status
    assert problems(page.text) == []
    assert f"Error {status}." in page.text


def test_an_administrator_issues_and_revokes_a_token_in_the_pages(
    client: TestClient, world_url: str
) -> None:
    sign_in(client, "administrator")
    page = client.get("/account/api-tokens")
    assert page.status_code == 200
    assert problems(page.text) == []
    assert "LTHT has no API tokens" in page.text
    issued = client.post(
        "/account/api-tokens",
        data={
            "name": "LTHT EPR",
            "permission": ["service-users:read", "consent:record"],
            "csrf_token": form_token(page.text),
        },
    )
    assert issued.status_code == 200
    assert problems(issued.text) == []
    token = issued.text.split('<p class="secret">', 1)[1].split("<", 1)[0]
    assert token.startswith("isk_")
    with https_client(world_url) as system:
        headers = {"Authorization": f"Bearer {token}"}
        assert system.get("/api/v1/service-users", headers=headers).status_code == 200
        listing = client.get("/account/api-tokens")
        assert token not in listing.text
        revoke = listing.text.split('action="/account/api-tokens/', 1)[1].split('"', 1)[0]
        done = client.post(
            f"/account/api-tokens/{revoke}",
            data={"csrf_token": form_token(listing.text)},
            follow_redirects=False,
        )
        assert done.status_code == 303
        assert system.get("/api/v1/service-users", headers=headers).status_code == 401
        assert "Revoked" in client.get("/account/api-tokens").text


def test_a_token_with_no_permission_or_a_bad_one_is_refused_on_the_page(
    client: TestClient, world_url: str
) -> None:
    sign_in(client, "administrator")
    page = client.get("/account/api-tokens")
    before = row_counts(world_url)
    for permissions in ([], ["accounts:manage"]):
        answer = client.post(
            "/account/api-tokens",
            data={"name": "X", "permission": permissions, "csrf_token": form_token(page.text)},
        )
        assert answer.status_code == 422
        assert "There is a problem" in answer.text
    assert row_counts(world_url)["api_tokens"] == before["api_tokens"]


def test_the_access_log_shows_who_read_whom_within_the_auditors_scope(
    client: TestClient, world_url: str
) -> None:
    sign_in(client, "practitioner")
    listing = client.get("/service-users")
    link = listing.text.split('href="/service-users/', 1)[1].split('"', 1)[0]
    client.get(f"/service-users/{link}")
    client.cookies.clear()
    with https_client(world_url) as police:
        sign_in(police, "wyp-practitioner")
        police.get("/service-users")
    sign_in(client, "designated-officer")
    page = client.get("/access-log")
    assert page.status_code == 200
    assert problems(page.text) == []
    assert "entries of LTHT’s staff and systems" in page.text
    assert "opened the service user&#39;s page" in page.text
    assert link[:8] in page.text
    assert PEOPLE["wyp-practitioner"].email not in page.text
    client.cookies.clear()
    sign_in(client, "steering-group")
    everyone = client.get("/access-log")
    assert PEOPLE["wyp-practitioner"].email in everyone.text
    assert PEOPLE["practitioner"].email in everyone.text
