"""Consent records, their withdrawals, and capacity assessments (Principle 5, Procedures A1–A3).

A consent row is one decision (given or refused) as Procedure A3 records it and Appendix 4's
form asks for it. What it is about (its scope), what the person was told (the explanation)
and the limits they set (exclusions) are rows of ``consent_terms``, each naming a purpose, a
data category or an organisation by foreign key to the catalogue, or an agreement by its
reference. A withdrawal is a row of its own, at most one per consent, so the record of the
decision is never rewritten; a newer consent names the one it supersedes. Nothing here is
ever deleted: the history is what lets a past disclosure be judged as it was made.

Capacity assessments (Procedure A2) are decision-specific: the purposes and categories of
the decision assessed are rows of ``capacity_assessment_terms``.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from infoshare.store.models.base import Base, uuid_primary_key
from infoshare.store.models.catalogue import SLUG

#: an agreement's reference, e.g. ``ISA-2002-007``
AGREEMENT_REFERENCE = 64
VOCABULARY = 32


def _exactly_one(*columns: str) -> str:
    # CASE rather than adding booleans: PostgreSQL does not add booleans, SQLite does.
    terms = " + ".join(f"(CASE WHEN {c} IS NULL THEN 0 ELSE 1 END)" for c in columns)
    return f"{terms} = 1"


class ConsentRecord(Base):
    """One decision about sharing: given or refused (Procedure A3, Appendix 4)."""

    __tablename__ = "consents"

    id: Mapped[uuid.UUID] = uuid_primary_key()
    service_user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("service_users.id"), index=True)
    #: ``given`` or ``refused``
    decision: Mapped[str] = mapped_column(String(VOCABULARY))
    #: ``service-user``, ``representative`` or ``best-interests``
    decided_by: Mapped[str] = mapped_column(String(VOCABULARY))
    representative_name: Mapped[str | None] = mapped_column(Text)
    representative_relationship: Mapped[str | None] = mapped_column(Text)
    representative_authority: Mapped[str | None] = mapped_column(String(VOCABULARY))
    representative_authority_reference: Mapped[str | None] = mapped_column(Text)
    best_interests_reasons: Mapped[str | None] = mapped_column(Text)
    obtained_by: Mapped[str] = mapped_column(Text)
    obtained_by_organisation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisations.id"))
    obtained_at: Mapped[datetime]
    method: Mapped[str] = mapped_column(String(VOCABULARY))
    form_version: Mapped[str | None] = mapped_column(Text)
    leaflet_given: Mapped[bool] = mapped_column(Boolean)
    leaflet_version: Mapped[str | None] = mapped_column(Text)
    valid_from: Mapped[datetime | None]
    valid_until: Mapped[datetime | None]
    review_date: Mapped[date | None]
    supersedes_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("consents.id"), index=True)
    #: when the record was written, as opposed to when the decision was obtained
    recorded_at: Mapped[datetime]

    terms: Mapped[list[ConsentTermRecord]] = relationship(
        lazy="selectin", order_by="ConsentTermRecord.position"
    )
    withdrawal: Mapped[ConsentWithdrawalRecord | None] = relationship(lazy="selectin")


class ConsentTermRecord(Base):
    """One purpose, category, organisation or agreement named by a consent.

    ``part`` says where: the decision's ``scope``, what was ``explained``, or an
    ``exclusion`` (``exclusion`` numbers the exclusion, from 0; its note is on every row).
    """

    __tablename__ = "consent_terms"
    __table_args__ = (
        CheckConstraint(
            _exactly_one(
                "purpose_id", "data_category_id", "organisation_id", "agreement_reference"
            ),
            name="names_one_thing",
        ),
        CheckConstraint(
            "(part = 'exclusion') = (exclusion IS NOT NULL)", name="exclusion_numbered"
        ),
    )

    id: Mapped[uuid.UUID] = uuid_primary_key()
    consent_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("consents.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    part: Mapped[str] = mapped_column(String(16))
    exclusion: Mapped[int | None] = mapped_column(Integer)
    exclusion_note: Mapped[str | None] = mapped_column(Text)
    purpose_id: Mapped[str | None] = mapped_column(String(SLUG), ForeignKey("purposes.id"))
    data_category_id: Mapped[str | None] = mapped_column(
        String(SLUG), ForeignKey("data_categories.id")
    )
    organisation_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("organisations.id"))
    agreement_reference: Mapped[str | None] = mapped_column(String(AGREEMENT_REFERENCE))


class ConsentWithdrawalRecord(Base):
    """The withdrawal of a consent: once, from its moment on (Principle 5, Procedure A3)."""

    __tablename__ = "consent_withdrawals"

    id: Mapped[uuid.UUID] = uuid_primary_key()
    #: unique: a consent is withdrawn once, and the database says so even to a careless caller
    consent_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("consents.id"), unique=True)
    at: Mapped[datetime]
    method: Mapped[str] = mapped_column(String(VOCABULARY))
    #: ``service-user`` or ``representative``
    withdrawn_by: Mapped[str] = mapped_column(String(VOCABULARY))
    representative_name: Mapped[str | None] = mapped_column(Text)
    representative_relationship: Mapped[str | None] = mapped_column(Text)
    representative_authority: Mapped[str | None] = mapped_column(String(VOCABULARY))
    representative_authority_reference: Mapped[str | None] = mapped_column(Text)
    reason: Mapped[str | None] = mapped_column(Text)
    recorded_by: Mapped[str] = mapped_column(Text)
    recorded_by_organisation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisations.id"))
    recorded_at: Mapped[datetime]


class CapacityAssessmentRecord(Base):
    """An assessment of whether a person can make one decision (Procedure A2)."""

    __tablename__ = "capacity_assessments"

    id: Mapped[uuid.UUID] = uuid_primary_key()
    service_user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("service_users.id"), index=True)
    #: ``capacity``, or ``competence`` for a child under 16
    kind: Mapped[str] = mapped_column(String(VOCABULARY))
    outcome: Mapped[str] = mapped_column(String(VOCABULARY))
    assessed_by: Mapped[str] = mapped_column(Text)
    assessed_by_organisation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisations.id"))
    assessed_at: Mapped[datetime]
    reasons: Mapped[str] = mapped_column(Text)
    review_date: Mapped[date | None]
    support_given: Mapped[list[str]]
    recorded_at: Mapped[datetime]

    terms: Mapped[list[CapacityAssessmentTermRecord]] = relationship(
        lazy="selectin", order_by="CapacityAssessmentTermRecord.position"
    )


class CapacityAssessmentTermRecord(Base):
    """A purpose or data category of the decision an assessment is about."""

    __tablename__ = "capacity_assessment_terms"
    __table_args__ = (
        CheckConstraint(_exactly_one("purpose_id", "data_category_id"), name="names_one_thing"),
    )

    id: Mapped[uuid.UUID] = uuid_primary_key()
    assessment_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("capacity_assessments.id"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    purpose_id: Mapped[str | None] = mapped_column(String(SLUG), ForeignKey("purposes.id"))
    data_category_id: Mapped[str | None] = mapped_column(
        String(SLUG), ForeignKey("data_categories.id")
    )
