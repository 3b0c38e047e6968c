"""The portal's services: invitations, portal sign-in, the report and withdrawing a consent.

Principle 12 (a person sees what is held and shared about them), Principle 8 (what is kept
confidential from them is withheld, its ground told), Procedure A3 (withdrawal), Procedure B1
(every read and every refusal in the access log). On SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import select

from infoshare.errors import (
    AuthenticationError,
    ConflictError,
    InputError,
    NotFoundError,
    PermissionDeniedError,
)
from infoshare.ledger.events import EventKind
from infoshare.policy.access import PortalPrincipal
from infoshare.services import disclosures, portal, portal_accounts, referrals
from infoshare.services.access_log import Outcome, anonymous, recent_entries
from infoshare.services.consent import consent_history
from infoshare.services.database import Database, open_database
from infoshare.services.service_users import find_by_nhs_number
from infoshare.services.sessions import SessionPolicy
from infoshare.store.models import LedgerEntryRecord, PortalInvitationRecord
from tests.support.accounts_world import NOW, PASSWORD
from tests.support.databases import DatabaseTemplates
from tests.support.portal_world import (
    CONFIDENTIAL_CATEGORY,
    CONFIDENTIAL_CONTENT,
    CONFIDENTIAL_GROUND,
    PORTAL_EMAIL,
    TEMPLATE,
    build_portal_world,
)
from tests.support.sharing_world import (
    AMARA,
    BRIAN,
    LCC_OFFICER,
    POLICE_OFFICER,
    PRACTITIONER,
    SOCIAL_WORKER,
    staff,
)

POLICY = SessionPolicy()
HOME = anonymous("192.0.2.7")


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db(request: pytest.FixtureRequest, database_templates: DatabaseTemplates) -> Iterator[Database]:
    for url in database_templates.copy(request, request.param, TEMPLATE, build_portal_world):
        database = open_database(url)
        try:
            yield database
        finally:
            database.dispose()


def _amara(db: Database) -> portal_accounts.PortalSignedIn:
    new = portal_accounts.sign_in(
        db.unit_of_work(), email=PORTAL_EMAIL, password=PASSWORD, requester=HOME, policy=POLICY,
        now=NOW,
    )  # fmt: skip
    return new.signed_in


def _person_id(db: Database, nhs_number: str):  # type: ignore[no-untyped-def]
    return find_by_nhs_number(db.unit_of_work(), nhs_number).id


# --- invitations ------------------------------------------------------------------------------


def test_staff_of_the_holding_party_invite_and_the_person_redeems_once(db: Database) -> None:
    brian = _person_id(db, BRIAN)
    issued = portal_accounts.issue_invitation(
        db.unit_of_work(), staff(PRACTITIONER), brian, now=NOW
    )
    assert issued.expires_at == NOW + portal_accounts.INVITATION_VALID
    with db.unit_of_work().reading() as uow:
        stored = uow.session.scalars(select(PortalInvitationRecord.code_hash)).all()
    assert all(issued.code not in h and len(h) == 64 for h in stored)

    new = portal_accounts.redeem_invitation(
        db.unit_of_work(), code=issued.code.lower().replace("-", " "), email="Brian@Home.example",
        password=PASSWORD, requester=HOME, now=NOW + timedelta(hours=1),
    )  # fmt: skip
    assert new.signed_in.service_user_id == brian
    assert new.signed_in.email == "brian@home.example"
    with pytest.raises(AuthenticationError):
        portal_accounts.redeem_invitation(
            db.unit_of_work(), code=issued.code, email="other@home.example", password=PASSWORD,
            requester=HOME, now=NOW + timedelta(hours=2),
        )  # fmt: skip
    signed = portal_accounts.sign_in(
        db.unit_of_work(), email="brian@home.example", password=PASSWORD, requester=HOME,
        policy=POLICY, now=NOW + timedelta(hours=3),
    )  # fmt: skip
    assert signed.signed_in.service_user_id == brian


def test_an_expired_or_replaced_invitation_does_not_work(db: Database) -> None:
    brian = _person_id(db, BRIAN)
    first = portal_accounts.issue_invitation(db.unit_of_work(), staff(PRACTITIONER), brian, now=NOW)
    second = portal_accounts.issue_invitation(
        db.unit_of_work(), staff(PRACTITIONER), brian, now=NOW
    )
    with pytest.raises(AuthenticationError):
        portal_accounts.redeem_invitation(
            db.unit_of_work(), code=first.code, email="b@home.example", password=PASSWORD,
            requester=HOME, now=NOW,
        )  # fmt: skip
    with pytest.raises(AuthenticationError):
        portal_accounts.redeem_invitation(
            db.unit_of_work(), code=second.code, email="b@home.example", password=PASSWORD,
            requester=HOME, now=second.expires_at,
        )  # fmt: skip
    denials = recent_entries(db.unit_of_work(), outcome=Outcome.DENIED)
    assert sum(e.action == "portal:redeem-invitation" for e in denials) == 2


def test_bad_input_at_redemption_changes_nothing(db: Database) -> None:
    brian = _person_id(db, BRIAN)
    issued = portal_accounts.issue_invitation(
        db.unit_of_work(), staff(PRACTITIONER), brian, now=NOW
    )
    with pytest.raises(InputError, match="12"):
        portal_accounts.redeem_invitation(
            db.unit_of_work(), code=issued.code, email="b@home.example", password="short",
            requester=HOME, now=NOW,
        )  # fmt: skip
    with pytest.raises(ConflictError, match="already used"):
        portal_accounts.redeem_invitation(
            db.unit_of_work(), code=issued.code, email=PORTAL_EMAIL, password=PASSWORD,
            requester=HOME, now=NOW,
        )  # fmt: skip
    # the code still works: neither attempt used it up
    new = portal_accounts.redeem_invitation(
        db.unit_of_work(), code=issued.code, email="b@home.example", password=PASSWORD,
        requester=HOME, now=NOW,
    )  # fmt: skip
    assert new.signed_in.service_user_id == brian


@pytest.mark.parametrize("who", ["lcc-practitioner", "lead-member", "administrator"])
def test_only_staff_who_may_write_the_persons_record_invite(db: Database, who: str) -> None:
    from tests.support.accounts_world import PEOPLE

    before = len(recent_entries(db.unit_of_work(), outcome=Outcome.DENIED, limit=1000))
    with pytest.raises((NotFoundError, PermissionDeniedError)):
        portal_accounts.issue_invitation(
            db.unit_of_work(), staff(PEOPLE[who].email), _person_id(db, BRIAN), now=NOW
        )
    after = len(recent_entries(db.unit_of_work(), outcome=Outcome.DENIED, limit=1000))
    assert after == before + 1


# --- signing in -------------------------------------------------------------------------------


def test_a_wrong_password_and_an_unknown_address_get_the_same_answer(db: Database) -> None:
    answers = []
    for email, password in ((PORTAL_EMAIL, "not the password"), ("nobody@home.example", PASSWORD)):
        with pytest.raises(AuthenticationError) as error:
            portal_accounts.sign_in(
                db.unit_of_work(), email=email, password=password, requester=HOME, policy=POLICY,
                now=NOW,
            )  # fmt: skip
        answers.append(error.value.message)
    assert answers[0] == answers[1]


def test_portal_sessions_time_out_and_sign_out_ends_them(db: Database) -> None:
    new = portal_accounts.sign_in(
        db.unit_of_work(), email=PORTAL_EMAIL, password=PASSWORD, requester=HOME, policy=POLICY,
        now=NOW,
    )  # fmt: skip
    live = portal_accounts.current_session(db.unit_of_work(), new.token, policy=POLICY, now=NOW)
    assert live.service_user_id == new.signed_in.service_user_id
    with pytest.raises(AuthenticationError):
        portal_accounts.current_session(
            db.unit_of_work(), new.token, policy=POLICY, now=NOW + POLICY.idle
        )
    assert portal_accounts.sign_out(db.unit_of_work(), new.token, now=NOW) == 1
    with pytest.raises(AuthenticationError):
        portal_accounts.current_session(db.unit_of_work(), new.token, policy=POLICY, now=NOW)


# --- the report -------------------------------------------------------------------------------


def test_the_report_shows_what_was_shared_and_withholds_the_confidential_item(
    db: Database,
) -> None:
    amara = _amara(db)
    data = portal.report(db, amara.requester("192.0.2.7"), amara.principal, now=NOW)
    assert data.holders == ("Leeds City Council", "Leeds Teaching Hospitals Trust")
    [shared] = data.disclosures
    assert (shared.provider, shared.recipient, shared.purpose) == ("LTHT", "LCC", "care")
    assert {i.category for i in shared.items} == {"identity", "social-care-needs"}
    assert CONFIDENTIAL_CATEGORY not in {i.category for i in shared.items}
    assert [(w.ground, w.count) for w in shared.withheld] == [(CONFIDENTIAL_GROUND, 1)]
    assert [(w.ground, w.count) for w in data.withheld] == [(CONFIDENTIAL_GROUND, 1)]
    assert CONFIDENTIAL_CONTENT not in repr(data)
    [given] = data.consents
    assert given.not_withdrawable is None


def test_the_report_lists_who_read_the_record_by_party_not_by_name(db: Database) -> None:
    from infoshare.services.caseload import get_own_service_user

    amara = _amara(db)
    get_own_service_user(
        db.unit_of_work(), staff(PRACTITIONER), amara.service_user_id, why="checked her address"
    )
    data = portal.report(db, amara.requester("192.0.2.7"), amara.principal)
    assert [(r.organisation, r.kind, r.why) for r in data.reads][:1] == [
        ("LTHT", "staff", "checked her address")
    ]
    # her own reads in the portal are not in the list
    again = portal.report(db, amara.requester("192.0.2.7"), amara.principal)
    assert len(again.reads) == len(data.reads)


def test_every_report_read_is_logged_with_the_portal_user_as_who(db: Database) -> None:
    amara = _amara(db)
    portal.report(db, amara.requester("192.0.2.7"), amara.principal, now=NOW)
    [entry] = [
        e for e in recent_entries(db.unit_of_work(), outcome=Outcome.READ)
        if e.actor_kind == "portal"
    ]  # fmt: skip
    assert (entry.actor, entry.service_user_id) == (PORTAL_EMAIL, amara.service_user_id)
    assert entry.clause == "Principle 12"


def test_a_portal_user_reaches_no_one_elses_consent(db: Database) -> None:
    amara = _amara(db)
    [consent] = consent_history(db.unit_of_work(), AMARA).consents
    brian = PortalPrincipal(str(_person_id(db, BRIAN)), "brian-account")
    for attempt in (portal.consent_receipt, portal.withdraw_own_consent):
        with pytest.raises(NotFoundError):
            attempt(db, amara.requester("192.0.2.7"), brian, consent.id, now=NOW)
    denials = recent_entries(db.unit_of_work(), outcome=Outcome.DENIED)
    assert [(d.actor_kind, d.clause) for d in denials] == [("portal", "Principle 12")] * 2
    [still] = consent_history(db.unit_of_work(), AMARA).consents
    assert still.withdrawal is None


# --- withdrawing --------------------------------------------------------------------------------


def test_the_person_withdraws_a_consent_they_gave_with_a_ledger_entry(db: Database) -> None:
    amara = _amara(db)
    [consent] = consent_history(db.unit_of_work(), AMARA).consents
    later = NOW + timedelta(minutes=5)
    view = portal.withdraw_own_consent(
        db, amara.requester("192.0.2.7"), amara.principal, consent.id,
        reason="I have moved away", now=later,
    )  # fmt: skip
    assert view.withdrawal is not None
    assert view.withdrawal.method == "electronic"
    assert view.withdrawal.recorded_by_organisation == "LTHT"
    with db.unit_of_work().reading() as uow:
        kind, actor = uow.session.execute(
            select(LedgerEntryRecord.kind, LedgerEntryRecord.actor_staff)
            .order_by(LedgerEntryRecord.sequence.desc())
            .limit(1)
        ).one()
    assert kind == EventKind.CONSENT_WITHDRAWN.value
    assert actor == f"portal:{PORTAL_EMAIL}"
    with pytest.raises(PermissionDeniedError, match="already been withdrawn"):
        portal.withdraw_own_consent(
            db, amara.requester("192.0.2.7"), amara.principal, consent.id, now=later
        )


def test_an_over_long_reason_is_refused_and_nothing_changes(db: Database) -> None:
    amara = _amara(db)
    [consent] = consent_history(db.unit_of_work(), AMARA).consents
    with pytest.raises(InputError):
        portal.withdraw_own_consent(
            db, amara.requester("192.0.2.7"), amara.principal, consent.id,
            reason="x" * 2001, now=NOW,
        )  # fmt: skip
    [still] = consent_history(db.unit_of_work(), AMARA).consents
    assert still.withdrawal is None


# --- what stays hidden: untold disclosures and referral reads (Principles 5, 12; A5) ---------


def _police_asks_about_amara(db: Database):  # type: ignore[no-untyped-def]
    from tests.services.test_disclosures import police_request

    asked = disclosures.disclose(
        db, staff(POLICE_OFFICER), police_request(nhs_number=AMARA), now=NOW
    )
    assert asked.referral_id is not None, asked.decision
    return asked


def test_a_pending_referral_read_is_not_listed_but_a_record_open_is(db: Database) -> None:
    from infoshare.services.caseload import get_own_service_user

    amara = _amara(db)
    asked = _police_asks_about_amara(db)
    referrals.get_referral(db.unit_of_work(), staff(POLICE_OFFICER), asked.referral_id, now=NOW)
    referrals.get_referral(db.unit_of_work(), staff(LCC_OFFICER), asked.referral_id, now=NOW)
    get_own_service_user(
        db.unit_of_work(), staff(PRACTITIONER), amara.service_user_id, why="checked her address"
    )
    data = portal.report(db, amara.requester("192.0.2.7"), amara.principal)
    assert [(r.organisation, r.why) for r in data.reads] == [("LTHT", "checked her address")]
    assert "WYP" not in repr((data.reads, data.disclosures, data.holders))


def test_a_disclosure_she_was_not_told_of_is_neither_shown_nor_counted(db: Database) -> None:
    amara = _amara(db)
    asked = _police_asks_about_amara(db)
    done = referrals.approve(
        db, staff(LCC_OFFICER), asked.referral_id, reason="s.29 applies", now=NOW
    )
    assert done.disclosure_id is not None
    seen = disclosures.get_disclosure(db.unit_of_work(), staff(POLICE_OFFICER), done.disclosure_id)
    assert seen.subject_informed is False
    data = portal.report(db, amara.requester("192.0.2.7"), amara.principal)
    # only the care disclosure she was told of, with its one confidential item counted
    assert [(d.recipient, d.purpose) for d in data.disclosures] == [("LCC", "care")]
    assert [(w.ground, w.count) for w in data.withheld] == [(CONFIDENTIAL_GROUND, 1)]
    assert "West Yorkshire Police" not in data.holders
    # and the police reading what they received is not listed either
    assert [r for r in data.reads if r.organisation == "WYP"] == []


def test_a_read_of_a_disclosure_she_was_told_of_is_listed(db: Database) -> None:
    amara = _amara(db)
    [told] = portal.report(db, amara.requester("192.0.2.7"), amara.principal).disclosures
    total, received = disclosures.received(db.unit_of_work(), staff(SOCIAL_WORKER), now=NOW)
    assert total == 1
    assert received[0].subject_informed
    data = portal.report(db, amara.requester("192.0.2.7"), amara.principal)
    assert [(r.organisation, r.why) for r in data.reads] == [
        ("LCC", "disclosures received, listed")
    ]
    assert told.recipient == "LCC"


def test_a_refused_withdrawal_is_logged_and_changes_nothing(db: Database) -> None:
    amara = _amara(db)
    [consent] = consent_history(db.unit_of_work(), AMARA).consents
    portal.withdraw_own_consent(
        db, amara.requester("192.0.2.7"), amara.principal, consent.id, now=NOW
    )
    with pytest.raises(PermissionDeniedError, match="already been withdrawn"):
        portal.withdraw_own_consent(
            db, amara.requester("192.0.2.7"), amara.principal, consent.id, now=NOW
        )
    [denied] = recent_entries(db.unit_of_work(), outcome=Outcome.DENIED)
    assert (denied.actor_kind, denied.actor, denied.clause) == (
        "portal",
        PORTAL_EMAIL,
        "Procedure A3",
    )
    assert denied.service_user_id == amara.service_user_id
    assert "already been withdrawn" in denied.why
