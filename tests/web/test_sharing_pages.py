"""The sharing pages: "May I share?" asked and turned into a disclosure, what the recipient
party sees, and a designated officer approving a referral; each page accessible, each form
behind CSRF (Procedures A5, A7; Principles 7, 8, 10)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from httpx import Response

from tests.support.accounts_world import PASSWORD, code_at
from tests.support.databases import DatabaseTemplates
from tests.support.sharing_world import (
    AMARA,
    CHLOE,
    LCC_OFFICER,
    POLICE_OFFICER,
    SOCIAL_WORKER,
    TEMPLATE,
    build_sharing_world,
)
from tests.web.accessibility import problems
from tests.web.signing_in import form_token, https_client


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def world_url(
    request: pytest.FixtureRequest, database_templates: DatabaseTemplates
) -> Iterator[str]:
    yield from database_templates.copy(request, request.param, TEMPLATE, build_sharing_world)


def sign_in_as(client: TestClient, email: str, *, second_factor: bool = False) -> None:
    page = client.get("/sign-in")
    response = client.post(
        "/sign-in",
        data={"email": email, "password": PASSWORD, "csrf_token": form_token(page.text)},
        follow_redirects=False,
    )
    if second_factor:
        page = client.get("/sign-in/second-factor")
        response = client.post(
            "/sign-in/second-factor",
            data={"code": code_at(datetime.now(UTC)), "csrf_token": form_token(page.text)},
            follow_redirects=False,
        )
    assert response.status_code == 303, response.text


CARE_FORM = {
    "provider": "LTHT",
    "recipient": "LCC",
    "nhs_number": AMARA,
    "category": ["identity", "physical-health"],
    "purpose": "care",
    "basis": "consent",
    "transfer_method": "email",
}


def ask(client: TestClient, form: dict[str, object]) -> Response:
    page = client.get("/share")
    assert page.status_code == 200
    assert problems(page.text) == []
    return client.post("/share", data={**form, "csrf_token": form_token(page.text)})


def test_may_i_share_then_disclose_and_the_recipient_sees_it(world_url: str) -> None:
    with https_client(world_url) as client:
        sign_in_as(client, SOCIAL_WORKER)
        answer = ask(client, CARE_FORM)
        assert answer.status_code == 200
        assert "The answer: " in answer.text
        assert "Procedure A4" in answer.text
        assert problems(answer.text) == []
        made = client.post(
            "/share/disclose",
            data={
                **CARE_FORM,
                "content-identity": "Amara Okafor, 2 Hyde Park Road",
                "content-physical-health": "Hip fracture; mobile with a frame",
                "nature-physical-health": "both",
                "csrf_token": form_token(answer.text),
            },
            follow_redirects=False,
        )
        assert made.status_code == 303, made.text
        page = client.get(made.headers["location"])
        assert page.status_code == 200
        assert "Hip fracture" in page.text
        assert problems(page.text) == []
        listed = client.get("/disclosures")
        assert made.headers["location"] in listed.text
        assert problems(listed.text) == []


def test_a_form_without_its_token_is_refused(world_url: str) -> None:
    with https_client(world_url) as client:
        sign_in_as(client, SOCIAL_WORKER)
        response = client.post("/share", data=CARE_FORM)
        assert response.status_code == 403


def test_empty_justification_is_shown_as_a_problem(world_url: str) -> None:
    with https_client(world_url) as client:
        sign_in_as(client, POLICE_OFFICER)
        answer = ask(
            client,
            {
                **CARE_FORM,
                "provider": "LCC",
                "recipient": "WYP",
                "purpose": "crime",
                "basis": "statutory",
                "legal_ground": "dpa-1998-s29",
                "justification": "",
            },
        )
        assert answer.status_code == 422
        assert "justification" in answer.text
        assert problems(answer.text) == []


def test_a_designated_officer_approves_a_police_referral(world_url: str) -> None:
    police_form = {
        "provider": "LCC",
        "recipient": "WYP",
        "nhs_number": CHLOE,
        "category": ["identity"],
        "purpose": "crime",
        "basis": "statutory",
        "legal_ground": "dpa-1998-s29",
        "justification": "Investigating an assault on a child",
        "transfer_method": "verbal",
        "officer_name": "Wes Police",
        "rank": "Detective Constable",
        "information_needed": "Her name and address",
        "why_needed": "To interview her as a witness",
        "prejudice_statement": "yes",
        "content-identity": "Chloe Adeyemi",
    }
    with https_client(world_url) as client:
        sign_in_as(client, POLICE_OFFICER)
        page = client.get("/share")
        sent = client.post(
            "/share/disclose",
            data={**police_form, "csrf_token": form_token(page.text)},
            follow_redirects=False,
        )
        assert sent.status_code == 303, sent.text
        referral = sent.headers["location"]
        assert referral.startswith("/referrals/")
    with https_client(world_url) as client:
        sign_in_as(client, LCC_OFFICER, second_factor=True)
        pending = client.get("/referrals")
        assert referral in pending.text
        assert problems(pending.text) == []
        page = client.get(referral)
        assert "Detective Constable" in page.text
        assert problems(page.text) == []
        approved = client.post(
            referral,
            data={
                "decision": "approve",
                "reason": "s.29: prejudice to the investigation",
                "csrf_token": form_token(page.text),
            },
            follow_redirects=False,
        )
        assert approved.status_code == 303, approved.text
        assert re.match(r"/disclosures/[0-9a-f-]{36}$", approved.headers["location"])
        shown = client.get(approved.headers["location"])
        assert "Chloe Adeyemi" in shown.text


def test_a_role_that_may_not_share_is_refused_before_its_form_is_read(world_url: str) -> None:
    # Procedure B1: a lead member may not share; whether the form is complete or empty,
    # the answer is 403, the attempt is in the access log, and nothing is recorded.
    from tests.support.databases import row_counts
    from tests.support.sharing_world import PEOPLE

    before = row_counts(world_url)
    with https_client(world_url) as client:
        sign_in_as(client, PEOPLE["lead-member"].email)
        token = form_token(client.get("/account").text)
        complete = {**CARE_FORM, "content-identity": "Amara Okafor", "csrf_token": token}
        for path, form in [
            ("/share/disclose", complete),
            ("/share/disclose", {"csrf_token": token}),
            ("/share", {"csrf_token": token}),
        ]:
            response = client.post(path, data=form)
            assert response.status_code == 403, (path, response.text)
            assert "disclosures:make" in response.text
    after = row_counts(world_url)
    for table in ("disclosures", "referrals", "decision_requests"):
        assert after[table] == before[table], table
    assert after["access_log"] - before["access_log"] >= 3


def test_what_may_go_goes_and_the_page_links_the_referral_of_the_rest(world_url: str) -> None:
    # Brian's consent to EDL covers identity and education; child protection needs a
    # designated officer (Procedure A5): the disclosure page says so and links the referral.
    from infoshare.services.consent import record_consent
    from infoshare.services.database import open_database
    from tests.services.consent_builders import consent_draft
    from tests.support.sharing_world import BRIAN

    database = open_database(world_url)
    try:
        record_consent(
            database.unit_of_work(),
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
    finally:
        database.dispose()
    form = {
        "provider": "EDL",
        "recipient": "LCC",
        "nhs_number": BRIAN,
        "category": ["identity", "education", "child-protection"],
        "purpose": "protection",
        "basis": "statutory",
        "legal_ground": "ca-1989-s47",
        "justification": "asking the parents first may put the child at further risk",
        "transfer_method": "verbal",
        "content-identity": "Brian Holt",
        "content-education": "Attends Park Primary",
        "content-child-protection": "Bruising seen on Monday",
    }
    with https_client(world_url) as client:
        sign_in_as(client, SOCIAL_WORKER)
        page = client.get("/share")
        made = client.post(
            "/share/disclose",
            data={**form, "csrf_token": form_token(page.text)},
            follow_redirects=False,
        )
        assert made.status_code == 303, made.text
        found = re.fullmatch(
            r"/disclosures/[0-9a-f-]{36}\?referral=([0-9a-f-]{36})", made.headers["location"]
        )
        assert found is not None, made.headers["location"]
        shown = client.get(made.headers["location"])
        assert shown.status_code == 200
        assert f'href="/referrals/{found.group(1)}"' in shown.text
        assert "Attends Park Primary" in shown.text
        assert "Bruising" not in shown.text
        assert problems(shown.text) == []
