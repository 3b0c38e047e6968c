"""``ledger verify`` holds every governance table against its ledger entries, both ways, on
SQLite and PostgreSQL (Principle 6; Procedures A5, C3, C4; Sections 1.1, 3.1).

A world where sharing happened (a consented disclosure, a referral approved and one refused,
an emergency and its review, agreements signed and activated, procedures confirmed) verifies;
then, for each record type, a column that matters changed in the row, the row deleted, and
a row written without an entry are each found and named: the entry's sequence, the record
type, the record's id and what differs.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from infoshare.ledger.verify import ProblemKind
from infoshare.services import disclosures, emergencies, ledger, ledger_records, referrals
from infoshare.services.database import Database
from infoshare.store.models import (
    AgreementRecord,
    AgreementStatusChangeRecord,
    ClauseKind,
    ClauseRecord,
    DisclosureRecord,
    LedgerEntryRecord,
    OrganisationRecord,
    ProcedureConfirmationRecord,
    ReferralRecord,
    ReviewTaskRecord,
)
from tests.services.test_disclosures import care_request, police_request
from tests.store.ledger_events import KEY
from tests.support.accounts_world import NOW
from tests.support.sharing_world import (
    BRIAN,
    LCC_OFFICER,
    LTHT_OFFICER,
    POLICE_OFFICER,
    SOCIAL_WORKER,
    staff,
)


@dataclass(frozen=True)
class World:
    """The ids of what happened, by what a test tampers with."""

    disclosure: str
    approved: str
    refused: str
    emergency: str
    task: str
    agreement: str
    confirmation: str


def _share(db: Database) -> World:
    disclosed = disclosures.disclose(db, staff(SOCIAL_WORKER), care_request(), now=NOW)
    approved = disclosures.disclose(db, staff(POLICE_OFFICER), police_request(), now=NOW)
    assert approved.referral_id is not None
    referrals.approve(db, staff(LCC_OFFICER), approved.referral_id, reason="s.29", now=NOW)
    refused = disclosures.disclose(db, staff(POLICE_OFFICER), police_request(), now=NOW)
    assert refused.referral_id is not None
    referrals.refuse_referral(
        db, staff(LCC_OFFICER), refused.referral_id, reason="not needed", now=NOW
    )
    emergency = disclosures.disclose(
        db,
        staff(SOCIAL_WORKER),
        care_request(nhs_number=BRIAN, basis={"kind": "emergency", "emergency_reason": "fell"}),
        now=NOW,
    )
    assert emergency.review_task_id is not None
    emergencies.complete_review(
        db,
        staff(LTHT_OFFICER),
        emergency.review_task_id,
        outcome=emergencies.ReviewOutcome.UPHELD,
        notes="right to share",
        now=NOW + timedelta(hours=1),
    )
    with db.sessions() as session:
        active = session.scalars(
            select(AgreementRecord).where(AgreementRecord.status == "active").limit(1)
        ).one()
        code, procedure = session.execute(
            select(OrganisationRecord.code, ProcedureConfirmationRecord.procedure_id)
            .join(OrganisationRecord)
            .limit(1)
        ).one()
    return World(
        disclosure=str(disclosed.disclosure_id),
        approved=str(approved.referral_id),
        refused=str(refused.referral_id),
        emergency=str(emergency.disclosure_id),
        task=str(emergency.review_task_id),
        agreement=f"{active.reference}@v{active.version}",
        confirmation=f"{code}:{procedure}",
    )


@pytest.fixture
def world(sharing_db: Database) -> tuple[Database, World]:
    return sharing_db, _share(sharing_db)


def _verify(db: Database) -> ledger.LedgerReport:
    return ledger.verify(db.unit_of_work(), KEY.verifier)


def _entries_of(db: Database, record_type: str, record_id: str) -> dict[str, int]:
    with db.sessions() as session:
        rows = session.execute(
            select(LedgerEntryRecord.kind, LedgerEntryRecord.sequence).where(
                LedgerEntryRecord.record_type == record_type,
                LedgerEntryRecord.record_id == record_id,
            )
        ).all()
    return {kind: sequence for kind, sequence in rows}


def _tamper(db: Database, change: Callable[[Session], None]) -> None:
    with db.sessions() as session:
        change(session)
        session.commit()


def _uuid(text: str) -> uuid.UUID:
    return uuid.UUID(text)


def _copy(session: Session, model: Any, key: uuid.UUID, **changes: Any) -> None:
    row = session.get_one(model, key)
    values = {column.key: getattr(row, column.key) for column in model.__table__.columns}
    values.update(id=uuid.uuid4(), **changes)
    session.add(model(**values))


def test_a_world_of_sharing_verifies_with_every_record_type_registered(
    world: tuple[Database, World],
) -> None:
    db, _ = world
    report = _verify(db)
    assert report.ok, report.problem
    with db.sessions() as session:
        written = set(
            session.scalars(
                select(LedgerEntryRecord.record_type)
                .where(LedgerEntryRecord.record_type.is_not(None))
                .distinct()
            )
        )
    # every record type the services write is read back by verify
    assert written <= ledger.CHECKED_RECORD_TYPES
    assert {
        "agreement-version",
        "procedure-confirmation",
        "disclosure",
        "referral",
        "emergency-review",
    } <= written
    with db.sessions() as session:
        pointing = session.scalar(
            select(LedgerEntryRecord.sequence)
            .where(LedgerEntryRecord.record_type.is_not(None))
            .order_by(LedgerEntryRecord.sequence.desc())
            .limit(1)
        )
    assert pointing is not None
    assert report.records_checked > 20
    assert report.rows_checked >= report.records_checked // 4


# --- a column that matters, changed ------------------------------------------------------------

#: (record type, which of the world's ids, the entry kind named, the change)
CHANGED: list[tuple[str, str, str, Callable[[Session, World], None]]] = [
    (
        "disclosure",
        "disclosure",
        "disclosure:made",
        lambda s, w: s.execute(
            update(DisclosureRecord)
            .where(DisclosureRecord.id == _uuid(w.disclosure))
            .values(items=[{"category": "identity", "content": "someone else"}])
        ),
    ),
    (
        "disclosure",
        "disclosure",
        "disclosure:made",
        lambda s, w: s.execute(
            update(DisclosureRecord)
            .where(DisclosureRecord.id == _uuid(w.disclosure))
            .values(recipient="WYP")
        ),
    ),
    (
        "disclosure",
        "emergency",
        "disclosure:made",
        lambda s, w: s.execute(
            update(ReviewTaskRecord)
            .where(ReviewTaskRecord.id == _uuid(w.task))
            .values(due_at=NOW + timedelta(days=30))
        ),
    ),
    (
        "referral",
        "approved",
        "decision:asked",
        lambda s, w: s.execute(
            update(ReferralRecord)
            .where(ReferralRecord.id == _uuid(w.approved))
            .values(purpose="care")
        ),
    ),
    (
        "referral",
        "refused",
        "referral:refused",
        lambda s, w: s.execute(
            update(ReferralRecord)
            .where(ReferralRecord.id == _uuid(w.refused))
            .values(decision_reason="a better reason, written later")
        ),
    ),
    (
        "emergency-review",
        "task",
        "emergency:reviewed",
        lambda s, w: s.execute(
            update(ReviewTaskRecord)
            .where(ReviewTaskRecord.id == _uuid(w.task))
            .values(review_outcome="not-upheld")
        ),
    ),
    (
        "procedure-confirmation",
        "confirmation",
        "adoption:confirmed",
        lambda s, w: s.execute(
            update(ProcedureConfirmationRecord)
            .where(ProcedureConfirmationRecord.procedure_id == w.confirmation.split(":")[1])
            .where(
                ProcedureConfirmationRecord.organisation_id
                == select(OrganisationRecord.id)
                .where(OrganisationRecord.code == w.confirmation.split(":")[0])
                .scalar_subquery()
            )
            .values(evidence="a minute that was never taken")
        ),
    ),
]


@pytest.mark.parametrize(
    ("record_type", "which", "kind", "change"),
    CHANGED,
    ids=["items", "recipient", "review-task-due", "referral-request", "refusal-reason",
         "review-outcome", "confirmation-evidence"],
)  # fmt: skip
def test_a_changed_row_is_named_at_its_entry(
    world: tuple[Database, World],
    record_type: str,
    which: str,
    kind: str,
    change: Callable[[Session, World], None],
) -> None:
    db, ids = world
    record_id = getattr(ids, which)
    _tamper(db, lambda session: change(session, ids))
    problem = _verify(db).problem
    assert problem is not None
    assert problem.kind is ProblemKind.RECORD_CHANGED
    assert problem.sequence == _entries_of(db, record_type, record_id)[kind]
    line = str(problem)
    assert f"the {record_type} `{record_id}` now digests to" in line
    assert f"this `{kind}` entry recorded" in line


def test_an_agreement_changed_after_activation_is_named(world: tuple[Database, World]) -> None:
    db, ids = world
    reference, version = ids.agreement.split("@v")

    def retitle(session: Session) -> None:
        record = session.scalars(
            select(AgreementRecord).where(
                AgreementRecord.reference == reference, AgreementRecord.version == int(version)
            )
        ).one()
        record.content = {**record.content, "security": "none to speak of"}

    _tamper(db, retitle)
    problem = _verify(db).problem
    assert problem is not None
    assert problem.kind is ProblemKind.RECORD_CHANGED
    assert problem.sequence == _entries_of(db, "agreement-version", ids.agreement)["isa:activated"]
    assert f"agreement-version `{ids.agreement}` now digests to" in str(problem)


def test_a_signature_step_rewritten_is_named(world: tuple[Database, World]) -> None:
    db, ids = world
    reference, version = ids.agreement.split("@v")
    agreement = select(AgreementRecord.id).where(
        AgreementRecord.reference == reference, AgreementRecord.version == int(version)
    )
    _tamper(
        db,
        lambda s: s.execute(
            update(AgreementStatusChangeRecord)
            .where(
                AgreementStatusChangeRecord.agreement_id == agreement.scalar_subquery(),
                AgreementStatusChangeRecord.action == "sign",
            )
            .values(actor="someone who never signed")
        ),
    )
    problem = _verify(db).problem
    assert problem is not None
    assert problem.kind is ProblemKind.RECORD_CHANGED
    assert f"agreement-version `{ids.agreement}` now digests to" in str(problem)
    assert "`isa:signed` entry" in str(problem)


def test_a_referral_put_back_to_pending_no_longer_shows_its_approval(
    world: tuple[Database, World],
) -> None:
    db, ids = world
    _tamper(
        db,
        lambda s: s.execute(
            update(ReferralRecord)
            .where(ReferralRecord.id == _uuid(ids.refused))
            .values(status="pending", decided_by=None, decided_at=None, decision_reason=None)
        ),
    )
    problem = _verify(db).problem
    assert problem is not None
    assert problem.kind is ProblemKind.RECORD_CHANGED
    assert problem.sequence == _entries_of(db, "referral", ids.refused)["referral:refused"]
    assert f"the referral `{ids.refused}` no longer shows the `referral:refused`" in str(problem)


@pytest.mark.parametrize("repointed", ["another disclosure", "none"])
def test_an_approved_referral_repointed_at_another_disclosure_is_named(
    world: tuple[Database, World], repointed: str
) -> None:
    # Procedure A5: which disclosure an approval became is evidence; moving or cutting the link
    # (referrals.disclosure_id) must show in `ledger verify`.
    db, ids = world
    target = _uuid(ids.disclosure) if repointed == "another disclosure" else None
    _tamper(
        db,
        lambda s: s.execute(
            update(ReferralRecord)
            .where(ReferralRecord.id == _uuid(ids.approved))
            .values(disclosure_id=target)
        ),
    )
    problem = _verify(db).problem
    assert problem is not None
    assert problem.kind is ProblemKind.RECORD_CHANGED
    assert problem.sequence == _entries_of(db, "referral", ids.approved)["referral:approved"]
    assert f"the referral `{ids.approved}` now digests to" in str(problem)


def test_a_counterparty_column_rewritten_is_named(world: tuple[Database, World]) -> None:
    db, ids = world
    _tamper(
        db,
        lambda s: s.execute(
            update(LedgerEntryRecord)
            .where(LedgerEntryRecord.record_id == ids.disclosure)
            .values(counterparty="WYP")
        ),
    )
    problem = _verify(db).problem
    assert problem is not None
    assert problem.kind is ProblemKind.STORE_MISMATCH
    assert problem.sequence == _entries_of(db, "disclosure", ids.disclosure)["disclosure:made"]
    assert "counterparty column says `WYP`" in str(problem)
    assert f"disclosure `{ids.disclosure}` names `LCC`" in str(problem)


# --- a row deleted -----------------------------------------------------------------------------


DELETED: list[tuple[str, str, str, Callable[[Session, World], None]]] = [
    (
        "disclosure",
        "disclosure",
        "disclosure:made",
        lambda s, w: s.execute(
            delete(DisclosureRecord).where(DisclosureRecord.id == _uuid(w.disclosure))
        ),
    ),
    (
        "referral",
        "refused",
        "decision:asked",
        lambda s, w: s.execute(delete(ReferralRecord).where(ReferralRecord.id == _uuid(w.refused))),
    ),
    (
        "procedure-confirmation",
        "confirmation",
        "adoption:confirmed",
        lambda s, w: s.execute(
            delete(ProcedureConfirmationRecord).where(
                ProcedureConfirmationRecord.procedure_id == w.confirmation.split(":")[1],
                ProcedureConfirmationRecord.organisation_id
                == select(OrganisationRecord.id)
                .where(OrganisationRecord.code == w.confirmation.split(":")[0])
                .scalar_subquery(),
            )
        ),
    ),
]


@pytest.mark.parametrize(
    ("record_type", "which", "kind", "change"),
    DELETED,
    ids=["disclosure", "referral", "confirmation"],
)
def test_a_deleted_row_is_named_at_its_first_entry(
    world: tuple[Database, World],
    record_type: str,
    which: str,
    kind: str,
    change: Callable[[Session, World], None],
) -> None:
    db, ids = world
    record_id = getattr(ids, which)
    _tamper(db, lambda session: change(session, ids))
    problem = _verify(db).problem
    assert problem is not None
    assert problem.kind is ProblemKind.RECORD_MISSING
    assert problem.sequence == _entries_of(db, record_type, record_id)[kind]
    assert f"the {record_type} `{record_id}` this `{kind}` entry records is not" in str(problem)


def test_a_deleted_review_task_is_found_at_its_disclosure(world: tuple[Database, World]) -> None:
    db, ids = world
    _tamper(
        db,
        lambda s: s.execute(delete(ReviewTaskRecord).where(ReviewTaskRecord.id == _uuid(ids.task))),
    )
    problem = _verify(db).problem
    assert problem is not None
    # the disclosure's digest covers its review task, and its entry comes first
    assert problem.kind is ProblemKind.RECORD_CHANGED
    assert problem.sequence == _entries_of(db, "disclosure", ids.emergency)["disclosure:made"]


def test_agreement_steps_deleted_are_named(world: tuple[Database, World]) -> None:
    db, ids = world
    reference, version = ids.agreement.split("@v")
    agreement = select(AgreementRecord.id).where(
        AgreementRecord.reference == reference, AgreementRecord.version == int(version)
    )
    _tamper(
        db,
        lambda s: s.execute(
            delete(AgreementStatusChangeRecord).where(
                AgreementStatusChangeRecord.agreement_id == agreement.scalar_subquery()
            )
        ),
    )
    problem = _verify(db).problem
    assert problem is not None
    assert problem.kind is ProblemKind.RECORD_CHANGED
    assert f"agreement-version `{ids.agreement}` no longer shows the `isa:signed`" in str(problem)


# --- a row written behind the ledger's back ----------------------------------------------------


def _unrecorded(db: Database) -> str:
    report = _verify(db)
    assert report.problem is not None
    assert report.problem.kind is ProblemKind.RECORD_WITHOUT_ENTRY
    assert report.problem.sequence is None
    return str(report.problem)


def test_a_disclosure_inserted_without_an_entry_is_named(world: tuple[Database, World]) -> None:
    db, ids = world
    _tamper(db, lambda s: _copy(s, DisclosureRecord, _uuid(ids.disclosure), ledger_sequence=None))
    with db.sessions() as session:
        known = {ids.disclosure, ids.emergency}
        copied = {str(i) for i in session.scalars(select(DisclosureRecord.id))} - known
    [record_id] = [c for c in copied if not _entries_of(db, "disclosure", c)]
    line = _unrecorded(db)
    assert line.startswith(f"ledger: record-without-entry: the disclosure `{record_id}` has no")
    assert "`disclosure:made` entry" in line


def test_a_referral_inserted_or_decided_without_an_entry_is_named(
    world: tuple[Database, World],
) -> None:
    db, _ = world
    pending = disclosures.disclose(db, staff(POLICE_OFFICER), police_request(), now=NOW)
    assert _verify(db).ok
    _tamper(
        db,
        lambda s: s.execute(
            update(ReferralRecord)
            .where(ReferralRecord.id == pending.referral_id)
            .values(status="refused", decided_by="nobody@lcc.example", decision_reason="quietly")
        ),
    )
    line = _unrecorded(db)
    assert f"the referral `{pending.referral_id}` has no `referral:refused` entry" in line


def test_a_review_recorded_without_an_entry_is_named(world: tuple[Database, World]) -> None:
    db, _ = world
    later = disclosures.disclose(
        db,
        staff(SOCIAL_WORKER),
        care_request(nhs_number=BRIAN, basis={"kind": "emergency", "emergency_reason": "fell"}),
        now=NOW,
    )
    assert _verify(db).ok
    _tamper(
        db,
        lambda s: s.execute(
            update(ReviewTaskRecord)
            .where(ReviewTaskRecord.id == later.review_task_id)
            .values(
                reviewed_by=LTHT_OFFICER,
                reviewed_at=NOW,
                review_outcome="upheld",
                review_notes="fine",
            )
        ),
    )
    line = _unrecorded(db)
    assert f"the emergency-review `{later.review_task_id}` has no `emergency:reviewed`" in line


def test_an_agreement_step_inserted_without_an_entry_is_named(
    world: tuple[Database, World],
) -> None:
    db, ids = world
    reference, version = ids.agreement.split("@v")

    def terminate(session: Session) -> None:
        record = session.scalars(
            select(AgreementRecord).where(
                AgreementRecord.reference == reference, AgreementRecord.version == int(version)
            )
        ).one()
        session.add(
            AgreementStatusChangeRecord(
                agreement_id=record.id,
                at=NOW,
                action="terminate",
                from_status="active",
                to_status="terminated",
                actor="nobody",
                note="quietly",
            )
        )

    _tamper(db, terminate)
    line = _unrecorded(db)
    assert f"the agreement-version `{ids.agreement}` has no `isa:ended` entry" in line


def test_a_confirmation_inserted_without_an_entry_is_named(
    world: tuple[Database, World],
) -> None:
    db, _ = world
    inserted: list[str] = []

    def confirm(session: Session) -> None:
        template = session.scalars(select(ProcedureConfirmationRecord).limit(1)).one()
        taken: set[tuple[uuid.UUID, str]] = set(
            session.execute(
                select(
                    ProcedureConfirmationRecord.organisation_id,
                    ProcedureConfirmationRecord.procedure_id,
                )
            ).all()
        )
        procedures = sorted(
            session.scalars(
                select(ClauseRecord.id).where(ClauseRecord.kind == ClauseKind.PROCEDURE)
            )
        )
        organisations = session.execute(
            select(OrganisationRecord.id, OrganisationRecord.code).order_by(OrganisationRecord.code)
        ).all()
        organisation, code, procedure = next(
            (o, c, p) for o, c in organisations for p in procedures if (o, p) not in taken
        )
        _copy(
            session,
            ProcedureConfirmationRecord,
            template.id,
            organisation_id=organisation,
            procedure_id=procedure,
        )
        inserted.append(f"{code}:{procedure}")

    _tamper(db, confirm)
    line = _unrecorded(db)
    assert f"the procedure-confirmation `{inserted[0]}` has no `adoption:confirmed`" in line


def test_a_record_written_while_verify_runs_is_not_reported(world: tuple[Database, World]) -> None:
    db, _ = world
    done = disclosures.disclose(db, staff(SOCIAL_WORKER), care_request(), now=NOW)
    assert done.ledger_sequence is not None
    with db.sessions() as session:
        # as if the head had been read just before this disclosure was committed
        found = ledger_records.check(session, done.ledger_sequence, ledger.RECORD_TYPES)
    assert found.problem is None
    assert found.records > found.entries // 4
