"""Errors as web pages: the same problems the API reports (``api/problems.py``), for people.

The status, title and detail are those of the problem, so a person and a client system are
told the same thing; a 500 page says nothing of its cause, as its problem does not. A form
refused as malformed (over-long or missing fields) is logged in the access log as an attempt
(Procedure B1); nothing it carried was stored.
"""

from __future__ import annotations

import logging

from fastapi import Request
from starlette.responses import Response

from infoshare.api.problems import Problem
from infoshare.services.access_log import anonymous, record_denial
from infoshare.web.templates import page_templates

logger = logging.getLogger("infoshare.web")


def _log_malformed_form(request: Request, problem: Problem) -> None:
    database = getattr(request.app.state, "database", None)
    if database is None:
        return
    fields = ", ".join(e.location for e in problem.errors or ()) or "the form"
    address = request.client.host if request.client is not None else "unknown"
    try:
        record_denial(
            database.unit_of_work(),
            anonymous(address),
            action="form",
            what=f"form posted to `{request.url.path}`",
            why=f"malformed form: {fields}",
        )
    except Exception:
        # The person still gets their answer; the operator learns the log could not be written.
        logger.exception("could not log a malformed form posted to %s", request.url.path)


def error_page(request: Request, problem: Problem) -> Response:
    """``problem`` as an HTML page with the problem's status."""
    if request.method == "POST" and problem.code == "invalid-request":
        _log_malformed_form(request, problem)
    return page_templates().TemplateResponse(
        request,
        "error.html",
        {"problem": problem, "active": None},
        status_code=problem.status,
    )
