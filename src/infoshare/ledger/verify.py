"""Verifying a whole ledger: chain, Merkle root and every signed checkpoint, in one pass.

Principle 6 says decisions to share without consent are "recorded for audit purposes";
Section 4.3 has the steering group monitor and Procedure C5 follow up breaches. Both need
to know the record was not altered. ``verify_ledger`` reads entries once, in order, from
any iterable (a list, a database cursor), in O(log n) memory, and checks:

- sequence numbers run 0, 1, 2, … (a deletion, insertion or reordering breaks the run or
  the chain);
- every entry hash is SHA-256(previous entry hash || body) (a changed byte breaks it);
- every checkpoint's signature verifies with the published key, and its root equals the
  Merkle root of the entries up to its size. All roots are computed over the same stream,
  so checkpoints that match are consistent with one another by construction; a checkpoint
  beyond the last entry means the ledger was truncated.

It returns the first problem, in ledger order, as a ``Problem`` value with the sequence
number and the reason: verification reports what it finds, it does not raise.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from infoshare.errors import CheckpointError, LedgerEntryError
from infoshare.ledger.chain import GENESIS
from infoshare.ledger.checkpoint import Checkpoint, open_checkpoint
from infoshare.ledger.events import decode_entry
from infoshare.ledger.keys import VerifierKey
from infoshare.ledger.merkle import fold_right


class StoredEntry(Protocol):
    """What verification reads of each stored entry (``chain.SealedEntry`` is one)."""

    @property
    def sequence(self) -> int: ...

    @property
    def body(self) -> bytes: ...

    @property
    def entry_hash(self) -> bytes: ...


class ProblemKind(StrEnum):
    """What verification found wrong."""

    #: the sequence number is not the next one: an entry was deleted, inserted or moved
    SEQUENCE_BROKEN = "sequence-broken"
    #: the entry hash does not follow from the previous hash and the body: bytes were changed
    CHAIN_BROKEN = "chain-broken"
    #: the body is not the canonical JSON of an entry numbered as it is stored
    ENTRY_MALFORMED = "entry-malformed"
    #: a checkpoint is malformed, or its signature by the published key fails
    CHECKPOINT_INVALID = "checkpoint-invalid"
    #: the entries up to a checkpoint's size do not hash to the root it signs
    CHECKPOINT_MISMATCH = "checkpoint-mismatch"
    #: a checkpoint signs more entries than the ledger holds: the ledger was truncated
    TRUNCATED = "truncated"
    #: (found by the shell) the governance record an entry points at is gone
    RECORD_MISSING = "record-missing"
    #: (found by the shell) the governance record no longer has the digest the entry recorded
    RECORD_CHANGED = "record-changed"
    #: (found by the shell) a governance row shows an event the ledger has no entry for
    RECORD_WITHOUT_ENTRY = "record-without-entry"
    #: (found by the shell) the stored head or subtree hashes disagree with the entries
    STORE_MISMATCH = "store-mismatch"


@dataclass(frozen=True, slots=True)
class Problem:
    """The first thing wrong with a ledger: where, what, and the clause it breaks."""

    kind: ProblemKind
    #: the entry (or checkpoint tree size) where the problem shows; None if not placeable
    sequence: int | None
    detail: str
    clause: str = "Principle 6"

    def __str__(self) -> str:
        where = f"entry {self.sequence}" if self.sequence is not None else "ledger"
        return f"{where}: {self.kind.value}: {self.detail} ({self.clause})"


@dataclass(frozen=True, slots=True)
class Verification:
    """What verification read, what it computed, and the first problem, if any."""

    entries: int
    checkpoints: int
    #: the Merkle root over the entries read (before any problem)
    root: bytes
    #: the last good entry hash: the chain head
    entry_hash: bytes
    problem: Problem | None

    @property
    def ok(self) -> bool:
        return self.problem is None


def _open_all(notes: Iterable[str], key: VerifierKey) -> tuple[list[Checkpoint], Problem | None]:
    checkpoints: list[Checkpoint] = []
    for position, note in enumerate(notes):
        try:
            checkpoints.append(open_checkpoint(note, key))
        except CheckpointError as error:
            return checkpoints, Problem(
                ProblemKind.CHECKPOINT_INVALID,
                None,
                f"checkpoint number {position} (from 0) is not trustworthy: {error.message}",
            )
    checkpoints.sort(key=lambda checkpoint: checkpoint.size)
    return checkpoints, None


def verify_ledger(
    entries: Iterable[StoredEntry],
    checkpoints: Iterable[str],
    key: VerifierKey,
    *,
    decode_entries: bool = False,
) -> Verification:
    """Verify ``entries`` (in sequence order) against signed checkpoint ``notes`` and ``key``.

    ``decode_entries`` also checks that every body is the canonical JSON of a ``LedgerEntry``
    carrying its own sequence number; it costs a JSON parse per entry.
    """
    opened, problem = _open_all(checkpoints, key)
    sha256 = hashlib.sha256
    previous = GENESIS
    subtrees: list[bytes] = []
    size = 0
    pending = iter(opened)
    due = next(pending, None)
    last_good = 0

    def result(found: Problem | None) -> Verification:
        return Verification(size, len(opened), fold_right(subtrees), previous, found)

    if problem is not None:
        return result(problem)

    def check_due() -> Problem | None:
        nonlocal due, last_good
        while due is not None and due.size == size:
            if due.root != fold_right(subtrees):
                first = f"{last_good} to {size - 1}" if size else "none"
                return Problem(
                    ProblemKind.CHECKPOINT_MISMATCH,
                    size,
                    f"the first {size} entries do not hash to the root the checkpoint of "
                    f"{due.time.isoformat()} signs; an entry numbered {first} was rewritten "
                    "and its chain recomputed",
                )
            last_good = size
            due = next(pending, None)
        return None

    if (found := check_due()) is not None:
        return result(found)
    for entry in entries:
        sequence, body = entry.sequence, entry.body
        if sequence != size:
            return result(
                Problem(
                    ProblemKind.SEQUENCE_BROKEN,
                    size,
                    f"expected entry {size} but found entry `{sequence}`; an entry was deleted, "
                    "inserted or moved here",
                )
            )
        current = sha256(previous + body).digest()
        if current != entry.entry_hash:
            return result(
                Problem(
                    ProblemKind.CHAIN_BROKEN,
                    size,
                    "the entry hash does not follow from the previous hash and this entry's "
                    "bytes; this entry (or its stored hash) was changed",
                )
            )
        if decode_entries:
            try:
                stated = decode_entry(body).sequence
            except LedgerEntryError as error:
                return result(Problem(ProblemKind.ENTRY_MALFORMED, size, error.message))
            if stated != size:
                return result(
                    Problem(
                        ProblemKind.ENTRY_MALFORMED,
                        size,
                        f"the entry stored as number {size} says it is number `{stated}`",
                    )
                )
        previous = current
        # The compact range append of merkle.CompactRange, inlined: this loop is the hot path.
        node = sha256(b"\x00" + body).digest()
        carry = size
        while carry & 1:
            node = sha256(b"\x01" + subtrees.pop() + node).digest()
            carry >>= 1
        subtrees.append(node)
        size += 1
        if due is not None and due.size == size and (found := check_due()) is not None:
            return result(found)
    if due is not None:
        return result(
            Problem(
                ProblemKind.TRUNCATED,
                size,
                f"a checkpoint signs {due.size} entries but the ledger ends after {size}; "
                f"entries from {size} on were removed",
            )
        )
    return result(None)
