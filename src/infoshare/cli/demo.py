"""``infoshare demo``: a database full of synthetic partners' staff and service users.

Initialises the database with the pack if needed (the seed's own adoption state: seven of
ten parties approved on 1 October 2002), then adds seeded synthetic data and prints the
people to try the system as.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)

from infoshare.cli.account import print_demo_accounts
from infoshare.cli.database_option import DatabaseOption, settings_for
from infoshare.cli.errors import handles_errors
from infoshare.cli.init import print_keys, print_setup
from infoshare.services.demo import DEFAULT_SEED, DemoReport, demo_size, run_demo
from infoshare.services.keys import origin_for

stdout = Console(highlight=False, soft_wrap=True)


class SizeChoice(StrEnum):
    SMALL = "small"
    LEEDS = "leeds"


@contextmanager
def progress_bars() -> Iterator[Progress]:
    columns = (
        TextColumn("{task.description:>18}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=stdout, transient=False) as progress:
        yield progress


@handles_errors
def demo_command(
    size: Annotated[SizeChoice, typer.Option(help="How much data to make.")] = SizeChoice.SMALL,
    seed: Annotated[int, typer.Option(help="Seed: the same seed gives the same people.")] = (
        DEFAULT_SEED
    ),
    db: DatabaseOption = None,
) -> None:
    """Set up the database (if needed) and fill it with synthetic demo data."""
    settings = settings_for(db)
    url = settings.sqlalchemy_url
    with progress_bars() as progress:
        tasks: dict[str, TaskID] = {}

        def advance(step: str, done: int, total: int) -> None:
            if step not in tasks:
                tasks[step] = progress.add_task(step, total=total)
            progress.update(tasks[step], completed=done)

        setup, report = run_demo(
            url, settings.pack, demo_size(size.value), seed=seed, progress=advance
        )
    print_setup(url, setup)
    # The demo's consents, approvals and agreements are already in the ledger: make the
    # signing key (as `infoshare init` does) and sign a checkpoint over them.
    print_keys(url, settings.keys_dir, origin_for(setup.pack_id, settings.ledger_origin or None))
    print_demo(report)
    print_demo_accounts(url, settings.environment)


def print_demo(report: DemoReport) -> None:
    if report.created:
        stdout.print(f"demo      {report.size} data made from seed {report.seed}")
    else:
        stdout.print(
            f"demo      already present ({report.size}, seed {report.seed}); nothing added. "
            "Use a new database for other demo data"
        )
    stdout.print(
        f"          {report.staff:,} staff, {report.service_users:,} service users, "
        f"{report.local_identifiers:,} local identifiers; all synthetic"
    )
    stdout.print("people to try infoshare as:")
    for person in report.sample_staff:
        trained = person.training_completed_on
        training = f"trained {trained.isoformat()}" if trained else "not yet trained"
        stdout.print(
            f"  {person.name} <{person.email}>, {person.job_title}, {person.organisation_code}: "
            f"{', '.join(person.roles)}; {training}"
        )
