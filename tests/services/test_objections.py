"""Objections (Principle 5) and restrictions (Principle 4) through the services, on SQLite and
PostgreSQL: recorded with their ledger entries, seen by the very next decision, lifted or
ended without rewriting history, for one's own party only, every read logged."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from infoshare.errors import (
    ConflictError,
    InputError,
    NotFoundError,
    PermissionDeniedError,
    UnknownReferenceError,
)
from infoshare.ledger.events import EventKind
from infoshare.policy.decision import Outcome
from infoshare.services import disclosures, objections
from infoshare.services.database import Database
from infoshare.services.objections import EndDraft, ObjectionDraft
from infoshare.services.subject_facts import person_of, subject_facts
from infoshare.store.models import (
    AccessLogRecord,
    LedgerEntryRecord,
    ObjectionEndRecord,
    ObjectionRecord,
)
from tests.services.test_disclosures import care_request
from tests.support.accounts_world import NOW, nhs_number
from tests.support.sharing_world import (
    AMARA,
    CHLOE,
    POLICE_OFFICER,
    PRACTITIONER,
    SOCIAL_WORKER,
    staff,
)


def objection(**changes: Any) -> ObjectionDraft:
    values: dict[str, Any] = {
        "nhs_number": AMARA,
        "kind": "objection",
        "recipients": ["LCC"],
        "note": "I do not want social services told about my health",
        "stated_at": NOW - timedelta(hours=1),
        "recorded_by": "Pat Practitioner",
        "recorded_by_organisation": "LTHT",
    }
    values.update(changes)
    return ObjectionDraft.model_validate(values)


def restriction(**changes: Any) -> ObjectionDraft:
    values: dict[str, Any] = {
        "kind": "restriction",
        "recipients": [],
        "data_categories": ["physical-health"],
        "ground": "court-order",
        "note": "Family court order of 2 January 2026",
    }
    values.update(changes)
    return objection(**values)


def end(**changes: Any) -> EndDraft:
    values: dict[str, Any] = {
        "at": NOW,
        "reason": "She changed her mind after talking it through",
        "recorded_by": "Pat Practitioner",
        "recorded_by_organisation": "LTHT",
    }
    values.update(changes)
    return EndDraft.model_validate(values)


def rows(db: Database) -> tuple[int, int, list[str]]:
    with db.unit_of_work().reading() as uow:
        session = uow.session
        kinds = list(
            session.scalars(select(LedgerEntryRecord.kind).order_by(LedgerEntryRecord.sequence))
        )
        return (
            session.scalar(select(func.count()).select_from(ObjectionRecord)) or 0,
            session.scalar(select(func.count()).select_from(ObjectionEndRecord)) or 0,
            kinds,
        )


def test_an_objection_is_seen_by_the_next_decision_and_lifting_it_is_too(
    sharing_db: Database,
) -> None:
    before = disclosures.ask(sharing_db, staff(SOCIAL_WORKER), care_request(), now=NOW)
    assert before.decision.outcome is Outcome.PERMIT
    view = objections.record_objection(
        sharing_db.unit_of_work(), objection(), requester=staff(PRACTITIONER), now=NOW
    )
    assert view.in_force
    assert view.ended is None
    assert rows(sharing_db)[2][-1] == EventKind.OBJECTION_RECORDED

    after = disclosures.disclose(sharing_db, staff(SOCIAL_WORKER), care_request(), now=NOW)
    assert after.decision.outcome is not Outcome.PERMIT
    assert after.disclosure_id is None
    assert "subject-objected" in after.decision.codes

    later = NOW + timedelta(minutes=5)
    lifted = objections.end_objection(
        sharing_db.unit_of_work(), view.id, end(at=later), requester=staff(PRACTITIONER), now=later
    )
    assert lifted.ended is not None
    assert not lifted.in_force
    assert rows(sharing_db)[2][-1] == EventKind.OBJECTION_LIFTED
    again = disclosures.ask(sharing_db, staff(SOCIAL_WORKER), care_request(), now=later)
    assert again.decision.outcome is Outcome.PERMIT
    # the history stays: a question dated while the objection stood still meets it
    earlier = disclosures.ask(sharing_db, staff(SOCIAL_WORKER), care_request(), now=NOW)
    assert "subject-objected" in earlier.decision.codes


def test_a_restriction_withholds_its_categories_whatever_the_consent(sharing_db: Database) -> None:
    recorded = objections.record_objection(
        sharing_db.unit_of_work(), restriction(), requester=staff(PRACTITIONER), now=NOW
    )
    assert rows(sharing_db)[2][-1] == EventKind.RESTRICTION_RECORDED
    done = disclosures.ask(sharing_db, staff(SOCIAL_WORKER), care_request(), now=NOW)
    assert done.decision.outcome is Outcome.PERMIT
    assert "physical-health" not in done.decision.permitted
    withheld = {w.category: {r.code.value for r in w.reasons} for w in done.decision.withheld}
    assert withheld["physical-health"] == {"subject-restriction"}

    objections.end_objection(
        sharing_db.unit_of_work(),
        recorded.id,
        end(reason="The order was discharged"),
        requester=staff(PRACTITIONER),
        now=NOW,
    )
    assert rows(sharing_db)[2][-1] == EventKind.RESTRICTION_ENDED
    done = disclosures.ask(sharing_db, staff(SOCIAL_WORKER), care_request(), now=NOW)
    assert "physical-health" in done.decision.permitted


def test_a_restriction_lapses_at_its_own_end(sharing_db: Database) -> None:
    objections.record_objection(
        sharing_db.unit_of_work(),
        restriction(until=NOW + timedelta(days=1)),
        requester=staff(PRACTITIONER),
        now=NOW,
    )
    with sharing_db.unit_of_work().reading() as uow:
        facts = subject_facts(uow.session, person_of(uow.session, AMARA))
    (stored,) = facts.restrictions
    assert stored.applies("LCC", "care", "physical-health", NOW)
    assert not stored.applies("LCC", "care", "physical-health", NOW + timedelta(days=1))


def test_only_the_party_that_recorded_a_restriction_may_end_it(sharing_db: Database) -> None:
    recorded = objections.record_objection(
        sharing_db.unit_of_work(), restriction(), requester=staff(PRACTITIONER), now=NOW
    )
    # WYP does not hold Amara: for them the record is not there at all
    with pytest.raises(NotFoundError):
        objections.end_objection(
            sharing_db.unit_of_work(),
            recorded.id,
            end(recorded_by_organisation="WYP"),
            requester=staff(POLICE_OFFICER),
            now=NOW,
        )
    assert rows(sharing_db)[1] == 0


def test_an_objection_is_lifted_once(sharing_db: Database) -> None:
    view = objections.record_objection(sharing_db.unit_of_work(), objection(), now=NOW)
    objections.end_objection(sharing_db.unit_of_work(), view.id, end(), now=NOW)
    with pytest.raises(ConflictError) as raised:
        objections.end_objection(sharing_db.unit_of_work(), view.id, end(), now=NOW)
    assert raised.value.field == "objection_id"
    assert rows(sharing_db)[1] == 1


def test_staff_record_only_for_their_own_party_and_the_refusal_is_logged(
    sharing_db: Database,
) -> None:
    with pytest.raises(PermissionDeniedError):
        objections.record_objection(
            sharing_db.unit_of_work(), objection(), requester=staff(SOCIAL_WORKER), now=NOW
        )
    assert rows(sharing_db)[0] == 0
    with sharing_db.unit_of_work().reading() as uow:
        refused = uow.session.scalars(
            select(AccessLogRecord.outcome).where(AccessLogRecord.actor == SOCIAL_WORKER)
        ).all()
    assert "denied" in refused


def test_reading_is_for_a_party_holding_the_person_and_is_logged(sharing_db: Database) -> None:
    objections.record_objection(sharing_db.unit_of_work(), objection(), now=NOW)
    seen = objections.list_objections(
        sharing_db.unit_of_work(), AMARA, requester=staff(PRACTITIONER), at=NOW
    )
    assert [v.kind for v in seen] == ["objection"]
    with pytest.raises(NotFoundError):
        objections.list_objections(
            sharing_db.unit_of_work(), AMARA, requester=staff(POLICE_OFFICER), at=NOW
        )
    with sharing_db.unit_of_work().reading() as uow:
        logged = uow.session.scalars(
            select(AccessLogRecord.outcome).where(AccessLogRecord.actor == PRACTITIONER)
        ).all()
    assert "read" in logged


@pytest.mark.parametrize(
    ("draft", "field"),
    [
        (lambda: restriction(data_categories=[]), "data_categories"),
        (lambda: restriction(note=" "), "note"),
        (lambda: restriction(ground=None), "ground"),
        (lambda: restriction(until=NOW - timedelta(days=1)), "until"),
        (lambda: objection(ground="court-order"), "ground"),
        (lambda: objection(stated_at=NOW + timedelta(days=1)), "stated_at"),
        (lambda: objection(nhs_number=nhs_number("900000009")), "nhs_number"),
    ],
)
def test_what_cannot_be_recorded_names_its_field_and_stores_nothing(
    sharing_db: Database, draft: Any, field: str
) -> None:
    before = rows(sharing_db)
    with pytest.raises(InputError) as raised:
        objections.record_objection(sharing_db.unit_of_work(), draft(), now=NOW)
    assert raised.value.field == field
    assert rows(sharing_db) == before


def test_a_name_outside_the_protocol_is_refused(sharing_db: Database) -> None:
    with pytest.raises(UnknownReferenceError) as raised:
        objections.record_objection(
            sharing_db.unit_of_work(), objection(purposes=["gossip"]), now=NOW
        )
    assert raised.value.field == "purposes"
    assert "`gossip`" in raised.value.message


def test_an_end_before_the_objection_is_refused(sharing_db: Database) -> None:
    view = objections.record_objection(sharing_db.unit_of_work(), objection(), now=NOW)
    with pytest.raises(InputError) as raised:
        objections.end_objection(
            sharing_db.unit_of_work(), view.id, end(at=NOW - timedelta(days=2)), now=NOW
        )
    assert raised.value.field == "at"
    assert rows(sharing_db)[1] == 0


def test_ending_another_partys_restriction_is_refused_and_the_refusal_is_logged(
    sharing_db: Database,
) -> None:
    recorded = objections.record_objection(
        sharing_db.unit_of_work(),
        restriction(nhs_number=CHLOE),
        requester=staff(PRACTITIONER),
        now=NOW,
    )
    # WYP holds Chloe too and records for itself, but LTHT recorded the restriction (Principle 4)
    with pytest.raises(PermissionDeniedError, match="only the organisation"):
        objections.end_objection(
            sharing_db.unit_of_work(),
            recorded.id,
            end(recorded_by_organisation="WYP", recorded_by="Wes Police"),
            requester=staff(POLICE_OFFICER),
            now=NOW,
        )
    assert rows(sharing_db)[1] == 0
    with sharing_db.unit_of_work().reading() as uow:
        refused = uow.session.scalars(
            select(AccessLogRecord.clause).where(
                AccessLogRecord.actor == POLICE_OFFICER, AccessLogRecord.outcome == "denied"
            )
        ).all()
    assert refused == ["Principle 4"]
