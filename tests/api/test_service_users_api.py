"""``/api/v1/service-users`` with API tokens (Procedure B1): party, permissions, revocation."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from infoshare.errors import InputError, PermissionDeniedError
from infoshare.services.access_log import CONSOLE, Outcome, recent_entries
from infoshare.services.api_tokens import issue_api_token, list_api_tokens, revoke_api_token
from infoshare.services.database import Database, open_database
from infoshare.services.service_users import find_by_nhs_number
from infoshare.services.sessions import SessionPolicy, sign_in
from tests.api.running_app import app_for
from tests.support.accounts_world import PASSWORD, PEOPLE, SERVICE_USERS, TEMPLATE, build_world
from tests.support.databases import DatabaseTemplates, row_counts


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def world_url(
    request: pytest.FixtureRequest, database_templates: DatabaseTemplates
) -> Iterator[str]:
    yield from database_templates.copy(request, request.param, TEMPLATE, build_world)


@pytest.fixture
def db(world_url: str) -> Iterator[Database]:
    database = open_database(world_url)
    yield database
    database.dispose()


@pytest.fixture
def client(world_url: str) -> Iterator[TestClient]:
    with TestClient(app_for(world_url)) as client:
        yield client


def _token(
    db: Database, code: str = "LTHT", permissions: tuple[str, ...] = ("service-users:read",)
) -> str:
    issued = issue_api_token(
        db.unit_of_work(), CONSOLE, organisation_code=code, name="EPR", permissions=permissions
    )
    return issued.token


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_a_token_reads_its_own_partys_service_users_and_each_read_is_logged(
    client: TestClient, db: Database
) -> None:
    response = client.get("/api/v1/service-users", headers=_bearer(_token(db)))
    assert response.status_code == 200
    body = response.json()
    assert body["organisation_code"] == "LTHT"
    assert sorted(i["family_name"] for i in body["items"]) == ["Adeyemi", "Holt", "Okafor"]
    reads = recent_entries(db.unit_of_work(), outcome=Outcome.READ)
    assert len(reads) == 3
    assert {r.actor_kind for r in reads} == {"api-token"}
    assert {r.why for r in reads} == {"listed through the API"}


def test_another_partys_service_user_is_not_found_and_the_attempt_logged(
    client: TestClient, db: Database
) -> None:
    wyp_only = find_by_nhs_number(db.unit_of_work(), SERVICE_USERS[3][0])
    response = client.get(f"/api/v1/service-users/{wyp_only.id}", headers=_bearer(_token(db)))
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    denied = recent_entries(db.unit_of_work(), outcome=Outcome.DENIED)
    assert [(d.service_user_id, d.clause) for d in denied] == [(wyp_only.id, "Principle 7")]
    # the WYP token sees the same person
    wyp = client.get(f"/api/v1/service-users/{wyp_only.id}", headers=_bearer(_token(db, "WYP")))
    assert wyp.status_code == 200
    assert wyp.json()["local_identifier"].startswith("WYP-")


@pytest.mark.parametrize("header", [None, "Bearer", "Bearer isk_madeup", "Basic dXNlcjpwYXNz"])
def test_no_valid_token_is_401_with_how_to_authenticate(
    client: TestClient, db: Database, header: str | None
) -> None:
    headers = {"Authorization": header} if header else {}
    response = client.get("/api/v1/service-users", headers=headers)
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert response.json()["type"].endswith("/not-authenticated")
    assert [d.action for d in recent_entries(db.unit_of_work(), outcome=Outcome.DENIED)] == [
        "api-token"
    ]


def test_a_revoked_token_stops_working_at_once(client: TestClient, db: Database) -> None:
    token = _token(db)
    assert client.get("/api/v1/service-users", headers=_bearer(token)).status_code == 200
    (view,) = list_api_tokens(db.unit_of_work(), CONSOLE, "LTHT")
    assert token.startswith(view.prefix)
    revoke_api_token(db.unit_of_work(), CONSOLE, view.id)
    assert client.get("/api/v1/service-users", headers=_bearer(token)).status_code == 401


def test_a_token_without_the_permission_is_refused(client: TestClient, db: Database) -> None:
    token = _token(db, permissions=("agreements:read",))
    response = client.get("/api/v1/service-users", headers=_bearer(token))
    assert response.status_code == 403
    assert "Procedure B1" in response.json()["detail"]


def test_tokens_are_stored_only_as_hashes(db: Database, world_url: str) -> None:
    token = _token(db)
    from sqlalchemy import create_engine, text

    engine = create_engine(world_url.replace("postgresql://", "postgresql+psycopg://"))
    try:
        with engine.connect() as connection:
            stored = connection.execute(text("SELECT token_hash, prefix FROM api_tokens")).one()
    finally:
        engine.dispose()
    assert token not in stored
    assert len(stored[0]) == 64


def test_a_token_cannot_be_issued_with_an_administrative_permission(
    db: Database, world_url: str
) -> None:
    before = row_counts(world_url)
    with pytest.raises(InputError, match="cannot hold `accounts:manage`"):
        _token(db, permissions=("accounts:manage",))
    assert row_counts(world_url) == before


def test_an_administrator_issues_tokens_only_for_their_own_party(db: Database) -> None:
    new = sign_in(
        db.unit_of_work(),
        email=PEOPLE["administrator"].email,
        password=PASSWORD,
        requester=CONSOLE,
        policy=SessionPolicy(),
    )
    admin = new.signed_in.requester("192.0.2.1")
    issue_api_token(
        db.unit_of_work(),
        admin,
        organisation_code="LTHT",
        name="EPR",
        permissions=["service-users:read"],
    )
    with pytest.raises(PermissionDeniedError):
        issue_api_token(
            db.unit_of_work(),
            admin,
            organisation_code="WYP",
            name="Niche",
            permissions=["service-users:read"],
        )
    practitioner = sign_in(
        db.unit_of_work(),
        email=PEOPLE["practitioner"].email,
        password=PASSWORD,
        requester=CONSOLE,
        policy=SessionPolicy(),
    )
    with pytest.raises(PermissionDeniedError):
        list_api_tokens(db.unit_of_work(), practitioner.signed_in.requester("192.0.2.2"), "LTHT")
    denied = recent_entries(db.unit_of_work(), outcome=Outcome.DENIED)
    assert [d.action for d in denied] == ["api-tokens:manage", "api-tokens:manage"]
