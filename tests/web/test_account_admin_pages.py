"""An administrator manages their organisation's accounts through the pages (Procedure B1).

Each test runs on SQLite and PostgreSQL against a copy of the small accounts world: the
administrator of LTHT signs in (with their second factor) and works on LTHT's accounts; LCC's
and WYP's accounts are out of reach.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from infoshare.services.access_log import Outcome, recent_entries
from infoshare.services.accounts import get_account
from infoshare.services.database import open_database
from tests.support.accounts_world import PEOPLE, TEMPLATE, build_world
from tests.support.databases import DatabaseTemplates, row_counts
from tests.web.accessibility import problems
from tests.web.signing_in import form_token, https_client, sign_in

LINK = re.compile(r"https://testserver/(account/set-password/[A-Za-z0-9_-]+)")
NEW_PASSWORD = "a brand new passphrase for ines"


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def world_url(
    request: pytest.FixtureRequest, database_templates: DatabaseTemplates
) -> Iterator[str]:
    yield from database_templates.copy(request, request.param, TEMPLATE, build_world)


@pytest.fixture
def admin(world_url: str) -> Iterator[TestClient]:
    with https_client(world_url) as client:
        assert sign_in(client, "administrator").status_code == 303
        yield client


def _account_id(url: str, who: str) -> str:
    db = open_database(url)
    try:
        return str(get_account(db.unit_of_work(), PEOPLE[who].email).id)
    finally:
        db.dispose()


def _denials(url: str) -> list[str]:
    db = open_database(url)
    try:
        return [e.action for e in recent_entries(db.unit_of_work(), outcome=Outcome.DENIED)]
    finally:
        db.dispose()


def _post(client: TestClient, path: str, data: dict[str, object] | None = None) -> object:
    token = form_token(client.get("/accounts").text)
    return client.post(path, data={"csrf_token": token, **(data or {})}, follow_redirects=False)


def test_the_list_shows_only_the_organisations_own_accounts(admin: TestClient) -> None:
    page = admin.get("/accounts")
    assert page.status_code == 200
    assert PEOPLE["designated-officer"].email in page.text
    assert PEOPLE["lcc-practitioner"].email not in page.text
    assert PEOPLE["wyp-practitioner"].email not in page.text
    assert 'href="/accounts"' in page.text  # the navigation shows the page to administrators
    assert problems(page.text) == []


def test_other_roles_are_refused_and_the_refusal_logged(world_url: str) -> None:
    with https_client(world_url) as client:
        sign_in(client, "practitioner")
        assert 'href="/accounts"' not in client.get("/account").text
        refused = client.get("/accounts")
        assert refused.status_code == 403
        assert "accounts:manage" in refused.text
    assert _denials(world_url) == ["accounts:manage"]


def test_another_partys_account_is_not_found_and_the_attempt_logged(
    admin: TestClient, world_url: str
) -> None:
    other = _account_id(world_url, "lcc-practitioner")
    assert admin.get(f"/accounts/{other}").status_code == 404
    before = row_counts(world_url)
    assert _post(admin, f"/accounts/{other}/disable").status_code == 404  # type: ignore[attr-defined]
    after = row_counts(world_url)
    assert after.pop("access_log") == before.pop("access_log") + 1
    assert after == before
    assert _denials(world_url) == ["accounts:manage", "accounts:manage"]


def test_a_new_account_signs_in_once_its_link_has_set_a_password(
    admin: TestClient, world_url: str
) -> None:
    made = _post(
        admin,
        "/accounts",
        {
            "name": "Ines Nurse",
            "email": "Ines.Nurse@ltht.example",
            "job_title": "Staff nurse",
            "role": ["practitioner"],
        },
    )
    assert made.status_code == 200  # type: ignore[attr-defined]
    text = made.text  # type: ignore[attr-defined]
    assert "Send this first sign-in link to Ines Nurse" in text
    match = LINK.search(text)
    assert match is not None
    assert "ines.nurse@ltht.example" in admin.get("/accounts").text
    assert LINK.search(admin.get("/accounts").text) is None  # shown once

    with https_client(world_url) as person:
        page = person.get("/" + match.group(1))
        assert page.status_code == 200
        assert problems(page.text) == []
        mismatch = person.post(
            "/" + match.group(1),
            data={
                "password": NEW_PASSWORD,
                "confirm": "something else entirely",
                "csrf_token": form_token(page.text),
            },
        )
        assert mismatch.status_code == 422
        done = person.post(
            "/" + match.group(1),
            data={
                "password": NEW_PASSWORD,
                "confirm": NEW_PASSWORD,
                "csrf_token": form_token(page.text),
            },
        )
        assert done.status_code == 200
        assert "Your password is set" in done.text
        again = person.get("/" + match.group(1))
        assert again.status_code == 404
        assert "has been used" in again.text
        sign_in_page = person.get("/sign-in")
        signed = person.post(
            "/sign-in",
            data={
                "email": "ines.nurse@ltht.example",
                "password": NEW_PASSWORD,
                "csrf_token": form_token(sign_in_page.text),
            },
            follow_redirects=False,
        )
        assert signed.status_code == 303
        assert signed.headers["location"] == "/service-users"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"name": "x" * 201}, "the name has 201 characters; use at most 200"),
        ({"role": ["wizard"]}, "unknown role <code>wizard</code>"),
        ({"email": "not an address"}, "is not an email address"),
        ({"email": PEOPLE["lcc-practitioner"].email}, "is already in the staff directory"),
        ({"job_title": ""}, "the job title is empty"),
    ],
)
def test_bad_input_is_refused_precisely_and_nothing_changes(
    admin: TestClient, world_url: str, data: dict[str, object], message: str
) -> None:
    form: dict[str, object] = {
        "name": "Jo Bloggs",
        "email": "jo.bloggs@ltht.example",
        "job_title": "Nurse",
        "role": ["practitioner"],
    } | data
    before = row_counts(world_url)
    answer = _post(admin, "/accounts", form)
    assert answer.status_code in (409, 422)  # type: ignore[attr-defined]
    assert message in answer.text  # type: ignore[attr-defined]
    assert row_counts(world_url) == before


def test_changing_roles_ends_the_persons_sessions(admin: TestClient, world_url: str) -> None:
    with https_client(world_url) as person:
        sign_in(person, "practitioner")
        assert person.get("/service-users").status_code == 200
        account = _account_id(world_url, "practitioner")
        saved = _post(admin, f"/accounts/{account}/roles", {"role": ["lead-member"]})
        assert saved.status_code == 200  # type: ignore[attr-defined]
        assert "Lead member" in saved.text  # type: ignore[attr-defined]
        assert person.get("/service-users", follow_redirects=False).status_code == 401
        sign_in(person, "practitioner")
        assert person.get("/service-users").status_code == 403


def test_disabling_ends_every_session_and_enabling_lets_them_back(
    admin: TestClient, world_url: str
) -> None:
    account = _account_id(world_url, "practitioner")
    with https_client(world_url) as person:
        sign_in(person, "practitioner")
        disabled = _post(admin, f"/accounts/{account}/disable")
        assert "every session it had has ended" in disabled.text  # type: ignore[attr-defined]
        assert person.get("/service-users", follow_redirects=False).status_code == 401
        assert sign_in(person, "practitioner").status_code == 401
        _post(admin, f"/accounts/{account}/enable")
        assert sign_in(person, "practitioner").status_code == 303
    db = open_database(world_url)
    try:
        changes = recent_entries(db.unit_of_work(), outcome=Outcome.CHANGED)
    finally:
        db.dispose()
    assert [(c.actor, c.what, c.why) for c in changes] == [
        (PEOPLE["administrator"].email, f"the account of `{PEOPLE['practitioner'].email}`", why)
        for why in ("enabled", "disabled")
    ]


def test_an_administrator_cannot_lock_themself_out(admin: TestClient, world_url: str) -> None:
    own = _account_id(world_url, "administrator")
    refused = _post(admin, f"/accounts/{own}/disable")
    assert refused.status_code == 422  # type: ignore[attr-defined]
    assert "you cannot disable your own account" in refused.text  # type: ignore[attr-defined]


def _own_roles(url: str) -> tuple[str, ...]:
    db = open_database(url)
    try:
        return get_account(db.unit_of_work(), PEOPLE["administrator"].email).roles
    finally:
        db.dispose()


def test_an_administrator_cannot_give_themself_a_role(admin: TestClient, world_url: str) -> None:
    # Procedure A5: a designated officer approves sharing without consent; one person may not
    # make themselves one. Another administrator must.
    own = _account_id(world_url, "administrator")
    before = _own_roles(world_url)
    refused = _post(
        admin, f"/accounts/{own}/roles", {"role": ["designated-officer"], "administrator": "yes"}
    )
    assert refused.status_code == 403  # type: ignore[attr-defined]
    assert "you cannot change the roles on your own account" in refused.text  # type: ignore[attr-defined]
    assert _own_roles(world_url) == before
    assert "designated-officer" not in before
    assert _denials(world_url) == ["accounts:manage"]


def test_an_administrator_cannot_reset_their_own_second_factor(
    admin: TestClient, world_url: str
) -> None:
    own = _account_id(world_url, "administrator")
    refused = _post(admin, f"/accounts/{own}/reset-second-factor")
    assert refused.status_code == 403  # type: ignore[attr-defined]
    assert "reset the second factor on your own account" in refused.text  # type: ignore[attr-defined]
    assert _denials(world_url) == ["accounts:manage"]
    # Nothing was reset: the administrator is still signed in and may go on.
    assert admin.get("/accounts").status_code == 200


def test_resetting_a_second_factor_makes_the_person_enrol_again(
    admin: TestClient, world_url: str
) -> None:
    account = _account_id(world_url, "designated-officer")
    page = admin.get(f"/accounts/{account}")
    assert problems(page.text) == []
    reset = _post(admin, f"/accounts/{account}/reset-second-factor")
    assert "sets up a new one at next sign-in" in reset.text  # type: ignore[attr-defined]
    with https_client(world_url) as person:
        page = person.get("/sign-in")
        answer = person.post(
            "/sign-in",
            data={
                "email": PEOPLE["designated-officer"].email,
                "password": "correct horse battery staple",
                "csrf_token": form_token(page.text),
            },
            follow_redirects=False,
        )
        assert answer.headers["location"] == "/account/second-factor"


def test_a_newer_password_link_voids_the_older(admin: TestClient, world_url: str) -> None:
    account = _account_id(world_url, "lead-member")
    first = LINK.search(_post(admin, f"/accounts/{account}/password-link").text)  # type: ignore[attr-defined]
    second = LINK.search(_post(admin, f"/accounts/{account}/password-link").text)  # type: ignore[attr-defined]
    assert first is not None
    assert second is not None
    with https_client(world_url) as person:
        assert person.get("/" + first.group(1)).status_code == 404
        assert person.get("/" + second.group(1)).status_code == 200


def test_a_form_without_its_token_changes_nothing(admin: TestClient, world_url: str) -> None:
    account = _account_id(world_url, "practitioner")
    before = row_counts(world_url)
    refused = admin.post(f"/accounts/{account}/disable", data={})
    assert refused.status_code == 403
    after = row_counts(world_url)
    assert after.pop("access_log") == before.pop("access_log") + 1
    assert after == before


def test_administration_is_granted_only_by_its_own_checkbox(
    admin: TestClient, world_url: str
) -> None:
    account = _account_id(world_url, "lead-member")
    page = admin.get(f"/accounts/{account}").text
    assert page.count(">Administrator (manages accounts and API tokens)</label>") == 1
    saved = _post(admin, f"/accounts/{account}/roles", {"role": ["lead-member", "administrator"]})
    assert "<dd>Lead member</dd>" in saved.text  # type: ignore[attr-defined]
    saved = _post(
        admin, f"/accounts/{account}/roles", {"role": ["lead-member"], "administrator": "yes"}
    )
    assert "<dd>Administrator, Lead member</dd>" in saved.text  # type: ignore[attr-defined]


@pytest.mark.parametrize("who", [*(k for k in PEOPLE if not k.startswith(("lcc", "wyp"))), None])
def test_only_administrators_reach_the_accounts_pages(world_url: str, who: str | None) -> None:
    """The route matrix for these pages: every role of LTHT, and nobody signed in."""
    expected = 200 if who == "administrator" else 401 if who is None else 403
    target = _account_id(world_url, "practitioner")
    with https_client(world_url) as client:
        if who is not None:
            sign_in(client, who)
        for path in ("/accounts", f"/accounts/{target}"):
            assert client.get(path, follow_redirects=False).status_code == expected, path
    refusals = 0 if expected == 200 else 2
    assert len(_denials(world_url)) == refusals
