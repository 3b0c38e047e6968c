"""``infoshare isa what-if REFERENCE --version N``: what a version not yet in force changes."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from typer.testing import CliRunner

from infoshare.cli.main import app
from infoshare.domain.agreement_yaml import dump_agreement, parse_agreement
from infoshare.services import agreements, disclosures
from infoshare.services.access_log import CONSOLE
from infoshare.services.database import open_database
from tests.services.agreement_files import unsigned
from tests.services.test_disclosures import care_request
from tests.support.databases import DatabaseTemplates, row_counts
from tests.support.sharing_world import SOCIAL_WORKER, TEMPLATE, build_sharing_world, staff

runner = CliRunner()


@pytest.fixture(autouse=True)
def _development(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INFOSHARE_ENVIRONMENT", "development")
    monkeypatch.delenv("INFOSHARE_DATABASE_URL", raising=False)
    monkeypatch.delenv("INFOSHARE_PACK", raising=False)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def url(request: pytest.FixtureRequest, database_templates: DatabaseTemplates) -> Iterator[str]:
    yield from database_templates.copy(request, request.param, TEMPLATE, build_sharing_world)


def _shared_and_narrowed(url: str) -> tuple[str, int, int]:
    db = open_database(url)
    try:
        yesterday = datetime.now(UTC) - timedelta(days=1)
        done = disclosures.disclose(db, staff(SOCIAL_WORKER), care_request(), now=yesterday)
        reference = done.decision.isa_reference
        assert reference is not None
        current = parse_agreement(
            agreements.export_agreement(db.unit_of_work(), reference), "x"
        ).agreement
        rows = [
            r.model_copy(update={"categories": [c for c in r.categories if c != "physical-health"]})
            if r.organisation == "LCC" else r
            for r in current.need_to_know
        ]  # fmt: skip
        candidate = current.model_copy(
            update={"version": current.version + 1, "need_to_know": rows}
        )
        agreements.import_agreement(
            db.unit_of_work(), unsigned(dump_agreement(candidate), "draft"), "v2.yaml",
            requester=CONSOLE,
        )  # fmt: skip
        return reference, current.version, candidate.version
    finally:
        db.dispose()


def test_what_if_prints_the_decisions_that_would_change(url: str) -> None:
    reference, in_force, version = _shared_and_narrowed(url)
    before = row_counts(url)
    result = runner.invoke(
        app, ["isa", "what-if", reference, "--version", str(version), "--db", url]
    )
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == (
        f"{reference} v{version} (draft): 1 requests of the last 30 days replayed, "
        "1 would change, 0 would not"
    )
    assert "physical-health permitted -> withheld" in lines[1]
    assert row_counts(url) == before  # the replay reads only

    as_json = runner.invoke(
        app,
        ["isa", "what-if", reference, "--version", str(version), "--format", "json", "--db", url],
    )
    assert json.loads(as_json.stdout)["changes"][0]["after_outcome"] == "permit"

    refused = runner.invoke(
        app, ["isa", "what-if", reference, "--version", str(in_force), "--db", url]
    )
    assert refused.exit_code != 0
    assert "not yet in force" in refused.stderr
