"""The objections and restrictions page of a service user: record one, see it, lift it; each
page accessible, each form behind CSRF, only for staff of a party holding the person
(Principles 4, 5; Procedure B1)."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from infoshare.services.database import open_database
from infoshare.services.service_users import find_by_nhs_number
from tests.support.databases import DatabaseTemplates
from tests.support.sharing_world import (
    AMARA,
    POLICE_OFFICER,
    PRACTITIONER,
    TEMPLATE,
    build_sharing_world,
)
from tests.web.accessibility import problems
from tests.web.signing_in import form_token, https_client
from tests.web.test_sharing_pages import sign_in_as

OBJECTION = {
    "kind": "objection",
    "recipients": ["LCC"],
    "note": "I do not want the council told",
    "stated_at": "2026-01-05T09:00",
}


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def world_url(
    request: pytest.FixtureRequest, database_templates: DatabaseTemplates
) -> Iterator[str]:
    yield from database_templates.copy(request, request.param, TEMPLATE, build_sharing_world)


def amara_id(url: str) -> str:
    db = open_database(url)
    try:
        return str(find_by_nhs_number(db.unit_of_work(), AMARA).id)
    finally:
        db.dispose()


def test_record_an_objection_then_lift_it(world_url: str) -> None:
    person = amara_id(world_url)
    with https_client(world_url) as client:
        sign_in_as(client, PRACTITIONER)
        home = client.get(f"/service-users/{person}")
        assert f"/service-users/{person}/objections" in home.text
        page = client.get(f"/service-users/{person}/objections")
        assert page.status_code == 200
        assert problems(page.text) == []
        assert "None recorded." in page.text

        made = client.post(
            f"/service-users/{person}/objections",
            data={**OBJECTION, "csrf_token": form_token(page.text)},
            follow_redirects=False,
        )
        assert made.status_code == 303, made.text
        page = client.get(made.headers["location"])
        assert "I do not want the council told" in page.text
        assert "in force" in page.text
        assert problems(page.text) == []

        (objection_id,) = re.findall(r'action="/objections/([0-9a-f-]+)/end"', page.text)
        lifted = client.post(
            f"/objections/{objection_id}/end",
            data={
                "at": "2026-01-05T09:30",
                "reason": "She agreed after all",
                "service_user_id": person,
                "csrf_token": form_token(page.text),
            },
            follow_redirects=False,
        )
        assert lifted.status_code == 303, lifted.text
        page = client.get(lifted.headers["location"])
        assert "She agreed after all" in page.text
        assert "Lift this objection" not in page.text


def test_a_restriction_without_categories_is_shown_again_with_the_problem(
    world_url: str,
) -> None:
    person = amara_id(world_url)
    with https_client(world_url) as client:
        sign_in_as(client, PRACTITIONER)
        page = client.get(f"/service-users/{person}/objections")
        answer = client.post(
            f"/service-users/{person}/objections",
            data={
                **OBJECTION,
                "kind": "restriction",
                "ground": "court-order",
                "csrf_token": form_token(page.text),
            },
        )
        assert answer.status_code == 422
        assert "data categories it withholds" in answer.text
        assert "I do not want the council told" in answer.text  # what was typed is kept
        assert problems(answer.text) == []
        assert "None recorded." in answer.text


def test_the_form_needs_its_token(world_url: str) -> None:
    person = amara_id(world_url)
    with https_client(world_url) as client:
        sign_in_as(client, PRACTITIONER)
        refused = client.post(f"/service-users/{person}/objections", data=OBJECTION)
        assert refused.status_code == 403


def test_staff_of_a_party_not_holding_the_person_see_nothing(world_url: str) -> None:
    person = amara_id(world_url)
    with https_client(world_url) as client:
        sign_in_as(client, POLICE_OFFICER)
        assert client.get(f"/service-users/{person}/objections").status_code == 404
