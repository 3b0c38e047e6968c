"""Errors as RFC 9457 problems: one status per branch of the error tree, one shape for all."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import APIRouter, FastAPI
from fastapi.testclient import TestClient
from pydantic import BaseModel

from infoshare.api.problems import PROBLEM_MEDIA_TYPE, PROBLEM_TYPE_BASE, Problem
from infoshare.api.security_headers import SECURITY_HEADERS
from infoshare.errors import (
    ConfigurationError,
    ConflictError,
    InfoshareError,
    InputError,
    InvalidNHSNumberError,
    NotFoundError,
    NotReadyError,
    PackError,
    PackProblem,
    PermissionDeniedError,
    UnknownReferenceError,
)
from infoshare.web.templates import code_spans

SECRET = "postgresql://admin:hunter2@db.internal/infoshare"

ERRORS: dict[str, InfoshareError] = {
    "input": InputError("`abc` is not a date; write it as YYYY-MM-DD", field="approved_on"),
    "nhs-number": InvalidNHSNumberError(
        "`943 476 5910` fails the modulus-11 check; check the digits", field="nhs_number"
    ),
    "unknown-reference": UnknownReferenceError(
        "there is no purpose `gossip`; use one of `care`, `protection`", field="purpose"
    ),
    "conflict": ConflictError("an organisation with code `LTHT` already exists", field="code"),
    "not-found": NotFoundError("there is no organisation with code `XYZ`", field="code"),
    "permission": PermissionDeniedError("only a designated officer may approve this"),
    "not-ready": NotReadyError("the database has not been initialised; run `infoshare init`"),
}


class Approval(BaseModel):
    approving_body: str
    approved_on: str


def _raise(kind: str) -> None:
    if kind == "pack":
        raise PackError(
            [
                PackProblem("purposes.yaml", "purposes[2].id", "`Care!` is not a slug"),
                PackProblem("roles.yaml", "roles[0]", "`title` is missing"),
            ]
        )
    if kind == "configuration":
        raise ConfigurationError(f"INFOSHARE_DATABASE_URL: `{SECRET}` refused")
    if kind == "unexpected":
        raise RuntimeError(f"could not connect to {SECRET}")
    raise ERRORS[kind]


def _test_only_router() -> APIRouter:
    # Lives here, not in the app: routes that exist only to raise each error.
    router = APIRouter()

    @router.get("/api/v1/test-errors/{kind}")
    def api_error(kind: str) -> None:
        _raise(kind)

    @router.post("/api/v1/test-validation")
    def api_validation(approval: Approval, limit: int) -> dict[str, str]:
        return {"ok": approval.approving_body}

    @router.get("/test-errors/{kind}")
    def page_error(kind: str) -> None:
        _raise(kind)

    return router


@pytest.fixture
def client(bare_app: FastAPI) -> Iterator[TestClient]:
    bare_app.include_router(_test_only_router())
    with TestClient(bare_app) as client:
        yield client


def _problem(response_json: object) -> Problem:
    # The body must fit the documented model exactly: nothing more, nothing less.
    return Problem.model_validate(response_json, strict=True)


@pytest.mark.parametrize(
    ("kind", "status", "code"),
    [
        ("input", 422, "invalid-input"),
        ("nhs-number", 422, "invalid-nhs-number"),
        ("unknown-reference", 422, "unknown-reference"),
        ("conflict", 409, "conflict"),
        ("not-found", 404, "not-found"),
        ("permission", 403, "permission-denied"),
        ("not-ready", 503, "not-ready"),
    ],
)
def test_each_error_becomes_a_problem_with_its_status_and_type(
    client: TestClient, kind: str, status: int, code: str
) -> None:
    response = client.get(f"/api/v1/test-errors/{kind}")

    assert response.status_code == status
    assert response.headers["content-type"] == PROBLEM_MEDIA_TYPE
    problem = _problem(response.json())
    error = ERRORS[kind]
    assert problem.type == f"{PROBLEM_TYPE_BASE}{code}"
    assert problem.status == status
    assert problem.detail == error.message
    assert problem.instance == f"/api/v1/test-errors/{kind}"
    assert problem.field == error.field
    assert problem.title
    assert problem.title[0].isupper()


def test_a_problem_type_keeps_one_title_whatever_the_detail(client: TestClient) -> None:
    first = client.get("/api/v1/test-errors/input").json()
    second = client.get("/api/v1/test-errors/unknown-reference").json()
    assert first["title"] != second["title"]
    again = client.get("/api/v1/test-errors/input").json()
    assert again["title"] == first["title"]


def test_a_pack_error_lists_every_problem(client: TestClient) -> None:
    response = client.get("/api/v1/test-errors/pack")

    assert response.status_code == 422
    problem = _problem(response.json())
    assert problem.code == "invalid-pack"
    assert problem.errors is not None
    assert [(e.location, e.detail) for e in problem.errors] == [
        ("purposes.yaml: purposes[2].id", "`Care!` is not a slug"),
        ("roles.yaml: roles[0]", "`title` is missing"),
    ]


def test_a_request_of_the_wrong_shape_lists_each_invalid_field(client: TestClient) -> None:
    response = client.post(
        "/api/v1/test-validation?limit=many", json={"approving_body": "Trust Board"}
    )

    assert response.status_code == 422
    assert response.headers["content-type"] == PROBLEM_MEDIA_TYPE
    problem = _problem(response.json())
    assert problem.code == "invalid-request"
    assert problem.errors is not None
    by_location = {e.location: e.detail for e in problem.errors}
    assert set(by_location) == {"body.approved_on", "query.limit"}
    assert "required" in by_location["body.approved_on"].lower()
    assert "integer" in by_location["query.limit"].lower()
    assert problem.detail.startswith("2 parts are not valid")


def test_an_unknown_api_path_is_a_404_problem(client: TestClient) -> None:
    response = client.get("/api/v1/no-such-thing")

    assert response.status_code == 404
    assert response.headers["content-type"] == PROBLEM_MEDIA_TYPE
    problem = _problem(response.json())
    assert problem.code == "not-found"
    assert "`/api/v1/no-such-thing`" in problem.detail
    assert problem.instance == "/api/v1/no-such-thing"


def test_a_wrong_method_is_a_405_problem(client: TestClient) -> None:
    response = client.delete("/api/v1/test-errors/input")

    assert response.status_code == 405
    assert response.headers["content-type"] == PROBLEM_MEDIA_TYPE
    assert _problem(response.json()).code == "method-not-allowed"
    assert "GET" in response.headers["allow"]


@pytest.mark.parametrize("kind", ["unexpected", "configuration"])
def test_a_server_failure_is_a_500_problem_that_leaks_nothing(
    client: TestClient, kind: str, caplog: pytest.LogCaptureFixture
) -> None:
    response = client.get(f"/api/v1/test-errors/{kind}")

    assert response.status_code == 500
    assert response.headers["content-type"] == PROBLEM_MEDIA_TYPE
    problem = _problem(response.json())
    assert problem.code == "internal-error"
    assert "hunter2" not in response.text
    assert "db.internal" not in response.text
    assert "Traceback" not in response.text
    # The operator still learns what happened.
    assert "hunter2" in caplog.text


def test_a_server_failure_still_carries_the_security_headers(client: TestClient) -> None:
    response = client.get("/api/v1/test-errors/unexpected")

    assert response.status_code == 500
    for name, value in SECURITY_HEADERS.items():
        assert response.headers[name] == value


@pytest.mark.parametrize(
    ("kind", "status"),
    [
        ("input", 422),
        ("conflict", 409),
        ("not-found", 404),
        ("permission", 403),
        ("unexpected", 500),
    ],
)
def test_pages_report_the_same_errors_as_html(client: TestClient, kind: str, status: int) -> None:
    response = client.get(f"/test-errors/{kind}")

    assert response.status_code == status
    assert response.headers["content-type"].startswith("text/html")
    assert '<html lang="en-GB">' in response.text
    if kind != "unexpected":
        # The same message the API gives, its quoted input shown as code.
        assert str(code_spans(ERRORS[kind].message)) in response.text
    assert "hunter2" not in response.text
