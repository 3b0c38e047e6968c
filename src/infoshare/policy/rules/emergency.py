"""Emergencies: sharing at once in the person's vital interests (Procedure A5, DPA 1998
Schedule 2 paragraph 4 and Schedule 3 paragraph 3).

A practitioner who states why it is urgent may share at once what the recipient needs to
know; a designated officer reviews the disclosure afterwards (a review task, overdue after
72 hours by default). The vital-interests grounds must serve the purpose, and for a
sensitive category one of them must be a condition for sensitive data. An emergency never
overrides an explicit refusal: that still needs a statutory ground a designated officer
approves (Principle 5).
"""

from __future__ import annotations

from datetime import datetime

from infoshare.policy.compile import Policy
from infoshare.policy.decision import Condition, ConditionKind, DisclosureRequest
from infoshare.policy.reasons import Reason, ReasonCode, reason


def emergency_problem(request: DisclosureRequest) -> Reason | None:
    """What is wrong with the emergency claim as a whole, or None."""
    if not request.basis.emergency_reason.strip():
        return reason(
            ReasonCode.EMERGENCY_REASON_MISSING,
            "say what makes this an emergency: the person's life or health at risk now",
        )
    return None


def vital_interests_problem(
    request: DisclosureRequest, policy: Policy, category: str, organisation_types: tuple[str, ...]
) -> Reason | None:
    """Why the vital-interests grounds do not allow sharing ``category`` now, or None."""
    grounds = [
        g
        for g in (policy.grounds.get(gid) for gid in policy.options.vital_interests_grounds)
        if g is not None and g.serves(request.purpose, organisation_types)
    ]
    if not grounds:
        return reason(
            ReasonCode.EMERGENCY_NOT_FOR_PURPOSE,
            f"sharing in the person's vital interests is not a ground for `{request.purpose}`; "
            "claim consent or a statutory ground instead",
        )
    entry = policy.categories.get(category)
    if entry is not None and entry.sensitive and not any(g.covers_sensitive_data for g in grounds):
        return reason(
            ReasonCode.EMERGENCY_NOT_FOR_PURPOSE,
            f"no vital-interests ground for sensitive data serves `{request.purpose}`, so "
            f"`{category}` cannot go as an emergency",
        )
    return None


def emergency_grounds(request: DisclosureRequest, policy: Policy) -> tuple[str, ...]:
    return tuple(g for g in policy.options.vital_interests_grounds if g in policy.grounds)


def vital_interests(request: DisclosureRequest, categories: tuple[str, ...]) -> Reason:
    return reason(
        ReasonCode.VITAL_INTERESTS,
        f"shared at once in the person's vital interests "
        f"({request.basis.emergency_reason.strip()}); "
        f"a designated officer of `{request.provider}` reviews it afterwards",
    )


def review_task(request: DisclosureRequest, policy: Policy) -> Condition:
    due: datetime = request.at + policy.options.review_due_after
    officers = tuple(sorted(policy.designated_officers.get(request.provider, frozenset())))
    return Condition(
        ConditionKind.CREATE_REVIEW_TASK,
        "Procedure A5",
        f"a designated officer of `{request.provider}` reviews this emergency disclosure",
        officers,
        due_at=due,
        organisation=request.provider,
    )
