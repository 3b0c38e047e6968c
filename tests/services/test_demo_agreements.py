"""The demo's agreements, adoption, procedure confirmations and contacts (issue 4)."""

from __future__ import annotations

from infoshare.domain.agreement import IsaStatus
from infoshare.policy.isa_lint import RuleId
from infoshare.services import adoption, agreements, contacts
from infoshare.services.database import Database
from infoshare.services.demo import DemoSize, build_demo
from infoshare.services.demo_agreements import (
    DEMO_AGREEMENTS,
    DEMO_AS_AT,
    add_demo_agreements,
    record_later_adoptions,
)
from tests.services.conftest import NOW

TINY = DemoSize("tiny", staff=80, service_users=20)
AWAITED = {"LCC", "EDL", "WYP"}

#: the register as the demo leaves it, with the seed's approvals (7 of 10 parties)
IN_THE_DEMO = {
    "LEEDS-ISA-2003-007": IsaStatus.ACTIVE,  # community mental health shared care
    "LEEDS-ISA-2002-001": IsaStatus.EXPIRED,  # intermediate care winter pilot
    "LEEDS-ISA-2003-001": IsaStatus.SIGNED,  # hospital discharge: LCC awaited
    "LEEDS-ISA-2003-002": IsaStatus.SIGNED,  # child protection: EDL, LCC, WYP awaited
    "LEEDS-ISA-2003-003": IsaStatus.SIGNED,  # mental health crisis: WYP awaited
    "LEEDS-ISA-2003-004": IsaStatus.SIGNED,  # planning statistics: LCC awaited
    "LEEDS-ISA-2003-005": IsaStatus.DRAFT,  # housing support, with warnings
    "LEEDS-ISA-2003-006": IsaStatus.SIGNED,  # domestic violence pilot: LCC, WYP awaited
}


def test_the_demo_keeps_the_seeds_adoption_and_puts_in_force_only_what_it_allows(
    db: Database,
) -> None:
    build_demo(db, TINY, now=NOW)

    awaiting = {
        r.organisation
        for r in adoption.adoption_table(db.unit_of_work())
        if r.membership == "party" and r.approved_on is None
    }
    assert awaiting == AWAITED
    register = agreements.list_agreements(db.unit_of_work(), today=DEMO_AS_AT)
    assert {s.reference: s.status for s in register} == IN_THE_DEMO
    for summary in register:
        detail = agreements.get_agreement(db.unit_of_work(), summary.reference, today=DEMO_AS_AT)
        rules = [f.rule_id for f in detail.findings]
        errors = [f.rule_id for f in detail.findings if f.severity == "error"]
        awaited = sorted(set(detail.agreement.party_codes) & AWAITED)
        if summary.status is IsaStatus.ACTIVE:
            assert all(p.signed for p in summary.parties), summary.reference
            assert detail.findings == [], detail.findings
        if summary.status is IsaStatus.SIGNED:
            # signed by all, and the page says why it is not in force: Procedure C1
            assert all(p.signed for p in summary.parties), summary.reference
            not_adopted = [f for f in detail.findings if f.rule_id == RuleId.PARTY_NOT_ADOPTED]
            assert [f.clause for f in not_adopted] == ["Procedure C1"] * len(awaited)
            assert all(any(f"`{c}`" in f.message for f in not_adopted) for c in awaited)
        if summary.status is IsaStatus.DRAFT:
            assert errors == [RuleId.PARTY_NOT_ADOPTED] * len(awaited)
            assert detail.warnings > 0
        if summary.status is IsaStatus.EXPIRED:
            assert rules == [RuleId.AGREEMENT_ENDED]


def test_the_demo_has_an_agreement_in_force_for_identifiable_care(db: Database) -> None:
    build_demo(db, TINY, now=NOW)

    in_force = agreements.agreements_in_force(db.unit_of_work())
    assert [a.reference for a in in_force] == ["LEEDS-ISA-2003-007"]
    (isa,) = in_force
    assert not set(isa.party_codes) & AWAITED
    assert {"LTHT", "LMHST", "WLPCT", "SLPCT"} <= set(isa.party_codes)
    assert {p.purpose for p in isa.purposes} == {"care", "support"}
    assert {"identity", "physical-health", "mental-health", "social-care-needs"} <= set(
        isa.data_categories
    )
    assert {(r.organisation, r.role) for r in isa.need_to_know} >= {
        ("LTHT", "practitioner"),
        ("LTHT", "designated-officer"),
        ("LMHST", "practitioner"),
    }


def test_the_demo_records_confirmations_only_of_parties_that_approved_and_contacts(
    db: Database,
) -> None:
    build_demo(db, TINY, now=NOW)

    approved = [r for r in adoption.adoption_table(db.unit_of_work()) if r.approved_on]
    assert len(approved) == 7
    table = adoption.procedure_table(db.unit_of_work())
    rows = {r.organisation: r for r in table.rows}
    assert rows["LTHT"].confirmed == 20
    assert rows["SLPCT"].confirmed == 15
    assert rows["LCC"].confirmed == 0
    assert rows["EDL"].confirmed == 0
    assert rows["WYMAS"].confirmed == 0
    officers = contacts.designated_officers(db.unit_of_work(), "LTHT")
    assert officers
    assert all(o.telephone and o.telephone.startswith("0113 496 ") for o in officers)


def test_with_the_later_approvals_every_agreement_reaches_its_own_status(db: Database) -> None:
    # for worlds that need LCC, EDL and WYP in (the sharing workflow's tests), not the demo
    record_later_adoptions(db)
    assert add_demo_agreements(db, now=NOW) == len(DEMO_AGREEMENTS)

    register = agreements.list_agreements(db.unit_of_work(), today=DEMO_AS_AT)
    by_reference = {s.reference: s.status for s in register}
    assert sorted(by_reference.values()) == sorted(d.status for d in DEMO_AGREEMENTS)
    assert by_reference["LEEDS-ISA-2003-001"] is IsaStatus.ACTIVE
    assert by_reference["LEEDS-ISA-2003-006"] is IsaStatus.EXPIRED
    approved = [r for r in adoption.adoption_table(db.unit_of_work()) if r.approved_on]
    assert len(approved) == 10


def test_the_demo_agreements_are_added_once(db: Database) -> None:
    build_demo(db, TINY, now=NOW)
    assert add_demo_agreements(db, now=NOW) == 0
    versions = agreements.list_agreements(db.unit_of_work(), all_versions=True)
    assert len(versions) == len(DEMO_AGREEMENTS)
