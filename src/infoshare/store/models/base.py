"""The declarative base all tables share: one metadata, one naming convention, UTC times.

Every model of infoshare (catalogues, organisations, staff, service users, and later
consents, agreements, disclosures, the ledger) registers on ``Base.metadata``, so Alembic
sees one schema. Constraint names follow a fixed convention, so migrations written on
SQLite and PostgreSQL name things the same way.

Key choice: entity tables (organisations, staff, service users, …) have UUID primary keys,
made in Python, so bulk loads need no round trip and ids in URLs cannot be enumerated.
Catalogue tables (purposes, data categories, roles, clauses, …) are keyed by the pack's own
ids (``care``, ``mental-health``, ``P7``), so a foreign key holds the very string the pack and
the policy core use. A database holds one protocol pack at a time (see services/setup.py).
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import JSON, DateTime, Dialect, MetaData, Uuid
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC timestamp on every engine.

    PostgreSQL stores ``timestamptz``; SQLite has no time zones, so the value is stored as
    UTC without an offset and given back as UTC. Naive datetimes are refused: a time
    without a zone is a bug waiting to disclose something at the wrong hour.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime `{value.isoformat()}`; pass a timezone-aware time")
        value = value.astimezone(UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UTCDateTime(),
        uuid.UUID: Uuid(),
        dict[str, Any]: JSON(),
        list[str]: JSON(),
        list[dict[str, Any]]: JSON(),
    }


def uuid_primary_key() -> Mapped[uuid.UUID]:
    return mapped_column(primary_key=True, default=uuid.uuid4)
