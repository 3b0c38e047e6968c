"""What routes receive, as ``Annotated`` dependencies: settings, the database, a unit of work.

``create_app`` opens the database once and keeps it on ``app.state``; each request that
needs storage gets a fresh unit of work from it and hands it to one service call.
``ApiCaller`` is the system calling, from its ``Authorization: Bearer`` API token (Procedure
B1); a missing or unknown token is a 401 with ``WWW-Authenticate: Bearer``, and is logged.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from starlette.concurrency import run_in_threadpool

from infoshare.errors import AuthenticationError
from infoshare.services.access_log import Requester, anonymous, record_denial
from infoshare.services.api_tokens import authenticate_token, check_token
from infoshare.services.database import Database, UnitOfWork
from infoshare.settings import Settings


# The three below do no I/O: ``async`` keeps them on the event loop instead of a trip
# through the thread pool each, on every request.
async def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def get_database(request: Request) -> Database:
    database: Database = request.app.state.database
    return database


async def get_unit_of_work(database: Annotated[Database, Depends(get_database)]) -> UnitOfWork:
    return database.unit_of_work()


SettingsDep = Annotated[Settings, Depends(get_settings)]
DatabaseDep = Annotated[Database, Depends(get_database)]
UnitOfWorkDep = Annotated[UnitOfWork, Depends(get_unit_of_work)]


def get_api_caller(request: Request, database: DatabaseDep) -> Requester:
    """The system behind the request's bearer token; 401 (logged) without a live one."""
    address = request.client.host if request.client is not None else "unknown"
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    try:
        if scheme.lower() != "bearer" or not token.strip():
            raise AuthenticationError(
                "this route needs an API token; send `Authorization: Bearer <token>`"
            )
        return authenticate_token(database, token.strip(), client_address=address)
    except AuthenticationError as error:
        record_denial(
            database.unit_of_work(),
            anonymous(address),
            action="api-token",
            what=f"`{request.method} {request.url.path}`",
            why=error.message,
        )
        raise


ApiCaller = Annotated[Requester, Depends(get_api_caller)]


async def get_api_caller_on_loop(request: Request, database: DatabaseDep) -> Requester:
    """``get_api_caller`` for the busiest routes: the same check, read on the event loop when
    the database is a local SQLite file.

    There the token's row is one indexed read of microseconds, far cheaper than a trip
    through the thread pool (~0.3 ms of CPU under load: docs/performance.md, "HTTP"). A
    refusal (which is logged, a write), a last use due to be written, or any other database
    goes through ``get_api_caller`` in the thread pool, exactly as before.
    """
    if database.engine.dialect.name == "sqlite":
        address = request.client.host if request.client is not None else "unknown"
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() == "bearer" and token.strip():
            try:
                requester, stale = check_token(database, token.strip(), client_address=address)
            except AuthenticationError:
                pass  # checked again below, where the refusal is logged
            else:
                if not stale:
                    return requester
    return await run_in_threadpool(get_api_caller, request, database)


#: the caller, checked on the event loop where that is cheap (see get_api_caller_on_loop)
ApiCallerOnLoop = Annotated[Requester, Depends(get_api_caller_on_loop)]
