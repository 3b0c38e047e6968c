"""The sharing workflow through the services, on SQLite and PostgreSQL: ask, disclose,
refer, approve or refuse, emergencies and their review, onward use, and what each party
sees (Principles 4–11; Procedures A4, A5, A7, B6)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from infoshare.errors import ConflictError, InputError, NotFoundError, PermissionDeniedError
from infoshare.ledger.events import EventKind
from infoshare.services import disclosures, emergencies, referrals
from infoshare.services.database import Database
from infoshare.services.disclosures import RequestDraft
from infoshare.services.policy_cache import forget
from infoshare.store.models import (
    DisclosureRecord,
    LedgerEntryRecord,
    ReferralRecord,
    ReviewTaskRecord,
)
from tests.support.accounts_world import NOW
from tests.support.sharing_world import (
    AMARA,
    BRIAN,
    CHLOE,
    LCC_BOTH,
    LCC_OFFICER,
    LTHT_OFFICER,
    POLICE_OFFICER,
    PRACTITIONER,
    SOCIAL_WORKER,
    WYP_OFFICER,
    staff,
)

ITEMS = [
    {"category": "identity", "content": "Amara Okafor, 2 Hyde Park Road"},
    {"category": "physical-health", "content": "Discharged after a hip fracture", "nature": "fact"},
    {
        "category": "social-care-needs",
        "content": "Will need help dressing for six weeks",
        "nature": "opinion",
    },
]


def care_request(**changes: Any) -> RequestDraft:
    values: dict[str, Any] = {
        "provider": "LTHT",
        "recipient": "LCC",
        "nhs_number": AMARA,
        "purpose": "care",
        "items": ITEMS,
        "transfer_method": "email",
    }
    values.update(changes)
    return RequestDraft.model_validate(values)


def police_request(**changes: Any) -> RequestDraft:
    values: dict[str, Any] = {
        "provider": "LCC",
        "recipient": "WYP",
        "nhs_number": CHLOE,
        "purpose": "crime",
        "items": [{"category": "identity", "content": "Chloe Adeyemi"}],
        "transfer_method": "verbal",
        "basis": {
            "kind": "statutory",
            "legal_grounds": ["dpa-1998-s29"],
            "justification": "Investigating an assault on a child in her care.",
        },
        "police_request": {
            "officer_name": "Wes Police",
            "rank": "Detective Constable",
            "information_needed": "Her identity and address",
            "why_needed": "To interview her as a witness to an assault",
            "prejudice_statement": True,
        },
    }
    values.update(changes)
    return RequestDraft.model_validate(values)


def counts(db: Database) -> tuple[int, int, int, int]:
    with db.unit_of_work().reading() as uow:
        return tuple(  # type: ignore[return-value]
            uow.session.scalar(select(func.count()).select_from(model)) or 0
            for model in (DisclosureRecord, ReferralRecord, ReviewTaskRecord, LedgerEntryRecord)
        )


def ledger_kinds(db: Database) -> list[str]:
    with db.unit_of_work().reading() as uow:
        return list(
            uow.session.scalars(select(LedgerEntryRecord.kind).order_by(LedgerEntryRecord.sequence))
        )


def test_consented_disclosure_is_recorded_with_marks_and_its_ledger_entry(
    sharing_db: Database,
) -> None:
    done = disclosures.disclose(sharing_db, staff(SOCIAL_WORKER), care_request(), now=NOW)
    assert done.decision.outcome == "permit"
    assert done.disclosure_id is not None
    assert ledger_kinds(sharing_db)[-1] == EventKind.DISCLOSURE_MADE
    total, seen = disclosures.received(sharing_db.unit_of_work(), staff(SOCIAL_WORKER), now=NOW)
    assert total == 1
    [view] = seen
    assert view.id == done.disclosure_id
    assert [(i["category"], i["nature"]) for i in view.items] == [
        ("identity", "fact"),
        ("physical-health", "fact"),
        ("social-care-needs", "opinion"),
    ]
    assert view.decision["basis"]["kind"] == "consent"
    assert view.subject_informed is True


def test_only_permitted_items_are_recorded(sharing_db: Database) -> None:
    items = [*ITEMS, {"category": "mental-health", "content": "Anxious"}]
    done = disclosures.disclose(
        sharing_db, staff(SOCIAL_WORKER), care_request(items=items), now=NOW
    )
    view = disclosures.get_disclosure(
        sharing_db.unit_of_work(), staff(SOCIAL_WORKER), done.disclosure_id, now=NOW
    )
    assert "mental-health" not in [i["category"] for i in view.items]
    assert "mental-health" in [w["category"] for w in view.decision["withheld"]]


def test_confidential_item_stays_marked_with_reason_and_ground(sharing_db: Database) -> None:
    items = [
        ITEMS[0],
        {
            "category": "physical-health",
            "content": "Suspected non-accidental injury",
            "nature": "opinion",
            "confidential_from_subject": True,
            "confidential_reason": "telling her may put her at risk from her partner",
            "confidential_ground": "dpa-1998-s29",
        },
    ]
    done = disclosures.disclose(
        sharing_db, staff(SOCIAL_WORKER), care_request(items=items), now=NOW
    )
    view = disclosures.get_disclosure(
        sharing_db.unit_of_work(), staff(SOCIAL_WORKER), done.disclosure_id, now=NOW
    )
    marked = view.items[1]
    assert marked["confidential_from_subject"] is True
    assert marked["confidential_ground"] == "dpa-1998-s29"
    assert view.items[0]["confidential_from_subject"] is False


def test_recipients_see_only_what_was_disclosed_to_their_party(sharing_db: Database) -> None:
    done = disclosures.disclose(sharing_db, staff(SOCIAL_WORKER), care_request(), now=NOW)
    total, _ = disclosures.received(sharing_db.unit_of_work(), staff(POLICE_OFFICER), now=NOW)
    assert total == 0
    with pytest.raises(NotFoundError):
        disclosures.get_disclosure(
            sharing_db.unit_of_work(), staff(POLICE_OFFICER), done.disclosure_id, now=NOW
        )
    # the provider's own staff may see what their party sent
    assert (
        disclosures.get_disclosure(
            sharing_db.unit_of_work(), staff(PRACTITIONER), done.disclosure_id, now=NOW
        ).recipient
        == "LCC"
    )


def test_dry_run_records_the_question_not_a_disclosure(sharing_db: Database) -> None:
    before = counts(sharing_db)
    asked = disclosures.ask(
        sharing_db,
        staff(SOCIAL_WORKER),
        care_request(items=[], categories=["identity", "physical-health"]),
        now=NOW,
    )
    assert asked.decision.outcome == "permit"
    after = counts(sharing_db)
    assert after[:3] == before[:3]
    assert after[3] == before[3] + 1
    assert ledger_kinds(sharing_db)[-1] == EventKind.DECISION_ASKED


def test_deny_records_nothing_disclosed_but_logs_the_decision(sharing_db: Database) -> None:
    before = counts(sharing_db)
    done = disclosures.disclose(
        sharing_db, staff(SOCIAL_WORKER), care_request(nhs_number=BRIAN), now=NOW
    )
    assert done.decision.outcome in ("deny", "refer")
    assert done.disclosure_id is None
    after = counts(sharing_db)
    assert after[0] == before[0]
    assert after[3] == before[3] + 1


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"nhs_number": "9999999999"}, "nhs_number"),
        ({"items": [], "categories": ["identity"]}, "items"),
        ({"derived_from": "00000000-0000-0000-0000-000000000000"}, "derived_from"),
    ],
)
def test_bad_input_changes_nothing(
    sharing_db: Database, changes: dict[str, Any], field: str
) -> None:
    before = counts(sharing_db)
    with pytest.raises(InputError) as raised:
        disclosures.disclose(sharing_db, staff(SOCIAL_WORKER), care_request(**changes), now=NOW)
    assert raised.value.field == field
    assert counts(sharing_db) == before


@pytest.mark.parametrize(
    "changes",
    [
        {"purpose": "no-such-purpose"},
        {"isa": "NO-SUCH-ISA"},
        {"items": [{"category": "no-such-category", "content": "x"}]},
        {"provider": "SUCA"},
    ],
)
def test_unknown_references_deny_with_reasons(
    sharing_db: Database, changes: dict[str, Any]
) -> None:
    before = counts(sharing_db)
    done = disclosures.disclose(sharing_db, staff(SOCIAL_WORKER), care_request(**changes), now=NOW)
    assert done.decision.outcome == "deny"
    assert done.decision.reasons
    assert counts(sharing_db)[:3] == before[:3]


def test_staff_cannot_ask_in_another_name(sharing_db: Database) -> None:
    with pytest.raises(InputError):
        disclosures.disclose(
            sharing_db, staff(SOCIAL_WORKER), care_request(requester=PRACTITIONER), now=NOW
        )


def test_empty_justification_is_refused_before_deciding() -> None:
    with pytest.raises(ValueError, match="justification"):
        police_request(
            basis={"kind": "statutory", "legal_grounds": ["dpa-1998-s29"], "justification": " "}
        )


def test_police_request_without_its_form_is_refused(sharing_db: Database) -> None:
    with pytest.raises(InputError) as raised:
        disclosures.disclose(
            sharing_db, staff(POLICE_OFFICER), police_request(police_request=None), now=NOW
        )
    assert raised.value.field == "police_request"


def test_referral_goes_to_the_provider_and_approval_discloses(sharing_db: Database) -> None:
    asked = disclosures.disclose(sharing_db, staff(POLICE_OFFICER), police_request(), now=NOW)
    assert asked.decision.outcome == "refer"
    assert asked.referral_id is not None
    assert asked.disclosure_id is None
    pending = referrals.list_referrals(sharing_db.unit_of_work(), staff(LCC_OFFICER), now=NOW)
    assert [r.id for r in pending] == [asked.referral_id]
    assert referrals.list_referrals(sharing_db.unit_of_work(), staff(WYP_OFFICER), now=NOW) == []
    done = referrals.approve(
        sharing_db, staff(LCC_OFFICER), asked.referral_id, reason="s.29 applies", now=NOW
    )
    assert done.decision.outcome == "permit"
    assert done.disclosure_id is not None
    kinds = ledger_kinds(sharing_db)
    assert kinds[-2:] == [EventKind.REFERRAL_APPROVED, EventKind.DISCLOSURE_MADE]
    total, seen = disclosures.received(sharing_db.unit_of_work(), staff(POLICE_OFFICER), now=NOW)
    assert total == 1
    assert seen[0].police_request is not None
    assert seen[0].referral_id == asked.referral_id
    # replaying the approval is refused and changes nothing
    before = counts(sharing_db)
    with pytest.raises(ConflictError):
        referrals.approve(
            sharing_db, staff(LCC_OFFICER), asked.referral_id, reason="again", now=NOW
        )
    assert counts(sharing_db) == before


def test_refusal_records_reasons_and_discloses_nothing(sharing_db: Database) -> None:
    asked = disclosures.disclose(sharing_db, staff(POLICE_OFFICER), police_request(), now=NOW)
    view = referrals.refuse_referral(
        sharing_db, staff(LCC_OFFICER), asked.referral_id, reason="not necessary", now=NOW
    )
    assert view.status == "refused"
    assert view.decision_reason == "not necessary"
    assert ledger_kinds(sharing_db)[-1] == EventKind.REFERRAL_REFUSED
    assert counts(sharing_db)[0] == 0


@pytest.mark.parametrize("officer", [LTHT_OFFICER, WYP_OFFICER, PRACTITIONER])
def test_approval_by_an_officer_of_another_party_is_refused(
    sharing_db: Database, officer: str
) -> None:
    asked = disclosures.disclose(sharing_db, staff(POLICE_OFFICER), police_request(), now=NOW)
    before = counts(sharing_db)
    with pytest.raises((PermissionDeniedError, NotFoundError)):
        referrals.approve(sharing_db, staff(officer), asked.referral_id, reason="ok", now=NOW)
    assert counts(sharing_db) == before


def test_approving_ones_own_referral_is_refused(sharing_db: Database) -> None:
    draft = police_request(recipient_role="practitioner", police_request=None)
    asked = disclosures.disclose(sharing_db, staff(LCC_BOTH), draft, now=NOW)
    assert asked.referral_id is not None
    before = counts(sharing_db)
    with pytest.raises(PermissionDeniedError, match="you made this request"):
        referrals.approve(sharing_db, staff(LCC_BOTH), asked.referral_id, reason="ok", now=NOW)
    assert counts(sharing_db) == before


def test_approval_needs_reasons(sharing_db: Database) -> None:
    asked = disclosures.disclose(sharing_db, staff(POLICE_OFFICER), police_request(), now=NOW)
    with pytest.raises(InputError):
        referrals.approve(sharing_db, staff(LCC_OFFICER), asked.referral_id, reason=" ", now=NOW)


def test_emergency_shares_at_once_and_creates_a_review_overdue_after_the_setting(
    sharing_db: Database,
) -> None:
    forget(sharing_db)
    draft = care_request(
        nhs_number=BRIAN,
        basis={"kind": "emergency", "emergency_reason": "collapsed at home, no one to call"},
    )
    done = disclosures.disclose(sharing_db, staff(SOCIAL_WORKER), draft, now=NOW, review_hours=24)
    assert done.decision.outcome == "permit"
    assert done.review_task_id is not None
    officer = staff(LTHT_OFFICER)
    [task] = emergencies.review_tasks(sharing_db.unit_of_work(), officer, now=NOW)
    assert task.due_at == NOW + timedelta(hours=24)
    assert not task.overdue
    [late] = emergencies.review_tasks(
        sharing_db.unit_of_work(), officer, now=NOW + timedelta(hours=25)
    )
    assert late.overdue
    reviewed = emergencies.complete_review(
        sharing_db,
        officer,
        task.id,
        outcome=emergencies.ReviewOutcome.UPHELD,
        notes="she could not be reached; right to share",
        now=NOW + timedelta(hours=30),
    )
    assert reviewed.reviewed_by == LTHT_OFFICER
    assert ledger_kinds(sharing_db)[-1] == EventKind.EMERGENCY_REVIEWED
    assert emergencies.review_tasks(sharing_db.unit_of_work(), officer, now=NOW) == []


def test_onward_use_for_another_purpose_is_checked_against_the_earlier_disclosure(
    sharing_db: Database,
) -> None:
    first = disclosures.disclose(sharing_db, staff(SOCIAL_WORKER), care_request(), now=NOW)
    onward = care_request(
        provider="LCC",
        recipient="WYP",
        purpose="protection",
        transfer_method="verbal",
        items=[ITEMS[0]],
        derived_from=str(first.disclosure_id),
        requester=None,
    )
    done = disclosures.disclose(sharing_db, staff(POLICE_OFFICER), onward, now=NOW)
    assert done.disclosure_id is None
    assert done.decision.outcome != "permit"


def test_what_consent_covers_goes_now_and_the_rest_waits_for_an_officer(
    sharing_db: Database,
) -> None:
    from infoshare.services.consent import record_consent
    from infoshare.store.models import ReferralRecord as Referral
    from tests.services.consent_builders import consent_draft

    record_consent(
        sharing_db.unit_of_work(),
        consent_draft(
            nhs_number=BRIAN,
            obtained_by_organisation="EDL",
            explained_purposes=["protection"],
            explained_data_categories=["identity", "education"],
            explained_recipients=["LCC"],
            purposes=["protection"],
            data_categories=["identity", "education"],
            recipients=["LCC"],
        ),
        now=NOW,
    )
    draft = care_request(
        provider="EDL",
        nhs_number=BRIAN,
        purpose="protection",
        transfer_method="verbal",
        items=[
            {"category": "identity", "content": "Brian Holt"},
            {"category": "education", "content": "Attends Park Primary"},
            {"category": "child-protection", "content": "Bruising seen on Monday"},
        ],
        basis={
            "kind": "statutory",
            "legal_grounds": ["ca-1989-s47"],
            "justification": "asking the parents first may put the child at further risk",
        },
    )
    done = disclosures.disclose(sharing_db, staff(SOCIAL_WORKER), draft, now=NOW)
    assert done.decision.outcome == "permit"
    assert done.decision.referred == ("child-protection",)
    view = disclosures.get_disclosure(
        sharing_db.unit_of_work(), staff(SOCIAL_WORKER), done.disclosure_id, now=NOW
    )
    assert [i["category"] for i in view.items] == ["identity", "education"]
    with sharing_db.unit_of_work().reading() as uow:
        [referral] = uow.session.scalars(select(Referral)).all()
        assert referral.provider == "EDL"
        assert referral.status == "pending"
        assert referral.request["categories"] == ["child-protection"]
        # the caller is told which referral holds the rest, to follow it
        assert done.referral_id == referral.id
