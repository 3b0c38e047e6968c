"""Ledger events and a verifying helper for the storage tests of the ledger."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from infoshare.ledger.events import EventKind, Outcome
from infoshare.ledger.keys import SigningKey
from infoshare.ledger.verify import Verification, verify_ledger
from infoshare.store.database import Database
from infoshare.store.ledger_store import LedgerEvent
from infoshare.store.models import LedgerCheckpointRecord, LedgerEntryRecord

START = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
KEY = SigningKey("infoshare.test/ledger", hashlib.sha256(b"test key").digest())


def event(n: int, *, kind: EventKind = EventKind.DISCLOSURE_MADE) -> LedgerEvent:
    """The ``n``-th test event: a disclosure by staff ``n`` of LTHT about subject ``n``."""
    return LedgerEvent(
        time=START + timedelta(seconds=n),
        kind=kind,
        actor_staff=f"staff-{n}",
        actor_organisation="LTHT",
        subject=f"subject-{n}",
        purpose="care",
        outcome=Outcome.SUCCESS,
        record_digest=hashlib.sha256(str(n).encode()).hexdigest(),
    )


def stored_sequences(db: Database) -> list[int]:
    with db.sessions() as session:
        return list(
            session.scalars(select(LedgerEntryRecord.sequence).order_by(LedgerEntryRecord.sequence))
        )


def verify_stored(db: Database) -> Verification:
    """The core's verification of everything stored, against ``KEY``."""
    with db.sessions() as session:
        rows = session.execute(
            select(
                LedgerEntryRecord.sequence, LedgerEntryRecord.body, LedgerEntryRecord.entry_hash
            ).order_by(LedgerEntryRecord.sequence)
        ).all()
        notes = session.scalars(
            select(LedgerCheckpointRecord.note).order_by(LedgerCheckpointRecord.size)
        ).all()
    return verify_ledger(rows, notes, KEY.verifier, decode_entries=True)
