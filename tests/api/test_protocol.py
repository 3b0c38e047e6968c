"""``/api/v1/protocol`` and ``/api/v1/organisations``: the public overview, from the database."""

from __future__ import annotations

from datetime import date

from fastapi.testclient import TestClient

from infoshare.protocol.loader import load_builtin_pack
from infoshare.services.database import open_database
from infoshare.services.organisations import record_adoption
from tests.api.running_app import PACK

PARTIES = ["LTHT", "LMHST", "WLPCT", "NWLPCT", "NELPCT", "ELPCT", "SLPCT", "LCC", "EDL", "WYP"]
SUPPORTING = ["WYPROB", "WYMAS", "LCHC", "VOICE", "SUCA", "ANL"]
PURPOSES = [
    "care", "protection", "crime", "support", "complaints",
    "planning", "commissioning", "strategy", "performance-audit", "research",
]  # fmt: skip


def test_the_protocol_overview_has_the_seed_as_written(client: TestClient) -> None:
    response = client.get("/api/v1/protocol")

    assert response.status_code == 200
    overview = response.json()
    assert overview["pack"]["id"] == PACK
    assert overview["pack"]["as_of"] == "2002-10-01"
    assert [o["code"] for o in overview["parties"]] == PARTIES
    assert [o["code"] for o in overview["supporting_members"]] == SUPPORTING
    assert overview["approvals"] == {"approved": 7, "parties": 10}
    assert [p["id"] for p in overview["purposes"]] == PURPOSES
    assert [p["citation"] for p in overview["principles"]] == [
        f"Principle {n}" for n in range(1, 16)
    ]
    sections = overview["procedure_sections"]
    assert [s["letter"] for s in sections] == ["A", "B", "C"]
    assert [[p["id"] for p in s["procedures"]] for s in sections] == [
        [f"A{n}" for n in range(1, 8)],
        [f"B{n}" for n in range(1, 9)],
        [f"C{n}" for n in range(1, 6)],
    ]


def test_purposes_say_whether_they_need_identifiable_data(client: TestClient) -> None:
    pack = load_builtin_pack(PACK)
    expected = {p.id: p.needs_identifiable_data for p in pack.purposes}

    purposes = client.get("/api/v1/protocol").json()["purposes"]

    assert {p["id"]: p["needs_identifiable_data"] for p in purposes} == expected
    # Principle 11: some purposes are served by anonymised information alone.
    assert set(expected.values()) == {True, False}


def test_organisations_list_every_partner_with_its_adoption_state(client: TestClient) -> None:
    response = client.get("/api/v1/organisations")

    assert response.status_code == 200
    organisations = response.json()
    assert [o["code"] for o in organisations] == PARTIES + SUPPORTING
    states = {o["code"]: o["adoption_state"] for o in organisations if o["membership"] == "party"}
    awaiting = sorted(code for code, state in states.items() if state == "awaiting-approval")
    assert awaiting == ["EDL", "LCC", "WYP"]
    ltht = organisations[0]
    assert ltht["adoption"]["approving_body"]
    assert date.fromisoformat(ltht["adoption"]["approved_on"]) <= date(2002, 10, 1)
    assert all(o["adoption"] is None for o in organisations if o["adoption_state"] != "approved")


def test_adoption_recorded_later_shows_at_once(client: TestClient, leeds_url: str) -> None:
    # Adoption lives in the database, not the pack: Procedure C1 is recorded as it happens.
    db = open_database(leeds_url)
    try:
        record_adoption(
            db.unit_of_work(),
            "WYP",
            approved_on=date(2002, 11, 14),
            approving_body="Police Authority",
            minute_reference="PA/2002/117",
        )
    finally:
        db.dispose()

    overview = client.get("/api/v1/protocol").json()

    assert overview["approvals"] == {"approved": 8, "parties": 10}
    wyp = next(o for o in overview["parties"] if o["code"] == "WYP")
    assert wyp["adoption_state"] == "approved"
    assert wyp["adoption"] == {
        "approved_on": "2002-11-14",
        "approving_body": "Police Authority",
        "minute_reference": "PA/2002/117",
    }


def test_the_overview_needs_no_sign_in_and_sets_no_cookie(client: TestClient) -> None:
    client.cookies.clear()
    response = client.get("/api/v1/protocol", headers={"Authorization": ""})

    assert response.status_code == 200
    assert "set-cookie" not in response.headers
