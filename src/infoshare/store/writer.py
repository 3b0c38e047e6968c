"""Group commit: one writer thread turns many callers' writes into one durable transaction.

Principle 6's audit record is worth something only if an acknowledged entry survives a
crash, and it must keep up with every disclosure the partners make. Each caller submits
*work*: a function that receives the batch's ``WriteContext`` and performs a governance
write and its ledger append (``services.ledger.record``). The writer thread takes whatever
is waiting and runs it in ONE transaction, so one fsync serves the whole batch:

- each caller's work runs in its own SAVEPOINT: if it raises, only its part is rolled back
  (its rows, its ledger entries, its place in the numbering) and the exception is handed
  back to that caller; the others go on;
- sequence numbers come from the head row, taken once per batch under the head lock
  (``ledger_store.LedgerAppender``), so they are unique and gap-free across processes;
- the batch commits (SQLite ``synchronous=FULL`` in WAL, PostgreSQL ``synchronous_commit =
  on``); only then does any caller get its result. If the commit fails, every caller of the
  batch gets the error: a failure is never reported as a success.

A plain ledger append (no other write) skips the savepoint: the event was checked when it
was made, so its part cannot fail on its own. Work may also hand its rows to
``ctx.insert(table, row)`` instead of the session: they are written after the batch's ledger
entries with one Core ``executemany`` per table (in foreign-key order), which costs a
fraction of the ORM's unit of work. Such rows must be checked beforehand, like ledger
events: if work raises, its deferred rows are forgotten with its ledger entries; if a
deferred insert fails, the whole batch fails and no caller is told it succeeded. Work that
writes ONLY through ``ctx.insert`` and the ledger may be submitted with ``savepoint=False``
(``write_rows``), skipping its SAVEPOINT too.

The thread starts when work arrives and stops when none has come for ``idle_seconds``.
Never submit work while holding an open write transaction on the same SQLite database (a
unit of work): the writer would wait for your lock while you wait for the writer.
"""

from __future__ import annotations

import contextlib
import threading
import weakref
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Generic, TypeVar

from sqlalchemy import Table, text
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.sql import FromClause

from infoshare.ledger.keys import SigningKey
from infoshare.store.ledger_store import APPENDER_KEY, LedgerAppender, LedgerEvent
from infoshare.store.models.base import Base

T = TypeVar("T")

#: the most callers one transaction serves; bounds the time any caller waits behind others
MAX_BATCH = 4096


_order: dict[Table, int] = {}


def _table_order() -> dict[Table, int]:
    """Each table's place in foreign-key order (parents first), worked out once."""
    if not _order:
        _order.update({table: n for n, table in enumerate(Base.metadata.sorted_tables)})
    return _order


class DeferredRows:
    """Rows for Core ``executemany`` at the end of the batch, grouped by table."""

    __slots__ = ("_rows",)

    def __init__(self) -> None:
        self._rows: list[tuple[Table, dict[str, Any]]] = []

    def add(self, table: Table, row: dict[str, Any]) -> None:
        self._rows.append((table, row))

    def mark(self) -> int:
        return len(self._rows)

    def reset(self, mark: int) -> None:
        """Forget the rows added since ``mark`` (their work raised)."""
        del self._rows[mark:]

    def flush(self, session: Session) -> None:
        """Insert every row, one executemany per table, parents before children."""
        if not self._rows:
            return
        by_table: dict[Table, list[dict[str, Any]]] = {}
        for table, row in self._rows:
            by_table.setdefault(table, []).append(row)
        order = _table_order()
        connection = session.connection()
        for table in sorted(by_table, key=lambda t: order.get(t, len(order))):
            connection.execute(table.insert(), by_table[table])
        self._rows.clear()


@dataclass(frozen=True, slots=True)
class WriteContext:
    """What a caller's work receives: the batch's session and its ledger appender."""

    session: Session
    ledger: LedgerAppender
    deferred: DeferredRows = field(default_factory=DeferredRows)

    def insert(self, table: FromClause, row: dict[str, Any]) -> None:
        """Insert ``row`` into ``table`` (a model's ``__table__``) with the batch (see the
        module docstring)."""
        assert isinstance(table, Table), "ctx.insert takes a table"
        self.deferred.add(table, row)


Work = Callable[[WriteContext], T]


class Ack(Generic[T]):
    """A caller's claim on its submitted work: ``result()`` waits until its batch is settled.

    Lighter than a ``concurrent.futures.Future``: the writer wakes waiters once per batch,
    not once per job, which matters at tens of thousands of appends a second.
    """

    __slots__ = ("_settled", "error", "event", "result_value", "savepoint", "work")

    def __init__(
        self,
        settled: threading.Condition,
        work: Work[T] | None,
        event: LedgerEvent | None,
        *,
        savepoint: bool = True,
    ):
        self._settled = settled
        self.work = work
        self.event = event
        self.savepoint = savepoint
        self.result_value: T | None = None
        self.error: BaseException | None = None

    def done(self) -> bool:
        """Whether the batch holding this work has committed or failed."""
        return self.work is None and self.event is None

    def result(self, timeout: float | None = None) -> T:
        """The work's result once durable; re-raises its error, or the batch's."""
        if not self.done():
            with self._settled:
                if not self._settled.wait_for(self.done, timeout):
                    raise TimeoutError("the ledger writer did not answer in time")
        if self.error is not None:
            raise self.error
        return self.result_value  # type: ignore[return-value]


@dataclass(frozen=True, slots=True)
class CheckpointPolicy:
    """Sign a checkpoint whenever the ledger passes a multiple of ``every`` entries."""

    key: SigningKey
    every: int
    clock: Callable[[], datetime]


class GroupWriter:
    """The one writer path of a database in this process (see the module docstring)."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        *,
        max_batch: int = MAX_BATCH,
        idle_seconds: float = 0.5,
    ) -> None:
        # Weakly: a writer kept in a registry must not keep its database's engine alive.
        self._sessions = weakref.ref(sessions)
        self._max_batch = max_batch
        self._idle = idle_seconds
        self._queue: deque[Ack[object]] = deque()
        self._ready = threading.Condition(threading.Lock())
        self._settled = threading.Condition(threading.Lock())
        self._running = False
        self._idle_waiting = False
        self.checkpoints: CheckpointPolicy | None = None
        #: how many transactions and how many jobs the writer has committed: for benchmarks
        self.batches = 0
        self.jobs = 0

    def write(self, work: Work[T]) -> T:
        """Run ``work`` in the next batch; return its result once the batch is durable.

        Re-raises whatever ``work`` raised (nothing of it was written), or the error that
        made the batch fail to commit (nothing of the batch was written).
        """
        return self.submit(work).result()

    def submit(self, work: Work[T], *, savepoint: bool = True) -> Ack[T]:
        """Queue ``work`` without waiting; ``result()`` answers once its batch is durable.

        ``savepoint=False``: ``work`` writes only through ``ctx.insert`` and the ledger.
        """
        return self._submit(Ack(self._settled, work, None, savepoint=savepoint))

    def write_rows(self, work: Work[T]) -> T:
        """Like ``write``, for work that writes only through ``ctx.insert`` and the ledger."""
        return self.submit(work, savepoint=False).result()

    def append(self, event: LedgerEvent) -> int:
        """Append ``event`` alone; return its sequence number once it is durable."""
        return self.submit_append(event).result()

    def submit_append(self, event: LedgerEvent) -> Ack[int]:
        """Queue ``event``; ``result()`` gives its sequence number once it is durable.

        For a caller with many events to record (an import, a benchmark writer): keep
        several in flight and wait on each; every one resolves only after its commit.
        """
        return self._submit(Ack[int](self._settled, None, event))

    def _submit(self, job: Ack[T]) -> Ack[T]:
        with self._ready:
            self._queue.append(job)  # type: ignore[arg-type]
            if not self._running:
                self._running = True
                thread = threading.Thread(target=self._run, name="infoshare-writer", daemon=True)
                thread.start()
            elif self._idle_waiting:
                self._ready.notify()
        return job

    def _run(self) -> None:
        queue = self._queue
        while True:
            with self._ready:
                while not queue:
                    self._idle_waiting = True
                    self._ready.wait(self._idle)
                    self._idle_waiting = False
                    if not queue:
                        self._running = False
                        return
                count = min(len(queue), self._max_batch)
                batch = [queue.popleft() for _ in range(count)]
            self._commit(batch)

    def _commit(self, batch: list[Ack[object]]) -> None:
        sessions = self._sessions()
        if sessions is None:
            gone = RuntimeError("the database this writer served was closed; nothing was written")
            with self._settled:
                for job in batch:
                    job.error = gone
                    job.work = job.event = None
                self._settled.notify_all()
            return
        session = sessions()
        appender = LedgerAppender(session, buffered=True)
        session.info[APPENDER_KEY] = appender
        context = WriteContext(session, appender)
        try:
            connection = session.connection()
            if connection.dialect.name == "postgresql":
                # The server default, made explicit: the acknowledgement waits for the WAL flush.
                session.execute(text("SET LOCAL synchronous_commit = on"))
            start = appender.head.size
            for job in batch:
                if job.event is not None:
                    job.result_value = appender.append(job.event).sequence
                    continue
                assert job.work is not None
                mark, rows = appender.mark(), context.deferred.mark()
                try:
                    if job.savepoint:
                        with session.begin_nested():
                            job.result_value = job.work(context)
                    else:
                        job.result_value = job.work(context)
                except Exception as error:  # handed back to its caller, who re-raises it
                    appender.reset(mark)
                    context.deferred.reset(rows)
                    job.error = error
            self._maybe_checkpoint(appender, start)
            appender.flush()
            context.deferred.flush(session)
            session.commit()
        except BaseException as error:
            appender.abandoned()
            for job in batch:
                if job.error is None:
                    job.result_value = None
                    job.error = error
            with contextlib.suppress(Exception):  # the connection may be gone; so is the work
                session.rollback()
        else:
            appender.committed()
            self.batches += 1
            self.jobs += len(batch)
        finally:
            with contextlib.suppress(Exception):
                session.close()
            with self._settled:
                for job in batch:
                    job.work = job.event = None  # settled: what ``Ack.done`` looks at
                self._settled.notify_all()

    def _maybe_checkpoint(self, appender: LedgerAppender, start: int) -> None:
        policy = self.checkpoints
        if policy is None:
            return
        size = appender.head.size
        if size > start and size // policy.every > start // policy.every:
            appender.checkpoint(policy.key, policy.clock())
