"""What is withheld whatever the consent or the ground: statutory restrictions on a category
(Principle 2: e.g. the NHS Trusts and PCTs (Sexually Transmitted Diseases) Directions 2000,
the Human Fertilisation and Embryology Act 1990 s.33), and restrictions recorded against the
person (a court order, a protected address; Principle 4).
"""

from __future__ import annotations

from infoshare.policy.compile import Policy
from infoshare.policy.decision import DisclosureRequest, SubjectFacts
from infoshare.policy.reasons import Reason, ReasonCode, reason


def statutory_restrictions(
    policy: Policy, categories: tuple[str, ...]
) -> tuple[tuple[str, ...], list[tuple[str, Reason]]]:
    """``categories`` without those a statute restricts, and why each was withheld."""
    kept: list[str] = []
    withheld: list[tuple[str, Reason]] = []
    for category in categories:
        entry = policy.categories.get(category)
        if entry is not None and entry.statutory_restriction:
            withheld.append(
                (
                    category,
                    reason(
                        ReasonCode.STATUTORY_RESTRICTION,
                        f"`{category}` may be disclosed only as the law restricting it "
                        f"allows, whatever the consent: {entry.statutory_restriction.strip()}",
                    ),
                )
            )
        else:
            kept.append(category)
    return tuple(kept), withheld


def subject_restrictions(
    request: DisclosureRequest, facts: SubjectFacts, categories: tuple[str, ...]
) -> tuple[tuple[str, ...], list[tuple[str, Reason]]]:
    """``categories`` without those the person's record restricts, and why each was withheld."""
    kept: list[str] = []
    withheld: list[tuple[str, Reason]] = []
    for category in categories:
        for restriction in sorted(facts.restrictions, key=lambda r: r.id):
            if restriction.applies(request.recipient, request.purpose, category, request.at):
                withheld.append(
                    (
                        category,
                        reason(
                            ReasonCode.SUBJECT_RESTRICTION,
                            f"the person's record restricts disclosing `{category}`: "
                            f"{restriction.reason}",
                            restriction.id,
                        ),
                    )
                )
                break
        else:
            kept.append(category)
    return tuple(kept), withheld
