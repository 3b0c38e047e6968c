"""Builders for ledger tests: a fixed key, valid entries, and whole signed ledgers."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

from infoshare.ledger.chain import LedgerHead, SealedEntry
from infoshare.ledger.checkpoint import Checkpoint, sign_checkpoint
from infoshare.ledger.events import EventKind, LedgerEntry, Outcome
from infoshare.ledger.keys import SigningKey

ORIGIN = "infoshare.test/leeds-2002"
KEY = SigningKey(ORIGIN, bytes(range(32)))
OTHER_KEY = SigningKey(ORIGIN, bytes(range(1, 33)))
T0 = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
KINDS = list(EventKind)


def make_entry(sequence: int) -> LedgerEntry:
    """A valid entry that differs from its neighbours in every field that can vary."""
    return LedgerEntry(
        sequence=sequence,
        time=T0 + timedelta(seconds=sequence),
        kind=KINDS[sequence % len(KINDS)],
        actor_staff=f"staff-{sequence % 97:04d}",
        actor_organisation=["LTHT", "LCC", "WYP", "LMHST"][sequence % 4],
        record_digest=hashlib.sha256(f"record {sequence}".encode()).hexdigest(),
        outcome=Outcome.FAILURE if sequence % 11 == 5 else Outcome.SUCCESS,
        subject=f"subject-{sequence % 13}" if sequence % 3 else None,
        purpose="care" if sequence % 2 else None,
    )


def build_ledger(
    size: int, checkpoint_every: int = 10, key: SigningKey = KEY
) -> tuple[list[SealedEntry], list[str]]:
    """``size`` sealed entries and a signed checkpoint after every ``checkpoint_every``."""
    head = LedgerHead()
    entries: list[SealedEntry] = []
    notes: list[str] = []
    for sequence in range(size):
        entries.append(head.seal(make_entry(sequence)))
        if head.size % checkpoint_every == 0:
            notes.append(sign(head.size, head.root(), key))
    return entries, notes


def sign(size: int, root: bytes, key: SigningKey = KEY) -> str:
    moment = T0 + timedelta(seconds=size, milliseconds=500)
    return sign_checkpoint(Checkpoint(key.name, size, root, moment), key)
