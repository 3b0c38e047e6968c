"""Databases built once per test session and copied for each test that needs one.

Migrating a database (and loading a protocol pack into it) takes far longer than copying
one. A SQLite template is a file, copied; a PostgreSQL template is a database that others
are created from with ``CREATE DATABASE … TEMPLATE``.
"""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.support.postgres import PostgresServer

Build = Callable[[str], None]


@dataclass
class DatabaseTemplates:
    """Named templates, built on first use by ``build(url)``, on SQLite or PostgreSQL."""

    folder: Path
    _sqlite: dict[str, Path] = field(default_factory=dict)
    _postgres: dict[str, str] = field(default_factory=dict)

    def copy(
        self, request: pytest.FixtureRequest, engine: str, name: str, build: Build
    ) -> Iterator[str]:
        """Yield the URL of a fresh copy of template ``name``; remove it afterwards."""
        if engine == "sqlite":
            yield self._sqlite_copy(name, build)
            return
        server: PostgresServer = request.getfixturevalue("postgres_server")
        url = self._postgres_copy(server, name, build)
        try:
            yield url
        finally:
            server.drop_database(url)

    def _sqlite_copy(self, name: str, build: Build) -> str:
        template = self._sqlite.get(name)
        if template is None:
            template = self.folder / f"template-{name}.db"
            # When the last connection closes, SQLite folds the WAL into the file, so the
            # one file is the whole database.
            build(f"sqlite:///{template}")
            self._sqlite[name] = template
        target = self.folder / f"{name}-{uuid.uuid4().hex[:12]}.db"
        shutil.copyfile(template, target)
        return f"sqlite:///{target}"

    def _postgres_copy(self, server: PostgresServer, name: str, build: Build) -> str:
        import psycopg

        template = self._postgres.get(name)
        if template is None:
            url = server.create_database()
            build(url)
            template = url.rsplit("/", 1)[1]
            self._postgres[name] = template
        target = "t_" + uuid.uuid4().hex[:16]
        with psycopg.connect(
            host=server.host, port=server.port, user=server.user, dbname="postgres", autocommit=True
        ) as conn:
            conn.execute(f'CREATE DATABASE "{target}" TEMPLATE "{template}"')
        return server.url(target)


def row_counts(url: str) -> dict[str, int]:
    """How many rows each table of infoshare's schema holds: to show that nothing changed."""
    from sqlalchemy import func, select

    from infoshare.store.database import make_engine
    from infoshare.store.models import Base

    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return {
                table.name: connection.scalar(select(func.count()).select_from(table)) or 0
                for table in Base.metadata.sorted_tables
            }
    finally:
        engine.dispose()
