"""What is withheld whatever the consent or the ground: statutory restrictions on a category
(Principle 2: e.g. the NHS Trusts and PCTs (Sexually Transmitted Diseases) Directions 2000,
the Human Fertilisation and Embryology Act 1990 s.33), and restrictions recorded against the
person (a court order, a protected address; Principle 4).
"""

from __future__ import annotations

from infoshare.policy.compile import Policy
from infoshare.policy.decision import DisclosureRequest, SubjectFacts
from infoshare.policy.reasons import Reason, ReasonCode, reason


def restricted(
    request: DisclosureRequest,
    policy: Policy,
    facts: SubjectFacts,
    categories: tuple[str, ...],
) -> tuple[tuple[str, ...], list[tuple[str, Reason]]]:
    """``categories`` without the restricted ones, and why each of those was withheld."""
    kept: list[str] = []
    withheld: list[tuple[str, Reason]] = []
    for category in categories:
        found = _restriction(request, policy, facts, category)
        if found is None:
            kept.append(category)
        else:
            withheld.append((category, found))
    return tuple(kept), withheld


def _restriction(
    request: DisclosureRequest, policy: Policy, facts: SubjectFacts, category: str
) -> Reason | None:
    entry = policy.categories.get(category)
    if entry is not None and entry.statutory_restriction:
        return reason(
            ReasonCode.STATUTORY_RESTRICTION,
            f"`{category}` may be disclosed only as the law restricting it allows, whatever "
            f"the consent: {entry.statutory_restriction.strip()}",
        )
    for restriction in facts.restrictions:
        if restriction.applies(request.recipient, request.purpose, category, request.at):
            return reason(
                ReasonCode.SUBJECT_RESTRICTION,
                f"the person's record restricts disclosing `{category}`: {restriction.reason}",
                restriction.id,
            )
    return None
