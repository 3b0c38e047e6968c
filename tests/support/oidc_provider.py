"""A small, real OpenID Connect provider for the tests, served over HTTP on 127.0.0.1.

It has what infoshare uses of a provider: discovery (``/.well-known/openid-configuration``),
its key set (``/jwks``), ``/authorize`` (a page with a button, as a person would see; or
``authorize()`` in-process for the page tests) and ``/token`` (client authentication by HTTP
Basic, the code used once, PKCE ``S256`` checked, the redirect URI compared). ID tokens are
signed with an RSA key made for the run. Each test sets who signs in (``subject``) and may
spoil the token (``tamper``: another audience or issuer, expired, a wrong nonce, signed by a
stranger's key, or ``alg: none``) to see infoshare refuse it.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import secrets
import socket
import threading
import time
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import uvicorn
from joserfc import jwt
from joserfc.jwk import RSAKey
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

CLIENT_ID = "infoshare-test"
CLIENT_SECRET = "a-test-client-secret-not-for-use"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


@dataclass
class _Grant:
    redirect_uri: str
    challenge: str
    nonce: str
    claims: dict[str, Any]
    used: bool = False


@dataclass
class LocalProvider:
    """The provider's state; the test changes ``subject`` and ``tamper`` as it needs."""

    issuer: str = ""
    key: RSAKey = field(default_factory=lambda: RSAKey.generate_key(2048, {"kid": "k1"}))
    stranger: RSAKey = field(default_factory=lambda: RSAKey.generate_key(2048, {"kid": "k1"}))
    #: the claims of the person who signs in next, e.g. ``{"email": ..., "email_verified": True}``
    subject: dict[str, Any] = field(default_factory=dict)
    #: ``audience``, ``issuer``, ``expired``, ``nonce``, ``signature``, ``alg-none`` or ``""``
    tamper: str = ""
    grants: dict[str, _Grant] = field(default_factory=dict)
    #: how many times the key set was fetched (to see the cache work)
    jwks_fetches: int = 0

    def authorize(self, url: str) -> str:
        """Answer an authorization request as if the person said yes; the redirect back."""
        params = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query))
        assert params["client_id"] == CLIENT_ID
        assert params["response_type"] == "code"
        assert params["code_challenge_method"] == "S256"
        assert "openid" in params["scope"].split()
        code = secrets.token_urlsafe(24)
        self.grants[code] = _Grant(
            params["redirect_uri"], params["code_challenge"], params["nonce"], dict(self.subject)
        )
        query = urllib.parse.urlencode({"code": code, "state": params["state"]})
        return f"{params['redirect_uri']}?{query}"

    def id_token(self, grant: _Grant) -> str:
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": self.issuer,
            "sub": "subject-" + str(grant.claims.get("email", "unknown")),
            "aud": CLIENT_ID,
            "iat": now,
            "exp": now + 300,
            "nonce": grant.nonce,
            **grant.claims,
        }
        if self.tamper == "audience":
            claims["aud"] = "some-other-client"
        elif self.tamper == "issuer":
            claims["iss"] = "https://impostor.example"
        elif self.tamper == "expired":
            claims["iat"], claims["exp"] = now - 900, now - 600
        elif self.tamper == "nonce":
            claims["nonce"] = "not-the-nonce"
        if self.tamper == "alg-none":
            header = _b64(json.dumps({"alg": "none", "typ": "JWT"}).encode())
            return f"{header}.{_b64(json.dumps(claims).encode())}."
        key = self.stranger if self.tamper == "signature" else self.key
        return jwt.encode({"alg": "RS256", "kid": "k1"}, claims, key)

    # --- the HTTP endpoints ---

    def discovery(self, _request: Request) -> Response:
        return JSONResponse(
            {
                "issuer": self.issuer,
                "authorization_endpoint": f"{self.issuer}/authorize",
                "token_endpoint": f"{self.issuer}/token",
                "jwks_uri": f"{self.issuer}/jwks",
                "response_types_supported": ["code"],
                "subject_types_supported": ["public"],
                "id_token_signing_alg_values_supported": ["RS256"],
                "code_challenge_methods_supported": ["S256"],
            }
        )

    def jwks(self, _request: Request) -> Response:
        self.jwks_fetches += 1
        return JSONResponse({"keys": [self.key.as_dict(private=False)]})

    def authorize_page(self, request: Request) -> Response:
        who = html.escape(str(self.subject.get("email", "nobody")))
        target = html.escape(self.authorize(str(request.url)))
        return HTMLResponse(
            "<!doctype html><html lang='en'><head><title>Test Trust sign-in</title></head>"
            f"<body><main><h1>Test Trust sign-in</h1><p>Signed in at work as {who}.</p>"
            f"<a href='{target}'>Continue to infoshare</a></main></body></html>"
        )

    async def token(self, request: Request) -> Response:
        expected = "Basic " + base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
        if request.headers.get("authorization") != expected:
            return JSONResponse({"error": "invalid_client"}, status_code=401)
        form = await request.form()
        grant = self.grants.get(str(form.get("code")))
        if form.get("grant_type") != "authorization_code" or grant is None or grant.used:
            return JSONResponse({"error": "invalid_grant"}, status_code=400)
        grant.used = True
        verifier = str(form.get("code_verifier", ""))
        challenge = _b64(hashlib.sha256(verifier.encode()).digest())
        if challenge != grant.challenge or form.get("redirect_uri") != grant.redirect_uri:
            return JSONResponse({"error": "invalid_grant"}, status_code=400)
        return JSONResponse(
            {"access_token": "opaque", "token_type": "Bearer", "id_token": self.id_token(grant)}
        )

    def app(self) -> Starlette:
        return Starlette(
            routes=[
                Route("/.well-known/openid-configuration", self.discovery),
                Route("/jwks", self.jwks),
                Route("/authorize", self.authorize_page),
                Route("/token", self.token, methods=["POST"]),
            ]
        )


@contextmanager
def running_provider() -> Iterator[LocalProvider]:
    """A provider served on a free port of 127.0.0.1 until the block ends."""
    provider = LocalProvider()
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    provider.issuer = f"http://127.0.0.1:{sock.getsockname()[1]}"
    config = uvicorn.Config(provider.app(), log_level="warning", lifespan="off", ws="none")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("the test provider did not start within 10 s")
        time.sleep(0.02)
    try:
        yield provider
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


def providers_file(folder: Path, issuer: str, *, organisation: str = "LTHT", **extra: Any) -> Path:
    """A providers file naming ``issuer`` for ``organisation``, its secret in a 0600 file."""
    secret = folder / "oidc-client-secret"
    secret.write_text(CLIENT_SECRET + "\n", encoding="utf-8")
    secret.chmod(0o600)
    lines = [
        f"[{organisation}]",
        f'issuer = "{issuer}"',
        f'client_id = "{CLIENT_ID}"',
        f'client_secret_file = "{secret}"',
        'display_name = "Test Trust staff sign-in"',
    ]
    lines += [f"{name} = {json.dumps(value)}" for name, value in extra.items()]
    path = folder / "oidc-providers.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
