"""The ISA register, an agreement's page and document, adoption and contacts pages.

Public pages pass the accessibility checks; the contacts directory needs sign-in; a lead
member signs for their own party through a form with its anti-forgery token, and an
activation the lint refuses is answered with every reason.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import pytest
from fastapi.testclient import TestClient

from infoshare.domain.agreement_yaml import dump_agreement, parse_agreement
from infoshare.services import agreements, contacts, disclosures
from infoshare.services.access_log import CONSOLE
from infoshare.services.database import Database, open_database
from tests.services.agreement_files import HOSPITAL_DISCHARGE, example_text, unsigned
from tests.services.test_disclosures import care_request
from tests.support.accounts_world import PEOPLE, TEMPLATE, build_world
from tests.support.databases import DatabaseTemplates
from tests.support.sharing_world import SOCIAL_WORKER, build_sharing_world, staff
from tests.support.sharing_world import TEMPLATE as SHARING
from tests.web.accessibility import problems
from tests.web.signing_in import form_token, https_client, sign_in

PAGE = f"/agreements/{HOSPITAL_DISCHARGE}"


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def world_url(
    request: pytest.FixtureRequest, database_templates: DatabaseTemplates
) -> Iterator[str]:
    yield from database_templates.copy(request, request.param, TEMPLATE, build_world)


@pytest.fixture
def db(world_url: str) -> Iterator[Database]:
    database = open_database(world_url)
    agreements.import_agreement(
        database.unit_of_work(), unsigned(example_text("hospital-discharge.yaml")), "hd.yaml",
        requester=CONSOLE,
    )  # fmt: skip
    yield database
    database.dispose()


@pytest.fixture
def client(world_url: str, db: Database) -> Iterator[TestClient]:
    with https_client(world_url) as client:
        yield client


@pytest.mark.parametrize(
    "path",
    [
        "/agreements",
        "/agreements?party=LCC&status=proposed",
        "/agreements?review_due=yes",
        PAGE,
        f"{PAGE}?as_at=2003-09-01",
        f"{PAGE}/document",
        "/adoption",
    ],
)
def test_public_pages_answer_without_sign_in_and_pass_the_checks(
    client: TestClient, path: str
) -> None:
    response = client.get(path)
    assert response.status_code == 200
    assert problems(response.text) == []


def test_the_register_filters(client: TestClient) -> None:
    assert "Hospital discharge planning" in client.get("/agreements?party=LTHT").text
    assert "Hospital discharge planning" not in client.get("/agreements?party=WYP").text
    assert "No agreement matches." in client.get("/agreements?status=active").text


def test_the_agreement_page_shows_the_lint_and_links_its_document(client: TestClient) -> None:
    page = client.get(f"{PAGE}?as_at=2003-09-01").text
    assert "ISA004" in page
    assert "Procedure C1" in page
    assert "1 error" in page
    assert f'href="{PAGE}/document?version=1"' in page
    assert f'href="{PAGE}/document.pdf?version=1"' in page

    document = client.get(f"{PAGE}/document").text
    for heading in ("Summary sheet", "Purpose", "Partners", "Powers", "Process",
                    "Data quality", "Complaints and breaches", "Subject access",
                    "Freedom of information", "Signatures"):  # fmt: skip
        assert heading in document
    assert 'href="/agreement-document.css"' in document
    assert client.get("/agreement-document.css").headers["content-type"].startswith("text/css")

    pdf = client.get(f"{PAGE}/document.pdf")
    assert pdf.status_code == 200
    assert pdf.content.startswith(b"%PDF-")


def test_adoption_page_shows_approvals_and_procedures(client: TestClient) -> None:
    page = client.get("/adoption").text
    assert page.count("Awaiting approval") == 3
    assert "of 20" in page


def test_the_contacts_directory_needs_sign_in(client: TestClient, db: Database) -> None:
    assert client.get("/contacts").status_code == 401
    contacts.set_contact_details(
        db.unit_of_work(), PEOPLE["designated-officer"].email, telephone="0113 496 0001",
        requester=CONSOLE,
    )  # fmt: skip
    sign_in(client, "lead-member")
    page = client.get("/contacts")
    assert page.status_code == 200
    assert problems(page.text) == []
    assert "0113 496 0001" in page.text
    assert PEOPLE["designated-officer"].email in page.text


def test_a_lead_member_signs_for_their_own_party(client: TestClient) -> None:
    assert sign_in(client, "lead-member").status_code == 303
    page = client.get(PAGE).text
    assert "Sign for LTHT" in page
    response = client.post(
        f"{PAGE}/sign",
        data={
            "version": "1", "name": "Anne Whitaker", "post": "Caldicott Guardian",
            "signed_on": "2003-03-18", "csrf_token": form_token(page),
        },
        follow_redirects=False,
    )  # fmt: skip
    assert response.status_code == 303
    after = client.get(PAGE).text
    assert "Sign for LTHT" not in after
    assert "signed by Anne Whitaker, Caldicott Guardian, for LTHT" in after


def test_a_form_without_its_token_is_refused(client: TestClient) -> None:
    sign_in(client, "lead-member")
    response = client.post(
        f"{PAGE}/sign",
        data={"version": "1", "name": "A W", "post": "CG", "signed_on": "2003-03-18"},
        follow_redirects=False,
    )
    assert response.status_code == 403


def test_a_practitioner_sees_no_forms_and_is_refused(client: TestClient) -> None:
    sign_in(client, "practitioner")
    page = client.get(PAGE).text
    assert "Sign for" not in page
    response = client.post(
        f"{PAGE}/sign",
        data={
            "version": "1", "name": "P", "post": "Nurse", "signed_on": "2003-03-18",
            "csrf_token": form_token(page),
        },
        follow_redirects=False,
    )  # fmt: skip
    assert response.status_code == 403


def test_activation_refused_by_the_lint_is_a_page_with_the_reason(
    client: TestClient, db: Database
) -> None:
    for code, name in (("LTHT", "Anne Whitaker"), ("LCC", "Peter Ackroyd")):
        agreements.sign(
            db.unit_of_work(), HOSPITAL_DISCHARGE, organisation=code, name=name,
            post="Caldicott Guardian", signed_on=date(2003, 3, 24), requester=CONSOLE,
        )  # fmt: skip
    sign_in(client, "lead-member")
    page = client.get(PAGE).text
    assert "Activate the agreement" in page
    response = client.post(
        f"{PAGE}/activate", data={"version": "1", "csrf_token": form_token(page)},
        follow_redirects=False,
    )  # fmt: skip
    assert response.status_code == 409
    assert "cannot be activated" in response.text


def test_signed_in_pages_with_forms_pass_the_checks(client: TestClient, db: Database) -> None:
    agreements.sign(
        db.unit_of_work(), HOSPITAL_DISCHARGE, organisation="LTHT", name="A W", post="CG",
        signed_on=date(2003, 3, 18), requester=CONSOLE,
    )  # fmt: skip
    sign_in(client, "lead-member")
    for path in ("/agreements", PAGE, "/adoption", "/agreements/new", "/contacts"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert problems(response.text) == [], path
    assert 'href="/agreements/new"' in client.get("/agreements").text


def test_a_lead_member_adds_an_agreement_from_the_form(client: TestClient) -> None:
    sign_in(client, "lead-member")
    page = client.get("/agreements/new").text
    text = unsigned(example_text("housing-support-warnings.yaml"))
    response = client.post(
        "/agreements/new",
        data={"file_name": "housing.yaml", "text": text, "csrf_token": form_token(page)},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/agreements/LEEDS-ISA-2003-005?version=1"
    bad = client.post(
        "/agreements/new",
        data={"file_name": "bad.yaml", "text": "title: [", "csrf_token": form_token(page)},
    )
    assert bad.status_code == 422
    assert "bad.yaml:2" in bad.text


def test_a_lead_member_confirms_a_procedure_and_terminates_an_agreement(
    client: TestClient,
) -> None:
    sign_in(client, "lead-member")
    page = client.get("/adoption").text
    assert "Confirm a procedure for LTHT" in page
    assert "Record LTHT" not in page  # LTHT approved the protocol in July 2002
    response = client.post(
        "/adoption/confirmations",
        data={
            "procedure": "B7", "confirmed_on": "2003-02-03",
            "evidence": "Need-to-know policy IG-7", "csrf_token": form_token(page),
        },
        follow_redirects=False,
    )  # fmt: skip
    assert response.status_code == 303
    assert "Need-to-know policy IG-7" in client.get("/adoption").text

    page = client.get(PAGE).text
    response = client.post(
        f"{PAGE}/terminate",
        data={"version": "1", "reason": "Replaced", "csrf_token": form_token(page)},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert "Terminated" in client.get(PAGE).text


def _contact_form(client: TestClient) -> str:
    page = client.get("/contacts")
    assert page.status_code == 200
    assert problems(page.text) == []
    return page.text


def test_a_lead_member_sets_how_to_reach_their_partys_staff(client: TestClient) -> None:
    sign_in(client, "lead-member")
    page = _contact_form(client)
    assert "How to reach LTHT" in page
    officer = PEOPLE["designated-officer"].email
    response = client.post(
        "/contacts/details",
        data={
            "email": officer, "telephone": "0113 496 0002", "secure_email": "",
            "hours": "Monday to Friday, 9am to 5pm", "csrf_token": form_token(page),
        },
        follow_redirects=False,
    )  # fmt: skip
    assert response.status_code == 303
    after = _contact_form(client)
    assert "Telephone: 0113 496 0002" in after
    assert "Monday to Friday, 9am to 5pm" in after

    bad = client.post(
        "/contacts/details",
        data={"email": officer, "telephone": "call reception", "csrf_token": form_token(after)},
    )
    assert bad.status_code == 422
    assert "<code>call reception</code> is not a telephone number" in bad.text
    assert "Telephone: 0113 496 0002" in client.get("/contacts").text

    forged = client.post(
        "/contacts/details",
        data={"email": officer, "telephone": "0113 000 0000"},
        follow_redirects=False,
    )
    assert forged.status_code == 403
    assert "0113 000 0000" not in client.get("/contacts").text


def test_the_administrator_sets_contacts_and_a_practitioner_may_not(
    client: TestClient, db: Database
) -> None:
    officer = PEOPLE["designated-officer"].email
    sign_in(client, "practitioner")
    page = _contact_form(client)
    assert "How to reach LTHT" not in page
    refused = client.post(
        "/contacts/details",
        data={"email": officer, "telephone": "0113 496 0003", "csrf_token": form_token(page)},
        follow_redirects=False,
    )
    assert refused.status_code == 403
    listed = contacts.contacts_directory(db.unit_of_work(), organisation="LTHT")
    assert all(c.telephone is None for c in listed)

    assert sign_in(client, "administrator").status_code == 303
    admin = client
    page = _contact_form(admin)
    assert "How to reach LTHT" in page
    saved = admin.post(
        "/contacts/details",
        data={"email": officer, "telephone": "0113 496 0003", "csrf_token": form_token(page)},
        follow_redirects=False,
    )
    assert saved.status_code == 303
    assert "Telephone: 0113 496 0003" in admin.get("/contacts").text


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
def test_a_candidate_versions_page_shows_what_would_change(sharing_url: str) -> None:
    db = open_database(sharing_url)
    try:
        yesterday = datetime.now(UTC) - timedelta(days=1)
        done = disclosures.disclose(db, staff(SOCIAL_WORKER), care_request(), now=yesterday)
        reference = done.decision.isa_reference
        assert reference is not None
        current = parse_agreement(
            agreements.export_agreement(db.unit_of_work(), reference), "x"
        ).agreement
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
    finally:
        db.dispose()
    page_url = f"/agreements/{reference}?version={candidate.version}"
    with https_client(sharing_url) as client:
        assert "What would change" not in client.get(page_url).text
        sign_in(client, "lead-member")
        page = client.get(page_url)
        assert page.status_code == 200
        assert problems(page.text) == []
        assert "What would change" in page.text
        assert "1 would be decided differently, 0 would not" in page.text
        assert "physical-health: permitted → withheld" in page.text
        assert client.get(f"{page_url}&days=0").status_code == 422
        # The version in force has no such section.
        in_force = client.get(f"/agreements/{reference}?version={current.version}").text
        assert "What would change" not in in_force
