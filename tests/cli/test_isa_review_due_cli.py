"""``infoshare isa review-due``: the review sweep from the command line, for cron (Section 4.4)."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from typer.testing import CliRunner

from infoshare.cli.main import app
from tests.support.databases import DatabaseTemplates, row_counts
from tests.support.sharing_world import TEMPLATE, build_sharing_world

runner = CliRunner()


@pytest.fixture(autouse=True)
def _development(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INFOSHARE_ENVIRONMENT", "development")
    monkeypatch.delenv("INFOSHARE_DATABASE_URL", raising=False)
    monkeypatch.delenv("INFOSHARE_PACK", raising=False)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def url(request: pytest.FixtureRequest, database_templates: DatabaseTemplates) -> Iterator[str]:
    yield from database_templates.copy(request, request.param, TEMPLATE, build_sharing_world)


def test_review_due_marks_what_has_come_due_once(url: str) -> None:
    first = runner.invoke(app, ["isa", "review-due", "--today", "2004-03-31", "--db", url])
    assert first.exit_code == 0, first.output
    lines = first.output.splitlines()
    assert [line.split()[3] for line in lines[:-1]] == [
        "LEEDS-ISA-2003-001",
        "LEEDS-ISA-2003-004",
        "LEEDS-ISA-2003-007",
    ]
    assert all("review-due" in line for line in lines[:-1])
    assert lines[-1] == "3 agreements now due for review"

    again = runner.invoke(app, ["isa", "review-due", "--today", "2004-03-31", "--db", url])
    assert again.exit_code == 0, again.output
    assert again.output == "0 agreements now due for review\n"

    listed = runner.invoke(app, ["isa", "list", "--status", "review-due", "--db", url])
    assert "3 agreements" in listed.output


def test_review_due_as_json(url: str) -> None:
    done = runner.invoke(
        app, ["isa", "review-due", "--today", "2004-04-30", "--format", "json", "--db", url]
    )
    assert done.exit_code == 0, done.output
    moved = json.loads(done.output)
    assert [(m["reference"], m["status"]) for m in moved] == [
        ("LEEDS-ISA-2003-001", "review-due"),
        ("LEEDS-ISA-2003-002", "review-due"),
        ("LEEDS-ISA-2003-004", "review-due"),
        ("LEEDS-ISA-2003-007", "review-due"),
    ]


def test_a_bad_date_is_refused_and_changes_nothing(url: str) -> None:
    before = row_counts(url)
    done = runner.invoke(app, ["isa", "review-due", "--today", "31/03/2004", "--db", url])
    assert done.exit_code != 0
    assert "--today" in done.output
    assert row_counts(url) == before
