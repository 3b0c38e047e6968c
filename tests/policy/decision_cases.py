"""The decision cases of tests/cases/decisions: loaded, merged with their shared policy, and
checked against a Decision, so decide(), the CLI (and next, the API) run the same files."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from infoshare.cli.decide import resolve_agreement
from infoshare.policy.decide import decide
from infoshare.policy.decision import Decision
from infoshare.policy.decision_document import (
    DecisionDocument,
    build_facts,
    build_policy,
    build_request,
    merged,
    read_document,
)
from infoshare.protocol.loader import load_pack_reference
from infoshare.protocol.schema import ProtocolPack

CASES = Path(__file__).resolve().parents[1] / "cases" / "decisions"
POLICIES = CASES / "_policies"
CASE_FILES = sorted(CASES.glob("*.json"))


def case_document(path: Path) -> dict[str, Any]:
    """The case at ``path`` merged with the policy it names: a self-contained document."""
    case = json.loads(path.read_text(encoding="utf-8"))
    name = case.get("policy")
    if name is None:
        return dict(case)
    base = json.loads((POLICIES / f"{name}.json").read_text(encoding="utf-8"))
    base.pop("description", None)
    return merged(base, case)


@cache
def _pack(name: str) -> ProtocolPack:
    return load_pack_reference(name)


def decide_document(data: dict[str, Any]) -> Decision:
    document: DecisionDocument = read_document(data)
    agreements = [
        resolve_agreement(item, CASES, index) for index, item in enumerate(document.agreements)
    ]
    policy = build_policy(document, _pack(document.pack), agreements)
    return decide(build_request(document.request), policy, build_facts(document.facts))


def mismatches(decision: Decision, expect: dict[str, Any]) -> list[str]:
    """How ``decision`` differs from what the case expects; empty when it matches."""
    found: list[str] = []

    def differs(what: str, got: object, wanted: object) -> None:
        if got != wanted:
            found.append(f"{what}: got {got!r}, expected {wanted!r}")

    differs("outcome", decision.outcome.value, expect["outcome"])
    differs("permitted", list(decision.permitted), expect["permitted"])
    if "referred" in expect:
        differs("referred", list(decision.referred), expect["referred"])
    codes = set(decision.codes)
    for code in expect.get("reason_codes", []):
        if code not in codes:
            found.append(f"reason code `{code}` missing from {sorted(codes)}")
    withheld = {w.category: {r.code.value for r in w.reasons} for w in decision.withheld}
    for category, wanted_codes in expect.get("withheld", {}).items():
        if category not in withheld:
            found.append(f"`{category}` not withheld; withheld: {sorted(withheld)}")
            continue
        missing = set(wanted_codes) - withheld[category]
        # a denial of the whole request explains itself in the decision's reasons
        missing -= codes if not withheld[category] else set()
        if missing:
            found.append(f"`{category}` withheld without {sorted(missing)}")
    kinds = {c.kind.value for c in decision.conditions}
    for kind in expect.get("conditions", []):
        if kind not in kinds:
            found.append(f"condition `{kind}` missing from {sorted(kinds)}")
    if "basis" in expect:
        differs("basis", decision.basis.kind.value, expect["basis"])
    if "review_due_at" in expect:
        due = [c.due_at.isoformat() for c in decision.conditions if c.due_at is not None]
        differs("review due", due, [expect["review_due_at"]])
    if "safeguards" in expect:
        refs = [c.refs[0] for c in decision.conditions if c.kind.value == "transfer-safeguard"]
        differs("safeguards", refs, expect["safeguards"])
    return found
