"""The ISA register: import, lifecycle, amendments, listing and export (Sections 1.1, 3.1, 4.4).

Every bad input is refused precisely and changes nothing (row counts are compared).
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import date

import pytest
from sqlalchemy import func, select

from infoshare.domain.agreement import IsaStatus
from infoshare.domain.agreement_yaml import parse_agreement
from infoshare.errors import (
    AgreementFileError,
    AgreementNotReadyError,
    AgreementStateError,
    ConflictError,
    InputError,
    NotFoundError,
)
from infoshare.services import agreements, ledger
from infoshare.services.access_log import CONSOLE
from infoshare.services.database import Database
from infoshare.store.models import AgreementGrantRecord
from tests.services.agreement_files import (
    HOSPITAL_DISCHARGE,
    adopt_all,
    example_text,
    signatures,
    unsigned,
)
from tests.services.conftest import NOW
from tests.support.databases import row_counts

DISCHARGE = "hospital-discharge.yaml"
AS_AT = date(2003, 9, 1)


def _import(db: Database, name: str = DISCHARGE, **kwargs: str) -> agreements.AgreementSummary:
    text = unsigned(example_text(name), **kwargs)
    return agreements.import_agreement(db.unit_of_work(), text, name, now=NOW, requester=CONSOLE)


def _sign_all(db: Database, reference: str, name: str = DISCHARGE) -> agreements.AgreementSummary:
    summary = None
    for organisation, person, post, on in signatures(name):
        summary = agreements.sign(
            db.unit_of_work(), reference, organisation=organisation, name=person, post=post,
            signed_on=on, now=NOW, requester=CONSOLE
        )  # fmt: skip
    assert summary is not None
    return summary


def _active_discharge(db: Database) -> None:
    adopt_all(db)
    _import(db)
    _sign_all(db, HOSPITAL_DISCHARGE)
    agreements.activate(
        db.unit_of_work(), HOSPITAL_DISCHARGE, today=date(2003, 4, 1), now=NOW, requester=CONSOLE
    )


def _grants(db: Database) -> int:
    with db.unit_of_work().reading() as uow:
        return uow.session.scalar(select(func.count()).select_from(AgreementGrantRecord)) or 0


def test_an_imported_agreement_is_in_the_register_with_its_matrix_as_rows(db: Database) -> None:
    summary = _import(db)

    assert summary.reference == HOSPITAL_DISCHARGE
    assert summary.status is IsaStatus.PROPOSED
    assert [(p.organisation, p.does, p.signed) for p in summary.parties] == [
        ("LTHT", "both", False),
        ("LCC", "both", False),
    ]
    assert agreements.list_agreements(db.unit_of_work(), today=AS_AT) == [summary]
    isa = parse_agreement(example_text(DISCHARGE), DISCHARGE).agreement
    expected = {
        (row.organisation, row.role, category, purpose)
        for row in isa.need_to_know
        for category in row.categories
        for purpose in (row.purposes or [p.purpose for p in isa.purposes])
    }
    assert _grants(db) == len(expected) > 0


def test_the_whole_life_of_an_agreement(db: Database) -> None:
    adopt_all(db)
    _import(db)
    signed = _sign_all(db, HOSPITAL_DISCHARGE)
    assert signed.status is IsaStatus.SIGNED
    assert all(p.signed for p in signed.parties)

    active = agreements.activate(
        db.unit_of_work(), HOSPITAL_DISCHARGE, today=date(2003, 4, 1), now=NOW, requester=CONSOLE
    )
    assert active.status is IsaStatus.ACTIVE

    detail = agreements.get_agreement(db.unit_of_work(), HOSPITAL_DISCHARGE, today=AS_AT)
    assert detail.errors == 0
    assert [h.action for h in detail.history] == ["import", "sign", "sign", "activate"]
    assert detail.history[-1].to_status == "active"

    due = agreements.mark_review_due(
        db.unit_of_work(), HOSPITAL_DISCHARGE, today=date(2004, 4, 1), now=NOW, requester=CONSOLE
    )
    assert due.status is IsaStatus.REVIEW_DUE
    assert due.review_due
    reviewed = agreements.record_review(
        db.unit_of_work(), HOSPITAL_DISCHARGE, reviewed_on=date(2004, 4, 2),
        next_review=date(2005, 3, 31), now=NOW, requester=CONSOLE
    )  # fmt: skip
    assert reviewed.status is IsaStatus.ACTIVE
    assert reviewed.review_date == date(2005, 3, 31)


def test_an_amendment_is_a_new_version_and_the_old_one_stays_readable(db: Database) -> None:
    _active_discharge(db)

    draft = agreements.amend(
        db.unit_of_work(), HOSPITAL_DISCHARGE, dated=date(2003, 10, 1),
        summary="Housing officers join the matrix", now=NOW, requester=CONSOLE
    )  # fmt: skip
    assert (draft.version, draft.status) == (2, IsaStatus.DRAFT)
    old = agreements.get_agreement(db.unit_of_work(), HOSPITAL_DISCHARGE, 1, today=AS_AT)
    assert old.summary.status is IsaStatus.ACTIVE
    assert old.versions == [1, 2]

    # The draft is changed by importing it again, then goes through the lifecycle.
    text = agreements.export_agreement(db.unit_of_work(), HOSPITAL_DISCHARGE, 2)
    text = text.replace("title: Hospital discharge planning", "title: Hospital discharge")
    agreements.import_agreement(db.unit_of_work(), text, "amended.yaml", now=NOW, requester=CONSOLE)
    agreements.propose(db.unit_of_work(), HOSPITAL_DISCHARGE, now=NOW, requester=CONSOLE)
    _sign_all(db, HOSPITAL_DISCHARGE)
    agreements.activate(
        db.unit_of_work(), HOSPITAL_DISCHARGE, today=date(2003, 10, 2), now=NOW, requester=CONSOLE
    )

    versions = agreements.list_agreements(db.unit_of_work(), all_versions=True, today=AS_AT)
    assert [(v.version, v.status, v.title) for v in versions] == [
        (1, IsaStatus.SUPERSEDED, "Hospital discharge planning"),
        (2, IsaStatus.ACTIVE, "Hospital discharge"),
    ]
    assert [v.version for v in agreements.list_agreements(db.unit_of_work())] == [2]


def test_export_gives_back_the_stored_agreement(db: Database) -> None:
    _import(db)
    text = agreements.export_agreement(db.unit_of_work(), HOSPITAL_DISCHARGE)
    exported = parse_agreement(text, "exported.yaml").agreement
    stored = agreements.get_agreement(db.unit_of_work(), HOSPITAL_DISCHARGE, today=AS_AT)
    assert exported == stored.agreement


def test_signing_twice_is_refused_and_changes_nothing(db: Database) -> None:
    _import(db)
    organisation, name, post, on = signatures(DISCHARGE)[0]
    agreements.sign(
        db.unit_of_work(), HOSPITAL_DISCHARGE, organisation=organisation, name=name, post=post,
        signed_on=on, now=NOW, requester=CONSOLE
    )  # fmt: skip
    before = row_counts(db.url)
    with pytest.raises(AgreementStateError, match="already signed"):
        agreements.sign(
            db.unit_of_work(), HOSPITAL_DISCHARGE, organisation=organisation, name=name,
            post=post, signed_on=on, now=NOW, requester=CONSOLE
        )  # fmt: skip
    assert row_counts(db.url) == before


def test_a_signature_dated_in_the_future_is_refused(db: Database) -> None:
    _import(db)
    before = row_counts(db.url)
    with pytest.raises(InputError) as caught:
        agreements.sign(
            db.unit_of_work(), HOSPITAL_DISCHARGE, organisation="LTHT", name="A Whitaker",
            post="Caldicott Guardian", signed_on=date(2030, 1, 1), now=NOW, requester=CONSOLE
        )  # fmt: skip
    assert caught.value.field == "signed_on"
    assert row_counts(db.url) == before


def test_activation_with_lint_errors_is_refused_with_the_findings(db: Database) -> None:
    # LCC had not approved the protocol in the pack's record (Procedure C1).
    _import(db)
    _sign_all(db, HOSPITAL_DISCHARGE)
    before = row_counts(db.url)
    with pytest.raises(AgreementNotReadyError) as caught:
        agreements.activate(
            db.unit_of_work(),
            HOSPITAL_DISCHARGE,
            today=date(2003, 4, 1),
            now=NOW,
            requester=CONSOLE,
        )
    assert any(r.startswith("ISA004") and "`LCC`" in r for r in caught.value.reasons)
    assert row_counts(db.url) == before
    status = agreements.get_agreement(db.unit_of_work(), HOSPITAL_DISCHARGE).summary.status
    assert status is IsaStatus.SIGNED


def test_an_unsigned_agreement_cannot_be_activated(db: Database) -> None:
    adopt_all(db)
    _import(db)
    with pytest.raises(AgreementStateError, match="`proposed` cannot `activate`"):
        agreements.activate(db.unit_of_work(), HOSPITAL_DISCHARGE, now=NOW, requester=CONSOLE)


@pytest.mark.parametrize(
    ("change", "where"),
    [
        (("title: Hospital discharge planning", "title: [unclosed"), "(file)"),
        (("organisation: LCC", "organisation: LGI"), "parties[1].organisation"),
        (("  - purpose: care", "  - purpose: leisure"), "purposes[0].purpose"),
        (("[identity, contact-details", "[identity, shoe-size"), "categories[1]"),
        (("review_date: 2004-03-31", "review_date: 2003-03-31"), "review_date"),
        (("status: proposed", "status: active"), "status"),
    ],
)
def test_a_bad_file_is_refused_naming_file_line_and_field_and_stores_nothing(
    db: Database, change: tuple[str, str], where: str
) -> None:
    text = unsigned(example_text(DISCHARGE))
    assert change[0] in text
    bad = text.replace(change[0], change[1], 1)
    before = row_counts(db.url)
    with pytest.raises(AgreementFileError) as caught:
        agreements.import_agreement(db.unit_of_work(), bad, "bad.yaml", now=NOW, requester=CONSOLE)
    problems = caught.value.problems
    assert any(p.file == "bad.yaml" and p.line and where in p.location for p in problems), problems
    assert row_counts(db.url) == before


def test_every_unknown_reference_is_listed_at_once(db: Database) -> None:
    text = unsigned(example_text(DISCHARGE))
    bad = text.replace("organisation: LCC", "organisation: LGI").replace(
        "  - purpose: care", "  - purpose: leisure"
    )
    with pytest.raises(AgreementFileError) as caught:
        agreements.import_agreement(db.unit_of_work(), bad, "bad.yaml", now=NOW, requester=CONSOLE)
    locations = [p.location for p in caught.value.problems]
    assert any("purpose" in loc for loc in locations)
    assert any("organisation" in loc for loc in locations)
    assert "`LGI`" in str(caught.value)
    assert "`leisure`" in str(caught.value)


def test_a_stored_version_that_is_not_a_draft_is_not_replaced(db: Database) -> None:
    _import(db)
    before = row_counts(db.url)
    with pytest.raises(ConflictError, match="only a draft can be replaced"):
        _import(db)
    text = unsigned(example_text(DISCHARGE)).replace("version: 1", "version: 3")
    with pytest.raises(ConflictError, match="an amendment is version 2"):
        agreements.import_agreement(db.unit_of_work(), text, "v3.yaml", now=NOW, requester=CONSOLE)
    assert row_counts(db.url) == before


def test_the_register_filters_by_party_status_and_review(db: Database) -> None:
    _active_discharge(db)
    adopt_cp = unsigned(example_text("child-protection.yaml"))
    agreements.import_agreement(db.unit_of_work(), adopt_cp, "cp.yaml", now=NOW, requester=CONSOLE)

    def refs(**filters: object) -> list[str]:
        found = agreements.list_agreements(db.unit_of_work(), today=AS_AT, **filters)  # type: ignore[arg-type]
        return [s.reference for s in found]

    assert refs() == [HOSPITAL_DISCHARGE, "LEEDS-ISA-2003-002"]
    assert refs(party="LTHT") == [HOSPITAL_DISCHARGE]
    assert refs(party="WYP") == ["LEEDS-ISA-2003-002"]
    assert refs(status="active") == [HOSPITAL_DISCHARGE]
    assert refs(review_due=True) == []
    due = agreements.list_agreements(db.unit_of_work(), review_due=True, today=date(2004, 4, 1))
    assert [s.reference for s in due] == [HOSPITAL_DISCHARGE]
    with pytest.raises(InputError, match="`live`"):
        refs(status="live")
    with pytest.raises(InputError, match="`XYZ`"):
        refs(party="XYZ")


def test_an_agreement_that_is_not_there_is_not_found(db: Database) -> None:
    with pytest.raises(NotFoundError, match="`LEEDS-ISA-1999-001`"):
        agreements.get_agreement(db.unit_of_work(), "LEEDS-ISA-1999-001")


def test_expiry_needs_the_end_date_and_termination_a_reason(db: Database) -> None:
    adopt_all(db)
    name = "domestic-violence-pilot-expired.yaml"
    summary = _import(db, name)
    _sign_all(db, summary.reference, name)
    agreements.activate(
        db.unit_of_work(), summary.reference, today=date(2003, 3, 1), now=NOW, requester=CONSOLE
    )
    with pytest.raises(AgreementStateError, match="has not reached an end date"):
        agreements.expire(
            db.unit_of_work(), summary.reference, today=date(2003, 8, 1), now=NOW, requester=CONSOLE
        )
    expired = agreements.expire(
        db.unit_of_work(), summary.reference, today=date(2003, 9, 1), now=NOW, requester=CONSOLE
    )
    assert expired.status is IsaStatus.EXPIRED

    draft = _import(db, status="draft")
    with pytest.raises(InputError, match="reason"):
        agreements.terminate(
            db.unit_of_work(), draft.reference, reason=" ", now=NOW, requester=CONSOLE
        )
    ended = agreements.terminate(
        db.unit_of_work(),
        draft.reference,
        reason="Replaced by a city-wide agreement",
        now=NOW,
        requester=CONSOLE,
    )
    assert ended.status is IsaStatus.TERMINATED


def test_signatures_activation_and_ending_are_in_the_ledger(db: Database) -> None:
    _active_discharge(db)
    agreements.terminate(
        db.unit_of_work(), HOSPITAL_DISCHARGE, reason="Replaced", now=NOW, requester=CONSOLE
    )

    def kinds(kind: str) -> list[tuple[str, str | None, str | None]]:
        found = ledger.entries(db.unit_of_work(), kind=kind)
        return [(e.entry.actor_organisation, e.record_id, e.entry.reason) for e in found]

    version = f"{HOSPITAL_DISCHARGE}@v1"
    assert kinds("isa:signed") == [("LTHT", version, None), ("LCC", version, None)]
    assert kinds("isa:activated") == [("LTHT", version, None)]
    assert kinds("isa:ended") == [("LTHT", version, "terminate")]


def test_the_decision_engine_gets_the_agreements_in_force(db: Database) -> None:
    _active_discharge(db)
    _import(db, "child-protection.yaml")

    in_force = agreements.agreements_in_force(db.unit_of_work())

    assert [(a.reference, a.status) for a in in_force] == [(HOSPITAL_DISCHARGE, IsaStatus.ACTIVE)]
    assert agreements.adoption_dates(db.unit_of_work())["LCC"] == date(2002, 11, 27)


def test_parties_signing_at_the_same_moment_both_count(db: Database) -> None:
    _import(db)
    barrier = threading.Barrier(2)

    def sign(organisation: str, name: str, post: str, on: date) -> None:
        barrier.wait()
        agreements.sign(
            db.unit_of_work(), HOSPITAL_DISCHARGE, organisation=organisation, name=name,
            post=post, signed_on=on, now=NOW, requester=CONSOLE,
        )  # fmt: skip

    with ThreadPoolExecutor(max_workers=2) as pool:
        for future in [pool.submit(sign, *s) for s in signatures(DISCHARGE)]:
            future.result()

    summary = agreements.get_agreement(db.unit_of_work(), HOSPITAL_DISCHARGE).summary
    assert summary.status is IsaStatus.SIGNED
    assert all(p.signed for p in summary.parties)
