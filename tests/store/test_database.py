"""The engine: which URLs it accepts, how SQLite is tuned, and that SQLite writers queue."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from infoshare.errors import ConfigurationError
from infoshare.store import schema
from infoshare.store.database import Database, make_engine
from infoshare.store.models import DemoDatasetRecord

NOW = datetime(2026, 1, 5, 9, 30, tzinfo=UTC)


@pytest.mark.parametrize("url", ["mysql://user@host/db", "oracle://x", "not a url"])
def test_an_unsupported_url_names_the_setting(url: str) -> None:
    with pytest.raises(ConfigurationError, match="INFOSHARE_DATABASE_URL") as caught:
        make_engine(url)
    assert caught.value.field == "INFOSHARE_DATABASE_URL"


def test_a_plain_postgresql_url_gets_the_psycopg_driver() -> None:
    engine = make_engine("postgresql://someone@localhost/infoshare")
    assert engine.dialect.driver == "psycopg"
    engine.dispose()


def test_sqlite_is_durable_and_checks_foreign_keys(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path}/tuned.db")
    with engine.connect() as connection:
        assert connection.scalar(text("PRAGMA journal_mode")) == "wal"
        assert connection.scalar(text("PRAGMA synchronous")) == 2  # FULL
        assert connection.scalar(text("PRAGMA foreign_keys")) == 1
        assert connection.scalar(text("PRAGMA busy_timeout")) >= 1000
    engine.dispose()


def test_concurrent_sqlite_writers_queue_instead_of_failing(tmp_path: Path) -> None:
    # Each writer reads the number of rows and inserts the next id: a read-modify-write that
    # loses updates, or fails with "database is locked", unless write transactions serialise.
    url = f"sqlite:///{tmp_path}/queue.db"
    schema.upgrade(url)
    db = Database.open(url)
    errors: list[BaseException] = []
    start = threading.Barrier(6)

    def writer() -> None:
        try:
            start.wait()
            for _ in range(5):
                with db.unit_of_work() as uow:
                    count = uow.session.scalar(select(func.count()).select_from(DemoDatasetRecord))
                    uow.session.add(
                        DemoDatasetRecord(
                            id=(count or 0) + 1, size="tiny", seed=1, staff_count=0,
                            service_user_count=0, created_at=NOW,
                        )
                    )  # fmt: skip
                    uow.commit()
        except BaseException as error:  # reported by the main thread below
            errors.append(error)

    threads = [threading.Thread(target=writer) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with db.unit_of_work().reading() as uow:
        ids = uow.session.scalars(select(DemoDatasetRecord.id)).all()
    db.dispose()
    assert sorted(ids) == list(range(1, 31))


def test_sqlite_readers_do_not_wait_for_a_writer(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/readers.db"
    schema.upgrade(url)
    db = Database.open(url)
    try:
        with db.unit_of_work() as writer:
            writer.session.add(
                DemoDatasetRecord(
                    id=1, size="tiny", seed=1, staff_count=0, service_user_count=0, created_at=NOW
                )
            )
            writer.flush()  # the writer now holds SQLite's write lock
            started = time.monotonic()
            with db.unit_of_work().reading() as reader:
                seen = reader.session.scalar(select(func.count()).select_from(DemoDatasetRecord))
            assert time.monotonic() - started < 1
            assert seen == 0  # it reads the last committed state
            writer.commit()
    finally:
        db.dispose()
