"""The one write path for governance events: group commit, per database, in this process.

Principle 6 (recorded for audit), Procedure C4 (evidence on request). Web, API and CLI call
these functions; the mechanism is ``store/writer.py`` (read its docstring). Each database
handle gets one writer thread; concurrent callers share its transactions.

    from infoshare.services import group_commit, ledger

    def give(ctx: group_commit.WriteContext) -> int:
        consent = ConsentRecord(...)            # the governance write …
        ctx.session.add(consent)
        ctx.session.flush()
        return ledger.record(ctx, ledger.LedgerEvent(   # … and its ledger entry, together
            time=now, kind=EventKind.CONSENT_GIVEN, actor_staff=staff_id,
            actor_organisation="LTHT", subject=pseudonym, purpose="care",
            record_digest=ledger.record_digest({...}), record_type="consent",
            record_id=str(consent.id)))

    sequence = group_commit.write(db, give)    # returns once durable; raises what give raised

Hot paths that write plain rows use ``ctx.insert(table, row)`` and ``write_rows`` instead
(see ``store/writer.py``): Core executemany per batch, no ORM, no savepoint; such rows must
be checked beforehand, as a failing deferred insert fails the batch.

Validate input before calling ``write``: work that raises is rolled back (alone) and its
error re-raised to you. Do not call ``write`` inside an open unit of work on SQLite.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TypeVar

from sqlalchemy import Engine

from infoshare.ledger.keys import SigningKey
from infoshare.store.database import Database
from infoshare.store.ledger_store import LedgerEvent
from infoshare.store.writer import CheckpointPolicy, GroupWriter, Work, WriteContext

T = TypeVar("T")

__all__ = [
    "GroupWriter",
    "WriteContext",
    "append",
    "sign_checkpoints",
    "write",
    "write_rows",
    "writer",
]

_writers: weakref.WeakKeyDictionary[Engine, GroupWriter] = weakref.WeakKeyDictionary()
_lock = threading.Lock()


def writer(db: Database) -> GroupWriter:
    """The writer of ``db`` in this process (made on first use)."""
    with _lock:
        found = _writers.get(db.engine)
        if found is None:
            found = GroupWriter(db.sessions)
            _writers[db.engine] = found
        return found


def write(db: Database, work: Work[T]) -> T:
    """Run ``work(context)`` in the next group commit; its result once durable."""
    return writer(db).write(work)


def write_rows(db: Database, work: Work[T]) -> T:
    """Like ``write``, for work that writes only with ``ctx.insert`` and the ledger (no
    session): its rows go in one executemany per table, and it needs no savepoint."""
    return writer(db).write_rows(work)


def append(db: Database, event: LedgerEvent) -> int:
    """Append one ledger event with nothing else; its sequence number once durable."""
    return writer(db).append(event)


def sign_checkpoints(
    db: Database,
    key: SigningKey,
    *,
    every: int,
    clock: Callable[[], datetime] | None = None,
) -> None:
    """Have ``db``'s writer sign a checkpoint each time the ledger passes ``every`` entries."""
    writer(db).checkpoints = CheckpointPolicy(key, every, clock or (lambda: datetime.now(UTC)))
