"""Capacity and competence assessments: record them, for one decision each (Procedure A2).

Establishing fitness to give consent: whether the person can make *this* decision (consent to
sharing these kinds of information for these purposes), who assessed, when, what they found
and why. For a child under 16 the same record is a competence (Gillick) assessment. The rules
that use them are the core's (``infoshare.policy.capacity``); this module checks what the
database knows (the person, the purposes, categories and organisation) and stores the record.
Assessments are never edited or deleted: a newer one is recorded instead. Each is appended
to the ledger (``capacity:assessed``) in the same transaction (Principle 6).
"""

from __future__ import annotations

import uuid
from datetime import datetime

from infoshare.domain.capacity import AssessedDecision, CapacityAssessment
from infoshare.domain.consent import ConsentFacts
from infoshare.errors import UnknownReferenceError
from infoshare.services import ledger
from infoshare.services.access_log import Requester
from infoshare.services.clock import now_or
from infoshare.services.consent import (
    CapacityDraft,
    CapacityView,
    Catalogue,
    capacity_view,
    person_by_nhs_number,
)
from infoshare.services.consent_access import check_recording
from infoshare.services.consent_ledger import actor_of, assessment_event
from infoshare.store.models import CapacityAssessmentRecord, CapacityAssessmentTermRecord
from infoshare.store.unit_of_work import UnitOfWork


def record_capacity_assessment(
    uow: UnitOfWork,
    draft: CapacityDraft,
    *,
    requester: Requester | None = None,
    now: datetime | None = None,
) -> CapacityView:
    """Record an assessment. Nothing is stored when the person is not registered, a purpose,
    category or organisation is unknown (UnknownReferenceError naming the field), it is
    dated in the future or before the person's birth, or the core refuses it (no reasons,
    an empty decision, a review date before the assessment). A ``requester`` records only
    for their own party (``consent:record``; refusals are logged)."""
    moment = now_or(now)
    with uow:
        session = uow.session
        person = person_by_nhs_number(session, draft.nhs_number, missing=UnknownReferenceError)
        catalogue = Catalogue.load(session)
        catalogue.check(draft.purposes, kind="purpose", field="purposes")
        catalogue.check(draft.data_categories, kind="data category", field="data_categories")
        organisation_id = catalogue.organisation_id(
            draft.assessed_by_organisation, field="assessed_by_organisation"
        )
        record = CapacityAssessmentRecord(
            id=uuid.uuid4(),
            service_user_id=person.id,
            kind=str(draft.kind),
            outcome=str(draft.outcome),
            assessed_by=draft.assessed_by,
            assessed_by_organisation_id=organisation_id,
            assessed_at=draft.assessed_at,
            reasons=draft.reasons,
            review_date=draft.review_date,
            support_given=list(draft.support_given),
            recorded_at=moment,
            terms=[],
        )
        assessment = CapacityAssessment(
            id="new",
            subject_id=str(person.id),
            decision=AssessedDecision(frozenset(draft.purposes), frozenset(draft.data_categories)),
            kind=draft.kind,
            outcome=draft.outcome,
            assessed_by=draft.assessed_by,
            assessed_by_organisation=draft.assessed_by_organisation,
            assessed_at=draft.assessed_at,
            reasons=draft.reasons,
            review_date=draft.review_date,
            support_given=tuple(draft.support_given),
        )
        assessment.check_recorded(moment)
        ConsentFacts(str(person.id), person.date_of_birth, assessments=(assessment,))
        record.assessed_at = assessment.assessed_at
        terms = [CapacityAssessmentTermRecord(purpose_id=p) for p in dict.fromkeys(draft.purposes)]
        terms += [
            CapacityAssessmentTermRecord(data_category_id=c)
            for c in dict.fromkeys(draft.data_categories)
        ]
        for position, term in enumerate(terms):
            term.position = position
        record.terms = terms
        check_recording(
            uow, requester, draft.assessed_by_organisation, what="capacity assessment", at=moment
        )
        event = assessment_event(
            record,
            organisation=draft.assessed_by_organisation,
            actor=actor_of(requester),
            at=moment,
        )
        session.add(record)
        uow.flush()
        ledger.record(uow, event)  # in this transaction: the assessment and its entry, or neither
        view = capacity_view(record, person.nhs_number, catalogue.names)
        uow.commit()
    return view
