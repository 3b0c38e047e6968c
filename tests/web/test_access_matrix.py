"""Every route × every role × own party / other party / not signed in: the expected answer.

Procedure B1 and Principle 7 as a table. Each role signs in at LTHT; "own" is a service user
LTHT holds, "other" one only WYP holds. A row is (method, path, {role: status}); statuses
not listed for a role are the row's default. The test asserts 100% of cells match and that
every refusal added exactly one entry to the access log.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from infoshare.services.access_log import Outcome, recent_entries
from infoshare.services.database import open_database
from infoshare.services.service_users import find_by_nhs_number
from tests.support.accounts_world import PEOPLE, SERVICE_USERS, TEMPLATE, build_world
from tests.support.databases import DatabaseTemplates
from tests.web.signing_in import https_client, sign_in

ANONYMOUS = "anonymous"
ROLES = [
    "practitioner",
    "designated-officer",
    "lead-member",
    "information-sharing-manager",
    "steering-group",
    "administrator",
    "data-protection-officer",
    "information-sharing-lead",
    ANONYMOUS,
]
READERS = {"practitioner", "designated-officer", "data-protection-officer"}
AUDITORS = {"designated-officer", "steering-group", "administrator", "data-protection-officer"}
OWN = SERVICE_USERS[0][0]  # held by LTHT only
OTHER = SERVICE_USERS[3][0]  # held by WYP only


def _expected(readers: int, others: int) -> dict[str, int]:
    return {r: (readers if r in READERS else others) for r in ROLES if r != ANONYMOUS} | {
        ANONYMOUS: 401
    }


#: (path template, expected status per role)
MATRIX: list[tuple[str, dict[str, int]]] = [
    ("/", {r: 200 for r in ROLES}),
    ("/account", {r: 200 for r in ROLES} | {ANONYMOUS: 401}),
    ("/service-users", _expected(200, 403)),
    ("/service-users/{own}", _expected(200, 403)),
    ("/service-users/{other}", _expected(404, 403)),
    ("/account/api-tokens", {r: 403 for r in ROLES} | {"administrator": 200, ANONYMOUS: 401}),
    ("/access-log", {r: 403 for r in ROLES} | {r: 200 for r in AUDITORS} | {ANONYMOUS: 401}),
]


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def world_url(
    request: pytest.FixtureRequest, database_templates: DatabaseTemplates
) -> Iterator[str]:
    yield from database_templates.copy(request, request.param, TEMPLATE, build_world)


def _denials(url: str) -> int:
    db = open_database(url)
    try:
        return len(recent_entries(db.unit_of_work(), limit=10_000, outcome=Outcome.DENIED))
    finally:
        db.dispose()


def _ids(url: str) -> dict[str, str]:
    db = open_database(url)
    try:
        return {
            "own": str(find_by_nhs_number(db.unit_of_work(), OWN).id),
            "other": str(find_by_nhs_number(db.unit_of_work(), OTHER).id),
        }
    finally:
        db.dispose()


@pytest.mark.parametrize("role", ROLES)
def test_every_route_answers_each_role_as_the_matrix_says(world_url: str, role: str) -> None:
    ids = _ids(world_url)
    with https_client(world_url) as client:
        if role != ANONYMOUS:
            assert sign_in(client, role).status_code == 303
        mismatches = []
        for template, expected in MATRIX:
            path = template.format(**ids)
            before = _denials(world_url)
            response = _get(client, path)
            after = _denials(world_url)
            want = expected[role]
            if response.status_code != want:
                mismatches.append(f"{path}: {response.status_code}, expected {want}")
            if want >= 400 and after != before + 1:
                mismatches.append(f"{path}: refusal logged {after - before} times, not once")
            if want < 400 and after != before:
                mismatches.append(f"{path}: {after - before} refusals logged for a success")
    assert mismatches == []


def _get(client: TestClient, path: str):  # type: ignore[no-untyped-def]
    return client.get(path, follow_redirects=False)


def test_the_matrix_covers_every_role_and_every_page_with_personal_data() -> None:
    assert set(PEOPLE) >= set(ROLES) - {ANONYMOUS}
    for _path, expected in MATRIX:
        assert set(expected) == set(ROLES)
