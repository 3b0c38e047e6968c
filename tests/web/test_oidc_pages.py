"""Signing in through an organisation's OpenID Connect provider, through the pages (Procedure B1).

The app reads a providers file naming a real provider on 127.0.0.1 (tests/support/
oidc_provider.py) for LTHT; the test plays the browser: it follows the app to the provider,
lets the provider answer, and brings the answer back to the app's callback.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from fastapi.testclient import TestClient

from infoshare.api.app import create_app
from infoshare.errors import ConfigurationError
from infoshare.services.access_log import Outcome, recent_entries
from infoshare.services.database import open_database
from infoshare.settings import Environment, load_settings
from infoshare.web.cookies import SESSION_COOKIE
from infoshare.web.oidc_pages import STATE_COOKIE
from tests.support.accounts_world import PEOPLE, TEMPLATE, build_world
from tests.support.databases import DatabaseTemplates
from tests.support.oidc_provider import LocalProvider, providers_file, running_provider
from tests.web.accessibility import problems


@pytest.fixture(scope="module")
def provider() -> Iterator[LocalProvider]:
    with running_provider() as running:
        yield running


@pytest.fixture(autouse=True)
def _fresh_provider(provider: LocalProvider) -> None:
    provider.subject = {"email": PEOPLE["practitioner"].email, "email_verified": True}
    provider.tamper = ""


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def world_url(
    request: pytest.FixtureRequest, database_templates: DatabaseTemplates
) -> Iterator[str]:
    yield from database_templates.copy(request, request.param, TEMPLATE, build_world)


@pytest.fixture
def client(world_url: str, provider: LocalProvider, tmp_path: Path) -> Iterator[TestClient]:
    settings = load_settings(
        database_url=world_url,
        environment=Environment.TEST,
        oidc_providers_file=providers_file(tmp_path, provider.issuer),
    )
    with TestClient(create_app(settings), base_url="https://testserver") as client:
        yield client


def _to_provider(client: TestClient) -> str:
    started = client.get("/sign-in/oidc/LTHT", follow_redirects=False)
    assert started.status_code == 303
    assert client.cookies.get(STATE_COOKIE)
    return started.headers["location"]


def _back_from(client: TestClient, provider: LocalProvider, url: str) -> object:
    answer = urlsplit(provider.authorize(url))
    assert answer.path == "/sign-in/oidc/LTHT/callback"
    return client.get(f"{answer.path}?{answer.query}", follow_redirects=False)


def test_the_sign_in_page_offers_the_organisations_provider(client: TestClient) -> None:
    page = client.get("/sign-in")
    assert page.status_code == 200
    assert 'href="/sign-in/oidc/LTHT"' in page.text
    assert "Test Trust staff sign-in" in page.text
    assert problems(page.text) == []


def test_a_practitioner_signs_in_through_the_provider(
    client: TestClient, provider: LocalProvider
) -> None:
    url = _to_provider(client)
    assert url.startswith(provider.issuer + "/authorize?")
    assert "code_challenge_method=S256" in url
    assert "redirect_uri=https%3A%2F%2Ftestserver%2Fsign-in%2Foidc%2FLTHT%2Fcallback" in url
    back = _back_from(client, provider, url)
    assert back.status_code == 303  # type: ignore[attr-defined]
    assert back.headers["location"] == "/service-users"  # type: ignore[attr-defined]
    cookies = back.headers.get_list("set-cookie")  # type: ignore[attr-defined]
    assert any(c.startswith(SESSION_COOKIE) and "HttpOnly" in c for c in cookies)
    assert client.get("/service-users").status_code == 200
    # signing out ends it, as after a password
    account = client.get("/account")
    from tests.web.signing_in import form_token

    client.post("/sign-out", data={"csrf_token": form_token(account.text)})
    assert client.get("/service-users", follow_redirects=False).status_code == 401


def test_an_administrator_still_gives_their_code_when_the_provider_did_no_mfa(
    client: TestClient, provider: LocalProvider
) -> None:
    provider.subject = {"email": PEOPLE["administrator"].email, "email_verified": True}
    back = _back_from(client, provider, _to_provider(client))
    assert back.headers["location"] == "/sign-in/second-factor"  # type: ignore[attr-defined]
    assert client.get("/account/api-tokens", follow_redirects=False).status_code == 303


def test_a_refused_token_shows_why_on_the_sign_in_page(
    client: TestClient, provider: LocalProvider, world_url: str
) -> None:
    url = _to_provider(client)
    provider.tamper = "audience"
    back = _back_from(client, provider, url)
    assert back.status_code == 401  # type: ignore[attr-defined]
    text = back.text  # type: ignore[attr-defined]
    assert "There is a problem" in text
    assert "did not work, and nothing was changed" in text
    assert SESSION_COOKIE not in client.cookies
    assert problems(text) == []
    db = open_database(world_url)
    try:
        denials = recent_entries(db.unit_of_work(), outcome=Outcome.DENIED)
    finally:
        db.dispose()
    assert [d.action for d in denials] == ["sign-in-oidc"]
    assert "aud" in denials[0].why


def test_a_replayed_answer_is_refused(client: TestClient, provider: LocalProvider) -> None:
    url = _to_provider(client)
    answer = urlsplit(provider.authorize(url))
    state = client.cookies.get(STATE_COOKIE)
    assert client.get(f"{answer.path}?{answer.query}", follow_redirects=False).status_code == 303
    client.cookies.set(STATE_COOKIE, state or "")
    again = client.get(f"{answer.path}?{answer.query}", follow_redirects=False)
    assert again.status_code == 401
    assert "used or is too old" in again.text


def test_an_answer_brought_to_another_browser_is_refused(
    client: TestClient, provider: LocalProvider, world_url: str
) -> None:
    answer = urlsplit(provider.authorize(_to_provider(client)))
    client.cookies.clear()  # someone else's browser: it never started this sign-in
    refused = client.get(f"{answer.path}?{answer.query}", follow_redirects=False)
    assert refused.status_code == 401
    assert SESSION_COOKIE not in client.cookies


def test_an_organisation_without_a_provider_gets_a_clear_page(client: TestClient) -> None:
    page = client.get("/sign-in/oidc/LCC", follow_redirects=False)
    assert page.status_code == 404
    assert "does not sign in through its own sign-in service" in page.text


def test_a_providers_file_with_a_mistake_stops_the_app(tmp_path: Path) -> None:
    path = providers_file(tmp_path, "http://idp.example.org", algorithms=["none"])
    settings = load_settings(
        database_url=f"sqlite:///{tmp_path / 'x.db'}",
        environment=Environment.TEST,
        oidc_providers_file=path,
    )
    with pytest.raises(ConfigurationError) as wrong:
        create_app(settings)
    assert "LTHT.issuer" in wrong.value.message
    assert "https://" in wrong.value.message


def test_an_unreachable_provider_asks_to_try_later(world_url: str, tmp_path: Path) -> None:
    settings = load_settings(
        database_url=world_url,
        environment=Environment.TEST,
        oidc_providers_file=providers_file(tmp_path, "http://127.0.0.1:9"),  # nothing listens
    )
    with TestClient(create_app(settings), base_url="https://testserver") as client:
        page = client.get("/sign-in/oidc/LTHT", follow_redirects=False)
    assert page.status_code == 503
    assert "cannot be reached just now" in page.text
    assert STATE_COOKIE not in page.cookies
