"""Signing in through an organisation's OpenID Connect provider: the two routes (Procedure B1).

``/sign-in/oidc/{code}`` sends the browser to organisation ``code``'s provider, keeping the
request's ``state`` in a ``__Host-`` cookie as well as (hashed) in the database;
``/sign-in/oidc/{code}/callback`` is the redirect URI registered with the provider. It hands
the answer to ``services/oidc.py`` and, on success, sets the session cookie exactly as a
password sign-in does. A refusal is shown on the sign-in page with status 401.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from infoshare.api.dependencies import DatabaseDep
from infoshare.errors import OidcSignInError
from infoshare.services.access_log import anonymous
from infoshare.services.oidc import (
    CODE_MAX,
    NO_PROVIDER,
    STATE_MAX,
    begin_sign_in,
    finish_sign_in,
)
from infoshare.services.oidc_providers import ProviderDirectory
from infoshare.services.sessions import NewSession
from infoshare.web.account_pages import landing_page, sign_in_form
from infoshare.web.auth import PolicyDep, client_address
from infoshare.web.cookies import SESSION_COOKIE, clear_cookie, set_cookie

router = APIRouter(include_in_schema=False)

#: the state of the sign-in this browser started, so the answer must come back to it
STATE_COOKIE = "__Host-infoshare-oidc-state"


def provider_directory(request: Request) -> ProviderDirectory:
    directory: ProviderDirectory = request.app.state.oidc_directory
    return directory


DirectoryDep = Annotated[ProviderDirectory, Depends(provider_directory)]


def _redirect_uri(request: Request, code: str) -> str:
    return str(request.url_for("oidc-callback", organisation_code=code))


@router.get("/sign-in/oidc/{organisation_code}", name="oidc-start")
def start_oidc_sign_in(
    request: Request, organisation_code: str, database: DatabaseDep, directory: DirectoryDep
) -> Response:
    code = organisation_code[:12].upper()
    try:
        redirect = begin_sign_in(
            database,
            directory,
            code,
            redirect_uri=_redirect_uri(request, code),
            requester=anonymous(client_address(request)),
        )
    except OidcSignInError as error:
        # no provider for that organisation is "not found"; an unreachable one, "try later"
        status = 404 if error.reason == NO_PROVIDER else 503
        return sign_in_form(request, email="", error=error.message, status_code=status)
    response = RedirectResponse(redirect.url, status_code=303)
    set_cookie(response, STATE_COOKIE, redirect.state)
    return response


def _signed_in(new: NewSession) -> Response:
    response = RedirectResponse(landing_page(new.signed_in), status_code=303)
    set_cookie(response, SESSION_COOKIE, new.token)
    clear_cookie(response, STATE_COOKIE)
    return response


@router.get("/sign-in/oidc/{organisation_code}/callback", name="oidc-callback")
def oidc_callback(
    request: Request,
    organisation_code: str,
    database: DatabaseDep,
    directory: DirectoryDep,
    policy: PolicyDep,
    code: Annotated[str, Query(max_length=CODE_MAX)] = "",
    state: Annotated[str, Query(max_length=STATE_MAX)] = "",
    error: Annotated[str, Query(max_length=256)] = "",
) -> Response:
    org = organisation_code[:12].upper()
    try:
        new = finish_sign_in(
            database,
            directory,
            org,
            state=state,
            browser_state=request.cookies.get(STATE_COOKIE),
            code=code,
            provider_error=error or None,
            redirect_uri=_redirect_uri(request, org),
            requester=anonymous(client_address(request)),
            policy=policy,
            previous_token=request.cookies.get(SESSION_COOKIE),
        )
    except OidcSignInError as refused:
        response = sign_in_form(request, email="", error=refused.message, status_code=401)
        clear_cookie(response, STATE_COOKIE)
        return response
    return _signed_in(new)
