"""The purpose: one of the protocol's (Section 2.1), and whether it needs identifiable data.

Principle 11 and Procedure B8: personal information is disclosed only where the purpose
clearly requires it; for every other purpose, and for purposes an agreement shares
anonymised only, information about individual cases leaves anonymised. Categories that
identify the person (names, numbers, addresses) are then withheld outright, and what remains
goes as anonymised output.
"""

from __future__ import annotations

from infoshare.domain.agreement import ConsentModel
from infoshare.policy.compile import Policy, PurposeEntry
from infoshare.policy.decision import DisclosureRequest
from infoshare.policy.reasons import Reason, ReasonCode, reason


def purpose_problem(request: DisclosureRequest, policy: Policy) -> Reason | None:
    """Why the purpose is not one of the protocol's, or None."""
    if request.purpose in policy.purposes:
        return None
    known = ", ".join(f"`{p}`" for p in policy.purposes)
    return reason(
        ReasonCode.UNKNOWN_PURPOSE,
        f"`{request.purpose}` is not a purpose of the protocol; use one of {known}",
    )


def anonymised_only(
    request: DisclosureRequest, policy: Policy, agreed: PurposeEntry
) -> Reason | None:
    """Why only anonymised information may go for this purpose, or None."""
    if not policy.purposes.get(request.purpose, False):
        return reason(
            ReasonCode.ANONYMISED_ONLY,
            f"`{request.purpose}` does not need to identify anyone, so only anonymised "
            "information about the case may be shared",
        )
    if agreed.consent_model is ConsentModel.ANONYMISED_ONLY:
        return reason(
            ReasonCode.ANONYMISED_ONLY,
            f"the agreement shares anonymised information only for `{request.purpose}`",
        )
    return None


def strip_identifying(
    categories: tuple[str, ...], policy: Policy
) -> tuple[tuple[str, ...], list[tuple[str, Reason]]]:
    """``categories`` without those that identify the person, and why each was withheld."""
    kept: list[str] = []
    withheld: list[tuple[str, Reason]] = []
    for category in categories:
        entry = policy.categories.get(category)
        if entry is not None and entry.identifying:
            withheld.append(
                (
                    category,
                    reason(
                        ReasonCode.IDENTIFYING_WITHHELD,
                        f"`{category}` identifies the person and cannot be anonymised; "
                        "it is withheld",
                    ),
                )
            )
        else:
            kept.append(category)
    return tuple(kept), withheld
