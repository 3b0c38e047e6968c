"""Objections to sharing (Principle 5) and restrictions on disclosure (Principle 4).

A person's objections and restrictions, each scoped by recipients, purposes and data
categories, and the rows that lift or end them (history is never rewritten).

Revision ID: 0007_objections
Revises: 0006_disclosures
Created: 2026-11-25
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007_objections"
down_revision: str | None = "0006_disclosures"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TIMESTAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "objections",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("service_user_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("ground", sa.String(length=32), nullable=True),
        sa.Column("recipients", sa.JSON(), nullable=False),
        sa.Column("purposes", sa.JSON(), nullable=False),
        sa.Column("data_categories", sa.JSON(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("stated_at", TIMESTAMP, nullable=False),
        sa.Column("until", TIMESTAMP, nullable=True),
        sa.Column("recorded_by", sa.Text(), nullable=False),
        sa.Column("recorded_by_organisation_id", sa.Uuid(), nullable=False),
        sa.Column("recorded_at", TIMESTAMP, nullable=False),
        sa.ForeignKeyConstraint(
            ["recorded_by_organisation_id"],
            ["organisations.id"],
            name=op.f("fk_objections_recorded_by_organisation_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["service_user_id"],
            ["service_users.id"],
            name=op.f("fk_objections_service_user_id_service_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_objections")),
    )
    op.create_index(
        op.f("ix_objections_service_user_id"), "objections", ["service_user_id"], unique=False
    )
    op.create_table(
        "objection_ends",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("objection_id", sa.Uuid(), nullable=False),
        sa.Column("at", TIMESTAMP, nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("recorded_by", sa.Text(), nullable=False),
        sa.Column("recorded_by_organisation_id", sa.Uuid(), nullable=False),
        sa.Column("recorded_at", TIMESTAMP, nullable=False),
        sa.ForeignKeyConstraint(
            ["objection_id"],
            ["objections.id"],
            name=op.f("fk_objection_ends_objection_id_objections"),
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_organisation_id"],
            ["organisations.id"],
            name=op.f("fk_objection_ends_recorded_by_organisation_id_organisations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_objection_ends")),
        sa.UniqueConstraint("objection_id", name=op.f("uq_objection_ends_objection_id")),
    )


def downgrade() -> None:
    op.drop_table("objection_ends")
    op.drop_index(op.f("ix_objections_service_user_id"), table_name="objections")
    op.drop_table("objections")
