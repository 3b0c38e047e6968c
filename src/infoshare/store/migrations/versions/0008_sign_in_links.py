"""Sign-in through organisations' OpenID Connect providers; one-time account links.

Procedure B1 (issue 7): the state, nonce and PKCE verifier of each sign-in sent to a
provider, taken once; links to set a password at first sign-in or after a reset, kept only
as hashes, used once, expiring.

Revision ID: 0008_sign_in_links
Revises: 0007_objections
Created: 2026-11-25
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008_sign_in_links"
down_revision: str | None = "0007_objections"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TIMESTAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "oidc_sign_in_requests",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("state_hash", sa.String(length=64), nullable=False),
        sa.Column("organisation_code", sa.String(length=12), nullable=False),
        sa.Column("nonce", sa.String(length=64), nullable=False),
        sa.Column("code_verifier", sa.String(length=128), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("used_at", TIMESTAMP, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_oidc_sign_in_requests")),
        sa.UniqueConstraint("state_hash", name=op.f("uq_oidc_sign_in_requests_state_hash")),
    )
    op.create_index(
        op.f("ix_oidc_sign_in_requests_created_at"),
        "oidc_sign_in_requests",
        ["created_at"],
        unique=False,
    )
    op.create_table(
        "account_links",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("account_id", sa.Uuid(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("purpose", sa.String(length=32), nullable=False),
        sa.Column("created_by", sa.Text(), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("expires_at", TIMESTAMP, nullable=False),
        sa.Column("used_at", TIMESTAMP, nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_account_links_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_account_links")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_account_links_token_hash")),
    )
    op.create_index(
        op.f("ix_account_links_account_id"), "account_links", ["account_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_account_links_account_id"), table_name="account_links")
    op.drop_table("account_links")
    op.drop_index(op.f("ix_oidc_sign_in_requests_created_at"), table_name="oidc_sign_in_requests")
    op.drop_table("oidc_sign_in_requests")
