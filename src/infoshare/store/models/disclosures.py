"""Disclosures, referrals to designated officers and emergency review tasks (Principles 6,
8–10; Procedures A5, B6).

A disclosure row is one sharing that happened: who sent what to whom, about whom, why, under
which agreement and how, with the decision that allowed it (stored whole, reasons included)
and whether the person was told (Principle 5) or why not. Its items (each a category,
content or a reference to it, marked fact / opinion / both for Principle 10, and whether it
is kept confidential from the person, with reason and ground, for Principle 8) are a JSON
list: they are always read with their disclosure and never queried one by one.

A referral is a request a designated officer of the provider must approve first (Procedure
A5); it keeps the whole request so that approval can decide it again. A review task follows
every emergency disclosure made in the person's vital interests. Nothing here is deleted:
what was shared, on what basis, is evidence (Procedure C4).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from infoshare.store.models.base import Base, uuid_primary_key
from infoshare.store.models.catalogue import SLUG

ORGANISATION_CODE = 12
STAFF_EMAIL = 254
AGREEMENT_REFERENCE = 64
VOCABULARY = 32


class DisclosureRecord(Base):
    """One disclosure made, as the decision allowed it."""

    __tablename__ = "disclosures"
    __table_args__ = (Index("ix_disclosures_recipient_made_at", "recipient", "made_at"),)

    id: Mapped[uuid.UUID] = uuid_primary_key()
    made_at: Mapped[datetime]
    #: the staff email of the person who made or asked for it
    requester: Mapped[str] = mapped_column(String(STAFF_EMAIL))
    provider: Mapped[str] = mapped_column(String(ORGANISATION_CODE))
    recipient: Mapped[str] = mapped_column(String(ORGANISATION_CODE))
    recipient_role: Mapped[str | None] = mapped_column(String(SLUG))
    service_user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("service_users.id"), index=True)
    purpose: Mapped[str] = mapped_column(String(SLUG))
    isa_reference: Mapped[str | None] = mapped_column(String(AGREEMENT_REFERENCE))
    transfer_method: Mapped[str] = mapped_column(String(SLUG))
    outcome: Mapped[str] = mapped_column(String(VOCABULARY))
    basis: Mapped[str] = mapped_column(String(VOCABULARY))
    #: the decision as ``decision_as_json`` gives it: categories, conditions, reasons
    decision: Mapped[dict[str, Any]]
    items: Mapped[list[dict[str, Any]]]
    subject_informed: Mapped[bool]
    not_informed_reason: Mapped[str | None] = mapped_column(Text)
    #: for onward use (Procedure B6): the disclosure the information was first received by
    derived_from_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("disclosures.id"))
    referral_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("referrals.id"))
    #: a police request's s.29-style form, when the request came with one
    police_request: Mapped[dict[str, Any] | None]
    ledger_sequence: Mapped[int | None] = mapped_column(BigInteger)


class ReferralRecord(Base):
    """A request to share without consent, awaiting a designated officer (Procedure A5)."""

    __tablename__ = "referrals"
    __table_args__ = (Index("ix_referrals_provider_status", "provider", "status"),)

    id: Mapped[uuid.UUID] = uuid_primary_key()
    created_at: Mapped[datetime]
    requester: Mapped[str] = mapped_column(String(STAFF_EMAIL))
    provider: Mapped[str] = mapped_column(String(ORGANISATION_CODE))
    recipient: Mapped[str] = mapped_column(String(ORGANISATION_CODE))
    service_user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("service_users.id"), index=True)
    purpose: Mapped[str] = mapped_column(String(SLUG))
    #: the whole request as it was made, so approval can decide it again
    request: Mapped[dict[str, Any]]
    #: the decision that referred it
    decision: Mapped[dict[str, Any]]
    #: pending, approved or refused
    status: Mapped[str] = mapped_column(String(VOCABULARY))
    decided_by: Mapped[str | None] = mapped_column(String(STAFF_EMAIL))
    decided_at: Mapped[datetime | None]
    decision_reason: Mapped[str | None] = mapped_column(Text)
    #: the disclosure approval turned it into (the disclosure points back by referral_id)
    disclosure_id: Mapped[uuid.UUID | None]


class ReviewTaskRecord(Base):
    """A designated officer's review of an emergency disclosure (Procedure A5)."""

    __tablename__ = "review_tasks"
    __table_args__ = (
        Index("ix_review_tasks_organisation_reviewed_at", "organisation", "reviewed_at"),
    )

    id: Mapped[uuid.UUID] = uuid_primary_key()
    disclosure_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("disclosures.id"), unique=True)
    #: the provider, whose designated officers review it
    organisation: Mapped[str] = mapped_column(String(ORGANISATION_CODE))
    created_at: Mapped[datetime]
    due_at: Mapped[datetime]
    reviewed_by: Mapped[str | None] = mapped_column(String(STAFF_EMAIL))
    reviewed_at: Mapped[datetime | None]
    #: upheld (the emergency was real) or not-upheld (it goes to Procedure C5)
    review_outcome: Mapped[str | None] = mapped_column(String(VOCABULARY))
    review_notes: Mapped[str | None] = mapped_column(Text)
