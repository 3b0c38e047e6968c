"""Disclosures, referrals to designated officers, and emergency review tasks.

Principles 6, 8–10; Procedures A5, B6 (issue 5): what was shared, on what decision; what
waits for a designated officer; which emergency disclosures await review.

Revision ID: 0006_disclosures
Revises: 0005_ledger
Created: 2026-11-25
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006_disclosures"
down_revision: str | None = "0005_ledger"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TIMESTAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "referrals",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("requester", sa.String(length=254), nullable=False),
        sa.Column("provider", sa.String(length=12), nullable=False),
        sa.Column("recipient", sa.String(length=12), nullable=False),
        sa.Column("service_user_id", sa.Uuid(), nullable=False),
        sa.Column("purpose", sa.String(length=64), nullable=False),
        sa.Column("request", sa.JSON(), nullable=False),
        sa.Column("decision", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("decided_by", sa.String(length=254), nullable=True),
        sa.Column("decided_at", TIMESTAMP, nullable=True),
        sa.Column("decision_reason", sa.Text(), nullable=True),
        sa.Column("disclosure_id", sa.Uuid(), nullable=True),
        sa.ForeignKeyConstraint(
            ["service_user_id"],
            ["service_users.id"],
            name=op.f("fk_referrals_service_user_id_service_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_referrals")),
    )
    op.create_index(
        op.f("ix_referrals_service_user_id"), "referrals", ["service_user_id"], unique=False
    )
    op.create_index(
        "ix_referrals_provider_status", "referrals", ["provider", "status"], unique=False
    )
    op.create_table(
        "disclosures",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("made_at", TIMESTAMP, nullable=False),
        sa.Column("requester", sa.String(length=254), nullable=False),
        sa.Column("provider", sa.String(length=12), nullable=False),
        sa.Column("recipient", sa.String(length=12), nullable=False),
        sa.Column("recipient_role", sa.String(length=64), nullable=True),
        sa.Column("service_user_id", sa.Uuid(), nullable=False),
        sa.Column("purpose", sa.String(length=64), nullable=False),
        sa.Column("isa_reference", sa.String(length=64), nullable=True),
        sa.Column("transfer_method", sa.String(length=64), nullable=False),
        sa.Column("outcome", sa.String(length=32), nullable=False),
        sa.Column("basis", sa.String(length=32), nullable=False),
        sa.Column("decision", sa.JSON(), nullable=False),
        sa.Column("items", sa.JSON(), nullable=False),
        sa.Column("subject_informed", sa.Boolean(), nullable=False),
        sa.Column("not_informed_reason", sa.Text(), nullable=True),
        sa.Column("derived_from_id", sa.Uuid(), nullable=True),
        sa.Column("referral_id", sa.Uuid(), nullable=True),
        sa.Column("police_request", sa.JSON(), nullable=True),
        sa.Column("ledger_sequence", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(
            ["derived_from_id"],
            ["disclosures.id"],
            name=op.f("fk_disclosures_derived_from_id_disclosures"),
        ),
        sa.ForeignKeyConstraint(
            ["referral_id"], ["referrals.id"], name=op.f("fk_disclosures_referral_id_referrals")
        ),
        sa.ForeignKeyConstraint(
            ["service_user_id"],
            ["service_users.id"],
            name=op.f("fk_disclosures_service_user_id_service_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_disclosures")),
    )
    op.create_index(
        "ix_disclosures_recipient_made_at", "disclosures", ["recipient", "made_at"], unique=False
    )
    op.create_index(
        op.f("ix_disclosures_service_user_id"), "disclosures", ["service_user_id"], unique=False
    )
    op.create_table(
        "review_tasks",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("disclosure_id", sa.Uuid(), nullable=False),
        sa.Column("organisation", sa.String(length=12), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("due_at", TIMESTAMP, nullable=False),
        sa.Column("reviewed_by", sa.String(length=254), nullable=True),
        sa.Column("reviewed_at", TIMESTAMP, nullable=True),
        sa.Column("review_outcome", sa.String(length=32), nullable=True),
        sa.Column("review_notes", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["disclosure_id"],
            ["disclosures.id"],
            name=op.f("fk_review_tasks_disclosure_id_disclosures"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_tasks")),
        sa.UniqueConstraint("disclosure_id", name=op.f("uq_review_tasks_disclosure_id")),
    )
    op.create_index(
        "ix_review_tasks_organisation_reviewed_at",
        "review_tasks",
        ["organisation", "reviewed_at"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_review_tasks_organisation_reviewed_at", table_name="review_tasks")
    op.drop_table("review_tasks")
    op.drop_index(op.f("ix_disclosures_service_user_id"), table_name="disclosures")
    op.drop_index("ix_disclosures_recipient_made_at", table_name="disclosures")
    op.drop_table("disclosures")
    op.drop_index("ix_referrals_provider_status", table_name="referrals")
    op.drop_index(op.f("ix_referrals_service_user_id"), table_name="referrals")
    op.drop_table("referrals")
