"""How it is sent: a method the agreement allows, with the safeguards of its procedure
(Procedure B1; B2 fax, B3 email or disc, B4 verbal, B5 post).

A method the agreement does not list is refused outright: the safeguards that make a method
safe are agreed in advance. The agreed safeguards become conditions of the decision.
"""

from __future__ import annotations

from infoshare.policy.compile import CompiledAgreement, Policy, TransferEntry
from infoshare.policy.decision import Condition, ConditionKind, DisclosureRequest
from infoshare.policy.reasons import Reason, ReasonCode, reason


def check_transfer(
    request: DisclosureRequest, agreement: CompiledAgreement, policy: Policy
) -> tuple[TransferEntry | None, Reason]:
    """The agreed method with its safeguards and a reason saying so, or why it is refused."""
    method = request.transfer_method
    agreed = agreement.transfers.get(method)
    if agreed is None:
        allowed = ", ".join(f"`{m}`" for m in sorted(agreement.transfers)) or "none"
        what = (
            "is not a transfer method of the protocol"
            if method not in policy.transfer_methods
            else (f"is not allowed by `{agreement.reference}`")
        )
        return None, reason(
            ReasonCode.TRANSFER_NOT_AGREED,
            f"sending by `{method}` {what}; use one the agreement allows: {allowed}",
            agreement.reference,
        )
    return agreed, reason(
        ReasonCode.TRANSFER_AGREED,
        f"`{agreement.reference}` allows sending by `{method}` with its safeguards "
        f"({agreed.procedure})",
        agreement.reference,
    )


def safeguard_conditions(agreed: TransferEntry) -> tuple[Condition, ...]:
    return tuple(
        Condition(ConditionKind.TRANSFER_SAFEGUARD, agreed.procedure, text, (safeguard_id,))
        for safeguard_id, text in agreed.safeguards
    )
