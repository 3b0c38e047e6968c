"""``/openapi.json``: a valid description of every route, with problems documented."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient

from infoshare import __version__
from infoshare.api.problems import PROBLEM_MEDIA_TYPE
from infoshare.api.v1 import PREFIX

HTTP_METHODS = {"get", "put", "post", "delete", "patch", "head", "options", "trace"}


def _openapi(app: FastAPI) -> dict[str, Any]:
    with TestClient(app) as client:
        response = client.get("/openapi.json")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    document: dict[str, Any] = response.json()
    return document


def _resolve(document: dict[str, Any], ref: str) -> dict[str, Any]:
    assert ref.startswith("#/"), ref
    node: Any = document
    for part in ref[2:].split("/"):
        node = node[part]
    assert isinstance(node, dict)
    return node


def _refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        found = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
        return found + [r for value in node.values() for r in _refs(value)]
    if isinstance(node, list):
        return [r for value in node for r in _refs(value)]
    return []


def test_openapi_describes_the_service(bare_app: FastAPI) -> None:
    document = _openapi(bare_app)

    assert document["openapi"].startswith("3.1.")
    info = document["info"]
    assert info["title"] == "infoshare API"
    assert info["version"] == __version__
    assert "problem+json" in info["description"]
    assert {t["name"] for t in document["tags"]} >= {"protocol", "organisations", "health"}


def test_openapi_lists_the_routes_under_the_versioned_prefix(bare_app: FastAPI) -> None:
    paths = _openapi(bare_app)["paths"]

    assert {"/health", f"{PREFIX}/protocol", f"{PREFIX}/organisations"} <= set(paths)
    # Everything but /health is versioned; the web pages are not part of the API.
    assert all(p.startswith(f"{PREFIX}/") for p in paths if p != "/health")
    assert "/" not in paths


def test_every_operation_is_tagged_summarised_and_documents_its_problems(
    bare_app: FastAPI,
) -> None:
    document = _openapi(bare_app)
    tags = {t["name"] for t in document["tags"]}

    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method not in HTTP_METHODS:
                continue
            where = f"{method.upper()} {path}"
            assert operation.get("summary"), where
            assert operation.get("tags"), where
            assert set(operation["tags"]) <= tags, where
            assert any(s.startswith("2") for s in operation["responses"]), where
            for status, response in operation["responses"].items():
                if status.startswith(("4", "5")) and path.startswith(PREFIX):
                    assert PROBLEM_MEDIA_TYPE in response["content"], where


def test_every_reference_in_the_document_resolves(bare_app: FastAPI) -> None:
    document = _openapi(bare_app)

    refs = _refs(document)

    assert "#/components/schemas/Problem" in refs
    for ref in refs:
        _resolve(document, ref)


def test_the_interactive_docs_that_would_load_scripts_from_a_cdn_are_off(
    bare_app: FastAPI,
) -> None:
    with TestClient(bare_app) as client:
        assert client.get("/docs").status_code == 404
        assert client.get("/redoc").status_code == 404
