"""Staff of partner organisations and the protocol roles they hold (Procedure A6, section 4.1).

``training_completed_on`` is what Principle 14 and Procedure C2 need: staff who have not been
trained in the protocol cannot disclose.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from infoshare.store.models.base import Base, uuid_primary_key
from infoshare.store.models.catalogue import SLUG


class StaffRecord(Base):
    __tablename__ = "staff"

    id: Mapped[uuid.UUID] = uuid_primary_key()
    organisation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisations.id"), index=True)
    name: Mapped[str] = mapped_column(Text)
    #: stored lower-case, so uniqueness ignores case as mail servers do
    email: Mapped[str] = mapped_column(String(254), unique=True)
    job_title: Mapped[str] = mapped_column(Text)
    active: Mapped[bool]
    training_completed_on: Mapped[date | None]
    created_at: Mapped[datetime]

    roles: Mapped[list[StaffRoleRecord]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="StaffRoleRecord.role_id"
    )


class StaffRoleRecord(Base):
    """One role held by one member of staff."""

    __tablename__ = "staff_roles"

    staff_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("staff.id", ondelete="CASCADE"), primary_key=True
    )
    role_id: Mapped[str] = mapped_column(String(SLUG), ForeignKey("roles.id"), primary_key=True)
