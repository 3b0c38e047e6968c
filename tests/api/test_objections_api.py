"""``/api/v1/objections`` over HTTP on SQLite and PostgreSQL: an objection or restriction
recorded through the API is applied by the very next ``POST /api/v1/disclosures``; ending it
is a record of its own; bad input is a problem naming the field, and nothing is stored
(Principles 4, 5; Procedure B1)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from infoshare.services.database import Database, open_database
from tests.api.running_app import app_for
from tests.api.test_disclosures_api import bearer, care
from tests.support.databases import DatabaseTemplates, row_counts
from tests.support.sharing_world import AMARA, TEMPLATE, build_sharing_world

PROBLEM = "application/problem+json"


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def world_url(
    request: pytest.FixtureRequest, database_templates: DatabaseTemplates
) -> Iterator[str]:
    yield from database_templates.copy(request, request.param, TEMPLATE, build_sharing_world)


@pytest.fixture
def db(world_url: str) -> Iterator[Database]:
    database = open_database(world_url)
    yield database
    database.dispose()


@pytest.fixture
def client(world_url: str) -> Iterator[TestClient]:
    with TestClient(app_for(world_url)) as client:
        yield client


def objection(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "nhs_number": AMARA,
        "kind": "objection",
        "recipients": ["LCC"],
        "note": "Please do not tell social services",
        "stated_at": "2026-01-05T09:00:00+00:00",
        "recorded_by": "Pat Practitioner",
        "recorded_by_organisation": "LTHT",
    }
    body.update(changes)
    return body


def test_an_objection_recorded_is_applied_by_the_next_disclosure_and_lifting_it_restores(
    client: TestClient, db: Database
) -> None:
    ltht = bearer(db, "LTHT", "consent:record", "service-users:read")
    lcc = bearer(db, "LCC")
    assert client.post("/api/v1/decisions", json=care(), headers=lcc).json()["outcome"] == "permit"

    made = client.post("/api/v1/objections", json=objection(), headers=ltht)
    assert made.status_code == 201, made.text
    assert made.json()["in_force"] is True

    refused = client.post("/api/v1/disclosures", json=care(), headers=lcc).json()
    assert refused["outcome"] != "permit"
    assert refused["disclosure_id"] is None
    codes = {r["code"] for r in refused["decision"]["reasons"]} | {
        r["code"] for w in refused["decision"]["withheld"] for r in w["reasons"]
    }
    assert "subject-objected" in codes

    ended = client.post(
        f"/api/v1/objections/{made.json()['id']}/end",
        json={
            "at": made.json()["recorded_at"],
            "reason": "She agreed after talking it through",
            "recorded_by": "Pat Practitioner",
            "recorded_by_organisation": "LTHT",
        },
        headers=ltht,
    )
    assert ended.status_code == 200, ended.text
    assert ended.json()["ended"]["reason"] == "She agreed after talking it through"
    shared = client.post("/api/v1/disclosures", json=care(), headers=lcc).json()
    assert shared["outcome"] == "permit"
    assert shared["disclosure_id"] is not None

    listed = client.get("/api/v1/objections", params={"nhs_number": AMARA}, headers=ltht)
    assert [(o["kind"], o["in_force"]) for o in listed.json()] == [("objection", False)]


def test_a_restriction_withholds_its_category_over_http(client: TestClient, db: Database) -> None:
    ltht = bearer(db, "LTHT", "consent:record")
    made = client.post(
        "/api/v1/objections",
        json=objection(
            kind="restriction",
            recipients=[],
            data_categories=["physical-health"],
            ground="protected-address",
            note="Fleeing domestic abuse",
        ),
        headers=ltht,
    )
    assert made.status_code == 201, made.text
    done = client.post("/api/v1/disclosures", json=care(), headers=bearer(db, "LCC")).json()
    assert done["outcome"] == "permit"
    assert "physical-health" not in done["decision"]["permitted"]


def test_ending_twice_is_a_conflict(client: TestClient, db: Database) -> None:
    ltht = bearer(db, "LTHT", "consent:record", "service-users:read")
    made = client.post("/api/v1/objections", json=objection(), headers=ltht).json()
    body = {
        "at": made["recorded_at"],
        "reason": "Lifted",
        "recorded_by": "Pat Practitioner",
        "recorded_by_organisation": "LTHT",
    }
    assert client.post(f"/api/v1/objections/{made['id']}/end", json=body, headers=ltht).is_success
    again = client.post(f"/api/v1/objections/{made['id']}/end", json=body, headers=ltht)
    assert again.status_code == 409
    assert again.headers["content-type"] == PROBLEM


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"purposes": ["gossip"]}, "purposes"),
        ({"kind": "restriction", "ground": "court-order"}, "data_categories"),
        ({"stated_at": "2999-01-01T00:00:00+00:00"}, "stated_at"),
    ],
)
def test_bad_input_is_a_problem_naming_the_field_and_stores_nothing(
    client: TestClient, db: Database, changes: dict[str, Any], field: str
) -> None:
    before = row_counts(db.url)["objections"]
    answer = client.post(
        "/api/v1/objections",
        json=objection(**changes),
        headers=bearer(db, "LTHT", "consent:record"),
    )
    assert answer.status_code == 422
    assert answer.headers["content-type"] == PROBLEM
    assert answer.json()["field"] == field
    assert row_counts(db.url)["objections"] == before


def test_another_partys_token_may_not_record_or_read(client: TestClient, db: Database) -> None:
    wyp = bearer(db, "WYP", "consent:record", "service-users:read")
    recorded = client.post("/api/v1/objections", json=objection(), headers=wyp)
    assert recorded.status_code == 403
    listed = client.get("/api/v1/objections", params={"nhs_number": AMARA}, headers=wyp)
    assert listed.status_code == 404
    assert row_counts(db.url)["objections"] == 0
