"""The ledger: entries, stored subtree hashes, signed checkpoints and the head row.

Principle 6 and Procedures C4, C5: the tamper-evident record of every governance event
(issue 6). The head row is made by the first append (``store/ledger_store.py``).

Revision ID: 0005_ledger
Revises: 0004_agreements
Created: 2026-11-25
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005_ledger"
down_revision: str | None = "0004_agreements"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TIMESTAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "ledger_entries",
        sa.Column("sequence", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("body", sa.LargeBinary(), nullable=False),
        sa.Column("entry_hash", sa.LargeBinary(length=32), nullable=False),
        sa.Column("leaf_hash", sa.LargeBinary(length=32), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("at", TIMESTAMP, nullable=False),
        sa.Column("actor_staff", sa.String(length=128), nullable=False),
        sa.Column("actor_organisation", sa.String(length=128), nullable=False),
        sa.Column("subject", sa.String(length=128), nullable=True),
        sa.Column("purpose", sa.String(length=128), nullable=True),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("record_digest", sa.String(length=64), nullable=False),
        sa.Column("record_type", sa.String(length=64), nullable=True),
        sa.Column("record_id", sa.String(length=128), nullable=True),
        sa.Column("counterparty", sa.String(length=128), nullable=True),
        sa.PrimaryKeyConstraint("sequence", name=op.f("pk_ledger_entries")),
    )
    op.create_index(op.f("ix_ledger_entries_kind"), "ledger_entries", ["kind"])
    op.create_index(op.f("ix_ledger_entries_at"), "ledger_entries", ["at"])
    op.create_index(
        op.f("ix_ledger_entries_actor_organisation"), "ledger_entries", ["actor_organisation"]
    )
    op.create_index(op.f("ix_ledger_entries_subject"), "ledger_entries", ["subject"])
    op.create_index(op.f("ix_ledger_entries_record_type"), "ledger_entries", ["record_type"])
    op.create_table(
        "ledger_nodes",
        sa.Column("level", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("index", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("hash", sa.LargeBinary(length=32), nullable=False),
        sa.PrimaryKeyConstraint("level", "index", name=op.f("pk_ledger_nodes")),
    )
    op.create_table(
        "ledger_checkpoints",
        sa.Column("size", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("root", sa.LargeBinary(length=32), nullable=False),
        sa.Column("at", TIMESTAMP, nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("size", name=op.f("pk_ledger_checkpoints")),
    )
    op.create_table(
        "ledger_head",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("entry_hash", sa.LargeBinary(length=32), nullable=False),
        sa.CheckConstraint("id = 1", name=op.f("ck_ledger_head_one_row")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_head")),
    )


def downgrade() -> None:
    op.drop_table("ledger_head")
    op.drop_table("ledger_checkpoints")
    op.drop_table("ledger_nodes")
    op.drop_index(op.f("ix_ledger_entries_record_type"), table_name="ledger_entries")
    op.drop_index(op.f("ix_ledger_entries_subject"), table_name="ledger_entries")
    op.drop_index(op.f("ix_ledger_entries_actor_organisation"), table_name="ledger_entries")
    op.drop_index(op.f("ix_ledger_entries_at"), table_name="ledger_entries")
    op.drop_index(op.f("ix_ledger_entries_kind"), table_name="ledger_entries")
    op.drop_table("ledger_entries")
