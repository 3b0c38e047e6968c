"""``/api/v1/decisions`` and ``/api/v1/disclosures``: ask "may I share?" and share
(Principles 4–11; Procedures A4, A5, A7, B6).

``POST /decisions`` is the dry run of Procedure A7: the decision with every reason and its
clause; only the question is recorded (a ``decision:asked`` ledger entry). ``POST
/disclosures`` decides and acts in one durable write: a permit records the disclosure
(permitted items only, marked), a refer creates a referral for the provider's designated
officers, a deny records nothing disclosed. ``GET /disclosures`` lists what was disclosed to
the calling party, nothing else (Principle 7); each read is logged.

The caller is the party its API token was issued to; ``requester`` names the member of
staff making the request, who must be of that party (``disclosures:make``).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response, status
from pydantic import BaseModel, Field

from infoshare.api.dependencies import (
    ApiCaller,
    ApiCallerOnLoop,
    DatabaseDep,
    SettingsDep,
    UnitOfWorkDep,
)
from infoshare.api.problems import problem_responses
from infoshare.services.disclosures import (
    PAGE_MAX,
    DisclosureView,
    Outcomes,
    RequestDraft,
    ask,
    disclose,
    get_disclosure,
    received,
)

router = APIRouter(tags=["disclosures"])


class DecisionOut(BaseModel):
    """The decision, and what was done about it."""

    outcome: str = Field(description="`permit`, `permit_anonymised`, `refer` or `deny`")
    subject_id: str = Field(description="the service user's pseudonymous id")
    decision: dict[str, Any] = Field(
        description="permitted, referred and withheld categories, basis, conditions, reasons"
    )
    disclosure_id: uuid.UUID | None = Field(
        default=None, description="the disclosure recorded, when anything was permitted"
    )
    referral_id: uuid.UUID | None = Field(
        default=None,
        description="the referral for a designated officer (Procedure A5): of the whole "
        "request, or, when only part was permitted, of the referred part",
    )
    review_task_id: uuid.UUID | None = None
    ledger_sequence: int | None = None


class DisclosureOut(BaseModel):
    id: uuid.UUID
    made_at: datetime
    requester: str
    provider: str
    recipient: str
    recipient_role: str | None
    service_user_id: uuid.UUID
    nhs_number: str
    purpose: str
    isa_reference: str | None
    transfer_method: str
    outcome: str
    basis: str
    decision: dict[str, Any]
    items: list[dict[str, Any]]
    subject_informed: bool
    not_informed_reason: str | None
    derived_from_id: uuid.UUID | None
    referral_id: uuid.UUID | None
    police_request: dict[str, Any] | None


class DisclosurePageOut(BaseModel):
    total: int
    offset: int
    limit: int
    items: list[DisclosureOut]


def decision_out(done: Outcomes) -> DecisionOut:
    return DecisionOut(
        outcome=done.decision.outcome.value,
        subject_id=done.subject_id,
        decision=done.decision_json,
        disclosure_id=done.disclosure_id,
        referral_id=done.referral_id,
        review_task_id=done.review_task_id,
        ledger_sequence=done.ledger_sequence,
    )


def disclosure_out(view: DisclosureView) -> DisclosureOut:
    return DisclosureOut(**view.__dict__)


@router.post(
    "/decisions",
    response_model=DecisionOut,
    summary="May I share? The decision with its reasons; only the question is recorded",
    responses=problem_responses(401, 403, 404, 422),
)
def post_decision(
    draft: RequestDraft, caller: ApiCaller, database: DatabaseDep, settings: SettingsDep
) -> DecisionOut:
    return decision_out(ask(database, caller, draft, review_hours=settings.emergency_review_hours))


@router.post(
    "/disclosures",
    response_model=DecisionOut,
    status_code=status.HTTP_200_OK,
    summary="Decide and act: record the disclosure, refer it, or record the refusal",
    responses=problem_responses(401, 403, 404, 409, 422),
)
def post_disclosure(
    draft: RequestDraft, caller: ApiCallerOnLoop, database: DatabaseDep, settings: SettingsDep
) -> Response:
    done = disclose(database, caller, draft, review_hours=settings.emergency_review_hours)
    # Serialised once by pydantic, straight to JSON: returning the model would have FastAPI
    # validate it again and walk the decision's reasons through jsonable_encoder, which
    # costs more than deciding it (docs/performance.md, "HTTP").
    return Response(decision_out(done).model_dump_json(), media_type="application/json")


@router.get(
    "/disclosures",
    response_model=DisclosurePageOut,
    summary="What was disclosed to the calling party, newest first (every read logged)",
    responses=problem_responses(401, 403, 422),
)
def list_disclosures(
    caller: ApiCaller,
    uow: UnitOfWorkDep,
    nhs_number: str | None = None,
    offset: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=PAGE_MAX)] = 50,
) -> DisclosurePageOut:
    total, views = received(uow, caller, nhs_number=nhs_number, offset=offset, limit=limit)
    return DisclosurePageOut(
        total=total, offset=offset, limit=limit, items=[disclosure_out(v) for v in views]
    )


@router.get(
    "/disclosures/{disclosure_id}",
    response_model=DisclosureOut,
    summary="One disclosure, to its recipient or provider party only (the read is logged)",
    responses=problem_responses(401, 403, 404, 422),
)
def get_one_disclosure(
    disclosure_id: uuid.UUID, caller: ApiCaller, uow: UnitOfWorkDep
) -> DisclosureOut:
    return disclosure_out(get_disclosure(uow, caller, disclosure_id))
