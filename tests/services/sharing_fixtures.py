"""Fixtures for the sharing workflow's service tests: the sharing world on both engines."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from infoshare.services.database import Database, open_database
from tests.support.databases import DatabaseTemplates
from tests.support.sharing_world import TEMPLATE, build_sharing_world


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def sharing_db(
    request: pytest.FixtureRequest, database_templates: DatabaseTemplates
) -> Iterator[Database]:
    for url in database_templates.copy(request, request.param, TEMPLATE, build_sharing_world):
        database = open_database(url)
        try:
            yield database
        finally:
            database.dispose()
