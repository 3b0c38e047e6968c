"""A designated officer's approval of sharing without consent (Procedure A5, Principle 6).

The shell checks the approval is genuine and answers an open referral (so it cannot be
forged or replayed); the core checks what it says: that its officer is an active designated
officer of the provider (Procedure A6), not the person asking (nobody approves their own
referral), that it approves this subject, this purpose and the grounds claimed, and that it
was given before the moment decided on. It lets go the categories it names; any others stay
referred.
"""

from __future__ import annotations

from infoshare.policy.compile import Policy
from infoshare.policy.decision import Approval, DisclosureRequest
from infoshare.policy.reasons import Reason, ReasonCode, reason


def approval_problem(
    request: DisclosureRequest, approval: Approval, policy: Policy
) -> Reason | None:
    """Why ``approval`` is no approval of this request at all, or None.

    An approval that is genuine but leaves out some categories approves the others; those
    it leaves out stay referred (``not_approved``).
    """
    officer = approval.officer_id
    if officer == request.requester:
        return reason(
            ReasonCode.SELF_APPROVAL,
            f"`{officer}` asked for this disclosure and cannot approve it; another designated "
            f"officer of `{request.provider}` must",
        )
    if officer not in policy.designated_officers.get(request.provider, frozenset()):
        return reason(
            ReasonCode.APPROVAL_INVALID,
            f"`{officer}` is not an active designated officer of `{request.provider}`; only "
            "they may approve sharing without consent",
        )
    mismatch = _mismatch(request, approval)
    if mismatch is not None:
        return reason(
            ReasonCode.APPROVAL_INVALID,
            f"the approval by `{officer}` {mismatch}; ask for a new approval of this request",
            *((approval.referral_id,) if approval.referral_id else ()),
        )
    return None


def _mismatch(request: DisclosureRequest, approval: Approval) -> str | None:
    if approval.subject_id != request.subject_id:
        return "is about another person"
    if approval.purpose != request.purpose:
        return f"is for `{approval.purpose}`, not `{request.purpose}`"
    if set(approval.legal_grounds) != set(request.basis.legal_grounds):
        return "relies on other grounds than those claimed"
    if approval.at > request.at:
        return "is dated after the moment decided on"
    return None


def not_approved(
    request: DisclosureRequest, approval: Approval, categories: tuple[str, ...]
) -> Reason:
    return reason(
        ReasonCode.NOT_APPROVED,
        f"the approval by `{approval.officer_id}` does not cover "
        f"{', '.join(f'`{c}`' for c in categories)}, so they stay referred",
        *((approval.referral_id,) if approval.referral_id else ()),
    )


def approved(request: DisclosureRequest, approval: Approval) -> Reason:
    return reason(
        ReasonCode.APPROVED,
        f"designated officer `{approval.officer_id}` approved sharing without consent on "
        f"{approval.at.date()}",
        approval.officer_id,
        *((approval.referral_id,) if approval.referral_id else ()),
    )
