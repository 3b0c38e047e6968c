"""Procedure A6: how to reach the staff who hold specific roles at each partner.

Who holds which role is on ``staff`` and ``staff_roles``; this table adds what the directory
needs beyond a work email: a telephone, a secure email address, and the hours they answer.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from infoshare.store.models.base import Base


class ContactDetailsRecord(Base):
    __tablename__ = "contact_details"

    staff_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("staff.id", ondelete="CASCADE"), primary_key=True
    )
    telephone: Mapped[str | None] = mapped_column(String(32))
    #: an address on a secure network (then: GSi, PNN, nhs.net), for Procedure B4
    secure_email: Mapped[str | None] = mapped_column(String(254))
    #: when they can be reached, e.g. "Mon–Fri 09:00–17:00; out of hours via switchboard"
    hours: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime]
