"""Capacity assessment records refuse what Procedure A2 needs recorded but is missing."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime

import pytest

from infoshare.domain.capacity import AssessedDecision, CapacityOutcome
from infoshare.errors import ConsentRecordError, FutureTimestampError, NaiveDatetimeError
from tests.policy.builders import DAY, T0, assessment


def test_an_assessment_is_of_one_decision() -> None:
    with pytest.raises(ConsentRecordError, match="purpose"):
        AssessedDecision(frozenset(), frozenset({"housing"}))
    with pytest.raises(ConsentRecordError, match="data category"):
        AssessedDecision(frozenset({"care"}), frozenset())
    decision = AssessedDecision(frozenset({"care"}), frozenset({"housing"}))
    assert decision.covers("care", "housing")
    assert not decision.covers("care", "offences")
    assert not decision.covers("research", "housing")


def test_an_assessment_records_its_reasons() -> None:
    with pytest.raises(ConsentRecordError, match="Procedure A2 asks for the reasons"):
        replace(assessment(outcome=CapacityOutcome.LACKS_CAPACITY), reasons="  ")


def test_an_assessment_names_its_assessor() -> None:
    with pytest.raises(ConsentRecordError, match="`assessed_by`"):
        replace(assessment(outcome=CapacityOutcome.HAS_CAPACITY), assessed_by="")


def test_an_assessment_needs_an_aware_moment() -> None:
    with pytest.raises(NaiveDatetimeError):
        assessment(outcome=CapacityOutcome.HAS_CAPACITY, assessed_at=datetime(2002, 9, 30))


def test_a_review_date_before_the_assessment_is_refused() -> None:
    with pytest.raises(ConsentRecordError, match="review date"):
        replace(assessment(outcome=CapacityOutcome.HAS_CAPACITY), review_date=date(2002, 1, 1))


def test_an_assessment_dated_after_now_is_refused() -> None:
    found = assessment(outcome=CapacityOutcome.HAS_CAPACITY, assessed_at=T0)
    with pytest.raises(FutureTimestampError):
        found.check_recorded(now=T0 - DAY)
    found.check_recorded(now=T0)
