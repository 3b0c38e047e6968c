"""Need to know: only the minimum the recipient's role needs for the purpose (Principle 7,
Procedure B7, the matrix of Appendix 2).

An agreement's matrix grants categories to a role at an organisation, for some or all of its
purposes; what no row grants is withheld. The role is the requester's own when they ask for
themselves at the recipient; a provider sending on its own initiative says whose role the
information goes to.
"""

from __future__ import annotations

from infoshare.policy.compile import CompiledAgreement, StaffEntry
from infoshare.policy.decision import DisclosureRequest
from infoshare.policy.reasons import Reason, ReasonCode, reason


def receiving_roles(
    request: DisclosureRequest, requester: StaffEntry
) -> tuple[frozenset[str], Reason | None]:
    """The roles the need-to-know matrix is read for, or why they are unknown."""
    if requester.organisation == request.recipient:
        if request.recipient_role is not None:
            if request.recipient_role in requester.roles:
                return frozenset((request.recipient_role,)), None
            return frozenset(), reason(
                ReasonCode.RECIPIENT_ROLE_MISSING,
                f"`{request.requester}` does not hold the role `{request.recipient_role}`",
            )
        return requester.roles, None
    if request.recipient_role is None:
        return frozenset(), reason(
            ReasonCode.RECIPIENT_ROLE_MISSING,
            f"say the role of the person at `{request.recipient}` who will receive it, so "
            "only what that role needs is shared",
        )
    return frozenset((request.recipient_role,)), None


def need_to_know(
    request: DisclosureRequest,
    agreement: CompiledAgreement,
    roles: frozenset[str],
    categories: tuple[str, ...],
) -> tuple[tuple[str, ...], list[tuple[str, Reason]], Reason | None]:
    """The categories the roles may receive, why each other is withheld, and the grant."""
    granted = agreement.granted(request.recipient, roles, request.purpose)
    kept = tuple(c for c in categories if c in granted)
    withheld = [
        (
            c,
            reason(
                ReasonCode.NOT_NEEDED,
                f"the need-to-know matrix of `{agreement.reference}` does not give `{c}` to "
                f"{_roles(roles)} at `{request.recipient}` for `{request.purpose}`",
                agreement.reference,
            ),
        )
        for c in categories
        if c not in granted
    ]
    if not kept:
        return kept, withheld, None
    return (
        kept,
        withheld,
        reason(
            ReasonCode.NEED_TO_KNOW,
            f"{_roles(roles)} at `{request.recipient}` need to know "
            f"{', '.join(f'`{c}`' for c in kept)} for `{request.purpose}`",
            agreement.reference,
        ),
    )


def _roles(roles: frozenset[str]) -> str:
    if not roles:
        return "no role"
    return " or ".join(f"`{r}`" for r in sorted(roles))
