"""``infoshare pack``: list, validate and show protocol packs.

A pack author runs ``validate`` until it prints no problem; anyone can ``show`` a pack to
read the protocol it encodes: parties and their adoption (Section 1.2, Procedure C1),
purposes (Section 2.1), principles (Section 2.3), procedures (Section 3.2), legal grounds
(Section 2.2), data categories, transfer methods (Procedures B2–B5), review (Section 4.4)
and suppression (Procedure B8).
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from infoshare.cli.errors import EXIT_INPUT, handles_errors
from infoshare.errors import PackError
from infoshare.protocol.loader import (
    builtin_pack_names,
    builtin_pack_path,
    load_builtin_pack,
    load_pack,
    load_pack_reference,
)
from infoshare.protocol.schema import Membership, ProtocolPack

pack_app = typer.Typer(
    help="List, validate and show protocol packs.",
    no_args_is_help=True,
)

stdout = Console(highlight=False, soft_wrap=False)
stderr = Console(stderr=True, highlight=False, soft_wrap=True)


@pack_app.callback()
def _measure_terminal() -> None:
    """Measure the terminal for each command, not once at import (tables fit the window)."""
    global stdout
    stdout = Console(highlight=False, soft_wrap=False)


class Part(StrEnum):
    """The parts of a pack ``show`` can render on their own."""

    ORGANISATIONS = "organisations"
    PURPOSES = "purposes"
    PRINCIPLES = "principles"
    PROCEDURES = "procedures"
    ROLES = "roles"
    LEGAL_GROUNDS = "legal-grounds"
    DATA_CATEGORIES = "data-categories"
    TRANSFER_METHODS = "transfer-methods"
    REVIEW = "review"
    ASSUMPTIONS = "assumptions"


@pack_app.command("list")
@handles_errors
def list_packs() -> None:
    """List the protocol packs shipped with infoshare."""
    table = Table(title="Built-in protocol packs")
    for column in ("name", "version", "as of", "jurisdiction", "title"):
        table.add_column(column)
    for name in builtin_pack_names():
        info = load_builtin_pack(name).pack
        table.add_row(name, info.version, info.as_of.isoformat(), info.jurisdiction, info.title)
    stdout.print(table)


@pack_app.command("validate")
@handles_errors
def validate(
    path: Annotated[str, typer.Argument(help="a pack directory, or a built-in pack's name")],
) -> None:
    """Check a pack; print every problem as `file:line: location: reason`, or a summary."""
    directory = builtin_pack_path(path) if path in builtin_pack_names() else Path(path)
    try:
        pack = load_pack(directory)
    except PackError as error:
        for problem in error.problems:
            where = directory / problem.file if directory.is_dir() else Path(problem.file)
            line = f":{problem.line}" if problem.line is not None else ""
            stderr.print(f"{where}{line}: {problem.location}: {problem.reason}", markup=False)
        noun = "problem" if len(error.problems) == 1 else "problems"
        stderr.print(f"{len(error.problems)} {noun} found in {directory}; the pack is not valid")
        raise typer.Exit(EXIT_INPUT) from None
    stdout.print(_summary(pack), markup=False, soft_wrap=True)


@pack_app.command("show")
@handles_errors
def show(
    pack_ref: Annotated[
        str, typer.Argument(metavar="NAME|PATH", help="a built-in pack's name or a directory")
    ],
    only: Annotated[
        list[Part] | None,
        typer.Option("--only", help="show only this part; repeat for several"),
    ] = None,
) -> None:
    """Render a protocol pack for reading."""
    pack = load_pack_reference(pack_ref)
    parts = set(only) if only else set(Part)
    info = pack.pack
    stdout.print(f"[bold]{info.title}[/bold]")
    stdout.print(
        f"{info.id} {info.version} · {info.jurisdiction} · as of {info.as_of.isoformat()}",
        markup=False,
    )
    stdout.print(f"[dim]{info.disclaimer}[/dim]")
    renderers = {
        Part.ORGANISATIONS: _organisations,
        Part.PURPOSES: _purposes,
        Part.PRINCIPLES: _principles,
        Part.PROCEDURES: _procedures,
        Part.ROLES: _roles,
        Part.LEGAL_GROUNDS: _legal_grounds,
        Part.DATA_CATEGORIES: _data_categories,
        Part.TRANSFER_METHODS: _transfer_methods,
        Part.REVIEW: _review,
        Part.ASSUMPTIONS: _assumptions,
    }
    for part, render in renderers.items():
        if part in parts:
            stdout.print()
            render(pack)


def _summary(pack: ProtocolPack) -> str:
    parties = sum(1 for o in pack.organisations if o.membership is Membership.PARTY)
    adopted = sum(1 for o in pack.organisations if o.adoption is not None)
    return (
        f"{pack.id} {pack.pack.version} is valid: {len(pack.organisations)} organisations "
        f"({parties} parties, {adopted} adopted), {len(pack.purposes)} purposes, "
        f"{len(pack.principles)} principles, {len(pack.procedures)} procedures, "
        f"{len(pack.roles)} roles, {len(pack.legal_grounds)} legal grounds, "
        f"{len(pack.data_categories)} data categories, "
        f"{len(pack.transfer_methods)} transfer methods"
    )


def _yes_no(value: bool) -> str:
    return "yes" if value else "no"


def _organisations(pack: ProtocolPack) -> None:
    parties = [o for o in pack.organisations if o.membership is Membership.PARTY]
    adopted = sum(1 for o in parties if o.adoption is not None)
    table = Table(
        title=f"Organisations (Section 1.2): {adopted} of {len(parties)} parties have adopted"
    )
    for column in ("code", "name", "type", "membership", "adoption (Procedure C1)"):
        table.add_column(column)
    for org in pack.organisations:
        if org.adoption is not None:
            adoption = (
                f"approved {org.adoption.approved_on.isoformat()} by {org.adoption.approving_body}"
            )
        elif org.membership is Membership.PARTY:
            adoption = "awaited"
        else:
            adoption = "not a party"
        name = org.name + "".join(f"\n  · {d}" for d in org.departments)
        table.add_row(org.code, name, org.type.value, org.membership.value, adoption)
    stdout.print(table)


def _purposes(pack: ProtocolPack) -> None:
    table = Table(title="Purposes (Section 2.1)")
    for column in ("id", "purpose", "identifiable data?"):
        table.add_column(column)
    for purpose in pack.purposes:
        table.add_row(purpose.id, purpose.title, _yes_no(purpose.needs_identifiable_data))
    stdout.print(table)


def _principles(pack: ProtocolPack) -> None:
    table = Table(title="Principles (Section 2.3)")
    table.add_column("principle", no_wrap=True)
    table.add_column("title")
    table.add_column("summary")
    for principle in pack.principles:
        table.add_row(principle.citation, principle.title, principle.summary)
    stdout.print(table)


def _procedures(pack: ProtocolPack) -> None:
    table = Table(title="Procedures (Section 3.2)")
    for column in ("id", "section", "title"):
        table.add_column(column)
    for procedure in pack.procedures:
        table.add_row(procedure.id, procedure.section, procedure.title)
    stdout.print(table)


def _roles(pack: ProtocolPack) -> None:
    table = Table(title="Roles (Section 4.1, Procedure A6)")
    for column in ("id", "title", "scope", "approves sharing without consent?", "clauses"):
        table.add_column(column)
    for role in pack.roles:
        table.add_row(
            role.id,
            role.title,
            role.scope.value,
            _yes_no(role.may_approve_disclosure_without_consent),
            ", ".join(role.clauses),
        )
    stdout.print(table)


def _legal_grounds(pack: ProtocolPack) -> None:
    table = Table(title="Legal grounds (Section 2.2)")
    for column in ("citation", "title", "effect", "without consent?", "sensitive?", "purposes"):
        table.add_column(column)
    for ground in pack.legal_grounds:
        table.add_row(
            ground.citation,
            ground.title,
            ground.effect,
            _yes_no(ground.permits_sharing_without_consent),
            _yes_no(ground.covers_sensitive_data),
            ", ".join(ground.purposes) or "any",
        )
    stdout.print(table)


def _data_categories(pack: ProtocolPack) -> None:
    table = Table(title="Data categories")
    for column in ("id", "title", "sensitive", "identifying?", "statutory restriction"):
        table.add_column(column)
    for category in pack.data_categories:
        sensitive = f"yes ({category.sensitive_under})" if category.sensitive else "no"
        table.add_row(
            category.id,
            category.title,
            sensitive,
            _yes_no(category.identifying),
            category.statutory_restriction or "",
        )
    stdout.print(table)


def _transfer_methods(pack: ProtocolPack) -> None:
    table = Table(title="Transfer methods (Procedures B2–B5)")
    for column in ("method", "procedure", "safeguards"):
        table.add_column(column)
    for method in pack.transfer_methods:
        safeguards = "\n".join(f"• {s.text}" for s in method.safeguards)
        table.add_row(method.title, f"Procedure {method.procedure}", safeguards)
    stdout.print(table)


def _review(pack: ProtocolPack) -> None:
    review = pack.review
    low, high = review.first_review_after_months
    stdout.print("[bold]Review (Section 4.4)[/bold]")
    stdout.print(
        f"monitoring for the first {review.initial_monitoring_months} months; first review "
        f"{low}–{high} months after implementation, then every {review.then_every_months} "
        f"months; feedback requested {review.feedback_requested_days_before} days before; "
        f"each ISA reviewed at least every {review.isa_review_max_months} months",
        markup=False,
    )
    rule = pack.suppression
    stdout.print(f"[bold]Suppression (Procedure {rule.procedure})[/bold]")
    rounding = (
        f"others rounded to the nearest {rule.round_to}"
        if rule.round_to > 1
        else "others shown as they are"
    )
    secondary = "with" if rule.secondary_suppression else "without"
    stdout.print(
        f"counts from 1 to {rule.suppress_below - 1} suppressed; {rounding}; {secondary} "
        f"secondary suppression. Source: {rule.source}",
        markup=False,
    )


def _assumptions(pack: ProtocolPack) -> None:
    if not pack.pack.assumptions:
        return
    stdout.print("[bold]What this pack assumes[/bold]")
    for assumption in pack.pack.assumptions:
        stdout.print(f"• {assumption}", markup=False)
