"""What the subject is told, and what stays confidential from them (Principles 5, 8 and 12).

Items a professional asked to keep from the person stay marked confidential wherever they go,
with the reason and the statutory ground (Principle 8: such decisions are taken on statutory
grounds only; a marker naming no ground the pack knows is still honoured, and flagged).
When information goes without consent the person is told, unless telling them would
prejudice the purpose (crime, protection by default): then why not is recorded.
"""

from __future__ import annotations

from infoshare.policy.compile import Policy
from infoshare.policy.decision import (
    Condition,
    ConditionKind,
    DisclosureRequest,
    SubjectFacts,
)
from infoshare.policy.reasons import Reason, ReasonCode, reason


def confidential_marks(
    facts: SubjectFacts, policy: Policy, shared: tuple[str, ...]
) -> tuple[list[Condition], list[Reason]]:
    conditions: list[Condition] = []
    reasons: list[Reason] = []
    for item in sorted(facts.confidential, key=lambda i: i.id):
        marked = tuple(c for c in shared if c in item.data_categories)
        if not marked:
            continue
        conditions.append(
            Condition(
                ConditionKind.MARK_CONFIDENTIAL,
                "Principle 8",
                f"mark {', '.join(f'`{c}`' for c in marked)} confidential from the person "
                f"({item.reason}; {item.ground})",
                (item.id, *marked),
            )
        )
        reasons.append(
            reason(
                ReasonCode.CONFIDENTIAL_FROM_SUBJECT,
                f"{', '.join(f'`{c}`' for c in marked)} must stay confidential from the person "
                f"on ground `{item.ground}`",
                item.id,
            )
        )
        if item.ground not in policy.grounds:
            reasons.append(
                reason(
                    ReasonCode.CONFIDENTIALITY_WITHOUT_GROUND,
                    f"keeping `{item.id}` from the person names `{item.ground}`, not a "
                    "statutory ground of the protocol; it stays marked, but record the ground",
                    item.id,
                )
            )
    return conditions, reasons


def telling_the_subject(request: DisclosureRequest, policy: Policy) -> Condition:
    """For information going without consent: tell the person, or record why not."""
    if request.purpose in policy.options.purposes_not_told:
        return Condition(
            ConditionKind.RECORD_WHY_NOT_INFORMED,
            "Principle 6",
            f"telling the person may prejudice `{request.purpose}`: if they are not told, "
            "record why not",
        )
    return Condition(
        ConditionKind.INFORM_SUBJECT,
        "Principle 12",
        "tell the person what was shared, with whom and why, as soon as it is safe to",
    )


FACT_OR_OPINION = Condition(
    ConditionKind.STATE_FACT_OR_OPINION,
    "Principle 10",
    "state whether each item is fact, opinion, or both",
)
