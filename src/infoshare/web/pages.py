"""The public pages: the protocol's home page (section 4.2: available to service users,
carers and the public, with no sign-in).
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from starlette.responses import Response

from infoshare.api.dependencies import UnitOfWorkDep
from infoshare.services.protocol_overview import protocol_overview
from infoshare.web.auth import OptionalStaff
from infoshare.web.templates import page_templates

router = APIRouter(include_in_schema=False)


@router.get("/", response_class=HTMLResponse, name="home")
def home(request: Request, uow: UnitOfWorkDep, _staff: OptionalStaff) -> Response:
    overview = protocol_overview(uow)
    return page_templates().TemplateResponse(
        request, "home.html", {"overview": overview, "active": "home"}
    )
