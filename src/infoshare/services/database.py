"""The database handle the interfaces hold: open it once per process, hand out units of work.

Web, API and CLI may not import ``infoshare.store``; they open the database here and pass
``db.unit_of_work()`` to each service call.
"""

from __future__ import annotations

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from infoshare.store.database import Database
from infoshare.store.unit_of_work import UnitOfWork


def open_database(url: str) -> Database:
    """Connect to ``url`` (SQLite or PostgreSQL); ConfigurationError for any other scheme."""
    return Database.open(url)


__all__ = ["Database", "UnitOfWork", "open_database", "redacted_url"]


def redacted_url(url: str) -> str:
    """``url`` with any password replaced by ``***``, fit to print."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return url
