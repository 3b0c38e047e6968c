"""docs/ledger.md is what an outside auditor reads: it must name what the code does."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from infoshare.ledger.chain import GENESIS
from infoshare.ledger.events import EventKind
from infoshare.ledger.verify import ProblemKind

DOC = (Path(__file__).resolve().parents[2] / "docs" / "ledger.md").read_text()


def test_every_problem_verification_reports_is_documented() -> None:
    for kind in ProblemKind:
        assert f"`{kind.value}`" in DOC, kind


def test_the_documented_genesis_is_the_one_the_chain_uses() -> None:
    match = re.search(r'GENESIS\s+= SHA-256\("([^"]+)"\)', DOC)
    assert match is not None
    assert hashlib.sha256(match.group(1).encode("ascii")).digest() == GENESIS


def test_every_event_kind_is_named_in_the_introduction() -> None:
    introduction = DOC.split("## ")[0].lower()
    for kind in EventKind:
        subject, action = kind.value.split(":")
        assert subject.replace("-", " ").split()[0] in introduction, kind
        assert action in introduction, kind
