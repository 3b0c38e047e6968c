"""Fitness to consent (Procedure A2): presumptions, assessments, ages and authorities."""

from __future__ import annotations

from datetime import date

import pytest

from infoshare.domain.capacity import CapacityOutcome
from infoshare.domain.consent import AuthorityKind, Representative
from infoshare.policy.capacity import (
    age_on,
    applicable_assessment,
    authority_problem,
    fitness_to_decide,
)
from infoshare.policy.reasons import ReasonCode
from tests.policy.builders import DAY, T0, assessment, facts


@pytest.mark.parametrize(
    ("born", "on", "age"),
    [
        (date(1986, 10, 1), date(2002, 10, 1), 16),
        (date(1986, 10, 2), date(2002, 10, 1), 15),
        (date(1984, 2, 29), date(2002, 2, 28), 17),
        (date(1984, 2, 29), date(2002, 3, 1), 18),
        (date(1984, 2, 29), date(2004, 2, 29), 20),
    ],
)
def test_age_in_whole_years(born: date, on: date, age: int) -> None:
    assert age_on(born, on) == age


def fitness_code(**kwargs: object) -> ReasonCode:
    subject = facts(**kwargs)  # type: ignore[arg-type]
    found = fitness_to_decide(subject, purpose="care", category="mental-health", at=T0)
    assert found.may_decide is (
        found.reason.code in {ReasonCode.CAPACITY_PRESUMED, ReasonCode.CAPACITY_ASSESSED}
    )
    assert found.reason.clause == "Procedure A2"
    return found.reason.code


def test_adults_are_presumed_capable() -> None:
    assert fitness_code() is ReasonCode.CAPACITY_PRESUMED


def test_sixteen_and_seventeen_year_olds_are_presumed_capable() -> None:
    assert fitness_code(born=date(1986, 10, 1)) is ReasonCode.CAPACITY_PRESUMED
    assert fitness_code(born=date(1985, 1, 1)) is ReasonCode.CAPACITY_PRESUMED


def test_a_child_under_sixteen_needs_a_competence_assessment() -> None:
    assert fitness_code(born=date(1986, 10, 2)) is ReasonCode.CHILD_WITHOUT_COMPETENCE_ASSESSMENT
    competent = assessment(outcome=CapacityOutcome.HAS_CAPACITY)
    assert fitness_code(born=date(1990, 1, 1), assessments=[competent]) is (
        ReasonCode.CAPACITY_ASSESSED
    )
    not_competent = assessment(outcome=CapacityOutcome.LACKS_CAPACITY)
    assert fitness_code(born=date(1990, 1, 1), assessments=[not_competent]) is (
        ReasonCode.LACKS_CAPACITY
    )


def test_an_assessment_overrides_the_presumption() -> None:
    lacks = assessment(outcome=CapacityOutcome.LACKS_CAPACITY)
    assert fitness_code(assessments=[lacks]) is ReasonCode.LACKS_CAPACITY


def test_unknown_age_fails_closed_unless_assessed() -> None:
    assert fitness_code(born=None) is ReasonCode.AGE_UNKNOWN
    capable = assessment(outcome=CapacityOutcome.HAS_CAPACITY)
    assert fitness_code(born=None, assessments=[capable]) is ReasonCode.CAPACITY_ASSESSED


def test_an_assessment_speaks_only_to_the_decision_it_assessed() -> None:
    other_category = assessment(outcome=CapacityOutcome.LACKS_CAPACITY, categories=["housing"])
    other_purpose = assessment("a2", outcome=CapacityOutcome.LACKS_CAPACITY, purposes=["research"])
    assert fitness_code(assessments=[other_category, other_purpose]) is (
        ReasonCode.CAPACITY_PRESUMED
    )


def test_the_latest_assessment_by_the_moment_applies() -> None:
    earlier = assessment("a1", outcome=CapacityOutcome.LACKS_CAPACITY, assessed_at=T0 - 9 * DAY)
    later = assessment("a2", outcome=CapacityOutcome.HAS_CAPACITY, assessed_at=T0 - DAY)
    after = assessment("a3", outcome=CapacityOutcome.LACKS_CAPACITY, assessed_at=T0 + DAY)
    found = applicable_assessment(
        [after, later, earlier], purpose="care", category="mental-health", at=T0
    )
    assert found == later
    assert applicable_assessment([after], purpose="care", category="mental-health", at=T0) is None


def test_on_a_tie_the_finding_of_no_capacity_wins() -> None:
    has = assessment("a1", outcome=CapacityOutcome.HAS_CAPACITY)
    lacks = assessment("a2", outcome=CapacityOutcome.LACKS_CAPACITY)
    for order in ([has, lacks], [lacks, has]):
        assert fitness_code(assessments=order) is ReasonCode.LACKS_CAPACITY


@pytest.mark.parametrize(
    ("authority", "born", "has_authority"),
    [
        (AuthorityKind.PARENTAL_RESPONSIBILITY, date(1990, 1, 1), True),
        (AuthorityKind.PARENTAL_RESPONSIBILITY, date(1985, 1, 1), True),
        (AuthorityKind.PARENTAL_RESPONSIBILITY, date(1984, 9, 30), False),
        (AuthorityKind.PARENTAL_RESPONSIBILITY, None, False),
        (AuthorityKind.LPA_HEALTH_AND_WELFARE, date(1960, 1, 1), True),
        (AuthorityKind.LPA_HEALTH_AND_WELFARE, None, True),
        (AuthorityKind.LPA_HEALTH_AND_WELFARE, date(1990, 1, 1), False),
        (AuthorityKind.LPA_PROPERTY_AND_FINANCIAL, date(1960, 1, 1), False),
        (AuthorityKind.COURT_APPOINTED_DEPUTY, date(1960, 1, 1), True),
        (AuthorityKind.OTHER, date(1960, 1, 1), False),
        (AuthorityKind.OTHER, date(1990, 1, 1), False),
    ],
)
def test_which_representatives_have_authority(
    authority: AuthorityKind, born: date | None, has_authority: bool
) -> None:
    reference = (
        None
        if authority in {AuthorityKind.PARENTAL_RESPONSIBILITY, AuthorityKind.OTHER}
        else "REF-1"
    )
    representative = Representative("Ann Example", "relative", authority, reference)
    problem = authority_problem(representative, facts(born=born), at=T0, ref="c1")
    assert (problem is None) is has_authority
    if problem is not None:
        assert problem.code is ReasonCode.REPRESENTATIVE_WITHOUT_AUTHORITY
        assert problem.clause == "Procedure A2"
        assert problem.refs == ("c1",)
        assert "`Ann Example`" in problem.message
