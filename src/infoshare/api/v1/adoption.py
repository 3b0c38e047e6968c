"""``/api/v1/adoption`` and ``/api/v1/procedures``: each party's approval of the protocol
(Procedure C1) and its confirmations of the standard procedures (Procedure C3).

Reading is public (Section 4.2: who has adopted the protocol is public). Recording needs an
API token of the party concerned carrying ``agreements:manage``; the service decides.
"""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, status
from pydantic import BaseModel, ConfigDict, Field

from infoshare.api.dependencies import ApiCaller, UnitOfWorkDep
from infoshare.api.problems import problem_responses
from infoshare.services import adoption
from infoshare.services.adoption import AdoptionRow, Confirmation, ProcedureTable

router = APIRouter(tags=["adoption"])


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class AdoptionIn(_Body):
    approved_on: date
    approving_body: str = Field(description="the board, or the body it delegated to")
    minute_reference: str | None = None


class ConfirmationIn(_Body):
    organisation: str
    procedure: str = Field(description="a procedure id, e.g. `A5`")
    confirmed_by: str = Field(description="the email of the party's lead member")
    confirmed_on: date
    evidence: str = Field(description="what shows the procedure is in place")


@router.get(
    "/adoption",
    response_model=list[AdoptionRow],
    summary="Each organisation's approval of the protocol (Procedure C1)",
    responses=problem_responses(503),
)
def adoption_table(uow: UnitOfWorkDep) -> list[AdoptionRow]:
    return adoption.adoption_table(uow)


@router.post(
    "/adoption/{code}",
    response_model=AdoptionRow,
    summary="Record a party's approval of the protocol (Procedure C1)",
    responses=problem_responses(401, 403, 409, 422),
)
def record_adoption(
    code: str, body: AdoptionIn, caller: ApiCaller, uow: UnitOfWorkDep
) -> AdoptionRow:
    """A recorded approval is evidence: a different one is 409."""
    view = adoption.record_adoption(
        uow,
        code,
        approved_on=body.approved_on,
        approving_body=body.approving_body,
        minute_reference=body.minute_reference,
        requester=caller,
    )
    approval = view.adoption
    return AdoptionRow(
        organisation=view.code,
        name=view.name,
        membership=view.membership,
        approved_on=approval.approved_on if approval else None,
        approving_body=approval.approving_body if approval else None,
        minute_reference=approval.minute_reference if approval else None,
    )


@router.get(
    "/procedures",
    response_model=ProcedureTable,
    summary="Organisations × standard procedures: what each has confirmed (Procedure C3)",
    responses=problem_responses(503),
)
def procedure_table(uow: UnitOfWorkDep) -> ProcedureTable:
    return adoption.procedure_table(uow)


@router.post(
    "/procedures/confirmations",
    response_model=Confirmation,
    status_code=status.HTTP_201_CREATED,
    summary="A lead member confirms a standard procedure is in place (Procedure C3)",
    responses=problem_responses(401, 403, 409, 422),
)
def confirm_procedure(body: ConfirmationIn, caller: ApiCaller, uow: UnitOfWorkDep) -> Confirmation:
    return adoption.confirm_procedure(
        uow,
        organisation=body.organisation,
        procedure=body.procedure,
        confirmed_by=body.confirmed_by,
        confirmed_on=body.confirmed_on,
        evidence=body.evidence,
        requester=caller,
    )
