"""``/api/v1/ledger`` and ``/api/v1/fhir/AuditEvent``: public key and checkpoints for anyone,
proofs and audit events for a token with ``monitoring:read``; precise problems otherwise."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from infoshare.ledger.checkpoint import open_checkpoint
from infoshare.ledger.events import Outcome
from infoshare.ledger.keys import parse_verifier_key
from infoshare.ledger.proofs import ConsistencyProof, InclusionProof
from infoshare.services import group_commit, ledger
from infoshare.services.access_log import CONSOLE
from infoshare.services.api_tokens import issue_api_token
from infoshare.services.database import Database, open_database
from infoshare.services.keys import ensure_signing_key, load_signing_key
from tests.store.ledger_events import event

ORIGIN = "infoshare.local/leeds-2002"
#: what initialising the leeds-2002 pack records: the pack and seven adoptions
INITIAL = 8


@pytest.fixture
def db(leeds_url: str) -> Iterator[Database]:
    database = open_database(leeds_url)
    yield database
    database.dispose()


def keys() -> Path:
    return Path(os.environ["INFOSHARE_KEYS_DIR"])


def _bearer(db: Database, permissions: tuple[str, ...] = ("monitoring:read",)) -> dict[str, str]:
    issued = issue_api_token(
        db.unit_of_work(), CONSOLE, organisation_code="LTHT", name="audit", permissions=permissions
    )
    return {"Authorization": f"Bearer {issued.token}"}


def _signed(db: Database) -> str:
    ensure_signing_key(keys(), ORIGIN)
    return ledger.checkpoint(db, load_signing_key(keys())).note


def test_the_public_key_is_published_once_made(client: TestClient) -> None:
    missing = client.get("/api/v1/ledger/public-key")
    assert missing.status_code == 503
    assert "run `infoshare init`" in missing.json()["detail"]
    made = ensure_signing_key(keys(), ORIGIN)
    response = client.get("/api/v1/ledger/public-key")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    assert parse_verifier_key(response.text) == made.verifier


def test_checkpoints_are_public_and_open_with_the_published_key(
    client: TestClient, db: Database
) -> None:
    assert client.get("/api/v1/ledger/checkpoints").json() == []
    assert client.get("/api/v1/ledger/checkpoints/latest").status_code == 404
    note = _signed(db)
    listed = client.get("/api/v1/ledger/checkpoints").json()
    assert [c["size"] for c in listed] == [INITIAL]
    assert listed[0]["url"] == f"/api/v1/ledger/checkpoints/{INITIAL}"
    latest = client.get("/api/v1/ledger/checkpoints/latest")
    assert latest.text == note
    key = parse_verifier_key(client.get("/api/v1/ledger/public-key").text)
    assert open_checkpoint(latest.text, key).size == INITIAL
    assert client.get(f"/api/v1/ledger/checkpoints/{INITIAL}").text == note
    absent = client.get("/api/v1/ledger/checkpoints/3")
    assert absent.status_code == 404
    assert absent.headers["content-type"] == "application/problem+json"


def test_proofs_need_a_token_with_monitoring_read(client: TestClient, db: Database) -> None:
    _signed(db)
    url = "/api/v1/ledger/proofs/inclusion?sequence=1"
    assert client.get(url).status_code == 401
    wrong = client.get(url, headers=_bearer(db, ("service-users:read",)))
    assert wrong.status_code == 403
    assert "monitoring:read" in wrong.json()["detail"]


def test_proofs_verify_against_the_published_checkpoints(client: TestClient, db: Database) -> None:
    older = _signed(db)
    for n in range(13):
        group_commit.append(db, event(n))
    newer = _signed(db)
    key = load_signing_key(keys()).verifier
    auth = _bearer(db)
    response = client.get("/api/v1/ledger/proofs/inclusion?sequence=15", headers=auth)
    assert response.status_code == 200, response.text
    InclusionProof.from_json(response.text).verify(open_checkpoint(newer, key))
    at_older = client.get(
        f"/api/v1/ledger/proofs/inclusion?sequence=2&size={INITIAL}", headers=auth
    )
    InclusionProof.from_json(at_older.text).verify(open_checkpoint(older, key))
    consistency = client.get(
        f"/api/v1/ledger/proofs/consistency?from={INITIAL}&to={INITIAL + 13}", headers=auth
    )
    assert consistency.status_code == 200, consistency.text
    ConsistencyProof.from_json(consistency.text).verify(
        open_checkpoint(older, key), open_checkpoint(newer, key)
    )


def test_out_of_range_proof_requests_are_problems(client: TestClient, db: Database) -> None:
    _signed(db)
    auth = _bearer(db)
    beyond = client.get(f"/api/v1/ledger/proofs/inclusion?sequence={INITIAL}", headers=auth)
    assert beyond.status_code == 422
    assert beyond.json()["field"] == "sequence"
    assert f"`{INITIAL}` is not covered" in beyond.json()["detail"]
    no_checkpoint = client.get("/api/v1/ledger/proofs/inclusion?sequence=1&size=5", headers=auth)
    assert no_checkpoint.status_code == 404
    backwards = client.get(f"/api/v1/ledger/proofs/consistency?from={INITIAL}&to=2", headers=auth)
    assert backwards.status_code == 422
    malformed = client.get("/api/v1/ledger/proofs/inclusion?sequence=first", headers=auth)
    assert malformed.status_code == 422


def _disclose(db: Database, n: int, *, outcome: Outcome = Outcome.SUCCESS) -> int:
    from dataclasses import replace

    return group_commit.append(
        db, replace(event(n), counterparty="LCC", subject="subject-7", outcome=outcome)
    )


def test_disclosures_are_fhir_audit_events(client: TestClient, db: Database) -> None:
    first = _disclose(db, 1)
    _disclose(db, 2, outcome=Outcome.FAILURE)
    group_commit.append(db, event(3))  # about someone else
    auth = _bearer(db)
    assert client.get("/api/v1/fhir/AuditEvent").status_code == 401
    bundle = client.get("/api/v1/fhir/AuditEvent?patient=subject-7", headers=auth).json()
    assert bundle["resourceType"] == "Bundle"
    assert bundle["total"] == 2
    audit = bundle["entry"][0]["resource"]
    assert audit["id"] == f"ledger-{first}"
    assert audit["type"]["code"] == "110106"
    assert audit["subtype"][0]["code"] == "disclose"
    roles = [agent["type"]["coding"][0]["code"] for agent in audit["agent"]]
    assert roles[:2] == ["110153", "110152"]
    assert audit["agent"][1]["who"]["identifier"]["value"] == "LCC"
    assert audit["entity"][0]["what"]["identifier"]["value"] == "subject-7"
    assert [e["resource"]["outcome"] for e in bundle["entry"]] == ["0", "4"]
    one = client.get(f"/api/v1/fhir/AuditEvent/ledger-{first}", headers=auth)
    assert one.json() == audit
    not_disclosure = client.get("/api/v1/fhir/AuditEvent/ledger-0", headers=auth)
    assert not_disclosure.status_code == 404
    assert client.get("/api/v1/fhir/AuditEvent?_count=0", headers=auth).status_code == 422
