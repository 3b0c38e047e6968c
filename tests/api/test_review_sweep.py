"""The review sweep while serving (Section 4.4): ``infoshare serve`` sweeps before it listens,
the application every INFOSHARE_REVIEW_SWEEP_MINUTES after that, and building it changes
nothing by itself."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from typer.testing import CliRunner

from infoshare.api import review_sweep
from infoshare.cli import serve
from infoshare.cli.main import app
from infoshare.domain.agreement import IsaStatus
from infoshare.services import agreements
from infoshare.services.database import Database, open_database
from tests.support.databases import DatabaseTemplates
from tests.support.sharing_world import TEMPLATE, build_sharing_world

#: the sharing world's agreements in force, every one long past its review date today
ACTIVE = {
    "LEEDS-ISA-2003-001",
    "LEEDS-ISA-2003-002",
    "LEEDS-ISA-2003-003",
    "LEEDS-ISA-2003-004",
    "LEEDS-ISA-2003-007",
}


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def url(request: pytest.FixtureRequest, database_templates: DatabaseTemplates) -> Iterator[str]:
    yield from database_templates.copy(request, request.param, TEMPLATE, build_sharing_world)


@pytest.fixture
def database(url: str) -> Iterator[Database]:
    opened = open_database(url)
    try:
        yield opened
    finally:
        opened.dispose()


def _due(database: Database) -> set[str]:
    found = agreements.list_agreements(database.unit_of_work(), status=IsaStatus.REVIEW_DUE)
    return {s.reference for s in found}


def test_the_server_sweeps_on_its_interval(database: Database) -> None:
    async def serve_a_while() -> set[str]:
        async with review_sweep.sweeping(database, timedelta(milliseconds=20)):
            for _ in range(500):  # at most ten seconds on a loaded machine
                await asyncio.sleep(0.02)
                due = await asyncio.to_thread(_due, database)
                if due:
                    return due
        return set()

    assert _due(database) == set()
    assert asyncio.run(serve_a_while()) == ACTIVE


def test_an_interval_of_zero_never_sweeps(database: Database) -> None:
    async def serve_a_while() -> None:
        async with review_sweep.sweeping(database, timedelta(0)):
            await asyncio.sleep(0.1)

    asyncio.run(serve_a_while())
    assert _due(database) == set()


@pytest.fixture
def sqlite_url(
    request: pytest.FixtureRequest, database_templates: DatabaseTemplates
) -> Iterator[str]:
    yield from database_templates.copy(request, "sqlite", TEMPLATE, build_sharing_world)


def test_serve_sweeps_before_it_listens(sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    started: list[Any] = []
    monkeypatch.setattr(serve.uvicorn, "run", lambda app, **options: started.append(app))
    monkeypatch.delenv("INFOSHARE_DATABASE_URL", raising=False)
    result = CliRunner().invoke(
        app, ["serve", "--db", sqlite_url], env={"INFOSHARE_ENVIRONMENT": "development"}
    )
    assert result.exit_code == 0, result.output
    assert len(started) == 1
    assert "5 agreement(s) now due for review" in result.output
    database = open_database(sqlite_url)
    try:
        assert _due(database) == ACTIVE
    finally:
        database.dispose()
