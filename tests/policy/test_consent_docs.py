"""docs/consent.md states each consent reason code with the clause the code really cites."""

from __future__ import annotations

from pathlib import Path

import pytest

from infoshare.policy.reasons import CLAUSES, CONSENT_CODES, ReasonCode

DOC = Path(__file__).resolve().parents[2] / "docs" / "consent.md"


@pytest.mark.parametrize("code", sorted(CONSENT_CODES))
def test_the_reason_table_documents_each_consent_code_with_its_clause(code: ReasonCode) -> None:
    assert f"| `{code}` | {CLAUSES[code]} |" in DOC.read_text(encoding="utf-8")
