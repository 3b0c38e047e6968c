"""People the partners provide services to, and the identifiers each partner knows them by.

The NHS number is the identifier shared across partners; each organisation also has its
own (hospital number, social care id, …), unique within that organisation. The database
refuses anything but ten digits even if a caller forgets to check (the services check the
modulus-11 digit before writing).
"""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from infoshare.store.models.base import Base, uuid_primary_key

# The same rule in each engine's dialect: SQLite has GLOB, PostgreSQL regular expressions.
NHS_NUMBER_CHECKS = (
    CheckConstraint(
        "length(nhs_number) = 10 AND nhs_number NOT GLOB '*[^0-9]*'", name="nhs_number_digits"
    ).ddl_if(dialect="sqlite"),
    CheckConstraint("nhs_number ~ '^[0-9]{10}$'", name="nhs_number_digits").ddl_if(
        dialect="postgresql"
    ),
)


class ServiceUserRecord(Base):
    __tablename__ = "service_users"
    __table_args__ = NHS_NUMBER_CHECKS

    id: Mapped[uuid.UUID] = uuid_primary_key()
    nhs_number: Mapped[str] = mapped_column(String(10), unique=True)
    given_name: Mapped[str] = mapped_column(Text)
    family_name: Mapped[str] = mapped_column(Text)
    date_of_birth: Mapped[date | None]
    postcode: Mapped[str | None] = mapped_column(String(8))
    created_at: Mapped[datetime]

    local_identifiers: Mapped[list[LocalIdentifierRecord]] = relationship(
        lazy="selectin", order_by="LocalIdentifierRecord.identifier"
    )


class LocalIdentifierRecord(Base):
    """An organisation's own identifier for a service user."""

    __tablename__ = "local_identifiers"
    __table_args__ = (UniqueConstraint("organisation_id", "identifier"),)

    id: Mapped[uuid.UUID] = uuid_primary_key()
    service_user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("service_users.id", ondelete="CASCADE"), index=True
    )
    organisation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisations.id"))
    identifier: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
