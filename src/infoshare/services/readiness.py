"""Whether a database is ready to serve: reachable, at the newest schema, with a pack loaded.

``infoshare serve`` asks before it starts, so that an uninitialised database gets a clear
"run `infoshare init`" rather than a site that fails on every page; ``/health`` asks on each
call so that an operator's monitor sees the same answer.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

from alembic.runtime.migration import MigrationContext
from sqlalchemy import select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from infoshare.store import schema
from infoshare.store.database import Database
from infoshare.store.models import ProtocolPackRecord


@dataclass(frozen=True)
class Readiness:
    """What a quick look at the database found."""

    database_reachable: bool
    #: the schema revision the database is at; None if it was never migrated
    schema_revision: str | None
    #: the revision this version of infoshare needs
    schema_head: str
    #: the protocol pack loaded into it, if any
    pack_id: str | None = None
    pack_version: str | None = None

    @property
    def schema_current(self) -> bool:
        return self.schema_revision == self.schema_head

    @property
    def pack_loaded(self) -> bool:
        return self.pack_id is not None

    @property
    def ready(self) -> bool:
        return self.database_reachable and self.schema_current and self.pack_loaded

    @property
    def problem(self) -> str | None:
        """What is wrong, and what to do about it, for a person; None when ready."""
        if not self.database_reachable:
            return (
                "the database cannot be reached; check INFOSHARE_DATABASE_URL and that the "
                "database server is running"
            )
        if self.schema_revision is None:
            return (
                "the database has not been initialised; run `infoshare init` to create its "
                "schema and load a protocol pack"
            )
        if not self.schema_current:
            return (
                f"the database schema is at revision `{self.schema_revision}` but this version "
                f"of infoshare needs `{self.schema_head}`; run `infoshare init` (or "
                "`infoshare db upgrade`) to upgrade it"
            )
        if not self.pack_loaded:
            return (
                "no protocol pack has been loaded into the database; run `infoshare init` to "
                "load one"
            )
        return None


@functools.cache
def _schema_head() -> str:
    # The migration scripts do not change while the process runs.
    return schema.head_revision()


def _missing_sqlite_file(url: str) -> bool:
    # Connecting to a SQLite path that does not exist would create an empty file there;
    # a readiness check must not leave one behind.
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return False
    database = parsed.database or ""
    if database in ("", ":memory:") or database.startswith("file:"):
        return False
    return not Path(database).exists()


def check_readiness(db: Database) -> Readiness:
    """Look at ``db`` without changing it; never raises for an unreachable database."""
    head = _schema_head()
    if _missing_sqlite_file(db.url):
        return Readiness(database_reachable=True, schema_revision=None, schema_head=head)
    pack = None
    try:
        # One read-only transaction: on SQLite it takes no write lock, on PostgreSQL it is
        # READ ONLY, so a monitor polling /health never gets in a writer's way.
        with db.unit_of_work().reading() as uow:
            connection = uow.session.connection()
            revision = MigrationContext.configure(connection).get_current_revision()
            if revision == head:
                pack = uow.session.execute(
                    select(ProtocolPackRecord.id, ProtocolPackRecord.version)
                ).first()
    except SQLAlchemyError:
        return Readiness(database_reachable=False, schema_revision=None, schema_head=head)
    return Readiness(
        database_reachable=True,
        schema_revision=revision,
        schema_head=head,
        pack_id=pack.id if pack else None,
        pack_version=pack.version if pack else None,
    )
