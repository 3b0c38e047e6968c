"""One service user's SubjectFacts for the decision (Principle 5, Procedures A2–A4).

The decision needs the person's consents (given, refused, withdrawn, superseded) and
capacity or competence assessments, read as the consent service reads them, so the decision
and the consent pages see the same history; and their objections (Principle 5) and the
restrictions on their record (Principle 4), read in one indexed query
(``services/objections.limits_of``). Items kept confidential from the person (Principle 8)
are not stored by infoshare: they arrive empty here and are carried by the request's items
instead (see services/disclosures.py).

Reading and converting a history costs milliseconds; deciding costs microseconds. So the
facts are kept per person, with a *stamp*: the number of the person's consents, withdrawals,
assessments, objections and restrictions, and their ends, read in one query by the indexed
``service_user_id``. None of these is ever rewritten or deleted (a withdrawal, a newer
consent, an end is a new row), so the facts change exactly when the stamp does, in this
process or any other: an objection recorded is seen by the very next decision.
"""

from __future__ import annotations

import threading
import uuid
from collections import OrderedDict
from dataclasses import dataclass
from datetime import date
from typing import Final

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from infoshare.domain.identifiers import parse_nhs_number
from infoshare.errors import InputError
from infoshare.policy.decision import SubjectFacts
from infoshare.services.consent import _Subject
from infoshare.services.objections import limits_of, limits_stamp
from infoshare.store.models import (
    CapacityAssessmentRecord,
    ConsentRecord,
    ConsentWithdrawalRecord,
    ServiceUserRecord,
)

#: how many people's facts a process keeps
CACHE_SIZE: Final = 20_000


@dataclass(frozen=True)
class Person:
    """The service user a request is about: their id (the pseudonym) and NHS number."""

    id: uuid.UUID
    nhs_number: str
    date_of_birth: date | None


_cache: OrderedDict[tuple[str, uuid.UUID], tuple[tuple[int, ...], SubjectFacts]] = OrderedDict()
_lock = threading.Lock()


def person_of(session: Session, nhs_number: str) -> Person:
    """The service user with ``nhs_number``; InputError naming the field if none."""
    number = parse_nhs_number(nhs_number)
    row = session.execute(
        select(
            ServiceUserRecord.id, ServiceUserRecord.nhs_number, ServiceUserRecord.date_of_birth
        ).where(ServiceUserRecord.nhs_number == number)
    ).one_or_none()
    if row is None:
        raise InputError(
            f"no service user with NHS number `{number}` is registered; register them first",
            field="nhs_number",
        )
    return Person(row[0], row[1], row[2])


def _stamp(session: Session, person_id: uuid.UUID) -> tuple[int, ...]:
    consents = select(func.count(ConsentRecord.id)).where(
        ConsentRecord.service_user_id == person_id
    )
    withdrawals = (
        select(func.count(ConsentWithdrawalRecord.id))
        .join(ConsentRecord, ConsentRecord.id == ConsentWithdrawalRecord.consent_id)
        .where(ConsentRecord.service_user_id == person_id)
    )
    assessments = select(func.count(CapacityAssessmentRecord.id)).where(
        CapacityAssessmentRecord.service_user_id == person_id
    )
    row = session.execute(
        select(
            consents.scalar_subquery(),
            withdrawals.scalar_subquery(),
            assessments.scalar_subquery(),
            *limits_stamp(person_id),
        )
    ).one()
    return tuple(int(count) for count in row)


def subject_facts(session: Session, person: Person) -> SubjectFacts:
    """What ``decide()`` needs to know about ``person``, read in ``session``."""
    url = str(session.get_bind().engine.url)
    key = (url, person.id)
    stamp = _stamp(session, person.id)
    with _lock:
        found = _cache.get(key)
        if found is not None and found[0] == stamp:
            _cache.move_to_end(key)
            return found[1]
    record = session.get(ServiceUserRecord, person.id)
    assert record is not None  # found by person_of in this transaction
    objections, restrictions = limits_of(session, person.id)
    facts = SubjectFacts(
        consent=_Subject.load(session, record).facts(),
        objections=objections,
        restrictions=restrictions,
    )
    with _lock:
        _cache[key] = (stamp, facts)
        while len(_cache) > CACHE_SIZE:
            _cache.popitem(last=False)
    return facts
