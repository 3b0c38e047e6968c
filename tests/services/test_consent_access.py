"""Who may record and read consent (Procedure B1, Principle 7), and the log each leaves."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from infoshare.errors import NotFoundError, PermissionDeniedError
from infoshare.policy.access import Actor
from infoshare.services.access_log import Outcome, Requester, RequesterKind, recent_entries
from infoshare.services.capacity import record_capacity_assessment
from infoshare.services.consent import (
    consent_history,
    get_consent,
    record_consent,
    withdraw_consent,
)
from infoshare.services.database import Database, open_database
from tests.services.consent_builders import ADULT, capacity_draft, consent_draft, withdrawal_draft
from tests.support.accounts_world import NOW, TEMPLATE, build_world
from tests.support.databases import DatabaseTemplates, row_counts


def _staff(code: str, *roles: str) -> Requester:
    return Requester(
        RequesterKind.STAFF, f"someone@{code.lower()}.example", "127.0.0.1",
        Actor(code, frozenset(roles)),
    )  # fmt: skip


LTHT = _staff("LTHT", "practitioner")
LCC = _staff("LCC", "practitioner")
STEERING = _staff("LTHT", "steering-group")


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def world(request: pytest.FixtureRequest, database_templates: DatabaseTemplates) -> Iterator[str]:
    yield from database_templates.copy(request, request.param, TEMPLATE, build_world)


@pytest.fixture
def db(world: str) -> Iterator[Database]:
    database = open_database(world)
    yield database
    database.dispose()


def test_a_practitioner_records_for_their_own_party_and_reads_are_logged(db: Database) -> None:
    view = record_consent(db.unit_of_work(), consent_draft(), requester=LTHT, now=NOW)
    consent_history(db.unit_of_work(), ADULT, requester=LTHT, why="care planning", at=NOW)

    reads = recent_entries(db.unit_of_work(), outcome=Outcome.READ)
    assert [(r.what, r.why, str(r.service_user_id)) for r in reads] == [
        ("consent records", "care planning", view.subject_id)
    ]
    assert reads[0].actor_organisation == "LTHT"


@pytest.mark.parametrize(
    ("requester", "organisation"), [(LCC, "LTHT"), (LTHT, "LCC"), (STEERING, "LTHT")]
)
def test_recording_for_another_party_or_without_the_permission_is_refused_and_logged(
    db: Database, world: str, requester: Requester, organisation: str
) -> None:
    before = row_counts(world)
    with pytest.raises(PermissionDeniedError):
        record_consent(
            db.unit_of_work(),
            consent_draft(obtained_by_organisation=organisation),
            requester=requester,
            now=NOW,
        )
    with pytest.raises(PermissionDeniedError):
        record_capacity_assessment(
            db.unit_of_work(),
            capacity_draft(
                nhs_number=ADULT, kind="capacity", assessed_by_organisation=organisation
            ),
            requester=requester,
            now=NOW,
        )
    after = row_counts(world)
    assert after.pop("access_log") == before.pop("access_log") + 2
    assert after == before


def test_another_partys_person_is_not_found_and_the_attempt_logged(db: Database) -> None:
    view = record_consent(db.unit_of_work(), consent_draft(), requester=LTHT, now=NOW)
    with pytest.raises(NotFoundError):
        get_consent(db.unit_of_work(), view.id, requester=LCC)
    with pytest.raises(NotFoundError):
        consent_history(db.unit_of_work(), ADULT, requester=LCC)
    denied = recent_entries(db.unit_of_work(), outcome=Outcome.DENIED)
    assert len(denied) == 2
    assert {d.actor_organisation for d in denied} == {"LCC"}


def test_another_party_cannot_withdraw_or_even_see_a_consent(db: Database, world: str) -> None:
    view = record_consent(db.unit_of_work(), consent_draft(), requester=LTHT, now=NOW)
    lcc_withdrawal = withdrawal_draft(recorded_by_organisation="LCC")
    before = row_counts(world)
    with pytest.raises(NotFoundError):
        withdraw_consent(db.unit_of_work(), view.id, lcc_withdrawal, requester=LCC, now=NOW)
    after = row_counts(world)
    assert after.pop("access_log") == before.pop("access_log") + 1
    assert after == before
    withdrawn = withdraw_consent(db.unit_of_work(), view.id, withdrawal_draft(), requester=LTHT,
                                 now=NOW)  # fmt: skip
    assert withdrawn.status == "withdrawn"
