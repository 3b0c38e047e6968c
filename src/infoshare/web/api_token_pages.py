"""``/account/api-tokens``: an administrator issues, lists and revokes their party's API tokens.

Procedure B1 for other systems. The route passes the signed-in person to the services, which
ask the policy core (``api-tokens:manage``, own organisation only) and log every refusal; a
new token is shown once, on the page that answers the form, and never again.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.responses import Response

from infoshare.api.dependencies import DatabaseDep, SettingsDep
from infoshare.errors import InputError
from infoshare.policy.access import TOKEN_PERMISSIONS
from infoshare.services.api_tokens import (
    NAME_MAX,
    IssuedToken,
    issue_api_token,
    list_api_tokens,
    revoke_api_token,
)
from infoshare.web.account_pages import CsrfField, check_form
from infoshare.web.auth import SignedInStaff, requester_of
from infoshare.web.templates import page_templates

router = APIRouter(include_in_schema=False)


def _page(
    request: Request,
    database: DatabaseDep,
    staff: SignedInStaff,
    *,
    issued: IssuedToken | None = None,
    error: str | None = None,
    name: str = "",
    status_code: int = 200,
) -> Response:
    code = staff.account.organisation_code
    tokens = list_api_tokens(database.unit_of_work(), requester_of(request, staff), code)
    context: dict[str, Any] = {
        "active": "api-tokens",
        "organisation_code": code,
        "tokens": tokens,
        "permissions": sorted(p.value for p in TOKEN_PERMISSIONS),
        "issued": issued,
        "error": error,
        "name": name,
        "name_max": NAME_MAX,
    }
    return page_templates().TemplateResponse(
        request, "api_tokens.html", context, status_code=status_code
    )


@router.get("/account/api-tokens", response_class=HTMLResponse, name="api-tokens")
def api_tokens_page(request: Request, staff: SignedInStaff, database: DatabaseDep) -> Response:
    return _page(request, database, staff)


@router.post("/account/api-tokens", response_class=HTMLResponse)
def issue_token_submit(
    request: Request,
    staff: SignedInStaff,
    settings: SettingsDep,
    database: DatabaseDep,
    name: Annotated[str, Form(max_length=NAME_MAX)] = "",
    permission: Annotated[list[str] | None, Form(max_length=64)] = None,
    csrf_token: CsrfField = "",
) -> Response:
    check_form(request, settings, database, csrf_token)
    try:
        issued = issue_api_token(
            database.unit_of_work(),
            requester_of(request, staff),
            organisation_code=staff.account.organisation_code,
            name=name,
            permissions=permission or [],
        )
    except InputError as error:
        return _page(request, database, staff, error=error.message, name=name, status_code=422)
    return _page(request, database, staff, issued=issued)


@router.post("/account/api-tokens/{token_id}/revoke")
def revoke_token_submit(
    request: Request,
    token_id: uuid.UUID,
    staff: SignedInStaff,
    settings: SettingsDep,
    database: DatabaseDep,
    csrf_token: CsrfField = "",
) -> Response:
    check_form(request, settings, database, csrf_token)
    revoke_api_token(database.unit_of_work(), requester_of(request, staff), token_id)
    return RedirectResponse("/account/api-tokens", status_code=303)
