"""The decision's facts about a person (services/subject_facts.py) on SQLite and PostgreSQL.

They are kept per process behind a stamp; what a practitioner relies on is that a decision
never rests on stale consent: a withdrawal, a newer consent or an assessment recorded in
any process is seen by the very next decision.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from infoshare.errors import InputError, InvalidNHSNumberError
from infoshare.policy.decision import SubjectFacts
from infoshare.services.capacity import record_capacity_assessment
from infoshare.services.consent import consent_facts, record_consent, withdraw_consent
from infoshare.services.database import Database, open_database
from infoshare.services.subject_facts import Person, read_subject
from tests.services.consent_builders import (
    ADULT,
    capacity_draft,
    consent_draft,
    register_people,
    withdrawal_draft,
)

NOW = datetime(2026, 1, 5, 9, 30, tzinfo=UTC)


@pytest.fixture
def people(db: Database) -> Database:
    register_people(db, now=NOW)
    return db


def _read(db: Database, nhs_number: str = ADULT) -> tuple[Person, SubjectFacts]:
    with db.reading() as connection:
        return read_subject(connection, nhs_number)


def test_the_facts_are_the_consent_history_and_follow_every_change(people: Database) -> None:
    person, facts = _read(people)
    assert person.nhs_number == ADULT
    assert facts.consent.consents == ()

    first = record_consent(people.unit_of_work(), consent_draft(), now=NOW)
    _, facts = _read(people)
    assert [c.id for c in facts.consent.consents] == [str(first.id)]
    assert facts.consent.consents[0].withdrawal is None

    # Changed through another handle on the same database, as another worker process would.
    other = open_database(people.url)
    try:
        withdraw_consent(other.unit_of_work(), first.id, withdrawal_draft(), now=NOW)
        newer = record_consent(other.unit_of_work(), consent_draft(), now=NOW)
        record_capacity_assessment(
            other.unit_of_work(), capacity_draft(nhs_number=ADULT, kind="capacity"), now=NOW
        )
    finally:
        other.dispose()
    _, facts = _read(people)
    history = consent_facts(people.unit_of_work(), ADULT)
    assert sorted(facts.consent.consents, key=lambda c: c.id) == sorted(
        history.consents, key=lambda c: c.id
    )
    assert facts.consent.assessments == history.assessments
    withdrawn = {c.id for c in facts.consent.consents if c.withdrawal is not None}
    assert withdrawn == {str(first.id)}
    assert {c.id for c in facts.consent.consents} == {str(first.id), str(newer.id)}
    assert len(facts.consent.assessments) == 1


def test_an_unchanged_person_is_answered_from_what_was_read_before(people: Database) -> None:
    record_consent(people.unit_of_work(), consent_draft(), now=NOW)
    _, first = _read(people)
    _, again = _read(people)
    assert again is first


def test_an_unknown_or_malformed_nhs_number_names_the_field(people: Database) -> None:
    with pytest.raises(InputError, match="no service user with NHS number `9434765870`") as error:
        _read(people, "943 476 5870")
    assert error.value.field == "nhs_number"
    with pytest.raises(InvalidNHSNumberError, match="`12345`"):
        _read(people, "12345")
