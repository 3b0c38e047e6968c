"""Checking the governance tables against their ledger entries, one registered record type each.

Principle 6 (decisions "appropriately recorded for audit purposes"), Procedure C4 (evidence
when requested): the ledger is only evidence if the rows it points at are still the rows it
recorded. An entry names its record by ``record_type`` and ``record_id`` and holds
``record_digest``, the SHA-256 of that record's canonical JSON as it stood. ``infoshare
ledger verify`` (``services/ledger.py``) hands the registry of record types to ``check``,
which finds, in ledger order:

- an entry whose record is gone (``record-missing``);
- an entry whose record no longer gives the digest it recorded, or no longer shows the
  event (``record-changed``);
- an entry whose ``counterparty`` column (outside the hashed bytes) no longer names the
  recipient its record names (``store-mismatch``);

and then, table by table, a row that should have an entry and has none: a row written
behind the ledger's back (``record-without-entry``).

A record type is registered once, as a ``RecordType``: its name, ``read`` (the events each
of a page of records should have in the ledger, with their digests: ``Expected``), ``ids``
(every record of the table, a page at a time) and whether only its newest entry per event
must match (a record updated in place, like a protocol pack). Nothing else changes when a
feature adds one. A module with only ``current_digests(session, record_type, ids)`` (one
digest per record) registers through ``digests_reader``.

Each table is read once, a page of ``PAGE`` records per query, and the entries once, in
order; the expected events of every registered record are held in memory while the entries
stream past (about 300 bytes a record).

This module imports no other service: the modules that build the digests import it.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final, TypeVar

from sqlalchemy import func, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from infoshare.ledger.canonical import Canonical, canonical_json
from infoshare.ledger.verify import Problem, ProblemKind
from infoshare.store.models import LedgerEntryRecord

_T = TypeVar("_T")

#: records read per query
PAGE: Final = 500
#: entries read per query
ENTRY_CHUNK: Final = 20_000


def record_digest(record: Mapping[str, Canonical]) -> str:
    """The hex SHA-256 of ``record``'s canonical JSON: what an entry's ``record_digest`` holds."""
    return hashlib.sha256(canonical_json(dict(record))).hexdigest()


@dataclass(frozen=True, slots=True)
class Expected:
    """One entry a record should have: its event kind and the digest it recorded.

    ``kind`` None accepts any kind (a reader that knows one digest per record). When
    ``counterparty_checked``, the entry's ``counterparty`` column must be ``counterparty``.
    """

    kind: str | None
    digest: str
    counterparty: str | None = None
    counterparty_checked: bool = False


Reader = Callable[[Session, Sequence[str]], Mapping[str, Sequence[Expected]]]
Lister = Callable[[Session], Iterator[Sequence[str]]]


@dataclass(frozen=True)
class RecordType:
    """A governance table the ledger points into, as ``check`` reads it back."""

    #: the entries' ``record_type``
    name: str
    #: the events each of these records should have, by record id; absent records left out
    read: Reader
    #: every record id of the table, a page at a time, for rows with no entry
    ids: Lister
    #: only the newest entry of each record and kind must match (a record updated in place)
    newest_only: bool = False


def digests_reader(
    record_type: str, current_digests: Callable[[Session, str, Iterable[str]], Mapping[str, str]]
) -> Reader:
    """A ``read`` from a module's ``current_digests(session, record_type, ids)``."""

    def read(session: Session, ids: Sequence[str]) -> Mapping[str, Sequence[Expected]]:
        found = current_digests(session, record_type, ids)
        return {record_id: (Expected(None, digest),) for record_id, digest in found.items()}

    return read


def page_ids(
    column: InstrumentedAttribute[Any],
    *where: Any,
    as_id: Callable[[Any], str] = str,
) -> Lister:
    """A ``Lister`` paging through ``column`` (a unique key) in order, ``PAGE`` at a time."""

    def pages(session: Session) -> Iterator[Sequence[str]]:
        last: Any = None
        while True:
            statement = select(column).where(*where).order_by(column).limit(PAGE)
            if last is not None:
                statement = statement.where(column > last)
            keys = session.scalars(statement).all()
            if not keys:
                return
            yield [as_id(key) for key in keys]
            last = keys[-1]

    return pages


def parse_ids(record_ids: Iterable[str]) -> dict[uuid.UUID, str]:
    """The entries' ``record_id`` texts by the UUID a table holds; text that is no UUID is left
    out (no row could have it: the record is missing)."""
    found: dict[uuid.UUID, str] = {}
    for record_id in record_ids:
        try:
            found[uuid.UUID(record_id)] = record_id
        except ValueError:
            continue
    return found


def chunks(ids: Sequence[_T], size: int = PAGE) -> Iterator[Sequence[_T]]:
    """``ids`` in slices of ``size``: one query each."""
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


# --- the check ---------------------------------------------------------------------------------


def _expected_of(session: Session, record_type: RecordType) -> dict[str, Sequence[Expected]]:
    expected: dict[str, Sequence[Expected]] = {}
    for page in record_type.ids(session):
        expected.update(record_type.read(session, page))
        session.expunge_all()
    return expected


def _newest(session: Session, names: Iterable[str], size: int) -> set[int]:
    """The newest entry of each record and kind of the newest-only types."""
    wanted = sorted(names)
    if not wanted:
        return set()
    return set(
        session.scalars(
            select(func.max(LedgerEntryRecord.sequence))
            .where(LedgerEntryRecord.record_type.in_(wanted), LedgerEntryRecord.sequence < size)
            .group_by(
                LedgerEntryRecord.record_type, LedgerEntryRecord.record_id, LedgerEntryRecord.kind
            )
        )
    )


def _short(digest: str) -> str:
    return f"{digest[:12]}…"


def judge(
    sequence: int,
    record_type: str,
    record_id: str,
    kind: str,
    digest: str,
    counterparty: str | None,
    expected: Sequence[Expected] | None,
) -> Problem | None:
    """What is wrong with one entry against its record now, if anything."""
    named = f"{record_type} `{record_id}`"
    if expected is None:
        return Problem(
            ProblemKind.RECORD_MISSING,
            sequence,
            f"the {named} this `{kind}` entry records is not in the governance tables; the "
            "record was deleted",
        )
    same_kind = [e for e in expected if e.kind is None or e.kind == kind]
    if not same_kind:
        shows = ", ".join(sorted({f"`{e.kind}`" for e in expected})) or "no event"
        return Problem(
            ProblemKind.RECORD_CHANGED,
            sequence,
            f"the {named} no longer shows the `{kind}` this entry records (it now shows "
            f"{shows}); the record was changed after it was recorded",
        )
    match = next((e for e in same_kind if e.digest == digest), None)
    if match is None:
        now = ", ".join(_short(e.digest) for e in same_kind)
        return Problem(
            ProblemKind.RECORD_CHANGED,
            sequence,
            f"the {named} now digests to {now} where this `{kind}` entry recorded "
            f"{_short(digest)}; a column of the record was changed after it was recorded",
        )
    if match.counterparty_checked and counterparty != match.counterparty:
        return Problem(
            ProblemKind.STORE_MISMATCH,
            sequence,
            f"the entry's counterparty column says `{counterparty}` but the {named} names "
            f"`{match.counterparty}`; the column (outside the hashed bytes) was altered",
        )
    return None


@dataclass(frozen=True)
class RecordsChecked:
    """What ``check`` read: entries held against their records, rows held against entries."""

    entries: int
    records: int
    problem: Problem | None


def check(session: Session, size: int, registry: Sequence[RecordType]) -> RecordsChecked:
    """Every registered table against the first ``size`` entries; the first problem found.

    Problems with an entry come first, in ledger order; then the first row, table by table
    in registry order, that has no entry for an event it shows.
    """
    by_name = {record_type.name: record_type for record_type in registry}
    expected = {name: _expected_of(session, record_type) for name, record_type in by_name.items()}
    newest = _newest(session, (t.name for t in registry if t.newest_only), size)
    records = sum(len(found) for found in expected.values())
    seen: set[tuple[str, str, str | None, str]] = set()
    checked = 0
    last = -1
    while True:
        rows = session.execute(
            select(
                LedgerEntryRecord.sequence,
                LedgerEntryRecord.body,
                LedgerEntryRecord.record_type,
                LedgerEntryRecord.record_id,
                LedgerEntryRecord.counterparty,
            )
            .where(
                LedgerEntryRecord.record_type.in_(sorted(by_name)),
                LedgerEntryRecord.sequence > last,
                LedgerEntryRecord.sequence < size,
            )
            .order_by(LedgerEntryRecord.sequence)
            .limit(ENTRY_CHUNK)
        ).all()
        if not rows:
            break
        for sequence, body, record_type, record_id, counterparty in rows:
            if record_type is None or record_id is None:
                continue
            # The body passed the chain already; its digest and kind are what it recorded.
            stated = json.loads(bytes(body))
            kind, digest = stated["kind"], stated["record_digest"]
            seen.add((record_type, record_id, kind, digest))
            seen.add((record_type, record_id, None, digest))
            if by_name[record_type].newest_only and sequence not in newest:
                continue
            checked += 1
            problem = judge(
                sequence,
                record_type,
                record_id,
                kind,
                digest,
                counterparty,
                expected[record_type].get(record_id),
            )
            if problem is not None:
                return RecordsChecked(checked, records, problem)
        last = rows[-1][0]
    return RecordsChecked(checked, records, _unrecorded(session, size, expected, seen))


def _appended_since(
    session: Session, size: int, record_type: str, record_id: str, event: Expected
) -> bool:
    """Whether ``event`` has an entry appended after the ledger's head was read.

    The tables are read after the head, not in one snapshot (a read on SQLite, or on
    PostgreSQL at READ COMMITTED, sees each statement's own moment): a row written while
    verify runs has its entry beyond ``size``, and is no problem.
    """
    later = session.execute(
        select(LedgerEntryRecord.kind, LedgerEntryRecord.record_digest).where(
            LedgerEntryRecord.record_type == record_type,
            LedgerEntryRecord.record_id == record_id,
            LedgerEntryRecord.sequence >= size,
        )
    ).all()
    return any(event.kind in (None, kind) and event.digest == digest for kind, digest in later)


def _unrecorded(
    session: Session,
    size: int,
    expected: Mapping[str, Mapping[str, Sequence[Expected]]],
    seen: set[tuple[str, str, str | None, str]],
) -> Problem | None:
    for record_type, records in expected.items():
        for record_id, events in records.items():
            for event in events:
                if (record_type, record_id, event.kind, event.digest) not in seen:
                    if _appended_since(session, size, record_type, record_id, event):
                        continue
                    what = f"`{event.kind}` entry" if event.kind else "entry"
                    return Problem(
                        ProblemKind.RECORD_WITHOUT_ENTRY,
                        None,
                        f"the {record_type} `{record_id}` has no {what} with its digest "
                        f"{_short(event.digest)} in the ledger; the row was written or "
                        "changed behind the ledger's back",
                    )
    return None
