"""Capacity assessments: whether a person can decide, for one decision (Procedure A2).

Procedure A2, establishing fitness to give consent, asks before consent is sought whether
the person can make this decision. Capacity is decision-specific: an assessment is "to
consent to sharing these kinds of information for these purposes", not of the person in
general. For a child under sixteen the same record holds a competence assessment (Gillick):
whether the child understands enough of what is proposed to decide for themselves.

The record says who assessed, when, what they found, why, and when to look again. Which
assessment applies to a request, and what follows from it, is ``infoshare.policy.capacity``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum

from infoshare.domain.moments import not_after, utc_moment
from infoshare.errors import ConsentRecordError


class CapacityOutcome(StrEnum):
    """What the assessor found, for the decision assessed."""

    HAS_CAPACITY = "has-capacity"
    LACKS_CAPACITY = "lacks-capacity"


class AssessmentKind(StrEnum):
    """Which test was applied: mental capacity (16 and over) or a child's competence."""

    #: understand, retain, believe and weigh the information to reach a choice (Re C, 1994)
    CAPACITY = "capacity"
    #: a child under 16 understands enough to decide for themselves (Gillick, 1985)
    COMPETENCE = "competence"


@dataclass(frozen=True, slots=True)
class AssessedDecision:
    """The decision assessed: consenting to share these categories for these purposes."""

    purposes: frozenset[str]
    data_categories: frozenset[str]

    def __post_init__(self) -> None:
        if not self.purposes:
            raise ConsentRecordError(
                "a capacity assessment is for a particular decision; name at least one purpose",
                field="decision.purposes",
            )
        if not self.data_categories:
            raise ConsentRecordError(
                "a capacity assessment is for a particular decision; "
                "name at least one data category",
                field="decision.data_categories",
            )

    def covers(self, purpose: str, category: str) -> bool:
        return purpose in self.purposes and category in self.data_categories


@dataclass(frozen=True, slots=True)
class CapacityAssessment:
    """One assessment of whether a person can make one decision (Procedure A2)."""

    id: str
    subject_id: str
    decision: AssessedDecision
    kind: AssessmentKind
    outcome: CapacityOutcome
    #: the staff member who assessed, and their organisation's code
    assessed_by: str
    assessed_by_organisation: str
    assessed_at: datetime
    #: why the assessor reached the outcome; required, because A2 asks for it to be recorded
    reasons: str
    review_date: date | None = None
    #: how the person was helped to decide (interpreter, easy-read leaflet, …), if at all
    support_given: tuple[str, ...] = field(default=())

    def __post_init__(self) -> None:
        for name in ("id", "subject_id", "assessed_by", "assessed_by_organisation"):
            if not getattr(self, name).strip():
                raise ConsentRecordError(
                    f"a capacity assessment needs `{name}`; it was empty", field=name
                )
        if not self.reasons.strip():
            raise ConsentRecordError(
                "record why the assessor found the person "
                f"`{self.outcome}`: Procedure A2 asks for the reasons",
                field="reasons",
            )
        assessed_at = utc_moment(self.assessed_at, field="assessed_at")
        object.__setattr__(self, "assessed_at", assessed_at)
        if self.review_date is not None and self.review_date < assessed_at.date():
            raise ConsentRecordError(
                f"the review date `{self.review_date}` is before the assessment "
                f"(`{assessed_at.date()}`); give a review date on or after it",
                field="review_date",
            )

    def check_recorded(self, now: datetime) -> None:
        """Raise FutureTimestampError when the assessment is dated after ``now``."""
        not_after(self.assessed_at, now, field="assessed_at", what="the assessment is dated")
