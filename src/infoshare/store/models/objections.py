"""A service user's objections to sharing, and restrictions on disclosing their information.

An objection (Principle 5) is the person saying they do not want their information shared:
with a recipient, for a purpose, of some categories, or at all; like a refusal of consent it
raises the bar, so only an approved statutory ground overrides it (Procedure A5). A
restriction (Principle 4) withholds some categories whatever the basis: a court order, a
protected address, the person's request the provider agreed to. Both are rows of
``objections`` (``kind`` says which), scoped by lists of organisation codes, purposes and
data categories (an empty list means "any"; a restriction always names categories).

Nothing is rewritten: lifting an objection or ending a restriction is a row of
``objection_ends``, at most one per record, with who, when and why. The decision reads a
person's rows and their ends in one query by the indexed ``service_user_id``.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from infoshare.store.models.base import Base, uuid_primary_key

VOCABULARY = 32


class ObjectionRecord(Base):
    """One objection (Principle 5) or restriction (Principle 4) on a person's record."""

    __tablename__ = "objections"

    id: Mapped[uuid.UUID] = uuid_primary_key()
    service_user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("service_users.id"), index=True)
    #: ``objection`` or ``restriction``
    kind: Mapped[str] = mapped_column(String(VOCABULARY))
    #: a restriction's ground: ``court-order``, ``protected-address``, ``subject-request``, …
    ground: Mapped[str | None] = mapped_column(String(VOCABULARY))
    #: organisation codes, purpose ids and data category ids; empty means "any"
    recipients: Mapped[list[str]]
    purposes: Mapped[list[str]]
    data_categories: Mapped[list[str]]
    #: the person's words (an objection) or why it is restricted (a restriction)
    note: Mapped[str] = mapped_column(Text)
    #: when the person objected, or the restriction took effect
    stated_at: Mapped[datetime]
    #: when a restriction lapses of itself (a court order's end), if it does
    until: Mapped[datetime | None]
    recorded_by: Mapped[str] = mapped_column(Text)
    recorded_by_organisation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisations.id"))
    recorded_at: Mapped[datetime]

    end: Mapped[ObjectionEndRecord | None] = relationship(lazy="joined")


class ObjectionEndRecord(Base):
    """An objection lifted or a restriction ended: once, from its moment on."""

    __tablename__ = "objection_ends"

    id: Mapped[uuid.UUID] = uuid_primary_key()
    #: unique: a record ends once, and the database says so even to a careless caller
    objection_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("objections.id"), unique=True)
    at: Mapped[datetime]
    reason: Mapped[str] = mapped_column(Text)
    recorded_by: Mapped[str] = mapped_column(Text)
    recorded_by_organisation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisations.id"))
    recorded_at: Mapped[datetime]
