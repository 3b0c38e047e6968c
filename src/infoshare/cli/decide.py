"""``infoshare decide FILE.json [--db URL]``: one disclosure decision, with every reason.

Without ``--db``, the file is self-contained: it names the protocol pack, the agreements
(files, built-in examples, or inline), the staff, the subject's facts and the request
(docs/decisions.md). Nothing is read from or written to a database: the decision is the pure
``decide()`` of ``infoshare.policy``.

With ``--db`` (or INFOSHARE_DATABASE_URL through ``--db``'s usual rules), the file is the
request as ``POST /api/v1/decisions`` takes it (plus an optional ``at``), decided against the
stored policy and the person's stored facts, and recorded as asked, as the API records it
(``services/console_decisions.py``, Procedure A7).

Either way it prints the outcome, what may be shared, what is withheld and why, the basis,
the conditions and every reason with its clause; ``--format json`` prints the same as JSON.
Exit 0 for any decision, deny included; exit 1 when the file is not valid, naming the file
and the field (with ``--db``, also for unknown staff, service user or purpose).
"""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from pydantic import ValidationError

from infoshare.agreements import EXAMPLES_DIR
from infoshare.cli.database_option import DatabaseOption, opened_database, settings_for
from infoshare.cli.errors import handles_errors
from infoshare.domain.agreement import InformationSharingAgreement
from infoshare.domain.agreement_yaml import parse_agreement
from infoshare.errors import InputError
from infoshare.policy.decide import decide
from infoshare.policy.decision import Decision
from infoshare.policy.decision_document import (
    build_facts,
    build_policy,
    build_request,
    decision_as_json,
    read_document,
)
from infoshare.policy.rules.request_shape import validate_request
from infoshare.protocol.loader import load_pack_reference
from infoshare.services.console_decisions import ask_from_console, draft_of


class OutputFormat(StrEnum):
    TEXT = "text"
    JSON = "json"


@handles_errors
def decide_command(
    file: Annotated[Path, typer.Argument(help="The decision document, a JSON file.")],
    output: Annotated[
        OutputFormat, typer.Option("--format", help="How to print the decision.")
    ] = OutputFormat.TEXT,
    db: DatabaseOption = None,
) -> None:
    """Decide one request to share information, with every reason and its clause.

    With --db, FILE is a request as POST /api/v1/decisions takes it, decided against the
    database's policy and the person's stored facts, and recorded as asked.
    """
    if db is None:
        decision = decide_file(file)
        recorded: dict[str, Any] | None = None
    else:
        decision, recorded = decide_stored(file, db)
    if output is OutputFormat.JSON:
        shown = decision_as_json(decision)
        if recorded is not None:
            shown["recorded"] = recorded
        typer.echo(json.dumps(shown, indent=2))
    else:
        typer.echo(render(decision))
        if recorded is not None:
            typer.echo(
                f"recorded: asked as decision request {recorded['decision_request_id']}, "
                f"ledger entry {recorded['ledger_sequence']}"
            )


def _read_json(file: Path) -> Any:
    try:
        return json.loads(file.read_text(encoding="utf-8"))
    except OSError as error:
        raise InputError(
            f"cannot read `{file}` ({error.strerror}); check the path", field="file"
        ) from None
    except json.JSONDecodeError as error:
        raise InputError(
            f"`{file}` is not JSON (line {error.lineno}: {error.msg}); fix the file",
            field="file",
        ) from None


def decide_stored(file: Path, db: str) -> tuple[Decision, dict[str, Any]]:
    """The decision on the request at ``file`` against the database ``db``, recorded as
    asked; InputError naming the file and the field when the request cannot be asked."""
    data = _read_json(file)
    try:
        if not isinstance(data, dict):
            raise InputError(
                "the file must hold one JSON object: the request, as POST /api/v1/decisions "
                "takes it",
                field="request",
            )
        draft, at = draft_of(data)
        settings = settings_for(db)
        with opened_database(db) as database:
            done = ask_from_console(
                database, draft, at=at, review_hours=settings.emergency_review_hours
            )
    except InputError as error:
        raise InputError(f"`{file}`: {error.message}", field=error.field) from None
    return done.decision, {
        "subject_id": done.subject_id,
        "decision_request_id": None
        if done.decision_request_id is None
        else str(done.decision_request_id),
        "ledger_sequence": done.ledger_sequence,
    }


def decide_file(file: Path) -> Decision:
    """The decision the document at ``file`` asks for; InputError when it is malformed."""
    data = _read_json(file)
    document = read_document(data)
    pack = load_pack_reference(document.pack)
    agreements = [
        resolve_agreement(item, file.parent, index)
        for index, item in enumerate(document.agreements)
    ]
    policy = build_policy(document, pack, agreements)
    facts = build_facts(document.facts)
    request = build_request(document.request)
    validate_request(request, facts)
    return decide(request, policy, facts)


def resolve_agreement(
    item: str | dict[str, Any], base: Path, index: int
) -> InformationSharingAgreement:
    """An agreement named by ``item``: ``example:NAME``, a YAML file, or the agreement inline."""
    where = f"agreements[{index}]"
    if isinstance(item, dict):
        try:
            return InformationSharingAgreement.model_validate(item)
        except ValidationError as error:
            first = error.errors()[0]
            inside = ".".join(str(p) for p in first["loc"])
            raise InputError(
                f"{where}.{inside}: {first['msg'].lower()}; see docs/agreements.md",
                field=f"{where}.{inside}",
            ) from None
    if item.startswith("example:"):
        path = EXAMPLES_DIR / f"{item.removeprefix('example:')}.yaml"
    else:
        path = base / item
    if not path.is_file():
        raise InputError(
            f"{where}: no agreement file `{item}`; give a path relative to the document or "
            "`example:NAME`",
            field=where,
        )
    return parse_agreement(path.read_text(encoding="utf-8"), str(path)).agreement


def render(decision: Decision) -> str:
    """The decision as a practitioner reads it."""
    lines = [f"decision: {decision.outcome.value}"]
    if decision.isa_reference:
        lines[0] += f" (under {decision.isa_reference})"
    if decision.permitted:
        lines.append(f"may share: {', '.join(decision.permitted)}")
    if decision.referred:
        lines.append(f"on approval, would share: {', '.join(decision.referred)}")
    basis = decision.basis
    described = basis.kind.value
    if basis.consent_ids:
        described += f"; consent {', '.join(basis.consent_ids)}"
    if basis.legal_grounds:
        described += f"; grounds {', '.join(basis.legal_grounds)}"
    if basis.approval_required:
        described += (
            f"; approved by {basis.approved_by}" if basis.approved_by else "; approval required"
        )
    lines.append(f"basis: {described}")
    if decision.withheld:
        lines.append("withheld:")
        for item in decision.withheld:
            lines.append(f"  {item.category}")
            lines.extend(f"    - {r.code} ({r.clause}): {r.message}" for r in item.reasons)
    if decision.conditions:
        lines.append("conditions:")
        for condition in decision.conditions:
            due = f" (due {condition.due_at.isoformat()})" if condition.due_at else ""
            lines.append(f"  - {condition.kind} ({condition.clause}): {condition.text}{due}")
    lines.append("reasons:")
    lines.extend(f"  - {r.code} ({r.clause}): {r.message}" for r in decision.reasons)
    return "\n".join(lines)
