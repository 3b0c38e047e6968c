"""The service-user portal's pages, and the staff page that invites a person to it.

Principle 12: a service user signs in at home and reads what is held and shared about them,
and may withdraw a consent they gave (Procedure A3). The portal has its own cookie
(``__Host-infoshare-portal``) and its own sessions: the pages under ``/portal`` look only at
that cookie, and staff pages only at theirs, so neither kind of session reaches the other's
pages (Procedure B1). Pages without a portal session answer 401, logged. Forms carry an
anti-forgery token tied to the portal cookie (or, before sign-in, to the nonce cookie, as
``web/csrf.py`` does for staff). Routes stay thin: the services decide and log.
"""

from __future__ import annotations

import hashlib
import hmac
import uuid
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.responses import Response

from infoshare.api.dependencies import DatabaseDep, SettingsDep
from infoshare.errors import (
    AuthenticationError,
    ConflictError,
    CsrfError,
    InputError,
    PermissionDeniedError,
    SignInThrottledError,
)
from infoshare.services.access_log import anonymous, record_denial
from infoshare.services.portal import consent_receipt, report, withdraw_own_consent
from infoshare.services.portal_accounts import (
    CODE_MAX,
    NewPortalSession,
    PortalSignedIn,
    current_session,
    issue_invitation,
    keep_alive,
    redeem_invitation,
    sign_in,
    sign_out,
)
from infoshare.web import csrf
from infoshare.web.auth import (
    PolicyDep,
    SignedInStaff,
    client_address,
    requester_of,
    sign_in_required,
)
from infoshare.web.consent_pdf import pdf_of
from infoshare.web.cookies import CSRF_COOKIE, clear_cookie, set_cookie
from infoshare.web.templates import account_context, page_templates

router = APIRouter(include_in_schema=False)

PORTAL_COOKIE = "__Host-infoshare-portal"
CsrfField = Annotated[str, Form(max_length=csrf.TOKEN_MAX)]


# --- who is signed in to the portal -------------------------------------------------------------


def portal_session(
    request: Request, database: DatabaseDep, policy: PolicyDep
) -> PortalSignedIn | None:
    token = request.cookies.get(PORTAL_COOKIE)
    if not token:
        return None
    try:
        signed_in = current_session(database.unit_of_work(), token, policy=policy)
    except AuthenticationError:
        return None
    if signed_in.needs_touch:
        keep_alive(database.unit_of_work(), signed_in)
    return signed_in


OptionalPortalUser = Annotated[PortalSignedIn | None, Depends(portal_session)]


def signed_in_portal(
    request: Request, session: OptionalPortalUser, database: DatabaseDep
) -> PortalSignedIn:
    """The portal user, or 401 (logged): a staff session does not count here."""
    if session is None:
        raise sign_in_required(
            request,
            database,
            cookie=PORTAL_COOKIE,
            action="portal-sign-in-required",
            where=" to the portal",
        )
    return session


PortalUser = Annotated[PortalSignedIn, Depends(signed_in_portal)]


# --- anti-forgery tokens tied to the portal cookie ----------------------------------------------


def _sign(secret_key: str, value: str) -> str:
    message = f"portal|{value}".encode()
    return hmac.new(secret_key.encode("utf-8"), message, hashlib.sha256).hexdigest()


def portal_form_token(request: Request, secret_key: str) -> str:
    token = getattr(request.state, "new_portal_token", None) or request.cookies.get(PORTAL_COOKIE)
    if token:
        return _sign(secret_key, token)
    return csrf.form_token(request, secret_key)


def check_form(
    request: Request, settings: SettingsDep, database: DatabaseDep, token: str | None
) -> None:
    """CsrfError (403, logged) unless the token belongs to this browser's portal cookie."""
    cookie = request.cookies.get(PORTAL_COOKIE)
    if cookie and token and hmac.compare_digest(_sign(settings.secret_key, cookie), token):
        return
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


def _page(
    request: Request,
    template: str,
    context: dict[str, Any],
    *,
    portal_user: PortalSignedIn | None = None,
    status_code: int = 200,
) -> Response:
    settings = request.app.state.settings
    context = {
        "active": "portal",
        "portal_user": portal_user,
        "portal_csrf": portal_form_token(request, settings.secret_key),
        **context,
    }
    return page_templates().TemplateResponse(request, template, context, status_code=status_code)


def _public_form(
    request: Request, template: str, context: dict[str, Any], status_code: int = 200
) -> Response:
    """A form shown before sign-in: its token is tied to a nonce cookie (login CSRF)."""
    nonce = request.cookies.get(CSRF_COOKIE) or csrf.new_nonce()
    request.state.csrf_nonce = nonce
    response = _page(request, template, context, status_code=status_code)
    set_cookie(response, CSRF_COOKIE, nonce)
    return response


def _start(new: NewPortalSession) -> Response:
    response = RedirectResponse("/portal", status_code=303)
    set_cookie(response, PORTAL_COOKIE, new.token)
    return response


# --- staff: inviting a service user -------------------------------------------------------------


@router.post("/service-users/{service_user_id}/portal-invitation", response_class=HTMLResponse)
def invite(
    request: Request,
    settings: SettingsDep,
    database: DatabaseDep,
    staff: SignedInStaff,
    service_user_id: uuid.UUID,
    csrf_token: CsrfField = "",
) -> Response:
    check_form(request, settings, database, csrf_token)
    issued = issue_invitation(
        database.unit_of_work(), requester_of(request, staff), service_user_id
    )
    link = str(request.url_for("portal-redeem").include_query_params(code=issued.code))
    context = {"issued": issued, "link": link, "active": "service-users"}
    return page_templates().TemplateResponse(request, "portal/invitation.html", context)


# --- the portal: invitations, signing in and out ------------------------------------------------


@router.get("/portal/redeem", response_class=HTMLResponse, name="portal-redeem")
def redeem_page(
    request: Request, code: Annotated[str, Query(max_length=CODE_MAX)] = ""
) -> Response:
    return _public_form(request, "portal/redeem.html", {"code": code, "email": "", "error": None})


@router.post("/portal/redeem", response_class=HTMLResponse)
def redeem_submit(
    request: Request,
    settings: SettingsDep,
    database: DatabaseDep,
    code: Annotated[str, Form(max_length=CODE_MAX)] = "",
    email: Annotated[str, Form(max_length=254)] = "",
    password: Annotated[str, Form(max_length=256)] = "",
    password_again: Annotated[str, Form(max_length=256)] = "",
    csrf_token: CsrfField = "",
) -> Response:
    check_form(request, settings, database, csrf_token)
    values = {"code": code, "email": email}
    if password != password_again:
        error = "the two passwords are not the same; type the same password twice"
        return _public_form(request, "portal/redeem.html", values | {"error": error}, 422)
    try:
        new = redeem_invitation(
            database.unit_of_work(),
            code=code,
            email=email,
            password=password,
            requester=anonymous(client_address(request)),
        )
    except AuthenticationError as error:
        return _public_form(request, "portal/redeem.html", values | {"error": error.message}, 401)
    except (InputError, ConflictError) as error:
        status = 409 if isinstance(error, ConflictError) else 422
        return _public_form(
            request, "portal/redeem.html", values | {"error": error.message}, status
        )
    return _start(new)


@router.get("/portal/sign-in", response_class=HTMLResponse)
def sign_in_page(request: Request, session: OptionalPortalUser) -> Response:
    if session is not None:
        return RedirectResponse("/portal", status_code=303)
    return _public_form(request, "portal/sign_in.html", {"email": "", "error": None})


@router.post("/portal/sign-in", response_class=HTMLResponse)
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
    form = "portal/sign_in.html"
    try:
        new = sign_in(
            database.unit_of_work(),
            email=email,
            password=password,
            requester=anonymous(client_address(request)),
            policy=policy,
            previous_token=request.cookies.get(PORTAL_COOKIE),
        )
    except SignInThrottledError as error:
        response = _public_form(request, form, {"email": email, "error": error.message}, 429)
        response.headers["Retry-After"] = str(error.retry_after_seconds)
        return response
    except AuthenticationError as error:
        return _public_form(request, form, {"email": email, "error": error.message}, 401)
    except InputError as error:
        return _public_form(request, form, {"email": email, "error": error.message}, 422)
    return _start(new)


@router.post("/portal/sign-out")
def sign_out_submit(
    request: Request, settings: SettingsDep, database: DatabaseDep, csrf_token: CsrfField = ""
) -> Response:
    check_form(request, settings, database, csrf_token)
    sign_out(database.unit_of_work(), request.cookies.get(PORTAL_COOKIE))
    response = RedirectResponse("/portal/sign-in", status_code=303)
    clear_cookie(response, PORTAL_COOKIE)
    return response


# --- the report and what the person may do ------------------------------------------------------


@router.get("/portal", response_class=HTMLResponse, name="portal")
def report_page(request: Request, user: PortalUser, database: DatabaseDep) -> Response:
    data = report(database, user.requester(client_address(request)), user.principal)
    context = {"report": data, "printed_on": datetime.now(UTC).date()}
    return _page(request, "portal/report.html", context, portal_user=user)


@router.get("/portal/report.pdf")
def report_pdf(request: Request, user: PortalUser, database: DatabaseDep) -> Response:
    """The same report as a PDF to keep or print (the read is logged like the page's)."""
    data = report(database, user.requester(client_address(request)), user.principal)
    settings = request.app.state.settings
    context = {
        "report": data,
        "printed_on": datetime.now(UTC).date(),
        "active": "portal",
        "portal_user": user,
        "portal_csrf": portal_form_token(request, settings.secret_key),
    }
    html = (
        page_templates()
        .env.get_template("portal/report.html")
        .render({**context, **account_context(request), "request": request})
    )
    return Response(
        pdf_of(html),
        media_type="application/pdf",
        headers={"Content-Disposition": 'inline; filename="your-information.pdf"'},
    )


@router.get("/portal/consents/{consent_id}/receipt", response_class=HTMLResponse)
def receipt_page(
    request: Request, user: PortalUser, database: DatabaseDep, consent_id: uuid.UUID
) -> Response:
    issued = datetime.now(UTC)
    data = consent_receipt(
        database,
        user.requester(client_address(request)),
        user.principal,
        consent_id,
        now=issued,
    )
    context = {"receipt": data, "issued_on": issued.date()}
    return _page(request, "consent_receipt.html", context, portal_user=user)


@router.get("/portal/consents/{consent_id}/withdraw", response_class=HTMLResponse)
def withdraw_page(
    request: Request, user: PortalUser, database: DatabaseDep, consent_id: uuid.UUID
) -> Response:
    # Reading the receipt checks the consent is the person's own (and logs the read).
    data = consent_receipt(
        database,
        user.requester(client_address(request)),
        user.principal,
        consent_id,
    )
    context = {"consent_id": consent_id, "receipt": data, "error": None, "reason": ""}
    return _page(request, "portal/withdraw.html", context, portal_user=user)


@router.post("/portal/consents/{consent_id}/withdraw", response_class=HTMLResponse)
def withdraw_submit(
    request: Request,
    settings: SettingsDep,
    database: DatabaseDep,
    user: PortalUser,
    consent_id: uuid.UUID,
    reason: Annotated[str, Form(max_length=2000)] = "",
    confirm: Annotated[str, Form(max_length=8)] = "",
    csrf_token: CsrfField = "",
) -> Response:
    check_form(request, settings, database, csrf_token)
    requester = user.requester(client_address(request))
    if confirm != "yes":
        data = consent_receipt(database, requester, user.principal, consent_id)
        context = {
            "consent_id": consent_id,
            "receipt": data,
            "reason": reason,
            "error": "tick the box to confirm that you want to withdraw this consent",
        }
        return _page(request, "portal/withdraw.html", context, portal_user=user, status_code=422)
    try:
        withdraw_own_consent(database, requester, user.principal, consent_id, reason=reason)
    except PermissionDeniedError as error:
        data = consent_receipt(database, requester, user.principal, consent_id)
        context = {
            "consent_id": consent_id,
            "receipt": data,
            "reason": reason,
            "error": error.message,
        }
        return _page(request, "portal/withdraw.html", context, portal_user=user, status_code=403)
    return RedirectResponse("/portal#consents", status_code=303)
