"""``/api/v1/consents`` and ``/api/v1/capacity-assessments``: consent as Procedure A3 records it.

Create a consent (or a refusal: ``decision = refused``), read one, list a service user's
whole history, withdraw one, record a capacity or competence assessment (Procedure A2), ask
the coverage check of Procedure A4 (read-only), and get the service user's consent receipt
(ISO/IEC TS 27560's structure). Every rule is the consent core's, through
``infoshare.services.consent``; bad input is a 422 problem naming the field, and nothing is
stored. Principle 5 and Procedures A1–A4.

Every route needs an API token (``Authorization: Bearer``, Procedure B1): recording needs
``consent:record`` for the token's own party, reading needs ``service-users:read`` over a
person the party holds; every read is logged, another party's person is answered 404.
"""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Query, status
from pydantic import BaseModel, Field

from infoshare.api.dependencies import ApiCaller, UnitOfWorkDep
from infoshare.api.problems import problem_responses
from infoshare.policy.consent import ConsentCoverage
from infoshare.services.capacity import record_capacity_assessment
from infoshare.services.consent import (
    CapacityDraft,
    CapacityView,
    ConsentDraft,
    ConsentView,
    CoverageQuery,
    SubjectConsents,
    WithdrawalDraft,
    check_coverage,
    consent_history,
    get_consent,
    receipt,
    record_consent,
    withdraw_consent,
)

router = APIRouter(tags=["consent"])


class ReasonOut(BaseModel):
    code: str = Field(description="a stable reason code, e.g. `consent-withdrawn`")
    clause: str = Field(description="the clause it applies, e.g. `Procedure A4`")
    message: str
    refs: list[str] = Field(description="the consent or assessment ids it rests on")


class CategoryOut(BaseModel):
    category: str
    covered: bool
    covered_by: list[str]
    reasons: list[ReasonOut] = Field(description="the finding first, most specific first")


class CoverageOut(BaseModel):
    """The answer of the consent check (Procedure A4)."""

    recipient: str
    purpose: str
    at: str
    all_covered: bool
    covered: list[str]
    not_covered: list[str]
    refusal_applies: bool = Field(
        description="an explicit refusal applies: only Procedure A5 can override it"
    )
    refused_by: list[str]
    categories: list[CategoryOut]


def coverage_out(coverage: ConsentCoverage) -> CoverageOut:
    return CoverageOut(
        recipient=coverage.query.recipient,
        purpose=coverage.query.purpose,
        at=coverage.query.at.isoformat(),
        all_covered=coverage.all_covered,
        covered=list(coverage.covered),
        not_covered=list(coverage.not_covered),
        refusal_applies=coverage.refusal_applies,
        refused_by=list(coverage.refused_by),
        categories=[
            CategoryOut(
                category=c.category,
                covered=c.covered,
                covered_by=list(c.covered_by),
                reasons=[
                    ReasonOut(
                        code=str(r.code), clause=r.clause, message=r.message, refs=list(r.refs)
                    )
                    for r in c.reasons
                ],
            )
            for c in coverage.categories
        ],
    )


@router.post(
    "/consents",
    response_model=ConsentView,
    status_code=status.HTTP_201_CREATED,
    summary="Record a consent given or refused (Procedure A3)",
    responses=problem_responses(401, 403, 422, 503),
)
def create_consent(draft: ConsentDraft, uow: UnitOfWorkDep, caller: ApiCaller) -> ConsentView:
    """Record one decision, as Appendix 4's form records it. A refusal is recorded the same
    way with `decision: refused`. 422 naming the field for an invalid NHS number, an unknown
    purpose, category or organisation, a validity ending before it starts, an `obtained_at`
    in the future, a representative without authority; nothing is stored."""
    return record_consent(uow, draft, requester=caller)


@router.get(
    "/consents",
    response_model=SubjectConsents,
    summary="A service user's consent history: every record, withdrawals and assessments",
    responses=problem_responses(401, 403, 404, 422, 503),
)
def list_consents(
    uow: UnitOfWorkDep,
    caller: ApiCaller,
    nhs_number: str = Query(description="the service user's NHS number"),
) -> SubjectConsents:
    """Oldest first; each record with its status now, its withdrawal and what superseded it."""
    return consent_history(uow, nhs_number, requester=caller, why="listed through the API")


@router.post(
    "/consents/coverage",
    response_model=CoverageOut,
    summary="Check consent for a proposed sharing (Procedure A4); changes nothing",
    responses=problem_responses(401, 403, 404, 422, 503),
)
def coverage(query: CoverageQuery, uow: UnitOfWorkDep, caller: ApiCaller) -> CoverageOut:
    """Which consent covers which category for this recipient, purpose and moment, and for
    each category not covered, why not, each reason citing its clause. Read-only: a POST
    only so the NHS number travels in the body, not the URL."""
    return coverage_out(check_coverage(uow, query, requester=caller))


@router.get(
    "/consents/{consent_id}",
    response_model=ConsentView,
    summary="One consent record",
    responses=problem_responses(401, 403, 404, 422, 503),
)
def read_consent(consent_id: uuid.UUID, uow: UnitOfWorkDep, caller: ApiCaller) -> ConsentView:
    return get_consent(uow, consent_id, requester=caller, why="read through the API")


@router.post(
    "/consents/{consent_id}/withdrawal",
    response_model=ConsentView,
    summary="Withdraw a consent: it covers nothing from the withdrawal's moment on",
    responses=problem_responses(401, 403, 404, 422, 503),
)
def withdraw(
    consent_id: uuid.UUID, draft: WithdrawalDraft, uow: UnitOfWorkDep, caller: ApiCaller
) -> ConsentView:
    """Recorded once: withdrawing again is a 422 `already-withdrawn`. The past is kept."""
    return withdraw_consent(uow, consent_id, draft, requester=caller)


@router.get(
    "/consents/{consent_id}/receipt",
    summary="The service user's consent receipt (ISO/IEC TS 27560 structure)",
    responses=problem_responses(401, 403, 404, 422, 503),
)
def consent_receipt(consent_id: uuid.UUID, uow: UnitOfWorkDep, caller: ApiCaller) -> dict[str, Any]:
    """The receipt as the record stands now: given, refused, withdrawn, expired or superseded."""
    return receipt(uow, consent_id, requester=caller)


@router.post(
    "/capacity-assessments",
    response_model=CapacityView,
    status_code=status.HTTP_201_CREATED,
    summary="Record a capacity or competence assessment for one decision (Procedure A2)",
    responses=problem_responses(401, 403, 422, 503),
)
def create_capacity_assessment(
    draft: CapacityDraft, uow: UnitOfWorkDep, caller: ApiCaller
) -> CapacityView:
    return record_capacity_assessment(uow, draft, requester=caller)
