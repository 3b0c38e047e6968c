"""Readiness: each way a database can be unready is told apart, and looking changes nothing."""

from __future__ import annotations

from pathlib import Path

from infoshare.services.database import Database, open_database
from infoshare.services.readiness import check_readiness
from infoshare.store import schema
from tests.support.databases import row_counts


def test_an_initialised_database_is_ready(db: Database, initialised_url: str) -> None:
    before = row_counts(initialised_url)

    readiness = check_readiness(db)

    assert readiness.ready
    assert readiness.problem is None
    assert readiness.pack_id == "leeds-2002"
    assert row_counts(initialised_url) == before


def test_a_missing_sqlite_file_is_not_initialised_and_is_not_created(tmp_path: Path) -> None:
    path = tmp_path / "absent.db"
    db = open_database(f"sqlite:///{path}")

    readiness = check_readiness(db)

    assert not readiness.ready
    assert readiness.database_reachable
    assert readiness.schema_revision is None
    assert readiness.problem is not None
    assert "`infoshare init`" in readiness.problem
    assert not path.exists()


def test_a_migrated_database_without_a_pack_needs_init(migrated_database_url: str) -> None:
    db = open_database(migrated_database_url)
    try:
        readiness = check_readiness(db)
    finally:
        db.dispose()

    assert readiness.schema_current
    assert not readiness.pack_loaded
    assert readiness.problem is not None
    assert "no protocol pack" in readiness.problem


def test_a_schema_taken_back_to_nothing_needs_init(initialised_url: str) -> None:
    schema.downgrade(initialised_url, "base")
    db = open_database(initialised_url)
    try:
        readiness = check_readiness(db)
    finally:
        db.dispose()

    assert readiness.schema_revision is None
    assert not readiness.ready


def test_an_unreachable_server_is_reported_without_raising() -> None:
    db = open_database("postgresql+psycopg://u:p@127.0.0.1:9/infoshare?connect_timeout=2")
    try:
        readiness = check_readiness(db)
    finally:
        db.dispose()

    assert not readiness.database_reachable
    assert readiness.problem is not None
    assert "cannot be reached" in readiness.problem
