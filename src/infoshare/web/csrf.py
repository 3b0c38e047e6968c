"""Anti-forgery tokens for every form (Procedure B1): a form posted from elsewhere is refused.

Signed double-submit: the token in a form is an HMAC, under the server's secret key, of a
cookie value that other sites can neither read nor set (``__Host-`` cookies, HttpOnly). When
signed in, that value is the session's own cookie, so the token is tied to the session and
changes when the session does; before sign-in, it is a random nonce in a cookie of its own.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from fastapi import Request

from infoshare.errors import CsrfError
from infoshare.web.cookies import CSRF_COOKIE, SESSION_COOKIE

FIELD = "csrf_token"
TOKEN_MAX = 128


def _sign(secret_key: str, purpose: str, value: str) -> str:
    message = f"{purpose}|{value}".encode()
    return hmac.new(secret_key.encode("utf-8"), message, hashlib.sha256).hexdigest()


def new_nonce() -> str:
    return secrets.token_urlsafe(32)


def form_token(request: Request, secret_key: str) -> str:
    """The token a form on this response should carry."""
    session = request.cookies.get(SESSION_COOKIE)
    if getattr(request.state, "new_session_token", None):
        session = request.state.new_session_token
    if session:
        return _sign(secret_key, "session", session)
    nonce = getattr(request.state, "csrf_nonce", None) or request.cookies.get(CSRF_COOKIE)
    if nonce:
        return _sign(secret_key, "nonce", nonce)
    return ""


def check(request: Request, secret_key: str, submitted: str | None) -> None:
    """CsrfError unless ``submitted`` is the token for one of the request's own cookies."""
    if submitted and len(submitted) <= TOKEN_MAX:
        for purpose, cookie in (("session", SESSION_COOKIE), ("nonce", CSRF_COOKIE)):
            value = request.cookies.get(cookie)
            if value and hmac.compare_digest(_sign(secret_key, purpose, value), submitted):
                return
    raise CsrfError(
        "this form has expired or did not come from infoshare, so nothing was done; go back, "
        "reload the page and send it again"
    )
