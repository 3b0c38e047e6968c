"""Information Sharing Agreements, procedure confirmations and contact details.

Sections 1.1, 3.1 and 4.4 (ISAs, one row per version, with their status history),
Appendix 2 and Procedure B7 (the need-to-know matrix as rows), Procedure C3 (confirmations
that each standard procedure is in place) and Procedure A6 (how to reach staff with
specific roles).

Revision ID: 0004_agreements
Revises: 0003_consents
Created: 2026-11-25
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004_agreements"
down_revision: str | None = "0003_consents"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TIMESTAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "agreements",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("reference", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("service_area", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("owner_organisation_id", sa.Uuid(), nullable=False),
        sa.Column("owner_post", sa.Text(), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("review_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.Column("reviewed_on", sa.Date(), nullable=True),
        sa.Column("content", sa.JSON(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("updated_at", TIMESTAMP, nullable=False),
        sa.ForeignKeyConstraint(
            ["owner_organisation_id"],
            ["organisations.id"],
            name=op.f("fk_agreements_owner_organisation_id_organisations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agreements")),
        sa.UniqueConstraint("reference", "version", name=op.f("uq_agreements_reference_version")),
    )
    with op.batch_alter_table("agreements", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_agreements_reference"), ["reference"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_agreements_review_date"), ["review_date"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_agreements_status"), ["status"], unique=False)

    op.create_table(
        "agreement_grants",
        sa.Column("agreement_id", sa.Uuid(), nullable=False),
        sa.Column("organisation_id", sa.Uuid(), nullable=False),
        sa.Column("role_id", sa.String(length=64), nullable=False),
        sa.Column("category_id", sa.String(length=64), nullable=False),
        sa.Column("purpose_id", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["agreement_id"],
            ["agreements.id"],
            name=op.f("fk_agreement_grants_agreement_id_agreements"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["category_id"],
            ["data_categories.id"],
            name=op.f("fk_agreement_grants_category_id_data_categories"),
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_agreement_grants_organisation_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["purpose_id"], ["purposes.id"], name=op.f("fk_agreement_grants_purpose_id_purposes")
        ),
        sa.ForeignKeyConstraint(
            ["role_id"], ["roles.id"], name=op.f("fk_agreement_grants_role_id_roles")
        ),
        sa.PrimaryKeyConstraint(
            "agreement_id",
            "organisation_id",
            "role_id",
            "category_id",
            "purpose_id",
            name=op.f("pk_agreement_grants"),
        ),
    )
    with op.batch_alter_table("agreement_grants", schema=None) as batch_op:
        batch_op.create_index(
            "ix_agreement_grants_lookup",
            ["organisation_id", "role_id", "category_id", "purpose_id"],
            unique=False,
        )

    op.create_table(
        "agreement_parties",
        sa.Column("agreement_id", sa.Uuid(), nullable=False),
        sa.Column("organisation_id", sa.Uuid(), nullable=False),
        sa.Column("does", sa.String(length=16), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["agreement_id"],
            ["agreements.id"],
            name=op.f("fk_agreement_parties_agreement_id_agreements"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_agreement_parties_organisation_id_organisations"),
        ),
        sa.PrimaryKeyConstraint(
            "agreement_id", "organisation_id", name=op.f("pk_agreement_parties")
        ),
    )
    with op.batch_alter_table("agreement_parties", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_agreement_parties_organisation_id"), ["organisation_id"], unique=False
        )

    op.create_table(
        "agreement_signatories",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("agreement_id", sa.Uuid(), nullable=False),
        sa.Column("organisation_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("post", sa.Text(), nullable=False),
        sa.Column("signed_on", sa.Date(), nullable=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["agreement_id"],
            ["agreements.id"],
            name=op.f("fk_agreement_signatories_agreement_id_agreements"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_agreement_signatories_organisation_id_organisations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agreement_signatories")),
    )
    with op.batch_alter_table("agreement_signatories", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_agreement_signatories_agreement_id"), ["agreement_id"], unique=False
        )

    op.create_table(
        "agreement_status_changes",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("agreement_id", sa.Uuid(), nullable=False),
        sa.Column("at", TIMESTAMP, nullable=False),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("from_status", sa.String(length=16), nullable=True),
        sa.Column("to_status", sa.String(length=16), nullable=False),
        sa.Column("actor", sa.Text(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["agreement_id"],
            ["agreements.id"],
            name=op.f("fk_agreement_status_changes_agreement_id_agreements"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agreement_status_changes")),
    )
    with op.batch_alter_table("agreement_status_changes", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_agreement_status_changes_agreement_id"), ["agreement_id"], unique=False
        )

    op.create_table(
        "contact_details",
        sa.Column("staff_id", sa.Uuid(), nullable=False),
        sa.Column("telephone", sa.String(length=32), nullable=True),
        sa.Column("secure_email", sa.String(length=254), nullable=True),
        sa.Column("hours", sa.Text(), nullable=True),
        sa.Column("updated_at", TIMESTAMP, nullable=False),
        sa.ForeignKeyConstraint(
            ["staff_id"],
            ["staff.id"],
            name=op.f("fk_contact_details_staff_id_staff"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("staff_id", name=op.f("pk_contact_details")),
    )
    op.create_table(
        "procedure_confirmations",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("organisation_id", sa.Uuid(), nullable=False),
        sa.Column("procedure_id", sa.String(length=64), nullable=False),
        sa.Column("confirmed_by_id", sa.Uuid(), nullable=False),
        sa.Column("confirmed_on", sa.Date(), nullable=False),
        sa.Column("evidence", sa.Text(), nullable=False),
        sa.Column("recorded_at", TIMESTAMP, nullable=False),
        sa.ForeignKeyConstraint(
            ["confirmed_by_id"],
            ["staff.id"],
            name=op.f("fk_procedure_confirmations_confirmed_by_id_staff"),
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_procedure_confirmations_organisation_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["procedure_id"],
            ["clauses.id"],
            name=op.f("fk_procedure_confirmations_procedure_id_clauses"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_procedure_confirmations")),
        sa.UniqueConstraint(
            "organisation_id",
            "procedure_id",
            name=op.f("uq_procedure_confirmations_organisation_id_procedure_id"),
        ),
    )


def downgrade() -> None:
    for table in (
        "procedure_confirmations",
        "contact_details",
        "agreement_status_changes",
        "agreement_signatories",
        "agreement_parties",
        "agreement_grants",
        "agreements",
    ):
        op.drop_table(table)
