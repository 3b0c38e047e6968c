"""Every response carries the security headers, whatever route or error produced it."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from infoshare.api.security_headers import CONTENT_SECURITY_POLICY, SECURITY_HEADERS


@pytest.mark.parametrize(
    "path",
    ["/openapi.json", "/health", "/api/v1/nothing-here", "/no-such-page", "/static/infoshare.css"],
)
def test_security_headers_on_every_kind_of_response(bare_app: FastAPI, path: str) -> None:
    with TestClient(bare_app) as client:
        response = client.get(path)

    for name, value in SECURITY_HEADERS.items():
        assert response.headers[name] == value, name
    assert "server" not in response.headers


def test_the_policy_allows_no_script_and_no_framing() -> None:
    directives = dict(
        d.strip().split(" ", 1) for d in CONTENT_SECURITY_POLICY.split(";") if d.strip()
    )

    assert directives["default-src"] == "'none'"
    assert "script-src" not in directives  # so default-src 'none' forbids every script
    assert "'unsafe-inline'" not in CONTENT_SECURITY_POLICY
    assert directives["frame-ancestors"] == "'none'"
    assert SECURITY_HEADERS["X-Frame-Options"] == "DENY"
    assert SECURITY_HEADERS["X-Content-Type-Options"] == "nosniff"
