"""The consent routes over HTTP, on SQLite and PostgreSQL: create, read, list, withdraw, check,
receipt, capacity assessments, FHIR; bad input is a 422 problem naming the field, nothing stored.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest
from fastapi.testclient import TestClient

from infoshare.services.access_log import CONSOLE, Outcome, recent_entries
from infoshare.services.api_tokens import issue_api_token
from infoshare.services.database import Database, open_database
from infoshare.services.service_users import add_local_identifier, register_service_user
from tests.api.running_app import app_for
from tests.services.consent_builders import ADULT, CHILD, capacity_values, consent_values
from tests.support.accounts_world import TEMPLATE, build_world
from tests.support.databases import DatabaseTemplates, row_counts

NOW = datetime(2026, 1, 5, 9, 30, tzinfo=UTC)
WITHDRAWAL = {
    "at": "2025-12-01T09:00:00+00:00", "method": "verbal-recorded", "recorded_by": "Sam Okafor",
    "recorded_by_organisation": "LTHT",
}  # fmt: skip
PROBLEM = "application/problem+json"
PERMISSIONS = ("consent:record", "service-users:read")


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def leeds_url(
    request: pytest.FixtureRequest, database_templates: DatabaseTemplates
) -> Iterator[str]:
    """The accounts world (ADULT is held by LTHT), with a child LTHT holds too."""
    for url in database_templates.copy(request, request.param, TEMPLATE, build_world):
        database = open_database(url)
        child = {"nhs_number": CHILD, "now": NOW}
        register_service_user(database.unit_of_work(), given_name="Tom", family_name="Hughes",
                              date_of_birth=date(2013, 2, 1), **child)  # fmt: skip
        add_local_identifier(database.unit_of_work(), organisation_code="LTHT",
                             identifier="LTHT-CHILD", **child)  # fmt: skip
        database.dispose()
        yield url


@pytest.fixture
def db(leeds_url: str) -> Iterator[Database]:
    database = open_database(leeds_url)
    yield database
    database.dispose()


def _token(db: Database, code: str = "LTHT", permissions: tuple[str, ...] = PERMISSIONS) -> str:
    issued = issue_api_token(
        db.unit_of_work(), CONSOLE, organisation_code=code, name="EPR", permissions=permissions
    )
    return issued.token


@pytest.fixture
def api(leeds_url: str, db: Database) -> Iterator[TestClient]:
    """A client of the app holding an LTHT token allowed to record and read consent."""
    with TestClient(app_for(leeds_url)) as client:
        client.headers["Authorization"] = f"Bearer {_token(db)}"
        yield client


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
    after = row_counts(leeds_url)
    assert after.pop("access_log") == before.pop("access_log") + 1
    assert after == before


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


def test_a_token_records_only_for_its_own_party_and_reads_only_its_own_people(
    api: TestClient, db: Database, leeds_url: str
) -> None:
    before = row_counts(leeds_url)
    refused = api.post("/api/v1/consents", json=consent_values(obtained_by_organisation="LCC"))
    assert refused.status_code == 403
    assert refused.headers["content-type"] == PROBLEM
    denied = recent_entries(db.unit_of_work(), outcome=Outcome.DENIED)
    assert [d.action for d in denied] == ["consent:record"]
    assert {k: v for k, v in row_counts(leeds_url).items() if k != "access_log"} == {
        k: v for k, v in before.items() if k != "access_log"
    }

    consent = api.post("/api/v1/consents", json=consent_values()).json()
    wyp = {"Authorization": f"Bearer {_token(db, 'WYP')}"}
    hidden = api.get(f"/api/v1/consents/{consent['id']}", headers=wyp)
    assert hidden.status_code == 404
    api.get(f"/api/v1/consents/{consent['id']}")
    reads = recent_entries(db.unit_of_work(), outcome=Outcome.READ)
    assert [(r.what, r.why) for r in reads] == [("consent records", "read through the API")]


def test_without_a_token_the_routes_are_401(leeds_url: str) -> None:
    with TestClient(app_for(leeds_url)) as client:
        response = client.get("/api/v1/consents", params={"nhs_number": ADULT})
    assert response.status_code == 401


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
