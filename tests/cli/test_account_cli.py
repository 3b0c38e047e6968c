"""``infoshare account`` and ``infoshare token`` at the console, on a copy of the accounts world."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from typer.testing import CliRunner

from infoshare.cli.main import app
from infoshare.errors import AuthenticationError
from infoshare.services.access_log import CONSOLE
from infoshare.services.api_tokens import authenticate_token
from infoshare.services.database import open_database
from infoshare.services.sessions import SessionPolicy, sign_in
from infoshare.services.staff import create_staff
from tests.support.accounts_world import PASSWORD, PEOPLE, TEMPLATE, build_world
from tests.support.databases import DatabaseTemplates, row_counts

runner = CliRunner()


@pytest.fixture(autouse=True)
def _development(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INFOSHARE_ENVIRONMENT", "development")
    monkeypatch.delenv("INFOSHARE_DATABASE_URL", raising=False)


@pytest.fixture
def world_url(
    database_templates: DatabaseTemplates, request: pytest.FixtureRequest
) -> Iterator[str]:
    yield from database_templates.copy(request, "sqlite", TEMPLATE, build_world)


def _signs_in(url: str, email: str, password: str) -> bool:
    db = open_database(url)
    try:
        sign_in(
            db.unit_of_work(),
            email=email,
            password=password,
            requester=CONSOLE,
            policy=SessionPolicy(),
        )
        return True
    except AuthenticationError:
        return False
    finally:
        db.dispose()


def test_create_an_account_with_a_password_from_stdin(world_url: str) -> None:
    db = open_database(world_url)
    try:
        create_staff(
            db.unit_of_work(),
            organisation_code="LCC",
            name="New Starter",
            email="new.starter@lcc.example",
            job_title="Social Worker",
            roles=["practitioner"],
        )
    finally:
        db.dispose()
    result = runner.invoke(
        app,
        ["account", "create", "new.starter@lcc.example", "--password-stdin", "--db", world_url],
        input="a long enough passphrase\n",
    )
    assert result.exit_code == 0, result.output
    assert "created new.starter@lcc.example (New Starter, LCC): practitioner" in result.stdout
    assert _signs_in(world_url, "new.starter@lcc.example", "a long enough passphrase")


def test_a_short_password_is_refused_and_nothing_is_written(world_url: str) -> None:
    before = row_counts(world_url)
    result = runner.invoke(
        app,
        [
            "account",
            "reset-password",
            PEOPLE["practitioner"].email,
            "--password-stdin",
            "--db",
            world_url,
        ],
        input="short\n",
    )
    assert result.exit_code == 1
    assert "use at least 12" in result.stderr
    assert row_counts(world_url) == before


def test_disable_stops_sign_in_and_reset_password_changes_it(world_url: str) -> None:
    email = PEOPLE["lcc-practitioner"].email
    result = runner.invoke(app, ["account", "disable", email, "--db", world_url])
    assert result.exit_code == 0, result.output
    assert "disabled" in result.stdout
    assert not _signs_in(world_url, email, PASSWORD)
    runner.invoke(app, ["account", "enable", email, "--db", world_url])
    reset = runner.invoke(
        app,
        ["account", "reset-password", email, "--password-stdin", "--db", world_url],
        input="another fine passphrase\n",
    )
    assert reset.exit_code == 0, reset.output
    assert _signs_in(world_url, email, "another fine passphrase")
    assert not _signs_in(world_url, email, PASSWORD)


def test_an_unknown_person_is_a_clear_error(world_url: str) -> None:
    result = runner.invoke(app, ["account", "disable", "nobody@x.example", "--db", world_url])
    assert result.exit_code == 1
    assert "there is no member of staff with email `nobody@x.example`" in result.stderr


def test_tokens_are_created_listed_and_revoked(world_url: str) -> None:
    created = runner.invoke(
        app,
        [
            "token",
            "create",
            "--organisation",
            "LTHT",
            "--name",
            "EPR",
            "--permission",
            "service-users:read",
            "--db",
            world_url,
        ],
    )
    assert created.exit_code == 0, created.output
    token = created.stdout.strip().splitlines()[-1]
    assert token.startswith("isk_")
    listed = runner.invoke(app, ["token", "list", "--organisation", "LTHT", "--db", world_url])
    assert "EPR: service-users:read; live; unused" in listed.stdout
    assert token not in listed.stdout
    token_id = listed.stdout.split()[0]
    db = open_database(world_url)
    try:
        assert authenticate_token(db, token, client_address="t").organisation_code == "LTHT"
        revoked = runner.invoke(app, ["token", "revoke", token_id, "--db", world_url])
        assert revoked.exit_code == 0, revoked.output
        with pytest.raises(AuthenticationError):
            authenticate_token(db, token, client_address="t")
    finally:
        db.dispose()
    bad = runner.invoke(
        app,
        [
            "token",
            "create",
            "--organisation",
            "LTHT",
            "--name",
            "X",
            "--permission",
            "accounts:manage",
            "--db",
            world_url,
        ],
    )
    assert bad.exit_code == 1
    assert "an API token cannot hold `accounts:manage`" in bad.stderr
