"""Sign-in accounts of staff, their sessions, sign-in attempts, API tokens and the access log.

Procedure B1 (access to personal information is controlled and audited): an account belongs
to one member of staff (Procedure A6's directory), sessions and tokens are stored only as
hashes of their secret, and the access log records every read of personal data and every
refusal: who, whom, what, when and why.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from infoshare.store.models.base import Base, uuid_primary_key

#: a SHA-256 digest in hex
DIGEST = 64


class AccountRecord(Base):
    """The sign-in account of one member of staff."""

    __tablename__ = "accounts"

    id: Mapped[uuid.UUID] = uuid_primary_key()
    staff_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("staff.id", ondelete="CASCADE"), unique=True
    )
    #: argon2id, in the PHC string format argon2-cffi writes
    password_hash: Mapped[str] = mapped_column(Text)
    #: runs accounts and API tokens; a system role, so not among the pack's protocol roles
    administrator: Mapped[bool]
    #: base32 TOTP secret; set at enrolment, in use once ``totp_confirmed_at`` is set
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    totp_confirmed_at: Mapped[datetime | None]
    #: the time step of the last code accepted: that code and earlier ones are refused
    totp_last_step: Mapped[int | None]
    disabled_at: Mapped[datetime | None]
    password_changed_at: Mapped[datetime]
    created_at: Mapped[datetime]


class WebSessionRecord(Base):
    """A signed-in browser. Only the SHA-256 of its cookie value is stored."""

    __tablename__ = "web_sessions"

    id: Mapped[uuid.UUID] = uuid_primary_key()
    account_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[str] = mapped_column(String(DIGEST), unique=True)
    #: ``second-factor``, ``enrol-second-factor`` or ``signed-in``
    stage: Mapped[str] = mapped_column(String(32))
    client_address: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]
    #: why it ended: ``signed-out``, ``disabled``, ``rotated``, ``password-reset``
    end_reason: Mapped[str | None] = mapped_column(String(32))


class SignInAttemptRecord(Base):
    """One attempt to sign in, kept to throttle guessing per account and per address."""

    __tablename__ = "sign_in_attempts"
    __table_args__ = (
        Index("ix_sign_in_attempts_email_at", "email", "at"),
        Index("ix_sign_in_attempts_client_address_at", "client_address", "at"),
    )

    id: Mapped[uuid.UUID] = uuid_primary_key()
    #: as typed, lower-cased, whether or not an account has it
    email: Mapped[str] = mapped_column(String(254))
    client_address: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime]
    succeeded: Mapped[bool]


class ApiTokenRecord(Base):
    """A token another system presents as ``Authorization: Bearer``; scoped to one party."""

    __tablename__ = "api_tokens"

    id: Mapped[uuid.UUID] = uuid_primary_key()
    organisation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisations.id"), index=True)
    name: Mapped[str] = mapped_column(Text)
    #: the token's first characters, shown so people can tell tokens apart
    prefix: Mapped[str] = mapped_column(String(16))
    token_hash: Mapped[str] = mapped_column(String(DIGEST), unique=True)
    #: permission ids (``service-users:read`` …) from ``policy/access.py``
    permissions: Mapped[list[str]]
    created_by: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]


class AccessLogRecord(Base):
    """One read of personal data, or one refusal (Procedure B1): who, whom, what, when, why."""

    __tablename__ = "access_log"

    id: Mapped[uuid.UUID] = uuid_primary_key()
    at: Mapped[datetime] = mapped_column(index=True)
    #: ``staff``, ``api-token`` or ``anonymous``
    actor_kind: Mapped[str] = mapped_column(String(16))
    #: the staff email or token prefix; empty for anonymous
    actor: Mapped[str] = mapped_column(Text)
    actor_organisation: Mapped[str | None] = mapped_column(String(12))
    #: ``read`` or ``denied``
    outcome: Mapped[str] = mapped_column(String(16), index=True)
    #: the permission asked for, e.g. ``service-users:read``
    action: Mapped[str] = mapped_column(String(64))
    #: the service user whose data was read or asked for, where there is one
    service_user_id: Mapped[uuid.UUID | None] = mapped_column(index=True)
    #: what was read, or the path asked for
    what: Mapped[str] = mapped_column(Text)
    #: the stated reason for a read; the refusal's reason for a denial
    why: Mapped[str] = mapped_column(Text)
    #: the clause applied, e.g. ``Procedure B1``
    clause: Mapped[str] = mapped_column(String(32))
    client_address: Mapped[str] = mapped_column(String(64))
