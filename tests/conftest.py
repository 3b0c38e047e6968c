"""Fixtures every test may use: a real PostgreSQL server, and a database on each engine."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from tests.support.databases import DatabaseTemplates
from tests.support.postgres import PostgresServer, find_bindir, running_postgres

REQUIRE_POSTGRES = os.environ.get("INFOSHARE_REQUIRE_POSTGRES") == "1"


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """A PostgreSQL server for this test process; skipped (or failed in CI) if none can start."""
    bindir = find_bindir()
    if bindir is None:
        message = "PostgreSQL's server binaries (initdb, pg_ctl) are not installed"
        if REQUIRE_POSTGRES:
            pytest.fail(message + " and INFOSHARE_REQUIRE_POSTGRES=1")
        pytest.skip(message)
    with running_postgres(bindir) as server:
        yield server


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """The URL of an empty database, once on SQLite and once on PostgreSQL."""
    if request.param == "sqlite":
        path = tmp_path_factory.mktemp("db") / "infoshare.db"
        yield f"sqlite:///{path}"
        return
    server: PostgresServer = request.getfixturevalue("postgres_server")
    url = server.create_database()
    try:
        yield url
    finally:
        server.drop_database(url)


@pytest.fixture(scope="session")
def database_templates(tmp_path_factory: pytest.TempPathFactory) -> DatabaseTemplates:
    """Databases migrated once per session and copied per test (see tests/support/databases)."""
    return DatabaseTemplates(tmp_path_factory.mktemp("templates"))


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def migrated_database_url(
    request: pytest.FixtureRequest, database_templates: DatabaseTemplates
) -> Iterator[str]:
    """The URL of a database with the newest schema and no rows, on SQLite and PostgreSQL."""
    from infoshare.store import schema

    yield from database_templates.copy(request, request.param, "migrated", schema.upgrade)


@pytest.fixture(autouse=True)
def _keys_dir(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """The ledger's keys in a private folder per test, never ./keys in the checkout."""
    folder = tmp_path_factory.mktemp("keys-parent") / "keys"
    monkeypatch.setenv("INFOSHARE_KEYS_DIR", str(folder))
