"""docs/api.md describes what the API really does: every route, problem type and header."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.testclient import TestClient

from infoshare.api.problems import TITLES
from infoshare.api.security_headers import SECURITY_HEADERS

API_DOC = Path(__file__).parents[2] / "docs" / "api.md"


def test_every_route_is_documented(bare_app: FastAPI) -> None:
    text = API_DOC.read_text(encoding="utf-8")
    with TestClient(bare_app) as client:
        paths = client.get("/openapi.json").json()["paths"]

    for path, item in paths.items():
        for method in item:
            assert f"`{method.upper()} {path}`" in text, f"{method.upper()} {path}"


def test_every_problem_type_is_documented() -> None:
    text = API_DOC.read_text(encoding="utf-8")

    for code in TITLES:
        assert f"`{code}`" in text, code


def test_every_security_header_is_documented() -> None:
    text = API_DOC.read_text(encoding="utf-8")

    for name, value in SECURITY_HEADERS.items():
        assert f"`{name}`" in text, name
        assert f"`{value}`" in text, value
