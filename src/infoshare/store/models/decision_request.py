"""Decision requests: every "may I share?" answered that is not otherwise stored (Principle 6;
Procedures A5, A7; Section 4.4).

A disclosure row keeps what a permitted request shared, and a referral row keeps a request
waiting for a designated officer. Everything else the decision engine answers lands here: a
question only asked (``disclosures.ask``: ``POST /api/v1/decisions``, the "May I share?"
walkthrough, CDS Hooks) and a request to share that was refused (``disclose`` ending in
``deny``). Each row is the request as asked, field by field, with the outcome and the
sequence of its ``decision:asked`` ledger entry, whose digest covers the row: so refusals are
evidence (Procedure C4) and a candidate version of an agreement can be replayed against
them (``services/what_if.py``).

Organisation, purpose and method columns are as wide as the request may say (64), not as
wide as a known code: a refused request may name a party that does not exist.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from infoshare.store.models.base import Base, uuid_primary_key

STAFF_EMAIL = 254
CODE = 64
VOCABULARY = 32


class DecisionRequestRecord(Base):
    """One decision asked and answered, with nothing shared (a dry run or a refusal)."""

    __tablename__ = "decision_requests"
    __table_args__ = (
        Index("ix_decision_requests_asked_at", "asked_at"),
        Index("ix_decision_requests_agreement_asked_at", "agreement", "asked_at"),
    )

    id: Mapped[uuid.UUID] = uuid_primary_key()
    asked_at: Mapped[datetime]
    #: ``asked`` (a dry run) or ``refused`` (a request to share that was denied)
    source: Mapped[str] = mapped_column(String(VOCABULARY))
    #: the staff email of the person asking
    requester: Mapped[str] = mapped_column(String(STAFF_EMAIL))
    provider: Mapped[str] = mapped_column(String(CODE))
    recipient: Mapped[str] = mapped_column(String(CODE))
    recipient_role: Mapped[str | None] = mapped_column(String(CODE))
    service_user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("service_users.id"))
    purpose: Mapped[str] = mapped_column(String(CODE))
    categories: Mapped[list[str]]
    transfer_method: Mapped[str] = mapped_column(String(CODE))
    #: the basis claimed: ``consent``, ``statutory`` or ``emergency``
    basis_kind: Mapped[str] = mapped_column(String(VOCABULARY))
    legal_grounds: Mapped[list[str]]
    justification: Mapped[str] = mapped_column(Text)
    emergency_reason: Mapped[str] = mapped_column(Text)
    #: the agreement the requester named, if any
    agreement: Mapped[str | None] = mapped_column(String(CODE))
    #: the agreement the decision rested on, if any
    decided_agreement: Mapped[str | None] = mapped_column(String(CODE))
    #: for onward use (Procedure B6): the disclosure the information was received by
    derived_from_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("disclosures.id"))
    #: the decision's outcome: ``permit``, ``permit_anonymised``, ``refer`` or ``deny``
    outcome: Mapped[str] = mapped_column(String(VOCABULARY))
    #: the sequence number of the ``decision:asked`` ledger entry whose digest covers the row
    ledger_sequence: Mapped[int] = mapped_column(BigInteger)
