"""Referrals to a designated officer: sharing without consent (Principle 6, Procedure A5).

A request the decision refers (``refer``) waits here for a designated officer of the
provider party, found in the contacts directory (Procedure A6). The officer approves or
refuses, with reasons. Approval decides the stored request again with the approval in it,
and if it now permits, the disclosure is recorded in the same durable write as the referral's
new state and both ledger entries (``referral:approved`` and ``disclosure:made``); a refusal
is recorded with its reasons (``referral:refused``).

Refused, and logged, before anything is written: an officer who is not a designated officer
of the provider (a forged approval), a referral already decided (a replay), approving one's
own referral, an empty reason. A signed-in officer acts in their own name; another system
(an API token of the provider party holding ``disclosures:make``) names the officer, who
must be one of its party's designated officers.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import select

from infoshare.errors import ConflictError, InputError, NotFoundError, PermissionDeniedError
from infoshare.ledger.events import EventKind
from infoshare.policy.access import Permission, authorize
from infoshare.policy.compile import DESIGNATED_OFFICER
from infoshare.policy.decision import Approval
from infoshare.policy.decision_document import decision_as_json
from infoshare.services import group_commit, ledger, sharing_ledger
from infoshare.services.access_log import Outcome as AccessOutcome
from infoshare.services.access_log import Requester, RequesterKind, add_entry, refuse
from infoshare.services.clock import now_or
from infoshare.services.disclosures import (
    REFERRAL_RECORD,
    Outcomes,
    Prepared,
    RequestDraft,
    prepare,
    write_disclosure,
)
from infoshare.services.policy_cache import current_policy
from infoshare.store.database import Database
from infoshare.store.models import ReferralRecord, ServiceUserRecord
from infoshare.store.unit_of_work import UnitOfWork
from infoshare.store.writer import WriteContext


class ReferralStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REFUSED = "refused"


@dataclass(frozen=True)
class ReferralView:
    id: uuid.UUID
    created_at: datetime
    requester: str
    provider: str
    recipient: str
    nhs_number: str
    purpose: str
    request: dict[str, Any]
    decision: dict[str, Any]
    status: str
    decided_by: str | None
    decided_at: datetime | None
    decision_reason: str | None
    disclosure_id: uuid.UUID | None


def _view(record: ReferralRecord, nhs_number: str) -> ReferralView:
    return ReferralView(
        id=record.id,
        created_at=record.created_at,
        requester=record.requester,
        provider=record.provider,
        recipient=record.recipient,
        nhs_number=nhs_number,
        purpose=record.purpose,
        request=record.request,
        decision=record.decision,
        status=record.status,
        decided_by=record.decided_by,
        decided_at=record.decided_at,
        decision_reason=record.decision_reason,
        disclosure_id=record.disclosure_id,
    )


def _officer(requester: Requester, officer: str | None) -> str:
    if requester.kind is RequesterKind.STAFF:
        if officer and officer.strip().lower() != requester.name.lower():
            raise InputError(
                f"`{officer}` is not you; an officer decides in their own name", field="officer"
            )
        return requester.name
    if not officer or not officer.strip():
        raise InputError(
            "name the designated officer deciding (their email) in `officer`", field="officer"
        )
    return officer.strip().lower()


def _refused(db: Database, requester: Requester, message: str, at: datetime) -> None:
    decision = authorize(None, Permission.REFERRALS_APPROVE)
    uow = db.unit_of_work()
    with uow:
        refuse(uow.session, requester, decision, what=f"referral decision: {message}", at=at)
        uow.commit()
    raise PermissionDeniedError(f"{message} (Procedure A5)")


def list_referrals(
    uow: UnitOfWork,
    requester: Requester,
    *,
    status: ReferralStatus | None = ReferralStatus.PENDING,
    now: datetime | None = None,
) -> list[ReferralView]:
    """Referrals of the requester's party, oldest first: what its officers must decide."""
    at = now_or(now)
    party = requester.organisation_code
    permission = (
        Permission.REFERRALS_APPROVE
        if requester.kind is RequesterKind.STAFF
        else Permission.DISCLOSURES_MAKE
    )
    with uow:
        session = uow.session
        decision = authorize(requester.actor, permission, party)
        if not decision.allowed:
            error = refuse(session, requester, decision, what="referrals", at=at)
            uow.commit()
            raise error
        query = (
            select(ReferralRecord, ServiceUserRecord.nhs_number)
            .join(ServiceUserRecord, ServiceUserRecord.id == ReferralRecord.service_user_id)
            .where(ReferralRecord.provider == party)
            .order_by(ReferralRecord.created_at, ReferralRecord.id)
        )
        if status is not None:
            query = query.where(ReferralRecord.status == status.value)
        return [_view(r, n) for r, n in session.execute(query).all()]


def get_referral(
    uow: UnitOfWork, requester: Requester, referral_id: uuid.UUID, *, now: datetime | None = None
) -> ReferralView:
    """One referral, to staff of its provider or to the person who made it; 404 for anyone
    else. The read is logged (it names the person, Procedure B1)."""
    at = now_or(now)
    with uow:
        session = uow.session
        record = session.get(ReferralRecord, referral_id)
        party = requester.organisation_code
        if record is None or (
            party != record.provider and requester.name.lower() != record.requester
        ):
            decision = authorize(requester.actor, Permission.DISCLOSURES_READ, None)
            error = refuse(session, requester, decision, what="referral", at=at)
            uow.commit()
            if isinstance(error, NotFoundError):
                raise error
            raise NotFoundError("there is no referral here that you may see; check the link")
        person = session.get(ServiceUserRecord, record.service_user_id)
        add_entry(
            session,
            requester,
            outcome=AccessOutcome.READ,
            action="referrals:read",
            what=f"referral `{record.id}`",
            why="referral read",
            clause="Procedure A5",
            at=at,
            service_user_id=record.service_user_id,
        )
        view = _view(record, person.nhs_number if person else "")
        uow.commit()
        return view


def _check_officer(
    db: Database,
    requester: Requester,
    record: ReferralRecord,
    officer: str,
    at: datetime,
    review_hours: int,
) -> None:
    policy, _ = current_policy(db, review_hours=review_hours)
    permission = (
        Permission.REFERRALS_APPROVE
        if requester.kind is RequesterKind.STAFF
        else Permission.DISCLOSURES_MAKE
    )
    access = authorize(requester.actor, permission, record.provider)
    if not access.allowed:
        uow = db.unit_of_work()
        with uow:
            error = refuse(uow.session, requester, access, what="referral", at=at)
            uow.commit()
        raise error
    entry = policy.staff.get(officer)
    if (
        entry is None
        or not entry.active
        or DESIGNATED_OFFICER not in entry.roles
        or entry.organisation != record.provider
    ):
        _refused(
            db,
            requester,
            f"`{officer}` is not a designated officer of `{record.provider}`; only they decide "
            "its referrals",
            at,
        )
    if officer == record.requester:
        _refused(db, requester, "you made this request; another designated officer decides", at)


def _pending(db: Database, referral_id: uuid.UUID) -> ReferralRecord:
    with db.unit_of_work().reading() as uow:
        record = uow.session.get(ReferralRecord, referral_id)
        if record is None:
            raise NotFoundError(f"no referral `{referral_id}`; check the link")
        uow.session.expunge(record)
    if record.status != ReferralStatus.PENDING:
        raise ConflictError(
            f"referral `{referral_id}` was already {record.status}; it cannot be decided again"
        )
    return record


def _claim(ctx: WriteContext, referral_id: uuid.UUID) -> ReferralRecord:
    """The referral, locked for this write; a ConflictError if it was decided meanwhile."""
    record = ctx.session.scalars(
        select(ReferralRecord).where(ReferralRecord.id == referral_id).with_for_update()
    ).one()
    if record.status != ReferralStatus.PENDING:
        raise ConflictError(
            f"referral `{referral_id}` was already {record.status}; it cannot be decided again"
        )
    return record


def _text(reason: str) -> str:
    reason = reason.strip()
    if not reason:
        raise InputError("give the reasons for the decision (Procedure A5)", field="reason")
    if len(reason) > 4000:
        raise InputError("keep the reasons under 4000 characters", field="reason")
    return reason


def approve(
    db: Database,
    requester: Requester,
    referral_id: uuid.UUID,
    *,
    reason: str,
    officer: str | None = None,
    now: datetime | None = None,
    review_hours: int = 72,
) -> Outcomes:
    """Approve a referral: decide it again with the approval, and record the disclosure."""
    at = now_or(now)
    reason = _text(reason)
    officer_id = _officer(requester, officer)
    record = _pending(db, referral_id)
    _check_officer(db, requester, record, officer_id, at, review_hours)
    draft = RequestDraft.model_validate(record.request)
    referred = tuple(record.decision.get("referred") or draft.asked_categories)
    approval = Approval(
        officer_id=officer_id,
        subject_id=str(record.service_user_id),
        purpose=record.purpose,
        legal_grounds=tuple(draft.basis.legal_grounds),
        data_categories=referred,
        at=at,
        referral_id=str(record.id),
    )
    # The request is decided as its maker asked it, with the officer's approval added; the
    # officer's own right to act was checked above.
    prepared: Prepared = prepare(
        db,
        requester,
        draft,
        at=at,
        review_hours=review_hours,
        approval=approval,
        staff=record.requester,
        checked=True,
    )
    decision = prepared.decision
    if not decision.permits:
        codes = ", ".join(decision.codes)
        raise ConflictError(
            f"even with your approval the request is `{decision.outcome}` ({codes}); "
            "refuse it, or ask the requester to make a new one"
        )

    def approve_it(ctx: WriteContext) -> tuple[uuid.UUID, uuid.UUID | None, int]:
        claimed = _claim(ctx, referral_id)
        claimed.status = ReferralStatus.APPROVED.value
        claimed.decided_by = officer_id
        claimed.decided_at = at
        claimed.decision_reason = reason
        # The approval's entry names the disclosure it becomes, so re-pointing the link is seen.
        new_disclosure = uuid.uuid4()
        ledger.record(
            ctx,
            ledger.LedgerEvent(
                time=at,
                kind=EventKind.REFERRAL_APPROVED,
                actor_staff=officer_id[:128],
                actor_organisation=record.provider,
                subject=str(record.service_user_id),
                purpose=record.purpose,
                record_digest=sharing_ledger.referral_decided_digest(
                    claimed, disclosure_id=new_disclosure
                ),
                record_type=REFERRAL_RECORD,
                record_id=str(record.id),
                counterparty=record.recipient,
            ),
        )
        disclosure_id, task_id, sequence = write_disclosure(
            ctx, prepared, draft, at, referral_id=record.id, disclosure_id=new_disclosure
        )
        claimed.disclosure_id = disclosure_id
        return disclosure_id, task_id, sequence

    disclosure_id, task_id, sequence = group_commit.write(db, approve_it)
    return Outcomes(
        decision,
        decision_as_json(decision),
        str(record.service_user_id),
        disclosure_id=disclosure_id,
        referral_id=record.id,
        review_task_id=task_id,
        ledger_sequence=sequence,
    )


def refuse_referral(
    db: Database,
    requester: Requester,
    referral_id: uuid.UUID,
    *,
    reason: str,
    officer: str | None = None,
    now: datetime | None = None,
    review_hours: int = 72,
) -> ReferralView:
    """Refuse a referral with reasons; nothing is disclosed."""
    at = now_or(now)
    reason = _text(reason)
    officer_id = _officer(requester, officer)
    record = _pending(db, referral_id)
    _check_officer(db, requester, record, officer_id, at, review_hours)

    def refuse_it(ctx: WriteContext) -> None:
        claimed = _claim(ctx, referral_id)
        claimed.status = ReferralStatus.REFUSED.value
        claimed.decided_by = officer_id
        claimed.decided_at = at
        claimed.decision_reason = reason
        ledger.record(
            ctx,
            ledger.LedgerEvent(
                time=at,
                kind=EventKind.REFERRAL_REFUSED,
                actor_staff=officer_id[:128],
                actor_organisation=record.provider,
                subject=str(record.service_user_id),
                purpose=record.purpose,
                record_digest=sharing_ledger.referral_decided_digest(claimed),
                record_type=REFERRAL_RECORD,
                record_id=str(record.id),
                counterparty=record.recipient,
            ),
        )

    group_commit.write(db, refuse_it)
    return get_referral(db.unit_of_work(), requester, referral_id)
