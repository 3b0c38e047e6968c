"""``infoshare decide FILE.json --db URL``: the request decided against the stored policy and
the person's stored facts (objections included), recorded as asked like ``POST
/api/v1/decisions``; bad input names the file and the field and records nothing. On SQLite
and PostgreSQL."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from infoshare.cli.main import app
from infoshare.ledger.events import EventKind
from infoshare.services import ledger as ledger_service
from infoshare.services.database import open_database
from infoshare.services.objections import ObjectionDraft, record_objection
from infoshare.store.models import DecisionRequestRecord, DisclosureRecord, LedgerEntryRecord
from tests.store.ledger_events import KEY
from tests.support.accounts_world import NOW, nhs_number
from tests.support.databases import DatabaseTemplates
from tests.support.sharing_world import AMARA, SOCIAL_WORKER, TEMPLATE, build_sharing_world

runner = CliRunner()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def world_url(
    request: pytest.FixtureRequest,
    database_templates: DatabaseTemplates,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[str]:
    # the command's settings: development, so the public default secret key is accepted
    monkeypatch.setenv("INFOSHARE_ENVIRONMENT", "development")
    yield from database_templates.copy(request, request.param, TEMPLATE, build_sharing_world)


def request_file(tmp_path: Path, **changes: Any) -> Path:
    body: dict[str, Any] = {
        "requester": SOCIAL_WORKER,
        "provider": "LTHT",
        "recipient": "LCC",
        "nhs_number": AMARA,
        "purpose": "care",
        "categories": ["identity", "physical-health"],
        "transfer_method": "email",
        "at": NOW.isoformat(),
    }
    body.update(changes)
    path = tmp_path / "request.json"
    path.write_text(json.dumps(body), encoding="utf-8")
    return path


def ledger(url: str) -> tuple[list[str], int]:
    db = open_database(url)
    try:
        with db.unit_of_work().reading() as uow:
            kinds = list(
                uow.session.scalars(
                    select(LedgerEntryRecord.kind).order_by(LedgerEntryRecord.sequence)
                )
            )
            made = uow.session.scalar(select(func.count()).select_from(DisclosureRecord)) or 0
        return kinds, made
    finally:
        db.dispose()


def test_decides_against_the_database_and_records_the_question(
    tmp_path: Path, world_url: str
) -> None:
    before, _ = ledger(world_url)
    result = runner.invoke(
        app, ["decide", str(request_file(tmp_path)), "--db", world_url, "--format", "json"]
    )
    assert result.exit_code == 0, result.stderr
    shown = json.loads(result.stdout)
    assert shown["outcome"] == "permit"
    assert shown["permitted"] == ["identity", "physical-health"]
    assert shown["basis"]["kind"] == "consent"
    after, made = ledger(world_url)
    assert after == [*before, EventKind.DECISION_ASKED]
    assert shown["recorded"]["ledger_sequence"] == len(after) - 1
    assert made == 0  # a question, not a disclosure


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def test_the_ledger_entry_is_stamped_by_the_clock_not_by_the_files_at(
    tmp_path: Path, world_url: str
) -> None:
    # Principle 6: the file's `at` is the moment asked about; when it was asked is the clock's,
    # so an operator cannot date an entry in the past or the future.
    asked_about = NOW - timedelta(days=30)
    started = datetime.now(UTC)
    result = runner.invoke(
        app,
        ["decide", str(request_file(tmp_path, at=asked_about.isoformat())), "--db", world_url],
    )
    finished = datetime.now(UTC)
    assert result.exit_code == 0, result.stderr
    db = open_database(world_url)
    try:
        with db.unit_of_work().reading() as uow:
            kind, entry_at = uow.session.execute(
                select(LedgerEntryRecord.kind, LedgerEntryRecord.at)
                .order_by(LedgerEntryRecord.sequence.desc())
                .limit(1)
            ).one()
            asked_at = uow.session.scalars(select(DecisionRequestRecord.asked_at)).one()
    finally:
        db.dispose()
    assert kind == EventKind.DECISION_ASKED
    assert started - timedelta(seconds=1) <= _aware(entry_at) <= finished + timedelta(seconds=1)
    # The question itself (what the what-if replays) is still about the file's moment.
    assert _aware(asked_at) == asked_about
    # And the ledger still verifies (the row against its entry) with the two moments apart.
    db = open_database(world_url)
    try:
        assert ledger_service.verify(db.unit_of_work(), KEY.verifier).problem is None
    finally:
        db.dispose()


def test_a_stored_objection_is_applied(tmp_path: Path, world_url: str) -> None:
    db = open_database(world_url)
    try:
        record_objection(
            db.unit_of_work(),
            ObjectionDraft(
                nhs_number=AMARA, kind="objection", recipients=["LCC"],
                stated_at=NOW - timedelta(days=1), recorded_by="Pat Practitioner",
                recorded_by_organisation="LTHT",
            ),
            now=NOW,
        )  # fmt: skip
    finally:
        db.dispose()
    result = runner.invoke(app, ["decide", str(request_file(tmp_path)), "--db", world_url])
    assert result.exit_code == 0, result.stderr
    assert not result.stdout.startswith("decision: permit")
    assert "subject-objected (Principle 5)" in result.stdout
    assert result.stdout.splitlines()[-1].startswith("recorded: asked as decision request ")


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"requester": "nobody@ltht.example"}, "requester"),
        ({"nhs_number": nhs_number("900000009")}, "nhs_number"),
        ({"purpose": "gossip"}, "purpose"),
        ({"at": "2026-01-05T09:30:00"}, "at"),
        ({"categories": "identity"}, "categories"),
    ],
)
def test_bad_input_names_the_file_and_the_field_and_records_nothing(
    tmp_path: Path, world_url: str, changes: dict[str, Any], field: str
) -> None:
    before = ledger(world_url)
    path = request_file(tmp_path, **changes)
    result = runner.invoke(app, ["decide", str(path), "--db", world_url])
    assert result.exit_code == 1
    assert result.stderr.startswith(f"error ({field}): `{path}`: ")
    assert ledger(world_url) == before


def test_without_db_the_file_is_still_a_self_contained_document(tmp_path: Path) -> None:
    # the request alone is not a decision document: the pure mode asks for the pack and facts
    result = runner.invoke(app, ["decide", str(request_file(tmp_path))])
    assert result.exit_code == 1
    assert result.stderr.startswith("error")
