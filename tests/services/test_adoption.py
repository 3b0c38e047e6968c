"""Adoption of the protocol (Procedure C1) and confirmation of its procedures (Procedure C3)."""

from __future__ import annotations

from datetime import date

import pytest

from infoshare.errors import ConflictError, InputError, UnknownReferenceError
from infoshare.services import adoption, agreements
from infoshare.services.access_log import CONSOLE
from infoshare.services.database import Database
from infoshare.services.staff import create_staff
from tests.services.agreement_files import HOSPITAL_DISCHARGE, example_text, unsigned
from tests.services.conftest import NOW
from tests.support.databases import row_counts

LEAD = "j.firth@ltht.example.nhs.uk"


def _lead_member(db: Database, code: str = "LTHT", email: str = LEAD) -> str:
    create_staff(
        db.unit_of_work(), organisation_code=code, name="Jean Firth",
        email=email, job_title="Director of Governance", roles=["lead-member"], now=NOW,
    )  # fmt: skip
    return email


def _confirm(db: Database, procedure: str = "A1", **changes: object) -> adoption.Confirmation:
    values: dict[str, object] = {
        "organisation": "LTHT", "procedure": procedure, "confirmed_by": LEAD,
        "confirmed_on": date(2003, 2, 3), "evidence": "Consent policy CP-12, on the intranet",
        "now": NOW,
    }  # fmt: skip
    values.update(changes)
    return adoption.confirm_procedure(db.unit_of_work(), **values, requester=CONSOLE)  # type: ignore[arg-type]


def test_the_adoption_table_shows_each_partys_approval(db: Database) -> None:
    rows = {r.organisation: r for r in adoption.adoption_table(db.unit_of_work())}
    assert rows["LTHT"].approved_on is not None
    assert rows["LCC"].approved_on is None

    adoption.record_adoption(
        db.unit_of_work(), "LCC", approved_on=date(2002, 11, 27),
        approving_body="Executive Board", minute_reference="EB/2002/114", requester=CONSOLE
    )  # fmt: skip

    rows = {r.organisation: r for r in adoption.adoption_table(db.unit_of_work())}
    assert (rows["LCC"].approved_on, rows["LCC"].minute_reference) == (
        date(2002, 11, 27),
        "EB/2002/114",
    )


def test_an_approval_dated_after_today_is_refused(db: Database) -> None:
    before = row_counts(db.url)
    with pytest.raises(InputError) as caught:
        adoption.record_adoption(
            db.unit_of_work(), "LCC", approved_on=date(2030, 1, 1),
            approving_body="Executive Board", today=date(2026, 1, 5), requester=CONSOLE
        )  # fmt: skip
    assert caught.value.field == "approved_on"
    assert row_counts(db.url) == before


def test_a_confirmation_shows_in_the_parties_by_procedures_table(db: Database) -> None:
    _lead_member(db)
    confirmed = _confirm(db)
    assert confirmed.confirmed_by == "Jean Firth"

    table = adoption.procedure_table(db.unit_of_work())
    assert table.procedures[:2] == ["A1", "A2"]
    assert table.procedures[-1] == "C5"
    assert len(table.procedures) == 20
    rows = {r.organisation: r for r in table.rows}
    assert rows["LTHT"].confirmations["A1"] == confirmed
    assert rows["LTHT"].confirmed == 1
    assert rows["LCC"].confirmed == 0
    assert table.rows[0].membership == "party"
    assert table.rows[-1].membership != "party"


def test_confirming_the_same_thing_again_changes_nothing(db: Database) -> None:
    _lead_member(db)
    _confirm(db)
    before = row_counts(db.url)
    _confirm(db)
    assert row_counts(db.url) == before


@pytest.mark.parametrize(
    ("changes", "error", "field"),
    [
        ({"procedure": "Z9"}, UnknownReferenceError, "procedure"),
        ({"organisation": "XYZ"}, UnknownReferenceError, "organisation"),
        ({"organisation": "LCC"}, InputError, "confirmed_by"),
        ({"confirmed_by": "nobody@example.org"}, UnknownReferenceError, "confirmed_by"),
        ({"evidence": "  "}, InputError, "evidence"),
        ({"confirmed_on": date(2030, 1, 1)}, InputError, "confirmed_on"),
        ({"evidence": "something else"}, ConflictError, "procedure"),
    ],
)
def test_bad_confirmations_are_refused_precisely(
    db: Database, changes: dict[str, object], error: type[Exception], field: str
) -> None:
    _lead_member(db)
    _confirm(db)
    before = row_counts(db.url)
    with pytest.raises(error) as caught:
        _confirm(db, **changes)
    assert getattr(caught.value, "field", None) == field
    assert row_counts(db.url) == before


def test_only_a_lead_member_confirms(db: Database) -> None:
    create_staff(
        db.unit_of_work(), organisation_code="LTHT", name="Sam Nurse",
        email="s.nurse@ltht.example.nhs.uk", job_title="Staff Nurse", roles=["practitioner"],
        now=NOW,
    )  # fmt: skip
    with pytest.raises(InputError, match="not a lead member of `LTHT`"):
        _confirm(db, confirmed_by="s.nurse@ltht.example.nhs.uk")


def test_once_confirmations_are_recorded_the_lint_checks_them(db: Database) -> None:
    text = unsigned(example_text("hospital-discharge.yaml"))
    agreements.import_agreement(db.unit_of_work(), text, "hd.yaml", now=NOW, requester=CONSOLE)

    def rules() -> set[str]:
        detail = agreements.get_agreement(
            db.unit_of_work(), HOSPITAL_DISCHARGE, today=date(2003, 9, 1)
        )
        return {f.rule for f in detail.findings}

    assert "procedure-not-confirmed" not in rules()  # unknown: not checked
    _lead_member(db)
    _confirm(db)
    assert "procedure-not-confirmed" in rules()  # now LCC has confirmed none
