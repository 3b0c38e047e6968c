"""A database with the leeds-2002 pack loaded, copied from a per-session template."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from infoshare.services.database import Database, open_database
from infoshare.services.setup import initialise
from tests.services.sharing_fixtures import sharing_db  # noqa: F401 - the sharing world
from tests.support.databases import DatabaseTemplates

NOW = datetime(2026, 1, 5, 9, 30, tzinfo=UTC)
PACK = "leeds-2002"


def _initialise(url: str) -> None:
    initialise(url, PACK, now=NOW)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def initialised_url(
    request: pytest.FixtureRequest, database_templates: DatabaseTemplates
) -> Iterator[str]:
    """A database initialised with the leeds-2002 pack, on SQLite and on PostgreSQL."""
    yield from database_templates.copy(request, request.param, PACK, _initialise)


@pytest.fixture
def db(initialised_url: str) -> Iterator[Database]:
    database = open_database(initialised_url)
    yield database
    database.dispose()
