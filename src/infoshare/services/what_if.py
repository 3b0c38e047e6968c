"""What would a candidate version of an agreement change? Replay recent requests through it.

Before a new version of an Information Sharing Agreement is activated (Sections 1.1, 4.4),
its owner replays the requests to share of the last N days that named the agreement through
the policy with the candidate in place of the version in force, and sees which decisions
would change and how, category by category (Principle 7, Procedure B7). The replay itself
is the core's (``policy/isa_what_if.py``); this module finds the stored requests, re-fetches
each subject's facts as the sharing workflow does (``services/subject_facts.py``), and
answers with the changed decisions.

What is stored, and so what can be replayed (``services/disclosures.py``):

- a **referral** keeps the request whole (``RequestDraft``), so it is replayed exactly as
  asked;
- a **disclosure** keeps what the decision allowed, not the request: the categories asked
  are the decision's permitted, referred and withheld ones; the basis claimed is the basis
  the decision rests on (a consent, statutory or emergency claim; an anonymised or no basis
  is replayed as a consent claim); the agreement named is the one the decision used. A
  disclosure made by approving a referral is replayed as its referral; a referral of the
  rest of a partly permitted request is replayed as its disclosure;
- a **question only asked** (``disclosures.ask``) and a **refused request** are stored as
  ``decision_requests`` (``services/decision_requests.py``) with the request exactly as
  asked, so they are replayed exactly: a candidate that would permit what was refused shows
  it. One that named this agreement, or was decided under it, is replayed; so is one that
  named no agreement and was decided under none, when its provider and recipient are both
  parties of the candidate (the candidate may be the agreement it lacked).

The replay reads only. It concerns people, so it needs ``agreements:manage`` for one of the
agreement's parties (the Information Sharing Manager for any), and a refusal is logged.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Final

from pydantic import BaseModel, ConfigDict
from sqlalchemy import select
from sqlalchemy.orm import Session

from infoshare.domain.agreement import IsaStatus
from infoshare.errors import AgreementStateError, InputError
from infoshare.policy import isa_what_if
from infoshare.policy.compile import StaffMember
from infoshare.policy.decision import (
    ClaimedBasis,
    ClaimKind,
    DisclosureRequest,
    PriorDisclosure,
    SubjectFacts,
)
from infoshare.policy.decision_document import decision_as_json
from infoshare.services import agreements, decision_requests
from infoshare.services.access_log import Requester
from infoshare.services.clock import now_or
from infoshare.services.disclosures import RequestDraft, build_request, prior_of
from infoshare.services.policy_cache import current_policy
from infoshare.services.subject_facts import Person, subject_facts
from infoshare.store.database import Database
from infoshare.store.models import (
    DecisionRequestRecord,
    DisclosureRecord,
    ReferralRecord,
    ServiceUserRecord,
)

DEFAULT_DAYS: Final = 30
MAX_DAYS: Final = 366
#: the versions a what-if is for: not yet in force
CANDIDATE_STATUSES: Final = frozenset({IsaStatus.DRAFT, IsaStatus.PROPOSED, IsaStatus.SIGNED})


class CategoryMove(BaseModel):
    model_config = ConfigDict(frozen=True)

    category: str
    #: ``withheld``, ``referred``, ``anonymised`` or ``permitted``
    before: str
    after: str


class ChangedDecision(BaseModel):
    """One stored request the candidate would decide differently."""

    model_config = ConfigDict(frozen=True)

    #: ``disclosure``, ``referral`` or ``decision-request`` (a dry run or a refusal): where
    #: the request was found
    source: str
    source_id: uuid.UUID
    at: datetime
    requester: str
    provider: str
    recipient: str
    #: the service user's pseudonymous reference, never their NHS number
    subject_id: str
    purpose: str
    categories_asked: list[str]
    before_outcome: str
    after_outcome: str
    categories: list[CategoryMove]
    #: whether the candidate lets more go
    wider: bool
    #: each decision as ``decision_as_json`` gives it, with the engine's reasons and clauses
    before: dict[str, Any]
    after: dict[str, Any]


class WhatIfResult(BaseModel):
    model_config = ConfigDict(frozen=True)

    reference: str
    version: int
    status: str
    days: int
    since: datetime
    #: stored requests naming the agreement in the period, replayed
    replayed: int
    unchanged: int
    changes: list[ChangedDecision]
    #: what the replay cannot see, in a sentence each
    limits: list[str]


LIMITS: Final = (
    "a disclosure is replayed from its decision: the categories asked, the basis and the "
    "agreement are those the decision gives, not the request as typed",
)


@dataclass(frozen=True, slots=True)
class _Found:
    source: str
    source_id: uuid.UUID
    subject: uuid.UUID
    request: DisclosureRequest


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _asked_categories(decision: dict[str, Any]) -> tuple[str, ...]:
    withheld = [str(w["category"]) for w in decision.get("withheld", [])]
    found = [*map(str, decision.get("permitted", [])), *map(str, decision.get("referred", []))]
    return tuple(dict.fromkeys([*found, *withheld]))


def _claimed(decision: dict[str, Any]) -> ClaimedBasis:
    basis = decision.get("basis", {})
    kind = str(basis.get("kind", ClaimKind.CONSENT.value))
    return ClaimedBasis(
        kind=ClaimKind(kind) if kind in set(ClaimKind) else ClaimKind.CONSENT,
        legal_grounds=tuple(basis.get("legal_grounds", ())),
        justification=str(basis.get("justification", "")),
        emergency_reason=str(basis.get("emergency_reason", "")),
    )


def _prior_of(session: Session, disclosure_id: uuid.UUID | None) -> PriorDisclosure | None:
    earlier = None if disclosure_id is None else session.get(DisclosureRecord, disclosure_id)
    if earlier is None:
        return None
    return PriorDisclosure(
        disclosure_id=str(earlier.id),
        recipient=earlier.recipient,
        purpose=earlier.purpose,
        data_categories=tuple(dict.fromkeys(str(i["category"]) for i in earlier.items)),
        isa_reference=earlier.isa_reference,
    )


def _from_disclosure(session: Session, record: DisclosureRecord) -> _Found:
    request = DisclosureRequest(
        requester=record.requester,
        provider=record.provider,
        recipient=record.recipient,
        subject_id=str(record.service_user_id),
        purpose=record.purpose,
        data_categories=_asked_categories(record.decision),
        transfer_method=record.transfer_method,
        at=_aware(record.made_at),
        basis=_claimed(record.decision),
        isa_reference=record.isa_reference,
        recipient_role=record.recipient_role,
        derived_from=_prior_of(session, record.derived_from_id),
    )
    return _Found("disclosure", record.id, record.service_user_id, request)


def _from_referral(session: Session, record: ReferralRecord) -> _Found:
    draft = RequestDraft.model_validate(record.request)
    request = build_request(
        draft,
        record.requester,
        str(record.service_user_id),
        _aware(record.created_at),
        prior_of(session, draft),
    )
    return _Found("referral", record.id, record.service_user_id, request)


def _from_decision_request(session: Session, record: DecisionRequestRecord) -> _Found:
    request = decision_requests.replay_request(record, _prior_of(session, record.derived_from_id))
    return _Found(
        decision_requests.DECISION_REQUEST_RECORD, record.id, record.service_user_id, request
    )


def _stored_requests(
    session: Session, reference: str, since: datetime, parties: frozenset[str] = frozenset()
) -> list[_Found]:
    """The requests of the period that named ``reference``, each once, oldest first.

    Disclosures, referrals, and the dry runs and refusals of ``decision_requests`` (those
    that named no agreement and got none count when ``parties`` holds both their ends).
    """
    shared = session.scalars(
        select(DisclosureRecord)
        .where(DisclosureRecord.made_at >= since, DisclosureRecord.isa_reference == reference)
        .order_by(DisclosureRecord.made_at, DisclosureRecord.id)
    ).all()
    referred = session.scalars(
        select(ReferralRecord)
        .where(ReferralRecord.created_at >= since)
        .order_by(ReferralRecord.created_at, ReferralRecord.id)
    ).all()
    # The rest of a partly permitted request was referred in the same write as the disclosure.
    partly = {(d.requester, d.service_user_id, _aware(d.made_at)) for d in shared}
    found = [_from_disclosure(session, d) for d in shared if d.referral_id is None]
    for record in referred:
        named = {record.request.get("isa"), record.decision.get("isa")}
        if reference not in named:
            continue
        if (record.requester, record.service_user_id, _aware(record.created_at)) in partly:
            continue
        found.append(_from_referral(session, record))
    found.extend(
        _from_decision_request(session, record)
        for record in decision_requests.concerning(session, reference, parties, since)
    )
    return sorted(found, key=lambda f: (f.request.at, str(f.source_id)))


def _facts(session: Session, subjects: set[uuid.UUID]) -> dict[uuid.UUID, SubjectFacts]:
    rows = session.execute(
        select(
            ServiceUserRecord.id, ServiceUserRecord.nhs_number, ServiceUserRecord.date_of_birth
        ).where(ServiceUserRecord.id.in_(subjects))
    ).all()
    return {row[0]: subject_facts(session, Person(row[0], row[1], row[2])) for row in rows}


def what_if(
    db: Database,
    reference: str,
    version: int,
    *,
    requester: Requester,
    days: int = DEFAULT_DAYS,
    now: datetime | None = None,
    review_hours: int = 72,
) -> WhatIfResult:
    """Replay the stored requests of the last ``days`` days that named ``reference`` through
    the policy with ``version`` (draft, proposed or signed) in place of the version in force.
    """
    if not 1 <= days <= MAX_DAYS:
        raise InputError(
            f"`{days}` days cannot be replayed; give a number from 1 to {MAX_DAYS}", field="days"
        )
    moment = now_or(now)
    since = moment - timedelta(days=days)
    detail = agreements.get_agreement(db.unit_of_work(), reference, version)
    candidate = detail.agreement
    if candidate.status not in CANDIDATE_STATUSES:
        raise AgreementStateError(
            f"version {version} of `{reference}` is `{candidate.status}`; a what-if is for a "
            "version not yet in force (draft, proposed or signed)",
            field="version",
        )
    uow = db.unit_of_work()
    with uow:
        agreements.authorise(
            uow, requester, organisations=candidate.party_codes,
            what=f"what version {version} of `{reference}` would change", at=moment,
        )  # fmt: skip
    policy, pack = current_policy(db, review_hours=review_hours)
    staff = [
        StaffMember(
            id=email,
            organisation=entry.organisation,
            roles=entry.roles,
            active=entry.active,
            trained_on=entry.trained_on,
        )
        for email, entry in policy.staff.items()
    ]
    in_force = agreements.agreements_in_force(db.unit_of_work())
    adopted = agreements.adoption_dates(db.unit_of_work())
    with db.unit_of_work().reading() as reading:
        found = _stored_requests(
            reading.session, reference, since, frozenset(candidate.party_codes)
        )
        facts = _facts(reading.session, {f.subject for f in found})
    cases = [isa_what_if.ReplayCase(f.request, facts[f.subject]) for f in found]
    report = isa_what_if.what_if(
        cases, pack, in_force, candidate, staff, adopted_on=adopted, options=policy.options
    )
    by_request = {id(f.request): f for f in found}
    changes = []
    for change in report.changes:
        origin = by_request[id(change.request)]
        changes.append(
            ChangedDecision(
                source=origin.source,
                source_id=origin.source_id,
                at=change.request.at,
                requester=change.request.requester,
                provider=change.request.provider,
                recipient=change.request.recipient,
                subject_id=change.request.subject_id,
                purpose=change.request.purpose,
                categories_asked=list(change.request.data_categories),
                before_outcome=change.before.outcome.value,
                after_outcome=change.after.outcome.value,
                categories=[
                    CategoryMove(category=c.category, before=c.before, after=c.after)
                    for c in change.categories
                ],
                wider=change.wider,
                before=decision_as_json(change.before),
                after=decision_as_json(change.after),
            )
        )
    return WhatIfResult(
        reference=reference,
        version=version,
        status=candidate.status.value,
        days=days,
        since=since,
        replayed=report.replayed,
        unchanged=report.unchanged,
        changes=changes,
        limits=list(LIMITS),
    )


__all__ = [
    "CANDIDATE_STATUSES",
    "DEFAULT_DAYS",
    "MAX_DAYS",
    "CategoryMove",
    "ChangedDecision",
    "WhatIfResult",
    "what_if",
]
