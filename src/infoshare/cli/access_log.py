"""The server's access log, kept for operators but with no one-time secret in it.

uvicorn logs every request's path *with* its query string. Several links carry a secret that
works once or for a while: the portal invitation code (``GET /portal/redeem?code=…``), the
first sign-in or reset link (``GET /account/set-password/{token}``) and a single sign-on
provider's answer (``…/callback?code=…&state=…``). Anyone who can read the log could use them,
so the log would become a way round sign-in (Principle 7: records are kept secure; Section 5:
only those entitled may reach them). :class:`RedactSecrets` drops every query string and
replaces the secret path segment with a placeholder before the line is written;
:func:`log_config` is uvicorn's own logging set-up with that filter on ``uvicorn.access``.
"""

from __future__ import annotations

import copy
import logging
import re
from typing import Any

from uvicorn.config import LOGGING_CONFIG

PLACEHOLDER = "[redacted]"

# Path segments that are themselves a secret: /account/set-password/{token}.
SECRET_SEGMENT = re.compile(r"(/set-password/)[^/?#]+")

# A query string, up to the end of the path or the closing quote of uvicorn's line.
QUERY = re.compile(r"\?[^\s\"]*")

# The position of the path (with its query string) in uvicorn's access-log arguments:
# client, method, path, HTTP version, status.
PATH_ARGUMENT = 2


def redact_path(path: str) -> str:
    """``path`` without its query string and with any secret segment replaced."""
    return SECRET_SEGMENT.sub(rf"\g<1>{PLACEHOLDER}", QUERY.sub("", path))


class RedactSecrets(logging.Filter):
    """Rewrite an access-log record so it names the route but never carries its secret."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) > PATH_ARGUMENT:
            path = args[PATH_ARGUMENT]
            if isinstance(path, str):
                record.args = (
                    *args[:PATH_ARGUMENT],
                    redact_path(path),
                    *args[PATH_ARGUMENT + 1 :],
                )
        else:
            # A record of another shape: keep the line, but never risk writing a secret in it.
            record.msg = redact_path(record.getMessage())
            record.args = None
        return True


def log_config() -> dict[str, Any]:
    """uvicorn's default logging set-up, with :class:`RedactSecrets` on the access log."""
    config = copy.deepcopy(LOGGING_CONFIG)
    config.setdefault("filters", {})["redact_secrets"] = {"()": RedactSecrets}
    config["loggers"]["uvicorn.access"]["filters"] = ["redact_secrets"]
    return config
