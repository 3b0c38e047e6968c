"""Who is asking, for the pages: the session behind the cookie, as ``Annotated`` dependencies.

``OptionalStaff`` is the signed-in person or None (public pages show the navigation for a
signed-in person); ``SignedInStaff`` refuses with 401 (logged, Procedure B1) when nobody is
signed in, and sends a session still at a sign-in step on to that step. Routes never decide
access themselves: they pass the requester to a service, which asks the policy core.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from starlette.exceptions import HTTPException

from infoshare.api.dependencies import DatabaseDep, SettingsDep
from infoshare.errors import AuthenticationError
from infoshare.services.access_log import Requester, anonymous, record_denial
from infoshare.services.database import Database
from infoshare.services.sessions import (
    SessionPolicy,
    SignedIn,
    Stage,
    current_session,
    keep_alive,
)
from infoshare.web.cookies import SESSION_COOKIE

#: where each unfinished sign-in continues
STAGE_PAGES = {
    Stage.SECOND_FACTOR: "/sign-in/second-factor",
    Stage.ENROL_SECOND_FACTOR: "/account/second-factor",
}


def client_address(request: Request) -> str:
    return request.client.host if request.client is not None else "unknown"


def session_policy(settings: SettingsDep) -> SessionPolicy:
    return SessionPolicy.from_settings(settings)


PolicyDep = Annotated[SessionPolicy, Depends(session_policy)]


def any_session(request: Request, database: DatabaseDep, policy: PolicyDep) -> SignedIn | None:
    """The live session of the cookie at any stage, or None; ended sessions are None."""
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return None
    try:
        signed_in = current_session(database.unit_of_work(), token, policy=policy)
    except AuthenticationError:
        return None
    if signed_in.needs_touch:
        keep_alive(database.unit_of_work(), signed_in)
    request.state.signed_in = signed_in if signed_in.stage is Stage.SIGNED_IN else None
    return signed_in


AnySession = Annotated[SignedIn | None, Depends(any_session)]


def optional_staff(session: AnySession) -> SignedIn | None:
    return session if session is not None and session.stage is Stage.SIGNED_IN else None


def signed_in_staff(request: Request, session: AnySession, database: DatabaseDep) -> SignedIn:
    if session is not None and session.stage is not Stage.SIGNED_IN:
        raise HTTPException(303, headers={"Location": STAGE_PAGES[session.stage]})
    if session is None:
        raise sign_in_required(request, database, cookie=SESSION_COOKIE, action="sign-in-required")
    return session


def sign_in_required(
    request: Request, database: Database, *, cookie: str, action: str, where: str = ""
) -> AuthenticationError:
    """The 401 for a page that needs a session, its refusal logged first (Procedure B1).

    ``cookie`` is the session cookie of the door (staff or portal): a visitor who sent one is
    told their session ended; ``where`` names the door in the message (" to the portal").
    """
    message = (
        f"your session has ended or is not valid; sign in{where} again"
        if cookie in request.cookies
        else f"sign in{where} to see this page"
    )
    record_denial(
        database.unit_of_work(),
        anonymous(client_address(request)),
        action=action,
        what=f"page `{request.url.path}`",
        why=message,
    )
    return AuthenticationError(message)


def requester_of(request: Request, staff: SignedIn) -> Requester:
    return staff.requester(client_address(request))


OptionalStaff = Annotated[SignedIn | None, Depends(optional_staff)]
SignedInStaff = Annotated[SignedIn, Depends(signed_in_staff)]
