"""``infoshare init``: create or upgrade the schema and load a protocol pack.

Loads the pack's catalogues and partners (Section 1.2) with their adoption state
(Procedure C1), makes the ledger's signing key in INFOSHARE_KEYS_DIR if there is none (never
overwriting one), and signs a checkpoint (Principle 6). Safe to run again: it only adds what
is missing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from infoshare.cli.database_option import DatabaseOption, settings_for
from infoshare.cli.errors import handles_errors
from infoshare.services import ledger
from infoshare.services.database import open_database, redacted_url
from infoshare.services.keys import (
    VERIFIER_KEY_FILE,
    ensure_signing_key,
    load_signing_key,
    origin_for,
)
from infoshare.services.organisations import OrganisationView, list_organisations
from infoshare.services.setup import SchemaUpgrade, SetupReport, initialise

stdout = Console(highlight=False, soft_wrap=True)


def describe_schema(upgrade: SchemaUpgrade) -> str:
    if upgrade.before is None:
        return f"created at revision {upgrade.after}"
    if upgrade.changed:
        return f"upgraded from revision {upgrade.before} to {upgrade.after}"
    return f"already at the newest revision, {upgrade.after}"


def adoption_summary(organisations: list[OrganisationView]) -> str:
    parties = [o for o in organisations if o.is_party]
    adopted = [o for o in parties if o.adoption is not None]
    awaited = ", ".join(o.code for o in parties if o.adoption is None)
    line = (
        f"{len(organisations)} organisations: {len(parties)} parties, "
        f"{len(organisations) - len(parties)} supporting members; "
        f"{len(adopted)} of {len(parties)} parties have approved the protocol"
    )
    return line + (f" (awaited: {awaited})" if awaited else "")


def print_setup(url: str, report: SetupReport) -> None:
    stdout.print(f"database  {redacted_url(url)}")
    stdout.print(f"schema    {describe_schema(report.schema)}")
    counts = ", ".join(f"{n} {t.replace('_', ' ')}" for t, n in report.catalogue_counts.items())
    stdout.print(f"pack      {report.pack_id} {report.pack_version} {report.pack_action}: {counts}")
    db = open_database(url)
    try:
        organisations = list_organisations(db.unit_of_work())
    finally:
        db.dispose()
    added = len(report.organisations_added)
    stdout.print(f"partners  {adoption_summary(organisations)}; {added} added now")


@handles_errors
def init_command(
    pack: Annotated[
        str | None,
        typer.Option(
            "--pack", help="Protocol pack: a built-in name or a folder (default INFOSHARE_PACK)."
        ),
    ] = None,
    db: DatabaseOption = None,
) -> None:
    """Create or upgrade the database schema and load a protocol pack into it."""
    settings = settings_for(db)
    url = settings.sqlalchemy_url
    report = initialise(url, pack or settings.pack)
    print_setup(url, report)
    print_keys(url, settings.keys_dir, origin_for(report.pack_id, settings.ledger_origin or None))


def print_keys(url: str, keys_dir: Path, origin: str) -> None:
    """Make (or check) the ledger's signing key, then sign a checkpoint of the ledger so far."""
    made = ensure_signing_key(keys_dir, origin)
    action = "made" if made.created else "kept (never overwritten)"
    stdout.print(f"key       {made.path} {action}; publish {keys_dir / VERIFIER_KEY_FILE}")
    db = open_database(url)
    try:
        signed = ledger.checkpoint(db, load_signing_key(keys_dir, origin=origin))
    finally:
        db.dispose()
    stdout.print(f"ledger    {signed.size} entries; checkpoint signed by {origin}")
