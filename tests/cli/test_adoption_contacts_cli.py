"""``infoshare isa adopt|confirm`` (Procedures C1, C3) and ``infoshare contacts`` (A6)."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from typer.testing import CliRunner

from infoshare.cli.main import app
from infoshare.services.access_log import CONSOLE
from infoshare.services.contacts import set_contact_details
from infoshare.services.database import open_database
from infoshare.services.setup import initialise
from infoshare.services.staff import create_staff
from tests.support.databases import DatabaseTemplates, row_counts

runner = CliRunner()
LEAD = "l.marsh@lcc.example.gov.uk"


@pytest.fixture(autouse=True)
def _development(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INFOSHARE_ENVIRONMENT", "development")
    monkeypatch.delenv("INFOSHARE_DATABASE_URL", raising=False)
    monkeypatch.delenv("INFOSHARE_PACK", raising=False)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def url(request: pytest.FixtureRequest, database_templates: DatabaseTemplates) -> Iterator[str]:
    yield from database_templates.copy(
        request, request.param, "leeds-2002", lambda u: initialise(u, "leeds-2002")
    )


def run(url: str, *args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, [*args, "--db", url])
    return result.exit_code, result.stdout, result.stderr


def _staff(url: str) -> None:
    db = open_database(url)
    try:
        create_staff(
            db.unit_of_work(), organisation_code="LCC", name="Lesley Marsh", email=LEAD,
            job_title="Executive Member, Social Care", roles=["lead-member"],
        )  # fmt: skip
        create_staff(
            db.unit_of_work(), organisation_code="LTHT", name="Anne Whitaker",
            email="a.whitaker@ltht.example.nhs.uk", job_title="Caldicott Guardian",
            roles=["designated-officer"],
        )  # fmt: skip
        set_contact_details(
            db.unit_of_work(), "a.whitaker@ltht.example.nhs.uk", telephone="0113 243 3144",
            hours="Monday to Friday, 9am to 5pm", requester=CONSOLE,
        )  # fmt: skip
    finally:
        db.dispose()


def test_adopt_then_confirm_a_procedure(url: str) -> None:
    _staff(url)
    code, out, err = run(
        url, "isa", "adopt", "LCC", "--on", "2002-11-27", "--body", "Executive Board",
        "--minute", "EB/2002/114",
    )  # fmt: skip
    assert code == 0, err
    assert out.strip() == (
        "LCC (Leeds City Council) approved the protocol on 2002-11-27 by Executive Board, "
        "minute EB/2002/114"
    )
    code, out, err = run(
        url, "isa", "confirm", "LCC", "A5", "--by", LEAD, "--on", "2003-01-10",
        "--evidence", "Designated officers named in policy SS-12",
    )  # fmt: skip
    assert code == 0, err
    assert out.strip() == "LCC: Procedure A5 confirmed by Lesley Marsh on 2003-01-10"

    # A recorded approval is evidence: a different one is refused and changes nothing.
    before = row_counts(url)
    code, _, err = run(
        url, "isa", "adopt", "LCC", "--on", "2002-12-01", "--body", "Full Council"
    )  # fmt: skip
    assert code != 0
    assert "LCC" in err
    assert row_counts(url) == before


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["isa", "adopt", "LCC", "--on", "27/11/2002", "--body", "Board"], "27/11/2002"),
        (["isa", "adopt", "XYZ", "--on", "2002-11-27", "--body", "Board"], "XYZ"),
        (
            ["isa", "confirm", "LCC", "Z9", "--by", LEAD, "--on", "2003-01-10", "--evidence", "x"],
            "Z9",
        ),
        (
            ["isa", "confirm", "LCC", "A5", "--by", LEAD, "--on", "2003-01-10", "--evidence", " "],
            "evidence",
        ),
    ],
)
def test_bad_input_is_refused_precisely_and_changes_nothing(
    url: str, args: list[str], needle: str
) -> None:
    _staff(url)
    before = row_counts(url)
    code, _, err = run(url, *args)
    assert code != 0
    assert needle in err
    assert row_counts(url) == before


def test_contacts_prints_the_directory_and_filters_it(url: str) -> None:
    _staff(url)
    code, out, err = run(url, "contacts")
    assert code == 0, err
    lines = out.splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("LCC ")
    assert "Lesley Marsh (Executive Member, Social Care): " + LEAD in lines[0]
    assert "tel 0113 243 3144; Monday to Friday, 9am to 5pm" in lines[1]

    code, out, _ = run(url, "contacts", "--organisation", "LTHT", "--role", "designated-officer")
    assert code == 0
    assert [line.split()[0] for line in out.splitlines()] == ["LTHT"]

    code, out, _ = run(url, "contacts", "--role", "lead-member", "--json")
    assert [e["email"] for e in json.loads(out)] == [LEAD]

    code, _, err = run(url, "contacts", "--role", "caretaker")
    assert code != 0
    assert "caretaker" in err
