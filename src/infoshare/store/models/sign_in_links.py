"""Sign-in requests to an organisation's OpenID Connect provider, and one-time account links.

Procedure B1 (only identified staff reach personal information). A sign-in through an
organisation's provider keeps, between sending the browser away and its return, the
request's ``state`` (only its SHA-256), ``nonce`` and PKCE verifier, so each answer is taken
once, for that organisation, within minutes. An account link (set a password at first
sign-in, or after a reset) is kept only as the SHA-256 of its token, used once, and expires.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from infoshare.store.models.base import Base, uuid_primary_key

#: a SHA-256 digest in hex
DIGEST = 64


class OidcSignInRequestRecord(Base):
    """One browser sent to an organisation's provider, waiting for its answer."""

    __tablename__ = "oidc_sign_in_requests"

    id: Mapped[uuid.UUID] = uuid_primary_key()
    state_hash: Mapped[str] = mapped_column(String(DIGEST), unique=True)
    #: the organisation whose provider was asked; only its staff can be signed in by the answer
    organisation_code: Mapped[str] = mapped_column(String(12))
    nonce: Mapped[str] = mapped_column(String(64))
    #: RFC 7636 verifier; worthless without the code the provider gives the browser
    code_verifier: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(index=True)
    #: set when the answer arrives, whatever it says: a state is taken once
    used_at: Mapped[datetime | None]


class AccountLinkRecord(Base):
    """A one-time link to set an account's password (first sign-in, or after a reset)."""

    __tablename__ = "account_links"

    id: Mapped[uuid.UUID] = uuid_primary_key()
    account_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[str] = mapped_column(String(DIGEST), unique=True)
    #: ``first-sign-in`` or ``password-reset``
    purpose: Mapped[str] = mapped_column(String(32))
    #: the administrator's email who issued it
    created_by: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
