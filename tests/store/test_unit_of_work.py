"""The unit of work: one transaction, committed only when asked, single use."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import select
from sqlalchemy.exc import DBAPIError, StatementError

from infoshare.store.database import Database
from infoshare.store.models import DemoDatasetRecord

NOW = datetime(2026, 1, 5, 9, 30, tzinfo=UTC)


def _dataset(dataset_id: int, created_at: datetime = NOW) -> DemoDatasetRecord:
    return DemoDatasetRecord(
        id=dataset_id, size="tiny", seed=1, staff_count=0, service_user_count=0,
        created_at=created_at,
    )  # fmt: skip


@pytest.fixture
def db(migrated_database_url: str) -> Iterator[Database]:
    database = Database.open(migrated_database_url)
    yield database
    database.dispose()


def _ids(db: Database) -> list[int]:
    with db.unit_of_work().reading() as uow:
        return list(uow.session.scalars(select(DemoDatasetRecord.id)))


def test_committed_work_is_kept(db: Database) -> None:
    with db.unit_of_work() as uow:
        uow.session.add(_dataset(1))
        uow.commit()
    assert _ids(db) == [1]


def test_work_not_committed_is_rolled_back(db: Database) -> None:
    with db.unit_of_work() as uow:
        uow.session.add(_dataset(1))
        uow.flush()
    assert _ids(db) == []


def _add_then_fail(db: Database) -> None:
    with db.unit_of_work() as uow:
        uow.session.add(_dataset(1))
        uow.flush()
        raise RuntimeError("boom")


def _add(db: Database, dataset: DemoDatasetRecord, *, read_only: bool = False) -> None:
    uow = db.unit_of_work()
    with uow.reading() if read_only else uow:
        uow.session.add(dataset)
        uow.flush()
        uow.commit()


def test_an_exception_rolls_everything_back(db: Database) -> None:
    with pytest.raises(RuntimeError):
        _add_then_fail(db)
    assert _ids(db) == []


def test_after_commit_callbacks_run_only_after_a_commit(db: Database) -> None:
    ran: list[str] = []
    with db.unit_of_work() as uow:
        uow.after_commit(lambda: ran.append("rolled back"))
    with db.unit_of_work() as uow:
        uow.after_commit(lambda: ran.append("committed"))
        assert ran == []
        uow.commit()
    assert ran == ["committed"]


def test_a_unit_of_work_is_single_use(db: Database) -> None:
    uow = db.unit_of_work()
    with uow:
        pass
    with pytest.raises(RuntimeError, match="single use"), uow:
        pass


def test_timestamps_come_back_as_the_same_instant_in_utc(db: Database) -> None:
    leeds_winter = datetime(2002, 10, 1, 10, 0, tzinfo=timezone(timedelta(hours=1)))
    with db.unit_of_work() as uow:
        uow.session.add(_dataset(1, created_at=leeds_winter))
        uow.commit()
    with db.unit_of_work().reading() as uow:
        stored = uow.session.scalars(select(DemoDatasetRecord.created_at)).one()
    assert stored == leeds_winter
    assert stored.tzinfo == UTC


def test_a_naive_timestamp_is_refused(db: Database) -> None:
    with pytest.raises(StatementError, match="naive datetime"):
        _add(db, _dataset(1, created_at=datetime(2002, 10, 1, 10, 0)))
    assert _ids(db) == []


@pytest.mark.postgres
def test_a_read_only_unit_of_work_cannot_write_on_postgresql(db: Database) -> None:
    if db.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL marks read transactions READ ONLY; SQLite has no such mode")
    with pytest.raises(DBAPIError, match="read-only"):
        _add(db, _dataset(1), read_only=True)
    assert _ids(db) == []
