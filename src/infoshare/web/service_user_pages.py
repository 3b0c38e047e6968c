"""The service users of the signed-in person's own party: the first pages with personal data.

The route passes who is asking to the service, which asks the policy core (Procedure B1,
Principle 7) and logs every person shown; another party's record is answered as not found.
"""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse
from starlette.responses import Response

from infoshare.api.dependencies import UnitOfWorkDep
from infoshare.services.caseload import get_own_service_user, list_own_service_users
from infoshare.web.auth import SignedInStaff, requester_of
from infoshare.web.templates import page_templates

router = APIRouter(include_in_schema=False)

PAGE_SIZE = 50


@router.get("/service-users", response_class=HTMLResponse, name="service-users")
def service_users_page(
    request: Request,
    staff: SignedInStaff,
    uow: UnitOfWorkDep,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> Response:
    page = list_own_service_users(
        uow,
        requester_of(request, staff),
        why="listed on the service users page",
        offset=offset,
        limit=PAGE_SIZE,
    )
    return page_templates().TemplateResponse(
        request, "service_users.html", {"page": page, "active": "service-users"}
    )


@router.get("/service-users/{service_user_id}", response_class=HTMLResponse)
def service_user_page(
    request: Request, staff: SignedInStaff, uow: UnitOfWorkDep, service_user_id: uuid.UUID
) -> Response:
    person = get_own_service_user(
        uow, requester_of(request, staff), service_user_id, why="opened the service user's page"
    )
    return page_templates().TemplateResponse(
        request, "service_user.html", {"person": person, "active": "service-users"}
    )
