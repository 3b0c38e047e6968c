"""``infoshare isa``: check Information Sharing Agreements against a protocol pack.

``isa lint FILE`` needs no database: it reads the agreement, loads the pack it names (or
``--pack``), and prints every finding with its line, severity, rule, clause, field, message
and fix. It exits 1 when there are errors (the agreement could not be activated) and 0
otherwise; a file that is not an agreement exits 1 naming file, line and field.
``isa rules`` lists the rules, as docs/agreements.md does.
"""

from __future__ import annotations

import json
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from infoshare.cli.errors import handles_errors
from infoshare.domain.agreement_yaml import AgreementFile, parse_agreement
from infoshare.errors import InputError, UnknownReferenceError
from infoshare.policy.isa_lint import RULES, Finding, LintContext, Severity, lint
from infoshare.protocol.loader import load_pack_reference
from infoshare.protocol.schema import ProtocolPack

isa_app = typer.Typer(
    name="isa",
    help="Information Sharing Agreements: check them against the protocol.",
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
