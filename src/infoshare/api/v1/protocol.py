"""``/api/v1/protocol`` and ``/api/v1/organisations``: the protocol as the public sees it.

Section 4.2 makes the protocol public, so these routes need no sign-in and return nothing
personal: the parties and supporting members (section 1.2) with their adoption (Procedure
C1), the purposes (section 2.1), the principles (section 2.3) and procedures (section 3.2).
"""

from __future__ import annotations

from fastapi import APIRouter

from infoshare.api.dependencies import UnitOfWorkDep
from infoshare.api.problems import problem_responses
from infoshare.services.protocol_overview import (
    OrganisationSummary,
    ProtocolOverview,
    protocol_overview,
    public_organisations,
)

router = APIRouter()


@router.get(
    "/protocol",
    response_model=ProtocolOverview,
    tags=["protocol"],
    summary="The protocol: partners and their adoption, purposes, principles, procedures",
    responses=problem_responses(503),
)
def get_protocol(uow: UnitOfWorkDep) -> ProtocolOverview:
    """The protocol loaded into this service, as the public home page shows it.

    503 if no protocol pack has been loaded yet.
    """
    return protocol_overview(uow)


@router.get(
    "/organisations",
    response_model=list[OrganisationSummary],
    tags=["organisations"],
    summary="The partner organisations and whether each has approved the protocol",
    responses=problem_responses(503),
)
def get_organisations(uow: UnitOfWorkDep) -> list[OrganisationSummary]:
    """Parties first, then supporting members, in the order section 1.2 lists them."""
    return public_organisations(uow)
