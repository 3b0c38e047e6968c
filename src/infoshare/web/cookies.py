"""The cookies infoshare sets, and how: ``__Host-`` prefixed, Secure, HttpOnly, SameSite=Lax.

``__Host-`` makes the browser refuse the cookie unless it is Secure, for path ``/`` and
without a domain, so no other site or subdomain can set or overwrite it. Browsers treat
``http://127.0.0.1`` and ``http://localhost`` as secure contexts, so the demo works over plain
HTTP on this machine; anywhere else infoshare must be served over HTTPS. SameSite=Lax keeps
the cookie off cross-site form posts (CSRF tokens guard them too) while a link from an email
into infoshare still arrives signed in. No Max-Age: the browser forgets the session when it
closes, and the server ends it after the idle and absolute timeouts anyway.
"""

from __future__ import annotations

from starlette.responses import Response

SESSION_COOKIE = "__Host-infoshare-session"
CSRF_COOKIE = "__Host-infoshare-csrf"


def set_cookie(response: Response, name: str, value: str) -> None:
    response.set_cookie(name, value, path="/", secure=True, httponly=True, samesite="lax")


def clear_cookie(response: Response, name: str) -> None:
    response.delete_cookie(name, path="/", secure=True, httponly=True, samesite="lax")
