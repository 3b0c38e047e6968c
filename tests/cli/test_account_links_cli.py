"""``infoshare account password-link`` and ``reset-second-factor`` at the console."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from typer.testing import CliRunner

from infoshare.cli.main import app
from infoshare.services.account_admin import use_password_link
from infoshare.services.accounts import get_account
from infoshare.services.database import open_database
from tests.support.accounts_world import PEOPLE, TEMPLATE, build_world
from tests.support.databases import DatabaseTemplates

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


def test_a_password_link_is_printed_once_and_works_once(world_url: str) -> None:
    email = PEOPLE["lead-member"].email
    result = runner.invoke(
        app,
        [
            "account",
            "password-link",
            email,
            "--base-url",
            "https://infoshare.example/",
            "--db",
            world_url,
        ],
    )
    assert result.exit_code == 0, result.output
    link = result.output.strip().splitlines()[-1]
    assert link.startswith("https://infoshare.example/account/set-password/")
    token = link.rsplit("/", 1)[1]
    db = open_database(world_url)
    try:
        use_password_link(db.unit_of_work(), token, "a completely new passphrase")
        with pytest.raises(Exception, match="has been used"):
            use_password_link(db.unit_of_work(), token, "yet another new passphrase")
    finally:
        db.dispose()


def test_resetting_a_second_factor_at_the_console(world_url: str) -> None:
    email = PEOPLE["designated-officer"].email
    result = runner.invoke(app, ["account", "reset-second-factor", email, "--db", world_url])
    assert result.exit_code == 0, result.output
    assert "reset for" in result.output
    assert "no second factor yet" in result.output
    db = open_database(world_url)
    try:
        assert not get_account(db.unit_of_work(), email).second_factor_enrolled
    finally:
        db.dispose()


def test_an_unknown_address_names_the_field(world_url: str) -> None:
    result = runner.invoke(
        app, ["account", "password-link", "nobody@ltht.example", "--db", world_url]
    )
    assert result.exit_code != 0
    assert "nobody@ltht.example" in result.output
