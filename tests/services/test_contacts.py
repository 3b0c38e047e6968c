"""The contacts directory (Procedure A6) and the designated officers referrals go to."""

from __future__ import annotations

import pytest

from infoshare.errors import InputError, UnknownReferenceError
from infoshare.services import contacts
from infoshare.services.access_log import CONSOLE
from infoshare.services.database import Database
from infoshare.services.staff import create_staff
from tests.services.conftest import NOW
from tests.support.databases import row_counts

GUARDIAN = "a.whitaker@ltht.example.nhs.uk"


def _staff(db: Database, email: str, roles: list[str], code: str = "LTHT", **kw: object) -> None:
    create_staff(
        db.unit_of_work(), organisation_code=code, name=kw.pop("name", email.split("@")[0]),  # type: ignore[arg-type]
        email=email, job_title="Caldicott Guardian", roles=roles, now=NOW, **kw,  # type: ignore[arg-type]
    )  # fmt: skip


def test_the_directory_lists_staff_with_directory_roles_only(db: Database) -> None:
    _staff(db, GUARDIAN, ["designated-officer"])
    _staff(db, "dpo@lcc.example.gov.uk", ["data-protection-officer"], "LCC")
    _staff(db, "nurse@ltht.example.nhs.uk", ["practitioner"])
    _staff(db, "gone@ltht.example.nhs.uk", ["lead-member"], active=False)

    directory = contacts.contacts_directory(db.unit_of_work())

    assert [(e.organisation, e.email, e.roles) for e in directory] == [
        ("LCC", "dpo@lcc.example.gov.uk", ["data-protection-officer"]),
        ("LTHT", GUARDIAN, ["designated-officer"]),
    ]
    only_lcc = contacts.contacts_directory(db.unit_of_work(), organisation="LCC")
    assert [e.email for e in only_lcc] == ["dpo@lcc.example.gov.uk"]


def test_designated_officers_are_who_referrals_go_to(db: Database) -> None:
    _staff(db, GUARDIAN, ["designated-officer", "lead-member"])
    _staff(db, "deputy@ltht.example.nhs.uk", ["designated-officer"])
    _staff(db, "lead@ltht.example.nhs.uk", ["lead-member"])

    officers = contacts.designated_officers(db.unit_of_work(), "LTHT")

    assert sorted(e.email for e in officers) == [GUARDIAN, "deputy@ltht.example.nhs.uk"]
    assert contacts.designated_officers(db.unit_of_work(), "LCC") == []
    with pytest.raises(UnknownReferenceError, match="`XYZ`"):
        contacts.designated_officers(db.unit_of_work(), "XYZ")


def test_contact_details_are_shown_in_the_directory(db: Database) -> None:
    _staff(db, GUARDIAN, ["designated-officer"])
    contacts.set_contact_details(
        db.unit_of_work(), GUARDIAN, telephone="0113 243 2799",
        secure_email="A.Whitaker@leedsth.nhs.net", hours="Mon-Fri 09:00-17:00", now=NOW,
        requester=CONSOLE,
    )  # fmt: skip
    [entry] = contacts.designated_officers(db.unit_of_work(), "LTHT")
    assert (entry.telephone, entry.secure_email, entry.hours) == (
        "0113 243 2799",
        "a.whitaker@leedsth.nhs.net",
        "Mon-Fri 09:00-17:00",
    )


@pytest.mark.parametrize(
    ("email", "changes", "field"),
    [
        (GUARDIAN, {"telephone": "ring the switchboard"}, "telephone"),
        (GUARDIAN, {"secure_email": "not an address"}, "secure_email"),
        ("nurse@ltht.example.nhs.uk", {"telephone": "0113 243 2799"}, "email"),
        ("nobody@ltht.example.nhs.uk", {"telephone": "0113 243 2799"}, "email"),
    ],
)
def test_bad_contact_details_are_refused_precisely(
    db: Database, email: str, changes: dict[str, str], field: str
) -> None:
    _staff(db, GUARDIAN, ["designated-officer"])
    _staff(db, "nurse@ltht.example.nhs.uk", ["practitioner"])
    before = row_counts(db.url)
    with pytest.raises(InputError) as caught:
        contacts.set_contact_details(
            db.unit_of_work(), email, now=NOW, **changes, requester=CONSOLE
        )  # type: ignore[arg-type]
    assert caught.value.field == field
    assert row_counts(db.url) == before


def test_an_unknown_role_is_refused(db: Database) -> None:
    with pytest.raises(InputError, match="`practitioner`"):
        contacts.contacts_directory(db.unit_of_work(), role="practitioner")
