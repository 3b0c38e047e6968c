"""A designated officer's approval of sharing without consent (Procedure A5, Principle 6).

The shell checks the approval is genuine and answers an open referral (so it cannot be
forged or replayed); the core checks what it says: that its officer is an active designated
officer of the provider (Procedure A6), not the person asking (nobody approves their own
referral), and that it approves this subject, this purpose, the grounds claimed and every
category that would go without consent, and that it was given before the moment decided on.
"""

from __future__ import annotations

from infoshare.policy.compile import Policy
from infoshare.policy.decision import Approval, DisclosureRequest
from infoshare.policy.reasons import Reason, ReasonCode, reason


def approval_problem(
    request: DisclosureRequest, approval: Approval, policy: Policy, referred: tuple[str, ...]
) -> Reason | None:
    """Why ``approval`` does not approve sharing ``referred`` as requested, or None."""
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
    mismatch = _mismatch(request, approval, referred)
    if mismatch is not None:
        return reason(
            ReasonCode.APPROVAL_INVALID,
            f"the approval by `{officer}` {mismatch}; ask for a new approval of this request",
            *((approval.referral_id,) if approval.referral_id else ()),
        )
    return None


def _mismatch(
    request: DisclosureRequest, approval: Approval, referred: tuple[str, ...]
) -> str | None:
    if approval.subject_id != request.subject_id:
        return "is about another person"
    if approval.purpose != request.purpose:
        return f"is for `{approval.purpose}`, not `{request.purpose}`"
    if set(approval.legal_grounds) != set(request.basis.legal_grounds):
        return "relies on other grounds than those claimed"
    missing = [c for c in referred if c not in approval.data_categories]
    if missing:
        return f"does not cover {', '.join(f'`{c}`' for c in missing)}"
    if approval.at > request.at:
        return "is dated after the moment decided on"
    return None


def approved(request: DisclosureRequest, approval: Approval) -> Reason:
    return reason(
        ReasonCode.APPROVED,
        f"designated officer `{approval.officer_id}` approved sharing without consent on "
        f"{approval.at.date()}",
        approval.officer_id,
        *((approval.referral_id,) if approval.referral_id else ()),
    )
