"""``/api/v1/agreements``, ``/adoption``, ``/procedures``, ``/contacts`` over HTTP."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import pytest
from fastapi.testclient import TestClient

from infoshare.api.problems import problem_for_error
from infoshare.domain.agreement_yaml import dump_agreement, parse_agreement
from infoshare.errors import AgreementNotReadyError
from infoshare.services import agreements, disclosures
from infoshare.services.access_log import CONSOLE
from infoshare.services.api_tokens import issue_api_token
from infoshare.services.database import Database, open_database
from infoshare.services.staff import create_staff
from tests.api.running_app import app_for, client_for
from tests.services.agreement_files import (
    HOSPITAL_DISCHARGE,
    adopt_all,
    example_text,
    signatures,
    unsigned,
)
from tests.services.test_disclosures import care_request
from tests.support.databases import DatabaseTemplates, row_counts
from tests.support.sharing_world import SOCIAL_WORKER, build_sharing_world, staff
from tests.support.sharing_world import TEMPLATE as SHARING

TEXT = unsigned(example_text("hospital-discharge.yaml"))


@pytest.fixture
def db(leeds_url: str) -> Iterator[Database]:
    database = open_database(leeds_url)
    yield database
    database.dispose()


@pytest.fixture
def api(leeds_url: str) -> Iterator[TestClient]:
    with client_for(app_for(leeds_url)) as client:
        yield client


def _bearer(db: Database, code: str = "LTHT") -> dict[str, str]:
    issued = issue_api_token(
        db.unit_of_work(), CONSOLE, organisation_code=code, name="case system",
        permissions=["agreements:read"],
    )  # fmt: skip
    return {"Authorization": f"Bearer {issued.token}"}


def _stored(db: Database) -> None:
    agreements.import_agreement(db.unit_of_work(), TEXT, "hd.yaml", requester=CONSOLE)


def test_the_register_and_an_agreement_are_public(api: TestClient, db: Database) -> None:
    _stored(db)

    listed = api.get("/api/v1/agreements", params={"party": "LCC", "as_at": "2003-09-01"})
    assert listed.status_code == 200
    assert [a["reference"] for a in listed.json()] == [HOSPITAL_DISCHARGE]
    assert listed.json()[0]["status"] == "proposed"

    one = api.get(f"/api/v1/agreements/{HOSPITAL_DISCHARGE}", params={"as_at": "2003-09-01"})
    assert one.status_code == 200
    body = one.json()
    assert body["agreement"]["title"] == "Hospital discharge planning"
    assert body["versions"] == [1]
    # LCC had not approved the protocol in the pack's record (Procedure C1).
    assert any(f["rule_id"] == "ISA004" and f["clause"] == "Procedure C1" for f in body["findings"])
    assert body["errors"] >= 1


def test_export_and_document(api: TestClient, db: Database) -> None:
    _stored(db)
    exported = api.get(f"/api/v1/agreements/{HOSPITAL_DISCHARGE}/yaml")
    assert exported.status_code == 200
    assert exported.headers["content-type"].startswith("application/yaml")
    assert parse_agreement(exported.text, "x.yaml").agreement.reference == HOSPITAL_DISCHARGE

    pdf = api.get(f"/api/v1/agreements/{HOSPITAL_DISCHARGE}/document.pdf")
    assert pdf.status_code == 200
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF-")


def test_an_unknown_agreement_is_404_problem(api: TestClient) -> None:
    response = api.get("/api/v1/agreements/LEEDS-ISA-1999-001")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/problem+json")
    assert "`LEEDS-ISA-1999-001`" in response.json()["detail"]


def test_a_bad_status_filter_is_422(api: TestClient) -> None:
    response = api.get("/api/v1/agreements", params={"status": "live"})
    assert response.status_code == 422
    assert response.json()["field"] == "status"


def test_changes_need_a_token_and_agreements_manage(
    api: TestClient, db: Database, leeds_url: str
) -> None:
    body = {"file_name": "hd.yaml", "yaml": TEXT}
    before = row_counts(leeds_url)
    assert api.post("/api/v1/agreements", json=body).status_code == 401

    refused = api.post("/api/v1/agreements", json=body, headers=_bearer(db))
    assert refused.status_code == 403
    assert refused.json()["type"].endswith("/permission-denied")
    after = row_counts(leeds_url)
    assert after["agreements"] == before["agreements"]


def test_activation_refused_is_409_with_every_reason(api: TestClient, db: Database) -> None:
    # The web and CLI are where changes are made today; the refusal's shape is the same.
    _stored(db)
    for organisation, name, post, on in signatures("hospital-discharge.yaml"):
        agreements.sign(
            db.unit_of_work(), HOSPITAL_DISCHARGE, organisation=organisation, name=name,
            post=post, signed_on=on, requester=CONSOLE,
        )  # fmt: skip
    with pytest.raises(AgreementNotReadyError) as caught:
        agreements.activate(
            db.unit_of_work(), HOSPITAL_DISCHARGE, today=date(2003, 4, 1), requester=CONSOLE
        )
    problem = problem_for_error(caught.value, "/api/v1/agreements/x/activate")
    assert problem.status == 409
    assert problem.code == "agreement-not-ready"
    assert problem.errors is not None
    assert any("ISA004" in e.detail for e in problem.errors)


def test_adoption_and_procedures_are_public(api: TestClient) -> None:
    adoption = api.get("/api/v1/adoption")
    assert adoption.status_code == 200
    rows = {r["organisation"]: r for r in adoption.json()}
    assert rows["LTHT"]["approved_on"] is not None
    assert rows["LCC"]["approved_on"] is None

    table = api.get("/api/v1/procedures")
    assert table.status_code == 200
    assert len(table.json()["procedures"]) == 20
    assert all(c is None for c in table.json()["rows"][0]["confirmations"].values())


def test_the_contacts_directory_needs_a_token(api: TestClient, db: Database) -> None:
    create_staff(
        db.unit_of_work(), organisation_code="LTHT", name="Anne Whitaker",
        email="a.whitaker@ltht.example.nhs.uk", job_title="Caldicott Guardian",
        roles=["designated-officer"],
    )  # fmt: skip
    assert api.get("/api/v1/contacts").status_code == 401

    officers = api.get("/api/v1/organisations/LTHT/designated-officers", headers=_bearer(db))
    assert officers.status_code == 200
    assert [o["name"] for o in officers.json()] == ["Anne Whitaker"]


# An administrator may issue `agreements:manage` to a party's information-governance system;
# it acts only for its own party (docs/security.md).


def _governance(db: Database, code: str) -> dict[str, str]:
    issued = issue_api_token(
        db.unit_of_work(), CONSOLE, organisation_code=code, name=f"{code} governance",
        permissions=["agreements:read", "agreements:manage"],
    )  # fmt: skip
    return {"Authorization": f"Bearer {issued.token}"}


def _unchanged(before: dict[str, int], after: dict[str, int]) -> None:
    """Nothing but the access log's entry for the refusal was written."""
    assert {t: n for t, n in after.items() if t != "access_log"} == {
        t: n for t, n in before.items() if t != "access_log"
    }
    assert after["access_log"] == before["access_log"] + 1


def test_a_governance_token_takes_an_agreement_through_its_life(
    api: TestClient, db: Database
) -> None:
    adopt_all(db)
    ltht, lcc = _governance(db, "LTHT"), _governance(db, "LCC")
    draft = {
        "file_name": "hd.yaml",
        "yaml": unsigned(example_text("hospital-discharge.yaml"), "draft"),
    }

    imported = api.post("/api/v1/agreements", json=draft, headers=ltht)
    assert imported.status_code == 201, imported.text
    assert imported.json()["status"] == "draft"

    proposed = api.post(f"/api/v1/agreements/{HOSPITAL_DISCHARGE}/propose", headers=ltht)
    assert proposed.status_code == 200, proposed.text
    assert proposed.json()["status"] == "proposed"

    (_, l_name, l_post, l_on), (_, c_name, c_post, c_on) = signatures("hospital-discharge.yaml")
    signed = api.post(
        f"/api/v1/agreements/{HOSPITAL_DISCHARGE}/sign", headers=ltht,
        json={"organisation": "LTHT", "name": l_name, "post": l_post, "signed_on": str(l_on)},
    )  # fmt: skip
    assert signed.status_code == 200, signed.text
    assert {p["organisation"]: p["signed"] for p in signed.json()["parties"]} == {
        "LTHT": True,
        "LCC": False,
    }

    signed = api.post(
        f"/api/v1/agreements/{HOSPITAL_DISCHARGE}/sign", headers=lcc,
        json={"organisation": "LCC", "name": c_name, "post": c_post, "signed_on": str(c_on)},
    )  # fmt: skip
    assert signed.status_code == 200, signed.text
    assert signed.json()["status"] == "signed"

    active = api.post(
        f"/api/v1/agreements/{HOSPITAL_DISCHARGE}/activate",
        params={"as_at": "2003-04-01"},
        headers=lcc,
    )
    assert active.status_code == 200, active.text
    assert active.json()["status"] == "active"


def test_a_governance_token_cannot_sign_for_another_party(
    api: TestClient, db: Database, leeds_url: str
) -> None:
    adopt_all(db)
    _stored(db)
    (_, c_name, c_post, c_on) = signatures("hospital-discharge.yaml")[1]
    for code in ("LTHT", "WYP"):
        before = row_counts(leeds_url)
        refused = api.post(
            f"/api/v1/agreements/{HOSPITAL_DISCHARGE}/sign", headers=_governance(db, code),
            json={"organisation": "LCC", "name": c_name, "post": c_post, "signed_on": str(c_on)},
        )  # fmt: skip
        assert refused.status_code == 403, refused.text
        assert refused.json()["type"].endswith("/permission-denied")
        assert f"`{code}`" in refused.json()["detail"]
        after = row_counts(leeds_url)
        _unchanged({**before, "api_tokens": after["api_tokens"]}, after)

    detail = api.get(f"/api/v1/agreements/{HOSPITAL_DISCHARGE}").json()
    assert [s["signed_at"] for s in detail["agreement"]["signatories"]] == [None, None]
    assert [h["action"] for h in detail["history"]] == ["import"]


def test_a_party_not_concerned_cannot_propose_or_activate(
    api: TestClient, db: Database, leeds_url: str
) -> None:
    adopt_all(db)
    _stored(db)
    wyp = _governance(db, "WYP")
    before = row_counts(leeds_url)
    refused = api.post(
        f"/api/v1/agreements/{HOSPITAL_DISCHARGE}/activate",
        params={"as_at": "2003-04-01"},
        headers=wyp,
    )
    assert refused.status_code == 403
    _unchanged(before, row_counts(leeds_url))


def test_a_governance_token_records_its_own_partys_adoption_only(
    api: TestClient, db: Database, leeds_url: str
) -> None:
    body = {"approved_on": "2002-11-27", "approving_body": "Executive Board"}
    before = row_counts(leeds_url)
    refused = api.post("/api/v1/adoption/LCC", json=body, headers=_governance(db, "LTHT"))
    assert refused.status_code == 403
    after = row_counts(leeds_url)
    _unchanged({**before, "api_tokens": after["api_tokens"]}, after)

    recorded = api.post("/api/v1/adoption/LCC", json=body, headers=_governance(db, "LCC"))
    assert recorded.status_code == 200, recorded.text
    assert recorded.json()["approved_on"] == "2002-11-27"


def test_a_governance_token_sets_its_own_partys_contacts_only(
    api: TestClient, db: Database, leeds_url: str
) -> None:
    create_staff(
        db.unit_of_work(), organisation_code="LTHT", name="Anne Whitaker",
        email="a.whitaker@ltht.example.nhs.uk", job_title="Caldicott Guardian",
        roles=["designated-officer"],
    )  # fmt: skip
    details = {"telephone": "0113 243 3144", "hours": "Mon-Fri 9-5"}
    url = "/api/v1/contacts/a.whitaker@ltht.example.nhs.uk"
    before = row_counts(leeds_url)
    refused = api.put(url, json=details, headers=_governance(db, "LCC"))
    assert refused.status_code == 403
    after = row_counts(leeds_url)
    _unchanged({**before, "api_tokens": after["api_tokens"]}, after)

    updated = api.put(url, json=details, headers=_governance(db, "LTHT"))
    assert updated.status_code == 200, updated.text
    assert updated.json()["telephone"] == "0113 243 3144"


@pytest.fixture
def sharing_url(
    request: pytest.FixtureRequest, database_templates: DatabaseTemplates
) -> Iterator[str]:
    yield from database_templates.copy(
        request, getattr(request, "param", "sqlite"), SHARING, build_sharing_world
    )


@pytest.mark.parametrize(
    "sharing_url", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)],
    indirect=True,
)  # fmt: skip
def test_what_if_replays_recent_requests_through_a_candidate(sharing_url: str) -> None:
    db = open_database(sharing_url)
    try:
        yesterday = datetime.now(UTC) - timedelta(days=1)
        done = disclosures.disclose(db, staff(SOCIAL_WORKER), care_request(), now=yesterday)
        reference = done.decision.isa_reference
        assert done.decision.outcome == "permit"
        assert reference is not None
        isa = parse_agreement(agreements.export_agreement(db.unit_of_work(), reference), "x")
        current = isa.agreement
        rows = [
            r.model_copy(update={"categories": [c for c in r.categories if c != "physical-health"]})
            if r.organisation == "LCC" else r
            for r in current.need_to_know
        ]  # fmt: skip
        candidate = current.model_copy(
            update={"version": current.version + 1, "need_to_know": rows}
        )
        agreements.import_agreement(
            db.unit_of_work(), unsigned(dump_agreement(candidate), "draft"), "v2.yaml",
            requester=CONSOLE,
        )  # fmt: skip
        lcc, wyp = _governance(db, "LCC"), _governance(db, "WYP")
    finally:
        db.dispose()
    url = f"/api/v1/agreements/{reference}/versions/{candidate.version}/what-if"
    with client_for(app_for(sharing_url)) as api:
        assert api.get(url).status_code == 401
        refused = api.get(url, headers=wyp)
        assert refused.status_code == 403
        assert refused.json()["type"].endswith("/permission-denied")
        assert api.get(url, params={"days": 0}, headers=lcc).status_code == 422
        in_force = f"/api/v1/agreements/{reference}/versions/{current.version}/what-if"
        conflict = api.get(in_force, headers=lcc)
        assert conflict.status_code == 409
        assert conflict.json()["type"].endswith("/agreement-state")

        answer = api.get(url, headers=lcc)
        assert answer.status_code == 200, answer.text
        body = answer.json()
        assert (body["replayed"], body["unchanged"], body["days"]) == (1, 0, 30)
        [change] = body["changes"]
        assert change["source_id"] == str(done.disclosure_id)
        assert change["categories"] == [
            {"category": "physical-health", "before": "permitted", "after": "withheld"}
        ]
        assert body["limits"]
