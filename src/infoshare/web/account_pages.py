"""Signing in and out, the second factor, and the account page (Procedure B1).

Every form carries an anti-forgery token (``web/csrf.py``); a session cookie is set only by
a successful step, each time with a new value. Sign-in failures say the same thing whatever
was wrong, and are counted for throttling by the service.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.responses import Response

from infoshare.api.dependencies import DatabaseDep, SettingsDep
from infoshare.errors import (
    AuthenticationError,
    CsrfError,
    InputError,
    SignInThrottledError,
)
from infoshare.policy.access import Permission, permissions_of
from infoshare.services.access_log import anonymous, record_denial
from infoshare.services.sessions import (
    NewSession,
    SignedIn,
    Stage,
    begin_enrolment,
    confirm_enrolment,
    pass_second_factor,
    sign_in,
    sign_out,
)
from infoshare.web import csrf
from infoshare.web.auth import (
    STAGE_PAGES,
    AnySession,
    PolicyDep,
    SignedInStaff,
    client_address,
)
from infoshare.web.cookies import CSRF_COOKIE, SESSION_COOKIE, clear_cookie, set_cookie
from infoshare.web.templates import page_templates

router = APIRouter(include_in_schema=False)

CsrfField = Annotated[str, Form(max_length=csrf.TOKEN_MAX)]
CodeField = Annotated[str, Form(max_length=16)]


def _page(
    request: Request, template: str, context: dict[str, Any], status_code: int = 200
) -> Response:
    return page_templates().TemplateResponse(request, template, context, status_code=status_code)


def check_form(
    request: Request, settings: SettingsDep, database: DatabaseDep, token: str | None
) -> None:
    """CsrfError (403, logged) unless the form's token belongs to this browser's cookies."""
    try:
        csrf.check(request, settings.secret_key, token)
    except CsrfError as error:
        record_denial(
            database.unit_of_work(),
            anonymous(client_address(request)),
            action="form",
            what=f"form posted to `{request.url.path}`",
            why="missing or wrong anti-forgery token",
        )
        raise error from None


def landing_page(signed_in: SignedIn) -> str:
    """Where a person goes once signed in: their caseload if they may see one."""
    if signed_in.stage is not Stage.SIGNED_IN:
        return STAGE_PAGES[signed_in.stage]
    if Permission.SERVICE_USERS_READ in permissions_of(signed_in.actor):
        return "/service-users"
    return "/account"


def _start(new: NewSession) -> Response:
    response = RedirectResponse(landing_page(new.signed_in), status_code=303)
    set_cookie(response, SESSION_COOKIE, new.token)
    return response


@router.get("/sign-in", response_class=HTMLResponse, name="sign-in")
def sign_in_page(request: Request, session: AnySession) -> Response:
    if session is not None:
        return RedirectResponse(landing_page(session), status_code=303)
    return sign_in_form(request, email="", error=None)


def sign_in_form(
    request: Request, *, email: str, error: str | None, status_code: int = 200
) -> Response:
    nonce = request.cookies.get(CSRF_COOKIE) or csrf.new_nonce()
    request.state.csrf_nonce = nonce
    directory = getattr(request.app.state, "oidc_directory", None)
    context = {
        "active": "sign-in",
        "email": email,
        "error": error,
        # organisations whose staff may sign in through their own provider (services/oidc.py)
        "oidc_providers": directory.choices() if directory is not None else [],
    }
    response = _page(request, "sign_in.html", context, status_code)
    set_cookie(response, CSRF_COOKIE, nonce)
    return response


@router.post("/sign-in", response_class=HTMLResponse)
def sign_in_submit(
    request: Request,
    settings: SettingsDep,
    database: DatabaseDep,
    policy: PolicyDep,
    email: Annotated[str, Form(max_length=254)] = "",
    password: Annotated[str, Form(max_length=256)] = "",
    csrf_token: CsrfField = "",
) -> Response:
    check_form(request, settings, database, csrf_token)
    try:
        new = sign_in(
            database.unit_of_work(),
            email=email,
            password=password,
            requester=anonymous(client_address(request)),
            policy=policy,
            previous_token=request.cookies.get(SESSION_COOKIE),
        )
    except SignInThrottledError as error:
        response = sign_in_form(request, email=email, error=error.message, status_code=429)
        response.headers["Retry-After"] = str(error.retry_after_seconds)
        return response
    except AuthenticationError as error:
        return sign_in_form(request, email=email, error=error.message, status_code=401)
    except InputError as error:
        return sign_in_form(request, email=email, error=error.message, status_code=422)
    return _start(new)


@router.get("/sign-in/second-factor", response_class=HTMLResponse)
def second_factor_page(request: Request, session: AnySession) -> Response:
    if session is None or session.stage is not Stage.SECOND_FACTOR:
        return RedirectResponse("/sign-in", status_code=303)
    return _page(request, "second_factor.html", {"active": "sign-in", "error": None})


@router.post("/sign-in/second-factor", response_class=HTMLResponse)
def second_factor_submit(
    request: Request,
    settings: SettingsDep,
    database: DatabaseDep,
    policy: PolicyDep,
    code: CodeField = "",
    csrf_token: CsrfField = "",
) -> Response:
    check_form(request, settings, database, csrf_token)
    token = request.cookies.get(SESSION_COOKIE)
    try:
        new = pass_second_factor(
            database.unit_of_work(),
            token,
            code,
            requester=anonymous(client_address(request)),
            policy=policy,
        )
    except SignInThrottledError as error:
        context = {"active": "sign-in", "error": error.message}
        response = _page(request, "second_factor.html", context, 429)
        response.headers["Retry-After"] = str(error.retry_after_seconds)
        return response
    except AuthenticationError as error:
        if error.field != "code":
            raise
        return _page(
            request, "second_factor.html", {"active": "sign-in", "error": error.message}, 401
        )
    return _start(new)


@router.get("/account/second-factor", response_class=HTMLResponse)
def enrol_page(
    request: Request, database: DatabaseDep, policy: PolicyDep, session: AnySession
) -> Response:
    if session is None or session.stage is Stage.SECOND_FACTOR:
        # A refusal like any other page's (Procedure B1): in the access log, then 401.
        message = "sign in to set up a second factor"
        record_denial(
            database.unit_of_work(),
            anonymous(client_address(request)),
            action="sign-in-required",
            what=f"page `{request.url.path}`",
            why=message,
        )
        raise AuthenticationError(message)
    if session.account.second_factor_enrolled:
        return RedirectResponse("/account", status_code=303)
    enrolment = begin_enrolment(
        database.unit_of_work(), request.cookies.get(SESSION_COOKIE), policy=policy
    )
    context = {
        "active": "account",
        "enrolment": enrolment,
        "required": session.stage is Stage.ENROL_SECOND_FACTOR,
        "error": None,
    }
    return _page(request, "enrol_second_factor.html", context)


@router.post("/account/second-factor", response_class=HTMLResponse)
def enrol_submit(
    request: Request,
    settings: SettingsDep,
    database: DatabaseDep,
    policy: PolicyDep,
    session: AnySession,
    code: CodeField = "",
    csrf_token: CsrfField = "",
) -> Response:
    check_form(request, settings, database, csrf_token)
    token = request.cookies.get(SESSION_COOKIE)
    requester = anonymous(client_address(request))
    try:
        new = confirm_enrolment(
            database.unit_of_work(), token, code, requester=requester, policy=policy
        )
    except AuthenticationError as error:
        if error.field != "code" or session is None:
            raise
        enrolment = begin_enrolment(database.unit_of_work(), token, policy=policy)
        context = {
            "active": "account",
            "enrolment": enrolment,
            "required": session.stage is Stage.ENROL_SECOND_FACTOR,
            "error": error.message,
        }
        return _page(request, "enrol_second_factor.html", context, 401)
    return _start(new)


@router.post("/sign-out")
def sign_out_submit(
    request: Request,
    settings: SettingsDep,
    database: DatabaseDep,
    csrf_token: CsrfField = "",
) -> Response:
    check_form(request, settings, database, csrf_token)
    sign_out(database.unit_of_work(), request.cookies.get(SESSION_COOKIE))
    response = RedirectResponse("/", status_code=303)
    clear_cookie(response, SESSION_COOKIE)
    return response


@router.get("/account", response_class=HTMLResponse, name="account")
def account_page(request: Request, staff: SignedInStaff, settings: SettingsDep) -> Response:
    context = {
        "active": "account",
        "account": staff.account,
        "notice": None,
        "idle_minutes": settings.session_idle_minutes,
        "absolute_hours": settings.session_absolute_hours,
    }
    return _page(request, "account.html", context)
