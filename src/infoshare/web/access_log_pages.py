"""``/access-log``: who read whose personal data, and every refusal (Procedure B1).

For people holding ``access-log:read`` (designated officers, data protection officers,
administrators: their own organisation's staff and systems; the steering group: everyone).
The service decides the scope; the page shows the newest entries.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from starlette.responses import Response

from infoshare.api.dependencies import UnitOfWorkDep
from infoshare.services.access_log import audit_entries
from infoshare.web.auth import SignedInStaff, requester_of
from infoshare.web.templates import page_templates

router = APIRouter(include_in_schema=False)

SHOWN = 200


@router.get("/access-log", response_class=HTMLResponse, name="access-log")
def access_log_page(request: Request, staff: SignedInStaff, uow: UnitOfWorkDep) -> Response:
    scope, entries = audit_entries(uow, requester_of(request, staff), limit=SHOWN)
    context = {"active": "access-log", "scope": scope, "entries": entries, "shown": SHOWN}
    return page_templates().TemplateResponse(request, "access_log.html", context)
