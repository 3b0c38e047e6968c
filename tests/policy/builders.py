"""Valid consent records, assessments and queries, with only what a test cares about spelt out."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta

from infoshare.domain.capacity import (
    AssessedDecision,
    AssessmentKind,
    CapacityAssessment,
    CapacityOutcome,
)
from infoshare.domain.consent import (
    AuthorityKind,
    CollectionMethod,
    Consent,
    ConsentDecision,
    ConsentFacts,
    ConsentScope,
    DecidedBy,
    Exclusion,
    Explanation,
    Representative,
    Withdrawal,
)
from infoshare.policy.consent import ConsentQuery, IsaContext

SUBJECT = "7d0c1b7e-2f43-4f0e-9f53-0d2a7c1c0001"
T0 = datetime(2002, 10, 1, 9, 30, tzinfo=UTC)
DAY = timedelta(days=1)
ADULT_BORN = date(1960, 5, 17)
CATEGORIES = ("physical-health", "mental-health", "social-care-needs")


def consent(
    consent_id: str = "c1",
    *,
    decision: ConsentDecision = ConsentDecision.GIVEN,
    purposes: Iterable[str] = ("care",),
    categories: Iterable[str] = CATEGORIES,
    recipients: Iterable[str] = ("LTHT", "LCC"),
    isas: Iterable[str] = (),
    obtained_at: datetime = T0,
    valid_from: datetime | None = None,
    valid_until: datetime | None = None,
    exclusions: Iterable[Exclusion] = (),
    decided_by: DecidedBy = DecidedBy.SERVICE_USER,
    representative: Representative | None = None,
    best_interests_reasons: str | None = None,
    supersedes: str | None = None,
    withdrawal: Withdrawal | None = None,
    explanation: Explanation | None = None,
    method: CollectionMethod = CollectionMethod.VERBAL_RECORDED,
    form_version: str | None = None,
    subject_id: str = SUBJECT,
) -> Consent:
    scope = ConsentScope(
        purposes=frozenset(purposes),
        data_categories=frozenset(categories),
        recipients=frozenset(recipients),
        recipient_isas=frozenset(isas),
    )
    if explanation is None:
        explanation = Explanation(
            purposes=scope.purposes,
            data_categories=scope.data_categories,
            recipients=scope.recipients | scope.recipient_isas,
            leaflet_given=True,
            leaflet_version="leaflet-2002-10",
        )
    return Consent(
        id=consent_id,
        subject_id=subject_id,
        decision=decision,
        scope=scope,
        decided_by=decided_by,
        representative=representative,
        obtained_by="staff-0042",
        obtained_by_organisation="LTHT",
        obtained_at=obtained_at,
        method=method,
        form_version=form_version,
        explanation=explanation,
        valid_from=valid_from,
        valid_until=valid_until,
        exclusions=tuple(exclusions),
        best_interests_reasons=best_interests_reasons,
        supersedes=supersedes,
        withdrawal=withdrawal,
    )


def refusal(consent_id: str = "r1", **kwargs: object) -> Consent:
    return consent(consent_id, decision=ConsentDecision.REFUSED, **kwargs)  # type: ignore[arg-type]


def withdrawal(at: datetime, **kwargs: object) -> Withdrawal:
    fields: dict[str, object] = {
        "at": at,
        "method": CollectionMethod.VERBAL_RECORDED,
        "recorded_by": "staff-0042",
        "recorded_by_organisation": "LTHT",
    }
    fields.update(kwargs)
    return Withdrawal(**fields)  # type: ignore[arg-type]


def assessment(
    assessment_id: str = "a1",
    *,
    outcome: CapacityOutcome,
    purposes: Iterable[str] = ("care",),
    categories: Iterable[str] = CATEGORIES,
    assessed_at: datetime = T0 - DAY,
    kind: AssessmentKind = AssessmentKind.CAPACITY,
) -> CapacityAssessment:
    return CapacityAssessment(
        id=assessment_id,
        subject_id=SUBJECT,
        decision=AssessedDecision(frozenset(purposes), frozenset(categories)),
        kind=kind,
        outcome=outcome,
        assessed_by="staff-0007",
        assessed_by_organisation="LMHST",
        assessed_at=assessed_at,
        reasons="could (or could not) understand, retain and weigh what sharing would mean",
    )


def facts(
    *consents: Consent,
    assessments: Iterable[CapacityAssessment] = (),
    born: date | None = ADULT_BORN,
) -> ConsentFacts:
    return ConsentFacts(
        subject_id=SUBJECT,
        date_of_birth=born,
        consents=tuple(consents),
        assessments=tuple(assessments),
    )


def query(
    *categories: str,
    recipient: str = "LTHT",
    purpose: str = "care",
    at: datetime = T0 + DAY,
    isa: IsaContext | None = None,
) -> ConsentQuery:
    return ConsentQuery(
        recipient=recipient,
        purpose=purpose,
        data_categories=categories or ("physical-health",),
        at=at,
        isa=isa,
    )


def lpa(name: str = "Ann Example") -> Representative:
    return Representative(
        name=name,
        relationship="daughter",
        authority=AuthorityKind.LPA_HEALTH_AND_WELFARE,
        authority_reference="LPA-7000-1234-5678",
    )
