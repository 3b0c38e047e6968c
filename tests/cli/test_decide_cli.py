"""``infoshare decide FILE.json``: every decision case through the command line, as a
practitioner or a script runs it; malformed files exit 1 naming the field."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from infoshare.cli.main import app
from tests.policy.decision_cases import CASE_FILES, case_document

runner = CliRunner()


def run(tmp_path: Path, document: dict[str, Any], *options: str) -> tuple[int, str, str]:
    path = tmp_path / "decision.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    result = runner.invoke(app, ["decide", str(path), *options])
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize("path", CASE_FILES, ids=lambda p: p.stem)
def test_case_through_the_cli(tmp_path: Path, path: Path) -> None:
    document = case_document(path)
    expect = document["expect"]
    code, out, err = run(tmp_path, document, "--format", "json")
    if "cli_exit" in expect:
        assert code == expect["cli_exit"], out
        assert err.startswith("error"), err
        return
    assert code == 0, err
    decision = json.loads(out)
    assert decision["outcome"] == expect["outcome"]
    assert decision["permitted"] == expect["permitted"]
    codes = {r["code"] for r in decision["reasons"]}
    codes |= {r["code"] for w in decision["withheld"] for r in w["reasons"]}
    assert set(expect.get("reason_codes", [])) <= codes


def test_text_output_gives_outcome_categories_and_clauses(tmp_path: Path) -> None:
    document = case_document(next(p for p in CASE_FILES if "category-not-in-agreement" in p.stem))
    code, out, _ = run(tmp_path, document)
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "decision: permit (under LEEDS-ISA-2003-001)"
    assert "may share: identity" in lines
    assert "basis: consent; consent c1" in lines
    assert (
        "    - category-not-agreed (Section 3.1): agreement `LEEDS-ISA-2003-001` does not "
        "cover `offences`"
    ) in lines
    assert any(line.startswith("  - transfer-safeguard (Procedure B3): ") for line in lines)


def test_a_referral_says_what_would_be_shared_on_approval(tmp_path: Path) -> None:
    document = case_document(next(p for p in CASE_FILES if "statutory-ground-refers" in p.stem))
    code, out, _ = run(tmp_path, document)
    assert code == 0
    assert "decision: refer (under LEEDS-ISA-2003-002)" in out
    assert "on approval, would share: identity, education, child-protection" in out
    assert "basis: statutory; grounds ca-1989-s47; approval required" in out


def test_a_denial_exits_0(tmp_path: Path) -> None:
    document = case_document(next(p for p in CASE_FILES if "unknown-requester" in p.stem))
    code, out, _ = run(tmp_path, document)
    assert code == 0
    assert out.startswith("decision: deny\n")


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda d: d["request"].pop("purpose"), "request.purpose"),
        (lambda d: d["request"].update(at="yesterday"), "request.at"),
        (lambda d: d["request"].update(categories=[]), "request.categories"),
        (lambda d: d["facts"]["consents"][0].update(purposes=[]), "facts.scope.purposes"),
        (lambda d: d.update(agreements=["example:no-such-agreement"]), "agreements[0]"),
        (lambda d: d.update(agreements=[{"reference": "X"}]), "agreements[0]"),
        (lambda d: d["request"].update(colour="blue"), "request.colour"),
        (lambda d: d.update(pack="no-such-pack"), "pack"),
    ],
)
def test_a_malformed_document_exits_1_naming_the_field(
    tmp_path: Path, change: Any, field: str
) -> None:
    document = case_document(next(p for p in CASE_FILES if "consent-covers-permit" in p.stem))
    change(document)
    code, out, err = run(tmp_path, document)
    assert code == 1
    assert out == ""
    assert field in err, err


def test_a_file_that_is_not_json_exits_1(tmp_path: Path) -> None:
    path = tmp_path / "decision.json"
    path.write_text("{not json", encoding="utf-8")
    result = runner.invoke(app, ["decide", str(path)])
    assert result.exit_code == 1
    assert "is not JSON (line 1" in result.stderr


def test_a_missing_file_exits_1(tmp_path: Path) -> None:
    result = runner.invoke(app, ["decide", str(tmp_path / "absent.json")])
    assert result.exit_code == 1
    assert "cannot read" in result.stderr
