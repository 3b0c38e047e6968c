"""The ledger as the rest of infoshare uses it: record events, checkpoint, prove, verify.

Principle 6 (decisions "appropriately recorded for audit purposes"), Procedure C4 (evidence
when requested), Procedure C5 (breaches followed up), Section 4.3 (monitoring). The
mathematics is ``infoshare.ledger``; storage and numbering are ``store/ledger_store.py``;
group commit is ``services/group_commit.py``. See docs/ledger.md.

How a service appends (inside its own unit of work, in the same transaction)::

    from infoshare.services import ledger

    with uow:
        record = …                                 # the governance write
        ledger.record(uow, ledger.LedgerEvent(
            time=at, kind=EventKind.CONSENT_GIVEN, actor_staff="staff-0001",
            actor_organisation="LTHT", subject="subject-1", purpose="care",
            record_digest=ledger.record_digest(the_record_as_json),
            record_type="consent", record_id=str(record.id)))
        uow.commit()

or, for high rates, the same ``record(ctx, …)`` inside ``group_commit.write(db, work)``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any, Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from infoshare.errors import (
    ConfigurationError,
    LedgerRangeError,
    NotFoundError,
    NotReadyError,
    PermissionDeniedError,
)
from infoshare.ledger.checkpoint import parse_checkpoint_text, split_note
from infoshare.ledger.events import EventKind, LedgerEntry, Outcome, decode_entry
from infoshare.ledger.keys import SigningKey, VerifierKey
from infoshare.ledger.proofs import ConsistencyProof, InclusionProof
from infoshare.ledger.tree import HashStore, consistency_proof, inclusion_proof, tree_root
from infoshare.ledger.verify import Problem, ProblemKind, Verification, verify_ledger
from infoshare.policy.access import Permission, authorize
from infoshare.services import (
    adoption_ledger,
    agreement_ledger,
    consent_ledger,
    decision_requests,
    group_commit,
    ledger_records,
    objection_ledger,
    sharing_ledger,
)
from infoshare.services.access_log import Requester
from infoshare.services.clock import now_or
from infoshare.services.keys import SIGNING_KEY_FILE, load_signing_key, published_key
from infoshare.services.ledger_records import RecordType, digests_reader, page_ids
from infoshare.store.database import Database
from infoshare.store.ledger_store import (
    DatabaseHashStore,
    LedgerAppender,
    LedgerEvent,
    RecordingStore,
    read_head,
)
from infoshare.store.models import (
    DecisionRequestRecord,
    LedgerCheckpointRecord,
    LedgerEntryRecord,
    ObjectionEndRecord,
    ObjectionRecord,
)
from infoshare.store.unit_of_work import UnitOfWork
from infoshare.store.writer import WriteContext

__all__ = [
    "EventKind",
    "LedgerEvent",
    "Outcome",
    "WriteContext",
    "adoption_digest",
    "checkpoint",
    "consistency",
    "entries",
    "inclusion",
    "pack_loaded_digest",
    "record",
    "record_all",
    "record_digest",
    "verify",
]

#: the actor of events infoshare itself performs, and the ``record_type``s of adoption
SYSTEM_ACTOR: Final = adoption_ledger.SYSTEM_ACTOR
ADOPTION_RECORD: Final = adoption_ledger.ADOPTION_RECORD
PACK_RECORD: Final = adoption_ledger.PACK_RECORD

Target = UnitOfWork | Session | WriteContext


#: the hex SHA-256 of a record's canonical JSON: what an entry's ``record_digest`` holds
record_digest = ledger_records.record_digest


def _session(target: Target) -> Session:
    if isinstance(target, UnitOfWork | WriteContext):
        return target.session
    return target


def record(target: Target, event: LedgerEvent) -> int:
    """Append ``event`` in ``target``'s transaction; its sequence number.

    ``target`` is an open write ``UnitOfWork`` (the entry is written now, durable with the
    unit's commit), or the ``WriteContext`` of ``group_commit.write`` (durable with the
    batch). Either way the entry is rolled back with the rest of the work if it fails.
    """
    return LedgerAppender.of(_session(target)).append(event).sequence


def record_all(target: Target, events: Iterable[LedgerEvent]) -> list[int]:
    """Append ``events`` in order, in ``target``'s transaction; their sequence numbers.

    As ``record``, for many events at once (an import): in a plain unit of work the entries
    are written together at the end, in two multi-row statements, not one by one.
    """
    appender = LedgerAppender.of(_session(target))
    if appender.buffered:  # group commit's appender writes them with the batch
        return [appender.append(event).sequence for event in events]
    appender.buffered = True
    try:
        sequences = [appender.append(event).sequence for event in events]
    finally:
        appender.buffered = False
    appender.flush()
    return sequences


# --- which governance records verify checks -----------------------------------------------

#: the digests and events of adoption (Procedures C1, C3), as ``services/adoption_ledger.py``
#: builds them (kept here too: ``infoshare init`` and ``record_adoption`` call them so)
adoption_digest = adoption_ledger.adoption_digest
adoption_event = adoption_ledger.adoption_event
pack_loaded_digest = adoption_ledger.pack_loaded_digest
pack_loaded_event = adoption_ledger.pack_loaded_event

#: every governance table ``verify`` checks against its ledger entries, both ways, one
#: ``RecordType`` each (services/ledger_records.py). A feature that records a new kind of
#: record writes its reader beside its digests and adds it here; nothing else changes.
RECORD_TYPES: Final[tuple[RecordType, ...]] = (
    adoption_ledger.PACKS,
    adoption_ledger.ADOPTIONS,
    adoption_ledger.CONFIRMATIONS,
    agreement_ledger.AGREEMENTS,
    *consent_ledger.RECORDS,
    sharing_ledger.DISCLOSURES,
    sharing_ledger.REFERRALS,
    sharing_ledger.REVIEWS,
    RecordType(
        decision_requests.DECISION_REQUEST_RECORD,
        digests_reader(
            decision_requests.DECISION_REQUEST_RECORD, decision_requests.current_digests
        ),
        page_ids(DecisionRequestRecord.id),
    ),
    RecordType(
        objection_ledger.OBJECTION_RECORD,
        digests_reader(objection_ledger.OBJECTION_RECORD, objection_ledger.current_digests),
        page_ids(ObjectionRecord.id),
    ),
    RecordType(
        objection_ledger.OBJECTION_END_RECORD,
        digests_reader(objection_ledger.OBJECTION_END_RECORD, objection_ledger.current_digests),
        page_ids(ObjectionEndRecord.objection_id),
    ),
)
#: record types ``verify`` knows how to read back
CHECKED_RECORD_TYPES: Final = frozenset(record_type.name for record_type in RECORD_TYPES)


# --- checkpoints -----------------------------------------------------------------------------


@dataclass(frozen=True)
class CheckpointView:
    size: int
    root: bytes
    time: datetime
    note: str


def _checkpoint_view(row: LedgerCheckpointRecord) -> CheckpointView:
    return CheckpointView(row.size, bytes(row.root), row.at, row.note)


def checkpoint(db: Database, key: SigningKey, *, now: datetime | None = None) -> CheckpointView:
    """Sign and store a checkpoint of the ledger as it stands (none twice for one size)."""
    at = now_or(now)

    def sign(context: WriteContext) -> str:
        return context.ledger.checkpoint(key, at)

    note = group_commit.write(db, sign)
    stated = parse_checkpoint_text(split_note(note)[0])
    return CheckpointView(stated.size, stated.root, stated.time, note)


def checkpoints(uow: UnitOfWork) -> list[CheckpointView]:
    """Every stored checkpoint, by size."""
    with uow.reading():
        rows = uow.session.scalars(
            select(LedgerCheckpointRecord).order_by(LedgerCheckpointRecord.size)
        ).all()
        return [_checkpoint_view(row) for row in rows]


def _checkpoint_of(session: Session, size: int | None) -> LedgerCheckpointRecord:
    statement = select(LedgerCheckpointRecord)
    if size is None:
        statement = statement.order_by(LedgerCheckpointRecord.size.desc()).limit(1)
    else:
        statement = statement.where(LedgerCheckpointRecord.size == size)
    found = session.scalars(statement).first()
    if found is None:
        if size is None:
            raise NotFoundError(
                "the ledger has no checkpoint yet; sign one with `infoshare ledger checkpoint`",
                field="size",
            )
        raise NotFoundError(
            f"there is no checkpoint of size `{size}`; list them at /api/v1/ledger/checkpoints "
            "or with `infoshare ledger show`, and ask for one of those sizes",
            field="size",
        )
    return found


def get_checkpoint(uow: UnitOfWork, size: int | None = None) -> CheckpointView:
    """The checkpoint of ``size``, or the newest; NotFoundError if there is none."""
    with uow.reading():
        return _checkpoint_view(_checkpoint_of(uow.session, size))


# --- proofs ----------------------------------------------------------------------------------


def _prefetched(
    session: Session, size: int, proof: Callable[[HashStore], object]
) -> DatabaseHashStore:
    """A store with every subtree ``proof`` will read already fetched, in two queries.

    A proof's shape depends on the sizes alone, so running it once against a recording
    store names every subtree it needs; the real run then reads them from memory.
    """
    recorder = RecordingStore(size)
    proof(recorder)
    store = DatabaseHashStore(session, size)
    store.prefetch(recorder.wanted)
    return store


def inclusion(uow: UnitOfWork, sequence: int, size: int | None = None) -> InclusionProof:
    """The proof that entry ``sequence`` is in the checkpoint of ``size`` (default: newest)."""
    with uow.reading():
        session = uow.session
        signed = _checkpoint_of(session, size)
        if not 0 <= sequence < signed.size:
            raise LedgerRangeError(
                f"the sequence number `{sequence}` is not covered by the checkpoint of size "
                f"{signed.size}; ask for 0 to {signed.size - 1}, or a later checkpoint",
                field="sequence",
            )
        body = session.scalar(
            select(LedgerEntryRecord.body).where(LedgerEntryRecord.sequence == sequence)
        )
        if body is None:
            raise LedgerRangeError(
                f"entry `{sequence}` is missing from the ledger's tables; run "
                "`infoshare ledger verify`",
                field="sequence",
            )
        store = _prefetched(
            session, signed.size, lambda s: inclusion_proof(s, sequence, signed.size)
        )
        path = inclusion_proof(store, sequence, signed.size)
        return InclusionProof(sequence, signed.size, bytes(body), tuple(path))


def consistency(uow: UnitOfWork, size1: int, size2: int) -> ConsistencyProof:
    """The proof that the checkpoint of ``size2`` extends the one of ``size1``."""
    if not 0 < size1 <= size2:
        raise LedgerRangeError(
            f"a consistency proof goes from a size of at least 1 to a size no smaller; "
            f"`{size1}` to `{size2}` does not",
            field="from",
        )
    with uow.reading():
        session = uow.session
        _checkpoint_of(session, size1)
        _checkpoint_of(session, size2)
        store = _prefetched(session, size2, lambda s: consistency_proof(s, size1, size2))
        return ConsistencyProof(size1, size2, tuple(consistency_proof(store, size1, size2)))


# --- reading entries -------------------------------------------------------------------------


@dataclass(frozen=True)
class EntryView:
    entry: LedgerEntry
    entry_hash: bytes
    record_type: str | None
    record_id: str | None
    counterparty: str | None


def entries(
    uow: UnitOfWork,
    *,
    tail: int | None = None,
    kind: str | None = None,
    subject: str | None = None,
) -> list[EntryView]:
    """Entries in order: the last ``tail`` if given; only of ``kind``, about ``subject``."""
    if tail is not None and tail < 1:
        raise LedgerRangeError(f"`--tail {tail}` shows nothing; give a number from 1", field="tail")
    with uow.reading():
        statement = select(LedgerEntryRecord).order_by(LedgerEntryRecord.sequence.desc())
        if kind is not None:
            statement = statement.where(LedgerEntryRecord.kind == kind)
        if subject is not None:
            statement = statement.where(LedgerEntryRecord.subject == subject)
        if tail is not None:
            statement = statement.limit(tail)
        rows = list(reversed(uow.session.scalars(statement).all()))
        return [_entry_view(r) for r in rows]


def _entry_view(row: LedgerEntryRecord) -> EntryView:
    return EntryView(
        decode_entry(bytes(row.body)),
        bytes(row.entry_hash),
        row.record_type,
        row.record_id,
        row.counterparty,
    )


def head_size(uow: UnitOfWork) -> int:
    """How many entries the ledger holds."""
    with uow.reading():
        return read_head(uow.session, lock=False)[0]


# --- verifying the whole store ---------------------------------------------------------------


@dataclass(frozen=True)
class _Row:
    sequence: int
    body: bytes
    entry_hash: bytes


#: entries read per query while verifying
CHUNK: Final = 20_000


def _stream(session: Session, size: int, progress: Callable[[int], None]) -> Iterator[_Row]:
    last = -1
    read = 0
    while True:
        rows = session.execute(
            select(LedgerEntryRecord.sequence, LedgerEntryRecord.body, LedgerEntryRecord.entry_hash)
            .where(LedgerEntryRecord.sequence > last, LedgerEntryRecord.sequence < size)
            .order_by(LedgerEntryRecord.sequence)
            .limit(CHUNK)
        ).all()
        if not rows:
            return
        for sequence, body, entry_hash in rows:
            yield _Row(sequence, bytes(body), bytes(entry_hash))
        last = rows[-1][0]
        read += len(rows)
        progress(read)


@dataclass(frozen=True)
class LedgerReport:
    """What ``verify`` found: the core's verification, and the first problem of any kind."""

    size: int
    verification: Verification
    #: entries held against the governance record they point at
    records_checked: int
    problem: Problem | None
    #: governance rows held against their entries (every registered table, read whole)
    rows_checked: int = 0

    @property
    def ok(self) -> bool:
        return self.problem is None


def _problem(kind: ProblemKind, sequence: int | None, detail: str) -> Problem:
    return Problem(kind, sequence, detail)


def verify(
    uow: UnitOfWork,
    key: VerifierKey,
    *,
    progress: Callable[[int, int], None] | None = None,
    thorough: bool = False,
) -> LedgerReport:
    """Check the whole stored ledger with ``key``: what ``verify_ledger`` checks, and more.

    Beyond the core's chain, Merkle root and checkpoints: the head row agrees with the
    entries, the stored subtrees give the same root, and every entry that points at a
    governance record finds it, with the digest it recorded. ``thorough`` also decodes every
    entry and checks that the columns queries read (kind, time, actor, subject, …) say what
    its hashed bytes say: about ten times slower.
    """
    with uow.reading():
        session = uow.session
        size, head_hash = read_head(session, lock=False)

        def tick(read: int) -> None:
            if progress is not None:
                progress(read, size)

        notes = session.scalars(
            select(LedgerCheckpointRecord.note).order_by(LedgerCheckpointRecord.size)
        ).all()
        verification = verify_ledger(
            _stream(session, size, tick), notes, key, decode_entries=thorough
        )
        if verification.problem is None and thorough:
            verification = replace(verification, problem=_check_columns(session, size))
        if verification.problem is not None:
            return LedgerReport(size, verification, 0, verification.problem)
        problem = _check_head(session, size, head_hash, verification)
        checked = records = 0
        if problem is None:
            found = ledger_records.check(session, size, RECORD_TYPES)
            checked, records, problem = found.entries, found.records, found.problem
        return LedgerReport(size, verification, checked, problem, records)


_COPIED: Final = ("kind", "actor_staff", "actor_organisation", "subject", "purpose", "outcome")


def _check_columns(session: Session, size: int) -> Problem | None:
    """The first entry whose query columns disagree with its hashed bytes, as a problem."""
    last = -1
    while True:
        rows = session.scalars(
            select(LedgerEntryRecord)
            .where(LedgerEntryRecord.sequence > last, LedgerEntryRecord.sequence < size)
            .order_by(LedgerEntryRecord.sequence)
            .limit(CHUNK)
        ).all()
        if not rows:
            return None
        for row in rows:
            entry = decode_entry(bytes(row.body))
            stated = entry.to_json()
            wrong = [name for name in _COPIED if getattr(row, name) != stated[name]]
            if row.record_digest != entry.record_digest:
                wrong.append("record_digest")
            if row.at != entry.time:
                wrong.append("at")
            if wrong:
                return _problem(
                    ProblemKind.STORE_MISMATCH,
                    row.sequence,
                    f"the column(s) {', '.join(wrong)} do not say what the entry's hashed bytes "
                    "say; queries and exports read those columns: they were altered",
                )
        last = rows[-1].sequence
        session.expunge_all()


def _check_head(
    session: Session, size: int, head_hash: bytes, verification: Verification
) -> Problem | None:
    if verification.entries != size:
        return _problem(
            ProblemKind.TRUNCATED,
            verification.entries,
            f"the head row says the ledger holds {size} entries but {verification.entries} "
            "were found; entries were removed",
        )
    if verification.entry_hash != head_hash:
        return _problem(
            ProblemKind.STORE_MISMATCH,
            size - 1 if size else None,
            "the head row's entry hash is not the hash the chain ends in; the head row or the "
            "last entry was changed",
        )
    if size:
        try:
            stored_root = tree_root(DatabaseHashStore(session, size), size)
        except LedgerRangeError as error:
            return _problem(ProblemKind.STORE_MISMATCH, size, error.message)
        if stored_root != verification.root:
            return _problem(
                ProblemKind.STORE_MISMATCH,
                size,
                "the stored subtree hashes (ledger_nodes) do not give the entries' Merkle root; "
                "proofs served from them would fail: the table was altered",
            )
    return None


def entry_json(entry: LedgerEntry) -> dict[str, Any]:
    """An entry as plain JSON (times as RFC 3339 strings)."""
    value: dict[str, Any] = dict(entry.to_json())
    value["time"] = entry.time.isoformat().replace("+00:00", "Z")
    return value


# --- who may read entries and proofs ---------------------------------------------------------


def require_reader(requester: Requester) -> None:
    """Entries and proofs carry pseudonymous subjects: only monitoring may read them.

    Section 4.3 (monitoring) and Procedure C4 (evidence on request): a caller needs
    ``monitoring:read`` (the steering group, leads, the information-sharing manager, or an
    API token issued with it). The public key and checkpoints are public.
    """
    decision = authorize(requester.actor, Permission.MONITORING_READ)
    if not decision.allowed:
        raise PermissionDeniedError(
            f"reading the ledger's entries and proofs needs `{Permission.MONITORING_READ}`: "
            f"{decision.message} (Section 4.3)"
        )


def public_key_text(keys_dir: Path) -> str:
    """The published verifier key, as text; NotReadyError until ``infoshare init`` made it."""
    try:
        return published_key(keys_dir).encode()
    except ConfigurationError as error:
        raise NotReadyError(
            "the ledger's signing key has not been made yet; run `infoshare init` "
            f"({error.message})"
        ) from None


def entry(uow: UnitOfWork, sequence: int) -> EntryView | None:
    """Entry ``sequence``, or None if the ledger has no such entry."""
    with uow.reading():
        row = uow.session.get(LedgerEntryRecord, sequence)
        return None if row is None else _entry_view(row)


def start_checkpointing(db: Database, keys_dir: Path, every: int) -> bool:
    """Have ``db``'s group-commit writer sign a checkpoint every ``every`` entries.

    For long-running processes (``create_app``): call once after opening the database.
    Returns False, changing nothing, when no signing key has been made yet (``infoshare
    init`` makes it); a key that is present but unusable is a ConfigurationError.
    """
    if not (keys_dir / SIGNING_KEY_FILE).exists():
        return False
    group_commit.sign_checkpoints(db, load_signing_key(keys_dir), every=every)
    return True
