"""Partner organisations of the protocol (section 1.2) and their adoption of it (Procedure C1).

An organisation is a party or a supporting member. A party's formal approval (board or
delegated body, with its minute) is recorded when it happens; the three columns stay null
while approval is awaited, as it was for three of the ten parties on 1 October 2002.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from infoshare.store.models.base import Base, uuid_primary_key


class OrganisationRecord(Base):
    __tablename__ = "organisations"

    id: Mapped[uuid.UUID] = uuid_primary_key()
    code: Mapped[str] = mapped_column(String(12), unique=True)
    name: Mapped[str] = mapped_column(Text)
    #: the pack's organisation type, e.g. ``acute-trust``, ``police``
    type: Mapped[str] = mapped_column(String(32))
    #: ``party`` or ``supporting-member``
    membership: Mapped[str] = mapped_column(String(32))
    departments: Mapped[list[str]]
    adopted_on: Mapped[date | None]
    approving_body: Mapped[str | None] = mapped_column(Text)
    minute_reference: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]
