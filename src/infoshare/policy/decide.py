"""The disclosure decision: ``decide(request, policy, facts) -> Decision`` (Principles 4–11,
14; Procedures A4, A5, A7, B1–B8, C1).

Pure: everything comes in as an argument (the moment too) and nothing is read or written.
The rules run in the order of Procedure A7's guidance for staff, each in its own module
under ``infoshare.policy.rules``:

1. the request is well formed and the facts are the subject's (Principle 4);
2. the requester is active, trained staff of a party that adopted the protocol and is the
   provider or the recipient (Principle 14, Procedure C1);
3. the purpose is the protocol's (Section 2.1) and an agreement in force covers provider,
   recipient and purpose (Sections 1.1, 3.1);
4. the transfer method is agreed (Procedure B1; its safeguards, B2–B5, become conditions);
5. only categories the agreement covers and the recipient's role needs (Principle 7, B7),
   less those restricted by law or by the person's record (Principles 2, 4), less, for
   onward use, those not received earlier (Principle 9, B6);
6. a purpose that does not need to identify anyone gets anonymised output (Principle 11, B8);
7. the basis, per category: consent (A4); else, where the person refused or objected, or
   gave no consent, a statutory ground with a justification, referred to a designated
   officer (Principles 5, 6; A5) unless their approval is given; or an emergency (vital
   interests), shared at once and reviewed;
8. conditions: safeguards, fact or opinion (Principle 10), what stays confidential from the
   person (Principle 8), telling them or recording why not, the referral or review task.

Where several agreements cover the route, each is tried and the one letting most through
decides (on a tie, the first by reference). Anything unexpected denies: decide() never
raises.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Final

from infoshare.policy.compile import CompiledAgreement, Policy, StaffEntry
from infoshare.policy.consent_index import QuickAnswers
from infoshare.policy.decision import (
    NO_BASIS,
    OUTCOME_RANK,
    Basis,
    BasisKind,
    ClaimKind,
    Condition,
    ConditionKind,
    Decision,
    DisclosureRequest,
    Outcome,
    SubjectFacts,
    WithheldCategory,
)
from infoshare.policy.reasons import CLAUSES, Reason, ReasonCode, reason
from infoshare.policy.rules.agreement import agreement_covers, agreements_for, categories_agreed
from infoshare.policy.rules.approval import approval_problem, approved, not_approved
from infoshare.policy.rules.confidentiality import (
    FACT_OR_OPINION,
    confidential_marks,
    telling_the_subject,
)
from infoshare.policy.rules.consent_basis import consent_findings, covers_sentence
from infoshare.policy.rules.emergency import (
    emergency_grounds,
    emergency_problem,
    review_task,
    vital_interests,
    vital_interests_problem,
)
from infoshare.policy.rules.need_to_know import need_to_know, receiving_roles
from infoshare.policy.rules.objections import objections
from infoshare.policy.rules.onward_use import onward_use
from infoshare.policy.rules.purpose import anonymised_only, purpose_problem, strip_identifying
from infoshare.policy.rules.request_shape import request_problem
from infoshare.policy.rules.requester import check_requester
from infoshare.policy.rules.restrictions import statutory_restrictions, subject_restrictions
from infoshare.policy.rules.statutory_ground import claim_problem, ground_applies, ground_problem
from infoshare.policy.rules.transfer import check_transfer, safeguard_conditions


def decide(request: DisclosureRequest, policy: Policy, facts: SubjectFacts) -> Decision:
    """Whether ``request`` may be shared, what exactly, on what basis, and why."""
    try:
        return _decide(request, policy, facts)
    except Exception as error:  # fail closed: an unexpected fault denies, never escapes
        return _denied(
            _asked(request),
            (
                reason(
                    ReasonCode.DECISION_FAILED,
                    f"the decision could not be made ({type(error).__name__}), so nothing "
                    "may be shared; report this to the information sharing manager",
                ),
            ),
        )


def _decide(request: DisclosureRequest, policy: Policy, facts: SubjectFacts) -> Decision:
    problem = request_problem(request, facts, facts_required=True)
    if problem is not None:
        field = f" ({problem.field})" if problem.field else ""
        return _denied(
            _asked(request),
            (reason(ReasonCode.MALFORMED_REQUEST, f"{problem.message}{field}"),),
        )
    # What the policy says about a request does not depend on the person it is about, so it
    # is worked out once per kind of request and kept with the policy (see Policy.prepared).
    key = (
        request.requester,
        request.provider,
        request.recipient,
        request.purpose,
        request.data_categories,
        request.transfer_method,
        request.isa_reference,
        request.recipient_role,
        request.at.date(),
        request.derived_from is None,
    )
    prepared = policy.prepared.get(key)
    if prepared is None:
        prepared = _prepare(request, policy)
        if len(policy.prepared) >= PREPARED_LIMIT:
            policy.prepared.clear()
        policy.prepared[key] = prepared
    if isinstance(prepared, Decision):
        return prepared
    if len(prepared) == 1:
        # one agreement covers the route, as it usually does: nothing to compare
        stage = prepared[0]
        return stage.denial or _complete(request, policy, facts, stage)
    best: Decision | None = None
    for stage in prepared:
        decision = stage.denial or _complete(request, policy, facts, stage)
        if best is None or _better(decision, best):
            best = decision
    assert best is not None
    return best


#: how many kinds of request a policy remembers before it starts again
PREPARED_LIMIT: Final = 65536
#: how many kinds of statutory claim one kind of request remembers
CLAIMS_LIMIT: Final = 64


@dataclass(frozen=True, slots=True)
class Prepared:
    """What the policy decided about a request under one agreement, before the facts."""

    agreement: CompiledAgreement
    asked: tuple[str, ...]
    #: after the agreement, need to know and statutory restrictions
    categories: tuple[str, ...]
    withheld: tuple[tuple[str, Reason], ...]
    reasons: tuple[Reason, ...]
    conditions: tuple[Condition, ...]
    anonymised: Reason | None
    #: a denial that no fact about the person can change
    denial: Decision | None = None
    #: what the two commonest answers share, made once (see ``_plain``); None when the
    #: request derives from an earlier disclosure or goes anonymised
    plain: Plain | None = None
    #: the anonymised decision, the same for everyone without a restriction on record
    anonymous: Decision | None = None
    #: the kinds of organisation of provider and recipient, for the grounds they may use
    types: tuple[str, ...] = ()
    #: the referral to the provider's designated officers, should one be needed (A5)
    referral: Condition | None = None
    #: telling the person, or recording why not, should it go without consent
    telling: Condition | None = None
    #: (grounds claimed, whether justified) -> what is wrong with that statutory claim as a
    #: whole, and with it for each category asked about (see ``_statutory``)
    claims: dict[tuple[tuple[str, ...], bool], tuple[Reason | None, dict[str, Reason | None]]] = (
        field(default_factory=dict, compare=False, repr=False)
    )
    #: grounds claimed (with a justification) -> the parts of a referral on them where no
    #: consent names the sharing (see ``_referred_without_consent``)
    referrals: dict[tuple[str, ...], Referral] = field(
        default_factory=dict, compare=False, repr=False
    )


@dataclass(frozen=True, slots=True)
class Referral:
    """What a statutory claim that holds as a whole comes to under one kind of request,
    before the person: which categories go to a designated officer (Procedure A5) and why
    the others are withheld. Only the consent reasons are the person's."""

    #: the categories the grounds can allow without consent, in the order asked
    pending: tuple[str, ...]
    #: for each category asked and not pending, in order: the decision's withheld entry
    #: when the person's consent plays no part in it, or (category, the policy's reasons,
    #: the ground's problem) to follow the person's consent reasons
    slots: tuple[WithheldCategory | tuple[str, tuple[Reason, ...], Reason], ...]
    #: the grounds can allow the pending categories; a designated officer must approve
    applies: Reason | None
    needed: Reason | None
    #: a referral's conditions: the safeguards, the referral, fact or opinion
    conditions: tuple[Condition, ...]


@dataclass(frozen=True, slots=True)
class Plain:
    """The parts of a decision on consent alone that do not depend on the person.

    Where the person has no objection, restriction or confidential item on record, the
    decision under an agreement comes down to what their consent index answers: consent
    covers every category left (a permit), or no consent even names the sharing (a denial).
    Everything else about those two decisions is known before the person is.
    """

    #: the categories asked that the policy itself withholds, with why, in the order asked
    kept_out: tuple[WithheldCategory, ...]
    #: the sentence of the consent-covers reason (its refs are the person's consents)
    covers: str
    #: a permit's conditions: the transfer safeguards, then fact or opinion (Principle 10)
    conditions: tuple[Condition, ...]
    #: a denial's reasons: the policy's, then that nothing may be shared
    refused: tuple[Reason, ...]


def _prepare(request: DisclosureRequest, policy: Policy) -> Decision | tuple[Prepared, ...]:
    """The part of the decision that depends on the policy and the request alone."""
    asked = tuple(dict.fromkeys(request.data_categories))
    requester, found = check_requester_reasons(request, policy)
    if requester is None:
        return _denied(asked, found)
    unknown_purpose = purpose_problem(request, policy)
    if unknown_purpose is not None:
        return _denied(asked, (*found, unknown_purpose))
    agreements, problems = agreements_for(request, policy)
    if not agreements:
        return _denied(asked, (*found, *problems))
    roles, role_problem = receiving_roles(request, requester)
    if role_problem is not None:
        return _denied(asked, (*found, role_problem))
    return tuple(_prepare_under(request, policy, asked, found, roles, a) for a in agreements)


def check_requester_reasons(
    request: DisclosureRequest, policy: Policy
) -> tuple[StaffEntry | None, tuple[Reason, ...]]:
    """The requester, or None with the reasons they may not ask (Principle 14, C1)."""
    entry, found = check_requester(request, policy)
    if entry is None or found[0].code is not ReasonCode.REQUESTER_AUTHORISED:
        return None, found
    return entry, found


def _better(one: Decision, other: Decision) -> bool:
    return (OUTCOME_RANK[one.outcome], len(one.permitted) + len(one.referred)) > (
        OUTCOME_RANK[other.outcome],
        len(other.permitted) + len(other.referred),
    )


def _prepare_under(
    request: DisclosureRequest,
    policy: Policy,
    asked: tuple[str, ...],
    found: tuple[Reason, ...],
    roles: frozenset[str],
    agreement: CompiledAgreement,
) -> Prepared:
    reference = agreement.reference
    reasons: list[Reason] = [*found, agreement_covers(request, agreement)]
    transfer, transfer_reason = check_transfer(request, agreement, policy)
    reasons.append(transfer_reason)
    if transfer is None:
        denial = _denied(asked, tuple(reasons), reference)
        return Prepared(agreement, asked, (), (), (), (), None, denial)
    withheld: list[tuple[str, Reason]] = []
    categories, dropped = categories_agreed(asked, agreement, policy)
    withheld.extend(dropped)
    categories, dropped, granted = need_to_know(request, agreement, roles, categories)
    withheld.extend(dropped)
    if granted is not None:
        reasons.append(granted)
    categories, dropped = statutory_restrictions(policy, categories)
    withheld.extend(dropped)
    anonymised = anonymised_only(request, policy, agreement.purposes[request.purpose])
    prepared_denial: Decision | None = None
    plain: Plain | None = None
    anonymous: Decision | None = None
    if not categories and request.derived_from is None:
        # nothing the person's record could add back: the same denial for everyone
        prepared_denial = _nothing_left(asked, list(reasons), _grouped(withheld), reference)
    elif request.derived_from is None and anonymised is not None:
        # no consent is asked for: only a restriction on the person's record could change it
        anonymous = _anonymised(
            policy,
            asked,
            categories,
            _grouped(withheld),
            list(safeguard_conditions(transfer)),
            list(reasons),
            anonymised,
            reference,
        )
    elif request.derived_from is None and anonymised is None:
        grouped = _grouped(withheld)
        conditions = safeguard_conditions(transfer)
        plain = Plain(
            kept_out=tuple(WithheldCategory(c, tuple(grouped[c])) for c in asked if c in grouped),
            covers=covers_sentence(request, categories),
            conditions=(*conditions, FACT_OR_OPINION),
            refused=(*reasons, _NOTHING_TO_SHARE),
        )
    return Prepared(
        agreement,
        asked,
        categories,
        tuple(withheld),
        tuple(reasons),
        safeguard_conditions(transfer),
        anonymised,
        prepared_denial,
        plain,
        anonymous,
        _organisation_types(request, policy),
        _referral(request, policy),
        telling_the_subject(request, policy),
    )


def _grouped(pairs: Iterable[tuple[str, Reason]]) -> dict[str, list[Reason]]:
    grouped: dict[str, list[Reason]] = {}
    for category, why in pairs:
        grouped.setdefault(category, []).append(why)
    return grouped


def _complete(
    request: DisclosureRequest, policy: Policy, facts: SubjectFacts, stage: Prepared
) -> Decision:
    """The decision under ``stage``'s agreement, given the person's facts."""
    if stage.anonymous is not None and not facts.restrictions:
        return stage.anonymous
    quick: QuickAnswers | None = None
    if (
        stage.plain is not None
        and not facts.objections
        and not facts.restrictions
        and not facts.confidential
    ):
        quick = facts.consent_index.answers(
            request.recipient,
            stage.agreement.consent_context,
            request.purpose,
            stage.categories,
            request.at,
        )
        if not quick.unsettled:
            refused = quick.refused
            if not quick.not_covered and not refused:
                return _permitted_on_consent(stage, stage.plain, quick.covered)
            # a refused category is withheld with its consent reasons just as one no consent
            # covers, unless a statutory ground is to override the refusal (below)
            not_covered = {**quick.not_covered, **refused} if refused else quick.not_covered
            kind = request.basis.kind
            if kind is ClaimKind.STATUTORY and not quick.covered:
                claim = _claim(request, stage)[0]
                if claim is not None:
                    # the claim fails whatever the category: each is withheld with why
                    return _denied_without_consent(stage, stage.plain, not_covered, claim)
                if not refused and request.approval is None:
                    return _referred_without_consent(request, policy, stage, not_covered)
            if kind is ClaimKind.CONSENT:
                if not quick.covered:
                    return _denied_without_consent(stage, stage.plain, not_covered)
                return _permitted_in_part(request, stage, stage.plain, quick.covered, not_covered)
    asked = stage.asked
    reference = stage.agreement.reference
    reasons = list(stage.reasons)
    withheld = _grouped(stage.withheld)
    categories = stage.categories
    if facts.restrictions:
        categories, dropped = subject_restrictions(request, facts, categories)
        for category, why in dropped:
            withheld.setdefault(category, []).append(why)
    if request.derived_from is not None:
        categories, dropped, onward = onward_use(request, request.derived_from, categories)
        for category, why in dropped:
            withheld.setdefault(category, []).append(why)
        reasons.append(onward)
    if not categories:
        return _nothing_left(asked, reasons, withheld, reference)
    conditions = list(stage.conditions)
    if stage.anonymised is not None:
        return _anonymised(
            policy, asked, categories, withheld, conditions, reasons, stage.anonymised, reference
        )
    return _identifiable(
        request, policy, facts, asked, categories, stage, reasons, withheld, conditions, quick
    )


def _anonymised(
    policy: Policy,
    asked: tuple[str, ...],
    categories: tuple[str, ...],
    withheld: dict[str, list[Reason]],
    conditions: list[Condition],
    reasons: list[Reason],
    anonymised: Reason,
    reference: str,
) -> Decision:
    """Only anonymised information may go (Principle 11, B8): all but what identifies."""
    reasons.append(anonymised)
    categories, dropped = strip_identifying(categories, policy)
    for category, why in dropped:
        withheld.setdefault(category, []).append(why)
    if not categories:
        return _nothing_left(asked, reasons, withheld, reference)
    conditions.insert(0, _ANONYMISE)
    return _decision(
        Outcome.PERMIT_ANONYMISED,
        asked,
        categories,
        withheld,
        conditions,
        _ANONYMISED,
        reasons,
        reference,
    )


def _permitted_on_consent(
    stage: Prepared, plain: Plain, covered: dict[str, tuple[str, ...]]
) -> Decision:
    """Consent covers every category the policy lets through: what ``_identifiable`` decides
    then, built from the parts made in advance."""
    found = iter(covered.values())
    ids = next(found)
    for more in found:
        if more is not ids and more != ids:
            # consents differ between categories: the basis names each once, in order
            ids = tuple(sorted({i for some in covered.values() for i in some}))
            break
    covers = Reason(ReasonCode.CONSENT_COVERS, _CONSENT_CLAUSE, plain.covers, ids)
    return Decision(
        Outcome.PERMIT,
        stage.categories,
        plain.kept_out,
        plain.conditions,
        Basis(BasisKind.CONSENT, ids),
        stage.reasons + (covers,),  # noqa: RUF005 (quicker than unpacking, on every permit)
        (),
        stage.agreement.reference,
    )


def _permitted_in_part(
    request: DisclosureRequest,
    stage: Prepared,
    plain: Plain,
    covered: dict[str, tuple[str, ...]],
    not_covered: dict[str, tuple[Reason, ...]],
) -> Decision:
    """Consent is claimed, and covers some categories left while no consent names the
    others: what ``_identifiable`` decides then, those others withheld with the consent's
    reasons."""
    ids = tuple(sorted({i for some in covered.values() for i in some}))
    covers = reason(ReasonCode.CONSENT_COVERS, covers_sentence(request, tuple(covered)), *ids)
    kept_out = iter(plain.kept_out)
    withheld = tuple(
        [
            WithheldCategory(c, not_covered[c]) if c in not_covered else next(kept_out)
            for c in stage.asked
            if c not in covered
        ]
    )
    return Decision(
        Outcome.PERMIT,
        tuple([c for c in stage.categories if c in covered]),
        withheld,
        plain.conditions,
        Basis(BasisKind.CONSENT, ids),
        stage.reasons + (covers,),  # noqa: RUF005 (as in _permitted_on_consent)
        (),
        stage.agreement.reference,
    )


def _denied_without_consent(
    stage: Prepared,
    plain: Plain,
    not_covered: dict[str, tuple[Reason, ...]],
    claim: Reason | None = None,
) -> Decision:
    """No consent names any category left, and consent is claimed, or a statutory ground
    whose ``claim`` fails as a whole: what ``_identifiable`` decides then, each category
    withheld with the policy's reasons or the consent's (and the claim's)."""
    kept_out = iter(plain.kept_out)
    withheld = tuple(
        [
            (
                WithheldCategory(c, not_covered[c] if claim is None else (*not_covered[c], claim))
                if c in not_covered
                else next(kept_out)
            )
            for c in stage.asked
        ]
    )
    return Decision(
        Outcome.DENY,
        (),
        withheld,
        (),
        NO_BASIS,
        plain.refused,
        (),
        stage.agreement.reference,
    )


def _referred_without_consent(
    request: DisclosureRequest,
    policy: Policy,
    stage: Prepared,
    not_covered: dict[str, tuple[Reason, ...]],
) -> Decision:
    """A statutory claim that holds as a whole, no approval yet, and no consent naming any
    category left: what ``_identifiable`` decides then (a referral of the categories the
    grounds allow, or a denial when they allow none), built from the parts made once per
    kind of claim."""
    grounds = tuple(request.basis.legal_grounds)
    parts = stage.referrals.get(grounds)
    if parts is None:
        parts = _referral_parts(request, policy, stage)
        if len(stage.referrals) < CLAIMS_LIMIT:
            stage.referrals[grounds] = parts
    withheld = tuple(
        [
            slot
            if isinstance(slot, WithheldCategory)
            else WithheldCategory(slot[0], (*slot[1], *not_covered[slot[0]], slot[2]))
            for slot in parts.slots
        ]
    )
    reference = stage.agreement.reference
    if parts.applies is None or parts.needed is None:
        # the grounds allow none of the categories: nothing is shared or referred
        assert stage.plain is not None  # the caller asked the index because there is one
        return Decision(
            Outcome.DENY, (), withheld, (), NO_BASIS, stage.plain.refused, (), reference
        )
    pending = list(parts.pending)
    why = _why_no_consent(pending, not_covered, {}, list(stage.reasons))
    return Decision(
        Outcome.REFER,
        (),
        withheld,
        parts.conditions,
        Basis(
            BasisKind.STATUTORY,
            (),
            grounds,
            request.basis.justification.strip(),
            True,  # approval_required: a designated officer must approve first
            None,
            "",
        ),
        (*stage.reasons, *why, parts.applies, parts.needed),
        parts.pending,
        reference,
    )


def _referral_parts(request: DisclosureRequest, policy: Policy, stage: Prepared) -> Referral:
    """What ``_statutory`` and ``_identifiable`` make of a claim that holds as a whole,
    short of the person's consent reasons."""
    by_category = _claim(request, stage)[1]
    pending: list[str] = []
    problems: dict[str, Reason] = {}
    for category in stage.categories:
        if category in by_category:
            problem = by_category[category]
        else:
            problem = by_category[category] = ground_problem(request, policy, category, stage.types)
        if problem is None:
            pending.append(category)
        else:
            problems[category] = problem
    grouped = _grouped(stage.withheld)
    slots: list[WithheldCategory | tuple[str, tuple[Reason, ...], Reason]] = [
        (c, tuple(grouped.get(c, ())), problems[c])
        if c in problems
        else WithheldCategory(c, tuple(grouped.get(c, ())))
        for c in stage.asked
        if c not in pending
    ]
    if not pending:
        return Referral((), tuple(slots), None, None, ())
    assert stage.referral is not None  # every stage made by _prepare_under has one
    return Referral(
        tuple(pending),
        tuple(slots),
        ground_applies(request, tuple(pending)),
        _referral_needed(request, pending),
        (*stage.conditions, stage.referral, FACT_OR_OPINION),
    )


def _referral_needed(request: DisclosureRequest, pending: list[str]) -> Reason:
    return reason(
        ReasonCode.REFERRAL_NEEDED,
        f"a designated officer of `{request.provider}` must approve sharing "
        f"{_listed(pending)} without consent before it is shared",
    )


_CONSENT_CLAUSE: Final = CLAUSES[ReasonCode.CONSENT_COVERS]


def _identifiable(
    request: DisclosureRequest,
    policy: Policy,
    facts: SubjectFacts,
    asked: tuple[str, ...],
    categories: tuple[str, ...],
    stage: Prepared,
    reasons: list[Reason],
    withheld: dict[str, list[Reason]],
    conditions: list[Condition],
    quick: QuickAnswers | None = None,
) -> Decision:
    agreement = stage.agreement
    reference = agreement.reference
    objected = objections(request, facts, categories) if facts.objections else {}
    consent = consent_findings(request, agreement, facts, categories, quick)
    via_consent: list[str] = []
    barred: dict[str, tuple[Reason, ...]] = {}
    uncovered: dict[str, tuple[Reason, ...]] = {}
    for category in categories:
        if category in objected:
            barred[category] = (objected[category], *consent.refused.get(category, ()))
        elif category in consent.refused:
            barred[category] = consent.refused[category]
        elif category in consent.covered:
            via_consent.append(category)
        else:
            uncovered[category] = consent.not_covered.get(category, ())
    if via_consent:
        covers = [consent.covers[c] for c in via_consent]
        # usually one reason speaks for every category consent covers: no need to compare
        if all(why is covers[0] for why in covers):
            reasons.append(covers[0])
        else:
            reasons.extend(dict.fromkeys(covers))
    consent_ids = tuple(sorted({i for c in via_consent for i in consent.covered[c]}))
    kind = request.basis.kind
    via_emergency: list[str] = []
    via_statute: list[str] = []
    pending: list[str] = []
    if barred or uncovered:
        types = stage.types
        if kind is ClaimKind.EMERGENCY:
            via_emergency = _emergency(request, policy, types, uncovered, barred, withheld)
            if via_emergency:
                reasons.append(vital_interests(request, tuple(via_emergency)))
                conditions.append(review_task(request, policy))
        elif kind is ClaimKind.STATUTORY:
            pending = _statutory(request, policy, stage, uncovered, barred, withheld)
            if pending:
                reasons.extend(_why_no_consent(pending, uncovered, barred, reasons))
                reasons.append(ground_applies(request, tuple(pending)))
                if any(c in barred for c in pending):
                    reasons.append(_RAISED_BAR)
        else:
            for category, why in (*uncovered.items(), *barred.items()):
                withheld.setdefault(category, []).extend(why)
    approval = request.approval
    if pending and approval is not None:
        refused_approval = approval_problem(request, approval, policy)
        if refused_approval is not None:
            reasons.append(refused_approval)
            return _denied(asked, tuple(reasons), reference)
        via_statute = [c for c in pending if c in approval.data_categories]
        pending = [c for c in pending if c not in approval.data_categories]
        if via_statute:
            reasons.append(approved(request, approval))
        if pending:
            reasons.append(not_approved(request, approval, tuple(pending)))
    if pending:
        reasons.append(_referral_needed(request, pending))
        assert stage.referral is not None  # every stage made by _prepare_under has one
        conditions.append(stage.referral)
    going = {*via_consent, *via_emergency, *via_statute}
    shared = tuple([c for c in categories if c in going])
    referred = tuple([c for c in categories if c in pending]) if pending else ()
    if not shared and not referred:
        return _nothing_left(asked, reasons, withheld, reference)
    basis = _basis(request, policy, consent_ids, via_consent, via_emergency, via_statute, pending)
    if facts.confidential:
        marks, marked = confidential_marks(facts, policy, (*shared, *referred))
        conditions.extend(marks)
        reasons.extend(marked)
    if via_emergency or via_statute:
        assert stage.telling is not None  # every stage made by _prepare_under has one
        conditions.append(stage.telling)
    conditions.append(FACT_OR_OPINION)
    outcome = Outcome.PERMIT if shared else Outcome.REFER
    return _decision(
        outcome, asked, shared, withheld, conditions, basis, reasons, reference, referred
    )


def _emergency(
    request: DisclosureRequest,
    policy: Policy,
    types: tuple[str, ...],
    uncovered: dict[str, tuple[Reason, ...]],
    barred: dict[str, tuple[Reason, ...]],
    withheld: dict[str, list[Reason]],
) -> list[str]:
    """The categories an emergency lets go at once; the others are withheld with why."""
    claim = emergency_problem(request)
    allowed: list[str] = []
    for category, why in uncovered.items():
        problem = claim or vital_interests_problem(request, policy, category, types)
        if problem is None:
            allowed.append(category)
        else:
            withheld.setdefault(category, []).extend((*why, problem))
    for category, why in barred.items():
        withheld.setdefault(category, []).extend((*why, _refusal_not_overridden(category)))
    return allowed


def _statutory(
    request: DisclosureRequest,
    policy: Policy,
    stage: Prepared,
    uncovered: dict[str, tuple[Reason, ...]],
    barred: dict[str, tuple[Reason, ...]],
    withheld: dict[str, list[Reason]],
) -> list[str]:
    """The categories a statutory ground could let go once approved; others withheld."""
    claim, by_category = _claim(request, stage)
    allowed: list[str] = []
    for category, why in (*uncovered.items(), *barred.items()):
        if claim is not None:
            problem: Reason | None = claim
        elif category in by_category:
            problem = by_category[category]
        else:
            problem = by_category[category] = ground_problem(request, policy, category, stage.types)
        if problem is None:
            allowed.append(category)
        else:
            withheld.setdefault(category, []).extend((*why, problem))
    return allowed


def _claim(
    request: DisclosureRequest, stage: Prepared
) -> tuple[Reason | None, dict[str, Reason | None]]:
    """What is wrong with the statutory claim as a whole, and the memo of what is wrong with
    it for each category (filled by ``_statutory``)."""
    # What is wrong with a claim depends on the grounds claimed and whether a justification
    # is given, not on its words or the person, so it is worked out once per kind of claim.
    basis = request.basis
    key = (tuple(basis.legal_grounds), not basis.justification.strip())
    known = stage.claims.get(key)
    if known is None:
        agreement = stage.agreement
        claim = claim_problem(request, agreement.purposes[request.purpose], agreement.reference)
        known = (claim, {})
        if len(stage.claims) < CLAIMS_LIMIT:
            stage.claims[key] = known
    return known


def _why_no_consent(
    pending: list[str],
    uncovered: dict[str, tuple[Reason, ...]],
    barred: dict[str, tuple[Reason, ...]],
    already: list[Reason],
) -> list[Reason]:
    """Why consent is no basis for the referred categories: it stays on the record."""
    found: list[Reason] = []
    for category in pending:
        for why in uncovered.get(category, barred.get(category, ())):
            if why not in already and why not in found:
                found.append(why)
    return found


def _basis(
    request: DisclosureRequest,
    policy: Policy,
    consent_ids: tuple[str, ...],
    via_consent: list[str],
    via_emergency: list[str],
    via_statute: list[str],
    pending: list[str],
) -> Basis:
    statutory = bool(via_statute or pending)
    if via_emergency:
        kind = BasisKind.EMERGENCY
        grounds = emergency_grounds(request, policy)
    elif via_statute or (statutory and not via_consent):
        kind = BasisKind.STATUTORY
        grounds = tuple(request.basis.legal_grounds)
    else:
        kind = BasisKind.CONSENT
        grounds = tuple(request.basis.legal_grounds) if statutory else ()
    approval = request.approval
    return Basis(
        kind=kind,
        consent_ids=consent_ids,
        legal_grounds=grounds,
        justification=request.basis.justification.strip() if statutory else "",
        approval_required=statutory,
        approved_by=approval.officer_id if via_statute and approval is not None else None,
        emergency_reason=request.basis.emergency_reason.strip() if via_emergency else "",
    )


def _listed(categories: list[str]) -> str:
    return ", ".join(f"`{c}`" for c in categories)


def _organisation_types(request: DisclosureRequest, policy: Policy) -> tuple[str, ...]:
    return tuple(
        policy.organisations[code].type
        for code in (request.provider, request.recipient)
        if code in policy.organisations
    )


_RAISED_BAR = reason(
    ReasonCode.REFUSAL_RAISES_BAR,
    "the person refused or objected: only exceptional circumstances and a statutory ground a "
    "designated officer approves can override that",
)


def _refusal_not_overridden(category: str) -> Reason:
    return reason(
        ReasonCode.REFUSAL_RAISES_BAR,
        f"an emergency does not override the person's refusal about `{category}`; claim a "
        "statutory ground for a designated officer to approve",
    )


_ANONYMISE = Condition(
    ConditionKind.ANONYMISE,
    "Procedure B8",
    "remove everything that identifies the person and suppress small numbers before it leaves",
)
_ANONYMISED = Basis(BasisKind.ANONYMISED)


def _referral(request: DisclosureRequest, policy: Policy) -> Condition:
    officers = tuple(sorted(policy.designated_officers.get(request.provider, frozenset())))
    return Condition(
        ConditionKind.REFER_TO_DESIGNATED_OFFICER,
        "Procedure A5",
        f"refer to a designated officer of `{request.provider}` to approve or refuse",
        officers,
        organisation=request.provider,
    )


#: a Reason is immutable, so one that never varies is made once, not per decision
_NOTHING_TO_SHARE = reason(
    ReasonCode.NOTHING_TO_SHARE,
    "none of the information asked for may be shared; see why for each",
)


def _nothing_left(
    asked: tuple[str, ...],
    reasons: list[Reason],
    withheld: dict[str, list[Reason]],
    reference: str | None,
) -> Decision:
    reasons.append(_NOTHING_TO_SHARE)
    return _decision(Outcome.DENY, asked, (), withheld, [], NO_BASIS, reasons, reference)


def _denied(
    asked: tuple[str, ...], reasons: tuple[Reason, ...], reference: str | None = None
) -> Decision:
    return Decision(
        outcome=Outcome.DENY,
        permitted=(),
        withheld=tuple(WithheldCategory(c, ()) for c in asked),
        conditions=(),
        basis=NO_BASIS,
        reasons=reasons,
        isa_reference=reference,
    )


def _decision(
    outcome: Outcome,
    asked: tuple[str, ...],
    permitted: tuple[str, ...],
    withheld: dict[str, list[Reason]],
    conditions: list[Condition],
    basis: Basis,
    reasons: list[Reason],
    reference: str | None,
    referred: tuple[str, ...] = (),
) -> Decision:
    going = set(permitted) | set(referred)
    return Decision(
        outcome=outcome,
        permitted=permitted,
        withheld=tuple(
            WithheldCategory(c, tuple(withheld.get(c, ()))) for c in asked if c not in going
        ),
        conditions=tuple(conditions),
        basis=basis,
        reasons=tuple(reasons),
        referred=referred,
        isa_reference=reference,
    )


def _asked(request: object) -> tuple[str, ...]:
    categories = getattr(request, "data_categories", ())
    if isinstance(categories, tuple) and all(isinstance(c, str) for c in categories):
        return tuple(dict.fromkeys(categories))
    return ()
