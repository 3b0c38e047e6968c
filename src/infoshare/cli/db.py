"""``infoshare db``: look after the database schema (Alembic migrations, SQLite or PostgreSQL)."""

from __future__ import annotations

import typer
from rich.console import Console

from infoshare.cli.database_option import DatabaseOption, settings_for
from infoshare.cli.errors import handles_errors
from infoshare.cli.init import describe_schema
from infoshare.services.database import redacted_url
from infoshare.services.setup import upgrade_schema

db_app = typer.Typer(help="Look after the database schema.", no_args_is_help=True)
stdout = Console(highlight=False, soft_wrap=True)


@db_app.command("upgrade")
@handles_errors
def upgrade_command(db: DatabaseOption = None) -> None:
    """Create the schema in an empty database, or migrate it to the newest revision."""
    url = settings_for(db).sqlalchemy_url
    upgrade = upgrade_schema(url)
    stdout.print(f"database  {redacted_url(url)}")
    stdout.print(f"schema    {describe_schema(upgrade)}")
