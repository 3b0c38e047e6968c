"""Sharing without consent on a statutory ground (Principles 4, 5 and 6; Procedure A5).

A practitioner may ask to share without consent where consent cannot be obtained or seeking
it would prejudice the purpose. The claim holds, for a category, when:

- the agreement shares for the purpose with consent *or* a statutory ground (an agreement
  on consent alone allows no ground, Principle 5);
- every ground claimed is one the agreement allows for that purpose (Section 2.2);
- at least one claimed ground permits sharing without consent and is not a constraint (the
  duty of confidence, the opt-outs, the STD Directions limit sharing, never justify it),
  serves the purpose and the provider's or recipient's kind of organisation, and the grounds
  it relies on (e.g. the DPA 1998 Schedule 2 and 3 conditions) exist and serve them too;
- for a sensitive category, one of those grounds, or one they rely on, is a condition for
  sensitive data (DPA 1998 Schedule 3);
- a justification says why (Principle 6: decisions "fully considered" and recorded).

Even then it goes to a designated officer of the provider first (``refer``); only their
approval (``approval``) lets it go.
"""

from __future__ import annotations

from collections.abc import Iterable

from infoshare.domain.agreement import ConsentModel
from infoshare.policy.compile import GroundEntry, Policy, PurposeEntry
from infoshare.policy.decision import DisclosureRequest
from infoshare.policy.reasons import Reason, ReasonCode, reason


def claim_problem(
    request: DisclosureRequest, agreed: PurposeEntry, reference: str
) -> Reason | None:
    """What is wrong with the statutory claim as a whole, whatever the category, or None."""
    claimed = request.basis.legal_grounds
    if agreed.consent_model is not ConsentModel.CONSENT_OR_STATUTORY:
        return reason(
            ReasonCode.AGREEMENT_REQUIRES_CONSENT,
            f"`{reference}` shares for `{request.purpose}` with consent only; seek the "
            "person's consent (Procedure A1)",
            reference,
        )
    if not claimed:
        return reason(
            ReasonCode.NO_GROUND_CLAIMED,
            "name the statutory ground that allows sharing without consent; the agreement "
            f"allows {_listed(agreed.legal_grounds)}",
            reference,
        )
    outside = [g for g in claimed if g not in agreed.legal_grounds]
    if outside:
        return reason(
            ReasonCode.GROUND_NOT_IN_AGREEMENT,
            f"{_listed(outside)} is not a ground `{reference}` allows for `{request.purpose}`; "
            f"use one of {_listed(agreed.legal_grounds)}",
            reference,
        )
    if not request.basis.justification.strip():
        return reason(
            ReasonCode.JUSTIFICATION_MISSING,
            "say why sharing without consent is necessary and why consent cannot be sought; "
            "the designated officer decides on it and it is recorded for audit",
        )
    return None


def ground_problem(
    request: DisclosureRequest,
    policy: Policy,
    category: str,
    organisation_types: tuple[str, ...],
) -> Reason | None:
    """Why the claimed grounds do not allow sharing ``category`` without consent, or None."""
    usable = [
        g
        for g in (policy.grounds.get(gid) for gid in request.basis.legal_grounds)
        if g is not None
        and g.permits_sharing_without_consent
        and not g.constraint
        and g.serves(request.purpose, organisation_types)
        and _relied_on_hold(g, policy, request.purpose, organisation_types)
    ]
    if not usable:
        return reason(
            ReasonCode.GROUND_DOES_NOT_APPLY,
            f"none of {_listed(request.basis.legal_grounds)} allows `{request.provider}` to "
            f"share without consent for `{request.purpose}`; choose a ground that does",
        )
    entry = policy.categories.get(category)
    if entry is not None and entry.sensitive and not _covers_sensitive(usable, policy):
        return reason(
            ReasonCode.GROUND_NOT_FOR_SENSITIVE_DATA,
            f"`{category}` is sensitive, and none of {_listed(request.basis.legal_grounds)} "
            "(nor what they rely on) is a condition for sensitive data",
        )
    return None


def ground_applies(request: DisclosureRequest, categories: tuple[str, ...]) -> Reason:
    return reason(
        ReasonCode.STATUTORY_GROUND_APPLIES,
        f"{_listed(request.basis.legal_grounds)} can allow sharing "
        f"{', '.join(f'`{c}`' for c in categories)} without consent for `{request.purpose}`",
        *request.basis.legal_grounds,
    )


def _relied_on_hold(
    ground: GroundEntry, policy: Policy, purpose: str, organisation_types: tuple[str, ...]
) -> bool:
    for ground_id in ground.relies_on:
        needed = policy.grounds.get(ground_id)
        if needed is None or not needed.serves(purpose, organisation_types):
            return False
    return True


def _covers_sensitive(usable: list[GroundEntry], policy: Policy) -> bool:
    for ground in usable:
        if ground.covers_sensitive_data:
            return True
        for ground_id in ground.relies_on:
            needed = policy.grounds.get(ground_id)
            if needed is not None and needed.covers_sensitive_data:
                return True
    return False


def _listed(names: Iterable[str]) -> str:
    return ", ".join(f"`{n}`" for n in sorted(names)) or "no ground"
