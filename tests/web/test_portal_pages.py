"""The portal's pages: invite, redeem, sign in, read the report, withdraw, sign out.

Principle 12 and 8 on the page: the person sees what was shared, not what is kept from them,
and is told on what ground it is withheld. Procedure B1: the portal's session and the staff
session never reach each other's pages, forms need their token, and bad input changes
nothing. Every page passes the accessibility checks that HTML alone allows.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from infoshare.services.consent import consent_history
from infoshare.services.database import open_database
from infoshare.services.service_users import find_by_nhs_number
from tests.support.accounts_world import PASSWORD
from tests.support.databases import DatabaseTemplates
from tests.support.portal_world import (
    CONFIDENTIAL_CONTENT,
    PORTAL_EMAIL,
    TEMPLATE,
    build_portal_world,
)
from tests.support.sharing_world import AMARA, BRIAN
from tests.web.accessibility import problems
from tests.web.signing_in import form_token, https_client, sign_in

CODE = re.compile(r'<span class="secret">([A-Z0-9-]+)</span>')


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def world_url(
    request: pytest.FixtureRequest, database_templates: DatabaseTemplates
) -> Iterator[str]:
    yield from database_templates.copy(request, request.param, TEMPLATE, build_portal_world)


def _id_of(url: str, nhs_number: str) -> str:
    db = open_database(url)
    try:
        return str(find_by_nhs_number(db.unit_of_work(), nhs_number).id)
    finally:
        db.dispose()


def portal_sign_in(client: TestClient, email: str = PORTAL_EMAIL, password: str = PASSWORD):  # type: ignore[no-untyped-def]
    page = client.get("/portal/sign-in")
    return client.post(
        "/portal/sign-in",
        data={"email": email, "password": password, "csrf_token": form_token(page.text)},
        follow_redirects=False,
    )


def test_staff_invite_and_the_person_redeems_and_reads_their_report(world_url: str) -> None:
    brian = _id_of(world_url, BRIAN)
    with https_client(world_url) as staff:
        assert sign_in(staff, "practitioner").status_code == 303
        page = staff.get(f"/service-users/{brian}")
        invited = staff.post(
            f"/service-users/{brian}/portal-invitation",
            data={"csrf_token": form_token(page.text)},
        )
        assert invited.status_code == 200
        assert problems(invited.text) == []
        match = CODE.search(invited.text)
        assert match is not None
        code = match.group(1)
    with https_client(world_url) as home:
        form = home.get(f"/portal/redeem?code={code}")
        assert f'value="{code}"' in form.text
        assert problems(form.text) == []
        done = home.post(
            "/portal/redeem",
            data={
                "code": code,
                "email": "brian@home.example",
                "password": PASSWORD,
                "password_again": PASSWORD,
                "csrf_token": form_token(form.text),
            },
            follow_redirects=False,
        )
        assert (done.status_code, done.headers["location"]) == (303, "/portal")
        report = home.get("/portal")
        assert report.status_code == 200
        assert "Brian Holt" in report.text
        assert problems(report.text) == []


def test_the_report_withholds_the_confidential_item_and_names_its_ground(world_url: str) -> None:
    with https_client(world_url) as home:
        assert portal_sign_in(home).status_code == 303
        report = home.get("/portal")
    assert report.status_code == 200
    text = report.text
    assert "Leeds City Council" in text
    assert "Social care needs" in text or "social care" in text.lower()
    assert "Physical health" not in text
    assert CONFIDENTIAL_CONTENT not in text
    assert "1 item withheld from you under" in text
    assert problems(text) == []
    with https_client(world_url) as home:
        assert portal_sign_in(home).status_code == 303
        pdf = home.get("/portal/report.pdf")
    assert pdf.status_code == 200
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")


def test_a_wrong_password_is_401_with_the_form_again(world_url: str) -> None:
    with https_client(world_url) as home:
        response = portal_sign_in(home, password="not the password at all")
    assert response.status_code == 401
    assert "not right" in response.text


def test_staff_sessions_do_not_reach_the_portal_nor_portal_sessions_staff_pages(
    world_url: str,
) -> None:
    with https_client(world_url) as staff:
        assert sign_in(staff, "practitioner").status_code == 303
        refused = staff.get("/portal", follow_redirects=False)
        assert refused.status_code == 401
        assert 'href="/portal/sign-in"' in refused.text
    with https_client(world_url) as home:
        assert portal_sign_in(home).status_code == 303
        assert home.get("/service-users", follow_redirects=False).status_code == 401
        assert home.get("/account", follow_redirects=False).status_code == 401


def test_the_person_withdraws_their_consent_from_the_portal(world_url: str) -> None:
    db = open_database(world_url)
    try:
        [consent] = consent_history(db.unit_of_work(), AMARA).consents
    finally:
        db.dispose()
    with https_client(world_url) as home:
        assert portal_sign_in(home).status_code == 303
        page = home.get(f"/portal/consents/{consent.id}/withdraw")
        assert page.status_code == 200
        assert problems(page.text) == []
        unconfirmed = home.post(
            f"/portal/consents/{consent.id}/withdraw",
            data={"csrf_token": form_token(page.text)},
        )
        assert unconfirmed.status_code == 422
        forged = home.post(
            f"/portal/consents/{consent.id}/withdraw", data={"confirm": "yes", "csrf_token": "x"}
        )
        assert forged.status_code == 403
        done = home.post(
            f"/portal/consents/{consent.id}/withdraw",
            data={"confirm": "yes", "reason": "I moved", "csrf_token": form_token(page.text)},
            follow_redirects=False,
        )
        assert done.status_code == 303
        report = home.get("/portal")
        assert "Withdrawn" in report.text
        receipt = home.get(f"/portal/consents/{consent.id}/receipt")
        assert receipt.status_code == 200
        assert problems(receipt.text) == []


def test_signing_out_ends_the_portal_session(world_url: str) -> None:
    with https_client(world_url) as home:
        assert portal_sign_in(home).status_code == 303
        report = home.get("/portal")
        token = re.search(
            r'action="/portal/sign-out"[^>]*>\s*<input type="hidden" name="csrf_token" '
            r'value="([^"]+)"',
            report.text,
        )
        assert token is not None
        out = home.post(
            "/portal/sign-out", data={"csrf_token": token.group(1)}, follow_redirects=False
        )
        assert out.status_code == 303
        assert home.get("/portal", follow_redirects=False).status_code == 401


def test_a_visit_without_a_session_is_told_which_door_to_sign_in_at_and_logged(
    world_url: str,
) -> None:
    from infoshare.services.access_log import Outcome, recent_entries

    with https_client(world_url) as visitor:
        portal = visitor.get("/portal", follow_redirects=False)
        staff = visitor.get("/service-users", follow_redirects=False)
    assert (portal.status_code, staff.status_code) == (401, 401)
    assert "sign in to the portal to see this page" in portal.text
    assert "sign in to see this page" in staff.text
    db = open_database(world_url)
    try:
        denied = recent_entries(db.unit_of_work(), outcome=Outcome.DENIED)
    finally:
        db.dispose()
    assert {(d.action, d.what) for d in denied} >= {
        ("portal-sign-in-required", "page `/portal`"),
        ("sign-in-required", "page `/service-users`"),
    }
