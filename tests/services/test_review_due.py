"""The review sweep (Section 4.4): every active agreement whose review date has come is
marked review-due, once, and stays in force; on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date

import pytest

from infoshare.domain.agreement import IsaStatus
from infoshare.errors import PermissionDeniedError
from infoshare.services import agreements, disclosures, ledger
from infoshare.services.agreements import REVIEW_SWEEP, mark_reviews_due
from infoshare.services.database import Database
from infoshare.services.policy_cache import forget
from tests.services.test_disclosures import care_request
from tests.store.ledger_events import KEY
from tests.support.accounts_world import NOW
from tests.support.sharing_world import PRACTITIONER, SOCIAL_WORKER, staff

#: the day the first three of the world's five active agreements are due (review dates
#: 2004-01-31 and 2004-03-31); the other two are due on 2004-04-30 and 2004-05-31
FIRST_DUE = date(2004, 3, 31)


def _statuses(db: Database) -> dict[str, IsaStatus]:
    found = agreements.list_agreements(db.unit_of_work(), today=NOW.date())
    return {s.reference: s.status for s in found}


def test_the_sweep_moves_exactly_the_active_agreements_whose_review_date_has_come(
    sharing_db: Database,
) -> None:
    before = _statuses(sharing_db)
    moved = mark_reviews_due(sharing_db.unit_of_work(), today=FIRST_DUE, now=NOW)
    assert [(s.reference, s.status) for s in moved] == [
        ("LEEDS-ISA-2003-001", IsaStatus.REVIEW_DUE),
        ("LEEDS-ISA-2003-004", IsaStatus.REVIEW_DUE),
        ("LEEDS-ISA-2003-007", IsaStatus.REVIEW_DUE),
    ]
    after = _statuses(sharing_db)
    changed = {r for r in after if after[r] != before[r]}
    assert changed == {"LEEDS-ISA-2003-001", "LEEDS-ISA-2003-004", "LEEDS-ISA-2003-007"}
    assert after["LEEDS-ISA-2003-002"] == IsaStatus.ACTIVE
    # drafts and expired agreements are never touched
    assert after["LEEDS-ISA-2003-005"] == IsaStatus.DRAFT
    assert after["LEEDS-ISA-2002-001"] == IsaStatus.EXPIRED

    detail = agreements.get_agreement(sharing_db.unit_of_work(), "LEEDS-ISA-2003-007")
    step = detail.history[-1]
    assert (step.action, step.from_status, step.to_status, step.actor) == (
        "mark-review-due",
        "active",
        "review-due",
        REVIEW_SWEEP.name,
    )
    due = agreements.list_agreements(
        sharing_db.unit_of_work(), status="review-due", today=FIRST_DUE
    )
    assert [s.reference for s in due] == [s.reference for s in moved]


def test_the_sweep_is_idempotent(sharing_db: Database) -> None:
    assert len(mark_reviews_due(sharing_db.unit_of_work(), now=NOW)) == 5
    history = agreements.get_agreement(sharing_db.unit_of_work(), "LEEDS-ISA-2003-001").history
    assert mark_reviews_due(sharing_db.unit_of_work(), now=NOW) == []
    again = agreements.get_agreement(sharing_db.unit_of_work(), "LEEDS-ISA-2003-001").history
    assert again == history


def test_the_ledger_still_verifies_after_the_sweep(sharing_db: Database) -> None:
    # Review-due is kept in each version's history, not the ledger: nothing it moved may
    # look like a step or a record changed behind the ledger's back.
    mark_reviews_due(sharing_db.unit_of_work(), now=NOW)
    report = ledger.verify(sharing_db.unit_of_work(), KEY.verifier)
    assert report.problem is None


def test_nothing_is_due_before_its_review_date(sharing_db: Database) -> None:
    assert mark_reviews_due(sharing_db.unit_of_work(), today=date(2004, 1, 30), now=NOW) == []
    [moved] = mark_reviews_due(sharing_db.unit_of_work(), today=date(2004, 1, 31), now=NOW)
    assert moved.reference == "LEEDS-ISA-2003-007"


def test_a_recorded_review_makes_it_active_until_the_next_review_date(
    sharing_db: Database,
) -> None:
    mark_reviews_due(sharing_db.unit_of_work(), today=FIRST_DUE, now=NOW)
    agreements.record_review(
        sharing_db.unit_of_work(),
        "LEEDS-ISA-2003-007",
        reviewed_on=date(2004, 2, 10),
        next_review=date(2005, 1, 31),
        requester=REVIEW_SWEEP,
        now=NOW,
    )
    assert _statuses(sharing_db)["LEEDS-ISA-2003-007"] == IsaStatus.ACTIVE
    due_then = mark_reviews_due(sharing_db.unit_of_work(), today=date(2005, 1, 30), now=NOW)
    assert "LEEDS-ISA-2003-007" not in {s.reference for s in due_then}
    [moved] = mark_reviews_due(sharing_db.unit_of_work(), today=date(2005, 1, 31), now=NOW)
    assert moved.reference == "LEEDS-ISA-2003-007"


def test_sharing_goes_on_under_an_agreement_due_for_review(sharing_db: Database) -> None:
    # Section 4.4 reviews an agreement; it does not suspend it: review-due is still in force.
    before = disclosures.ask(sharing_db, staff(SOCIAL_WORKER), care_request(), now=NOW)
    moved = mark_reviews_due(sharing_db.unit_of_work(), now=NOW)
    assert before.decision.isa_reference in {s.reference for s in moved}
    forget(sharing_db)
    after = disclosures.disclose(sharing_db, staff(SOCIAL_WORKER), care_request(), now=NOW)
    assert after.decision.outcome == before.decision.outcome == "permit"
    assert after.decision.isa_reference == before.decision.isa_reference
    assert after.disclosure_id is not None


def test_staff_who_may_not_manage_agreements_cannot_run_the_sweep(sharing_db: Database) -> None:
    before = _statuses(sharing_db)
    with pytest.raises(PermissionDeniedError):
        mark_reviews_due(sharing_db.unit_of_work(), requester=staff(PRACTITIONER), now=NOW)
    assert _statuses(sharing_db) == before
