"""Consent services on SQLite and PostgreSQL: record, refuse, withdraw, history, check, receipt.

Every bad input is refused with a precise error and leaves every table as it was.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from infoshare.errors import (
    AlreadyWithdrawnError,
    ConsentRecordError,
    FutureTimestampError,
    InputError,
    InvalidNHSNumberError,
    InvalidPeriodError,
    MissingAuthorityError,
    NotFoundError,
    UnknownReferenceError,
)
from infoshare.policy.consent import ConsentStatus
from infoshare.policy.reasons import ReasonCode
from infoshare.services.capacity import record_capacity_assessment
from infoshare.services.consent import (
    CoverageQuery,
    check_coverage,
    consent_history,
    get_consent,
    import_consents,
    receipt,
    record_consent,
    record_refusal,
    withdraw_consent,
)
from infoshare.services.database import Database
from tests.services.consent_builders import (
    ADULT,
    CHILD,
    LATER,
    OBTAINED,
    capacity_draft,
    consent_draft,
    register_people,
    withdrawal_draft,
)
from tests.support.databases import row_counts

NOW = datetime(2026, 1, 5, 9, 30, tzinfo=UTC)


@pytest.fixture
def people(db: Database) -> Database:
    register_people(db, now=NOW)
    return db


@pytest.fixture
def counts(initialised_url: str) -> Callable[[], dict[str, int]]:
    """How many rows each table holds now."""
    return lambda: row_counts(initialised_url)


def _coverage(db: Database, at: datetime = NOW, **changes: Any) -> Any:
    values: dict[str, Any] = {
        "nhs_number": ADULT, "recipient": "LCC", "purpose": "care",
        "data_categories": ["physical-health", "mental-health"], "at": at,
    }  # fmt: skip
    values.update(changes)
    return check_coverage(db.unit_of_work(), CoverageQuery.model_validate(values))


def test_a_recorded_consent_reads_back_exactly_and_covers_what_it_names(people: Database) -> None:
    draft = consent_draft(exclusions=[{"recipients": ["WYP"], "note": "never the police"}])
    view = record_consent(people.unit_of_work(), draft, now=NOW)

    assert view.draft() == draft
    assert get_consent(people.unit_of_work(), view.id, at=NOW) == view
    assert view.status is ConsentStatus.ACTIVE
    coverage = _coverage(people)
    assert coverage.covered == ("physical-health", "mental-health")
    assert coverage.category("mental-health").covered_by == (str(view.id),)


def test_withdrawal_applies_from_its_moment_and_keeps_the_past(people: Database) -> None:
    view = record_consent(people.unit_of_work(), consent_draft(), now=NOW)
    withdrawn = withdraw_consent(people.unit_of_work(), view.id, withdrawal_draft(), now=NOW)

    assert withdrawn.status is ConsentStatus.WITHDRAWN
    assert withdrawn.withdrawal is not None
    assert withdrawn.withdrawal.at == LATER
    assert withdrawn.draft() == view.draft()
    before = _coverage(people, at=LATER - timedelta(seconds=1))
    after = _coverage(people, at=LATER)
    assert before.all_covered
    assert after.covered == ()
    assert after.category("physical-health").reasons[0].code is (ReasonCode.CONSENT_WITHDRAWN)


def test_withdrawing_twice_is_refused_and_changes_nothing(
    people: Database, counts: Callable[[], dict[str, int]]
) -> None:
    view = record_consent(people.unit_of_work(), consent_draft(), now=NOW)
    withdraw_consent(people.unit_of_work(), view.id, withdrawal_draft(), now=NOW)
    before = counts()

    with pytest.raises(AlreadyWithdrawnError) as caught:
        withdraw_consent(people.unit_of_work(), view.id, withdrawal_draft(), now=NOW)
    assert caught.value.field == "withdrawal"
    assert counts() == before


def test_withdrawing_an_unknown_consent_is_not_found(people: Database) -> None:
    with pytest.raises(NotFoundError):
        withdraw_consent(people.unit_of_work(), uuid.uuid4(), withdrawal_draft(), now=NOW)


def test_a_refusal_is_a_record_that_blocks_cover_and_cannot_be_withdrawn(
    people: Database,
    counts: Callable[[], dict[str, int]],
) -> None:
    record_consent(people.unit_of_work(), consent_draft(), now=NOW)
    refusal = record_refusal(
        people.unit_of_work(), consent_draft(data_categories=["mental-health"]), now=NOW
    )
    coverage = _coverage(people)

    assert refusal.status is ConsentStatus.REFUSED
    assert coverage.covered == ("physical-health",)
    assert coverage.refused_by == (str(refusal.id),)
    before = counts()
    with pytest.raises(ConsentRecordError):
        withdraw_consent(people.unit_of_work(), refusal.id, withdrawal_draft(), now=NOW)
    assert counts() == before


def test_a_newer_consent_supersedes_the_older_and_history_keeps_both(people: Database) -> None:
    first = record_consent(people.unit_of_work(), consent_draft(), now=NOW)
    second = record_consent(
        people.unit_of_work(),
        consent_draft(obtained_at=LATER.isoformat(), supersedes=str(first.id)),
        now=NOW,
    )
    history = consent_history(people.unit_of_work(), "943 476 5919", at=NOW)

    assert [c.id for c in history.consents] == [first.id, second.id]
    assert history.consents[0].status is ConsentStatus.SUPERSEDED
    assert history.consents[0].superseded_by == [second.id]
    assert history.consents[1].status is ConsentStatus.ACTIVE


def test_a_child_consents_only_after_a_competence_assessment(people: Database) -> None:
    record_consent(
        people.unit_of_work(),
        consent_draft(nhs_number=CHILD, data_categories=["physical-health"]),
        now=NOW,
    )
    query = {"nhs_number": CHILD, "data_categories": ["physical-health"]}
    assert _coverage(people, **query).category("physical-health").reasons[0].code is (
        ReasonCode.CHILD_WITHOUT_COMPETENCE_ASSESSMENT
    )

    assessment = record_capacity_assessment(
        people.unit_of_work(), capacity_draft(assessed_at=OBTAINED.isoformat()), now=NOW
    )
    assert assessment.outcome == "has-capacity"
    assert _coverage(people, **query).all_covered
    assert consent_history(people.unit_of_work(), CHILD).assessments == [assessment]


def test_a_representative_with_parental_responsibility_consents_for_a_child(
    people: Database,
) -> None:
    record_consent(
        people.unit_of_work(),
        consent_draft(
            nhs_number=CHILD,
            decided_by="representative",
            representative_name="Ann Hughes",
            representative_relationship="mother",
            representative_authority="parental-responsibility",
        ),
        now=NOW,
    )
    assert _coverage(people, nhs_number=CHILD).all_covered


def test_the_receipt_follows_the_consent_and_shows_a_withdrawal(people: Database) -> None:
    view = record_consent(people.unit_of_work(), consent_draft(), now=NOW)
    given = receipt(people.unit_of_work(), view.id, now=NOW)
    withdraw_consent(people.unit_of_work(), view.id, withdrawal_draft(), now=NOW)
    withdrawn = receipt(people.unit_of_work(), view.id, now=NOW)

    assert given["record_id"] == str(view.id)
    assert given["consent_status"] == "given"
    assert given["protocol"] == "leeds-2002"
    assert ADULT not in str(given)
    assert given["pii_controllers"][0]["code"] == "LTHT"
    assert "DPA 1998 Sch. 2 para 1" in given["processing"][0]["legal_basis"]["citations"]
    assert withdrawn["consent_status"] == "withdrawn"
    assert [e["event_type"] for e in withdrawn["events"]] == ["given", "withdrawn"]


BAD_CONSENTS: list[tuple[str, dict[str, Any], type[InputError], str | None]] = [
    ("invalid NHS number", {"nhs_number": "9434765918"}, InvalidNHSNumberError, None),
    ("unregistered", {"nhs_number": "4010232137"}, UnknownReferenceError, "nhs_number"),
    ("unknown purpose", {"purposes": ["gossip"]}, UnknownReferenceError, "purposes"),
    ("unknown category", {"data_categories": ["horoscope"]}, UnknownReferenceError,
     "data_categories"),
    ("unknown recipient", {"recipients": ["NOPE"]}, UnknownReferenceError, "recipients"),
    ("unknown organisation", {"obtained_by_organisation": "XYZ"}, UnknownReferenceError,
     "obtained_by_organisation"),
    ("unknown excluded", {"exclusions": [{"data_categories": ["horoscope"]}]},
     UnknownReferenceError, "exclusions.0.data_categories"),
    ("ends before start", {"valid_from": "2025-11-10T00:00:00+00:00",
                           "valid_until": "2025-11-09T00:00:00+00:00"},
     InvalidPeriodError, "valid_until"),
    ("obtained in future", {"obtained_at": "2026-02-01T00:00:00+00:00"}, FutureTimestampError,
     "obtained_at"),
    ("representative without authority",
     {"decided_by": "representative", "representative_name": "Ann",
      "representative_relationship": "mother"}, MissingAuthorityError,
     "representative_authority"),
    ("representative missing", {"decided_by": "representative"}, MissingAuthorityError,
     "representative"),
    ("lpa without reference",
     {"decided_by": "representative", "representative_name": "Ann",
      "representative_relationship": "daughter",
      "representative_authority": "lpa-health-and-welfare"},
     MissingAuthorityError, "representative.authority_reference"),
    ("naive time", {"obtained_at": "2025-11-03T10:00:00"}, ConsentRecordError, "obtained_at"),
    ("supersedes unknown", {"supersedes": str(uuid.UUID(int=7))}, UnknownReferenceError,
     "supersedes"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("changes", "error", "field"),
    [case[1:] for case in BAD_CONSENTS],
    ids=[case[0] for case in BAD_CONSENTS],
)
def test_bad_consents_are_refused_naming_the_field_and_nothing_is_stored(
    people: Database,
    counts: Callable[[], dict[str, int]],
    changes: dict[str, Any],
    error: type[InputError],
    field: str | None,
) -> None:
    before = counts()
    with pytest.raises(error) as caught:
        record_consent(people.unit_of_work(), consent_draft(**changes), now=NOW)
    if field is not None:
        assert caught.value.field == field
    assert counts() == before


BAD_ASSESSMENTS: list[tuple[dict[str, Any], type[InputError], str]] = [
    ({"purposes": ["gossip"]}, UnknownReferenceError, "purposes"),
    ({"data_categories": ["horoscope"]}, UnknownReferenceError, "data_categories"),
    ({"assessed_by_organisation": "XYZ"}, UnknownReferenceError, "assessed_by_organisation"),
    ({"assessed_at": "2026-03-01T00:00:00+00:00"}, FutureTimestampError, "assessed_at"),
    ({"reasons": " "}, ConsentRecordError, "reasons"),
    ({"assessed_at": "2010-01-01T00:00:00+00:00"}, ConsentRecordError, "date_of_birth"),
]


@pytest.mark.parametrize(("changes", "error", "field"), BAD_ASSESSMENTS)
def test_bad_assessments_are_refused_and_nothing_is_stored(
    people: Database,
    counts: Callable[[], dict[str, int]],
    changes: dict[str, Any],
    error: type[InputError],
    field: str,
) -> None:
    before = counts()
    with pytest.raises(error) as caught:
        record_capacity_assessment(people.unit_of_work(), capacity_draft(**changes), now=NOW)
    assert caught.value.field == field
    assert counts() == before


def test_the_coverage_check_refuses_unknown_names(people: Database) -> None:
    with pytest.raises(UnknownReferenceError) as caught:
        _coverage(people, recipient="NOPE")
    assert caught.value.field == "recipient"
    with pytest.raises(NotFoundError):
        _coverage(people, nhs_number="4010232137")


def test_an_import_stores_every_row_or_none(
    people: Database, counts: Callable[[], dict[str, int]]
) -> None:
    good = consent_draft()
    bad = consent_draft(purposes=["gossip"])
    before = counts()
    ticks: list[int] = []
    tick: Callable[[], None] = lambda: ticks.append(1)  # noqa: E731

    stored, rejected = import_consents(
        people.unit_of_work(),
        [(2, good), (3, bad), (4, InputError("not a date", field="obtained_at"))],
        now=NOW,
        on_row=tick,
    )
    assert stored == []
    assert [(r.row, r.field) for r in rejected] == [(3, "purposes"), (4, "obtained_at")]
    assert counts() == before
    assert len(ticks) == 3

    stored, rejected = import_consents(people.unit_of_work(), [(2, good), (3, good)], now=NOW)
    assert len(stored) == 2
    assert rejected == []
    assert len(consent_history(people.unit_of_work(), ADULT).consents) == 2


def test_the_coverage_checks_facts_are_the_histories_records(people: Database) -> None:
    """The check reads the tables directly; it must see exactly the records the history shows."""
    from infoshare.services.consent import _Subject, consent_facts, person_by_nhs_number

    first = record_consent(
        people.unit_of_work(),
        consent_draft(
            exclusions=[{"recipients": ["WYP"], "note": "never"}, {"purposes": ["crime"]}],
            recipient_agreements=["ISA-1"], explained_recipients=["LCC", "LMHST", "ISA-1"],
            decided_by="representative", representative_name="Ann",
            representative_relationship="daughter", representative_authority="other",
        ),
        now=NOW,
    )  # fmt: skip
    withdraw_consent(
        people.unit_of_work(),
        first.id,
        withdrawal_draft(withdrawn_by="representative", representative_name="Ann",
                         representative_relationship="daughter", representative_authority="other"),
        now=NOW,
    )  # fmt: skip
    record_consent(people.unit_of_work(), consent_draft(supersedes=str(first.id)), now=NOW)
    record_capacity_assessment(
        people.unit_of_work(), capacity_draft(nhs_number=ADULT, kind="capacity"), now=NOW
    )
    fast = consent_facts(people.unit_of_work(), ADULT)
    with people.unit_of_work().reading() as uow:
        person = person_by_nhs_number(uow.session, ADULT, missing=NotFoundError)
        slow = _Subject.load(uow.session, person).facts()

    assert sorted(fast.consents, key=lambda c: c.id) == sorted(slow.consents, key=lambda c: c.id)
    assert fast.assessments == slow.assessments
    assert fast.date_of_birth == slow.date_of_birth
    assert len(fast.consents) == 2
