"""``/api/v1/decisions``, ``/disclosures``, ``/referrals``, ``/emergency-reviews`` and the CDS
Hooks consent service over HTTP, on SQLite and PostgreSQL: what a system sees and what is
recorded (Principles 4–11; Procedures A4, A5, A7, B6)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from infoshare.services.access_log import CONSOLE, Outcome, recent_entries
from infoshare.services.api_tokens import issue_api_token, list_api_tokens, revoke_api_token
from infoshare.services.database import Database, open_database
from tests.api.running_app import app_for
from tests.support.databases import DatabaseTemplates, row_counts
from tests.support.sharing_world import (
    AMARA,
    BRIAN,
    CHLOE,
    LCC_BOTH,
    LCC_OFFICER,
    LTHT_OFFICER,
    POLICE_OFFICER,
    SOCIAL_WORKER,
    TEMPLATE,
    build_sharing_world,
)

TABLES = ("disclosures", "referrals", "review_tasks")


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


def counted(db: Database) -> dict[str, int]:
    """Rows of the sharing tables: a disclosure, referral or review task shows here."""
    counts = row_counts(db.url)
    return {table: counts[table] for table in TABLES}


def bearer(db: Database, code: str, *permissions: str) -> dict[str, str]:
    issued = issue_api_token(
        db.unit_of_work(),
        CONSOLE,
        organisation_code=code,
        name=f"{code} case system",
        permissions=permissions or ("disclosures:make", "disclosures:read"),
    )
    return {"Authorization": f"Bearer {issued.token}"}


def care(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "requester": SOCIAL_WORKER,
        "provider": "LTHT",
        "recipient": "LCC",
        "nhs_number": AMARA,
        "purpose": "care",
        "items": [
            {"category": "identity", "content": "Amara Okafor"},
            {"category": "physical-health", "content": "Hip fracture", "nature": "fact"},
            {"category": "social-care-needs", "content": "Needs help", "nature": "opinion"},
        ],
        "transfer_method": "email",
    }
    body.update(changes)
    return body


def police(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "requester": POLICE_OFFICER,
        "provider": "LCC",
        "recipient": "WYP",
        "nhs_number": CHLOE,
        "purpose": "crime",
        "categories": ["identity"],
        "items": [{"category": "identity", "content": "Chloe Adeyemi"}],
        "transfer_method": "verbal",
        "basis": {
            "kind": "statutory",
            "legal_grounds": ["dpa-1998-s29"],
            "justification": "Investigating an assault",
        },
        "police_request": {
            "officer_name": "Wes Police",
            "rank": "DC",
            "information_needed": "identity",
            "why_needed": "to interview a witness",
            "prejudice_statement": True,
        },
    }
    body.update(changes)
    return body


def test_dry_run_answers_with_reasons_and_records_no_disclosure(
    client: TestClient, db: Database
) -> None:
    before = counted(db)
    response = client.post("/api/v1/decisions", json=care(), headers=bearer(db, "LCC"))
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["outcome"] == "permit"
    assert body["disclosure_id"] is None
    assert all(r["clause"] for r in body["decision"]["reasons"])
    assert counted(db) == before


def test_disclosure_is_recorded_and_only_the_recipient_party_sees_it(
    client: TestClient, db: Database
) -> None:
    lcc = bearer(db, "LCC")
    made = client.post("/api/v1/disclosures", json=care(), headers=lcc)
    assert made.status_code == 200, made.text
    disclosure_id = made.json()["disclosure_id"]
    listed = client.get("/api/v1/disclosures", headers=lcc).json()
    assert [d["id"] for d in listed["items"]] == [disclosure_id]
    assert [i["nature"] for i in listed["items"][0]["items"]] == ["fact", "fact", "opinion"]
    wyp = bearer(db, "WYP")
    assert client.get("/api/v1/disclosures", headers=wyp).json()["total"] == 0
    assert client.get(f"/api/v1/disclosures/{disclosure_id}", headers=wyp).status_code == 404


def test_part_permitted_part_referred_answers_both_ids(client: TestClient, db: Database) -> None:
    # Brian's consent to EDL covers identity and education; child protection needs s.47
    # and a designated officer (Procedure A5): the first two go now, the rest is referred.
    from infoshare.services.consent import record_consent
    from tests.services.consent_builders import consent_draft

    record_consent(
        db.unit_of_work(),
        consent_draft(
            nhs_number=BRIAN,
            obtained_by_organisation="EDL",
            explained_purposes=["protection"],
            explained_data_categories=["identity", "education"],
            explained_recipients=["LCC"],
            purposes=["protection"],
            data_categories=["identity", "education"],
            recipients=["LCC"],
        ),
    )
    body = care(
        provider="EDL",
        nhs_number=BRIAN,
        purpose="protection",
        transfer_method="verbal",
        items=[
            {"category": "identity", "content": "Brian Holt"},
            {"category": "education", "content": "Attends Park Primary"},
            {"category": "child-protection", "content": "Bruising seen on Monday"},
        ],
        basis={
            "kind": "statutory",
            "legal_grounds": ["ca-1989-s47"],
            "justification": "asking the parents first may put the child at further risk",
        },
    )
    made = client.post("/api/v1/disclosures", json=body, headers=bearer(db, "LCC"))
    assert made.status_code == 200, made.text
    answer = made.json()
    assert answer["outcome"] == "permit"
    assert answer["decision"]["referred"] == ["child-protection"]
    assert answer["disclosure_id"] is not None
    assert answer["referral_id"] is not None
    edl = bearer(db, "EDL", "disclosures:make", "disclosures:read")
    referral = client.get(f"/api/v1/referrals/{answer['referral_id']}", headers=edl)
    assert referral.status_code == 200, referral.text
    assert referral.json()["status"] == "pending"
    assert referral.json()["request"]["categories"] == ["child-protection"]
    disclosure = client.get(f"/api/v1/disclosures/{answer['disclosure_id']}", headers=edl)
    assert [i["category"] for i in disclosure.json()["items"]] == ["identity", "education"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (care(nhs_number="9999999999"), "nhs_number"),
        (police(basis={"kind": "statutory", "legal_grounds": ["dpa-1998-s29"]}), None),
        (police(police_request=None), "police_request"),
    ],
)
def test_bad_input_is_a_problem_and_changes_nothing(
    client: TestClient, db: Database, body: dict[str, Any], field: str | None
) -> None:
    headers = bearer(db, "WYP" if body["requester"] == POLICE_OFFICER else "LCC")
    before = counted(db)
    response = client.post("/api/v1/disclosures", json=body, headers=headers)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    if field:
        assert response.json()["field"] == field
    assert counted(db) == before


def test_unknown_purpose_is_a_deny_with_reasons(client: TestClient, db: Database) -> None:
    before = counted(db)
    response = client.post(
        "/api/v1/disclosures", json=care(purpose="gossip"), headers=bearer(db, "LCC")
    )
    assert response.json()["outcome"] == "deny"
    assert response.json()["decision"]["reasons"]
    assert counted(db) == before


def test_a_token_cannot_act_for_staff_of_another_party(client: TestClient, db: Database) -> None:
    before = counted(db)
    response = client.post("/api/v1/disclosures", json=care(), headers=bearer(db, "WYP"))
    assert response.status_code in (403, 404)
    assert counted(db) == before


def test_referral_approved_over_rest_and_replay_refused(client: TestClient, db: Database) -> None:
    referred = client.post("/api/v1/disclosures", json=police(), headers=bearer(db, "WYP"))
    assert referred.json()["outcome"] == "refer"
    referral_id = referred.json()["referral_id"]
    lcc = bearer(db, "LCC")
    assert [r["id"] for r in client.get("/api/v1/referrals", headers=lcc).json()] == [referral_id]
    forged = client.post(
        f"/api/v1/referrals/{referral_id}/approve",
        json={"officer": SOCIAL_WORKER, "reason": "ok"},
        headers=lcc,
    )
    assert forged.status_code == 403
    approved = client.post(
        f"/api/v1/referrals/{referral_id}/approve",
        json={"officer": LCC_OFFICER, "reason": "s.29 applies"},
        headers=lcc,
    )
    assert approved.status_code == 200, approved.text
    assert approved.json()["disclosure_id"]
    replay = client.post(
        f"/api/v1/referrals/{referral_id}/approve",
        json={"officer": LCC_BOTH, "reason": "again"},
        headers=lcc,
    )
    assert replay.status_code == 409


def test_cds_hooks_discovery_and_consult(client: TestClient, db: Database) -> None:
    services = client.get("/api/v1/cds-services").json()["services"]
    assert [s["id"] for s in services] == ["patient-consent-consult"]
    body = {
        "hook": "patient-consent-consult",
        "hookInstance": "d1577c69-dfbe-44ad-ba6d-3e05e953b2ea",
        "context": {
            "patientId": {"system": "https://fhir.nhs.uk/Id/nhs-number", "value": AMARA},
            "scope": "patient-privacy",
            "purposeOfUse": "TREAT",
            "actor": {"system": "urn:infoshare:staff", "value": SOCIAL_WORKER},
            "provider": "LTHT",
            "recipient": "LCC",
            "categories": ["identity", "physical-health"],
            "transferMethod": "email",
        },
    }
    response = client.post(
        "/api/v1/cds-services/patient-consent-consult", json=body, headers=bearer(db, "LCC")
    )
    assert response.status_code == 200, response.text
    [card] = response.json()["cards"]
    assert card["extension"]["decision"] == "CONSENT_PERMIT"
    assert card["indicator"] == "info"
    body["context"]["patientId"]["value"] = CHLOE
    denied = client.post(
        "/api/v1/cds-services/patient-consent-consult", json=body, headers=bearer(db, "LCC")
    ).json()["cards"][0]
    assert denied["extension"]["decision"] in ("CONSENT_DENY", "NO_CONSENT")


def test_emergency_disclosure_is_reviewed_once_by_a_provider_officer(
    client: TestClient, db: Database
) -> None:
    made = client.post(
        "/api/v1/disclosures",
        json=care(
            nhs_number=CHLOE,
            basis={"kind": "emergency", "emergency_reason": "found collapsed, no one to call"},
        ),
        headers=bearer(db, "LCC"),
    )
    assert made.json()["outcome"] == "permit", made.text
    task_id = made.json()["review_task_id"]
    ltht = bearer(db, "LTHT")
    [task] = client.get("/api/v1/emergency-reviews", headers=ltht).json()
    assert task["id"] == task_id
    assert task["overdue"] is False
    assert client.get("/api/v1/emergency-reviews", headers=bearer(db, "LCC")).json() == []
    review = {"officer": LTHT_OFFICER, "outcome": "upheld", "notes": "right to share at once"}
    done = client.post(f"/api/v1/emergency-reviews/{task_id}", json=review, headers=ltht)
    assert done.status_code == 200, done.text
    assert done.json()["reviewed_by"] == LTHT_OFFICER
    again = client.post(f"/api/v1/emergency-reviews/{task_id}", json=review, headers=ltht)
    assert again.status_code == 409
    assert client.get("/api/v1/emergency-reviews", headers=ltht).json() == []


def test_a_revoked_or_bad_token_records_nothing_and_the_refusal_is_logged(
    client: TestClient, db: Database
) -> None:
    """The disclosure route checks its token on the event loop (SQLite): a token revoked
    elsewhere is refused from the very next request, and every refusal is logged."""
    lcc = bearer(db, "LCC")
    assert client.post("/api/v1/disclosures", json=care(), headers=lcc).status_code == 200
    (token,) = [t for t in list_api_tokens(db.unit_of_work(), CONSOLE, "LCC")]
    other = open_database(db.url)  # as another server process would
    try:
        revoke_api_token(other.unit_of_work(), CONSOLE, token.id)
    finally:
        other.dispose()
    before = counted(db)
    for headers in (lcc, {"Authorization": "Bearer isk_unknown"}, {}):
        response = client.post("/api/v1/disclosures", json=care(), headers=headers)
        assert response.status_code == 401, response.text
        assert response.headers["www-authenticate"].startswith("Bearer")
    assert counted(db) == before
    denied = recent_entries(db.unit_of_work(), outcome=Outcome.DENIED)
    assert [d.action for d in denied] == ["api-token"] * 3
