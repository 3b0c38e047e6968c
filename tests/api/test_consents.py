"""The consent routes over HTTP, on SQLite and PostgreSQL: create, read, list, withdraw, check,
receipt, capacity assessments, FHIR; bad input is a 422 problem naming the field, nothing stored.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient

from infoshare.services.database import open_database
from tests.services.consent_builders import (
    ADULT,
    CHILD,
    capacity_values,
    consent_values,
    register_people,
)
from tests.support.databases import row_counts

NOW = datetime(2026, 1, 5, 9, 30, tzinfo=UTC)
WITHDRAWAL = {
    "at": "2025-12-01T09:00:00+00:00", "method": "verbal-recorded", "recorded_by": "Sam Okafor",
    "recorded_by_organisation": "LTHT",
}  # fmt: skip
PROBLEM = "application/problem+json"


@pytest.fixture
def api(client: TestClient, leeds_url: str) -> Iterator[TestClient]:
    database = open_database(leeds_url)
    register_people(database, now=NOW)
    database.dispose()
    return client


def test_create_read_list_withdraw_and_receipt(api: TestClient) -> None:
    created = api.post("/api/v1/consents", json=consent_values())
    assert created.status_code == 201
    consent = created.json()
    assert consent["status"] == "active"
    assert api.get(f"/api/v1/consents/{consent['id']}").json() == consent

    withdrawn = api.post(f"/api/v1/consents/{consent['id']}/withdrawal", json=WITHDRAWAL)
    assert withdrawn.status_code == 200
    assert withdrawn.json()["status"] == "withdrawn"
    again = api.post(f"/api/v1/consents/{consent['id']}/withdrawal", json=WITHDRAWAL)
    assert again.status_code == 422
    assert again.headers["content-type"] == PROBLEM
    assert again.json()["type"].endswith("/already-withdrawn")

    history = api.get("/api/v1/consents", params={"nhs_number": ADULT}).json()
    assert [c["id"] for c in history["consents"]] == [consent["id"]]
    receipt = api.get(f"/api/v1/consents/{consent['id']}/receipt").json()
    assert receipt["consent_status"] == "withdrawn"
    assert receipt["conforms_to"] == "ISO/IEC TS 27560:2023"


def test_the_coverage_check_explains_itself_and_changes_nothing(
    api: TestClient, leeds_url: str
) -> None:
    api.post("/api/v1/consents", json=consent_values(data_categories=["physical-health"]))
    before = row_counts(leeds_url)
    answer = api.post(
        "/api/v1/consents/coverage",
        json={"nhs_number": ADULT, "recipient": "LCC", "purpose": "care",
              "data_categories": ["physical-health", "mental-health"]},
    )  # fmt: skip
    assert answer.status_code == 200
    body = answer.json()
    assert body["covered"] == ["physical-health"]
    reason = body["categories"][1]["reasons"][0]
    assert reason["code"] == "category-out-of-scope"
    assert reason["clause"] == "Procedure A4"
    assert row_counts(leeds_url) == before


def test_a_capacity_assessment_is_recorded(api: TestClient) -> None:
    response = api.post("/api/v1/capacity-assessments", json=capacity_values())
    assert response.status_code == 201
    history = api.get("/api/v1/consents", params={"nhs_number": CHILD}).json()
    assert history["assessments"][0]["id"] == response.json()["id"]


BAD = [
    ({"nhs_number": "9434765918"}, "invalid-nhs-number", "nhs_number"),
    ({"purposes": ["gossip"]}, "unknown-reference", "purposes"),
    ({"data_categories": ["horoscope"]}, "unknown-reference", "data_categories"),
    ({"obtained_by_organisation": "XYZ"}, "unknown-reference", "obtained_by_organisation"),
    ({"valid_until": "2025-11-01T00:00:00+00:00"}, "invalid-period", "valid_until"),
    (
        {"obtained_at": "2099-01-01T00:00:00+00:00", "review_date": None},
        "timestamp-in-future",
        "obtained_at",
    ),
    ({"decided_by": "representative"}, "missing-authority", "representative"),
    ({"decision": "maybe"}, "invalid-request", "body.decision"),
]


@pytest.mark.parametrize(("changes", "code", "field"), BAD)
def test_bad_consents_are_422_problems_and_nothing_is_stored(
    api: TestClient, leeds_url: str, changes: dict[str, object], code: str, field: str
) -> None:
    before = row_counts(leeds_url)
    response = api.post("/api/v1/consents", json=consent_values(**changes))
    assert response.status_code == 422
    assert response.headers["content-type"] == PROBLEM
    problem = response.json()
    assert problem["type"].endswith(f"/{code}")
    assert problem["field"] == field
    assert row_counts(leeds_url) == before


def test_unknown_consent_is_404(api: TestClient) -> None:
    response = api.get("/api/v1/consents/00000000-0000-0000-0000-000000000000")
    assert response.status_code == 404
    assert response.headers["content-type"] == PROBLEM


def test_fhir_export_and_import(api: TestClient, leeds_url: str) -> None:
    consent = api.post("/api/v1/consents", json=consent_values()).json()
    bundle = api.get("/api/v1/fhir/Consent", params={"patient": ADULT}).json()
    single = api.get(f"/api/v1/fhir/Consent/{consent['id']}").json()
    assert bundle["entry"][0]["resource"] == single

    imported = api.post(
        "/api/v1/fhir/Consent",
        content=json.dumps(single),
        headers={"content-type": "application/fhir+json"},
    )
    assert imported.status_code == 201
    assert imported.json()["type"] == "transaction-response"
    assert row_counts(leeds_url)["consents"] == 2


def test_malformed_fhir_is_a_422_problem_naming_the_path(api: TestClient, leeds_url: str) -> None:
    consent = api.post("/api/v1/consents", json=consent_values()).json()
    single = api.get(f"/api/v1/fhir/Consent/{consent['id']}").json()
    single["provision"]["period"] = {"start": "not a time"}
    before = row_counts(leeds_url)

    response = api.post("/api/v1/fhir/Consent", json=single)
    assert response.status_code == 422
    assert response.headers["content-type"] == PROBLEM
    assert response.json()["field"] == "Consent.provision.period.start"
    assert row_counts(leeds_url) == before
