"""Consent records refuse what cannot be true, precisely, whoever builds them (A1, A3)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta, timezone

import pytest

from infoshare.domain.consent import (
    AuthorityKind,
    CollectionMethod,
    ConsentFacts,
    ConsentScope,
    DecidedBy,
    Exclusion,
    Representative,
)
from infoshare.errors import (
    AlreadyWithdrawnError,
    ConsentRecordError,
    FutureTimestampError,
    InputError,
    InvalidPeriodError,
    MissingAuthorityError,
    NaiveDatetimeError,
)
from tests.policy.builders import DAY, SUBJECT, T0, consent, facts, refusal, withdrawal

NAIVE = datetime(2002, 10, 1, 9, 30)


def test_moments_are_kept_in_utc() -> None:
    bst = timezone(timedelta(hours=1))
    c = consent(obtained_at=datetime(2002, 10, 1, 10, 30, tzinfo=bst))
    assert c.obtained_at == T0
    assert c.obtained_at.utcoffset() == timedelta(0)


@pytest.mark.parametrize("field", ["obtained_at", "valid_from", "valid_until"])
def test_a_moment_without_a_time_zone_is_refused(field: str) -> None:
    with pytest.raises(NaiveDatetimeError, match=f"give `{field}` with an offset") as caught:
        consent(**{field: NAIVE})  # type: ignore[arg-type]
    assert caught.value.field == field


def test_a_withdrawal_without_a_time_zone_is_refused() -> None:
    with pytest.raises(NaiveDatetimeError):
        withdrawal(NAIVE)


@pytest.mark.parametrize("until", [T0, T0 - DAY])
def test_validity_ending_before_it_starts_is_refused(until: datetime) -> None:
    with pytest.raises(InvalidPeriodError, match="not after it starts") as caught:
        consent(valid_until=until)
    assert caught.value.field == "valid_until"


def test_validity_ending_before_valid_from_is_refused() -> None:
    with pytest.raises(InvalidPeriodError):
        consent(valid_from=T0 + 10 * DAY, valid_until=T0 + 5 * DAY)


def test_a_review_date_before_the_consent_is_refused() -> None:
    with pytest.raises(InvalidPeriodError, match="review date `2002-09-30`"):
        replace(consent(), review_date=date(2002, 9, 30))


def test_obtained_in_the_future_is_refused() -> None:
    c = consent(obtained_at=T0 + DAY)
    with pytest.raises(FutureTimestampError, match="after now") as caught:
        c.check_recorded(now=T0)
    assert caught.value.field == "obtained_at"
    c.check_recorded(now=T0 + DAY)


def test_withdrawn_in_the_future_is_refused() -> None:
    c = consent(withdrawal=withdrawal(T0 + 2 * DAY))
    with pytest.raises(FutureTimestampError):
        c.check_recorded(now=T0 + DAY)
    with pytest.raises(FutureTimestampError):
        consent().withdraw(withdrawal(T0 + 2 * DAY), now=T0 + DAY)


def test_withdrawing_adds_to_the_record_and_never_changes_the_original() -> None:
    original = consent()
    withdrawn = original.withdraw(withdrawal(T0 + DAY), now=T0 + DAY)
    assert original.withdrawal is None
    assert withdrawn.withdrawal is not None
    assert withdrawn.withdrawal.at == T0 + DAY
    assert replace(withdrawn, withdrawal=None) == original


def test_withdrawing_twice_is_refused() -> None:
    withdrawn = consent().withdraw(withdrawal(T0 + DAY), now=T0 + DAY)
    with pytest.raises(AlreadyWithdrawnError, match="already withdrawn") as caught:
        withdrawn.withdraw(withdrawal(T0 + 2 * DAY), now=T0 + 3 * DAY)
    assert caught.value.code == "already-withdrawn"


def test_a_refusal_is_not_withdrawn_but_superseded() -> None:
    with pytest.raises(ConsentRecordError, match="supersedes it"):
        refusal().withdraw(withdrawal(T0 + DAY), now=T0 + DAY)


def test_a_withdrawal_before_the_consent_is_refused() -> None:
    with pytest.raises(ConsentRecordError, match="before the consent was obtained"):
        consent().withdraw(withdrawal(T0 - DAY), now=T0 + DAY)


def test_a_representative_decision_needs_the_representative() -> None:
    with pytest.raises(MissingAuthorityError, match="record who they are"):
        consent(decided_by=DecidedBy.REPRESENTATIVE)


@pytest.mark.parametrize(
    "authority",
    [
        AuthorityKind.LPA_HEALTH_AND_WELFARE,
        AuthorityKind.LPA_PROPERTY_AND_FINANCIAL,
        AuthorityKind.COURT_APPOINTED_DEPUTY,
    ],
)
def test_a_documented_authority_needs_its_reference(authority: AuthorityKind) -> None:
    with pytest.raises(MissingAuthorityError, match="`Ann Example` acts under") as caught:
        Representative("Ann Example", "daughter", authority, authority_reference=" ")
    assert caught.value.field == "representative.authority_reference"


def test_a_withdrawal_by_a_representative_needs_the_representative() -> None:
    with pytest.raises(MissingAuthorityError):
        withdrawal(T0 + DAY, by=DecidedBy.REPRESENTATIVE)


def test_a_representative_on_the_service_users_own_decision_is_refused() -> None:
    mother = Representative("Cath Example", "mother", AuthorityKind.PARENTAL_RESPONSIBILITY)
    with pytest.raises(ConsentRecordError, match="mark it `representative`"):
        consent(representative=mother)


def test_a_best_interests_decision_needs_its_reasons() -> None:
    with pytest.raises(ConsentRecordError, match="best-interests"):
        consent(decided_by=DecidedBy.BEST_INTERESTS)


def test_a_signed_form_needs_its_version() -> None:
    with pytest.raises(ConsentRecordError, match="form's version"):
        consent(method=CollectionMethod.SIGNED_FORM)
    assert consent(method=CollectionMethod.SIGNED_FORM, form_version="App4-v1").form_version


def test_a_refusal_has_no_exclusions() -> None:
    with pytest.raises(ConsentRecordError, match="narrow the refusal"):
        refusal(exclusions=[Exclusion(recipients=frozenset({"WYP"}))])


def test_a_consent_cannot_supersede_itself() -> None:
    with pytest.raises(ConsentRecordError, match="cannot supersede itself"):
        consent("c1", supersedes="c1")


@pytest.mark.parametrize(
    ("purposes", "categories", "recipients", "message"),
    [
        ((), ("housing",), ("LCC",), "purpose"),
        (("care",), (), ("LCC",), "kind of information"),
        (("care",), ("housing",), (), "organisations"),
    ],
)
def test_a_scope_names_what_it_is_about(
    purposes: tuple[str, ...],
    categories: tuple[str, ...],
    recipients: tuple[str, ...],
    message: str,
) -> None:
    with pytest.raises(ConsentRecordError, match=message):
        ConsentScope(frozenset(purposes), frozenset(categories), frozenset(recipients))


def test_an_exclusion_names_something() -> None:
    with pytest.raises(ConsentRecordError, match="record a refusal instead"):
        Exclusion(note="nothing")


def test_an_empty_id_is_refused() -> None:
    with pytest.raises(ConsentRecordError, match="`id`"):
        consent(" ")


def test_facts_hold_one_service_users_records() -> None:
    with pytest.raises(ConsentRecordError, match="give only this service user's records"):
        facts(consent(subject_id="someone-else"))


def test_facts_refuse_duplicate_ids() -> None:
    with pytest.raises(ConsentRecordError, match="two consent records have the id `c1`"):
        facts(consent("c1"), consent("c1"))


def test_facts_refuse_records_before_birth() -> None:
    with pytest.raises(ConsentRecordError, match="before the date of birth"):
        ConsentFacts(SUBJECT, date(2003, 1, 1), consents=(consent(),))


def test_every_record_error_is_an_input_error() -> None:
    for error in (
        ConsentRecordError,
        NaiveDatetimeError,
        InvalidPeriodError,
        FutureTimestampError,
        AlreadyWithdrawnError,
        MissingAuthorityError,
    ):
        assert issubclass(error, InputError)
