"""``/api/v1/referrals`` and ``/api/v1/emergency-reviews``: what waits for a designated
officer (Principle 6, Procedure A5).

A referral is a request to share without consent that a designated officer of the provider
must approve or refuse, with reasons; approval decides it again and records the disclosure.
An emergency review follows every disclosure made in the person's vital interests and is
overdue after ``INFOSHARE_EMERGENCY_REVIEW_HOURS``. Another system acts for its party with a
token holding ``disclosures:make`` and names the officer deciding (``officer``), who must be
a designated officer of that party and not the one who made the request; a referral already
decided is a 409.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from infoshare.api.dependencies import ApiCaller, DatabaseDep, SettingsDep, UnitOfWorkDep
from infoshare.api.problems import problem_responses
from infoshare.api.v1.decisions import DecisionOut, decision_out
from infoshare.services.emergencies import (
    ReviewOutcome,
    ReviewTaskView,
    complete_review,
    review_tasks,
)
from infoshare.services.referrals import (
    ReferralStatus,
    ReferralView,
    approve,
    get_referral,
    list_referrals,
    refuse_referral,
)

router = APIRouter(tags=["referrals"])


class ReferralOut(BaseModel):
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


class OfficerDecisionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    officer: str = Field(description="the designated officer deciding (their email)")
    reason: str = Field(description="why, in the officer's words (Procedure A5)")


class ReviewIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    officer: str
    outcome: ReviewOutcome
    notes: str


class ReviewTaskOut(BaseModel):
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


def _referral(view: ReferralView) -> ReferralOut:
    return ReferralOut(**view.__dict__)


def _task(view: ReviewTaskView) -> ReviewTaskOut:
    return ReviewTaskOut(**view.__dict__)


@router.get(
    "/referrals",
    response_model=list[ReferralOut],
    summary="Referrals of the calling party awaiting (or given) a designated officer's decision",
    responses=problem_responses(401, 403, 422),
)
def get_referrals(
    caller: ApiCaller, uow: UnitOfWorkDep, status: ReferralStatus | None = ReferralStatus.PENDING
) -> list[ReferralOut]:
    return [_referral(r) for r in list_referrals(uow, caller, status=status)]


@router.get(
    "/referrals/{referral_id}",
    response_model=ReferralOut,
    summary="One referral, to its provider party",
    responses=problem_responses(401, 404, 422),
)
def get_one_referral(referral_id: uuid.UUID, caller: ApiCaller, uow: UnitOfWorkDep) -> ReferralOut:
    return _referral(get_referral(uow, caller, referral_id))


@router.post(
    "/referrals/{referral_id}/approve",
    response_model=DecisionOut,
    summary="Approve: decide again with the approval and record the disclosure",
    responses=problem_responses(401, 403, 404, 409, 422),
)
def post_approve(
    referral_id: uuid.UUID,
    body: OfficerDecisionIn,
    caller: ApiCaller,
    database: DatabaseDep,
    settings: SettingsDep,
) -> DecisionOut:
    return decision_out(
        approve(
            database,
            caller,
            referral_id,
            reason=body.reason,
            officer=body.officer,
            review_hours=settings.emergency_review_hours,
        )
    )


@router.post(
    "/referrals/{referral_id}/refuse",
    response_model=ReferralOut,
    summary="Refuse, with reasons; nothing is disclosed",
    responses=problem_responses(401, 403, 404, 409, 422),
)
def post_refuse(
    referral_id: uuid.UUID,
    body: OfficerDecisionIn,
    caller: ApiCaller,
    database: DatabaseDep,
    settings: SettingsDep,
) -> ReferralOut:
    return _referral(
        refuse_referral(
            database,
            caller,
            referral_id,
            reason=body.reason,
            officer=body.officer,
            review_hours=settings.emergency_review_hours,
        )
    )


@router.get(
    "/emergency-reviews",
    response_model=list[ReviewTaskOut],
    summary="Emergency disclosures of the calling party awaiting review, due first",
    responses=problem_responses(401, 403),
)
def get_reviews(caller: ApiCaller, uow: UnitOfWorkDep) -> list[ReviewTaskOut]:
    return [_task(t) for t in review_tasks(uow, caller)]


@router.post(
    "/emergency-reviews/{task_id}",
    response_model=ReviewTaskOut,
    summary="Record a designated officer's review of an emergency disclosure",
    responses=problem_responses(401, 403, 404, 409, 422),
)
def post_review(
    task_id: uuid.UUID,
    body: ReviewIn,
    caller: ApiCaller,
    database: DatabaseDep,
    settings: SettingsDep,
) -> ReviewTaskOut:
    return _task(
        complete_review(
            database,
            caller,
            task_id,
            outcome=body.outcome,
            notes=body.notes,
            officer=body.officer,
            review_hours=settings.emergency_review_hours,
        )
    )
