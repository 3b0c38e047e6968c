"""``infoshare init``, ``infoshare db upgrade`` and ``infoshare demo``, run as a user would."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from infoshare.cli.main import app
from infoshare.services.database import open_database
from infoshare.services.staff import list_staff
from infoshare.store import schema

runner = CliRunner()


@pytest.fixture(autouse=True)
def _development(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INFOSHARE_ENVIRONMENT", "development")
    monkeypatch.delenv("INFOSHARE_DATABASE_URL", raising=False)
    monkeypatch.delenv("INFOSHARE_PACK", raising=False)


def test_init_creates_the_schema_and_loads_the_pack_once(database_url: str) -> None:
    first = runner.invoke(app, ["init", "--db", database_url])
    assert first.exit_code == 0, first.output
    assert f"created at revision {schema.head_revision()}" in first.stdout
    assert "leeds-2002" in first.stdout
    assert "loaded" in first.stdout
    assert "7 of 10 parties have approved the protocol (awaited: EDL, LCC, WYP)" in first.stdout
    second = runner.invoke(app, ["init", "--db", database_url])
    assert second.exit_code == 0, second.output
    assert "already at the newest revision" in second.stdout
    assert "unchanged" in second.stdout
    assert "0 added now" in second.stdout


def test_init_reads_the_database_url_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("INFOSHARE_DATABASE_URL", f"sqlite:///{tmp_path}/from-env.db")
    result = runner.invoke(app, ["init"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "from-env.db").exists()


def test_db_upgrade_creates_then_reports_the_newest_revision(database_url: str) -> None:
    first = runner.invoke(app, ["db", "upgrade", "--db", database_url])
    assert first.exit_code == 0, first.output
    assert "created at revision" in first.stdout
    again = runner.invoke(app, ["db", "upgrade", "--db", database_url])
    assert again.exit_code == 0, again.output
    assert "already at the newest revision" in again.stdout


@pytest.mark.parametrize("command", [["init"], ["db", "upgrade"], ["demo"]])
def test_an_unknown_url_scheme_exits_2_naming_the_variable(command: list[str]) -> None:
    result = runner.invoke(app, [*command, "--db", "mysql://someone@localhost/infoshare"])
    assert result.exit_code == 2
    assert "INFOSHARE_DATABASE_URL" in result.stderr
    assert "`mysql`" in result.stderr


def test_an_unknown_url_scheme_in_the_environment_exits_2(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INFOSHARE_DATABASE_URL", "oracle://x/y")
    result = runner.invoke(app, ["init"])
    assert result.exit_code == 2
    assert "INFOSHARE_DATABASE_URL" in result.stderr


def test_init_with_an_unknown_pack_exits_1_and_creates_nothing(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/nothing.db"
    result = runner.invoke(app, ["init", "--pack", "atlantis-1999", "--db", url])
    assert result.exit_code == 1
    assert "`atlantis-1999`" in result.stderr
    assert not (tmp_path / "nothing.db").exists()


def test_demo_small_on_sqlite(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/demo.db"
    result = runner.invoke(app, ["demo", "--size", "small", "--db", url, "--seed", "5"])
    assert result.exit_code == 0, result.output
    assert "small data made from seed 5" in result.stdout
    assert "3,000 service users" in result.stdout
    assert "information-sharing-manager" in result.stdout
    # sign-in accounts for the main roles, with the published demo password and second factors
    assert "every demo password is infoshare-demo-only" in result.stdout
    assert "otpauth://totp/infoshare:" in result.stdout
    db = open_database(url)
    try:
        staff = list_staff(db.unit_of_work(), include_inactive=True)
    finally:
        db.dispose()
    assert 290 <= len(staff) <= 320
    assert len({s.organisation_code for s in staff}) == 16
    parties = {"LTHT", "LMHST", "WLPCT", "NWLPCT", "NELPCT", "ELPCT", "SLPCT", "LCC", "EDL", "WYP"}
    for role in ("designated-officer", "lead-member", "practitioner"):
        assert parties <= {s.organisation_code for s in staff if role in s.roles}, role
    again = runner.invoke(app, ["demo", "--db", url])
    assert again.exit_code == 0, again.output
    assert "already present (small, seed 5); nothing added" in again.stdout
    # the demo signs its ledger like `init` does, so it verifies straight away
    assert "checkpoint signed" in result.stdout
    verified = runner.invoke(app, ["ledger", "verify", "--db", url])
    assert verified.exit_code == 0, verified.output


def test_demo_refuses_an_unknown_size(tmp_path: Path) -> None:
    result = runner.invoke(app, ["demo", "--size", "huge", "--db", f"sqlite:///{tmp_path}/x.db"])
    assert result.exit_code == 2
    assert "huge" in result.output


def test_a_database_that_cannot_be_opened_exits_2(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/no-such-folder/infoshare.db"
    result = runner.invoke(app, ["db", "upgrade", "--db", url])
    assert result.exit_code == 2
    assert "cannot open the database" in result.stderr
    assert "INFOSHARE_DATABASE_URL" in result.stderr
