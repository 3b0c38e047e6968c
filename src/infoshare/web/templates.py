"""The Jinja2 environment every page is rendered with, and the filters the templates use.

Autoescaping is on for everything and undefined names are errors, so a template can neither
inject markup from data nor silently print nothing where a value was expected.
"""

from __future__ import annotations

import functools
import re
from datetime import date
from pathlib import Path
from typing import Any

import jinja2
from fastapi import Request
from fastapi.templating import Jinja2Templates
from markupsafe import Markup, escape

from infoshare import __version__

TEMPLATES_DIR = Path(__file__).parent / "templates"
STATIC_DIR = Path(__file__).parent / "static"


def long_date(value: date) -> str:
    """A date as people in the UK write it: ``1 October 2002``."""
    return f"{value.day} {value:%B %Y}"


def vocabulary(value: str) -> str:
    """A vocabulary slug for reading: ``primary-care-trust`` becomes ``Primary care trust``."""
    return value.replace("-", " ").capitalize()


#: a span of text between backticks, as error messages quote the user's input
_CODE_SPAN = re.compile(r"`([^`]+)`")


def code_spans(text: str) -> Markup:
    """``text`` escaped, with each `backticked` span shown as code, as messages quote input."""
    # Safe: the text is escaped first, and only our own <code> tags are added around it.
    return Markup(_CODE_SPAN.sub(r"<code>\1</code>", str(escape(text))))  # noqa: S704


def account_context(request: Request) -> dict[str, Any]:
    """What the layout needs on every page: who is signed in, and the form token (CSRF)."""
    # Imported here: web.csrf needs nothing of the templates, but keeps this module light.
    from infoshare.policy.access import Permission, permissions_of
    from infoshare.web.csrf import form_token

    signed_in = getattr(request.state, "signed_in", None)
    granted = permissions_of(signed_in.actor) if signed_in is not None else frozenset()
    return {
        "signed_in": signed_in,
        "may": {p.name.lower(): p in granted for p in Permission},
        "csrf_token": form_token(request, request.app.state.settings.secret_key),
    }


@functools.cache
def page_templates() -> Jinja2Templates:
    """The templates of the web pages, with infoshare's filters and globals; built once."""
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters["long_date"] = long_date
    environment.filters["vocabulary"] = vocabulary
    environment.filters["code_spans"] = code_spans
    environment.globals["version"] = __version__
    return Jinja2Templates(env=environment, context_processors=[account_context])
