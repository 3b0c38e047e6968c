"""Consent and capacity records in the ledger, on SQLite and PostgreSQL.

Each consent given, refused or withdrawn and each capacity assessment is appended in the
same transaction as its record (Procedures A2, A3; Principle 6), holding identifiers and a
digest only; ``ledger verify`` finds any of those records changed behind the ledger's back.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import delete, update

from infoshare.errors import UnknownReferenceError
from infoshare.ledger.events import EventKind, Outcome
from infoshare.ledger.verify import ProblemKind
from infoshare.policy.access import Actor
from infoshare.services import ledger
from infoshare.services.access_log import Requester, RequesterKind
from infoshare.services.capacity import record_capacity_assessment
from infoshare.services.consent import (
    ConsentView,
    import_consents,
    record_consent,
    record_refusal,
    withdraw_consent,
)
from infoshare.services.database import Database
from infoshare.store.models import (
    CapacityAssessmentRecord,
    ConsentRecord,
    ConsentTermRecord,
    ConsentWithdrawalRecord,
)
from tests.services.consent_builders import (
    ADULT,
    capacity_draft,
    consent_draft,
    register_people,
    withdrawal_draft,
)
from tests.store.ledger_events import KEY

NOW = datetime(2026, 1, 5, 9, 30, tzinfo=UTC)


@pytest.fixture
def people(db: Database) -> Database:
    register_people(db, now=NOW)
    return db


def _views(db: Database) -> list[ledger.EntryView]:
    return ledger.entries(db.unit_of_work())


def _sql(db: Database, statement: object) -> None:
    with db.sessions() as session:
        session.execute(statement)  # type: ignore[call-overload]
        session.commit()


def _verify(db: Database) -> ledger.LedgerReport:
    return ledger.verify(db.unit_of_work(), KEY.verifier)


def _sequence_of(db: Database, record_type: str, record_id: str) -> int:
    found = [
        v.entry.sequence
        for v in _views(db)
        if (v.record_type, v.record_id) == (record_type, record_id)
    ]
    assert len(found) == 1
    return found[0]


def _consent(db: Database, **changes: object) -> ConsentView:
    return record_consent(db.unit_of_work(), consent_draft(**changes), now=NOW)


def test_a_consent_is_recorded_with_identifiers_and_its_digest_only(people: Database) -> None:
    before = len(_views(people))
    view = _consent(
        people, purposes=["care", "protection"], explained_purposes=["care", "protection"]
    )

    shown = _views(people)
    assert len(shown) == before + 1
    last = shown[-1]
    entry = last.entry
    assert entry.kind is EventKind.CONSENT_GIVEN
    assert entry.outcome is Outcome.SUCCESS
    assert entry.subject == view.subject_id
    assert entry.actor_organisation == "LTHT"
    assert entry.actor_staff == "console"  # no requester: the operator at the console
    assert entry.purpose == "care+protection"
    assert entry.time == NOW
    assert (last.record_type, last.record_id) == ("consent", str(view.id))
    body = ledger.entry_json(entry)
    for personal in (ADULT, "Sam Okafor", "Jessica", "Hughes"):
        assert personal not in str(body)
    report = _verify(people)
    assert report.ok, report.problem


def test_a_refusal_a_withdrawal_and_an_assessment_are_each_recorded(people: Database) -> None:
    refused = record_refusal(people.unit_of_work(), consent_draft(), now=NOW)
    given = _consent(people)
    withdraw_consent(people.unit_of_work(), given.id, withdrawal_draft(), now=NOW)
    assessed = record_capacity_assessment(people.unit_of_work(), capacity_draft(), now=NOW)

    tail = _views(people)[-4:]
    assert [v.entry.kind for v in tail] == [
        EventKind.CONSENT_REFUSED,
        EventKind.CONSENT_GIVEN,
        EventKind.CONSENT_WITHDRAWN,
        EventKind.CAPACITY_ASSESSED,
    ]
    assert [(v.record_type, v.record_id) for v in tail] == [
        ("consent", str(refused.id)),
        ("consent", str(given.id)),
        ("consent-withdrawal", str(given.id)),
        ("capacity-assessment", str(assessed.id)),
    ]
    assert tail[2].entry.subject == given.subject_id
    assert tail[3].entry.purpose == "care"
    report = _verify(people)
    assert report.ok, report.problem
    assert report.records_checked >= 4


def test_the_actor_is_the_requesters_account(people: Database) -> None:
    requester = Requester(
        RequesterKind.STAFF,
        "sam.okafor@ltht.example",
        "127.0.0.1",
        Actor("LTHT", frozenset({"practitioner"}), reference="account-42"),
    )
    record_consent(people.unit_of_work(), consent_draft(), requester=requester, now=NOW)
    assert _views(people)[-1].entry.actor_staff == "account-42"


def test_a_consent_refused_as_bad_input_appends_nothing(people: Database) -> None:
    before = len(_views(people))
    with pytest.raises(UnknownReferenceError):
        _consent(people, purposes=["gossip"])
    assert len(_views(people)) == before


def test_an_import_records_every_consent_and_withdrawal_or_nothing(people: Database) -> None:
    before = len(_views(people))
    stored, rejected = import_consents(
        people.unit_of_work(),
        [(2, consent_draft()), (3, consent_draft(purposes=["gossip"]))],
        now=NOW,
    )
    assert (stored, len(rejected)) == ([], 1)
    assert len(_views(people)) == before

    stored, rejected = import_consents(
        people.unit_of_work(),
        [(2, consent_draft()), (3, (consent_draft(), withdrawal_draft()))],
        now=NOW,
    )
    assert rejected == []
    tail = _views(people)[before:]
    assert [(v.entry.kind, v.record_id) for v in tail] == [
        (EventKind.CONSENT_GIVEN, str(stored[0])),
        (EventKind.CONSENT_GIVEN, str(stored[1])),
        (EventKind.CONSENT_WITHDRAWN, str(stored[1])),
    ]
    assert [v.entry.sequence for v in tail] == list(range(before, before + 3))
    report = _verify(people)
    assert report.ok, report.problem
    # the next single append carries on the numbering after the import's
    _consent(people)
    assert _views(people)[-1].entry.sequence == before + 3
    assert _verify(people).ok


def _changed(db: Database, record_type: str, record_id: str) -> None:
    report = _verify(db)
    assert report.problem is not None
    assert report.problem.kind is ProblemKind.RECORD_CHANGED
    assert report.problem.sequence == _sequence_of(db, record_type, record_id)
    line = str(report.problem)
    assert line.startswith(f"entry {report.problem.sequence}: record-changed")
    assert f"{record_type} `{record_id}`" in line


def test_a_consent_changed_in_the_database_is_found(people: Database) -> None:
    view = _consent(people)
    _sql(
        people,
        update(ConsentRecord)
        .where(ConsentRecord.id == view.id)
        .values(decided_by="best-interests"),
    )
    _changed(people, "consent", str(view.id))


def test_a_term_added_to_a_consent_behind_the_ledger_is_found(people: Database) -> None:
    view = _consent(people)
    _sql(
        people,
        update(ConsentTermRecord)
        .where(ConsentTermRecord.consent_id == view.id, ConsentTermRecord.part == "scope")
        .where(ConsentTermRecord.purpose_id == "care")
        .values(purpose_id="crime"),
    )
    _changed(people, "consent", str(view.id))


def test_a_withdrawal_backdated_or_deleted_is_found(people: Database) -> None:
    view = _consent(people)
    withdraw_consent(people.unit_of_work(), view.id, withdrawal_draft(), now=NOW)
    assert _verify(people).ok
    _sql(
        people,
        update(ConsentWithdrawalRecord)
        .where(ConsentWithdrawalRecord.consent_id == view.id)
        .values(at=datetime(2025, 11, 4, tzinfo=UTC)),
    )
    _changed(people, "consent-withdrawal", str(view.id))

    _sql(
        people, delete(ConsentWithdrawalRecord).where(ConsentWithdrawalRecord.consent_id == view.id)
    )
    report = _verify(people)
    assert report.problem is not None
    assert report.problem.kind is ProblemKind.RECORD_MISSING
    assert f"consent-withdrawal `{view.id}`" in str(report.problem)


def test_an_assessment_changed_in_the_database_is_found(people: Database) -> None:
    view = record_capacity_assessment(people.unit_of_work(), capacity_draft(), now=NOW)
    _sql(
        people,
        update(CapacityAssessmentRecord)
        .where(CapacityAssessmentRecord.id == view.id)
        .values(outcome="lacks-capacity"),
    )
    _changed(people, "capacity-assessment", str(view.id))


def test_the_first_changed_record_in_ledger_order_is_reported(people: Database) -> None:
    first = _consent(people)
    second = _consent(people)
    for view in (second, first):
        _sql(
            people,
            update(ConsentRecord).where(ConsentRecord.id == view.id).values(method="electronic"),
        )
    _changed(people, "consent", str(first.id))
