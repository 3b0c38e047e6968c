"""How long the consent check (Procedure A4) takes for one service user's history.

Run: .venv/bin/python bench/bench_consent_check.py
Prints the time per check_consent() call for histories of growing length; no assertion.
"""

from __future__ import annotations

import timeit
from datetime import UTC, date, datetime, timedelta

from infoshare.domain.capacity import (
    AssessedDecision,
    AssessmentKind,
    CapacityAssessment,
    CapacityOutcome,
)
from infoshare.domain.consent import (
    CollectionMethod,
    Consent,
    ConsentDecision,
    ConsentFacts,
    ConsentScope,
    DecidedBy,
    Exclusion,
    Explanation,
    Withdrawal,
)
from infoshare.policy.consent import ConsentQuery, check_consent

SUBJECT = "bench-subject"
T0 = datetime(2002, 10, 1, tzinfo=UTC)
PURPOSES = ("care", "protection", "support", "research")
CATEGORIES = (
    "identity",
    "physical-health",
    "mental-health",
    "social-care-needs",
    "housing",
    "offences",
)
ORGS = ("LTHT", "LMHST", "LCC", "WYP", "EDL")


def history(length: int) -> ConsentFacts:
    consents = []
    for i in range(length):
        scope = ConsentScope(
            purposes=frozenset(PURPOSES[j % 4] for j in range(i, i + 2)),
            data_categories=frozenset(CATEGORIES[j % 6] for j in range(i, i + 3)),
            recipients=frozenset(ORGS[j % 5] for j in range(i, i + 2)),
        )
        obtained = T0 + timedelta(days=30 * i)
        consents.append(
            Consent(
                id=f"c{i:04d}",
                subject_id=SUBJECT,
                decision=ConsentDecision.REFUSED if i % 7 == 6 else ConsentDecision.GIVEN,
                scope=scope,
                decided_by=DecidedBy.SERVICE_USER,
                obtained_by="staff-1",
                obtained_by_organisation="LTHT",
                obtained_at=obtained,
                method=CollectionMethod.ELECTRONIC,
                explanation=Explanation(
                    scope.purposes, scope.data_categories, scope.recipients, leaflet_given=True
                ),
                exclusions=(Exclusion(recipients=frozenset({"WYP"})),)
                if i % 5 == 4 and i % 7 != 6
                else (),
                supersedes=f"c{i - 3:04d}" if i % 4 == 3 else None,
                withdrawal=Withdrawal(
                    obtained + timedelta(days=10), CollectionMethod.VERBAL_RECORDED, "s", "LTHT"
                )
                if i % 3 == 2 and i % 7 != 6
                else None,
            )
        )
    assessments = tuple(
        CapacityAssessment(
            id=f"a{i}",
            subject_id=SUBJECT,
            decision=AssessedDecision(frozenset({"care"}), frozenset({"mental-health"})),
            kind=AssessmentKind.CAPACITY,
            outcome=CapacityOutcome.HAS_CAPACITY,
            assessed_by="staff-2",
            assessed_by_organisation="LMHST",
            assessed_at=T0 + timedelta(days=60 * i),
            reasons="understood and weighed the information",
        )
        for i in range(max(1, length // 10))
    )
    return ConsentFacts(SUBJECT, date(1960, 1, 1), tuple(consents), assessments)


def main() -> None:
    print("consent check: time per check_consent() call, 6 categories asked")
    for length in (1, 10, 50, 200):
        facts = history(length)
        query = ConsentQuery(
            recipient="LCC",
            purpose="care",
            data_categories=CATEGORIES,
            at=T0 + timedelta(days=30 * length),
        )
        runs = max(20, 20_000 // (length * 6))
        seconds = min(
            timeit.repeat(lambda f=facts, q=query: check_consent(f, q), number=runs, repeat=5)
        )
        print(f"  {length:4d} consent records: {seconds / runs * 1e6:9.1f} µs per check")


if __name__ == "__main__":
    main()
