"""Consent as the basis: does the person's consent cover this recipient, purpose and category
at this moment (Procedure A4), and has the person refused (Principle 5)?

The rule itself is ``infoshare.policy.consent.check_consent``; this module asks it through the
subject's ``ConsentIndex`` and sorts the categories into those consent covers, those an
explicit refusal applies to (the bar is raised: Procedure A5 with an approved statutory
ground only), and those simply not covered, each with the consent check's own reasons.
"""

from __future__ import annotations

from dataclasses import dataclass

from infoshare.policy.compile import CompiledAgreement
from infoshare.policy.consent import ConsentQuery, IsaContext
from infoshare.policy.consent_index import QuickAnswers
from infoshare.policy.decision import DisclosureRequest, SubjectFacts
from infoshare.policy.reasons import Reason, ReasonCode, reason


@dataclass(frozen=True, slots=True)
class ConsentFindings:
    #: category -> ids of the consents covering it
    covered: dict[str, tuple[str, ...]]
    #: category -> reasons, where an explicit refusal applies
    refused: dict[str, tuple[Reason, ...]]
    #: category -> reasons, where consent does not cover it
    not_covered: dict[str, tuple[Reason, ...]]
    #: category -> the reason saying which consents cover it (one reason may serve several)
    covers: dict[str, Reason]


def consent_findings(
    request: DisclosureRequest,
    agreement: CompiledAgreement,
    facts: SubjectFacts,
    categories: tuple[str, ...],
    quick: QuickAnswers | None = None,
) -> ConsentFindings:
    """Which of ``categories`` consent covers, which a refusal bars, and which it does not
    cover; ``quick`` is what the subject's index already answered about them, if asked."""
    isa = agreement.consent_context
    if quick is None:
        quick = facts.consent_index.answers(
            request.recipient, isa, request.purpose, categories, request.at
        )
    covered = quick.covered
    not_covered = quick.not_covered
    unsettled = quick.unsettled
    covers: dict[str, Reason] = {}
    if covered:
        # one reason for every category the quick path found covered
        found = reason(
            ReasonCode.CONSENT_COVERS,
            covers_sentence(request, tuple(covered)),
            *sorted({i for ids in covered.values() for i in ids}),
        )
        covers = dict.fromkeys(covered, found)
    refused = quick.refused
    if not unsettled:
        return ConsentFindings(covered, refused, not_covered, covers)
    # each category is checked on its own, so asking only about the rest changes no answer
    checked = _checked(request, isa, facts, unsettled)
    covered.update(checked.covered)
    covers.update(checked.covers)
    not_covered.update(checked.not_covered)
    refused.update(checked.refused)
    return ConsentFindings(covered, refused, not_covered, covers)


def covers_sentence(request: DisclosureRequest, categories: tuple[str, ...]) -> str:
    """What the consent-covers reason says about ``categories``."""
    return (
        f"consent covers sharing {', '.join(f'`{c}`' for c in categories)} with "
        f"`{request.recipient}` for `{request.purpose}`"
    )


def _checked(
    request: DisclosureRequest,
    isa: IsaContext,
    facts: SubjectFacts,
    categories: tuple[str, ...],
) -> ConsentFindings:
    query = ConsentQuery(
        recipient=request.recipient,
        purpose=request.purpose,
        data_categories=categories,
        at=request.at,
        isa=isa,
    )
    coverage = facts.consent_index.check(query)
    covered: dict[str, tuple[str, ...]] = {}
    refused: dict[str, tuple[Reason, ...]] = {}
    not_covered: dict[str, tuple[Reason, ...]] = {}
    covers: dict[str, Reason] = {}
    for found in coverage.categories:
        if found.covered:
            covered[found.category] = found.covered_by
            covers[found.category] = found.reasons[0]
        elif any(r.code is ReasonCode.CONSENT_REFUSED for r in found.reasons):
            refused[found.category] = found.reasons
        else:
            not_covered[found.category] = found.reasons
    return ConsentFindings(covered, refused, not_covered, covers)
