"""``infoshare consent``: bulk loads of consent records, and a service user's consents out.

``consent import FILE`` reads a CSV file (the header is ``CSV_COLUMNS``; lists are separated
by ``;``; one exclusion per row) or a FHIR R4 Bundle (or single Consent) as JSON, checks
every row by the same rules as the API and the web form, and stores all of them in one
transaction, or none: any rejected row is reported by row (or FHIR path) and field, and the
command exits 1 with nothing stored. ``consent export`` prints a person's consents as FHIR
or as our JSON. Procedure A3 (recording consent), Principle 5.
"""

from __future__ import annotations

import csv
import json
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from infoshare.cli.database_option import DatabaseOption, opened_database
from infoshare.cli.errors import handles_errors, stderr
from infoshare.errors import InputError
from infoshare.services.consent import (
    ConsentDraft,
    ImportRow,
    RowRejection,
    consent_history,
    import_consents,
)
from infoshare.services.fhir_consent import fhir_consents_of, read_fhir

stdout = Console(highlight=False, soft_wrap=True)

consent_app = typer.Typer(
    name="consent",
    help="Consent records (Procedure A3): bulk import, export.",
    no_args_is_help=True,
)

#: list-valued columns: values separated by ``;``
LIST_COLUMNS = (
    "explained_purposes",
    "explained_data_categories",
    "explained_recipients",
    "purposes",
    "data_categories",
    "recipients",
    "recipient_agreements",
)
#: one exclusion per row, in these columns (use FHIR for more than one)
EXCLUSION_COLUMNS = (
    "excluded_recipients",
    "excluded_data_categories",
    "excluded_purposes",
    "exclusion_note",
)
#: the CSV header: the record's fields (docs/consent.md), exclusions flattened
CSV_COLUMNS = (
    *(name for name in ConsentDraft.model_fields if name != "exclusions"),
    *EXCLUSION_COLUMNS,
)
REQUIRED_COLUMNS = tuple(
    name for name, info in ConsentDraft.model_fields.items() if info.is_required()
)


class FileFormat(StrEnum):
    CSV = "csv"
    FHIR = "fhir"


class ExportFormat(StrEnum):
    FHIR = "fhir"
    JSON = "json"


def _split(cell: str) -> list[str]:
    return [part.strip() for part in cell.split(";") if part.strip()]


def draft_from_csv(row: dict[str, str]) -> ConsentDraft:
    """One CSV row as a draft; InputError naming the column for a value that does not fit."""
    values: dict[str, Any] = {}
    for name in CSV_COLUMNS:
        cell = (row.get(name) or "").strip()
        if name in EXCLUSION_COLUMNS or not cell:
            continue
        values[name] = _split(cell) if name in LIST_COLUMNS else cell
    for name in LIST_COLUMNS:
        values.setdefault(name, [])
    exclusion = {
        "recipients": _split(row.get("excluded_recipients") or ""),
        "data_categories": _split(row.get("excluded_data_categories") or ""),
        "purposes": _split(row.get("excluded_purposes") or ""),
        "note": (row.get("exclusion_note") or "").strip(),
    }
    if exclusion["recipients"] or exclusion["data_categories"] or exclusion["purposes"]:
        values["exclusions"] = [exclusion]
    try:
        return ConsentDraft.model_validate(values)
    except ValidationError as error:
        first = error.errors()[0]
        field = ".".join(str(part) for part in first["loc"])
        raise InputError(f"{first['msg']}; correct the `{field}` column", field=field) from error


def read_csv(path: Path) -> list[tuple[str, ImportRow | InputError]]:
    """Each data row of the CSV file at ``path``, labelled ``row N`` (the header is row 1)."""
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        header = reader.fieldnames or []
        unknown = [name for name in header if name not in CSV_COLUMNS]
        missing = [name for name in REQUIRED_COLUMNS if name not in header]
        if unknown or missing:
            problem = (
                f"unknown column `{unknown[0]}`" if unknown else f"missing column `{missing[0]}`"
            )
            raise InputError(
                f"{path}: {problem}; the header is described in docs/consent.md "
                f"(`{','.join(CSV_COLUMNS)}`)",
                field="header",
            )
        rows: list[tuple[str, ImportRow | InputError]] = []
        for number, row in enumerate(reader, start=2):
            try:
                rows.append((f"row {number}", draft_from_csv(row)))
            except InputError as error:
                rows.append((f"row {number}", error))
        return rows


def read_fhir_file(path: Path) -> list[tuple[str, ImportRow | InputError]]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise InputError(
            f"{path} is not JSON ({error}); give a FHIR Bundle", field="file"
        ) from error
    return read_fhir(data)


def _format_of(path: Path, given: FileFormat | None) -> FileFormat:
    if given is not None:
        return given
    return FileFormat.FHIR if path.suffix.lower() == ".json" else FileFormat.CSV


def _progress() -> Progress:
    return Progress(
        TextColumn("{task.description:>10}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=stdout,
    )


def _report(rejections: list[RowRejection], labels: list[str], total: int) -> None:
    for rejection in rejections:
        field = f" `{rejection.field}`" if rejection.field else ""
        stderr.print(
            f"[red]rejected[/red] {labels[rejection.row]}{field}: {rejection.message}",
            markup=True,
        )
    stderr.print(
        f"{len(rejections)} of {total} rows rejected; nothing was stored. "
        "Correct them and import the file again"
    )


@consent_app.command("import")
@handles_errors
def import_command(
    file: Annotated[Path, typer.Argument(help="A CSV file, or a FHIR Bundle as JSON.")],
    file_format: Annotated[
        FileFormat | None,
        typer.Option("--format", help="csv or fhir; default: by the file's extension."),
    ] = None,
    db: DatabaseOption = None,
) -> None:
    """Import consent records, all or nothing; exit 1 naming each rejected row and field."""
    if not file.is_file():
        raise InputError(f"`{file}` is not a file; give the path of a CSV or JSON file",
                         field="file")  # fmt: skip
    kind = _format_of(file, file_format)
    rows = read_csv(file) if kind is FileFormat.CSV else read_fhir_file(file)
    labels = [label for label, _ in rows]
    numbered = [(index, row) for index, (_, row) in enumerate(rows)]
    with opened_database(db) as database, _progress() as progress:
        task = progress.add_task("checking", total=len(rows))
        stored, rejected = import_consents(
            database.unit_of_work(),
            numbered,
            on_row=lambda: progress.advance(task),
        )
    if rejected:
        _report(rejected, labels, len(rows))
        raise typer.Exit(1)
    stdout.print(f"imported  {len(stored)} consent records from {file}")


@consent_app.command("export")
@handles_errors
def export_command(
    nhs_number: Annotated[str, typer.Option("--nhs-number", help="The service user.")],
    export_format: Annotated[
        ExportFormat, typer.Option("--format", help="fhir (a Bundle) or json (ours).")
    ] = ExportFormat.FHIR,
    db: DatabaseOption = None,
) -> None:
    """Print a service user's consents (their whole history) as FHIR or JSON."""
    with opened_database(db) as database:
        now = datetime.now(UTC)
        if export_format is ExportFormat.FHIR:
            text = json.dumps(fhir_consents_of(database.unit_of_work(), nhs_number, now=now),
                              indent=2)  # fmt: skip
        else:
            text = consent_history(database.unit_of_work(), nhs_number, at=now).model_dump_json(
                indent=2
            )
    typer.echo(text)


def csv_header() -> str:
    """The CSV header line ``consent import`` expects."""
    return ",".join(CSV_COLUMNS)


__all__ = ["CSV_COLUMNS", "consent_app", "csv_header", "draft_from_csv"]
