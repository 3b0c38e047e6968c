"""The service-user portal: invitations, portal accounts and their sessions (Principle 12).

A portal account belongs to one service user, never to staff: it is made when the person
redeems an invitation a member of staff of a party holding them issued. An invitation's
one-time code, like a session's cookie value, is stored only as its SHA-256, so a copy of
the database redeems nothing and signs nobody in. Portal sessions are a table of their own,
so a portal session can never be taken for a staff session, nor the other way round.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from infoshare.store.models.base import Base, uuid_primary_key

#: a SHA-256 digest in hex
DIGEST = 64


class PortalInvitationRecord(Base):
    """A one-time, expiring invitation for a service user to open a portal account."""

    __tablename__ = "portal_invitations"

    id: Mapped[uuid.UUID] = uuid_primary_key()
    service_user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("service_users.id"), index=True)
    code_hash: Mapped[str] = mapped_column(String(DIGEST), unique=True)
    #: the staff email of who issued it, and their organisation's code
    issued_by: Mapped[str] = mapped_column(String(254))
    issued_by_organisation: Mapped[str] = mapped_column(String(12))
    issued_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    redeemed_at: Mapped[datetime | None]
    #: set when a newer invitation for the same person replaced this one
    revoked_at: Mapped[datetime | None]


class PortalAccountRecord(Base):
    """The portal account of one service user: an email address to sign in with, a password."""

    __tablename__ = "portal_accounts"

    id: Mapped[uuid.UUID] = uuid_primary_key()
    service_user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("service_users.id"), unique=True)
    #: lower-cased; the person's own address, typed when they redeemed the invitation
    email: Mapped[str] = mapped_column(String(254), unique=True)
    #: argon2id, in the PHC string format argon2-cffi writes
    password_hash: Mapped[str] = mapped_column(Text)
    disabled_at: Mapped[datetime | None]
    password_changed_at: Mapped[datetime]
    created_at: Mapped[datetime]


class PortalSessionRecord(Base):
    """A browser signed in to the portal. Only the SHA-256 of its cookie value is stored."""

    __tablename__ = "portal_sessions"

    id: Mapped[uuid.UUID] = uuid_primary_key()
    account_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("portal_accounts.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[str] = mapped_column(String(DIGEST), unique=True)
    client_address: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]
    #: ``signed-out``, ``rotated``, ``password-reset``, ``idle-timeout``, ``absolute-timeout``
    end_reason: Mapped[str | None] = mapped_column(String(32))
