"""Onward use of information received earlier (Principle 9, Procedure B6).

Information shared for a specific purpose is not intelligence for the general use of the
organisation that received it. A request that derives from an earlier disclosure must come
from its recipient, may pass on only what that disclosure contained, and, for another
purpose, stands on a new basis of its own: the consent or statutory ground checked for the
new purpose, never the earlier one.
"""

from __future__ import annotations

from infoshare.policy.decision import DisclosureRequest, PriorDisclosure
from infoshare.policy.reasons import Reason, ReasonCode, reason


def onward_use(
    request: DisclosureRequest, prior: PriorDisclosure, categories: tuple[str, ...]
) -> tuple[tuple[str, ...], list[tuple[str, Reason]], Reason]:
    """The categories that may go on, why others are withheld, and the finding.

    When the finding is ``onward-not-holder`` nothing may go on.
    """
    if prior.recipient != request.provider:
        return (
            (),
            [],
            reason(
                ReasonCode.ONWARD_NOT_HOLDER,
                f"disclosure `{prior.disclosure_id}` went to `{prior.recipient}`, not "
                f"`{request.provider}`; only its recipient may ask to use it again",
                prior.disclosure_id,
            ),
        )
    received = set(prior.data_categories)
    kept = tuple(c for c in categories if c in received)
    withheld = [
        (
            c,
            reason(
                ReasonCode.ONWARD_NOT_RECEIVED,
                f"disclosure `{prior.disclosure_id}` did not include `{c}`",
                prior.disclosure_id,
            ),
        )
        for c in categories
        if c not in received
    ]
    if prior.purpose == request.purpose:
        finding = reason(
            ReasonCode.ONWARD_SAME_PURPOSE,
            f"used again for `{request.purpose}`, the purpose it was shared for",
            prior.disclosure_id,
        )
    else:
        finding = reason(
            ReasonCode.ONWARD_NEW_PURPOSE,
            f"disclosure `{prior.disclosure_id}` was for `{prior.purpose}`; using it for "
            f"`{request.purpose}` needs a basis of its own, checked here",
            prior.disclosure_id,
        )
    return kept, withheld, finding
