"""Group commit (store/writer.py) on SQLite and PostgreSQL: numbering, isolation, durability."""

from __future__ import annotations

import subprocess
import sys
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import event as event_api
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from infoshare.errors import ConflictError
from infoshare.store.database import Database
from infoshare.store.ledger_store import read_head
from infoshare.store.models import LedgerCheckpointRecord, OrganisationRecord
from infoshare.store.writer import CheckpointPolicy, GroupWriter, WriteContext
from tests.store.ledger_events import KEY, START, event, stored_sequences, verify_stored

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def db(migrated_database_url: str) -> Iterator[Database]:
    database = Database.open(migrated_database_url)
    yield database
    database.dispose()


def test_concurrent_appends_are_numbered_once_each_without_gaps(db: Database) -> None:
    writer = GroupWriter(db.sessions)
    got: list[int] = []
    lock = threading.Lock()

    def append_many(first: int) -> None:
        for n in range(first, first + 40):
            sequence = writer.append(event(n))
            with lock:
                got.append(sequence)

    threads = [threading.Thread(target=append_many, args=(t * 40,)) for t in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(got) == list(range(480))
    assert stored_sequences(db) == list(range(480))
    assert writer.batches < 480  # callers did share transactions
    assert verify_stored(db).ok


def _add_organisation(code: str, *, fail: bool) -> object:
    def work(context: WriteContext) -> int:
        context.session.add(
            OrganisationRecord(
                code=code, name=code, type="acute-trust", membership="party",
                departments=[], created_at=START,
            )
        )  # fmt: skip
        context.session.flush()
        sequence = context.ledger.append(event(int(code[1:]))).sequence
        if fail:
            raise ConflictError(f"caller `{code}` changed its mind")
        return sequence

    return work


def test_a_failing_caller_is_rolled_back_alone_and_told(db: Database) -> None:
    writer = GroupWriter(db.sessions)
    futures = [
        (n, writer.submit(_add_organisation(f"X{n}", fail=n % 3 == 1)))  # type: ignore[arg-type]
        for n in range(30)
    ]
    succeeded: dict[int, int] = {}
    for n, future in futures:
        if n % 3 == 1:
            with pytest.raises(ConflictError, match=f"X{n}"):
                future.result()
        else:
            succeeded[n] = future.result()
    # The survivors are numbered 0.. without the failed callers' places; nothing of the
    # failed callers is stored, neither their row nor their entry.
    assert sorted(succeeded.values()) == list(range(20))
    assert stored_sequences(db) == list(range(20))
    with db.sessions() as session:
        codes = set(session.scalars(select(OrganisationRecord.code)))
    assert codes == {f"X{n}" for n in succeeded}
    assert verify_stored(db).ok


def test_a_batch_that_cannot_commit_fails_every_caller(db: Database) -> None:
    writer = GroupWriter(db.sessions)
    writer.append(event(0))
    started, release = threading.Event(), threading.Event()

    def hold(_context: WriteContext) -> bool:
        started.set()
        return release.wait(10)

    # The first job holds the writer, so the next two queue up and share one batch.
    holding = writer.submit(hold)
    assert started.wait(10)

    def fail_at_commit(context: WriteContext) -> int:
        def disk_full(_session: Session) -> None:
            raise OSError("disk full")

        event_api.listen(context.session, "before_commit", disk_full)
        return context.ledger.append(event(2)).sequence

    innocent = writer.submit(lambda context: context.ledger.append(event(1)).sequence)
    doomed = writer.submit(fail_at_commit)
    release.set()
    assert holding.result() is True
    for future in (innocent, doomed):
        with pytest.raises(OSError, match="disk full"):
            future.result()
    assert stored_sequences(db) == [0]
    assert writer.append(event(3)) == 1  # the failed batch gave no number away
    assert verify_stored(db).ok


def test_checkpoints_are_signed_as_the_ledger_passes_each_multiple(db: Database) -> None:
    writer = GroupWriter(db.sessions)
    writer.checkpoints = CheckpointPolicy(KEY, every=10, clock=lambda: START)
    for n in range(25):
        writer.append(event(n))
    with db.sessions() as session:
        sizes = list(
            session.scalars(
                select(LedgerCheckpointRecord.size).order_by(LedgerCheckpointRecord.size)
            )
        )
    # one append per transaction here, so the ledger passes 10 and 20 exactly there
    assert sizes == [10, 20]
    assert verify_stored(db).checkpoints == 2
    assert verify_stored(db).ok


def test_a_writer_resumes_from_what_another_process_appended(db: Database) -> None:
    GroupWriter(db.sessions).append(event(0))
    other = Database.open(db.url)  # a second engine: its own head cache, as a process has
    try:
        for n in range(1, 40):
            GroupWriter(other.sessions).append(event(n))
    finally:
        other.dispose()
    assert GroupWriter(db.sessions).append(event(40)) == 40
    assert verify_stored(db).ok
    with db.sessions() as session:
        assert read_head(session, lock=False)[0] == 41


CHILD = """
import sys
from infoshare.store.database import Database
from infoshare.store.writer import GroupWriter
from tests.store.ledger_events import event
db = Database.open(sys.argv[1])
writer = GroupWriter(db.sessions)
futures = [writer.submit_append(event(n)) for n in range(int(sys.argv[2]))]
print(",".join(str(f.result()) for f in futures))
"""


def test_two_processes_number_entries_without_gaps(db: Database) -> None:
    # On SQLite the database's write lock serialises processes; on PostgreSQL the head row's
    # lock does. Either way two processes appending at once leave no gap and no duplicate.
    children = [
        subprocess.Popen(
            [sys.executable, "-c", CHILD, db.url, "300"],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    outputs = [child.communicate(timeout=120)[0] for child in children]
    assert all(child.returncode == 0 for child in children)
    numbers = [int(n) for output in outputs for n in output.strip().split(",")]
    assert sorted(numbers) == list(range(600))
    assert stored_sequences(db) == list(range(600))
    assert verify_stored(db).ok
    with db.sessions() as session:
        assert session.scalar(select(func.count()).select_from(OrganisationRecord)) == 0


def _organisation_row(code: str) -> dict[str, object]:
    return {
        "id": uuid.uuid4(), "code": code, "name": code, "type": "acute-trust",
        "membership": "party", "departments": [], "created_at": START,
    }  # fmt: skip


def _stored_codes(db: Database) -> set[str]:
    with db.sessions() as session:
        return set(session.scalars(select(OrganisationRecord.code)))


def test_rows_handed_to_insert_are_stored_with_their_entries(db: Database) -> None:
    writer = GroupWriter(db.sessions)
    table = OrganisationRecord.__table__

    def work(n: int, *, fail: bool) -> object:
        def run(context: WriteContext) -> int:
            context.insert(table, _organisation_row(f"R{n}"))
            sequence = context.ledger.append(event(n)).sequence
            if fail:
                raise ConflictError(f"caller `R{n}` changed its mind")
            return sequence

        return run

    acks = [
        (n, writer.submit(work(n, fail=n % 4 == 3), savepoint=n % 2 == 0))  # type: ignore[arg-type]
        for n in range(24)
    ]
    kept = set()
    for n, ack in acks:
        if n % 4 == 3:
            # Work without a savepoint that raises loses its deferred rows and its entry too.
            with pytest.raises(ConflictError, match=f"R{n}"):
                ack.result()
        else:
            ack.result()
            kept.add(f"R{n}")
    assert _stored_codes(db) == kept
    assert stored_sequences(db) == list(range(len(kept)))
    assert verify_stored(db).ok


def test_a_deferred_row_that_cannot_be_stored_fails_the_whole_batch(db: Database) -> None:
    writer = GroupWriter(db.sessions)
    writer.append(event(0))
    started, release = threading.Event(), threading.Event()

    def hold(_context: WriteContext) -> bool:
        started.set()
        return release.wait(10)

    holding = writer.submit(hold)
    assert started.wait(10)

    def row_work(code: str, n: int) -> object:
        def run(context: WriteContext) -> int:
            context.insert(OrganisationRecord.__table__, _organisation_row(code))
            return context.ledger.append(event(n)).sequence

        return run

    # Two callers name the same unique code: the batch's insert fails, and neither caller,
    # nor the innocent one sharing their batch, is told its write succeeded.
    first = writer.submit(row_work("DUP", 1), savepoint=False)  # type: ignore[arg-type]
    second = writer.submit(row_work("DUP", 2), savepoint=False)  # type: ignore[arg-type]
    innocent = writer.submit(lambda context: context.ledger.append(event(3)).sequence)
    release.set()
    assert holding.result() is True
    for ack in (first, second, innocent):
        with pytest.raises(IntegrityError, match=r"(?i)unique|duplicate"):
            ack.result()
    assert "DUP" not in _stored_codes(db)
    assert stored_sequences(db) == [0]
    assert writer.write_rows(row_work("ONE", 4)) == 1  # type: ignore[arg-type]
    assert verify_stored(db).ok
