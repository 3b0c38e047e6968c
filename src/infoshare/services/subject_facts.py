"""One service user's SubjectFacts for the decision (Principle 5, Procedures A2–A4).

The decision needs the person's consents (given, refused, withdrawn, superseded) and
capacity or competence assessments, read as the consent service reads them, so the decision
and the consent pages see the same history (``services/consent_facts.py`` reads the tables
straight into the core's records; a test holds it equal to the consent history); and their
objections (Principle 5) and the restrictions on their record (Principle 4), in one indexed
query (``services/objections.limits_of``), counted in the stamp too, so one recorded is seen
by the very next decision. Items kept confidential from the person (Principle 8) are not
stored: they are carried by the request's items instead (see services/disclosures.py).

Reading and converting a history costs milliseconds; deciding costs microseconds. So the
facts are kept per person, with a *stamp*: the number of the person's consents, withdrawals
and assessments. Consent records are never rewritten or deleted (a withdrawal or a newer
consent is a new row), so the facts change exactly when the stamp does, in this process or
any other. ``read_subject`` finds the person by NHS number and reads their stamp in ONE
statement on indexed columns, so a request about someone already known costs one query.
"""

from __future__ import annotations

import threading
import uuid
import weakref
from collections import OrderedDict
from dataclasses import dataclass, replace
from datetime import date
from typing import Any, Final

from sqlalchemy import Connection, Engine, ScalarSelect, bindparam, func, select
from sqlalchemy.orm import Session
from sqlalchemy.sql import ColumnElement

from infoshare.domain.identifiers import parse_nhs_number
from infoshare.errors import InputError
from infoshare.policy.decision import SubjectFacts
from infoshare.services.consent_facts import load_facts
from infoshare.services.objections import limits_of, limits_stamp
from infoshare.store.models import (
    CapacityAssessmentRecord,
    ConsentRecord,
    ConsentWithdrawalRecord,
    OrganisationRecord,
    ServiceUserRecord,
)

#: how many people's facts a process keeps, per database
CACHE_SIZE: Final = 20_000

_PEOPLE = ServiceUserRecord.__table__
_CONSENTS = ConsentRecord.__table__
_WITHDRAWALS = ConsentWithdrawalRecord.__table__
_ASSESSMENTS = CapacityAssessmentRecord.__table__


@dataclass(frozen=True)
class Person:
    """The service user a request is about: their id (the pseudonym) and NHS number."""

    id: uuid.UUID
    nhs_number: str
    date_of_birth: date | None


#: counts of consents, withdrawals, assessments, objections and restrictions, and their ends
Stamp = tuple[int, ...]


def _stamp_columns(
    person_id: ColumnElement[Any] | uuid.UUID,
) -> tuple[ScalarSelect[Any], ...]:
    consents = select(func.count(_CONSENTS.c.id)).where(_CONSENTS.c.service_user_id == person_id)
    withdrawals = (
        select(func.count(_WITHDRAWALS.c.id))
        .join(_CONSENTS, _CONSENTS.c.id == _WITHDRAWALS.c.consent_id)
        .where(_CONSENTS.c.service_user_id == person_id)
    )
    assessments = select(func.count(_ASSESSMENTS.c.id)).where(
        _ASSESSMENTS.c.service_user_id == person_id
    )
    return (
        consents.scalar_subquery(),
        withdrawals.scalar_subquery(),
        assessments.scalar_subquery(),
        *limits_stamp(person_id),
    )


#: the person by NHS number with their stamp, in one statement; built once, so SQLAlchemy
#: works out its cache key once too, not on every request
_PERSON_AND_STAMP = select(
    _PEOPLE.c.id,
    _PEOPLE.c.nhs_number,
    _PEOPLE.c.date_of_birth,
    *_stamp_columns(_PEOPLE.c.id),
).where(_PEOPLE.c.nhs_number == bindparam("nhs_number"))


class _Facts:
    """The facts of the people a process has decided about, per database, behind stamps."""

    def __init__(self) -> None:
        self._by_engine: weakref.WeakKeyDictionary[
            Engine, OrderedDict[uuid.UUID, tuple[Stamp, SubjectFacts]]
        ] = weakref.WeakKeyDictionary()
        self._lock = threading.Lock()

    def get(self, engine: Engine, person_id: uuid.UUID, stamp: Stamp) -> SubjectFacts | None:
        with self._lock:
            people = self._by_engine.get(engine)
            found = None if people is None else people.get(person_id)
            if found is None or found[0] != stamp:
                return None
            people.move_to_end(person_id)  # type: ignore[union-attr]
            return found[1]

    def put(self, engine: Engine, person_id: uuid.UUID, stamp: Stamp, facts: SubjectFacts) -> None:
        with self._lock:
            people = self._by_engine.setdefault(engine, OrderedDict())
            people[person_id] = (stamp, facts)
            people.move_to_end(person_id)
            while len(people) > CACHE_SIZE:
                people.popitem(last=False)


_known = _Facts()


def _missing(number: str) -> InputError:
    return InputError(
        f"no service user with NHS number `{number}` is registered; register them first",
        field="nhs_number",
    )


def person_of(session: Session, nhs_number: str) -> Person:
    """The service user with ``nhs_number``; InputError naming the field if none."""
    number = parse_nhs_number(nhs_number)
    row = session.execute(
        select(_PEOPLE.c.id, _PEOPLE.c.nhs_number, _PEOPLE.c.date_of_birth).where(
            _PEOPLE.c.nhs_number == number
        )
    ).one_or_none()
    if row is None:
        raise _missing(number)
    return Person(row[0], row[1], row[2])


#: organisation codes by id, per database: an organisation's id and code never change, so
#: they are read again only when a record names an organisation not seen before
_codes: weakref.WeakKeyDictionary[Engine, dict[uuid.UUID, str]] = weakref.WeakKeyDictionary()


def _read_codes(connection: Connection | Session) -> dict[uuid.UUID, str]:
    rows = connection.execute(select(OrganisationRecord.id, OrganisationRecord.code))
    codes: dict[uuid.UUID, str] = {row[0]: row[1] for row in rows}
    _codes[_engine_of(connection)] = codes
    return codes


def _engine_of(connection: Connection | Session) -> Engine:
    bind = connection.get_bind() if isinstance(connection, Session) else connection
    return bind.engine


def _load(connection: Connection | Session, person: Person) -> SubjectFacts:
    codes = _codes.get(_engine_of(connection))
    try:
        if codes is None:
            raise KeyError("no codes read yet")
        facts = load_facts(connection, person.id, person.date_of_birth, codes)
    except KeyError:
        facts = load_facts(connection, person.id, person.date_of_birth, _read_codes(connection))
    objections, restrictions = limits_of(connection, person.id)
    # The consent history's order (oldest first), whatever order the rows came back in.
    return SubjectFacts(
        consent=replace(
            facts,
            consents=tuple(sorted(facts.consents, key=lambda c: (c.obtained_at, c.id))),
            assessments=tuple(sorted(facts.assessments, key=lambda a: (a.assessed_at, a.id))),
        ),
        objections=objections,
        restrictions=restrictions,
    )


def read_subject(connection: Connection, nhs_number: str) -> tuple[Person, SubjectFacts]:
    """The person with ``nhs_number`` and what ``decide()`` needs to know about them.

    One indexed statement when their facts are known to this process and unchanged;
    InputError naming the field if no such person is registered.
    """
    number = parse_nhs_number(nhs_number)
    row = connection.execute(_PERSON_AND_STAMP, {"nhs_number": number}).first()
    if row is None:
        raise _missing(number)
    person = Person(row[0], row[1], row[2])
    stamp = tuple(int(count) for count in row[3:])
    engine = connection.engine
    facts = _known.get(engine, person.id, stamp)
    if facts is None:
        facts = _load(connection, person)
        _known.put(engine, person.id, stamp, facts)
    return person, facts


def subject_facts(session: Session, person: Person) -> SubjectFacts:
    """What ``decide()`` needs to know about ``person``, read in ``session``."""
    row = session.execute(select(*_stamp_columns(person.id))).one()
    stamp = tuple(int(count) for count in row)
    engine = session.get_bind().engine
    facts = _known.get(engine, person.id, stamp)
    if facts is None:
        facts = _load(session, person)
        _known.put(engine, person.id, stamp, facts)
    return facts
