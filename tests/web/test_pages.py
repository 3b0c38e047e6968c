"""The public home page (section 4.2): the protocol for anyone, with no sign-in."""

from __future__ import annotations

import re
from datetime import date

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from infoshare.api.security_headers import SECURITY_HEADERS
from infoshare.protocol.loader import load_builtin_pack
from infoshare.services.database import open_database
from infoshare.services.organisations import record_adoption
from tests.api.running_app import PACK
from tests.web.accessibility import parse, problems

CODES = [
    "LTHT", "LMHST", "WLPCT", "NWLPCT", "NELPCT", "ELPCT", "SLPCT", "LCC", "EDL", "WYP",
    "WYPROB", "WYMAS", "LCHC", "VOICE", "SUCA", "ANL",
]  # fmt: skip


@pytest.fixture
def home(client: TestClient) -> str:
    client.cookies.clear()
    response = client.get("/")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    return response.text


def _table_rows(html: str, caption_starts: str) -> list[str]:
    """The row headers of the table whose caption starts with ``caption_starts``."""
    elements = parse(html)
    table = next(
        c.parents[-1]
        for c in elements
        if c.tag == "caption" and c.text.strip().startswith(caption_starts)
    )
    return [
        e.text.strip()
        for e in elements
        if e.tag == "th" and e.attrs.get("scope") == "row" and table in e.parents
    ]


def test_home_shows_every_organisation_with_its_adoption(home: str) -> None:
    pack = load_builtin_pack(PACK)
    parties = _table_rows(home, "The parties")
    supporting = _table_rows(home, "The supporting members")

    assert len(parties) == 10
    assert len(supporting) == 6
    rows = parties + supporting
    for code, row in zip(CODES, rows, strict=True):
        organisation = pack.organisation(code)
        assert organisation.name in row
        assert f"({code})" in row
    assert "7 of 10 parties have approved the protocol" in home
    assert home.count("Awaiting approval") == 3
    assert home.count(">Approved</span>") == 7
    # Supporting members support the protocol; only parties adopt it (section 1.2).
    assert home.count("adoption is for the parties") == 6
    ltht = pack.organisation("LTHT").adoption
    assert ltht is not None
    assert f"on {ltht.approved_on.day} {ltht.approved_on:%B %Y}" in home


def test_home_shows_the_purposes_principles_and_procedures(home: str) -> None:
    pack = load_builtin_pack(PACK)

    purposes = _table_rows(home, "The 10 purposes")
    assert purposes == [p.title for p in pack.purposes]
    assert len(re.findall(r'<li id="p\d+">', home)) == 15
    for principle in pack.principles:
        assert f"{principle.citation}: {principle.title}" in home
    procedure_ids = re.findall(r'<div id="([abc]\d)">', home)
    assert len(procedure_ids) == 20
    assert procedure_ids == [p.id.lower() for p in pack.procedures]
    for letter in "ABC":
        assert f"<h3>Section {letter}: " in home
    assert "Not needed: anonymised only" in home


def test_home_shows_the_protocol_title_and_date(home: str) -> None:
    pack = load_builtin_pack(PACK)
    h1 = [e.text.strip() for e in parse(home) if e.tag == "h1"]

    assert h1 == [pack.pack.title]
    assert '<time datetime="2002-10-01">1 October 2002</time>' in home


def test_home_needs_no_sign_in_and_sets_no_cookie(client: TestClient) -> None:
    client.cookies.clear()
    response = client.get("/", follow_redirects=False)

    assert response.status_code == 200
    assert "set-cookie" not in response.headers
    # Staff find a "Sign in" link in the header, but the page itself asks for nothing.
    assert 'name="password"' not in response.text
    assert "you do not need to sign in to read it" in response.text


def test_home_shows_an_adoption_recorded_after_the_pack_was_loaded(
    client: TestClient, leeds_url: str
) -> None:
    db = open_database(leeds_url)
    try:
        record_adoption(
            db.unit_of_work(),
            "EDL",
            approved_on=date(2002, 10, 23),
            approving_body="Board of Education Leeds",
        )
    finally:
        db.dispose()

    home = client.get("/").text

    assert "8 of 10 parties have approved the protocol" in home
    assert "on 23 October 2002" in home
    assert "by Board of Education Leeds" in home


def test_home_passes_the_accessibility_checks(home: str) -> None:
    assert problems(home) == []


def test_home_carries_the_security_headers(client: TestClient) -> None:
    response = client.get("/")

    for name, value in SECURITY_HEADERS.items():
        assert response.headers[name] == value


def test_the_stylesheet_is_served_from_this_site(client: TestClient, home: str) -> None:
    stylesheets = [e.attrs["href"] for e in parse(home) if e.tag == "link"]
    assert stylesheets == ["/static/infoshare.css"]

    css = client.get("/static/infoshare.css")

    assert css.status_code == 200
    assert css.headers["content-type"].startswith("text/css")
    assert ":focus-visible" in css.text
    assert "@import" not in css.text
    assert "url(http" not in css.text


def test_an_unknown_page_is_an_accessible_html_404(bare_app: FastAPI) -> None:
    with TestClient(bare_app) as client:
        response = client.get("/no-such-page")

    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert "Not found" in response.text
    assert problems(response.text) == []


def test_home_before_init_says_to_run_init(migrated_database_url: str) -> None:
    from tests.api.running_app import app_for, client_for

    with client_for(app_for(migrated_database_url)) as client:
        response = client.get("/")

    assert response.status_code == 503
    assert response.headers["content-type"].startswith("text/html")
    assert "run <code>infoshare init</code>" in response.text
    assert problems(response.text) == []
