"""One service user's SubjectFacts for the decision (Principle 5, Procedures A2–A4).

The decision needs the person's consents (given, refused, withdrawn, superseded) and
capacity or competence assessments, read as the consent service reads them, so the decision
and the consent pages see the same history. Objections, restrictions and items kept
confidential from the person (Principle 8) are not yet stored by infoshare: they arrive
empty here and are carried by the request's items instead (see services/disclosures.py).
The person is found by NHS number or by their pseudonymous id (the service user's UUID, which
is what decisions and the ledger name them by).
"""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from infoshare.errors import InputError
from infoshare.policy.decision import SubjectFacts
from infoshare.services.consent import _Subject, person_by_nhs_number
from infoshare.store.models import ServiceUserRecord


def person_of(session: Session, nhs_number: str) -> ServiceUserRecord:
    """The service user with ``nhs_number``; InputError naming the field if none."""
    return person_by_nhs_number(session, nhs_number, missing=InputError)


def person_by_id(session: Session, subject_id: uuid.UUID) -> ServiceUserRecord | None:
    return session.scalars(
        select(ServiceUserRecord).where(ServiceUserRecord.id == subject_id)
    ).one_or_none()


def subject_facts(session: Session, person: ServiceUserRecord) -> SubjectFacts:
    """What ``decide()`` needs to know about ``person``, read in ``session``."""
    return SubjectFacts(consent=_Subject.load(session, person).facts())
