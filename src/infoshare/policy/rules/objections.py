"""The person's objections (Principle 5): someone unwilling to have their information shared
is treated as having refused, so only a statutory ground a designated officer approves can
override it (Procedure A5).
"""

from __future__ import annotations

from infoshare.policy.decision import DisclosureRequest, SubjectFacts
from infoshare.policy.reasons import Reason, ReasonCode, reason


def objections(
    request: DisclosureRequest, facts: SubjectFacts, categories: tuple[str, ...]
) -> dict[str, Reason]:
    """For each category an objection applies to, the reason saying so."""
    found: dict[str, Reason] = {}
    if not facts.objections:
        return found
    for category in categories:
        for objection in sorted(facts.objections, key=lambda o: o.id):
            if objection.applies(request.recipient, request.purpose, category, request.at):
                said = f" (“{objection.note}”)" if objection.note else ""
                found[category] = reason(
                    ReasonCode.SUBJECT_OBJECTED,
                    f"the person objected to sharing `{category}`{said}; only a statutory "
                    "ground approved by a designated officer can override that",
                    objection.id,
                )
                break
    return found
