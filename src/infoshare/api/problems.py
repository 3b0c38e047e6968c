"""How the HTTP shell reports errors: RFC 9457 problem details, mapped in this one place.

Every error infoshare raises on purpose (``infoshare.errors``) becomes a ``Problem`` with a
status, a stable ``type`` URI built from the error's ``code``, and the error's own message as
``detail``. API clients receive it as ``application/problem+json``; people using the web
pages receive the same problem rendered as an HTML page (``infoshare.web.error_pages``).

Unexpected exceptions become a bare 500 problem: the detail never carries internals, because
section 4 of the protocol makes the system the custodian of confidential information and a
stack trace can leak it. The exception is logged for the operator instead.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from infoshare.errors import (
    AgreementFileError,
    AgreementNotReadyError,
    AgreementStateError,
    AuthenticationError,
    ConflictError,
    CsrfError,
    InfoshareError,
    InputError,
    InvalidNHSNumberError,
    NotFoundError,
    NotReadyError,
    PackError,
    PackProblem,
    PermissionDeniedError,
    SignInThrottledError,
    UnknownReferenceError,
)

PROBLEM_MEDIA_TYPE = "application/problem+json"
#: problem types are URIs under this base, ending in the error's ``code``
PROBLEM_TYPE_BASE = "https://infoshare.example/problems/"
#: requests under these paths are answered in JSON; every other path is a web page
JSON_PATH_PREFIXES = ("/api/", "/health", "/openapi.json")

logger = logging.getLogger("infoshare.api")

#: HTTP status for each branch of the error tree; the most specific class listed wins
STATUS_BY_ERROR: tuple[tuple[type[InfoshareError], HTTPStatus], ...] = (
    (InputError, HTTPStatus.UNPROCESSABLE_ENTITY),
    (ConflictError, HTTPStatus.CONFLICT),
    (NotFoundError, HTTPStatus.NOT_FOUND),
    (PermissionDeniedError, HTTPStatus.FORBIDDEN),
    (SignInThrottledError, HTTPStatus.TOO_MANY_REQUESTS),
    (AuthenticationError, HTTPStatus.UNAUTHORIZED),
    (NotReadyError, HTTPStatus.SERVICE_UNAVAILABLE),
)

#: one title per problem type (RFC 9457 §3.1.4: the title does not change between occurrences)
TITLES: dict[str, str] = {
    InputError.code: "The request is not valid",
    InvalidNHSNumberError.code: "The NHS number is not valid",
    UnknownReferenceError.code: "The request refers to something that does not exist",
    PackError.code: "The protocol pack is not valid",
    ConflictError.code: "The change conflicts with what is stored",
    NotFoundError.code: "Not found",
    PermissionDeniedError.code: "Permission denied",
    NotReadyError.code: "The service is not ready",
    AuthenticationError.code: "Not signed in",
    SignInThrottledError.code: "Too many attempts to sign in",
    CsrfError.code: "The form could not be accepted",
    AgreementFileError.code: "The agreement file is not valid",
    AgreementStateError.code: "The agreement's status does not allow this",
    AgreementNotReadyError.code: "The agreement cannot be activated",
    "invalid-request": "The request is not valid",
    "not-found": "Not found",
    "method-not-allowed": "Method not allowed",
    "internal-error": "Something went wrong on the server",
}


class InvalidParameter(BaseModel):
    """One invalid part of a request: where it is and what is wrong with it."""

    model_config = ConfigDict(frozen=True)

    location: str = Field(description="where: `body.nhs_number`, `query.limit`, `file:line` …")
    detail: str = Field(description="what is wrong, for a person to read")


class Problem(BaseModel):
    """An RFC 9457 problem details object, as every error of the API is reported."""

    model_config = ConfigDict(
        frozen=True,
        json_schema_extra={
            "examples": [
                {
                    "type": "https://infoshare.example/problems/invalid-nhs-number",
                    "title": "The NHS number is not valid",
                    "status": 422,
                    "detail": "`943 476 5910` fails the modulus-11 check; check the digits",
                    "instance": "/api/v1/subjects",
                    "field": "nhs_number",
                }
            ]
        },
    )

    type: str = Field(description="a URI naming the kind of problem; stable, ends in its code")
    title: str = Field(description="a short summary, the same for every problem of this type")
    status: int = Field(description="the HTTP status code")
    detail: str = Field(description="what went wrong this time, and what to do about it")
    instance: str = Field(description="the path of the request that went wrong")
    field: str | None = Field(default=None, description="the input at fault, where one is")
    errors: list[InvalidParameter] | None = Field(
        default=None, description="every invalid part of the request, where there are several"
    )

    @property
    def code(self) -> str:
        return self.type.removeprefix(PROBLEM_TYPE_BASE)


#: the ``responses=`` entry routes declare so OpenAPI documents their problems
def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` for ``statuses``, each described as a problem+json body."""
    return {
        status: {
            "model": Problem,
            "description": HTTPStatus(status).phrase,
            "content": {PROBLEM_MEDIA_TYPE: {}},
        }
        for status in statuses
    }


def _problem(code: str, status: int, detail: str, instance: str, **extra: Any) -> Problem:
    return Problem(
        type=PROBLEM_TYPE_BASE + code,
        title=TITLES.get(code, HTTPStatus(status).phrase),
        status=status,
        detail=detail,
        instance=instance,
        **extra,
    )


def status_for(error: InfoshareError) -> HTTPStatus:
    """The HTTP status ``error`` deserves; errors outside the mapped branches are 500."""
    for error_class, status in STATUS_BY_ERROR:
        if isinstance(error, error_class):
            return status
    return HTTPStatus.INTERNAL_SERVER_ERROR


def problem_for_error(error: InfoshareError, instance: str) -> Problem:
    """The problem reporting one of infoshare's own errors."""
    status = status_for(error)
    if status is HTTPStatus.INTERNAL_SERVER_ERROR:
        # ConfigurationError and bare InfoshareError describe the server, not the request;
        # their messages name settings and paths, which are no business of the caller.
        return internal_error_problem(instance)
    errors = None
    if isinstance(error, PackError | AgreementFileError):
        errors = [_pack_problem(problem) for problem in error.problems]
    elif isinstance(error, AgreementNotReadyError):
        errors = [InvalidParameter(location="agreement", detail=r) for r in error.reasons]
    return _problem(error.code, status, error.message, instance, field=error.field, errors=errors)


def _pack_problem(problem: PackProblem) -> InvalidParameter:
    line = getattr(problem, "line", None)
    where = problem.file if line is None else f"{problem.file}:{line}"
    return InvalidParameter(location=f"{where}: {problem.location}", detail=problem.reason)


def problem_for_validation(errors: Sequence[Any], instance: str) -> Problem:
    """The problem reporting a request that does not fit its declared shape (FastAPI's check)."""
    invalid = [
        InvalidParameter(
            location=".".join(str(part) for part in error.get("loc", ())) or "request",
            detail=str(error.get("msg", "is not valid")),
        )
        for error in errors
    ]
    count = len(invalid)
    noun = "part is" if count == 1 else "parts are"
    detail = f"{count} {noun} not valid; correct what `errors` lists and send the request again"
    field = invalid[0].location if count == 1 else None
    return _problem("invalid-request", 422, detail, instance, field=field, errors=invalid)


def problem_for_http(status: int, instance: str, detail: str | None = None) -> Problem:
    """The problem reporting an HTTP-level failure: an unknown path, a wrong method …"""
    if status == HTTPStatus.NOT_FOUND:
        return _problem(
            "not-found",
            status,
            detail or f"nothing is found at `{instance}`; check the path against /openapi.json",
            instance,
        )
    if status == HTTPStatus.METHOD_NOT_ALLOWED:
        return _problem(
            "method-not-allowed",
            status,
            f"`{instance}` does not accept this method; /openapi.json lists the methods it does",
            instance,
        )
    phrase = HTTPStatus(status).phrase
    code = phrase.lower().replace(" ", "-").replace("'", "")
    return _problem(code, status, detail or phrase.lower(), instance)


def internal_error_problem(instance: str) -> Problem:
    """The problem for a failure of the server itself; says nothing of its cause."""
    return _problem(
        "internal-error",
        500,
        "the server could not complete the request; nothing you sent was at fault. "
        "Try again, and tell the system's administrator if it keeps happening",
        instance,
    )


def problem_response(problem: Problem, headers: dict[str, str] | None = None) -> Response:
    """``problem`` as an ``application/problem+json`` response."""
    return JSONResponse(
        problem.model_dump(mode="json", exclude_none=True),
        status_code=problem.status,
        media_type=PROBLEM_MEDIA_TYPE,
        headers=headers,
    )


def wants_json(path: str) -> bool:
    """Whether a request to ``path`` is answered in JSON rather than with a web page."""
    return path.startswith(JSON_PATH_PREFIXES) or path == "/api"


#: renders a problem for a person using the web pages
HtmlRenderer = Callable[[Request, Problem], Response]


def install_problem_handlers(app: FastAPI, render_html: HtmlRenderer) -> None:
    """Answer every error ``app`` meets with a problem: JSON under /api, HTML elsewhere."""

    def respond(
        request: Request, problem: Problem, headers: dict[str, str] | None = None
    ) -> Response:
        if wants_json(request.url.path):
            return problem_response(problem, headers)
        response = render_html(request, problem)
        if headers:
            response.headers.update(headers)
        return response

    async def on_infoshare_error(request: Request, error: Exception) -> Response:
        assert isinstance(error, InfoshareError)
        if status_for(error) is HTTPStatus.INTERNAL_SERVER_ERROR:
            logger.error("infoshare error outside the request's control", exc_info=error)
        return respond(request, problem_for_error(error, request.url.path), _headers_for(error))

    async def on_validation_error(request: Request, error: Exception) -> Response:
        assert isinstance(error, RequestValidationError)
        return respond(request, problem_for_validation(error.errors(), request.url.path))

    async def on_http_error(request: Request, error: Exception) -> Response:
        assert isinstance(error, StarletteHTTPException)
        detail = error.detail if error.status_code not in (404, 405) else None
        problem = problem_for_http(error.status_code, request.url.path, detail)
        return respond(request, problem, dict(error.headers) if error.headers else None)

    app.add_exception_handler(InfoshareError, on_infoshare_error)
    app.add_exception_handler(RequestValidationError, on_validation_error)
    app.add_exception_handler(StarletteHTTPException, on_http_error)
    app.add_middleware(UnexpectedErrorMiddleware, render_html=render_html)


def _headers_for(error: InfoshareError) -> dict[str, str] | None:
    """Headers the status needs: how to authenticate (RFC 9110 §11.6.1), when to retry."""
    if isinstance(error, SignInThrottledError):
        return {"Retry-After": str(error.retry_after_seconds)}
    if isinstance(error, AuthenticationError):
        return {"WWW-Authenticate": 'Bearer realm="infoshare"'}
    return None


class UnexpectedErrorMiddleware:
    """Turns an exception nothing else handled into a 500 problem, and logs it.

    Starlette's own last-resort handler sits outside every middleware, so its responses
    would miss the security headers; catching here, inside them, keeps every response safe.
    """

    def __init__(self, app: ASGIApp, render_html: HtmlRenderer) -> None:
        self.app = app
        self.render_html = render_html

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def send_tracking(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, send_tracking)
        except Exception:
            logger.exception("unexpected error answering %s %s", scope["method"], scope["path"])
            if started:
                # Part of the response is already on its way; all that is left is to stop.
                raise
            request = Request(scope, receive)
            problem = internal_error_problem(scope["path"])
            if wants_json(scope["path"]):
                response = problem_response(problem)
            else:
                response = self.render_html(request, problem)
            await response(scope, receive, send)
