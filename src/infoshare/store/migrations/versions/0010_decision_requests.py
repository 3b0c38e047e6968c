"""Decision requests: dry runs and refused requests to share, each beside its ledger entry.

Principle 6, Procedures A5 and A7, Section 4.4 (issues 4 and 6): every decision asked that
is not stored as a disclosure or a referral, so that it is evidence and can be replayed
through a candidate version of an agreement.

Revision ID: 0010_decision_requests
Revises: 0009_portal
Created: 2026-11-25
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010_decision_requests"
down_revision: str | None = "0009_portal"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TIMESTAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "decision_requests",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("asked_at", TIMESTAMP, nullable=False),
        sa.Column("source", sa.String(length=32), nullable=False),
        sa.Column("requester", sa.String(length=254), nullable=False),
        sa.Column("provider", sa.String(length=64), nullable=False),
        sa.Column("recipient", sa.String(length=64), nullable=False),
        sa.Column("recipient_role", sa.String(length=64), nullable=True),
        sa.Column("service_user_id", sa.Uuid(), nullable=False),
        sa.Column("purpose", sa.String(length=64), nullable=False),
        sa.Column("categories", sa.JSON(), nullable=False),
        sa.Column("transfer_method", sa.String(length=64), nullable=False),
        sa.Column("basis_kind", sa.String(length=32), nullable=False),
        sa.Column("legal_grounds", sa.JSON(), nullable=False),
        sa.Column("justification", sa.Text(), nullable=False),
        sa.Column("emergency_reason", sa.Text(), nullable=False),
        sa.Column("agreement", sa.String(length=64), nullable=True),
        sa.Column("decided_agreement", sa.String(length=64), nullable=True),
        sa.Column("derived_from_id", sa.Uuid(), nullable=True),
        sa.Column("outcome", sa.String(length=32), nullable=False),
        sa.Column("ledger_sequence", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["derived_from_id"],
            ["disclosures.id"],
            name=op.f("fk_decision_requests_derived_from_id_disclosures"),
        ),
        sa.ForeignKeyConstraint(
            ["service_user_id"],
            ["service_users.id"],
            name=op.f("fk_decision_requests_service_user_id_service_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_decision_requests")),
    )
    op.create_index(
        "ix_decision_requests_asked_at", "decision_requests", ["asked_at"], unique=False
    )
    op.create_index(
        "ix_decision_requests_agreement_asked_at",
        "decision_requests",
        ["agreement", "asked_at"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_decision_requests_agreement_asked_at", table_name="decision_requests")
    op.drop_index("ix_decision_requests_asked_at", table_name="decision_requests")
    op.drop_table("decision_requests")
