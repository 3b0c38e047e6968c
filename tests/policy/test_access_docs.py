"""docs/security.md shows the role × permission table the code enforces, row for row."""

from __future__ import annotations

from pathlib import Path

from infoshare.policy.access import (
    ACCESS_CLAUSES,
    ORGANISATION_SCOPED,
    PARTY_SCOPED,
    ROLE_PERMISSIONS,
    Permission,
    Role,
)

SECURITY_DOC = Path(__file__).parents[2] / "docs" / "security.md"


def _row(permission: Permission) -> str:
    if permission in PARTY_SCOPED:
        scope = "own party's service users"
    elif permission in ORGANISATION_SCOPED:
        scope = "own organisation"
    else:
        scope = "protocol-wide"
    marks = " | ".join("✓" if permission in ROLE_PERMISSIONS[r] else "" for r in Role)
    return f"| `{permission.value}` | {scope} | {marks} |"


def test_every_permission_row_matches_the_code() -> None:
    text = SECURITY_DOC.read_text(encoding="utf-8")
    for permission in Permission:
        assert _row(permission) in text, permission


def test_every_reason_code_and_clause_is_documented() -> None:
    text = SECURITY_DOC.read_text(encoding="utf-8")
    for code, clause in ACCESS_CLAUSES.items():
        assert f"| `{code.value}` | {clause} |" in text, code
