"""The demo's agreements, adoption, procedure confirmations and contacts (issue 4)."""

from __future__ import annotations

from infoshare.domain.agreement import IsaStatus
from infoshare.services import adoption, agreements, contacts
from infoshare.services.database import Database
from infoshare.services.demo import DemoSize, build_demo
from infoshare.services.demo_agreements import DEMO_AGREEMENTS, DEMO_AS_AT, add_demo_agreements
from tests.services.conftest import NOW

TINY = DemoSize("tiny", staff=80, service_users=20)


def test_the_demo_register_tells_the_story_of_2003(db: Database) -> None:
    build_demo(db, TINY, now=NOW)

    register = agreements.list_agreements(db.unit_of_work(), today=DEMO_AS_AT)
    statuses = {s.reference: s.status for s in register}
    assert sorted(statuses.values()) == sorted(d.status for d in DEMO_AGREEMENTS)
    for summary in register:
        detail = agreements.get_agreement(db.unit_of_work(), summary.reference, today=DEMO_AS_AT)
        if summary.status is IsaStatus.ACTIVE:
            assert all(p.signed for p in summary.parties), summary.reference
            assert detail.errors == 0, detail.findings
        if summary.status is IsaStatus.DRAFT:
            assert detail.errors == 0
            assert detail.warnings > 0
        if summary.status is IsaStatus.EXPIRED:
            assert [f.rule for f in detail.findings] == ["agreement-ended"]


def test_the_demo_records_adoption_confirmations_and_contacts(db: Database) -> None:
    build_demo(db, TINY, now=NOW)

    approved = [r for r in adoption.adoption_table(db.unit_of_work()) if r.approved_on]
    assert len(approved) == 10
    table = adoption.procedure_table(db.unit_of_work())
    rows = {r.organisation: r for r in table.rows}
    assert rows["LTHT"].confirmed == 20
    assert rows["EDL"].confirmed == 15
    assert rows["WYMAS"].confirmed == 0
    officers = contacts.designated_officers(db.unit_of_work(), "LTHT")
    assert officers
    assert all(o.telephone and o.telephone.startswith("0113 496 ") for o in officers)


def test_the_demo_agreements_are_added_once(db: Database) -> None:
    build_demo(db, TINY, now=NOW)
    assert add_demo_agreements(db, now=NOW) == 0
    versions = agreements.list_agreements(db.unit_of_work(), all_versions=True)
    assert len(versions) == len(DEMO_AGREEMENTS)
