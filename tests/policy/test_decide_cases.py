"""Every decision case in tests/cases/decisions, through decide()."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from infoshare.policy.reasons import CLAUSES, DECISION_CODES, ReasonCode
from tests.policy.decision_cases import CASE_FILES, case_document, decide_document, mismatches

CITATION = re.compile(r"^(?:Principle (?:[1-9]|1[0-5])|Procedure [ABC][1-8]|Section \d(?:\.\d)*)$")


@pytest.mark.parametrize("path", CASE_FILES, ids=lambda p: p.stem)
def test_case(path: Path) -> None:
    document = case_document(path)
    decision = decide_document(document)
    assert mismatches(decision, document["expect"]) == []


@pytest.mark.parametrize("path", CASE_FILES, ids=lambda p: p.stem)
def test_every_reason_of_a_case_cites_its_clause(path: Path) -> None:
    decision = decide_document(case_document(path))
    everything = [*decision.reasons, *(r for w in decision.withheld for r in w.reasons)]
    assert everything, "a decision always explains itself"
    for found in everything:
        assert found.clause == CLAUSES[found.code]
        assert found.message[:1].islower() or found.message.startswith("`"), found.message


def test_there_is_a_case_for_every_decision_clause_and_enough_cases() -> None:
    cases = [json.loads(p.read_text(encoding="utf-8")) for p in CASE_FILES]
    assert len(cases) >= 40
    clauses = {c["clause"] for c in cases}
    assert all(CITATION.match(c) for c in clauses), clauses
    wanted = {
        "Principle 2", "Principle 4", "Principle 5", "Principle 6", "Principle 7",
        "Principle 8", "Principle 9", "Principle 11", "Principle 14",
        "Procedure A4", "Procedure A5", "Procedure B6", "Procedure B7", "Procedure C1",
        "Section 2.1", "Section 3.1",
    }  # fmt: skip
    assert wanted <= clauses, wanted - clauses


def test_every_decision_code_is_met_by_some_case() -> None:
    seen: set[str] = set()
    for path in CASE_FILES:
        seen |= set(decide_document(case_document(path)).codes)
    # codes a well-formed case file cannot reach: faults inside decide() itself
    unreachable = {ReasonCode.DECISION_FAILED}
    missing = {c.value for c in DECISION_CODES - unreachable} - seen
    assert not missing, f"add a case for {sorted(missing)}"


DOC = Path(__file__).resolve().parents[2] / "docs" / "decisions.md"


@pytest.mark.parametrize("code", sorted(DECISION_CODES), ids=str)
def test_docs_name_every_decision_code_with_its_clause(code: ReasonCode) -> None:
    text = DOC.read_text(encoding="utf-8")
    rows = [line for line in text.splitlines() if f"`{code}`" in line]
    assert rows, f"docs/decisions.md does not mention `{code}`"
    assert any(CLAUSES[code] in row for row in rows), f"`{code}` is not shown with {CLAUSES[code]}"
