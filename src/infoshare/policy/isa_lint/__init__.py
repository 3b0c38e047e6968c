"""The ISA lint: is an Information Sharing Agreement consistent with the protocol?

Section 1.1: "All ISAs will need to be fully compliant and consistent with this Protocol."
``lint(isa, pack, context)`` checks an agreement against a protocol pack and returns every
finding, each citing the clause it applies; errors block activation, warnings do not.
One module per group of rules:

    parties        Sections 1.1, 1.2; Procedures C1, A6
    purposes       Section 2.1; Principle 11
    legal_grounds  Section 2.2; Principles 2, 6; Procedure A5
    need_to_know   Principles 7, 9; Procedure B7 (Appendix 2)
    transfers      Procedures B1–B5, C3
    arrangements   Principle 2; Procedure B1; Section 4.3
    schedule       Sections 1.1, 4.4
    signatures     Section 1.1

docs/agreements.md lists every rule; a test keeps the two in step.
"""

from __future__ import annotations

from infoshare.domain.agreement import InformationSharingAgreement
from infoshare.policy.isa_lint import (
    arrangements,
    legal_grounds,
    need_to_know,
    parties,
    purposes,
    schedule,
    signatures,
    transfers,
)
from infoshare.policy.isa_lint.rule import (
    Finding,
    LintContext,
    Rule,
    RuleId,
    Severity,
)
from infoshare.protocol.schema import ProtocolPack

#: every rule, in the order of their ids; findings come out in this order
RULES: tuple[Rule, ...] = tuple(
    sorted(
        (
            *parties.RULES,
            *purposes.RULES,
            *legal_grounds.RULES,
            *need_to_know.RULES,
            *transfers.RULES,
            *arrangements.RULES,
            *schedule.RULES,
            *signatures.RULES,
        ),
        key=lambda r: r.id.value,
    )
)

RULES_BY_ID: dict[RuleId, Rule] = {r.id: r for r in RULES}


def lint(
    isa: InformationSharingAgreement, pack: ProtocolPack, context: LintContext
) -> list[Finding]:
    """Every finding about ``isa`` under ``pack``: by rule id, then in the file's order.

    Deterministic: the same agreement, pack and context always give the same list.
    """
    return [finding for r in RULES for finding in r.run(isa, pack, context)]


def errors(findings: list[Finding]) -> list[Finding]:
    """The findings that block activation."""
    return [f for f in findings if f.blocks_activation]


__all__ = [
    "RULES",
    "RULES_BY_ID",
    "Finding",
    "LintContext",
    "Rule",
    "RuleId",
    "Severity",
    "errors",
    "lint",
]
