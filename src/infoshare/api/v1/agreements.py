"""``/api/v1/agreements``: the register of Information Sharing Agreements (Sections 1.1,
3.1, 4.4) for other systems.

Reading is public, as the protocol is (Section 4.2): an agreement names organisations, posts
and purposes, nothing about service users. Changes (import, propose, sign, activate,
review, expire, terminate, amend) need an API token whose party is concerned and which
carries ``agreements:manage``; the service decides and logs each refusal (Procedure B1).
So does the what-if, which replays recent requests (they concern people) through a version
not yet in force (``services/what_if.py``).
The lint and the lifecycle are the core's (``policy.isa_lint``, ``policy.isa_lifecycle``).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Path, Query, status
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

from infoshare.api.dependencies import ApiCaller, DatabaseDep, SettingsDep, UnitOfWorkDep
from infoshare.api.problems import problem_responses
from infoshare.services import agreements, what_if
from infoshare.services.agreement_document import agreement_pdf
from infoshare.services.agreements import AgreementDetail, AgreementSummary
from infoshare.services.what_if import WhatIfResult

router = APIRouter(prefix="/agreements", tags=["agreements"])

VersionQuery = Annotated[int | None, Query(ge=1, description="which version; default: the latest")]
AsAtQuery = Annotated[
    date | None, Query(description="judge reviews and the lint as at this date; default: today")
]
CHANGE_PROBLEMS = problem_responses(401, 403, 404, 409, 422)


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class AgreementFileIn(_Body):
    file_name: str = Field(
        min_length=1, max_length=200, description="a name for the file, used in problems"
    )
    yaml: str = Field(
        min_length=1, max_length=1_000_000, description="the agreement, as docs/agreements.md"
    )


class SignatureIn(_Body):
    organisation: str = Field(description="the party signing, by code")
    name: str
    post: str
    signed_on: date


class ReviewIn(_Body):
    reviewed_on: date
    next_review: date


class TerminationIn(_Body):
    reason: str = Field(description="why it ends early; kept in its history")


class AmendmentIn(_Body):
    dated: date
    summary: str = Field(description="what the amendment changes, in a sentence")


@router.get(
    "",
    response_model=list[AgreementSummary],
    summary="The register: the latest version of each agreement, or every version",
    responses=problem_responses(422, 503),
)
def list_agreements(
    uow: UnitOfWorkDep,
    party: Annotated[str | None, Query(description="an organisation code")] = None,
    agreement_status: Annotated[str | None, Query(alias="status")] = None,
    review_due: Annotated[bool | None, Query(description="due for review (4.4)")] = None,
    all_versions: bool = False,
    as_at: AsAtQuery = None,
) -> list[AgreementSummary]:
    """Filter by party, status and whether the review is due (Section 4.4)."""
    return agreements.list_agreements(
        uow,
        party=party,
        status=agreement_status,
        review_due=review_due,
        all_versions=all_versions,
        today=as_at,
    )


@router.post(
    "",
    response_model=AgreementSummary,
    status_code=status.HTTP_201_CREATED,
    summary="Import an agreement written in YAML (as a draft or proposed)",
    responses=CHANGE_PROBLEMS,
)
def import_agreement(
    body: AgreementFileIn, caller: ApiCaller, uow: UnitOfWorkDep
) -> AgreementSummary:
    """A bad file is 422 `invalid-agreement` with one entry in `errors` per problem."""
    return agreements.import_agreement(uow, body.yaml, body.file_name, requester=caller)


@router.get(
    "/{reference}",
    response_model=AgreementDetail,
    summary="One version with its lint findings and history",
    responses=problem_responses(404, 422, 503),
)
def get_agreement(
    reference: str, uow: UnitOfWorkDep, version: VersionQuery = None, as_at: AsAtQuery = None
) -> AgreementDetail:
    return agreements.get_agreement(uow, reference, version, today=as_at)


@router.get(
    "/{reference}/yaml",
    response_class=Response,
    summary="One version as YAML, as `infoshare isa import` reads it",
    responses={200: {"content": {"application/yaml": {}}}, **problem_responses(404, 422)},
)
def export_agreement(reference: str, uow: UnitOfWorkDep, version: VersionQuery = None) -> Response:
    text = agreements.export_agreement(uow, reference, version)
    return Response(text, media_type="application/yaml; charset=utf-8")


@router.get(
    "/{reference}/document.pdf",
    response_class=Response,
    summary="One version as the signed document, in PDF",
    responses={200: {"content": {"application/pdf": {}}}, **problem_responses(404, 422)},
)
def agreement_document(
    reference: str, uow: UnitOfWorkDep, version: VersionQuery = None
) -> Response:
    pdf = agreement_pdf(uow, reference, version)
    name = f"{reference}-v{version}.pdf" if version else f"{reference}.pdf"
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{name}"'},
    )


@router.post(
    "/{reference}/propose",
    response_model=AgreementSummary,
    summary="Send a draft to the parties for signature",
    responses=CHANGE_PROBLEMS,
)
def propose(
    reference: str, caller: ApiCaller, uow: UnitOfWorkDep, version: VersionQuery = None
) -> AgreementSummary:
    return agreements.propose(uow, reference, version, requester=caller)


@router.post(
    "/{reference}/sign",
    response_model=AgreementSummary,
    summary="A party signs; the agreement is signed once every party has",
    responses=CHANGE_PROBLEMS,
)
def sign(
    reference: str,
    body: SignatureIn,
    caller: ApiCaller,
    uow: UnitOfWorkDep,
    version: VersionQuery = None,
) -> AgreementSummary:
    """Signing twice for a party is 409 `agreement-state`."""
    return agreements.sign(
        uow,
        reference,
        organisation=body.organisation,
        name=body.name,
        post=body.post,
        signed_on=body.signed_on,
        version=version,
        requester=caller,
    )


@router.post(
    "/{reference}/activate",
    response_model=AgreementSummary,
    summary="Put a signed agreement in force, if the lint finds no error",
    responses=CHANGE_PROBLEMS,
)
def activate(
    reference: str,
    caller: ApiCaller,
    uow: UnitOfWorkDep,
    version: VersionQuery = None,
    as_at: AsAtQuery = None,
) -> AgreementSummary:
    """Refused with 409 `agreement-not-ready`, each lint error and unsigned party in `errors`."""
    return agreements.activate(uow, reference, version, today=as_at, requester=caller)


@router.post(
    "/{reference}/review-due",
    response_model=AgreementSummary,
    summary="Flag an agreement in force whose review date has come",
    responses=CHANGE_PROBLEMS,
)
def mark_review_due(
    reference: str,
    caller: ApiCaller,
    uow: UnitOfWorkDep,
    version: VersionQuery = None,
    as_at: AsAtQuery = None,
) -> AgreementSummary:
    return agreements.mark_review_due(uow, reference, version, today=as_at, requester=caller)


@router.post(
    "/{reference}/review",
    response_model=AgreementSummary,
    summary="Record a review that changed nothing, and the next review date",
    responses=CHANGE_PROBLEMS,
)
def record_review(
    reference: str,
    body: ReviewIn,
    caller: ApiCaller,
    uow: UnitOfWorkDep,
    version: VersionQuery = None,
) -> AgreementSummary:
    return agreements.record_review(
        uow,
        reference,
        reviewed_on=body.reviewed_on,
        next_review=body.next_review,
        version=version,
        requester=caller,
    )


@router.post(
    "/{reference}/expire",
    response_model=AgreementSummary,
    summary="End an agreement in force whose end date has passed",
    responses=CHANGE_PROBLEMS,
)
def expire(
    reference: str,
    caller: ApiCaller,
    uow: UnitOfWorkDep,
    version: VersionQuery = None,
    as_at: AsAtQuery = None,
) -> AgreementSummary:
    return agreements.expire(uow, reference, version, today=as_at, requester=caller)


@router.post(
    "/{reference}/terminate",
    response_model=AgreementSummary,
    summary="End a version early, or abandon one never in force",
    responses=CHANGE_PROBLEMS,
)
def terminate(
    reference: str,
    body: TerminationIn,
    caller: ApiCaller,
    uow: UnitOfWorkDep,
    version: VersionQuery = None,
) -> AgreementSummary:
    return agreements.terminate(uow, reference, version, reason=body.reason, requester=caller)


@router.post(
    "/{reference}/amend",
    response_model=AgreementSummary,
    status_code=status.HTTP_201_CREATED,
    summary="Start the next version as an unsigned draft",
    responses=CHANGE_PROBLEMS,
)
def amend(
    reference: str, body: AmendmentIn, caller: ApiCaller, uow: UnitOfWorkDep
) -> AgreementSummary:
    return agreements.amend(
        uow, reference, dated=body.dated, summary=body.summary, requester=caller
    )


@router.get(
    "/{reference}/versions/{version}/what-if",
    response_model=WhatIfResult,
    summary="What a version not yet in force would change: recent requests replayed",
    responses=problem_responses(401, 403, 404, 409, 422),
)
def what_if_replay(
    reference: str,
    version: Annotated[int, Path(ge=1)],
    caller: ApiCaller,
    database: DatabaseDep,
    settings: SettingsDep,
    days: Annotated[
        int, Query(ge=1, le=what_if.MAX_DAYS, description="how many days back to replay")
    ] = what_if.DEFAULT_DAYS,
) -> WhatIfResult:
    """The stored requests of the last `days` days that named the agreement, decided under the
    agreements in force and with this version in place of its reference's; only the changed
    decisions, each category's move and both decisions' reasons. A version in force is `409`
    `agreement-state`."""
    return what_if.what_if(
        database,
        reference,
        version,
        days=days,
        requester=caller,
        review_hours=settings.emergency_review_hours,
    )
