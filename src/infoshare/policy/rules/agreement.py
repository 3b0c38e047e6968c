"""Which Information Sharing Agreement lets the provider share with the recipient for the
purpose, and which categories it covers (Sections 1.1 and 3.1).

The protocol is "activated through Information Sharing Agreements": without an agreement in
force between the two organisations, naming the purpose, nothing is shared under it. Only
the categories the agreement lists can go under it.
"""

from __future__ import annotations

from infoshare.policy.compile import CompiledAgreement, Policy
from infoshare.policy.decision import DisclosureRequest
from infoshare.policy.reasons import Reason, ReasonCode, reason


def agreements_for(
    request: DisclosureRequest, policy: Policy
) -> tuple[tuple[CompiledAgreement, ...], tuple[Reason, ...]]:
    """The agreements in force that cover the request's route and purpose, or why none does."""
    for code in (request.provider, request.recipient):
        if code not in policy.organisations:
            return (), (
                reason(
                    ReasonCode.UNKNOWN_ORGANISATION,
                    f"`{code}` is not a partner in the protocol; check the organisation code",
                ),
            )
    route = (request.provider, request.recipient, request.purpose)
    references = policy.routes.get(route, ())
    named = request.isa_reference
    if named is not None:
        if named not in policy.agreements:
            return (), (
                reason(
                    ReasonCode.UNKNOWN_AGREEMENT,
                    f"`{named}` is not an agreement in force; check the reference, or leave "
                    "it out to use any agreement that covers the request",
                ),
            )
        if named not in references:
            return (), (
                reason(
                    ReasonCode.NO_AGREEMENT,
                    f"agreement `{named}` does not let `{request.provider}` share with "
                    f"`{request.recipient}` for `{request.purpose}`",
                ),
            )
        references = (named,)
    if not references:
        return (), (
            reason(
                ReasonCode.NO_AGREEMENT,
                f"no agreement in force lets `{request.provider}` share with "
                f"`{request.recipient}` for `{request.purpose}`; sharing needs one "
                "(ask the information sharing manager)",
            ),
        )
    day = request.at.date()
    found = tuple(
        policy.agreements[ref] for ref in references if policy.agreements[ref].in_force_on(day)
    )
    if not found:
        return (), (
            reason(
                ReasonCode.AGREEMENT_NOT_IN_FORCE,
                f"{_listed(references)} did not cover {day}: it had not started or had ended",
            ),
        )
    return found, ()


def agreement_covers(request: DisclosureRequest, agreement: CompiledAgreement) -> Reason:
    return reason(
        ReasonCode.AGREEMENT_COVERS,
        f"agreement `{agreement.reference}` lets `{request.provider}` share with "
        f"`{request.recipient}` for `{request.purpose}`",
        agreement.reference,
    )


def categories_agreed(
    categories: tuple[str, ...], agreement: CompiledAgreement, policy: Policy
) -> tuple[tuple[str, ...], list[tuple[str, Reason]]]:
    """The categories the pack knows and the agreement lists; why each other one is withheld."""
    kept: list[str] = []
    withheld: list[tuple[str, Reason]] = []
    for category in categories:
        if category not in policy.categories:
            withheld.append(
                (
                    category,
                    reason(
                        ReasonCode.UNKNOWN_CATEGORY,
                        f"`{category}` is not a data category of the protocol; check its name",
                    ),
                )
            )
        elif category not in agreement.categories:
            withheld.append(
                (
                    category,
                    reason(
                        ReasonCode.CATEGORY_NOT_AGREED,
                        f"agreement `{agreement.reference}` does not cover `{category}`",
                        agreement.reference,
                    ),
                )
            )
        else:
            kept.append(category)
    return tuple(kept), withheld


def _listed(references: tuple[str, ...]) -> str:
    return ", ".join(f"`{r}`" for r in references)
