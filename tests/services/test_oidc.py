"""Signing in through an organisation's OpenID Connect provider (Procedure B1), end to end.

A real provider (tests/support/oidc_provider.py) runs on 127.0.0.1 and signs real ID tokens;
the service fetches its discovery document and keys, exchanges codes and checks the tokens.
Every refusal must leave everything as it was except the used state and one access-log entry.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from infoshare.errors import OidcSignInError
from infoshare.services.access_log import Outcome, anonymous, recent_entries
from infoshare.services.accounts import disable_account
from infoshare.services.database import Database, open_database
from infoshare.services.oidc import begin_sign_in, finish_sign_in
from infoshare.services.oidc_providers import OidcProvider, ProviderDirectory
from infoshare.services.sessions import NewSession, SessionPolicy, Stage, current_session
from tests.support.accounts_world import PEOPLE, TEMPLATE, build_world
from tests.support.databases import DatabaseTemplates, row_counts
from tests.support.oidc_provider import CLIENT_ID, CLIENT_SECRET, LocalProvider, running_provider

REDIRECT = "https://infoshare.example/sign-in/oidc/LTHT/callback"
POLICY = SessionPolicy()
REQUESTER = anonymous("192.0.2.7")


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
def db(world_url: str) -> Iterator[Database]:
    database = open_database(world_url)
    try:
        yield database
    finally:
        database.dispose()


def _directory(provider: LocalProvider, **settings: Any) -> ProviderDirectory:
    config = OidcProvider(
        organisation_code="LTHT",
        issuer=provider.issuer,
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        display_name="Test Trust",
        **settings,
    )
    return ProviderDirectory({"LTHT": config})


@pytest.fixture
def directory(provider: LocalProvider) -> ProviderDirectory:
    return _directory(provider)


def _callback(
    provider: LocalProvider, db: Database, directory: ProviderDirectory
) -> dict[str, str]:
    """Start a sign-in and let the provider answer it; the answer's query and the browser state."""
    redirect = begin_sign_in(db, directory, "LTHT", redirect_uri=REDIRECT, requester=REQUESTER)
    answer = provider.authorize(redirect.url)
    assert answer.startswith(REDIRECT + "?")
    from urllib.parse import parse_qsl, urlsplit

    query = dict(parse_qsl(urlsplit(answer).query))
    assert query["state"] == redirect.state
    return {"code": query["code"], "state": query["state"], "browser_state": redirect.state}


def _finish(
    db: Database, directory: ProviderDirectory, answer: dict[str, str], **changes: Any
) -> NewSession:
    arguments: dict[str, Any] = {
        "state": answer["state"],
        "browser_state": answer["browser_state"],
        "code": answer["code"],
        "provider_error": None,
        "redirect_uri": REDIRECT,
        "requester": REQUESTER,
        "policy": POLICY,
    } | changes
    return finish_sign_in(db, directory, "LTHT", **arguments)


def _denials(db: Database) -> list[str]:
    return [
        e.why
        for e in recent_entries(db.unit_of_work(), outcome=Outcome.DENIED)
        if e.action == "sign-in-oidc"
    ]


def test_a_practitioner_signs_in_through_their_trusts_provider(
    provider: LocalProvider, db: Database, directory: ProviderDirectory
) -> None:
    new = _finish(db, directory, _callback(provider, db, directory))
    assert new.signed_in.stage is Stage.SIGNED_IN
    assert new.signed_in.account.email == PEOPLE["practitioner"].email
    # the same kind of session as a password makes: the cookie's token finds it
    live = current_session(db.unit_of_work(), new.token, policy=POLICY)
    assert live.session_id == new.signed_in.session_id
    assert _denials(db) == []


def test_discovery_and_keys_are_fetched_once_and_cached(
    provider: LocalProvider, db: Database, directory: ProviderDirectory
) -> None:
    before = provider.jwks_fetches
    for _ in range(2):
        _finish(db, directory, _callback(provider, db, directory))
    assert provider.jwks_fetches == before + 1


def test_a_designated_officer_still_gives_their_code_unless_the_provider_did_mfa(
    provider: LocalProvider, db: Database, directory: ProviderDirectory
) -> None:
    provider.subject = {"email": PEOPLE["designated-officer"].email, "email_verified": True}
    provider.subject["amr"] = ["pwd"]
    new = _finish(db, directory, _callback(provider, db, directory))
    assert new.signed_in.stage is Stage.SECOND_FACTOR
    provider.subject["amr"] = ["pwd", "mfa"]
    new = _finish(db, directory, _callback(provider, db, directory))
    assert new.signed_in.stage is Stage.SIGNED_IN


def test_acr_counts_only_when_configured(provider: LocalProvider, db: Database) -> None:
    provider.subject = {
        "email": PEOPLE["designated-officer"].email,
        "email_verified": True,
        "acr": "urn:example:mfa",
    }
    plain = _directory(provider)
    assert _finish(db, plain, _callback(provider, db, plain)).signed_in.stage is Stage.SECOND_FACTOR
    trusting = _directory(provider, mfa_acr=frozenset({"urn:example:mfa"}))
    new = _finish(db, trusting, _callback(provider, db, trusting))
    assert new.signed_in.stage is Stage.SIGNED_IN


def test_signing_in_ends_the_session_the_browser_held(
    provider: LocalProvider, db: Database, directory: ProviderDirectory
) -> None:
    first = _finish(db, directory, _callback(provider, db, directory))
    _finish(db, directory, _callback(provider, db, directory), previous_token=first.token)
    with pytest.raises(Exception, match="session has ended"):
        current_session(db.unit_of_work(), first.token, policy=POLICY)


@pytest.mark.parametrize(
    ("tamper", "reason"),
    [
        ("audience", "aud"),
        ("issuer", "iss"),
        ("expired", "expired"),
        ("signature", "signature does not verify"),
        ("nonce", "nonce"),
        ("alg-none", "none"),
    ],
)
def test_a_spoilt_id_token_is_refused_and_changes_nothing(
    provider: LocalProvider,
    db: Database,
    directory: ProviderDirectory,
    world_url: str,
    tamper: str,
    reason: str,
) -> None:
    answer = _callback(provider, db, directory)
    provider.tamper = tamper
    before = row_counts(world_url)
    with pytest.raises(OidcSignInError) as refused:
        _finish(db, directory, answer)
    assert "did not work" in refused.value.message
    assert reason in refused.value.reason
    after = row_counts(world_url)
    assert after.pop("access_log") == before.pop("access_log") + 1
    assert after == before
    assert len(_denials(db)) == 1


@pytest.mark.parametrize(
    ("who", "subject", "reason"),
    [
        ("unknown", {"email": "nobody@ltht.example", "email_verified": True}, "no account"),
        (
            "another organisation's practitioner",
            {"email": PEOPLE["lcc-practitioner"].email, "email_verified": True},
            "staff of `LCC`",
        ),
        (
            "an unverified address",
            {"email": PEOPLE["practitioner"].email, "email_verified": False},
            "verified",
        ),
        ("no email at all", {"name": "Pat"}, "no usable `email` claim"),
    ],
)
def test_only_active_accounts_of_the_providers_own_organisation_sign_in(
    provider: LocalProvider,
    db: Database,
    directory: ProviderDirectory,
    world_url: str,
    who: str,
    subject: dict[str, Any],
    reason: str,
) -> None:
    provider.subject = subject
    answer = _callback(provider, db, directory)
    before = row_counts(world_url)
    with pytest.raises(OidcSignInError) as refused:
        _finish(db, directory, answer)
    assert reason in refused.value.reason, who
    after = row_counts(world_url)
    assert after.pop("access_log") == before.pop("access_log") + 1
    assert after == before


def test_a_disabled_account_cannot_sign_in(
    provider: LocalProvider, db: Database, directory: ProviderDirectory
) -> None:
    disable_account(db.unit_of_work(), PEOPLE["practitioner"].email)
    with pytest.raises(OidcSignInError) as refused:
        _finish(db, directory, _callback(provider, db, directory))
    assert "has no active infoshare account" in refused.value.message
    assert "disabled" in refused.value.reason


def test_a_state_is_taken_once(
    provider: LocalProvider, db: Database, directory: ProviderDirectory
) -> None:
    answer = _callback(provider, db, directory)
    _finish(db, directory, answer)
    with pytest.raises(OidcSignInError) as replayed:
        _finish(db, directory, answer)
    assert "used or is too old" in replayed.value.message
    assert "already used" in replayed.value.reason


def test_the_answer_must_return_to_the_browser_that_asked(
    provider: LocalProvider, db: Database, directory: ProviderDirectory
) -> None:
    answer = _callback(provider, db, directory)
    with pytest.raises(OidcSignInError) as refused:
        _finish(db, directory, answer, browser_state="another-browsers-state")
    assert "not the one this browser was given" in refused.value.reason
    # and the state is used up: the right browser cannot use it afterwards either
    with pytest.raises(OidcSignInError):
        _finish(db, directory, answer)


def test_an_old_request_is_refused(
    provider: LocalProvider, db: Database, directory: ProviderDirectory
) -> None:
    started = datetime.now(UTC) - timedelta(minutes=11)
    redirect = begin_sign_in(
        db,
        directory,
        "LTHT",
        redirect_uri=REDIRECT,
        requester=REQUESTER,
        now=started,
    )
    from urllib.parse import parse_qsl, urlsplit

    query = dict(parse_qsl(urlsplit(provider.authorize(redirect.url)).query))
    with pytest.raises(OidcSignInError) as refused:
        _finish(db, directory, query | {"browser_state": redirect.state})
    assert "older than ten minutes" in refused.value.reason


def test_the_providers_error_is_shown_as_a_failure(
    provider: LocalProvider, db: Database, directory: ProviderDirectory
) -> None:
    answer = _callback(provider, db, directory)
    with pytest.raises(OidcSignInError) as refused:
        _finish(db, directory, answer, provider_error="access_denied", code="")
    assert "access_denied" in refused.value.reason


def test_an_organisation_without_a_provider_is_refused(
    db: Database, directory: ProviderDirectory
) -> None:
    with pytest.raises(OidcSignInError) as refused:
        begin_sign_in(db, directory, "LCC", redirect_uri=REDIRECT, requester=REQUESTER)
    assert "does not sign in through its own sign-in service" in refused.value.message
    assert _denials(db) == ["no provider configured"]


def test_an_unreachable_provider_is_refused_with_a_clear_message(db: Database) -> None:
    config = OidcProvider(
        organisation_code="LTHT",
        issuer="http://127.0.0.1:9",  # the discard port: nothing listens
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        display_name="Test Trust",
    )
    with pytest.raises(OidcSignInError) as refused:
        begin_sign_in(
            db,
            ProviderDirectory({"LTHT": config}),
            "LTHT",
            redirect_uri=REDIRECT,
            requester=REQUESTER,
        )
    assert "cannot be reached just now" in refused.value.message
