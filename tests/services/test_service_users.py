"""Service users: registered once by a valid NHS number, found by it or by a local identifier."""

from __future__ import annotations

from datetime import date

import pytest

from infoshare.errors import (
    ConflictError,
    InputError,
    InvalidNHSNumberError,
    NotFoundError,
    UnknownReferenceError,
)
from infoshare.services.database import Database
from infoshare.services.service_users import (
    LocalIdentifierView,
    ServiceUserView,
    add_local_identifier,
    find_by_local_identifier,
    find_by_nhs_number,
    register_service_user,
)
from tests.services.conftest import NOW
from tests.support.databases import row_counts

VALID = "9434765919"
OTHER_VALID = "9990000018"


def _register(db: Database, **changes: object) -> ServiceUserView:
    values: dict[str, object] = {
        "nhs_number": "943 476 5919", "given_name": "Jessica", "family_name": "Hughes",
        "date_of_birth": date(1961, 4, 12), "postcode": "ls6 2ab", "now": NOW,
    }  # fmt: skip
    values.update(changes)
    return register_service_user(db.unit_of_work(), **values)  # type: ignore[arg-type]


def test_a_service_user_is_registered_and_found_by_nhs_number(db: Database) -> None:
    registered = _register(db)
    assert registered.nhs_number == VALID
    assert registered.postcode == "LS6 2AB"
    assert registered.local_identifiers == ()
    assert find_by_nhs_number(db.unit_of_work(), "943-476-5919") == registered


@pytest.mark.parametrize("number", ["9434765918", "943476591", "94347659190", "943476591X", ""])
def test_an_invalid_nhs_number_is_refused_and_nothing_is_written(db: Database, number: str) -> None:
    before = row_counts(db.url)
    with pytest.raises(InvalidNHSNumberError):
        _register(db, nhs_number=number)
    assert row_counts(db.url) == before


def test_a_number_already_registered_is_a_conflict(db: Database) -> None:
    _register(db)
    before = row_counts(db.url)
    with pytest.raises(ConflictError, match=f"`{VALID}`"):
        _register(db, given_name="Someone", family_name="Else")
    assert row_counts(db.url) == before


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"given_name": " "}, "given_name"),
        ({"family_name": ""}, "family_name"),
        ({"date_of_birth": date(2026, 1, 6)}, "date_of_birth"),
        ({"postcode": "Leeds 6"}, "postcode"),
    ],
)
def test_bad_details_are_refused_precisely(
    db: Database, changes: dict[str, object], field: str
) -> None:
    with pytest.raises(InputError) as caught:
        _register(db, **changes)
    assert caught.value.field == field
    assert row_counts(db.url)["service_users"] == 0


def test_local_identifiers_find_the_person(db: Database) -> None:
    _register(db)
    add_local_identifier(
        db.unit_of_work(), nhs_number=VALID, organisation_code="LTHT", identifier="H1234567"
    )
    person = add_local_identifier(
        db.unit_of_work(), nhs_number=VALID, organisation_code="LCC", identifier="SC-88213"
    )
    assert person.local_identifiers == (
        LocalIdentifierView("LCC", "SC-88213"),
        LocalIdentifierView("LTHT", "H1234567"),
    )
    found = find_by_local_identifier(
        db.unit_of_work(), organisation_code="LTHT", identifier="H1234567"
    )
    assert found == person


def test_a_local_identifier_is_unique_within_its_organisation_only(db: Database) -> None:
    _register(db)
    _register(db, nhs_number=OTHER_VALID, given_name="Oliver")
    add_local_identifier(
        db.unit_of_work(), nhs_number=VALID, organisation_code="LTHT", identifier="H1"
    )
    # the same identifier at another organisation is another organisation's business
    add_local_identifier(
        db.unit_of_work(), nhs_number=OTHER_VALID, organisation_code="LCC", identifier="H1"
    )
    before = row_counts(db.url)
    with pytest.raises(ConflictError, match="`LTHT` already uses identifier `H1`"):
        add_local_identifier(
            db.unit_of_work(), nhs_number=OTHER_VALID, organisation_code="LTHT", identifier="H1"
        )
    assert row_counts(db.url) == before
    # adding it again to the same person is harmless
    again = add_local_identifier(
        db.unit_of_work(), nhs_number=VALID, organisation_code="LTHT", identifier="H1"
    )
    assert again.local_identifiers == (LocalIdentifierView("LTHT", "H1"),)
    assert row_counts(db.url) == before


def test_local_identifiers_need_a_registered_person_and_a_known_organisation(db: Database) -> None:
    _register(db)
    with pytest.raises(UnknownReferenceError, match=f"`{OTHER_VALID}`"):
        add_local_identifier(
            db.unit_of_work(), nhs_number=OTHER_VALID, organisation_code="LTHT", identifier="H1"
        )
    with pytest.raises(UnknownReferenceError, match="`NOPE`"):
        add_local_identifier(
            db.unit_of_work(), nhs_number=VALID, organisation_code="NOPE", identifier="H1"
        )
    with pytest.raises(InputError):
        add_local_identifier(
            db.unit_of_work(), nhs_number=VALID, organisation_code="LTHT", identifier=" "
        )
    assert row_counts(db.url)["local_identifiers"] == 0


def test_people_not_registered_are_not_found(db: Database) -> None:
    with pytest.raises(NotFoundError):
        find_by_nhs_number(db.unit_of_work(), VALID)
    with pytest.raises(NotFoundError, match="`H404`"):
        find_by_local_identifier(db.unit_of_work(), organisation_code="LTHT", identifier="H404")
