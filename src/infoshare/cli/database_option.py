"""The ``--db`` option the set-up commands share, and how it meets INFOSHARE_DATABASE_URL."""

from __future__ import annotations

from typing import Annotated

import typer

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
