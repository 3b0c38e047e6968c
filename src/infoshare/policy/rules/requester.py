"""Who may ask: active staff of a party that has adopted the protocol, with current training.

Principle 14 (staff awareness: everyone who shares knows the protocol, so their training is
recorded and current), Procedure C1 (a party shares under the protocol once it has formally
adopted it; supporting members of the steering group do not, Section 1.2), and Principle 7
(only those involved in the sharing ask: the requester works at the provider or the
recipient).
"""

from __future__ import annotations

from infoshare.policy.compile import Policy, StaffEntry
from infoshare.policy.decision import DisclosureRequest
from infoshare.policy.reasons import Reason, ReasonCode, reason


def check_requester(
    request: DisclosureRequest, policy: Policy
) -> tuple[StaffEntry | None, tuple[Reason, ...]]:
    """The requester's entry and either the reasons they may not ask, or one saying they may."""
    staff_id = request.requester
    entry = policy.staff.get(staff_id)
    if entry is None:
        return None, (
            reason(
                ReasonCode.UNKNOWN_REQUESTER,
                f"`{staff_id}` is not a member of staff infoshare knows; ask your "
                "information sharing lead to add you",
            ),
        )
    day = request.at.date()
    problems: list[Reason] = []
    if not entry.active:
        problems.append(
            reason(
                ReasonCode.REQUESTER_INACTIVE,
                f"`{staff_id}` is no longer active staff; only current staff may share",
            )
        )
    organisation = policy.organisations.get(entry.organisation)
    if organisation is None:
        problems.append(
            reason(
                ReasonCode.UNKNOWN_ORGANISATION,
                f"`{entry.organisation}` is not a partner in the protocol",
            )
        )
    elif not organisation.party:
        problems.append(
            reason(
                ReasonCode.NOT_A_PARTY,
                f"`{entry.organisation}` supports the protocol but is not a party to it, so "
                "it does not share personal information under it",
            )
        )
    elif organisation.adopted_on is None or organisation.adopted_on > day:
        problems.append(
            reason(
                ReasonCode.PARTY_NOT_ADOPTED,
                f"`{entry.organisation}` had not formally adopted the protocol on {day}; it "
                "shares under it once its board approves it",
            )
        )
    if entry.trained_on is None or entry.trained_on > day:
        problems.append(
            reason(
                ReasonCode.REQUESTER_NOT_TRAINED,
                f"`{staff_id}` has no protocol training recorded by {day}; complete the "
                "training before sharing",
            )
        )
    elif entry.trained_until is not None and entry.trained_until < day:
        problems.append(
            reason(
                ReasonCode.TRAINING_LAPSED,
                f"the protocol training of `{staff_id}` lapsed on {entry.trained_until}; "
                "complete a refresher before sharing",
            )
        )
    if entry.organisation not in (request.provider, request.recipient):
        problems.append(
            reason(
                ReasonCode.REQUESTER_NOT_INVOLVED,
                f"`{staff_id}` works at `{entry.organisation}`, neither the provider "
                f"`{request.provider}` nor the recipient `{request.recipient}`; ask someone "
                "involved to make the request",
            )
        )
    if problems:
        return entry, tuple(problems)
    return entry, (
        reason(
            ReasonCode.REQUESTER_AUTHORISED,
            f"`{staff_id}` is active, trained staff of `{entry.organisation}`, a party that "
            "has adopted the protocol",
        ),
    )
