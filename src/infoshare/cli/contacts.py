"""``infoshare contacts``: print the directory of staff with specific roles (Procedure A6).

Who holds which role at each partner (designated officers, data protection officers,
information sharing leads, lead members, the Information Sharing Manager) and how to reach
them, from the database (``--db`` or INFOSHARE_DATABASE_URL). At the console, as the
operator holds the database anyway; over the web and REST the directory needs sign-in or a
token.
"""

from __future__ import annotations

import json
from typing import Annotated

import typer

from infoshare.cli.database_option import DatabaseOption, opened_database
from infoshare.cli.errors import handles_errors
from infoshare.services import contacts
from infoshare.services.contacts import ContactEntry


def _line(entry: ContactEntry) -> str:
    reach = [entry.email]
    if entry.secure_email:
        reach.append(f"secure {entry.secure_email}")
    if entry.telephone:
        reach.append(f"tel {entry.telephone}")
    if entry.hours:
        reach.append(entry.hours)
    return (
        f"{entry.organisation:<7} {', '.join(entry.roles):<28} {entry.name} "
        f"({entry.job_title}): {'; '.join(reach)}"
    )


@handles_errors
def contacts_command(
    organisation: Annotated[
        str | None, typer.Option(help="Only this organisation's staff, by code.")
    ] = None,
    role: Annotated[
        str | None,
        typer.Option(help=f"Only this role: one of {', '.join(contacts.DIRECTORY_ROLES)}."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON, one object each.")] = False,
    db: DatabaseOption = None,
) -> None:
    """Print the contacts directory: who holds a specific role at each partner (A6)."""
    with opened_database(db) as database:
        directory = contacts.contacts_directory(
            database.unit_of_work(), organisation=organisation, role=role
        )
    if as_json:
        typer.echo(json.dumps([e.model_dump() for e in directory], indent=2))
        return
    if not directory:
        typer.echo("nobody with a directory role is on record")
        return
    for entry in directory:
        typer.echo(_line(entry))
