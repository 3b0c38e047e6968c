"""The consent pages (Appendix 4, Procedures A1–A3): the form is exactly the record, records,
refuses bad input without storing it, prints, makes a PDF, withdraws, assesses capacity.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from infoshare.services.access_log import Outcome, recent_entries
from infoshare.services.consent import ConsentDraft, consent_history
from infoshare.services.database import Database, open_database
from infoshare.services.service_users import find_by_nhs_number
from infoshare.web.consent_form import FIELD_NAMES, draft_from_form, form_values, input_names
from tests.services.consent_builders import ADULT, consent_draft
from tests.support.accounts_world import TEMPLATE, build_world
from tests.support.databases import DatabaseTemplates, row_counts
from tests.web.accessibility import parse, problems
from tests.web.signing_in import form_token, https_client, sign_in


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
    with https_client(world_url) as client:
        assert sign_in(client, "practitioner").status_code == 303
        yield client


def _controls(html: str) -> set[str]:
    return {
        e.attrs["name"]
        for e in parse(html)
        if e.tag in {"input", "select", "textarea"} and e.attrs.get("name") != "csrf_token"
    }


def _post_data(draft: ConsentDraft) -> dict[str, list[str] | str]:
    """``draft`` as the browser would post the form filled in with it."""
    values = form_values(draft)
    data: dict[str, list[str] | str] = {}
    for name, value in values.items():
        if name == "exclusions":
            for index, group in enumerate(value):
                for part in ("recipients", "data_categories", "purposes"):
                    data[f"exclusions-{index}-{part}"] = list(group[part])
                data[f"exclusions-{index}-note"] = group["note"]
        elif isinstance(value, bool):
            data[name] = "yes" if value else "no"
        else:
            data[name] = value
    return data


def test_the_form_has_exactly_the_records_fields() -> None:
    assert sorted(FIELD_NAMES) == sorted(ConsentDraft.model_fields)


def test_the_page_shows_exactly_the_forms_fields_and_is_accessible(client: TestClient) -> None:
    page = client.get("/consents/new")
    assert page.status_code == 200
    assert _controls(page.text) == input_names(2)
    assert problems(page.text) == []
    assert len([e for e in parse(page.text) if e.tag == "fieldset"]) >= 9


def test_a_filled_form_reads_back_as_the_record() -> None:
    draft = consent_draft(exclusions=[{"recipients": ["WYP"], "note": "never the police"}])
    data = {k: v if isinstance(v, list) else [v] for k, v in _post_data(draft).items()}
    read = draft_from_form(data)
    assert read.model_dump(exclude={"obtained_at"}) == draft.model_dump(exclude={"obtained_at"})
    assert read.obtained_at == draft.obtained_at


def test_recording_through_the_form_then_history_withdraw_and_receipt(
    client: TestClient, db: Database
) -> None:
    person = find_by_nhs_number(db.unit_of_work(), ADULT)
    page = client.get(f"/consents/new?service_user={person.id}")
    assert f'value="{ADULT}"' in page.text
    data = _post_data(consent_draft(exclusions=[{"recipients": ["WYP"]}]))
    response = client.post(
        "/consents/new",
        data={**data, "csrf_token": form_token(page.text)},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    assert response.headers["location"] == f"/service-users/{person.id}/consents"
    stored = consent_history(db.unit_of_work(), ADULT).consents
    assert len(stored) == 1
    assert stored[0].exclusions[0].recipients == ["WYP"]

    history = client.get(response.headers["location"])
    assert history.status_code == 200
    assert problems(history.text) == []
    assert "Amara" in history.text
    withdraw_link = f"/consents/{stored[0].id}/withdraw"
    assert withdraw_link in history.text

    form = client.get(withdraw_link)
    assert problems(form.text) == []
    unconfirmed = client.post(
        withdraw_link,
        data={"at": "2025-12-01T09:00", "method": "verbal-recorded",
              "csrf_token": form_token(form.text)},
    )  # fmt: skip
    assert unconfirmed.status_code == 422
    assert "confirm" in unconfirmed.text
    done = client.post(
        withdraw_link,
        data={"at": "2025-12-01T09:00", "method": "verbal-recorded", "confirm": "yes",
              "csrf_token": form_token(form.text)},
        follow_redirects=False,
    )  # fmt: skip
    assert done.status_code == 303
    assert consent_history(db.unit_of_work(), ADULT).consents[0].status == "withdrawn"

    receipt = client.get(f"/consents/{stored[0].id}/receipt")
    assert receipt.status_code == 200
    assert "Withdrawn" in receipt.text
    assert problems(receipt.text) == []


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"purposes": ["gossip"]}, "gossip"),
        ({"nhs_number": "9434765918"}, "check digit"),
        ({"valid_from": "2025-11-10T00:00", "valid_until": "2025-11-09T00:00"}, "not after"),
        ({"obtained_at": "2099-01-01T00:00", "review_date": ""}, "after now"),
        ({"decided_by": "representative"}, "representative"),
    ],
)
def test_bad_input_shows_the_form_again_and_stores_nothing(
    client: TestClient, world_url: str, change: dict[str, object], message: str
) -> None:
    page = client.get("/consents/new")
    data = {**_post_data(consent_draft()), **change, "csrf_token": form_token(page.text)}
    before = row_counts(world_url)
    response = client.post("/consents/new", data=data)
    assert response.status_code == 422
    assert "There is a problem" in response.text
    assert message in response.text
    assert problems(response.text) == []
    assert row_counts(world_url) == before


def test_a_form_without_its_token_is_refused(client: TestClient, world_url: str) -> None:
    before = row_counts(world_url)["consents"]
    response = client.post("/consents/new", data=_post_data(consent_draft()))
    assert response.status_code == 403
    assert row_counts(world_url)["consents"] == before


def test_recording_for_another_party_is_refused(client: TestClient, world_url: str) -> None:
    page = client.get("/consents/new")
    data = _post_data(consent_draft(obtained_by_organisation="LCC"))
    response = client.post("/consents/new", data={**data, "csrf_token": form_token(page.text)})
    assert response.status_code == 403
    assert row_counts(world_url)["consents"] == 0


def test_the_printable_form_and_pdf_blank_and_filled(client: TestClient, db: Database) -> None:
    blank = client.get("/consents/form")
    assert blank.status_code == 200
    assert _controls(blank.text) == input_names(2)
    assert problems(blank.text) == []
    pdf = client.get("/consents/form.pdf")
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")

    page = client.get("/consents/new")
    draft = consent_draft(exclusions=[{"data_categories": ["mental-health"]}])
    client.post("/consents/new", data={**_post_data(draft), "csrf_token": form_token(page.text)})
    consent = consent_history(db.unit_of_work(), ADULT).consents[0]
    filled = client.get(f"/consents/{consent.id}/form")
    assert filled.status_code == 200
    assert re.search(r'id="purposes-care"[^>]*checked', filled.text)
    assert re.search(r'id="exclusions-0-data_categories-mental-health"[^>]*checked', filled.text)
    assert 'value="Sam Okafor"' in filled.text
    filled_pdf = client.get(f"/consents/{consent.id}/form.pdf")
    assert filled_pdf.content.startswith(b"%PDF")
    assert filled_pdf.content != pdf.content


def test_a_capacity_assessment_is_recorded_through_its_form(
    client: TestClient, db: Database
) -> None:
    person = find_by_nhs_number(db.unit_of_work(), ADULT)
    url = f"/service-users/{person.id}/capacity-assessments/new"
    page = client.get(url)
    assert page.status_code == 200
    assert problems(page.text) == []
    response = client.post(
        url,
        data={"purposes": ["care"], "data_categories": ["mental-health"], "kind": "capacity",
              "outcome": "lacks-capacity", "reasons": "could not retain the information",
              "assessed_by": "Dr Reid", "assessed_by_organisation": "LTHT",
              "assessed_at": "2025-12-01T10:00", "csrf_token": form_token(page.text)},
        follow_redirects=False,
    )  # fmt: skip
    assert response.status_code == 303, response.text
    assessments = consent_history(db.unit_of_work(), ADULT).assessments
    assert [a.outcome for a in assessments] == ["lacks-capacity"]


def test_another_partys_person_is_not_found_and_logged(client: TestClient, db: Database) -> None:
    wyp_only = find_by_nhs_number(db.unit_of_work(), "9876543210")
    response = client.get(f"/service-users/{wyp_only.id}/consents")
    assert response.status_code == 404
    denied = recent_entries(db.unit_of_work(), outcome=Outcome.DENIED)
    assert denied[0].service_user_id == wyp_only.id
