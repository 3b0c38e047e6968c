"""``infoshare ledger`` run as an operator and an outside auditor would, on both engines."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from typer.testing import CliRunner

from infoshare.cli.main import app
from infoshare.ledger.keys import SigningKey
from infoshare.services.keys import SIGNING_KEY_FILE, VERIFIER_KEY_FILE

runner = CliRunner()
SCRIPT = Path(__file__).resolve().parents[2] / "bench" / "verify_checkpoint.py"


@pytest.fixture(autouse=True)
def _development(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INFOSHARE_ENVIRONMENT", "development")
    monkeypatch.delenv("INFOSHARE_DATABASE_URL", raising=False)
    monkeypatch.delenv("INFOSHARE_PACK", raising=False)
    monkeypatch.delenv("INFOSHARE_LEDGER_ORIGIN", raising=False)


def keys_dir() -> Path:
    return Path(os.environ["INFOSHARE_KEYS_DIR"])


def invoke(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def url(database_url: str) -> str:
    code, out, err = invoke("init", "--db", database_url)
    assert code == 0, err
    assert f"{keys_dir() / SIGNING_KEY_FILE} made" in out
    assert "ledger    8 entries; checkpoint signed by infoshare.local/leeds-2002" in out
    return database_url


def tamper(url: str, statement: str) -> None:
    """Change the database behind infoshare's back, as an intruder with SQL access would."""
    engine = create_engine(url)
    try:
        with engine.begin() as connection:
            connection.execute(text(statement))
    finally:
        engine.dispose()


def test_init_keeps_the_key_it_made_and_the_ledger_verifies(url: str) -> None:
    before = (keys_dir() / SIGNING_KEY_FILE).read_text()
    code, out, _ = invoke("init", "--db", url)
    assert code == 0
    assert "kept (never overwritten)" in out
    assert (keys_dir() / SIGNING_KEY_FILE).read_text() == before
    code, out, err = invoke("ledger", "verify", "--db", url)
    assert code == 0, err
    assert "ok: 8 entries" in out
    assert "1 checkpoint(s) signed by infoshare.local/leeds-2002 verified" in out
    assert "8 entries match their governance records" in out
    assert "each of 8 governance record(s) has its entries" in out


def test_a_changed_entry_fails_verification_naming_it(url: str) -> None:
    # A failure rewritten as a success, or here the reverse: one word in entry 3's bytes.
    engine = create_engine(url)
    try:
        with engine.begin() as connection:
            body = connection.scalar(text("SELECT body FROM ledger_entries WHERE sequence = 3"))
            forged = bytes(body).replace(b'"success"', b'"failure"')
            connection.execute(
                text("UPDATE ledger_entries SET body = :body WHERE sequence = 3"), {"body": forged}
            )
    finally:
        engine.dispose()
    code, _, err = invoke("ledger", "verify", "--db", url)
    assert code == 1
    assert "entry 3: chain-broken: the entry hash does not follow" in err
    assert "does not verify" in err


def test_a_governance_record_changed_behind_the_ledger_is_found(url: str) -> None:
    tamper(url, "UPDATE organisations SET minute_reference = 'forged' WHERE code = 'LTHT'")
    code, _, err = invoke("ledger", "verify", "--db", url)
    assert code == 1
    assert "entry 1: record-changed: the organisation-adoption `LTHT` now digests to" in err


def test_an_adoption_written_behind_the_ledger_is_named(url: str) -> None:
    # LCC's approval was still awaited in 2002: recording it in SQL leaves it without entry.
    tamper(
        url,
        "UPDATE organisations SET adopted_on = '2002-11-27', approving_body = 'Executive Board' "
        "WHERE code = 'LCC'",
    )
    code, _, err = invoke("ledger", "verify", "--db", url)
    assert code == 1
    assert (
        "ledger: record-without-entry: the organisation-adoption `LCC` has no "
        "`adoption:confirmed` entry"
    ) in err


def test_an_entry_pointed_at_another_record_is_named(url: str) -> None:
    # record_type and record_id lie outside the hashed bytes: moving them is still found.
    tamper(url, "UPDATE ledger_entries SET record_id = 'LCC' WHERE sequence = 1")
    code, _, err = invoke("ledger", "verify", "--db", url)
    assert code == 1
    assert "entry 1: record-missing: the organisation-adoption `LCC`" in err


def test_a_checkpoint_checked_with_another_ledgers_key_fails(url: str, tmp_path: Path) -> None:
    other = tmp_path / "other.pub"
    other.write_text(SigningKey("infoshare.local/leeds-2002", b"\x05" * 32).verifier.encode())
    code, _, err = invoke("ledger", "verify", "--db", url, "--key", str(other))
    assert code == 1
    assert "checkpoint-invalid" in err
    assert "is not signed by the key `infoshare.local/leeds-2002`" in err


def test_a_garbled_published_key_is_refused(url: str, tmp_path: Path) -> None:
    other = tmp_path / "other.pub"
    other.write_text("infoshare.local/leeds-2002+00000000+AQ==\n")
    code, _, err = invoke("ledger", "verify", "--db", url, "--key", str(other))
    assert code == 2
    assert "is not a verifier key" in err


def test_a_malformed_signing_key_stops_checkpointing_with_exit_2(url: str) -> None:
    path = keys_dir() / SIGNING_KEY_FILE
    path.write_text("PRIVATE+KEY+garbage\n")
    code, _, err = invoke("ledger", "checkpoint", "--db", url)
    assert code == 2
    assert "is not a ledger signing key" in err


def test_proofs_from_the_cli_satisfy_the_outsiders_script(url: str, tmp_path: Path) -> None:
    older = tmp_path / "older.checkpoint"
    code, out, _ = invoke("ledger", "checkpoint", "--db", url)
    assert code == 0
    older.write_text(out)
    shown = invoke("ledger", "show", "--db", url, "--tail", "3")[1]
    assert "adoption:confirmed" in shown
    assert "8 entries; 1 checkpoint(s); newest at size 8" in shown
    inclusion = tmp_path / "inclusion.json"
    code, out, err = invoke("ledger", "proof", "inclusion", "5", "--db", url)
    assert code == 0, err
    inclusion.write_text(out)
    public = keys_dir() / VERIFIER_KEY_FILE
    checked = subprocess.run(
        [sys.executable, str(SCRIPT), str(public), str(older), "--inclusion", str(inclusion)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "ok" in checked.stdout


def test_out_of_range_proofs_are_refused_precisely(url: str) -> None:
    code, _, err = invoke("ledger", "proof", "inclusion", "99", "--db", url)
    assert code == 1
    assert "the sequence number `99` is not covered by the checkpoint of size 8" in err
    code, _, err = invoke("ledger", "proof", "consistency", "3", "8", "--db", url)
    assert code == 1
    assert "no checkpoint of size `3`" in err
