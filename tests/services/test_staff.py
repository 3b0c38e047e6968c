"""Staff and their protocol roles (Procedure A6), and training dates (Principle 14)."""

from __future__ import annotations

import re
from datetime import date

import pytest

from infoshare.errors import ConflictError, InputError, NotFoundError, UnknownReferenceError
from infoshare.services.database import Database
from infoshare.services.staff import StaffView, create_staff, get_staff, list_staff, record_training
from tests.services.conftest import NOW
from tests.support.databases import row_counts


def _create(db: Database, **changes: object) -> StaffView:
    values: dict[str, object] = {
        "organisation_code": "LTHT", "name": "Ruth Ackroyd", "email": "Ruth.Ackroyd@LTHT.example",
        "job_title": "Caldicott Guardian", "roles": ["designated-officer", "lead-member"],
        "now": NOW,
    }  # fmt: skip
    values.update(changes)
    return create_staff(db.unit_of_work(), **values)  # type: ignore[arg-type]


def test_a_member_of_staff_is_stored_with_their_roles(db: Database) -> None:
    created = _create(db)
    assert created.email == "ruth.ackroyd@ltht.example"
    assert created.roles == ("designated-officer", "lead-member")
    assert created.training_completed_on is None
    assert get_staff(db.unit_of_work(), "RUTH.ACKROYD@ltht.example") == created


def test_staff_are_listed_by_organisation_and_role(db: Database) -> None:
    officer = _create(db)
    nurse = _create(
        db, organisation_code="LMHST", name="Sam Holmes", email="sam.holmes@lmhst.example",
        job_title="Community Psychiatric Nurse", roles=["practitioner"],
    )  # fmt: skip
    assert list_staff(db.unit_of_work()) == [nurse, officer]  # by organisation code
    assert list_staff(db.unit_of_work(), organisation_code="LMHST") == [nurse]
    assert list_staff(db.unit_of_work(), role="designated-officer") == [officer]


def test_inactive_staff_are_left_out_unless_asked_for(db: Database) -> None:
    gone = _create(db, active=False)
    assert list_staff(db.unit_of_work()) == []
    assert list_staff(db.unit_of_work(), include_inactive=True) == [gone]


def test_an_unknown_organisation_is_an_unknown_reference(db: Database) -> None:
    before = row_counts(db.url)
    with pytest.raises(UnknownReferenceError, match="`NOPE`") as caught:
        _create(db, organisation_code="NOPE")
    assert caught.value.field == "organisation"
    assert row_counts(db.url) == before


def test_an_unknown_role_is_an_unknown_reference_and_nothing_is_written(db: Database) -> None:
    before = row_counts(db.url)
    with pytest.raises(UnknownReferenceError, match="`caldicott-guardian`") as caught:
        _create(db, roles=["practitioner", "caldicott-guardian"])
    assert "`designated-officer`" in caught.value.message  # says what exists
    assert row_counts(db.url) == before


def test_an_email_in_use_is_a_conflict_whatever_its_case(db: Database) -> None:
    _create(db)
    before = row_counts(db.url)
    with pytest.raises(ConflictError, match=re.escape("`ruth.ackroyd@ltht.example`")):
        _create(db, organisation_code="LCC", email="RUTH.ackroyd@ltht.example ")
    assert row_counts(db.url) == before


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"email": "Ruth Ackroyd"}, "email"),
        ({"name": " "}, "name"),
        ({"job_title": ""}, "job_title"),
    ],
)
def test_bad_input_is_refused_precisely(
    db: Database, changes: dict[str, object], field: str
) -> None:
    with pytest.raises(InputError) as caught:
        _create(db, **changes)
    assert caught.value.field == field
    assert list_staff(db.unit_of_work(), include_inactive=True) == []


def test_training_is_recorded(db: Database) -> None:
    _create(db)
    trained = record_training(
        db.unit_of_work(), "ruth.ackroyd@ltht.example", completed_on=date(2025, 3, 1)
    )
    assert trained.training_completed_on == date(2025, 3, 1)
    assert get_staff(db.unit_of_work(), "ruth.ackroyd@ltht.example") == trained
    with pytest.raises(UnknownReferenceError):
        record_training(db.unit_of_work(), "nobody@ltht.example", completed_on=date(2025, 3, 1))
    with pytest.raises(NotFoundError):
        get_staff(db.unit_of_work(), "nobody@ltht.example")
