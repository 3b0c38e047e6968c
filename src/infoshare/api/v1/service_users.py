"""``/api/v1/service-users``: another system reads its own party's service users (Procedure B1).

The caller is the party its API token was issued to; the token must hold
``service-users:read``. As on the pages, only the party's own service users are returned,
each read is logged, and another party's record is answered 404.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field

from infoshare.api.dependencies import ApiCaller, UnitOfWorkDep
from infoshare.api.problems import problem_responses
from infoshare.services.caseload import (
    PAGE_SIZE_MAX,
    ServiceUserDetail,
    ServiceUserSummary,
    get_own_service_user,
    list_own_service_users,
)

router = APIRouter()


class ServiceUserOut(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: uuid.UUID
    nhs_number: str = Field(description="ten digits, no spaces")
    given_name: str
    family_name: str
    date_of_birth: date | None
    local_identifier: str = Field(description="the calling party's own identifier for the person")


class ServiceUserDetailOut(ServiceUserOut):
    postcode: str | None
    organisation_code: str


class ServiceUserPageOut(BaseModel):
    organisation_code: str
    total: int
    offset: int
    limit: int
    items: list[ServiceUserOut]


def _out(item: ServiceUserSummary) -> ServiceUserOut:
    return ServiceUserOut(**item.__dict__)


@router.get(
    "/service-users",
    response_model=ServiceUserPageOut,
    tags=["service-users"],
    summary="The calling party's service users, one page at a time (every read logged)",
    responses=problem_responses(401, 403, 422),
)
def list_service_users(
    caller: ApiCaller,
    uow: UnitOfWorkDep,
    offset: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=PAGE_SIZE_MAX)] = 50,
) -> ServiceUserPageOut:
    page = list_own_service_users(
        uow, caller, why="listed through the API", offset=offset, limit=limit
    )
    return ServiceUserPageOut(
        organisation_code=page.organisation_code,
        total=page.total,
        offset=page.offset,
        limit=page.limit,
        items=[_out(i) for i in page.items],
    )


@router.get(
    "/service-users/{service_user_id}",
    response_model=ServiceUserDetailOut,
    tags=["service-users"],
    summary="One service user of the calling party (the read is logged)",
    responses=problem_responses(401, 403, 404, 422),
)
def get_service_user(
    caller: ApiCaller, uow: UnitOfWorkDep, service_user_id: uuid.UUID
) -> ServiceUserDetailOut:
    detail: ServiceUserDetail = get_own_service_user(
        uow, caller, service_user_id, why="read through the API"
    )
    return ServiceUserDetailOut(**detail.__dict__)
