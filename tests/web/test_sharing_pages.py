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
