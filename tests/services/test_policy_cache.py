"""The compiled policy follows the database: a change to staff, training or agreements is seen
by the next decision once the stamp is looked at again (Principles 7, 14; Section 3.1)."""

from __future__ import annotations

from datetime import date

from infoshare.services import policy_cache
from infoshare.services.database import Database
from infoshare.services.staff import create_staff, record_training
from tests.support.accounts_world import NOW
from tests.support.sharing_world import SOCIAL_WORKER


def test_the_policy_is_compiled_once_and_kept(sharing_db: Database) -> None:
    policy_cache.forget(sharing_db)
    first, _ = policy_cache.current_policy(sharing_db, now=100.0)
    again, _ = policy_cache.current_policy(sharing_db, now=100.1)
    later, _ = policy_cache.current_policy(sharing_db, now=200.0)
    assert again is first
    assert later is first  # nothing changed: the stamp is the same
    assert SOCIAL_WORKER in first.staff
    assert first.agreements  # the demo's agreements in force


def test_a_new_member_of_staff_and_new_training_reach_the_policy(sharing_db: Database) -> None:
    policy_cache.forget(sharing_db)
    before, _ = policy_cache.current_policy(sharing_db, now=100.0)
    create_staff(
        sharing_db.unit_of_work(),
        organisation_code="LCC",
        name="New Worker",
        email="new.worker@lcc.example",
        job_title="Social worker",
        roles=("practitioner",),
        now=NOW,
    )
    assert "new.worker@lcc.example" not in before.staff
    # within CHECK_EVERY the kept policy answers; after it, the stamp shows the change
    assert policy_cache.current_policy(sharing_db, now=100.1)[0] is before
    after, _ = policy_cache.current_policy(sharing_db, now=101.0)
    assert after.staff["new.worker@lcc.example"].trained_on is None
    record_training(
        sharing_db.unit_of_work(), "new.worker@lcc.example", completed_on=date(2025, 12, 1)
    )
    trained, _ = policy_cache.current_policy(sharing_db, now=102.0)
    assert trained.staff["new.worker@lcc.example"].trained_on == date(2025, 12, 1)


def test_the_review_period_setting_reaches_the_policy(sharing_db: Database) -> None:
    policy_cache.forget(sharing_db)
    policy, _ = policy_cache.current_policy(sharing_db, review_hours=24, now=100.0)
    assert policy.options.review_due_after.total_seconds() == 24 * 3600
    # a different period is not answered by the kept policy, even within CHECK_EVERY
    other, _ = policy_cache.current_policy(sharing_db, review_hours=72, now=100.1)
    assert other.options.review_due_after.total_seconds() == 72 * 3600
