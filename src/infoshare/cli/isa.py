"""``infoshare isa``: check Information Sharing Agreements, and keep the register of them.

``isa lint FILE`` needs no database: it reads the agreement, loads the pack it names (or
``--pack``), and prints every finding with its line, severity, rule, clause, field, message
and fix. It exits 1 when there are errors (the agreement could not be activated) and 0
otherwise; a file that is not an agreement exits 1 naming file, line and field.
``isa rules`` lists the rules, as docs/agreements.md does.

The register (Sections 1.1, 3.1, 4.4) lives in the database (``--db`` or
INFOSHARE_DATABASE_URL): ``isa import FILE`` stores an agreement, ``isa list`` shows the
register, ``isa export REFERENCE`` writes it back as YAML, and ``isa propose``, ``isa sign``,
``isa activate`` and ``isa amend`` move it through its life. Activation is refused, with
every reason, while the lint finds errors. ``isa review-due`` marks every active agreement
whose review date has come as due for review (Section 4.4), as the server does on a schedule.
``isa adopt CODE`` records a party's approval of the protocol (Procedure C1), which the
lint's rule on adoption reads, and ``isa confirm CODE PROCEDURE`` its lead member's
confirmation of a standard procedure (Procedure C3).
"""

from __future__ import annotations

import json
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from infoshare.cli.database_option import DatabaseOption, opened_database
from infoshare.cli.errors import handles_errors, stderr
from infoshare.domain.agreement_yaml import AgreementFile, parse_agreement
from infoshare.errors import AgreementNotReadyError, InputError, UnknownReferenceError
from infoshare.policy.isa_lint import RULES, Finding, LintContext, Severity, lint
from infoshare.protocol.loader import load_pack_reference
from infoshare.protocol.schema import ProtocolPack
from infoshare.services import adoption, agreements, what_if
from infoshare.services.access_log import CONSOLE
from infoshare.services.agreements import AgreementSummary

isa_app = typer.Typer(
    name="isa",
    help="Information Sharing Agreements: check them against the protocol; keep the register.",
    no_args_is_help=True,
)


class OutputFormat(StrEnum):
    TEXT = "text"
    JSON = "json"


class RulesFormat(StrEnum):
    TEXT = "text"
    MARKDOWN = "markdown"
    JSON = "json"


@isa_app.command("lint")
@handles_errors
def lint_command(
    file: Annotated[Path, typer.Argument(help="The agreement, a YAML file.")],
    pack: Annotated[
        str | None,
        typer.Option(help="Pack name or directory; default: the agreement's `protocol`."),
    ] = None,
    today: Annotated[
        str | None, typer.Option(help="Check as at this date (YYYY-MM-DD); default: today.")
    ] = None,
    adopted: Annotated[
        list[str] | None,
        typer.Option(
            help="CODE=YYYY-MM-DD: a party approved the protocol then (Procedure C1), "
            "beyond what the pack records. Repeat for each party."
        ),
    ] = None,
    confirmed: Annotated[
        list[str] | None,
        typer.Option(
            help="CODE=A1,A2,…: the standard procedures a party has confirmed it follows "
            "(Procedure C3). Once given for any party, unconfirmed procedures are reported."
        ),
    ] = None,
    output: Annotated[
        OutputFormat, typer.Option("--format", help="How to print the findings.")
    ] = OutputFormat.TEXT,
) -> None:
    """Check an agreement against its protocol; exit 1 if it has errors."""
    source = _read_agreement(file)
    context = LintContext(
        today=_parse_date(today, "--today") if today else date.today(),
        adopted_on=_parse_adoptions(adopted or []),
        confirmed_procedures=_parse_confirmations(confirmed) if confirmed else None,
    )
    protocol = _load_pack(pack, source)
    findings = lint(source.agreement, protocol, context)
    if output is OutputFormat.JSON:
        typer.echo(json.dumps(_as_json(source, protocol, context, findings), indent=2))
    else:
        _print_text(source, protocol, context, findings)
    if any(f.blocks_activation for f in findings):
        raise typer.Exit(1)


@isa_app.command("rules")
@handles_errors
def rules_command(
    output: Annotated[
        RulesFormat, typer.Option("--format", help="text, markdown (the docs' table) or json.")
    ] = RulesFormat.TEXT,
) -> None:
    """List every lint rule with its severity and the clause it applies."""
    if output is RulesFormat.JSON:
        rows = [
            {
                "rule_id": r.id.value,
                "rule": r.name,
                "severity": r.severity.value,
                "clause": r.clause,
                "checks": r.checks,
                "fix": r.fix,
            }
            for r in RULES
        ]
        typer.echo(json.dumps(rows, indent=2))
    elif output is RulesFormat.MARKDOWN:
        typer.echo("| id | rule | severity | clause | checks that | how to fix |")
        typer.echo("|---|---|---|---|---|---|")
        for r in RULES:
            typer.echo(
                f"| {r.id.value} | `{r.name}` | {r.severity} | {r.clause} | {r.checks} | {r.fix} |"
            )
    else:
        for r in RULES:
            typer.echo(f"{r.id.value}  {r.severity:<7}  {r.clause:<16}  {r.name}: {r.checks}")


def _read_agreement(file: Path) -> AgreementFile:
    if not file.is_file():
        raise InputError(f"`{file}` is not a file; give the path of an agreement's YAML file")
    try:
        text = file.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise InputError(
            f"`{file}` is not UTF-8 text (byte {error.start}); save it as UTF-8", field=str(file)
        ) from None
    return parse_agreement(text, str(file))


def _load_pack(reference: str | None, source: AgreementFile) -> ProtocolPack:
    if reference is not None:
        return load_pack_reference(reference)
    named = source.agreement.protocol
    try:
        return load_pack_reference(named)
    except UnknownReferenceError as error:
        line = source.line_of(("protocol",))
        raise UnknownReferenceError(
            f"the agreement's `protocol` is `{named}`, which is no pack here; correct it, or "
            "give `--pack NAME` (`infoshare pack list` shows the built-in packs)",
            field=f"{source.source}:{line}" if line else source.source,
        ) from error


def _parse_date(text: str, option: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InputError(
            f"`{text}` is not a date; write {option} as YYYY-MM-DD, e.g. `2003-04-01`",
            field=option,
        ) from None


def _parse_adoptions(values: list[str]) -> dict[str, date]:
    adoptions: dict[str, date] = {}
    for value in values:
        code, sep, when = value.partition("=")
        if not sep or not code.strip():
            raise InputError(
                f"`{value}` is not CODE=DATE; write --adopted like `LCC=2002-11-27`",
                field="--adopted",
            )
        adoptions[code.strip()] = _parse_date(when.strip(), "--adopted")
    return adoptions


def _parse_confirmations(values: list[str]) -> dict[str, frozenset[str]]:
    confirmed: dict[str, frozenset[str]] = {}
    for value in values:
        code, sep, procedures = value.partition("=")
        if not sep or not code.strip():
            raise InputError(
                f"`{value}` is not CODE=PROCEDURES; write --confirmed like `LCC=A1,A5,B1`",
                field="--confirmed",
            )
        ids = frozenset(p.strip() for p in procedures.split(",") if p.strip())
        confirmed[code.strip()] = confirmed.get(code.strip(), frozenset()) | ids
    return confirmed


def _location(source: AgreementFile, finding: Finding) -> str:
    line = source.line_of(finding.path)
    return f"{source.source}:{line}" if line is not None else source.source


def _print_text(
    source: AgreementFile, pack: ProtocolPack, context: LintContext, findings: list[Finding]
) -> None:
    for f in findings:
        typer.echo(
            f"{_location(source, f)}: {f.severity} {f.rule_id} {f.rule} ({f.clause}) "
            f"{f.field}: {f.message}"
        )
        typer.echo(f"    fix: {f.fix}")
    errors = sum(f.severity is Severity.ERROR for f in findings)
    warnings = len(findings) - errors
    verdict = "cannot be activated" if errors else "may be activated"
    agreement = source.agreement
    typer.echo(
        f"{agreement.reference} v{agreement.version} against {pack.id} as at {context.today}: "
        f"{errors} {'error' if errors == 1 else 'errors'}, "
        f"{warnings} {'warning' if warnings == 1 else 'warnings'}; the agreement {verdict}"
    )


def _as_json(
    source: AgreementFile, pack: ProtocolPack, context: LintContext, findings: list[Finding]
) -> dict[str, object]:
    errors = sum(f.severity is Severity.ERROR for f in findings)
    return {
        "file": source.source,
        "reference": source.agreement.reference,
        "version": source.agreement.version,
        "pack": pack.id,
        "today": context.today.isoformat(),
        "errors": errors,
        "warnings": len(findings) - errors,
        "findings": [{**f.as_dict(), "line": source.line_of(f.path)} for f in findings],
    }


# ---------------------------------------------------------------------------- the register

VersionOption = Annotated[
    int | None, typer.Option("--version", help="Which version; default: the latest.")
]
TodayOption = Annotated[
    str | None, typer.Option(help="As at this date (YYYY-MM-DD); default: today.")
]


def _summary_line(summary: AgreementSummary) -> str:
    parties = ", ".join(p.organisation for p in summary.parties)
    due = "  review due" if summary.review_due else ""
    return (
        f"{summary.reference} v{summary.version}  {summary.status:<10}  {summary.title} "
        f"({parties}); review {summary.review_date}{due}"
    )


@isa_app.command("import")
@handles_errors
def import_command(
    file: Annotated[Path, typer.Argument(help="The agreement, a YAML file.")],
    db: DatabaseOption = None,
) -> None:
    """Store an agreement in the register (as a draft or proposed; nothing on error)."""
    _read_agreement(file)  # a bad file is reported before the database is opened
    text = file.read_text(encoding="utf-8")
    with opened_database(db) as database:
        summary = agreements.import_agreement(
            database.unit_of_work(), text, str(file), requester=CONSOLE
        )
    typer.echo(f"imported {_summary_line(summary)}")


@isa_app.command("export")
@handles_errors
def export_command(
    reference: Annotated[str, typer.Argument(help="The agreement's reference.")],
    version: VersionOption = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write to this file, not stdout.")
    ] = None,
    db: DatabaseOption = None,
) -> None:
    """Write a stored agreement as YAML (what `isa import` and `isa lint` read)."""
    with opened_database(db) as database:
        text = agreements.export_agreement(database.unit_of_work(), reference, version)
    if output is None:
        typer.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")
        typer.echo(f"wrote {output}")


@isa_app.command("list")
@handles_errors
def list_command(
    party: Annotated[str | None, typer.Option(help="Only agreements this party is in.")] = None,
    status: Annotated[str | None, typer.Option(help="Only agreements with this status.")] = None,
    review_due: Annotated[
        bool, typer.Option("--review-due", help="Only agreements due for review (Section 4.4).")
    ] = False,
    all_versions: Annotated[
        bool, typer.Option("--all-versions", help="Every version, not just the latest.")
    ] = False,
    today: TodayOption = None,
    output: Annotated[
        OutputFormat, typer.Option("--format", help="How to print the register.")
    ] = OutputFormat.TEXT,
    db: DatabaseOption = None,
) -> None:
    """The register of agreements, by reference."""
    on = _parse_date(today, "--today") if today else None
    with opened_database(db) as database:
        found = agreements.list_agreements(
            database.unit_of_work(),
            party=party,
            status=status,
            review_due=True if review_due else None,
            all_versions=all_versions,
            today=on,
        )
    if output is OutputFormat.JSON:
        typer.echo(json.dumps([s.model_dump(mode="json") for s in found], indent=2))
        return
    for summary in found:
        typer.echo(_summary_line(summary))
    typer.echo(f"{len(found)} {'agreement' if len(found) == 1 else 'agreements'}")


@isa_app.command("propose")
@handles_errors
def propose_command(
    reference: Annotated[str, typer.Argument(help="The agreement's reference.")],
    version: VersionOption = None,
    db: DatabaseOption = None,
) -> None:
    """Send a draft to the parties for signature."""
    with opened_database(db) as database:
        summary = agreements.propose(database.unit_of_work(), reference, version, requester=CONSOLE)
    typer.echo(f"proposed {_summary_line(summary)}")


@isa_app.command("sign")
@handles_errors
def sign_command(
    reference: Annotated[str, typer.Argument(help="The agreement's reference.")],
    organisation: Annotated[str, typer.Option(help="The party signing, by code.")],
    name: Annotated[str, typer.Option(help="Who signs.")],
    post: Annotated[str, typer.Option(help="Their post, e.g. `Caldicott Guardian`.")],
    on: Annotated[str | None, typer.Option(help="Signed on (YYYY-MM-DD); default: today.")] = None,
    version: VersionOption = None,
    db: DatabaseOption = None,
) -> None:
    """Record a party's signature; the agreement is signed once every party has signed."""
    signed_on = _parse_date(on, "--on") if on else date.today()
    with opened_database(db) as database:
        summary = agreements.sign(
            database.unit_of_work(),
            reference,
            organisation=organisation,
            name=name,
            post=post,
            signed_on=signed_on,
            version=version,
            requester=CONSOLE,
        )
    typer.echo(f"signed for {organisation}: {_summary_line(summary)}")


@isa_app.command("activate")
@handles_errors
def activate_command(
    reference: Annotated[str, typer.Argument(help="The agreement's reference.")],
    version: VersionOption = None,
    today: TodayOption = None,
    db: DatabaseOption = None,
) -> None:
    """Put a signed agreement in force; refused, with every reason, while the lint finds errors."""
    on = _parse_date(today, "--today") if today else None
    with opened_database(db) as database:
        try:
            summary = agreements.activate(
                database.unit_of_work(), reference, version, today=on, requester=CONSOLE
            )
        except AgreementNotReadyError as error:
            for reason in error.reasons:
                stderr.print(f"  {reason}", markup=False)
            raise
    typer.echo(f"activated {_summary_line(summary)}")


@isa_app.command("amend")
@handles_errors
def amend_command(
    reference: Annotated[str, typer.Argument(help="The agreement's reference.")],
    summary: Annotated[str, typer.Option(help="What the amendment changes, in a sentence.")],
    dated: Annotated[
        str | None, typer.Option(help="The amendment's date (YYYY-MM-DD); default: today.")
    ] = None,
    db: DatabaseOption = None,
) -> None:
    """Start the next version as an unsigned draft; export it, edit it, import it again."""
    on = _parse_date(dated, "--dated") if dated else date.today()
    with opened_database(db) as database:
        draft = agreements.amend(
            database.unit_of_work(), reference, dated=on, summary=summary, requester=CONSOLE
        )
    typer.echo(f"amended {_summary_line(draft)}")


@isa_app.command("show")
@handles_errors
def show_command(
    reference: Annotated[str, typer.Argument(help="The agreement's reference.")],
    version: VersionOption = None,
    today: TodayOption = None,
    output: Annotated[
        OutputFormat, typer.Option("--format", help="How to print it.")
    ] = OutputFormat.TEXT,
    db: DatabaseOption = None,
) -> None:
    """A stored version: its parties, its lint findings as at today, and its history."""
    on = _parse_date(today, "--today") if today else None
    with opened_database(db) as database:
        detail = agreements.get_agreement(database.unit_of_work(), reference, version, today=on)
    if output is OutputFormat.JSON:
        typer.echo(detail.model_dump_json(indent=2))
        return
    typer.echo(_summary_line(detail.summary))
    for f in detail.findings:
        typer.echo(f"  {f.severity} {f.rule_id} {f.rule} ({f.clause}) {f.field}: {f.message}")
        typer.echo(f"      fix: {f.fix}")
    for h in detail.history:
        typer.echo(f"  {h.at:%Y-%m-%d %H:%M}  {h.action:<16} -> {h.to_status:<10} {h.note or ''}")
    typer.echo(
        f"as at {detail.as_at}: {detail.errors} error(s), {detail.warnings} warning(s); "
        f"versions {', '.join(str(v) for v in detail.versions)}"
    )


@isa_app.command("review")
@handles_errors
def review_command(
    reference: Annotated[str, typer.Argument(help="The agreement's reference.")],
    reviewed_on: Annotated[str, typer.Option(help="When it was reviewed (YYYY-MM-DD).")],
    next_review: Annotated[str, typer.Option(help="When it is next reviewed (YYYY-MM-DD).")],
    db: DatabaseOption = None,
) -> None:
    """Record a review that changed nothing, and the next review date (Section 4.4)."""
    with opened_database(db) as database:
        summary = agreements.record_review(
            database.unit_of_work(),
            reference,
            reviewed_on=_parse_date(reviewed_on, "--reviewed-on"),
            next_review=_parse_date(next_review, "--next-review"),
            requester=CONSOLE,
        )
    typer.echo(f"reviewed {_summary_line(summary)}")


@isa_app.command("review-due")
@handles_errors
def review_due_command(
    today: TodayOption = None,
    output: Annotated[
        OutputFormat, typer.Option("--format", help="How to print what moved.")
    ] = OutputFormat.TEXT,
    db: DatabaseOption = None,
) -> None:
    """Mark every active agreement whose review date has come as review-due (Section 4.4).

    What the server does on its schedule, for cron; running it again changes nothing.
    """
    on = _parse_date(today, "--today") if today else None
    with opened_database(db) as database:
        moved = agreements.mark_reviews_due(database.unit_of_work(), today=on)
    if output is OutputFormat.JSON:
        typer.echo(json.dumps([s.model_dump(mode="json") for s in moved], indent=2))
        return
    for summary in moved:
        typer.echo(f"due for review: {_summary_line(summary)}")
    typer.echo(
        f"{len(moved)} {'agreement' if len(moved) == 1 else 'agreements'} now due for review"
    )


@isa_app.command("expire")
@handles_errors
def expire_command(
    reference: Annotated[str, typer.Argument(help="The agreement's reference.")],
    today: TodayOption = None,
    db: DatabaseOption = None,
) -> None:
    """End the version in force once its end date has passed."""
    on = _parse_date(today, "--today") if today else None
    with opened_database(db) as database:
        summary = agreements.expire(database.unit_of_work(), reference, today=on, requester=CONSOLE)
    typer.echo(f"expired {_summary_line(summary)}")


@isa_app.command("terminate")
@handles_errors
def terminate_command(
    reference: Annotated[str, typer.Argument(help="The agreement's reference.")],
    reason: Annotated[str, typer.Option(help="Why it ends early; kept in its history.")],
    version: VersionOption = None,
    db: DatabaseOption = None,
) -> None:
    """End a version early, or abandon one never in force."""
    with opened_database(db) as database:
        summary = agreements.terminate(
            database.unit_of_work(), reference, version, reason=reason, requester=CONSOLE
        )
    typer.echo(f"terminated {_summary_line(summary)}")


# ---------------------------------------------------------------------------- adoption (C1, C3)


@isa_app.command("adopt")
@handles_errors
def adopt_command(
    code: Annotated[str, typer.Argument(help="The party that approved the protocol, by code.")],
    on: Annotated[str, typer.Option(help="Approved on (YYYY-MM-DD).")],
    body: Annotated[str, typer.Option(help="The board, or the body it delegated to.")],
    minute: Annotated[str | None, typer.Option(help="The minute reference.")] = None,
    db: DatabaseOption = None,
) -> None:
    """Record a party's approval of the protocol (Procedure C1); a different one is refused."""
    approved_on = _parse_date(on, "--on")
    with opened_database(db) as database:
        view = adoption.record_adoption(
            database.unit_of_work(),
            code,
            approved_on=approved_on,
            approving_body=body,
            minute_reference=minute,
            requester=CONSOLE,
        )
    minute_text = f", minute {minute}" if minute else ""
    typer.echo(
        f"{view.code} ({view.name}) approved the protocol on {approved_on} by {body.strip()}"
        f"{minute_text}"
    )


@isa_app.command("confirm")
@handles_errors
def confirm_command(
    code: Annotated[str, typer.Argument(help="The party, by code.")],
    procedure: Annotated[str, typer.Argument(help="A standard procedure, e.g. `A5`.")],
    by: Annotated[str, typer.Option(help="The email of the party's lead member.")],
    on: Annotated[str, typer.Option(help="Confirmed on (YYYY-MM-DD).")],
    evidence: Annotated[str, typer.Option(help="What shows the procedure is in place.")],
    db: DatabaseOption = None,
) -> None:
    """Record a lead member's confirmation that a standard procedure is in place (C3)."""
    confirmed_on = _parse_date(on, "--on")
    with opened_database(db) as database:
        confirmation = adoption.confirm_procedure(
            database.unit_of_work(),
            organisation=code,
            procedure=procedure,
            confirmed_by=by,
            confirmed_on=confirmed_on,
            evidence=evidence,
            requester=CONSOLE,
        )
    typer.echo(
        f"{confirmation.organisation}: Procedure {confirmation.procedure} confirmed by "
        f"{confirmation.confirmed_by} on {confirmation.confirmed_on}"
    )


# ---------------------------------------------------------------------------- what if


@isa_app.command("what-if")
@handles_errors
def what_if_command(
    reference: Annotated[str, typer.Argument(help="The agreement's reference.")],
    version: Annotated[int, typer.Option(help="The version not yet in force to try.", min=1)],
    days: Annotated[
        int, typer.Option(help="How many days of stored requests to replay.", min=1, max=366)
    ] = what_if.DEFAULT_DAYS,
    output: Annotated[
        OutputFormat, typer.Option("--format", help="How to print the changes.")
    ] = OutputFormat.TEXT,
    db: DatabaseOption = None,
) -> None:
    """Replay the last days' stored requests that named the agreement through a version not
    yet in force; print the decisions that would change (see docs/agreements.md)."""
    with opened_database(db) as database:
        result = what_if.what_if(database, reference, version, days=days, requester=CONSOLE)
    if output is OutputFormat.JSON:
        typer.echo(result.model_dump_json(indent=2))
        return
    typer.echo(
        f"{reference} v{version} ({result.status}): {result.replayed} requests of the last "
        f"{days} days replayed, {len(result.changes)} would change, {result.unchanged} would not"
    )
    for change in result.changes:
        moves = "; ".join(f"{m.category} {m.before} -> {m.after}" for m in change.categories)
        typer.echo(
            f"  {change.at:%Y-%m-%d %H:%M} {change.source} {change.source_id}: "
            f"{change.provider} -> {change.recipient} for {change.purpose}: "
            f"{change.before_outcome} -> {change.after_outcome}" + (f" ({moves})" if moves else "")
        )
    for limit in result.limits:
        typer.echo(f"not seen: {limit}")
