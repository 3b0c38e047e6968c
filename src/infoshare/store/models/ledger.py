"""The ledger's tables: entries, stored subtree hashes, signed checkpoints and the one head row.

Principle 6 (decisions "appropriately recorded for audit purposes"), Procedures C4 and C5
(evidence on request, breaches followed up). The bytes the chain and the Merkle tree hash
live in ``ledger_entries.body``; every other column of that table is a copy of an identifier
in the body (kept so queries need no JSON), or a pointer to the governance record the
entry's digest covers. No column holds personal content.

``ledger_nodes`` holds the roots of perfect subtrees at levels ≥ ``NODE_MIN_LEVEL`` (the
``HashStore`` of ``ledger/tree.py``); lower ones are recomputed from the entries' leaf
hashes. ``ledger_head`` has at most one row (made by the first append), the size and last
entry hash: appenders lock it (``SELECT … FOR UPDATE`` on PostgreSQL) so that several
processes number entries without gaps or duplicates.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from infoshare.store.models.base import Base

#: subtrees of 2^4 = 16 leaves and up are stored: 1/8 of a row per entry, and a proof
#: recomputes at most 16 leaves per lower node it needs
NODE_MIN_LEVEL = 4
#: the id of the one row of ``ledger_head``
HEAD_ROW_ID = 1


class LedgerEntryRecord(Base):
    __tablename__ = "ledger_entries"

    #: 0, 1, 2, … without gaps: the entry's number and its Merkle leaf index
    sequence: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    #: the canonical JSON of the entry: exactly the bytes that were hashed
    body: Mapped[bytes] = mapped_column(LargeBinary)
    entry_hash: Mapped[bytes] = mapped_column(LargeBinary(32))
    leaf_hash: Mapped[bytes] = mapped_column(LargeBinary(32))
    kind: Mapped[str] = mapped_column(String(40), index=True)
    at: Mapped[datetime] = mapped_column(index=True)
    actor_staff: Mapped[str] = mapped_column(String(128))
    actor_organisation: Mapped[str] = mapped_column(String(128), index=True)
    subject: Mapped[str | None] = mapped_column(String(128), index=True)
    purpose: Mapped[str | None] = mapped_column(String(128))
    outcome: Mapped[str] = mapped_column(String(16))
    record_digest: Mapped[str] = mapped_column(String(64))
    #: which governance table holds the record the digest covers (e.g. ``organisation-adoption``)
    record_type: Mapped[str | None] = mapped_column(String(64), index=True)
    #: that record's key in its table (a code, a UUID)
    record_id: Mapped[str | None] = mapped_column(String(128))
    #: the other organisation, by code: a disclosure's or a package's recipient. A copy of
    #: what the record the digest covers says, kept for queries and FHIR AuditEvent agents
    counterparty: Mapped[str | None] = mapped_column(String(128))


class LedgerNodeRecord(Base):
    __tablename__ = "ledger_nodes"

    level: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    #: the subtree covers leaves [index·2^level, (index+1)·2^level)
    index: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    hash: Mapped[bytes] = mapped_column(LargeBinary(32))


class LedgerCheckpointRecord(Base):
    __tablename__ = "ledger_checkpoints"

    size: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    root: Mapped[bytes] = mapped_column(LargeBinary(32))
    at: Mapped[datetime]
    #: the whole signed note, as published
    note: Mapped[str] = mapped_column(Text)


class LedgerHeadRecord(Base):
    __tablename__ = "ledger_head"
    __table_args__ = (CheckConstraint("id = 1", name="one_row"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    size: Mapped[int] = mapped_column(BigInteger)
    entry_hash: Mapped[bytes] = mapped_column(LargeBinary(32))
