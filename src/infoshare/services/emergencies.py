"""Emergency disclosures and their review (Procedure A5: the person's vital interests).

A practitioner who states why it cannot wait may share at once; ``decide()`` then asks for
a review task, and ``services/disclosures.py`` creates it with the disclosure, due after
``INFOSHARE_EMERGENCY_REVIEW_HOURS`` (72 by default). Here a designated officer of the
provider lists the tasks of their party (overdue ones shown as such until reviewed) and
records the review: upheld, or not upheld (then it is a matter for Procedure C5). Each
review is a ``emergency:reviewed`` ledger entry in the same write.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import select

from infoshare.errors import ConflictError, InputError, NotFoundError
from infoshare.ledger.events import EventKind
from infoshare.ledger.events import Outcome as LedgerOutcome
from infoshare.policy.access import Permission, authorize
from infoshare.policy.compile import DESIGNATED_OFFICER
from infoshare.services import group_commit, ledger, sharing_ledger
from infoshare.services.access_log import Requester, RequesterKind, refuse
from infoshare.services.clock import now_or
from infoshare.services.policy_cache import current_policy
from infoshare.store.database import Database
from infoshare.store.models import DisclosureRecord, ReviewTaskRecord
from infoshare.store.unit_of_work import UnitOfWork
from infoshare.store.writer import WriteContext

REVIEW_RECORD = sharing_ledger.REVIEW_RECORD


class ReviewOutcome(StrEnum):
    #: the emergency was real and the disclosure proportionate
    UPHELD = "upheld"
    #: it was not: a breach to follow up under Procedure C5
    NOT_UPHELD = "not-upheld"


@dataclass(frozen=True)
class ReviewTaskView:
    id: uuid.UUID
    disclosure_id: uuid.UUID
    organisation: str
    created_at: datetime
    due_at: datetime
    overdue: bool
    requester: str
    recipient: str
    purpose: str
    emergency_reason: str
    reviewed_by: str | None
    reviewed_at: datetime | None
    review_outcome: str | None
    review_notes: str | None


def _view(task: ReviewTaskRecord, disclosure: DisclosureRecord, at: datetime) -> ReviewTaskView:
    basis = disclosure.decision.get("basis") or {}
    return ReviewTaskView(
        id=task.id,
        disclosure_id=task.disclosure_id,
        organisation=task.organisation,
        created_at=task.created_at,
        due_at=task.due_at,
        overdue=task.reviewed_at is None and at >= task.due_at,
        requester=disclosure.requester,
        recipient=disclosure.recipient,
        purpose=disclosure.purpose,
        emergency_reason=str(basis.get("emergency_reason") or ""),
        reviewed_by=task.reviewed_by,
        reviewed_at=task.reviewed_at,
        review_outcome=task.review_outcome,
        review_notes=task.review_notes,
    )


def _permission(requester: Requester) -> Permission:
    if requester.kind is RequesterKind.STAFF:
        return Permission.REFERRALS_APPROVE
    return Permission.DISCLOSURES_MAKE


def review_tasks(
    uow: UnitOfWork,
    requester: Requester,
    *,
    open_only: bool = True,
    now: datetime | None = None,
) -> list[ReviewTaskView]:
    """The emergency review tasks of the requester's party, due first."""
    at = now_or(now)
    party = requester.organisation_code
    with uow:
        session = uow.session
        access = authorize(requester.actor, _permission(requester), party)
        if not access.allowed:
            error = refuse(session, requester, access, what="emergency reviews", at=at)
            uow.commit()
            raise error
        query = (
            select(ReviewTaskRecord, DisclosureRecord)
            .join(DisclosureRecord, DisclosureRecord.id == ReviewTaskRecord.disclosure_id)
            .where(ReviewTaskRecord.organisation == party)
            .order_by(ReviewTaskRecord.due_at, ReviewTaskRecord.id)
        )
        if open_only:
            query = query.where(ReviewTaskRecord.reviewed_at.is_(None))
        return [_view(t, d, at) for t, d in session.execute(query).all()]


def check_may_review(db: Database, requester: Requester, *, now: datetime | None = None) -> None:
    """Refuse (logged, 403) unless ``requester``'s roles allow reviewing emergencies at all.

    Asked before the review's fields are read (Procedure B1: authorization before input);
    the task's party and the officer are checked with the review (``complete_review``).
    """
    access = authorize(requester.actor, _permission(requester), requester.organisation_code)
    if access.allowed:
        return
    uow = db.unit_of_work()
    with uow:
        error = refuse(uow.session, requester, access, what="emergency review", at=now_or(now))
        uow.commit()
    raise error


def complete_review(
    db: Database,
    requester: Requester,
    task_id: uuid.UUID,
    *,
    outcome: ReviewOutcome,
    notes: str,
    officer: str | None = None,
    now: datetime | None = None,
    review_hours: int = 72,
) -> ReviewTaskView:
    """Record a designated officer's review of an emergency disclosure."""
    at = now_or(now)
    check_may_review(db, requester, now=at)
    notes = notes.strip()
    if not notes:
        raise InputError("say what the review found (Procedure A5)", field="notes")
    officer_id = requester.name if requester.kind is RequesterKind.STAFF else (officer or "")
    officer_id = officer_id.strip().lower()
    with db.unit_of_work().reading() as uow:
        task = uow.session.get(ReviewTaskRecord, task_id)
        if task is None:
            raise NotFoundError(f"no review task `{task_id}`; check the link")
        organisation = task.organisation
    policy, _ = current_policy(db, review_hours=review_hours)
    entry = policy.staff.get(officer_id)
    access = authorize(requester.actor, _permission(requester), organisation)
    if access.allowed and (
        entry is None
        or DESIGNATED_OFFICER not in entry.roles
        or entry.organisation != organisation
        or not entry.active
    ):
        access = authorize(None, Permission.REFERRALS_APPROVE)
    if not access.allowed:
        uow = db.unit_of_work()
        with uow:
            error = refuse(uow.session, requester, access, what="emergency review", at=at)
            uow.commit()
        raise error

    def review(ctx: WriteContext) -> uuid.UUID:
        claimed = ctx.session.scalars(
            select(ReviewTaskRecord).where(ReviewTaskRecord.id == task_id).with_for_update()
        ).one()
        if claimed.reviewed_at is not None:
            raise ConflictError(f"review task `{task_id}` was already reviewed")
        disclosure = ctx.session.get(DisclosureRecord, claimed.disclosure_id)
        assert disclosure is not None  # the foreign key guarantees it
        claimed.reviewed_by = officer_id
        claimed.reviewed_at = at
        claimed.review_outcome = outcome.value
        claimed.review_notes = notes
        ledger.record(
            ctx,
            ledger.LedgerEvent(
                time=at,
                kind=EventKind.EMERGENCY_REVIEWED,
                actor_staff=officer_id[:128],
                actor_organisation=organisation,
                outcome=(
                    LedgerOutcome.SUCCESS
                    if outcome is ReviewOutcome.UPHELD
                    else LedgerOutcome.FAILURE
                ),
                subject=str(disclosure.service_user_id),
                purpose=disclosure.purpose,
                reason=outcome.value,
                record_digest=sharing_ledger.review_digest(claimed),
                record_type=REVIEW_RECORD,
                record_id=str(task_id),
                counterparty=disclosure.recipient,
            ),
        )
        return claimed.id

    group_commit.write(db, review)
    with db.unit_of_work().reading() as uow:
        task = uow.session.get(ReviewTaskRecord, task_id)
        disclosure = uow.session.get(DisclosureRecord, task.disclosure_id) if task else None
        assert task is not None
        assert disclosure is not None
        return _view(task, disclosure, at)
