"""``infoshare consent import`` and ``export``, run as a user would, on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from infoshare.cli.consent import CSV_COLUMNS
from infoshare.cli.main import app
from infoshare.services.database import open_database
from infoshare.services.fhir_consent import to_fhir
from infoshare.services.setup import initialise
from tests.services.consent_builders import ADULT, consent_draft, register_people
from tests.support.databases import DatabaseTemplates, row_counts

runner = CliRunner()
NOW = datetime(2026, 1, 5, 9, 30, tzinfo=UTC)


def _initialise(url: str) -> None:
    initialise(url, "leeds-2002", now=NOW)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def url(request: pytest.FixtureRequest, database_templates: DatabaseTemplates) -> Iterator[str]:
    """A leeds-2002 database with two registered service users."""
    for copy in database_templates.copy(request, request.param, "leeds-2002", _initialise):
        database = open_database(copy)
        register_people(database, now=NOW)
        database.dispose()
        yield copy


@pytest.fixture(autouse=True)
def _development(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INFOSHARE_ENVIRONMENT", "development")
    monkeypatch.delenv("INFOSHARE_DATABASE_URL", raising=False)


def _row(**changes: str) -> dict[str, str]:
    row = {
        "nhs_number": ADULT, "decision": "given", "decided_by": "service-user",
        "obtained_by": "Sam Okafor", "obtained_by_organisation": "LTHT",
        "obtained_at": "2025-11-03T10:00:00+00:00", "method": "signed-form",
        "form_version": "App4-2002-v1", "explained_purposes": "care",
        "explained_data_categories": "physical-health;mental-health",
        "explained_recipients": "LCC;LMHST", "leaflet_given": "true", "purposes": "care",
        "data_categories": "physical-health;mental-health", "recipients": "LCC;LMHST",
        "excluded_recipients": "WYP", "exclusion_note": "never the police",
    }  # fmt: skip
    row.update(changes)
    return row


def _csv(tmp_path: Path, rows: list[dict[str, str]]) -> Path:
    path = tmp_path / "consents.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=CSV_COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    return path


def _export(url: str) -> dict[str, Any]:
    result = runner.invoke(app, ["consent", "export", "--nhs-number", ADULT, "--db", url])
    assert result.exit_code == 0, result.output
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def test_a_csv_file_is_imported_whole(url: str, tmp_path: Path) -> None:
    refusal = _row(decision="refused", excluded_recipients="", exclusion_note="",
                   data_categories="mental-health")  # fmt: skip
    path = _csv(tmp_path, [_row(), refusal])
    result = runner.invoke(app, ["consent", "import", str(path), "--db", url])

    assert result.exit_code == 0, result.output
    assert "imported  2 consent records" in result.stdout
    bundle = _export(url)
    assert bundle["total"] == 2
    types = sorted(e["resource"]["provision"]["type"] for e in bundle["entry"])
    assert types == ["deny", "permit"]


def test_a_file_with_a_bad_row_stores_nothing_and_names_row_and_field(
    url: str, tmp_path: Path
) -> None:
    path = _csv(tmp_path, [_row(), _row(purposes="gossip"), _row(obtained_at="yesterday")])
    before = row_counts(url)
    result = runner.invoke(app, ["consent", "import", str(path), "--db", url])

    assert result.exit_code == 1
    assert "rejected row 3 `purposes`" in result.stderr
    assert "`gossip`" in result.stderr
    assert "rejected row 4 `obtained_at`" in result.stderr
    assert "2 of 3 rows rejected; nothing was stored" in result.stderr
    assert row_counts(url) == before


def test_an_unknown_column_is_refused(url: str, tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("nhs_number,colour\n9434765919,blue\n", encoding="utf-8")
    result = runner.invoke(app, ["consent", "import", str(path), "--db", url])
    assert result.exit_code == 1
    assert "unknown column `colour`" in result.stderr


def test_a_fhir_bundle_is_imported_and_a_bad_entry_named_by_path(url: str, tmp_path: Path) -> None:
    good = to_fhir(consent_draft())
    bad = to_fhir(consent_draft())
    bad["dateTime"] = "not a time"
    path = tmp_path / "bundle.json"
    path.write_text(json.dumps({"resourceType": "Bundle", "type": "collection",
                                "entry": [{"resource": good}, {"resource": bad}]}))  # fmt: skip
    before = row_counts(url)

    refused = runner.invoke(app, ["consent", "import", str(path), "--db", url])
    assert refused.exit_code == 1
    assert "Bundle.entry[1].resource" in refused.stderr
    assert row_counts(url) == before

    path.write_text(json.dumps({"resourceType": "Bundle", "type": "collection",
                                "entry": [{"resource": good}]}))  # fmt: skip
    accepted = runner.invoke(app, ["consent", "import", str(path), "--db", url])
    assert accepted.exit_code == 0, accepted.output
    assert _export(url)["total"] == 1


def test_export_as_json_lists_the_history(url: str, tmp_path: Path) -> None:
    runner.invoke(app, ["consent", "import", str(_csv(tmp_path, [_row()])), "--db", url])
    result = runner.invoke(
        app, ["consent", "export", "--nhs-number", ADULT, "--format", "json", "--db", url]
    )
    assert result.exit_code == 0, result.output
    history = json.loads(result.stdout)
    assert history["consents"][0]["exclusions"][0]["recipients"] == ["WYP"]
