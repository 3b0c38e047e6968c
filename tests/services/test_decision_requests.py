"""Decision requests (issues 4 and 6): every dry run and every refused request to share is
stored beside its ``decision:asked`` ledger entry, and ``ledger verify`` checks one against
the other; on SQLite and PostgreSQL."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import delete, func, select, update

from infoshare.errors import InputError
from infoshare.ledger.events import EventKind, Outcome
from infoshare.ledger.verify import ProblemKind
from infoshare.services import disclosures, ledger
from infoshare.services.database import Database
from infoshare.services.decision_requests import DECISION_REQUEST_RECORD, request_digest
from infoshare.store.models import DecisionRequestRecord, LedgerEntryRecord
from tests.services.test_disclosures import care_request
from tests.store.ledger_events import KEY
from tests.support.accounts_world import NOW
from tests.support.sharing_world import BRIAN, SOCIAL_WORKER, staff


def _row(db: Database, request_id: uuid.UUID | None) -> DecisionRequestRecord:
    assert request_id is not None
    with db.unit_of_work().reading() as uow:
        record = uow.session.get(DecisionRequestRecord, request_id)
        assert record is not None
        uow.session.expunge(record)
        return record


def _entry(db: Database, sequence: int | None) -> LedgerEntryRecord:
    with db.unit_of_work().reading() as uow:
        entry = uow.session.get(LedgerEntryRecord, sequence)
        assert entry is not None
        uow.session.expunge(entry)
        return entry


def _rows(db: Database) -> int:
    with db.unit_of_work().reading() as uow:
        return uow.session.scalar(select(func.count()).select_from(DecisionRequestRecord)) or 0


def test_a_dry_run_is_stored_as_asked_beside_its_ledger_entry(sharing_db: Database) -> None:
    draft = care_request(
        items=[],
        categories=["identity", "physical-health"],
        recipient_role="social-worker",
        isa="LEEDS-ISA-2003-007",
    )
    asked = disclosures.ask(sharing_db, staff(SOCIAL_WORKER), draft, now=NOW)

    row = _row(sharing_db, asked.decision_request_id)
    assert row.source == "asked"
    assert (row.requester, row.provider, row.recipient) == (SOCIAL_WORKER, "LTHT", "LCC")
    assert (row.recipient_role, row.purpose, row.transfer_method) == (
        "social-worker",
        "care",
        "email",
    )
    assert row.categories == ["identity", "physical-health"]
    assert (row.basis_kind, row.legal_grounds, row.agreement) == (
        "consent",
        [],
        "LEEDS-ISA-2003-007",
    )
    assert str(row.service_user_id) == asked.subject_id
    assert row.asked_at == NOW
    assert row.outcome == asked.decision.outcome
    assert row.decided_agreement == asked.decision.isa_reference

    entry = _entry(sharing_db, asked.ledger_sequence)
    assert row.ledger_sequence == asked.ledger_sequence
    assert entry.kind == EventKind.DECISION_ASKED
    assert (entry.record_type, entry.record_id) == (DECISION_REQUEST_RECORD, str(row.id))
    assert entry.record_digest == request_digest(row)
    assert ledger.verify(sharing_db.unit_of_work(), KEY.verifier).ok


def test_a_refused_request_is_stored_as_refused_and_recorded_as_a_failure(
    sharing_db: Database,
) -> None:
    done = disclosures.disclose(
        sharing_db,
        staff(SOCIAL_WORKER),
        care_request(nhs_number=BRIAN, basis={"kind": "statutory",
                     "legal_grounds": ["no-such-ground"], "justification": "He is at risk."}),
        now=NOW,
    )  # fmt: skip
    assert done.decision.outcome == "deny"
    assert done.disclosure_id is None
    assert done.referral_id is None
    row = _row(sharing_db, done.decision_request_id)
    assert (row.source, row.outcome) == ("refused", "deny")
    assert (row.basis_kind, row.legal_grounds, row.justification) == (
        "statutory",
        ["no-such-ground"],
        "He is at risk.",
    )
    assert row.categories == ["identity", "physical-health", "social-care-needs"]
    entry = _entry(sharing_db, done.ledger_sequence)
    assert entry.outcome == Outcome.FAILURE
    assert entry.record_id == str(row.id)


def test_what_is_shared_or_referred_is_not_stored_twice(sharing_db: Database) -> None:
    before = _rows(sharing_db)
    shared = disclosures.disclose(sharing_db, staff(SOCIAL_WORKER), care_request(), now=NOW)
    assert shared.disclosure_id is not None
    assert shared.decision_request_id is None
    assert _rows(sharing_db) == before


def test_bad_input_stores_no_request(sharing_db: Database) -> None:
    before = _rows(sharing_db)
    with pytest.raises(InputError, match="9999999999"):
        disclosures.ask(
            sharing_db, staff(SOCIAL_WORKER), care_request(nhs_number="9999999999"), now=NOW
        )
    assert _rows(sharing_db) == before


def test_a_request_naming_an_unknown_party_is_stored(sharing_db: Database) -> None:
    # Wider than any known code: the column holds what the request said, whatever it was.
    provider = "NO-SUCH-ORGANISATION-OF-THIRTY-TWO"
    done = disclosures.disclose(
        sharing_db, staff(SOCIAL_WORKER), care_request(provider=provider), now=NOW
    )
    assert done.decision.outcome == "deny"
    assert _row(sharing_db, done.decision_request_id).provider == provider


def test_verify_finds_a_request_changed_or_deleted_behind_the_ledger(
    sharing_db: Database,
) -> None:
    asked = disclosures.ask(
        sharing_db, staff(SOCIAL_WORKER), care_request(nhs_number=BRIAN), now=NOW
    )
    request_id = asked.decision_request_id
    assert ledger.verify(sharing_db.unit_of_work(), KEY.verifier).ok

    uow = sharing_db.unit_of_work()
    with uow:
        uow.session.execute(
            update(DecisionRequestRecord)
            .where(DecisionRequestRecord.id == request_id)
            .values(outcome="permit")
        )
        uow.commit()
    report = ledger.verify(sharing_db.unit_of_work(), KEY.verifier)
    assert report.problem is not None
    assert report.problem.kind is ProblemKind.RECORD_CHANGED
    assert report.problem.sequence == asked.ledger_sequence

    uow = sharing_db.unit_of_work()
    with uow:
        uow.session.execute(
            delete(DecisionRequestRecord).where(DecisionRequestRecord.id == request_id)
        )
        uow.commit()
    report = ledger.verify(sharing_db.unit_of_work(), KEY.verifier)
    assert report.problem is not None
    assert report.problem.kind is ProblemKind.RECORD_MISSING
