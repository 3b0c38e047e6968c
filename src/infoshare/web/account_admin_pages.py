"""``/accounts``: an administrator manages their organisation's sign-in accounts (Procedure B1).

List, create (with a first-sign-in link), change roles, disable and enable, reset a second
factor, issue a password link; and ``/account/set-password/{token}``, where the person sets
their password through that link. Routes pass the signed-in person to
``services/account_admin.py``, which asks the policy core and logs every refusal; each form
carries its anti-forgery token. A new link is shown once, on the page answering the form.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse
from starlette.responses import Response

from infoshare.api.dependencies import DatabaseDep, SettingsDep
from infoshare.errors import ConflictError, InputError, NotFoundError
from infoshare.services.account_admin import (
    EMAIL_MAX,
    JOB_TITLE_MAX,
    LINK_TOKEN_MAX,
    NAME_MAX,
    IssuedLink,
    assignable_roles,
    change_roles,
    create_staff_account,
    get_managed_account,
    issue_password_link,
    link_holder,
    list_accounts,
    reset_second_factor,
    set_disabled,
    use_password_link,
)
from infoshare.services.accounts import PASSWORD_MAX, PASSWORD_MIN, AccountView
from infoshare.web import csrf
from infoshare.web.account_pages import CsrfField, check_form
from infoshare.web.auth import SignedInStaff, requester_of
from infoshare.web.cookies import CSRF_COOKIE, set_cookie
from infoshare.web.templates import page_templates

router = APIRouter(include_in_schema=False)

#: form fields may be longer than the service allows, so the service can say precisely why
SLACK = 4
RolesField = Annotated[list[str] | None, Form(max_length=64)]


def _render(request: Request, template: str, context: dict[str, Any], status: int) -> Response:
    return page_templates().TemplateResponse(request, template, context, status_code=status)


def _list_page(
    request: Request,
    database: DatabaseDep,
    staff: SignedInStaff,
    *,
    issued: IssuedLink | None = None,
    error: str | None = None,
    form: dict[str, Any] | None = None,
    status_code: int = 200,
) -> Response:
    requester = requester_of(request, staff)
    accounts = list_accounts(database.unit_of_work(), requester)
    context: dict[str, Any] = {
        "active": "accounts",
        "organisation_code": staff.account.organisation_code,
        "accounts": accounts,
        "roles": assignable_roles(database.unit_of_work()),
        "issued": issued,
        "error": error,
        "form": form or {"name": "", "email": "", "job_title": "", "roles": []},
        "limits": {"name": NAME_MAX, "email": EMAIL_MAX, "job_title": JOB_TITLE_MAX},
    }
    return _render(request, "account_admin.html", context, status_code)


@router.get("/accounts", response_class=HTMLResponse, name="accounts")
def accounts_page(request: Request, staff: SignedInStaff, database: DatabaseDep) -> Response:
    return _list_page(request, database, staff)


@router.post("/accounts", response_class=HTMLResponse)
def create_account_submit(
    request: Request,
    staff: SignedInStaff,
    settings: SettingsDep,
    database: DatabaseDep,
    name: Annotated[str, Form(max_length=NAME_MAX * SLACK)] = "",
    email: Annotated[str, Form(max_length=EMAIL_MAX * SLACK)] = "",
    job_title: Annotated[str, Form(max_length=JOB_TITLE_MAX * SLACK)] = "",
    role: RolesField = None,
    administrator: Annotated[str, Form(max_length=8)] = "",
    csrf_token: CsrfField = "",
) -> Response:
    check_form(request, settings, database, csrf_token)
    roles = role or []
    try:
        issued = create_staff_account(
            database.unit_of_work(),
            requester_of(request, staff),
            name=name,
            email=email,
            job_title=job_title,
            roles=roles,
            administrator=administrator == "yes",
        )
    except (InputError, ConflictError) as error:
        form = {"name": name, "email": email, "job_title": job_title, "roles": roles}
        status = 409 if isinstance(error, ConflictError) else 422
        return _list_page(
            request, database, staff, error=error.message, form=form, status_code=status
        )
    return _list_page(request, database, staff, issued=issued)


def _detail_page(
    request: Request,
    database: DatabaseDep,
    staff: SignedInStaff,
    account: AccountView,
    *,
    issued: IssuedLink | None = None,
    notice: str | None = None,
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    context: dict[str, Any] = {
        "active": "accounts",
        "managed": account,
        "roles": assignable_roles(database.unit_of_work()),
        "issued": issued,
        "notice": notice,
        "error": error,
        "is_self": account.email == staff.account.email,
    }
    return _render(request, "account_admin_detail.html", context, status_code)


@router.get("/accounts/{account_id}", response_class=HTMLResponse, name="managed-account")
def managed_account_page(
    request: Request, account_id: uuid.UUID, staff: SignedInStaff, database: DatabaseDep
) -> Response:
    requester = requester_of(request, staff)
    account = get_managed_account(database.unit_of_work(), requester, account_id)
    return _detail_page(request, database, staff, account)


@router.post("/accounts/{account_id}/roles", response_class=HTMLResponse)
def change_roles_submit(
    request: Request,
    account_id: uuid.UUID,
    staff: SignedInStaff,
    settings: SettingsDep,
    database: DatabaseDep,
    role: RolesField = None,
    administrator: Annotated[str, Form(max_length=8)] = "",
    csrf_token: CsrfField = "",
) -> Response:
    check_form(request, settings, database, csrf_token)
    requester = requester_of(request, staff)
    try:
        account = change_roles(
            database.unit_of_work(),
            requester,
            account_id,
            roles=role or [],
            administrator=administrator == "yes",
        )
    except InputError as error:
        account = get_managed_account(database.unit_of_work(), requester, account_id)
        return _detail_page(request, database, staff, account, error=error.message, status_code=422)
    notice = "Roles saved. The person's sessions have ended; the new roles apply when they sign in."
    return _detail_page(request, database, staff, account, notice=notice)


def _action(
    request: Request,
    account_id: uuid.UUID,
    staff: SignedInStaff,
    settings: SettingsDep,
    database: DatabaseDep,
    csrf_token: str,
    what: str,
) -> Response:
    check_form(request, settings, database, csrf_token)
    requester = requester_of(request, staff)
    uow = database.unit_of_work()
    issued = None
    try:
        if what == "disable":
            account = set_disabled(uow, requester, account_id, True)
            notice = "The account is disabled and every session it had has ended."
        elif what == "enable":
            account = set_disabled(uow, requester, account_id, False)
            notice = "The account is enabled: the person can sign in again."
        elif what == "reset-second-factor":
            account = reset_second_factor(uow, requester, account_id)
            notice = "The second factor is reset; the person sets up a new one at next sign-in."
        else:
            issued = issue_password_link(uow, requester, account_id)
            account, notice = issued.account, None
    except InputError as error:
        account = get_managed_account(database.unit_of_work(), requester, account_id)
        return _detail_page(request, database, staff, account, error=error.message, status_code=422)
    return _detail_page(request, database, staff, account, issued=issued, notice=notice)


@router.post("/accounts/{account_id}/disable", response_class=HTMLResponse)
def disable_submit(
    request: Request,
    account_id: uuid.UUID,
    staff: SignedInStaff,
    settings: SettingsDep,
    database: DatabaseDep,
    csrf_token: CsrfField = "",
) -> Response:
    return _action(request, account_id, staff, settings, database, csrf_token, "disable")


@router.post("/accounts/{account_id}/enable", response_class=HTMLResponse)
def enable_submit(
    request: Request,
    account_id: uuid.UUID,
    staff: SignedInStaff,
    settings: SettingsDep,
    database: DatabaseDep,
    csrf_token: CsrfField = "",
) -> Response:
    return _action(request, account_id, staff, settings, database, csrf_token, "enable")


@router.post("/accounts/{account_id}/reset-second-factor", response_class=HTMLResponse)
def reset_second_factor_submit(
    request: Request,
    account_id: uuid.UUID,
    staff: SignedInStaff,
    settings: SettingsDep,
    database: DatabaseDep,
    csrf_token: CsrfField = "",
) -> Response:
    return _action(
        request, account_id, staff, settings, database, csrf_token, "reset-second-factor"
    )


@router.post("/accounts/{account_id}/password-link", response_class=HTMLResponse)
def password_link_submit(
    request: Request,
    account_id: uuid.UUID,
    staff: SignedInStaff,
    settings: SettingsDep,
    database: DatabaseDep,
    csrf_token: CsrfField = "",
) -> Response:
    return _action(request, account_id, staff, settings, database, csrf_token, "password-link")


def _set_password_page(
    request: Request, context: dict[str, Any], status_code: int = 200
) -> Response:
    nonce = request.cookies.get(CSRF_COOKIE) or csrf.new_nonce()
    request.state.csrf_nonce = nonce
    base: dict[str, Any] = {"active": "sign-in", "error": None, "done": False, "holder": None}
    base |= {"password_min": PASSWORD_MIN, "password_max": PASSWORD_MAX}
    response = _render(request, "set_password.html", base | context, status_code)
    set_cookie(response, CSRF_COOKIE, nonce)
    return response


@router.get("/account/set-password/{token}", response_class=HTMLResponse)
def set_password_page(request: Request, token: str, database: DatabaseDep) -> Response:
    try:
        holder = link_holder(database.unit_of_work(), token[: LINK_TOKEN_MAX + 1])
    except NotFoundError as error:
        return _set_password_page(request, {"error": error.message, "token": ""}, 404)
    return _set_password_page(request, {"holder": holder, "token": token})


@router.post("/account/set-password/{token}", response_class=HTMLResponse)
def set_password_submit(
    request: Request,
    token: str,
    settings: SettingsDep,
    database: DatabaseDep,
    password: Annotated[str, Form(max_length=PASSWORD_MAX * SLACK)] = "",
    confirm: Annotated[str, Form(max_length=PASSWORD_MAX * SLACK)] = "",
    csrf_token: CsrfField = "",
) -> Response:
    check_form(request, settings, database, csrf_token)
    try:
        holder = link_holder(database.unit_of_work(), token[: LINK_TOKEN_MAX + 1])
    except NotFoundError as error:
        return _set_password_page(request, {"error": error.message, "token": ""}, 404)
    context: dict[str, Any] = {"holder": holder, "token": token}
    if password != confirm:
        mismatch = "the two passwords are not the same; type the same password in both boxes"
        return _set_password_page(request, context | {"error": mismatch}, 422)
    try:
        use_password_link(database.unit_of_work(), token, password)
    except InputError as error:
        return _set_password_page(request, context | {"error": error.message}, 422)
    except NotFoundError as error:
        return _set_password_page(request, {"error": error.message, "token": ""}, 404)
    return _set_password_page(request, context | {"done": True})
