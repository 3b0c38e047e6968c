"""Partner organisations: registering them, and recording their adoption (Procedure C1)."""

from __future__ import annotations

from datetime import date

import pytest

from infoshare.errors import ConflictError, InputError, NotFoundError, UnknownReferenceError
from infoshare.services.database import Database
from infoshare.services.organisations import (
    Adoption,
    create_organisation,
    get_organisation,
    list_organisations,
    record_adoption,
)
from tests.services.conftest import NOW
from tests.support.databases import row_counts


def _create(db: Database, code: str = "LGH", **changes: object) -> object:
    values: dict[str, object] = {
        "code": code, "name": "Leeds General Hospice", "organisation_type": "voluntary",
        "membership": "supporting-member", "now": NOW,
    }  # fmt: skip
    values.update(changes)
    return create_organisation(db.unit_of_work(), **values)  # type: ignore[arg-type]


def test_a_new_organisation_is_listed_after_the_parties(db: Database) -> None:
    created = _create(db, departments=["Day Care", " "])
    listed = list_organisations(db.unit_of_work())
    assert created in listed
    assert listed.index(created) > max(i for i, o in enumerate(listed) if o.is_party)
    assert get_organisation(db.unit_of_work(), "LGH").departments == ("Day Care",)


def test_a_duplicate_code_is_a_conflict_naming_the_code_and_writes_nothing(db: Database) -> None:
    before = row_counts(db.url)
    with pytest.raises(ConflictError, match="`LTHT`") as caught:
        _create(db, "LTHT")
    assert caught.value.field == "code"
    assert row_counts(db.url) == before


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"code": "ltht"}, "code"),
        ({"code": "L"}, "code"),
        ({"name": "  "}, "name"),
        ({"organisation_type": "hospital"}, "type"),
        ({"membership": "observer"}, "membership"),
    ],
)
def test_bad_input_is_refused_precisely(
    db: Database, changes: dict[str, object], field: str
) -> None:
    before = row_counts(db.url)
    with pytest.raises(InputError) as caught:
        _create(db, **changes)
    assert caught.value.field == field
    assert row_counts(db.url) == before


def test_an_unknown_organisation_is_not_found(db: Database) -> None:
    with pytest.raises(NotFoundError, match="`NOPE`"):
        get_organisation(db.unit_of_work(), "NOPE")


def test_a_party_awaiting_approval_can_record_it(db: Database) -> None:
    assert get_organisation(db.unit_of_work(), "LCC").adoption is None
    adopted = record_adoption(
        db.unit_of_work(), "LCC", approved_on=date(2002, 11, 14),
        approving_body="Executive Board", minute_reference="EB/2002/117",
    )  # fmt: skip
    expected = Adoption(date(2002, 11, 14), "Executive Board", "EB/2002/117")
    assert adopted.adoption == expected
    assert get_organisation(db.unit_of_work(), "LCC").adoption == expected
    parties = [o for o in list_organisations(db.unit_of_work()) if o.is_party]
    assert sum(1 for o in parties if o.adoption is not None) == 8


def test_recording_the_same_adoption_again_changes_nothing(db: Database) -> None:
    first = record_adoption(
        db.unit_of_work(), "WYP", approved_on=date(2002, 12, 2), approving_body="Police Authority"
    )
    again = record_adoption(
        db.unit_of_work(), "WYP", approved_on=date(2002, 12, 2), approving_body="Police Authority"
    )
    assert first == again


def test_a_different_adoption_does_not_replace_the_evidence(db: Database) -> None:
    stored = get_organisation(db.unit_of_work(), "LTHT").adoption
    assert stored is not None
    with pytest.raises(ConflictError, match="`LTHT` already approved"):
        record_adoption(
            db.unit_of_work(), "LTHT", approved_on=date(2003, 1, 1), approving_body="Trust Board"
        )
    assert get_organisation(db.unit_of_work(), "LTHT").adoption == stored


def test_supporting_members_do_not_adopt_the_protocol(db: Database) -> None:
    with pytest.raises(InputError, match="supporting member"):
        record_adoption(
            db.unit_of_work(), "VOICE", approved_on=date(2002, 11, 1), approving_body="Committee"
        )
    assert get_organisation(db.unit_of_work(), "VOICE").adoption is None


def test_adoption_needs_a_known_party_and_an_approving_body(db: Database) -> None:
    with pytest.raises(UnknownReferenceError, match="`NOPE`"):
        record_adoption(
            db.unit_of_work(), "NOPE", approved_on=date(2002, 11, 1), approving_body="B"
        )
    with pytest.raises(InputError, match="approving body"):
        record_adoption(db.unit_of_work(), "EDL", approved_on=date(2002, 11, 1), approving_body=" ")
    assert get_organisation(db.unit_of_work(), "EDL").adoption is None
