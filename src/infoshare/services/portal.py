"""The service user's own report in the portal, and withdrawing a consent they gave.

Principle 12: people are fully informed about the information recorded about them. The
report says who holds their information (the parties holding an identifier for them), their
consents and refusals (with receipts) and withdrawals, their capacity assessments, and every
disclosure of their information: when, from which party to which, why, on what basis, which
kinds of information, and whether they were told. Items kept confidential from them
(Principle 8) are withheld, and the report says how many and under which ground, never what
(the rule is ``policy/subject_access.py``).

Referrals still waiting for a designated officer are not in the report: nothing has been
shared yet, and Procedure A5 gives the designated officer the decision whether the person is
told of a request to share without their consent (telling them first could defeat a
statutory purpose such as the prevention of crime). Once decided, an approved referral is a
disclosure and appears like any other, unless it was recorded as not told: a disclosure the
person was not told of (its purpose would be prejudiced) is neither shown nor counted.

The report lists, too, the newest times staff or another system of a partner read their
record, with the party and the stated reason (Procedure B1 keeps these in the access log);
the member of staff is not named, their organisation is. Only reads that reveal nothing
withheld are listed: record page opens and reads of disclosures the person is shown, never a
referral read (``read_shown`` in ``policy/subject_access.py``).

Every read is access-controlled by ``authorize_portal`` (their own record only) and logged
with the portal user as who, in the same transaction; every refusal is logged too.
Withdrawing (Procedure A3) goes through the consent service like staff's, so it is the same
record and the same ledger entry, naming the person as who recorded it.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from infoshare.domain.consent import CollectionMethod
from infoshare.errors import InputError, NotFoundError, PermissionDeniedError
from infoshare.policy.access import (
    PortalAction,
    PortalDecision,
    PortalPrincipal,
    authorize_portal,
)
from infoshare.policy.subject_access import (
    DISCLOSURE_READ,
    RECORD_OPEN,
    ShownItem,
    Withheld,
    disclosure_shown,
    items_for_subject,
    read_shown,
    why_not_withdrawable,
)
from infoshare.services.access_log import Outcome, Requester, RequesterKind, add_entry
from infoshare.services.clock import now_or
from infoshare.services.consent import (
    CapacityView,
    ConsentView,
    WithdrawalDraft,
    consent_history_of,
    receipt,
    withdraw_consent,
)
from infoshare.store.database import Database
from infoshare.store.models import (
    AccessLogRecord,
    ConsentRecord,
    DataCategoryRecord,
    DisclosureRecord,
    LegalGroundRecord,
    LocalIdentifierRecord,
    OrganisationRecord,
    PurposeRecord,
    ServiceUserRecord,
)

REPORT_WHAT = (
    "their own report: who holds their information, consents, capacity assessments and "
    "disclosures (items kept confidential from them withheld)"
)
REASON_MAX = 2000
#: how many of the newest reads of their record the report lists
READS_SHOWN = 50
#: whose reads are listed: staff and other systems (the person's own portal reads are not)
READER_KINDS = (RequesterKind.STAFF.value, RequesterKind.API_TOKEN.value)


@dataclass(frozen=True)
class ReportConsent:
    consent: ConsentView
    #: why the person may not withdraw it here, or None if they may
    not_withdrawable: str | None


@dataclass(frozen=True)
class ReportDisclosure:
    made_at: datetime
    provider: str
    recipient: str
    purpose: str
    basis: str
    subject_informed: bool
    items: tuple[ShownItem, ...]
    withheld: tuple[Withheld, ...]


@dataclass(frozen=True)
class ReportRead:
    """A time someone at a partner read the person's record (from the access log)."""

    at: datetime
    #: the reader's organisation code; staff are not named to the person, their party is
    organisation: str | None
    #: staff or api-token (another system of that party)
    kind: str
    why: str


@dataclass(frozen=True)
class PortalReport:
    given_name: str
    family_name: str
    nhs_number: str
    date_of_birth: date | None
    #: organisation names holding an identifier for the person or information disclosed to them
    holders: tuple[str, ...]
    consents: tuple[ReportConsent, ...]
    assessments: tuple[CapacityView, ...]
    disclosures: tuple[ReportDisclosure, ...]
    #: ground -> how many items are withheld under it, over all disclosures
    withheld: tuple[Withheld, ...]
    #: the newest reads of their record by staff and systems (Principle 12, Procedure B1)
    reads: tuple[ReportRead, ...]
    #: names for the codes the report shows: organisations, purposes, categories, grounds
    names: dict[str, str]


def _check(
    db: Database,
    requester: Requester,
    principal: PortalPrincipal,
    action: PortalAction,
    subject_id: uuid.UUID | None,
    *,
    what: str,
    at: datetime,
) -> PortalDecision:
    """The decision; a refusal is logged and committed, and raised as not found (Principle 7)."""
    decision = authorize_portal(
        principal, action, str(subject_id) if subject_id is not None else None
    )
    if decision.allowed:
        return decision
    with db.unit_of_work() as uow:
        add_entry(
            uow.session,
            requester,
            outcome=Outcome.DENIED,
            action=action.value,
            what=what,
            why=decision.message,
            clause=decision.clause,
            at=at,
            service_user_id=subject_id,
        )
        uow.commit()
    raise NotFoundError(f"there is no {what} here that you may see; check the link")


def _names(session: Session) -> dict[str, str]:
    names: dict[str, str] = {}
    for code, name in session.execute(select(OrganisationRecord.code, OrganisationRecord.name)):
        names[code] = name
    for model in (PurposeRecord, DataCategoryRecord):
        for key, title in session.execute(select(model.id, model.title)):
            names.setdefault(key, title)
    # A ground is named with its citation, so the person can look the law up.
    grounds = select(LegalGroundRecord.id, LegalGroundRecord.title, LegalGroundRecord.citation)
    for key, title, citation in session.execute(grounds):
        names.setdefault(key, f"{title} ({citation})")
    return names


def report(
    db: Database,
    requester: Requester,
    principal: PortalPrincipal,
    *,
    now: datetime | None = None,
) -> PortalReport:
    """The signed-in person's own report, as it stands now; the read is logged."""
    at = now_or(now)
    subject_id = uuid.UUID(principal.service_user_id)
    _check(db, requester, principal, PortalAction.READ_OWN_REPORT, subject_id,
           what="report", at=at)  # fmt: skip
    # The trusted caller reads the consent history: access was decided just above.
    history = consent_history_of(db.unit_of_work(), subject_id, at=at)
    with db.unit_of_work() as uow:
        session = uow.session
        person = session.get_one(ServiceUserRecord, subject_id)
        held_by = set(
            session.scalars(
                select(OrganisationRecord.name)
                .join(
                    LocalIdentifierRecord,
                    LocalIdentifierRecord.organisation_id == OrganisationRecord.id,
                )
                .where(LocalIdentifierRecord.service_user_id == subject_id)
            )
        )
        rows = session.scalars(
            select(DisclosureRecord)
            .where(DisclosureRecord.service_user_id == subject_id)
            .order_by(DisclosureRecord.made_at.desc(), DisclosureRecord.id)
        ).all()
        disclosures = []
        totals: dict[str, int] = {}
        shown_ids: set[str] = set()
        for row in rows:
            # Not told, so not shown and not counted (Principles 5, 12; see subject_access).
            if not disclosure_shown(row.subject_informed):
                continue
            shown_ids.add(str(row.id))
            split = items_for_subject(row.items)
            for withheld in split.withheld:
                totals[withheld.ground] = totals.get(withheld.ground, 0) + withheld.count
            disclosures.append(
                ReportDisclosure(
                    made_at=row.made_at,
                    provider=row.provider,
                    recipient=row.recipient,
                    purpose=row.purpose,
                    basis=row.basis,
                    subject_informed=row.subject_informed,
                    items=split.shown,
                    withheld=split.withheld,
                )
            )
        logged = session.execute(
            select(
                AccessLogRecord.at,
                AccessLogRecord.actor_organisation,
                AccessLogRecord.actor_kind,
                AccessLogRecord.why,
                AccessLogRecord.action,
                AccessLogRecord.what,
            )
            .where(
                AccessLogRecord.service_user_id == subject_id,
                AccessLogRecord.outcome == Outcome.READ.value,
                AccessLogRecord.actor_kind.in_(READER_KINDS),
                AccessLogRecord.action.in_((RECORD_OPEN, DISCLOSURE_READ)),
            )
            .order_by(AccessLogRecord.at.desc())
        )
        listed: list[ReportRead] = []
        # Reads of a disclosure not shown are skipped, so the newest READS_SHOWN are counted
        # after the filter (Procedure A5: a referral or untold disclosure read stays hidden).
        for read_at, organisation, kind, why, action, what in logged:
            if read_shown(action, what, shown_ids):
                listed.append(ReportRead(read_at, organisation, kind, why))
                if len(listed) == READS_SHOWN:
                    break
        logged.close()
        reads = tuple(listed)
        names = _names(session)
        # A party that received a disclosure holds that information now too.
        held_by |= {names.get(d.recipient, d.recipient) for d in disclosures}
        holders = tuple(sorted(held_by))
        add_entry(
            session,
            requester,
            outcome=Outcome.READ,
            action=PortalAction.READ_OWN_REPORT.value,
            what=REPORT_WHAT,
            why="the service user read their own report in the portal",
            clause="Principle 12",
            at=at,
            service_user_id=subject_id,
        )
        uow.commit()
    consents = tuple(
        ReportConsent(
            c,
            why_not_withdrawable(str(c.decision), str(c.decided_by), c.withdrawal is not None),
        )
        for c in reversed(history.consents)
    )
    return PortalReport(
        given_name=person.given_name,
        family_name=person.family_name,
        nhs_number=person.nhs_number,
        date_of_birth=person.date_of_birth,
        holders=holders,
        consents=consents,
        assessments=tuple(reversed(history.assessments)),
        disclosures=tuple(disclosures),
        withheld=tuple(Withheld(g, n) for g, n in sorted(totals.items())),
        reads=reads,
        names=names,
    )


def _consent_subject(db: Database, consent_id: uuid.UUID) -> tuple[uuid.UUID | None, str]:
    """The consent's service user and its recording organisation's code, if it exists."""
    with db.unit_of_work().reading() as uow:
        row = uow.session.execute(
            select(ConsentRecord.service_user_id, OrganisationRecord.code)
            .join(
                OrganisationRecord,
                OrganisationRecord.id == ConsentRecord.obtained_by_organisation_id,
            )
            .where(ConsentRecord.id == consent_id)
        ).one_or_none()
    return (row[0], row[1]) if row is not None else (None, "")


def consent_receipt(
    db: Database,
    requester: Requester,
    principal: PortalPrincipal,
    consent_id: uuid.UUID,
    *,
    now: datetime | None = None,
) -> dict[str, Any]:
    """The receipt of one of the person's own consents (logged); not found for anyone else's."""
    at = now_or(now)
    subject_id, _organisation = _consent_subject(db, consent_id)
    _check(db, requester, principal, PortalAction.READ_OWN_REPORT, subject_id,
           what="consent receipt", at=at)  # fmt: skip
    data = receipt(db.unit_of_work(), consent_id, now=at)
    with db.unit_of_work() as uow:
        add_entry(
            uow.session,
            requester,
            outcome=Outcome.READ,
            action=PortalAction.READ_OWN_REPORT.value,
            what=f"the receipt of their consent `{consent_id}`",
            why="the service user read a consent receipt in the portal",
            clause="Principle 12",
            at=at,
            service_user_id=subject_id,
        )
        uow.commit()
    return data


def withdraw_own_consent(
    db: Database,
    requester: Requester,
    principal: PortalPrincipal,
    consent_id: uuid.UUID,
    *,
    reason: str = "",
    now: datetime | None = None,
) -> ConsentView:
    """Withdraw a consent the person gave themselves (Procedure A3), from now on.

    Someone else's consent is NotFoundError (logged); a refusal, one already withdrawn, or a
    representative's or best-interests decision is PermissionDeniedError saying why and whom
    to contact; nothing changes in either case.
    """
    at = now_or(now)
    if len(reason) > REASON_MAX:
        raise InputError(f"the reason is longer than {REASON_MAX} characters; shorten it",
                         field="reason")  # fmt: skip
    subject_id, organisation = _consent_subject(db, consent_id)
    _check(db, requester, principal, PortalAction.WITHDRAW_OWN_CONSENT, subject_id,
           what="consent", at=at)  # fmt: skip
    with db.unit_of_work().reading() as uow:
        record = uow.session.get_one(ConsentRecord, consent_id)
        why_not = why_not_withdrawable(
            record.decision, record.decided_by, record.withdrawal is not None
        )
    if why_not is not None:
        # Every refusal is logged, this one too (Procedure B1), before anything is raised.
        with db.unit_of_work() as uow:
            add_entry(
                uow.session,
                requester,
                outcome=Outcome.DENIED,
                action=PortalAction.WITHDRAW_OWN_CONSENT.value,
                what=f"consent `{consent_id}`",
                why=why_not,
                clause="Procedure A3",
                at=at,
                service_user_id=subject_id,
            )
            uow.commit()
        raise PermissionDeniedError(why_not, field="consent")
    who = f"portal:{requester.name}"[:128]
    draft = WithdrawalDraft(
        at=at.astimezone(UTC),
        method=CollectionMethod.ELECTRONIC,
        recorded_by=f"{requester.name} (the service user, in the portal)"[:254],
        recorded_by_organisation=organisation,
        reason=reason.strip() or None,
    )
    return withdraw_consent(db.unit_of_work(), consent_id, draft, now=at, recorded_as=who)
