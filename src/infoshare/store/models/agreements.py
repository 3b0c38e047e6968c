"""Information Sharing Agreements as stored: one row per version, and the rows queries need.

Sections 1.1 and 3.1 (the protocol is activated through ISAs), Appendix 2 and Procedure B7
(the need-to-know matrix), Section 4.4 (reviews). An amendment is a new version, a new row
of ``agreements``; old versions stay readable. ``content`` holds the whole agreement as the
core validated it (``InformationSharingAgreement``, JSON); the columns beside it, and the
child tables, repeat what the register and the decision engine query, so nobody has to read
JSON to ask "which agreements in force let a practitioner at LCC receive mental-health for
care?" (one row of ``agreement_grants`` per organisation, role, category and purpose).
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from infoshare.store.models.base import Base, uuid_primary_key
from infoshare.store.models.catalogue import SLUG

REFERENCE = 64
STATUS = 16


class AgreementRecord(Base):
    """One version of an agreement."""

    __tablename__ = "agreements"
    __table_args__ = (UniqueConstraint("reference", "version"),)

    id: Mapped[uuid.UUID] = uuid_primary_key()
    reference: Mapped[str] = mapped_column(String(REFERENCE), index=True)
    version: Mapped[int]
    title: Mapped[str] = mapped_column(Text)
    service_area: Mapped[str] = mapped_column(Text)
    #: an ``IsaStatus``; kept equal to ``content["status"]``
    status: Mapped[str] = mapped_column(String(STATUS), index=True)
    owner_organisation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisations.id"))
    owner_post: Mapped[str] = mapped_column(Text)
    start_date: Mapped[date]
    review_date: Mapped[date] = mapped_column(index=True)
    end_date: Mapped[date | None]
    reviewed_on: Mapped[date | None]
    #: the whole agreement, as ``InformationSharingAgreement.model_dump(mode="json")``
    content: Mapped[dict[str, Any]]
    #: the file it was imported from, for messages
    source: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    parties: Mapped[list[AgreementPartyRecord]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="AgreementPartyRecord.position"
    )
    grants: Mapped[list[AgreementGrantRecord]] = relationship(
        cascade="all, delete-orphan", lazy="select"
    )
    signatories: Mapped[list[AgreementSignatoryRecord]] = relationship(
        cascade="all, delete-orphan",
        lazy="selectin",
        order_by="AgreementSignatoryRecord.position",
    )
    history: Mapped[list[AgreementStatusChangeRecord]] = relationship(
        cascade="all, delete-orphan", lazy="select", order_by="AgreementStatusChangeRecord.at"
    )


class AgreementPartyRecord(Base):
    """An organisation party to a version of an agreement, and what it does under it."""

    __tablename__ = "agreement_parties"

    agreement_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("agreements.id", ondelete="CASCADE"), primary_key=True
    )
    organisation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organisations.id"), primary_key=True, index=True
    )
    #: ``provides``, ``receives`` or ``both``
    does: Mapped[str] = mapped_column(String(STATUS))
    position: Mapped[int]


class AgreementGrantRecord(Base):
    """One cell of the need-to-know matrix (Appendix 2, Procedure B7), fully expanded.

    A matrix row with no purposes serves all the agreement's purposes, so it becomes one
    record per purpose here.
    """

    __tablename__ = "agreement_grants"
    __table_args__ = (
        Index(
            "ix_agreement_grants_lookup", "organisation_id", "role_id", "category_id", "purpose_id"
        ),
    )

    agreement_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("agreements.id", ondelete="CASCADE"), primary_key=True
    )
    organisation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organisations.id"), primary_key=True
    )
    role_id: Mapped[str] = mapped_column(String(SLUG), ForeignKey("roles.id"), primary_key=True)
    category_id: Mapped[str] = mapped_column(
        String(SLUG), ForeignKey("data_categories.id"), primary_key=True
    )
    purpose_id: Mapped[str] = mapped_column(
        String(SLUG), ForeignKey("purposes.id"), primary_key=True
    )


class AgreementSignatoryRecord(Base):
    """Who signs a version for a party; ``signed_on`` is null until they have signed."""

    __tablename__ = "agreement_signatories"

    id: Mapped[uuid.UUID] = uuid_primary_key()
    agreement_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("agreements.id", ondelete="CASCADE"), index=True
    )
    organisation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisations.id"))
    name: Mapped[str] = mapped_column(Text)
    post: Mapped[str] = mapped_column(Text)
    signed_on: Mapped[date | None]
    position: Mapped[int]


class AgreementStatusChangeRecord(Base):
    """One step in the life of a version: imported, proposed, signed by a party, activated …"""

    __tablename__ = "agreement_status_changes"

    id: Mapped[uuid.UUID] = uuid_primary_key()
    agreement_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("agreements.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[datetime]
    #: ``import``, ``amend``, or an ``IsaAction`` (``sign``, ``activate`` …)
    action: Mapped[str] = mapped_column(String(32))
    from_status: Mapped[str | None] = mapped_column(String(STATUS))
    to_status: Mapped[str] = mapped_column(String(STATUS))
    #: who did it, as they gave it (a name and post, an organisation code, or an account)
    actor: Mapped[str | None] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(Text)
