"""Fixtures for the web page tests: an app on an initialised database, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.api.running_app import TEMPLATE, app_for, client_for, initialise_leeds
from tests.support.databases import DatabaseTemplates


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def leeds_url(
    request: pytest.FixtureRequest, database_templates: DatabaseTemplates
) -> Iterator[str]:
    """A database initialised with the leeds-2002 pack."""
    yield from database_templates.copy(request, request.param, TEMPLATE, initialise_leeds)


@pytest.fixture
def client(leeds_url: str) -> Iterator[TestClient]:
    """A client of the app serving the leeds-2002 database."""
    with client_for(app_for(leeds_url)) as client:
        yield client


@pytest.fixture
def bare_app(tmp_path: Path) -> FastAPI:
    """The app on a database nobody has initialised: enough for routes that never reach it."""
    return app_for(f"sqlite:///{tmp_path / 'never-initialised.db'}")
