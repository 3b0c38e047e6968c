"""Fitness to consent: who may decide about sharing one kind of information (Procedure A2).

The rules, each from Procedure A2 and the law it stands on:

- Capacity is decision-specific. Only an assessment of the decision "consent to share this
  category for this purpose" says anything about it; the latest such assessment made by the
  moment in question applies (on a tie, the one finding a lack of capacity).
- People of 16 and over are presumed able to decide unless an assessment says otherwise
  (16 and 17 year olds as adults are: Family Law Reform Act 1969 s.8 by analogy).
- A child under 16 decides for themselves only where a recorded competence assessment
  (Gillick) finds them able to, for this decision; otherwise a person with parental
  responsibility decides.
- With no date of birth and no assessment, nobody can be presumed able: the check fails
  closed and asks for the date of birth.
- Someone who cannot decide is decided for by a representative whose authority covers the
  decision (parental responsibility for a child; a health-and-welfare lasting power of
  attorney or a court-appointed deputy for an adult) or by a recorded best-interests
  decision. Other representatives may be recorded but cannot decide.
- A decision counts only if its maker could make it when it was made. A representative's
  or best-interests decision also stops counting once the person can decide for themselves.

Ages are in whole years on the UTC date of the moment given; someone born on 29 February
has their birthday on 1 March in other years.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Final

from infoshare.domain.capacity import CapacityAssessment, CapacityOutcome
from infoshare.domain.consent import AuthorityKind, Consent, ConsentFacts, DecidedBy, Representative
from infoshare.policy.reasons import Reason, ReasonCode, reason

#: the age from which a person is presumed able to decide
AGE_PRESUMED_CAPABLE: Final = 16
#: the age at which parental responsibility ends
AGE_OF_MAJORITY: Final = 18


def age_on(date_of_birth: date, day: date) -> int:
    """Whole years from ``date_of_birth`` to ``day``."""
    before_birthday = (day.month, day.day) < (date_of_birth.month, date_of_birth.day)
    return day.year - date_of_birth.year - int(before_birthday)


@dataclass(frozen=True, slots=True)
class Fitness:
    """Whether the person can make this decision themselves at a moment, and why."""

    may_decide: bool
    reason: Reason


def applicable_assessment(
    assessments: Iterable[CapacityAssessment], *, purpose: str, category: str, at: datetime
) -> CapacityAssessment | None:
    """The latest assessment of this decision made by ``at``; a lack of capacity wins ties."""
    relevant = [
        a for a in assessments if a.assessed_at <= at and a.decision.covers(purpose, category)
    ]
    if not relevant:
        return None
    return max(
        relevant,
        key=lambda a: (a.assessed_at, a.outcome is CapacityOutcome.LACKS_CAPACITY, a.id),
    )


def fitness_to_decide(facts: ConsentFacts, *, purpose: str, category: str, at: datetime) -> Fitness:
    """Whether the service user can decide about sharing ``category`` for ``purpose`` at ``at``."""
    decision = f"sharing `{category}` for `{purpose}`"
    assessment = applicable_assessment(facts.assessments, purpose=purpose, category=category, at=at)
    if assessment is not None:
        when = assessment.assessed_at.date().isoformat()
        if assessment.outcome is CapacityOutcome.HAS_CAPACITY:
            return Fitness(
                True,
                reason(
                    ReasonCode.CAPACITY_ASSESSED,
                    f"assessed on {when} as able to decide about {decision}",
                    assessment.id,
                ),
            )
        return Fitness(
            False,
            reason(
                ReasonCode.LACKS_CAPACITY,
                f"assessed on {when} as unable to decide about {decision}; only a "
                "representative with authority, or a best-interests decision, can decide",
                assessment.id,
            ),
        )
    if facts.date_of_birth is None:
        return Fitness(
            False,
            reason(
                ReasonCode.AGE_UNKNOWN,
                "the date of birth is not recorded, so capacity cannot be presumed; record "
                f"it, or assess whether the person can decide about {decision}",
            ),
        )
    age = age_on(facts.date_of_birth, at.date())
    if age >= AGE_PRESUMED_CAPABLE:
        return Fitness(
            True,
            reason(
                ReasonCode.CAPACITY_PRESUMED,
                f"aged {age}, so presumed able to decide unless an assessment says otherwise",
            ),
        )
    return Fitness(
        False,
        reason(
            ReasonCode.CHILD_WITHOUT_COMPETENCE_ASSESSMENT,
            f"aged {age}: a child under 16 decides for themselves only after a competence "
            f"assessment finds them able to decide about {decision}; otherwise a person "
            "with parental responsibility decides",
        ),
    )


def authority_problem(
    representative: Representative, facts: ConsentFacts, *, at: datetime, ref: str
) -> Reason | None:
    """Why ``representative`` cannot decide for the service user at ``at``, or None if they can."""
    who = f"`{representative.name}` ({representative.relationship})"
    age = None if facts.date_of_birth is None else age_on(facts.date_of_birth, at.date())
    match representative.authority:
        case AuthorityKind.PARENTAL_RESPONSIBILITY:
            if age is None:
                problem = "acts under parental responsibility but the date of birth is unknown"
            elif age >= AGE_OF_MAJORITY:
                problem = f"acts under parental responsibility, which ended at 18 (aged {age})"
            else:
                return None
        case AuthorityKind.LPA_HEALTH_AND_WELFARE:
            if age is not None and age < AGE_OF_MAJORITY:
                problem = (
                    f"holds a lasting power of attorney, which cannot act for a child of {age}"
                )
            else:
                return None
        case AuthorityKind.COURT_APPOINTED_DEPUTY:
            return None
        case AuthorityKind.LPA_PROPERTY_AND_FINANCIAL:
            problem = (
                "holds a lasting power of attorney for property and financial affairs, "
                "which does not cover decisions about care information"
            )
        case _:
            # AuthorityKind.OTHER, and any authority added later without a rule here: fail closed
            problem = "has no recorded legal authority to decide for the service user"
    return reason(
        ReasonCode.REPRESENTATIVE_WITHOUT_AUTHORITY,
        f"{who} {problem}; their view is recorded, but a person with authority, or a "
        "best-interests decision, must decide",
        ref,
    )


def decision_maker_problem(
    consent: Consent, facts: ConsentFacts, *, purpose: str, category: str, at: datetime
) -> Reason | None:
    """Why the maker of ``consent`` could not decide about this category, or None if they could.

    The person's own decision is judged as of when it was made. A decision made for them is
    judged then and at ``at``: it lapses once they can decide for themselves.
    """
    then = fitness_to_decide(facts, purpose=purpose, category=category, at=consent.obtained_at)
    if consent.decided_by is DecidedBy.SERVICE_USER:
        if then.may_decide:
            return None
        return _about(then.reason, consent.id)
    for fitness in (then, fitness_to_decide(facts, purpose=purpose, category=category, at=at)):
        if fitness.may_decide:
            return reason(
                ReasonCode.SUBJECT_DECIDES_FOR_THEMSELVES,
                f"the decision was made for the service user, who can decide for themselves "
                f"({fitness.reason.message}); ask them",
                consent.id,
                *fitness.reason.refs,
            )
        if fitness.reason.code is ReasonCode.AGE_UNKNOWN:
            return _about(fitness.reason, consent.id)
    if consent.representative is not None:
        return authority_problem(
            consent.representative, facts, at=consent.obtained_at, ref=consent.id
        )
    return None


def _about(found: Reason, consent_id: str) -> Reason:
    """``found`` as a reason about the consent ``consent_id``."""
    return Reason(found.code, found.clause, found.message, (consent_id, *found.refs))
