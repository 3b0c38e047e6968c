"""The protocol pack loaded into the database, and its catalogues as tables.

Later rows point at these by foreign key: a consent names purposes and data categories, an
agreement names roles and transfer methods, a reason cites a clause. The pack itself is kept
whole as JSON (with its SHA-256 digest), so the policy core can be compiled from exactly what
was loaded. Sections 1.2, 2.1, 2.3, 3.2 and 4.1 of the protocol, and its Appendix 1.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from infoshare.store.models.base import Base

SLUG = 64


class ProtocolPackRecord(Base):
    """A protocol pack as loaded: its id and version, when, and its whole content."""

    __tablename__ = "protocol_packs"

    id: Mapped[str] = mapped_column(String(SLUG), primary_key=True)
    version: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(Text)
    loaded_at: Mapped[datetime]
    content: Mapped[dict[str, Any]]
    #: SHA-256 of the pack's canonical JSON, hex; tells whether a reload changes anything
    digest: Mapped[str] = mapped_column(String(64))


class _CatalogueItem:
    """Columns every catalogue table has: the pack's id for the item, and which pack."""

    id: Mapped[str] = mapped_column(String(SLUG), primary_key=True)
    pack_id: Mapped[str] = mapped_column(ForeignKey("protocol_packs.id"), index=True)
    title: Mapped[str] = mapped_column(Text)


class PurposeRecord(_CatalogueItem, Base):
    """A purpose of section 2.1."""

    __tablename__ = "purposes"

    summary: Mapped[str] = mapped_column(Text)
    needs_identifiable_data: Mapped[bool]


class DataCategoryRecord(_CatalogueItem, Base):
    """A kind of personal information, sensitive or not (DPA 1998 s.2)."""

    __tablename__ = "data_categories"

    summary: Mapped[str] = mapped_column(Text)
    sensitive: Mapped[bool]
    sensitive_under: Mapped[str | None] = mapped_column(Text)
    statutory_restriction: Mapped[str | None] = mapped_column(Text)
    identifying: Mapped[bool]


class LegalGroundRecord(_CatalogueItem, Base):
    """A legal ground of Appendix 1 (section 2.2)."""

    __tablename__ = "legal_grounds"

    citation: Mapped[str] = mapped_column(Text)
    summary: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(32))
    effect: Mapped[str] = mapped_column(String(32))
    permits_sharing_without_consent: Mapped[bool]
    covers_sensitive_data: Mapped[bool]
    purposes: Mapped[list[str]]
    organisation_types: Mapped[list[str]]


class RoleRecord(_CatalogueItem, Base):
    """A role with responsibilities under the protocol (section 4.1, Procedure A6)."""

    __tablename__ = "roles"

    scope: Mapped[str] = mapped_column(String(32))
    responsibilities: Mapped[list[str]]
    clauses: Mapped[list[str]]
    may_approve_disclosure_without_consent: Mapped[bool]


class ClauseKind(StrEnum):
    PRINCIPLE = "principle"
    PROCEDURE = "procedure"
    SECTION = "section"


class ClauseRecord(_CatalogueItem, Base):
    """A citable clause: a principle (``P7``), a procedure (``A5``) or a section (``4.4``)."""

    __tablename__ = "clauses"
    __table_args__ = (UniqueConstraint("citation"),)

    kind: Mapped[str] = mapped_column(String(16))
    #: how rules cite it: ``Principle 7``, ``Procedure A5``, ``Section 4.4``
    citation: Mapped[str] = mapped_column(String(64))
    summary: Mapped[str] = mapped_column(Text)
    #: for a procedure, the section of 3.2 it belongs to
    section: Mapped[str | None] = mapped_column(Text)


class TransferMethodRecord(_CatalogueItem, Base):
    """A way of sending information (Procedures B2–B5) and its safeguards."""

    __tablename__ = "transfer_methods"

    procedure_id: Mapped[str] = mapped_column(ForeignKey("clauses.id"))
    safeguards: Mapped[list[dict[str, Any]]]
