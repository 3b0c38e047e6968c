"""Consents: decisions about sharing, their terms and withdrawals; capacity assessments.

Principle 5 and Procedures A1-A3: a consent (given or refused) with its scope, what was
explained and the person's exclusions as rows naming catalogue entries by foreign key; a
withdrawal as a row of its own, once per consent; capacity and competence assessments for
one decision each (Procedure A2). Nothing in these tables is updated to change the past.

Revision ID: 0003_consents
Revises: 0002_accounts
Created: 2026-11-25
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003_consents"
down_revision: str | None = "0002_accounts"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TIMESTAMP = sa.DateTime(timezone=True)


def _exactly_one(*columns: str) -> str:
    # CASE rather than adding booleans: PostgreSQL does not add booleans, SQLite does.
    return " + ".join(f"(CASE WHEN {c} IS NULL THEN 0 ELSE 1 END)" for c in columns) + " = 1"


def upgrade() -> None:
    op.create_table(
        "capacity_assessments",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("service_user_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("outcome", sa.String(length=32), nullable=False),
        sa.Column("assessed_by", sa.Text(), nullable=False),
        sa.Column("assessed_by_organisation_id", sa.Uuid(), nullable=False),
        sa.Column("assessed_at", TIMESTAMP, nullable=False),
        sa.Column("reasons", sa.Text(), nullable=False),
        sa.Column("review_date", sa.Date(), nullable=True),
        sa.Column("support_given", sa.JSON(), nullable=False),
        sa.Column("recorded_at", TIMESTAMP, nullable=False),
        sa.ForeignKeyConstraint(
            ["assessed_by_organisation_id"],
            ["organisations.id"],
            name=op.f("fk_capacity_assessments_assessed_by_organisation_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["service_user_id"],
            ["service_users.id"],
            name=op.f("fk_capacity_assessments_service_user_id_service_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_capacity_assessments")),
    )
    with op.batch_alter_table("capacity_assessments", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_capacity_assessments_service_user_id"), ["service_user_id"], unique=False
        )

    op.create_table(
        "consents",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("service_user_id", sa.Uuid(), nullable=False),
        sa.Column("decision", sa.String(length=32), nullable=False),
        sa.Column("decided_by", sa.String(length=32), nullable=False),
        sa.Column("representative_name", sa.Text(), nullable=True),
        sa.Column("representative_relationship", sa.Text(), nullable=True),
        sa.Column("representative_authority", sa.String(length=32), nullable=True),
        sa.Column("representative_authority_reference", sa.Text(), nullable=True),
        sa.Column("best_interests_reasons", sa.Text(), nullable=True),
        sa.Column("obtained_by", sa.Text(), nullable=False),
        sa.Column("obtained_by_organisation_id", sa.Uuid(), nullable=False),
        sa.Column("obtained_at", TIMESTAMP, nullable=False),
        sa.Column("method", sa.String(length=32), nullable=False),
        sa.Column("form_version", sa.Text(), nullable=True),
        sa.Column("leaflet_given", sa.Boolean(), nullable=False),
        sa.Column("leaflet_version", sa.Text(), nullable=True),
        sa.Column("valid_from", TIMESTAMP, nullable=True),
        sa.Column("valid_until", TIMESTAMP, nullable=True),
        sa.Column("review_date", sa.Date(), nullable=True),
        sa.Column("supersedes_id", sa.Uuid(), nullable=True),
        sa.Column("recorded_at", TIMESTAMP, nullable=False),
        sa.ForeignKeyConstraint(
            ["obtained_by_organisation_id"],
            ["organisations.id"],
            name=op.f("fk_consents_obtained_by_organisation_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["service_user_id"],
            ["service_users.id"],
            name=op.f("fk_consents_service_user_id_service_users"),
        ),
        sa.ForeignKeyConstraint(
            ["supersedes_id"], ["consents.id"], name=op.f("fk_consents_supersedes_id_consents")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consents")),
    )
    with op.batch_alter_table("consents", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_consents_service_user_id"), ["service_user_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_consents_supersedes_id"), ["supersedes_id"], unique=False
        )

    op.create_table(
        "capacity_assessment_terms",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("assessment_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("purpose_id", sa.String(length=64), nullable=True),
        sa.Column("data_category_id", sa.String(length=64), nullable=True),
        sa.CheckConstraint(
            _exactly_one("purpose_id", "data_category_id"),
            name=op.f("ck_capacity_assessment_terms_names_one_thing"),
        ),
        sa.ForeignKeyConstraint(
            ["assessment_id"],
            ["capacity_assessments.id"],
            name=op.f("fk_capacity_assessment_terms_assessment_id_capacity_assessments"),
        ),
        sa.ForeignKeyConstraint(
            ["data_category_id"],
            ["data_categories.id"],
            name=op.f("fk_capacity_assessment_terms_data_category_id_data_categories"),
        ),
        sa.ForeignKeyConstraint(
            ["purpose_id"],
            ["purposes.id"],
            name=op.f("fk_capacity_assessment_terms_purpose_id_purposes"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_capacity_assessment_terms")),
    )
    with op.batch_alter_table("capacity_assessment_terms", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_capacity_assessment_terms_assessment_id"),
            ["assessment_id"],
            unique=False,
        )

    op.create_table(
        "consent_terms",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("consent_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("part", sa.String(length=16), nullable=False),
        sa.Column("exclusion", sa.Integer(), nullable=True),
        sa.Column("exclusion_note", sa.Text(), nullable=True),
        sa.Column("purpose_id", sa.String(length=64), nullable=True),
        sa.Column("data_category_id", sa.String(length=64), nullable=True),
        sa.Column("organisation_id", sa.Uuid(), nullable=True),
        sa.Column("agreement_reference", sa.String(length=64), nullable=True),
        sa.CheckConstraint(
            "(part = 'exclusion') = (exclusion IS NOT NULL)",
            name=op.f("ck_consent_terms_exclusion_numbered"),
        ),
        sa.CheckConstraint(
            _exactly_one(
                "purpose_id", "data_category_id", "organisation_id", "agreement_reference"
            ),
            name=op.f("ck_consent_terms_names_one_thing"),
        ),
        sa.ForeignKeyConstraint(
            ["consent_id"], ["consents.id"], name=op.f("fk_consent_terms_consent_id_consents")
        ),
        sa.ForeignKeyConstraint(
            ["data_category_id"],
            ["data_categories.id"],
            name=op.f("fk_consent_terms_data_category_id_data_categories"),
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_consent_terms_organisation_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["purpose_id"], ["purposes.id"], name=op.f("fk_consent_terms_purpose_id_purposes")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consent_terms")),
    )
    with op.batch_alter_table("consent_terms", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_consent_terms_consent_id"), ["consent_id"], unique=False
        )

    op.create_table(
        "consent_withdrawals",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("consent_id", sa.Uuid(), nullable=False),
        sa.Column("at", TIMESTAMP, nullable=False),
        sa.Column("method", sa.String(length=32), nullable=False),
        sa.Column("withdrawn_by", sa.String(length=32), nullable=False),
        sa.Column("representative_name", sa.Text(), nullable=True),
        sa.Column("representative_relationship", sa.Text(), nullable=True),
        sa.Column("representative_authority", sa.String(length=32), nullable=True),
        sa.Column("representative_authority_reference", sa.Text(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("recorded_by", sa.Text(), nullable=False),
        sa.Column("recorded_by_organisation_id", sa.Uuid(), nullable=False),
        sa.Column("recorded_at", TIMESTAMP, nullable=False),
        sa.ForeignKeyConstraint(
            ["consent_id"], ["consents.id"], name=op.f("fk_consent_withdrawals_consent_id_consents")
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_organisation_id"],
            ["organisations.id"],
            name=op.f("fk_consent_withdrawals_recorded_by_organisation_id_organisations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consent_withdrawals")),
        sa.UniqueConstraint("consent_id", name=op.f("uq_consent_withdrawals_consent_id")),
    )


def downgrade() -> None:
    op.drop_table("consent_withdrawals")
    with op.batch_alter_table("consent_terms", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_consent_terms_consent_id"))

    op.drop_table("consent_terms")
    with op.batch_alter_table("capacity_assessment_terms", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_capacity_assessment_terms_assessment_id"))

    op.drop_table("capacity_assessment_terms")
    with op.batch_alter_table("consents", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_consents_supersedes_id"))
        batch_op.drop_index(batch_op.f("ix_consents_service_user_id"))

    op.drop_table("consents")
    with op.batch_alter_table("capacity_assessments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_capacity_assessments_service_user_id"))

    op.drop_table("capacity_assessments")
