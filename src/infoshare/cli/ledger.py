"""``infoshare ledger``: verify the whole ledger, sign checkpoints, issue proofs, show entries.

Principle 6 (decisions recorded for audit), Procedure C4 (evidence when requested),
Section 4.3 (monitoring). ``verify`` is what an auditor runs after a restore or on a
schedule: it exits 1 with the first problem, precisely, if anything was altered.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from infoshare.cli.database_option import DatabaseOption, settings_for
from infoshare.cli.errors import EXIT_INPUT, handles_errors
from infoshare.services import ledger
from infoshare.services.database import open_database, redacted_url
from infoshare.services.keys import load_signing_key, load_verifier_key, published_key

ledger_app = typer.Typer(
    help="The tamper-evident ledger: verify it, checkpoint it, prove entries.",
    no_args_is_help=True,
)
proof_app = typer.Typer(help="Inclusion and consistency proofs, as JSON.", no_args_is_help=True)
ledger_app.add_typer(proof_app, name="proof")

stdout = Console(highlight=False, soft_wrap=True)
stderr = Console(stderr=True, highlight=False, soft_wrap=True)

KeyOption = Annotated[
    Path | None,
    typer.Option(
        "--key",
        help="The ledger's published key file (default: ledger.pub in INFOSHARE_KEYS_DIR).",
        show_default=False,
    ),
]


@ledger_app.command("verify")
@handles_errors
def verify_command(
    db: DatabaseOption = None,
    key: KeyOption = None,
    thorough: Annotated[
        bool,
        typer.Option(
            "--thorough",
            help="Also decode every entry and check the columns queries read (slower).",
        ),
    ] = False,
) -> None:
    """Check the whole ledger: chain, Merkle root, checkpoints, and the governance records."""
    settings = settings_for(db)
    verifier = load_verifier_key(key) if key is not None else published_key(settings.keys_dir)
    database = open_database(settings.sqlalchemy_url)
    try:
        with Progress(
            TextColumn("verifying"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=stderr,
            transient=True,
        ) as progress:
            task = progress.add_task("entries", total=None)

            def advance(read: int, total: int) -> None:
                progress.update(task, completed=read, total=total)

            report = ledger.verify(
                database.unit_of_work(), verifier, progress=advance, thorough=thorough
            )
    finally:
        database.dispose()
    if report.problem is not None:
        stderr.print(f"[red]error[/red]: {report.problem}", markup=True)
        stderr.print(f"the ledger at {redacted_url(settings.sqlalchemy_url)} does not verify")
        raise typer.Exit(EXIT_INPUT)
    result = report.verification
    stdout.print(
        f"ok: {report.size} entries, chain and Merkle root verified; "
        f"{result.checkpoints} checkpoint(s) signed by {verifier.name} verified; "
        f"{report.records_checked} entries match their governance records, and each of "
        f"{report.rows_checked} governance record(s) has its entries"
    )
    stdout.print(f"root {result.root.hex()}")


@ledger_app.command("checkpoint")
@handles_errors
def checkpoint_command(db: DatabaseOption = None) -> None:
    """Sign a checkpoint of the ledger as it stands now, and print it."""
    settings = settings_for(db)
    key = load_signing_key(settings.keys_dir, origin=settings.ledger_origin or None)
    database = open_database(settings.sqlalchemy_url)
    try:
        signed = ledger.checkpoint(database, key)
    finally:
        database.dispose()
    stdout.print(signed.note, end="")


@proof_app.command("inclusion")
@handles_errors
def inclusion_command(
    sequence: Annotated[int, typer.Argument(help="The entry's sequence number.")],
    checkpoint: Annotated[
        int | None,
        typer.Option("--checkpoint", help="The checkpoint's tree size (default: the newest)."),
    ] = None,
    db: DatabaseOption = None,
) -> None:
    """Print the proof that an entry is in a signed checkpoint (JSON, see docs/ledger.md)."""
    database = open_database(settings_for(db).sqlalchemy_url)
    try:
        proof = ledger.inclusion(database.unit_of_work(), sequence, checkpoint)
    finally:
        database.dispose()
    stdout.print(proof.to_json())


@proof_app.command("consistency")
@handles_errors
def consistency_command(
    older: Annotated[int, typer.Argument(help="The older checkpoint's tree size.")],
    newer: Annotated[int, typer.Argument(help="The newer checkpoint's tree size.")],
    db: DatabaseOption = None,
) -> None:
    """Print the proof that a newer checkpoint extends an older one (JSON)."""
    database = open_database(settings_for(db).sqlalchemy_url)
    try:
        proof = ledger.consistency(database.unit_of_work(), older, newer)
    finally:
        database.dispose()
    stdout.print(proof.to_json())


@ledger_app.command("show")
@handles_errors
def show_command(
    tail: Annotated[
        int, typer.Option("--tail", help="How many of the newest entries to show.")
    ] = 20,
    db: DatabaseOption = None,
) -> None:
    """Show the newest entries and the checkpoints."""
    database = open_database(settings_for(db).sqlalchemy_url)
    try:
        rows = ledger.entries(database.unit_of_work(), tail=tail)
        signed = ledger.checkpoints(database.unit_of_work())
        size = ledger.head_size(database.unit_of_work())
    finally:
        database.dispose()
    # One line per entry, whole words: an auditor greps these, a table would cut them.
    stdout.print("seq  time (UTC)           kind  actor  organisation  subject  outcome")
    for row in rows:
        entry = row.entry
        stdout.print(
            f"{entry.sequence}  {entry.time.strftime('%Y-%m-%d %H:%M:%S')}  {entry.kind.value}  "
            f"{entry.actor_staff}  {entry.actor_organisation}  {entry.subject or '-'}  "
            f"{entry.outcome.value}"
        )
    newest = f"; newest at size {signed[-1].size}" if signed else ""
    stdout.print(f"{size} entries; {len(signed)} checkpoint(s){newest}")
