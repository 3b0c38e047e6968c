"""Errors as web pages: the same problems the API reports (``api/problems.py``), for people.

The status, title and detail are those of the problem, so a person and a client system are
told the same thing; a 500 page says nothing of its cause, as its problem does not.
"""

from __future__ import annotations

from fastapi import Request
from starlette.responses import Response

from infoshare.api.problems import Problem
from infoshare.web.templates import page_templates


def error_page(request: Request, problem: Problem) -> Response:
    """``problem`` as an HTML page with the problem's status."""
    return page_templates().TemplateResponse(
        request,
        "error.html",
        {"problem": problem, "active": None},
        status_code=problem.status,
    )
