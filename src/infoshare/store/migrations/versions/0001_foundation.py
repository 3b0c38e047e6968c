"""Foundation: the protocol pack and its catalogues, organisations, staff, service users.

Sections 1.2, 2.1, 2.3, 3.2 and 4.1 of the protocol (catalogues and partners), Procedure C1
(adoption), Procedure A6 (staff with specific roles), Principle 14 (training dates).

Revision ID: 0001
Revises:
Created: 2026-11-25
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CATALOGUES = ("purposes", "data_categories", "legal_grounds", "roles", "clauses")
TIMESTAMP = sa.DateTime(timezone=True)


def _catalogue(name: str, *columns: sa.Column[object], extra: Sequence[object] = ()) -> None:
    """A catalogue table: keyed by the pack's id for the item, and naming its pack."""
    op.create_table(
        name,
        *columns,
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("pack_id", sa.String(64), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["pack_id"], ["protocol_packs.id"], name=op.f(f"fk_{name}_pack_id_protocol_packs")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{name}")),
        *extra,  # type: ignore[arg-type]
    )
    op.create_index(op.f(f"ix_{name}_pack_id"), name, ["pack_id"])


def _nhs_number_check() -> sa.CheckConstraint:
    # Ten digits, in each engine's dialect: SQLite has GLOB, PostgreSQL regular expressions.
    if op.get_bind().dialect.name == "sqlite":
        rule = "length(nhs_number) = 10 AND nhs_number NOT GLOB '*[^0-9]*'"
    else:
        rule = "nhs_number ~ '^[0-9]{10}$'"
    return sa.CheckConstraint(rule, name=op.f("ck_service_users_nhs_number_digits"))


def upgrade() -> None:
    op.create_table(
        "protocol_packs",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("version", sa.String(64), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("loaded_at", TIMESTAMP, nullable=False),
        sa.Column("content", sa.JSON(), nullable=False),
        sa.Column("digest", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_protocol_packs")),
    )
    _catalogue(
        "purposes",
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("needs_identifiable_data", sa.Boolean(), nullable=False),
    )
    _catalogue(
        "data_categories",
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("sensitive", sa.Boolean(), nullable=False),
        sa.Column("sensitive_under", sa.Text(), nullable=True),
        sa.Column("statutory_restriction", sa.Text(), nullable=True),
        sa.Column("identifying", sa.Boolean(), nullable=False),
    )
    _catalogue(
        "legal_grounds",
        sa.Column("citation", sa.Text(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("effect", sa.String(32), nullable=False),
        sa.Column("permits_sharing_without_consent", sa.Boolean(), nullable=False),
        sa.Column("covers_sensitive_data", sa.Boolean(), nullable=False),
        sa.Column("purposes", sa.JSON(), nullable=False),
        sa.Column("organisation_types", sa.JSON(), nullable=False),
    )
    _catalogue(
        "roles",
        sa.Column("scope", sa.String(32), nullable=False),
        sa.Column("responsibilities", sa.JSON(), nullable=False),
        sa.Column("clauses", sa.JSON(), nullable=False),
        sa.Column("may_approve_disclosure_without_consent", sa.Boolean(), nullable=False),
    )
    _catalogue(
        "clauses",
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("citation", sa.String(64), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("section", sa.Text(), nullable=True),
        extra=[sa.UniqueConstraint("citation", name=op.f("uq_clauses_citation"))],
    )
    _catalogue(
        "transfer_methods",
        sa.Column("procedure_id", sa.String(64), nullable=False),
        sa.Column("safeguards", sa.JSON(), nullable=False),
        extra=[
            sa.ForeignKeyConstraint(
                ["procedure_id"],
                ["clauses.id"],
                name=op.f("fk_transfer_methods_procedure_id_clauses"),
            )
        ],
    )
    op.create_table(
        "organisations",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("code", sa.String(12), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("type", sa.String(32), nullable=False),
        sa.Column("membership", sa.String(32), nullable=False),
        sa.Column("departments", sa.JSON(), nullable=False),
        sa.Column("adopted_on", sa.Date(), nullable=True),
        sa.Column("approving_body", sa.Text(), nullable=True),
        sa.Column("minute_reference", sa.Text(), nullable=True),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organisations")),
        sa.UniqueConstraint("code", name=op.f("uq_organisations_code")),
    )
    op.create_table(
        "staff",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("organisation_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("email", sa.String(254), nullable=False),
        sa.Column("job_title", sa.Text(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("training_completed_on", sa.Date(), nullable=True),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_staff_organisation_id_organisations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff")),
        sa.UniqueConstraint("email", name=op.f("uq_staff_email")),
    )
    op.create_index(op.f("ix_staff_organisation_id"), "staff", ["organisation_id"])
    op.create_table(
        "staff_roles",
        sa.Column("staff_id", sa.Uuid(), nullable=False),
        sa.Column("role_id", sa.String(64), nullable=False),
        sa.ForeignKeyConstraint(
            ["role_id"], ["roles.id"], name=op.f("fk_staff_roles_role_id_roles")
        ),
        sa.ForeignKeyConstraint(
            ["staff_id"],
            ["staff.id"],
            name=op.f("fk_staff_roles_staff_id_staff"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("staff_id", "role_id", name=op.f("pk_staff_roles")),
    )
    op.create_table(
        "service_users",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("nhs_number", sa.String(10), nullable=False),
        sa.Column("given_name", sa.Text(), nullable=False),
        sa.Column("family_name", sa.Text(), nullable=False),
        sa.Column("date_of_birth", sa.Date(), nullable=True),
        sa.Column("postcode", sa.String(8), nullable=True),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        _nhs_number_check(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_service_users")),
        sa.UniqueConstraint("nhs_number", name=op.f("uq_service_users_nhs_number")),
    )
    op.create_table(
        "local_identifiers",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("service_user_id", sa.Uuid(), nullable=False),
        sa.Column("organisation_id", sa.Uuid(), nullable=False),
        sa.Column("identifier", sa.String(64), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_local_identifiers_organisation_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["service_user_id"],
            ["service_users.id"],
            name=op.f("fk_local_identifiers_service_user_id_service_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_local_identifiers")),
        sa.UniqueConstraint(
            "organisation_id",
            "identifier",
            name=op.f("uq_local_identifiers_organisation_id_identifier"),
        ),
    )
    op.create_index(
        op.f("ix_local_identifiers_service_user_id"), "local_identifiers", ["service_user_id"]
    )
    op.create_table(
        "demo_datasets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("size", sa.String(16), nullable=False),
        sa.Column("seed", sa.Integer(), nullable=False),
        sa.Column("staff_count", sa.Integer(), nullable=False),
        sa.Column("service_user_count", sa.Integer(), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_demo_datasets")),
    )


def downgrade() -> None:
    op.drop_table("demo_datasets")
    op.drop_table("local_identifiers")
    op.drop_table("service_users")
    op.drop_table("staff_roles")
    op.drop_table("staff")
    op.drop_table("organisations")
    op.drop_table("transfer_methods")
    for name in reversed(CATALOGUES):
        op.drop_table(name)
    op.drop_table("protocol_packs")
