"""Reason codes: every code cites one clause, always the same, in the form rules cite."""

from __future__ import annotations

import re

import pytest

from infoshare.policy.reasons import CLAUSES, Reason, ReasonCode, reason

CITATION = re.compile(r"^(?:Principle (?:[1-9]|1[0-5])|Procedure [ABC][1-8]|Section \d(?:\.\d)*)$")


@pytest.mark.parametrize("code", list(ReasonCode))
def test_every_code_cites_a_clause_of_the_protocol(code: ReasonCode) -> None:
    assert code in CLAUSES, f"add `{code}` to CLAUSES with the clause it applies"
    assert CITATION.match(CLAUSES[code]), CLAUSES[code]


@pytest.mark.parametrize("code", list(ReasonCode))
def test_codes_are_kebab_case(code: ReasonCode) -> None:
    assert re.fullmatch(r"[a-z]+(?:-[a-z]+)*", code.value)


def test_a_reason_takes_its_clause_from_the_table_and_keeps_its_refs() -> None:
    found = reason(ReasonCode.LACKS_CAPACITY, "assessed as unable to decide", "c1", "a1")
    assert found == Reason(
        ReasonCode.LACKS_CAPACITY, "Procedure A2", "assessed as unable to decide", ("c1", "a1")
    )
    assert str(found) == "assessed as unable to decide (Procedure A2)"


def test_the_clause_table_cannot_be_changed_at_run_time() -> None:
    with pytest.raises(TypeError):
        CLAUSES[ReasonCode.NO_CONSENT] = "Principle 1"  # type: ignore[index]
