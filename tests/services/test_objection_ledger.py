"""Objections, restrictions and their ends in the ledger, on SQLite and PostgreSQL: each has
its entry, ``ledger verify`` passes, and a row changed behind the ledger's back is found
(Principles 4, 5, 6)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import update

from infoshare.ledger.verify import ProblemKind
from infoshare.services import ledger
from infoshare.services.database import Database
from infoshare.services.objections import (
    EndDraft,
    ObjectionDraft,
    ObjectionView,
    end_objection,
    record_objection,
)
from infoshare.store.models import ObjectionEndRecord, ObjectionRecord
from tests.services.consent_builders import ADULT, register_people
from tests.store.ledger_events import KEY

NOW = datetime(2026, 1, 5, 9, 30, tzinfo=UTC)


@pytest.fixture
def people(db: Database) -> Database:
    register_people(db, now=NOW)
    return db


def _recorded(db: Database) -> ObjectionView:
    restriction = record_objection(
        db.unit_of_work(),
        ObjectionDraft(
            nhs_number=ADULT, kind="restriction", data_categories=["physical-health"],
            ground="court-order", note="Order of the family court", stated_at=NOW,
            recorded_by="Pat Practitioner", recorded_by_organisation="LTHT",
        ),
        now=NOW,
    )  # fmt: skip
    return end_objection(
        db.unit_of_work(),
        restriction.id,
        EndDraft(
            at=NOW + timedelta(hours=1), reason="The order was discharged",
            recorded_by="Pat Practitioner", recorded_by_organisation="LTHT",
        ),
        now=NOW + timedelta(hours=1),
    )  # fmt: skip


def _changed(db: Database, statement: object, record_type: str) -> None:
    with db.sessions() as session:
        session.execute(statement)  # type: ignore[call-overload]
        session.commit()
    report = ledger.verify(db.unit_of_work(), KEY.verifier)
    assert report.problem is not None
    assert report.problem.kind is ProblemKind.RECORD_CHANGED
    assert f"{record_type} `" in str(report.problem)


def test_each_record_and_end_has_its_entry_and_verify_passes(people: Database) -> None:
    view = _recorded(people)
    kinds = [v.entry.kind.value for v in ledger.entries(people.unit_of_work())][-2:]
    assert kinds == ["restriction:recorded", "restriction:ended"]
    report = ledger.verify(people.unit_of_work(), KEY.verifier)
    assert report.ok, report.problem
    assert view.ended is not None


def test_a_restriction_widened_behind_the_ledger_is_found(people: Database) -> None:
    view = _recorded(people)
    _changed(
        people,
        update(ObjectionRecord).where(ObjectionRecord.id == view.id).values(data_categories=[]),
        "objection",
    )


def test_an_end_backdated_behind_the_ledger_is_found(people: Database) -> None:
    view = _recorded(people)
    _changed(
        people,
        update(ObjectionEndRecord)
        .where(ObjectionEndRecord.objection_id == view.id)
        .values(at=NOW - timedelta(days=30)),
        "objection-end",
    )
