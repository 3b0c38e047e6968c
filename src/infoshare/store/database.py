"""Connecting to the database: one engine per URL, tuned for SQLite or PostgreSQL.

SQLite is the embedded default and PostgreSQL the production engine (DESIGN, "Storage and
scale"); both get the same schema. On SQLite every write transaction starts with
``BEGIN IMMEDIATE``, so that concurrent writers queue on the database's write lock (waiting
up to ``busy_timeout``) instead of failing half-way with "database is locked"; read
transactions start with a plain ``BEGIN`` and never block writers under WAL. On PostgreSQL
a read transaction is marked ``READ ONLY``, so a read path that tries to write fails loudly.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.orm import Session, sessionmaker

from infoshare.errors import ConfigurationError
from infoshare.store.unit_of_work import READ_ONLY_OPTION, UnitOfWork

#: how long a SQLite writer waits for another writer to finish before giving up
SQLITE_BUSY_TIMEOUT_MS = 30_000
#: SQLite connections kept open: at least the server's worker threads (anyio's 40) and the writer
SQLITE_POOL_SIZE = 48
#: more may open at a peak; they are closed when given back
SQLITE_POOL_OVERFLOW = 32


def _sqlite_on_connect(dbapi_connection: Any, _record: Any) -> None:
    # The driver's own transaction handling is switched off so that SQLAlchemy's "begin"
    # event below decides how each transaction starts.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA journal_mode=WAL")
        # FULL: an acknowledged commit survives power loss (the ledger relies on it)
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    finally:
        cursor.close()


def _sqlite_on_begin(connection: Connection) -> None:
    if connection.get_execution_options().get(READ_ONLY_OPTION):
        connection.exec_driver_sql("BEGIN")
    else:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def _check_url(url: str) -> str:
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise ConfigurationError(
            f"INFOSHARE_DATABASE_URL: `{url}` is not a database URL; use e.g. "
            "`sqlite:///./infoshare.db` or `postgresql+psycopg://user@host/infoshare`",
            field="INFOSHARE_DATABASE_URL",
        ) from exc
    backend = parsed.get_backend_name()
    if backend == "postgresql":
        # psycopg 3 is the one PostgreSQL driver infoshare installs
        return parsed.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
    if backend == "sqlite" and parsed.get_driver_name() in ("pysqlite", ""):
        return url
    raise ConfigurationError(
        f"INFOSHARE_DATABASE_URL: unknown database URL scheme `{parsed.drivername}`; use "
        "`sqlite:///path` or `postgresql+psycopg://user@host/database`",
        field="INFOSHARE_DATABASE_URL",
    )


def make_engine(url: str) -> Engine:
    """An engine for ``url`` (SQLite or PostgreSQL), configured as described above.

    Raises ConfigurationError, naming INFOSHARE_DATABASE_URL, for any other kind of URL.
    """
    url = _check_url(url)
    if url.startswith("sqlite"):
        # Keep a connection for every thread that may read at once (the server's thread
        # pool): opening a SQLite connection runs the pragmas above, which costs more than
        # the queries of a request, and the default pool (5) would reopen them constantly.
        engine = create_engine(url, pool_size=SQLITE_POOL_SIZE, max_overflow=SQLITE_POOL_OVERFLOW)
        event.listen(engine, "connect", _sqlite_on_connect)
        event.listen(engine, "begin", _sqlite_on_begin)
        return engine
    return create_engine(url, pool_pre_ping=True)


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions bound to ``engine``; objects stay readable after commit (read models copy them)."""
    return sessionmaker(bind=engine, expire_on_commit=False, autoflush=True)


@dataclass
class Database:
    """An engine and its session factory: what a process holds for the life of the app."""

    url: str
    engine: Engine
    sessions: sessionmaker[Session] = field(repr=False)

    @classmethod
    def open(cls, url: str) -> Database:
        engine = make_engine(url)
        return cls(url=url, engine=engine, sessions=make_session_factory(engine))

    def unit_of_work(self) -> UnitOfWork:
        """A fresh unit of work; hand it to one service call."""
        return UnitOfWork(self.sessions)

    @contextmanager
    def reading(self) -> Iterator[Connection]:
        """A plain Core connection in a read-only transaction, for hot read paths.

        The same transaction a read unit of work opens (``BEGIN`` on SQLite, ``READ ONLY`` on
        PostgreSQL) without a Session: a request that reads a few rows by an index spends
        less on the ORM than on the query.
        """
        with self.engine.connect() as connection:
            options: dict[str, Any] = {READ_ONLY_OPTION: True}
            if connection.dialect.name == "postgresql":
                options["postgresql_readonly"] = True
            connection.execution_options(**options)
            with connection.begin():
                yield connection

    def dispose(self) -> None:
        """Close every pooled connection (at shutdown, and in tests before dropping a database)."""
        self.engine.dispose()
