"""The ``--db`` option the commands share, how it meets INFOSHARE_DATABASE_URL, and its database."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

import typer

from infoshare.services.database import Database, open_database
from infoshare.settings import Settings, load_settings

DatabaseOption = Annotated[
    str | None,
    typer.Option(
        "--db",
        help="Database URL; overrides INFOSHARE_DATABASE_URL (default sqlite:///./infoshare.db).",
        show_default=False,
    ),
]


def settings_for(db: str | None) -> Settings:
    """Settings from the environment, with ``--db`` in place of INFOSHARE_DATABASE_URL."""
    return load_settings(database_url=db) if db is not None else load_settings()


@contextmanager
def opened_database(db: str | None) -> Iterator[Database]:
    """The database ``--db`` names (or the environment's), disposed of when the command is done."""
    database = open_database(settings_for(db).sqlalchemy_url)
    try:
        yield database
    finally:
        database.dispose()
