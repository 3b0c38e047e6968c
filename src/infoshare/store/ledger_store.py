"""The ledger over the database: the stored ``HashStore``, and appending under the head lock.

Principle 6 wants decisions "appropriately recorded for audit purposes"; this module is how
an entry gets into the tables of ``models/ledger.py`` without a gap, a duplicate or a broken
chain, whichever process writes it.

Every transaction that appends first takes the ledger's head: the one ``ledger_head`` row,
locked with ``SELECT … FOR UPDATE`` on PostgreSQL (on SQLite the transaction's ``BEGIN
IMMEDIATE`` already holds the database's one write lock). Numbers are then given out from
that row, so two processes can never give out the same one, and a rolled-back transaction
gives none away. The head's Merkle edge (``LedgerHead``) is cached per engine in memory
after each commit; when the row says another process moved the head on, the edge is read
back from the stored subtrees (one read per set bit of the size).

The mathematics is the core's (``infoshare.ledger``): this module only stores what
``LedgerHead.seal`` returns.
"""

from __future__ import annotations

import functools
import threading
import weakref
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Final, cast

from sqlalchemy import Engine, Table, select, tuple_, update
from sqlalchemy.dialects.postgresql import insert as postgres_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from infoshare.errors import LedgerEntryError, LedgerRangeError
from infoshare.ledger.chain import GENESIS, LedgerHead, SealedEntry
from infoshare.ledger.checkpoint import Checkpoint, sign_checkpoint
from infoshare.ledger.events import EventKind, LedgerEntry, Outcome
from infoshare.ledger.keys import SigningKey
from infoshare.ledger.merkle import CompactRange, root_of
from infoshare.ledger.tree import compact_range
from infoshare.store.models.ledger import (
    HEAD_ROW_ID,
    NODE_MIN_LEVEL,
    LedgerCheckpointRecord,
    LedgerEntryRecord,
    LedgerHeadRecord,
    LedgerNodeRecord,
)

#: where a transaction keeps its appender, in ``Session.info``
APPENDER_KEY: Final = "infoshare.ledger.appender"

# Core inserts of plain rows: the ORM's per-object bookkeeping would cost more than the write.
_ENTRIES = cast(Table, LedgerEntryRecord.__table__)
_NODES = cast(Table, LedgerNodeRecord.__table__)


@dataclass(frozen=True, slots=True)
class LedgerEvent:
    """A governance event to append: a ``LedgerEntry`` before the ledger numbers it.

    ``record_type`` and ``record_id`` say which stored record ``record_digest`` covers
    (``ledger verify`` re-computes the digest from it); they are stored beside the entry,
    not in its hashed bytes. Constructing one checks every field, so bad input fails in
    the caller, before anything is written.
    """

    time: datetime
    kind: EventKind
    actor_staff: str
    actor_organisation: str
    record_digest: str
    outcome: Outcome = Outcome.SUCCESS
    subject: str | None = None
    purpose: str | None = None
    reason: str | None = None
    record_type: str | None = None
    record_id: str | None = None
    #: the other organisation's code, where there is one: a disclosure's recipient
    counterparty: str | None = None

    def __post_init__(self) -> None:
        self.numbered(0)
        for name in ("record_type", "record_id", "counterparty"):
            value = getattr(self, name)
            if value is not None and (
                not isinstance(value, str)
                or not 0 < len(value) <= 128
                or any(char.isspace() or not char.isprintable() for char in value)
            ):
                raise LedgerEntryError(
                    f"the {name.replace('_', ' ')} `{value}` is not 1–128 characters without "
                    "spaces; give an identifier",
                    field=name,
                )

    def numbered(self, sequence: int) -> LedgerEntry:
        """The entry this event becomes as number ``sequence``."""
        return LedgerEntry(
            sequence=sequence,
            time=self.time,
            kind=self.kind,
            actor_staff=self.actor_staff,
            actor_organisation=self.actor_organisation,
            record_digest=self.record_digest,
            outcome=self.outcome,
            subject=self.subject,
            purpose=self.purpose,
            reason=self.reason,
        )


class DatabaseHashStore:
    """The ``HashStore`` of ``ledger/tree.py`` over ``ledger_nodes`` and the entries' leaves.

    Levels from ``NODE_MIN_LEVEL`` are read from ``ledger_nodes``; a lower subtree (at most
    16 leaves) is recomputed from ``ledger_entries.leaf_hash``. ``size`` is the tree size
    the caller read from the head, so later appends do not change what this store answers.
    """

    def __init__(self, session: Session, size: int) -> None:
        self._session = session
        self._size = size
        self._cache: dict[tuple[int, int], bytes] = {}

    @property
    def size(self) -> int:
        return self._size

    def get(self, level: int, index: int) -> bytes:
        if level < 0 or index < 0 or (index + 1) << level > self._size:
            raise LedgerRangeError(
                f"the subtree at level `{level}`, index `{index}` is not complete in a tree of "
                f"size `{self._size}`; ask only for subtrees inside the tree"
            )
        cached = self._cache.get((level, index))
        if cached is not None:
            return cached
        if level >= NODE_MIN_LEVEL:
            found = self._session.scalar(
                select(LedgerNodeRecord.hash).where(
                    LedgerNodeRecord.level == level, LedgerNodeRecord.index == index
                )
            )
            if found is None:
                raise LedgerRangeError(
                    f"the stored subtree at level {level}, index {index} is missing; the "
                    "ledger's tables were altered: run `infoshare ledger verify`"
                )
            value = bytes(found)
        else:
            start = index << level
            leaves = self.leaves(start, start + (1 << level))
            value = root_of(leaves)
        self._cache[(level, index)] = value
        return value

    def prefetch(self, wanted: Iterable[tuple[int, int]]) -> None:
        """Read the subtrees ``wanted`` (``(level, index)`` pairs) in two queries, not one each.

        A proof's shape depends only on the sizes, so the caller learns the pairs by running
        the core's proof once against a ``RecordingStore`` (see ``services.ledger``).
        """
        stored = [
            (lv, ix) for lv, ix in wanted if lv >= NODE_MIN_LEVEL and (lv, ix) not in self._cache
        ]
        low = [(lv, ix) for lv, ix in wanted if lv < NODE_MIN_LEVEL and (lv, ix) not in self._cache]
        if stored:
            rows = self._session.execute(
                select(LedgerNodeRecord.level, LedgerNodeRecord.index, LedgerNodeRecord.hash).where(
                    tuple_(LedgerNodeRecord.level, LedgerNodeRecord.index).in_(stored)
                )
            ).all()
            for level, index, value in rows:
                self._cache[(level, index)] = bytes(value)
        if low:
            sequences = sorted({s for lv, ix in low for s in range(ix << lv, (ix + 1) << lv)})
            found = dict(
                self._session.execute(
                    select(LedgerEntryRecord.sequence, LedgerEntryRecord.leaf_hash).where(
                        LedgerEntryRecord.sequence.in_(sequences)
                    )
                ).all()
            )
            for level, index in low:
                start = index << level
                leaves = [found.get(n) for n in range(start, start + (1 << level))]
                if all(leaf is not None for leaf in leaves):
                    self._cache[(level, index)] = root_of([bytes(leaf) for leaf in leaves if leaf])

    def leaves(self, start: int, end: int) -> list[bytes]:
        """The leaf hashes of entries ``[start, end)``."""
        rows = self._session.scalars(
            select(LedgerEntryRecord.leaf_hash)
            .where(LedgerEntryRecord.sequence >= start, LedgerEntryRecord.sequence < end)
            .order_by(LedgerEntryRecord.sequence)
        ).all()
        if len(rows) != end - start:
            raise LedgerRangeError(
                f"entries {start} to {end - 1} are not all stored; the ledger's tables were "
                "altered: run `infoshare ledger verify`"
            )
        return [bytes(row) for row in rows]


class RecordingStore:
    """A stand-in ``HashStore`` that notes which subtrees a proof asks for (answers zeros)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.wanted: list[tuple[int, int]] = []

    def get(self, level: int, index: int) -> bytes:
        if level < 0 or index < 0 or (index + 1) << level > self.size:
            raise LedgerRangeError(
                f"the subtree at level `{level}`, index `{index}` is not complete in a tree of "
                f"size `{self.size}`; ask only for subtrees inside the tree"
            )
        self.wanted.append((level, index))
        return bytes(32)


@dataclass(frozen=True, slots=True)
class HeadState:
    """The head as one process last committed it: size, last entry hash, Merkle edge."""

    size: int
    entry_hash: bytes
    edge: tuple[bytes, ...]

    @classmethod
    def of(cls, head: LedgerHead) -> HeadState:
        return cls(head.size, head.entry_hash, head.tree.hashes)

    def head(self) -> LedgerHead:
        return LedgerHead(self.size, self.entry_hash, CompactRange(self.size, self.edge))


_heads: weakref.WeakKeyDictionary[Engine, HeadState] = weakref.WeakKeyDictionary()
_heads_lock = threading.Lock()


def _cached_head(engine: Engine) -> HeadState | None:
    with _heads_lock:
        return _heads.get(engine)


def _remember_head(engine: Engine, state: HeadState | None) -> None:
    with _heads_lock:
        if state is None:
            _heads.pop(engine, None)
        else:
            _heads[engine] = state


def read_head(session: Session, *, lock: bool) -> tuple[int, bytes]:
    """The stored head's size and entry hash (0 and GENESIS before the first append).

    With ``lock`` (a write transaction) the head row is made if missing and locked for
    update on PostgreSQL; on SQLite the transaction already holds the write lock.
    """
    statement = select(LedgerHeadRecord.size, LedgerHeadRecord.entry_hash).where(
        LedgerHeadRecord.id == HEAD_ROW_ID
    )
    postgres = session.get_bind().dialect.name == "postgresql"
    if lock and postgres:
        statement = statement.with_for_update()
    row = session.execute(statement).one_or_none()
    if row is None and lock:
        # The first append of a ledger makes the row; ON CONFLICT lets two processes race.
        make = (postgres_insert if postgres else sqlite_insert)(LedgerHeadRecord)
        session.execute(
            make.values(id=HEAD_ROW_ID, size=0, entry_hash=GENESIS).on_conflict_do_nothing()
        )
        row = session.execute(statement).one()
    if row is None:
        return 0, GENESIS
    return int(row.size), bytes(row.entry_hash)


_ENTRY_COLUMNS: Final = (
    "sequence",
    "body",
    "entry_hash",
    "leaf_hash",
    "kind",
    "at",
    "actor_staff",
    "actor_organisation",
    "subject",
    "purpose",
    "outcome",
    "record_digest",
    "record_type",
    "record_id",
    "counterparty",
)


def _insert_sql(table: Table, columns: tuple[str, ...], sqlite: bool) -> str:
    marker = "?" if sqlite else "%s"
    names = ", ".join(f'"{name}"' for name in columns)
    values = ", ".join([marker] * len(columns))
    # Names are this module's constants, values are bound parameters: nothing comes from input.
    return f"INSERT INTO {table.name} ({names}) VALUES ({values})"  # noqa: S608


@dataclass(slots=True)
class _Mark:
    state: HeadState
    rows: int
    nodes: int


@dataclass
class LedgerAppender:
    """Appends entries within one write transaction, holding the head lock from the first.

    ``buffered`` appenders (the group-commit writer's) keep rows in memory and insert them
    all at ``flush``, in two multi-row statements; unbuffered ones (a plain unit of work)
    write each entry at once. ``mark``/``reset`` drop what one caller appended when its
    savepoint rolls back.
    """

    session: Session
    buffered: bool = False
    _head: LedgerHead | None = None
    _start: int = 0
    _rows: list[tuple[Any, ...]] = field(default_factory=list)
    _nodes: list[tuple[int, int, bytes]] = field(default_factory=list)

    @classmethod
    def of(cls, session: Session) -> LedgerAppender:
        """The appender of ``session``'s transaction, made (unbuffered) on first use."""
        appender = session.info.get(APPENDER_KEY)
        if appender is None:
            appender = cls(session)
            session.info[APPENDER_KEY] = appender
        assert isinstance(appender, LedgerAppender)
        return appender

    @property
    def head(self) -> LedgerHead:
        """The head, taken (and locked) on first use in this transaction."""
        if self._head is None:
            size, entry_hash = read_head(self.session, lock=True)
            engine = self.session.get_bind()
            assert isinstance(engine, Engine)
            cached = _cached_head(engine)
            if cached is not None and (cached.size, cached.entry_hash) == (size, entry_hash):
                self._head = cached.head()
            else:
                store = DatabaseHashStore(self.session, size)
                self._head = LedgerHead(size, entry_hash, compact_range(store, size))
            self._start = size
        return self._head

    def append(self, event: LedgerEvent) -> SealedEntry:
        """Number ``event`` from the head and seal it; stored now, or at ``flush`` if buffered."""
        head = self.head
        entry = event.numbered(head.size)
        sealed = head.seal(entry)
        self._rows.append(
            (
                sealed.sequence,
                sealed.body,
                sealed.entry_hash,
                sealed.leaf,
                entry.kind.value,
                self._time(entry.time),
                entry.actor_staff,
                entry.actor_organisation,
                entry.subject,
                entry.purpose,
                entry.outcome.value,
                entry.record_digest,
                event.record_type,
                event.record_id,
                event.counterparty,
            )
        )
        for level, index, node in sealed.nodes:
            if level >= NODE_MIN_LEVEL:
                self._nodes.append((level, index, node))
        if not self.buffered:
            self.flush()
        return sealed

    def _time(self, moment: datetime) -> object:
        # The value ``UTCDateTime`` would bind, made here because rows go to the driver as
        # they are (see ``flush``): SQLite's text form of naive UTC; PostgreSQL takes it aware.
        if self._sqlite:
            return moment.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")
        return moment

    def mark(self) -> _Mark:
        return _Mark(HeadState.of(self.head), len(self._rows), len(self._nodes))

    def reset(self, mark: _Mark) -> None:
        """Forget what was appended since ``mark`` (its caller's savepoint rolled back)."""
        self._head = mark.state.head()
        del self._rows[mark.rows :]
        del self._nodes[mark.nodes :]

    def flush(self) -> None:
        """Write the appended rows and move the head row on.

        Rows go to the driver's ``executemany`` as tuples: the entries are already checked
        (``LedgerEvent``), and SQLAlchemy's per-value processing would cost more than the
        database's own work at group-commit rates.
        """
        if not self._rows:
            return
        connection = self.session.connection()
        connection.exec_driver_sql(self._insert_entries, self._rows)
        if self._nodes:
            connection.exec_driver_sql(self._insert_nodes, self._nodes)
        head = self.head
        self.session.execute(
            update(LedgerHeadRecord)
            .where(LedgerHeadRecord.id == HEAD_ROW_ID)
            .values(size=head.size, entry_hash=head.entry_hash)
        )
        self._rows.clear()
        self._nodes.clear()

    @functools.cached_property
    def _sqlite(self) -> bool:
        return self.session.get_bind().dialect.name == "sqlite"

    @functools.cached_property
    def _insert_entries(self) -> str:
        return _insert_sql(_ENTRIES, _ENTRY_COLUMNS, self._sqlite)

    @functools.cached_property
    def _insert_nodes(self) -> str:
        return _insert_sql(_NODES, ("level", "index", "hash"), self._sqlite)

    def checkpoint(self, key: SigningKey, now: datetime) -> str:
        """Sign a checkpoint of the head as it stands in this transaction, and store it.

        The checkpoint covers what this transaction appended, so it is durable with it.
        Returns the signed note; a checkpoint of the same size is not signed twice.
        """
        self.flush()
        head = self.head
        stored = self.session.scalar(
            select(LedgerCheckpointRecord.note).where(LedgerCheckpointRecord.size == head.size)
        )
        if stored is not None:
            return stored
        root = head.root()
        note = sign_checkpoint(Checkpoint(key.name, head.size, root, now), key)
        self.session.add(LedgerCheckpointRecord(size=head.size, root=root, at=now, note=note))
        self.session.flush()
        return note

    @property
    def appended(self) -> int:
        """How many entries this transaction has appended so far."""
        return 0 if self._head is None else self._head.size - self._start

    def committed(self) -> None:
        """Call once the transaction is durable: the head becomes this process's cache."""
        if self._head is not None:
            engine = self.session.get_bind()
            assert isinstance(engine, Engine)
            _remember_head(engine, HeadState.of(self._head))

    def abandoned(self) -> None:
        """Call when the transaction rolled back: forget the cached head for this engine."""
        engine = self.session.get_bind()
        assert isinstance(engine, Engine)
        _remember_head(engine, None)
