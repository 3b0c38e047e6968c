"""Procedure C3: each party's lead member confirms that each standard procedure is in place.

Adoption of the protocol itself (Procedure C1: date, approving body, minute) is kept on the
organisation (``organisations.adopted_on`` …); this table holds the confirmations, one per
party and procedure, with who confirmed it, when, and the evidence offered.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from infoshare.store.models.base import Base, uuid_primary_key
from infoshare.store.models.catalogue import SLUG


class ProcedureConfirmationRecord(Base):
    __tablename__ = "procedure_confirmations"
    __table_args__ = (UniqueConstraint("organisation_id", "procedure_id"),)

    id: Mapped[uuid.UUID] = uuid_primary_key()
    organisation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisations.id"))
    #: a procedure's clause id, e.g. ``A5``
    procedure_id: Mapped[str] = mapped_column(String(SLUG), ForeignKey("clauses.id"))
    #: the lead member who confirmed it (Procedure C3)
    confirmed_by_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("staff.id"))
    confirmed_on: Mapped[date]
    evidence: Mapped[str] = mapped_column(Text)
    recorded_at: Mapped[datetime]
