"""Asking and sharing: the dry-run decision, the recorded disclosure, and what a recipient
party may see of what was disclosed to it (Principles 4–11; Procedures A4, A5, A7, B6, B7).

``ask(db, requester, draft)`` answers "may I share?" with the pure ``decide()`` and records
the question asked (a ``decision_requests`` row and its ``decision:asked`` ledger entry,
Procedure A7; ``services/decision_requests.py``).
``disclose(db, requester, draft)`` decides and acts on the answer in one grouped durable
write (``services/group_commit.py``):

- permit (or permit anonymised): the disclosure is stored with the permitted items only,
  each marked fact / opinion / both (Principle 10) and, where the decision or the
  practitioner says so, confidential from the subject with reason and ground (Principle 8);
  the decision is stored whole with its reasons; whether the subject was told, or why not;
  a ``disclosure:made`` ledger entry; after an emergency, a review task (services/emergencies);
- refer: a referral for the provider's designated officers (services/referrals), nothing
  disclosed, the question recorded;
- deny: nothing disclosed; the request is stored as refused (a ``decision_requests`` row) with
  its ``decision:asked`` ledger entry, so the refusal is evidence and the what-if replays it.

Everything the request names is checked before anything is written: bad input is an
InputError naming the field, and nothing changes. Staff are named by their email. A caller
acts for its own organisation only (Procedure B1): the requester must be staff of the
caller's party; staff of the recipient party see what was disclosed to that party, nothing
else (Principle 7), and each such read is in the access log.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum
from functools import cached_property
from typing import Annotated, Any, Final

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from infoshare.errors import InputError, NotFoundError
from infoshare.ledger.events import EventKind
from infoshare.ledger.events import Outcome as LedgerOutcome
from infoshare.policy.access import Permission, authorize
from infoshare.policy.compile import Policy
from infoshare.policy.decide import decide
from infoshare.policy.decision import (
    Approval,
    ClaimedBasis,
    ClaimKind,
    ConditionKind,
    Decision,
    DisclosureRequest,
    Outcome,
    PriorDisclosure,
    SubjectFacts,
)
from infoshare.policy.decision_document import decision_as_json
from infoshare.services import decision_requests, group_commit, ledger, sharing_ledger
from infoshare.services.access_log import Outcome as AccessOutcome
from infoshare.services.access_log import Requester, RequesterKind, add_entry, refuse
from infoshare.services.clock import now_or
from infoshare.services.decision_requests import RequestSource
from infoshare.services.policy_cache import current_policy
from infoshare.services.subject_facts import person_of, read_subject
from infoshare.store.database import Database
from infoshare.store.models import (
    DisclosureRecord,
    ReferralRecord,
    ReviewTaskRecord,
    ServiceUserRecord,
)
from infoshare.store.unit_of_work import UnitOfWork
from infoshare.store.writer import WriteContext

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=4000)]
Code = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]

DISCLOSURE_RECORD: Final = sharing_ledger.DISCLOSURE_RECORD
REFERRAL_RECORD: Final = sharing_ledger.REFERRAL_RECORD
DECISION_RECORD: Final = "decision"
PAGE_MAX: Final = 200
_DISCLOSURES: Final = DisclosureRecord.__table__
_REVIEW_TASKS: Final = ReviewTaskRecord.__table__
#: the organisation type whose requests carry the s.29-style form
POLICE: Final = "police"


class Nature(StrEnum):
    """Whether an item states fact, opinion, or both (Principle 10)."""

    FACT = "fact"
    OPINION = "opinion"
    BOTH = "both"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ItemDraft(_Strict):
    """One item shared: its category, its content or where it is kept, and its marks."""

    category: Code
    content: str | None = Field(default=None, max_length=20_000)
    reference: str | None = Field(default=None, max_length=500)
    nature: Nature = Nature.FACT
    confidential_from_subject: bool = False
    confidential_reason: str | None = Field(default=None, max_length=2000)
    confidential_ground: str | None = Field(default=None, max_length=64)

    @model_validator(mode="after")
    def _complete(self) -> ItemDraft:
        if not (self.content or "").strip() and not (self.reference or "").strip():
            raise ValueError("give the item's content or a reference to where it is kept")
        if self.confidential_from_subject and not (
            (self.confidential_reason or "").strip() and (self.confidential_ground or "").strip()
        ):
            raise ValueError(
                "an item kept confidential from the subject needs a reason and a legal ground "
                "(Principle 8)"
            )
        return self


class BasisDraft(_Strict):
    """The basis claimed: consent (looked up), a statutory ground, or an emergency."""

    kind: ClaimKind = ClaimKind.CONSENT
    legal_grounds: list[Code] = Field(default_factory=list, max_length=10)
    justification: str = Field(default="", max_length=4000)
    emergency_reason: str = Field(default="", max_length=4000)

    @model_validator(mode="after")
    def _stated(self) -> BasisDraft:
        if self.kind is ClaimKind.STATUTORY and not self.justification.strip():
            raise ValueError(
                "sharing without consent needs a justification: say why it is necessary "
                "(Principle 6, Procedure A5)"
            )
        if self.kind is ClaimKind.EMERGENCY and not self.emergency_reason.strip():
            raise ValueError(
                "an emergency disclosure needs the reason it cannot wait (Procedure A5)"
            )
        return self


class PoliceRequestDraft(_Strict):
    """A police request for personal data, as an s.29-style form asks for it (Procedure A5)."""

    officer_name: Text
    rank: Text
    collar_number: str | None = Field(default=None, max_length=32)
    station: str | None = Field(default=None, max_length=200)
    information_needed: Text
    why_needed: Text
    #: the officer's statement that not disclosing would prejudice prevention or detection
    #: of crime or the apprehension or prosecution of offenders
    prejudice_statement: bool

    @model_validator(mode="after")
    def _stated(self) -> PoliceRequestDraft:
        if not self.prejudice_statement:
            raise ValueError(
                "the officer must state that not disclosing would prejudice the prevention or "
                "detection of crime (Procedure A5)"
            )
        return self


class RequestDraft(_Strict):
    """A request to share, as the pages and the API take it."""

    #: the staff email of the person asking
    requester: Code | None = None
    provider: Code
    recipient: Code
    recipient_role: Code | None = None
    nhs_number: Code
    purpose: Code
    #: categories asked for; for a disclosure, the items' categories when left empty
    categories: list[Code] = Field(default_factory=list, max_length=60)
    items: list[ItemDraft] = Field(default_factory=list, max_length=200)
    transfer_method: Code
    basis: BasisDraft = Field(default_factory=BasisDraft)
    isa: Code | None = None
    #: onward use (Procedure B6): the earlier disclosure the information came by
    derived_from: uuid.UUID | None = None
    #: whether the subject was told; left out, it follows the decision's condition
    subject_informed: bool | None = None
    not_informed_reason: str | None = Field(default=None, max_length=2000)
    police_request: PoliceRequestDraft | None = None

    @model_validator(mode="after")
    def _asked(self) -> RequestDraft:
        if not self.categories and not self.items:
            raise ValueError("name at least one data category, or the items to share")
        if self.subject_informed is False and not (self.not_informed_reason or "").strip():
            raise ValueError("say why the subject is not told (Principle 5)")
        return self

    @property
    def asked_categories(self) -> tuple[str, ...]:
        found = list(self.categories) or [i.category for i in self.items]
        return tuple(dict.fromkeys(found))


@dataclass(frozen=True)
class Outcomes:
    """What asking or sharing did."""

    decision: Decision
    decision_json: dict[str, Any]
    subject_id: str
    disclosure_id: uuid.UUID | None = None
    referral_id: uuid.UUID | None = None
    review_task_id: uuid.UUID | None = None
    ledger_sequence: int | None = None
    #: the stored dry run or refusal (``services/decision_requests.py``)
    decision_request_id: uuid.UUID | None = None


@dataclass(frozen=True)
class DisclosureView:
    id: uuid.UUID
    made_at: datetime
    requester: str
    provider: str
    recipient: str
    recipient_role: str | None
    service_user_id: uuid.UUID
    nhs_number: str
    purpose: str
    isa_reference: str | None
    transfer_method: str
    outcome: str
    basis: str
    decision: dict[str, Any]
    items: list[dict[str, Any]]
    subject_informed: bool
    not_informed_reason: str | None
    derived_from_id: uuid.UUID | None
    referral_id: uuid.UUID | None
    police_request: dict[str, Any] | None


# --- checks common to asking, sharing and approving --------------------------------------------


def acting_staff(requester: Requester, draft_requester: str | None) -> str:
    """The staff email a request is made by: the signed-in person, or the one the API names."""
    if requester.kind is RequesterKind.STAFF:
        if draft_requester and draft_requester.lower() != requester.name.lower():
            raise InputError(
                f"`{draft_requester}` is not you; a request is made in your own name",
                field="requester",
            )
        return requester.name
    if not draft_requester:
        raise InputError(
            "name the member of staff making the request (their email) in `requester`",
            field="requester",
        )
    return draft_requester.strip().lower()


def check_may_act(
    db: Database,
    requester: Requester,
    policy: Policy,
    staff: str,
    permission: Permission,
    *,
    at: datetime,
) -> None:
    """Refuse (logged) unless ``requester`` may ``permission`` and ``staff`` is of its party.

    Staff the policy does not know are left to ``decide()``, which denies them with a reason.
    """
    entry = policy.staff.get(staff)
    owner = entry.organisation if entry is not None else requester.organisation_code
    decision = authorize(requester.actor, permission, owner)
    if decision.allowed:
        return
    uow = db.unit_of_work()
    with uow:
        error = refuse(uow.session, requester, decision, what=f"request by `{staff}`", at=at)
        uow.commit()
    raise error


def check_may_share(db: Database, requester: Requester, *, now: datetime | None = None) -> None:
    """Refuse (logged, 403) unless ``requester``'s roles allow ``disclosures:make`` at all.

    Asked before a form is read, so a role that may not share is told so, not that its form
    is incomplete (Procedure B1: authorization before input). Whose request it is, and for
    which party, is checked again with the request (``check_may_act``).
    """
    decision = authorize(requester.actor, Permission.DISCLOSURES_MAKE, requester.organisation_code)
    if decision.allowed:
        return
    uow = db.unit_of_work()
    with uow:
        error = refuse(uow.session, requester, decision, what="a request to share", at=now_or(now))
        uow.commit()
    raise error


def build_request(
    draft: RequestDraft,
    staff: str,
    subject_id: str,
    at: datetime,
    prior: PriorDisclosure | None,
    approval: Approval | None = None,
) -> DisclosureRequest:
    return DisclosureRequest(
        requester=staff,
        provider=draft.provider,
        recipient=draft.recipient,
        subject_id=subject_id,
        purpose=draft.purpose,
        data_categories=draft.asked_categories,
        transfer_method=draft.transfer_method,
        at=at,
        basis=ClaimedBasis(
            kind=draft.basis.kind,
            legal_grounds=tuple(draft.basis.legal_grounds),
            justification=draft.basis.justification.strip(),
            emergency_reason=draft.basis.emergency_reason.strip(),
        ),
        isa_reference=draft.isa,
        recipient_role=draft.recipient_role,
        derived_from=prior,
        approval=approval,
    )


def prior_of(session: Session, draft: RequestDraft) -> PriorDisclosure | None:
    if draft.derived_from is None:
        return None
    record = session.get(DisclosureRecord, draft.derived_from)
    if record is None:
        raise InputError(
            f"no disclosure `{draft.derived_from}` is recorded; cite the disclosure the "
            "information was received by",
            field="derived_from",
        )
    return PriorDisclosure(
        disclosure_id=str(record.id),
        recipient=record.recipient,
        purpose=record.purpose,
        data_categories=tuple(dict.fromkeys(str(i["category"]) for i in record.items)),
        isa_reference=record.isa_reference,
    )


def check_police_form(draft: RequestDraft, policy: Policy, staff: str) -> None:
    """A request from the police without consent comes with its s.29-style form (A5)."""
    entry = policy.staff.get(staff)
    organisation = policy.organisations.get(entry.organisation) if entry else None
    if (
        organisation is not None
        and organisation.type == POLICE
        and draft.basis.kind is ClaimKind.STATUTORY
        and draft.police_request is None
    ):
        raise InputError(
            "a police request without consent needs the request form: officer, rank, what is "
            "needed and why, and the statement that not disclosing would prejudice the "
            "prevention or detection of crime (Procedure A5)",
            field="police_request",
        )


@dataclass(frozen=True)
class Prepared:
    staff: str
    person_id: uuid.UUID
    facts: SubjectFacts
    request: DisclosureRequest
    decision: Decision
    policy: Policy

    @cached_property
    def decision_json(self) -> dict[str, Any]:
        """The decision as stored and answered: made once, for the row and the response."""
        return decision_as_json(self.decision)


def prepare(
    db: Database,
    requester: Requester,
    draft: RequestDraft,
    *,
    at: datetime,
    review_hours: int,
    approval: Approval | None = None,
    staff: str | None = None,
    checked: bool = False,
    recorded_at: datetime | None = None,
) -> Prepared:
    """Check the request and decide it; nothing is written but a logged refusal.

    ``checked``: the caller has already checked the requester's right to act (an officer
    deciding a referral made by someone else). ``recorded_at``: when a refusal is logged, if
    not ``at`` (the moment decided at).
    """
    policy, _pack = current_policy(db, review_hours=review_hours)
    staff = staff or acting_staff(requester, draft.requester)
    if not checked:
        check_may_act(
            db, requester, policy, staff, Permission.DISCLOSURES_MAKE, at=recorded_at or at
        )
    check_police_form(draft, policy, staff)
    with db.reading() as connection:
        person, facts = read_subject(connection, draft.nhs_number)
    person_id = person.id
    prior = None
    if draft.derived_from is not None:
        # A disclosure is never changed once made, so reading it apart is consistent.
        with db.unit_of_work().reading() as reading:
            prior = prior_of(reading.session, draft)
    request = build_request(draft, staff, str(person_id), at, prior, approval)
    return Prepared(staff, person_id, facts, request, decide(request, policy, facts), policy)


def _organisation_of(policy: Policy, staff: str) -> str:
    entry = policy.staff.get(staff)
    return entry.organisation if entry is not None else "unknown"


def _asked_event(
    prepared: Prepared, at: datetime, record_id: str | None = None
) -> ledger.LedgerEvent:
    decision = prepared.decision
    return ledger.LedgerEvent(
        time=at,
        kind=EventKind.DECISION_ASKED,
        actor_staff=prepared.staff[:128],
        actor_organisation=_organisation_of(prepared.policy, prepared.staff),
        outcome=LedgerOutcome.FAILURE
        if decision.outcome is Outcome.DENY
        else LedgerOutcome.SUCCESS,
        subject=prepared.request.subject_id,
        purpose=prepared.request.purpose[:128],
        reason=decision.outcome.value,
        record_digest=ledger.record_digest(
            {"request": _request_json(prepared.request), "decision": decision_as_json(decision)}
        ),
        record_type=REFERRAL_RECORD if record_id else None,
        record_id=record_id,
        counterparty=prepared.request.recipient[:128],
    )


def _request_json(request: DisclosureRequest) -> dict[str, Any]:
    return {
        "requester": request.requester,
        "provider": request.provider,
        "recipient": request.recipient,
        "subject_id": request.subject_id,
        "purpose": request.purpose,
        "categories": list(request.data_categories),
        "transfer_method": request.transfer_method,
        "at": request.at.isoformat(),
        "basis": request.basis.kind.value,
        "isa": request.isa_reference,
    }


# --- asking ------------------------------------------------------------------------------------


def ask(
    db: Database,
    requester: Requester,
    draft: RequestDraft,
    *,
    now: datetime | None = None,
    review_hours: int = 72,
    decide_at: datetime | None = None,
) -> Outcomes:
    """The decision ``draft`` would get, recorded as asked (Procedure A7); nothing shared.

    ``decide_at``: the moment the question is about (the console's ``at``), if not ``now``.
    The request and its ``decision_requests`` row carry it; the ledger entry and the access
    log are stamped ``now``, when it was asked, so nobody can date a record (Principle 6).
    """
    recorded_at = now_or(now)
    at = decide_at or recorded_at
    prepared = prepare(
        db, requester, draft, at=at, review_hours=review_hours, recorded_at=recorded_at
    )
    request_id, sequence = _store_asked(db, prepared, RequestSource.ASKED, recorded_at)
    return Outcomes(
        prepared.decision,
        decision_as_json(prepared.decision),
        prepared.request.subject_id,
        ledger_sequence=sequence,
        decision_request_id=request_id,
    )


def _store_asked(
    db: Database, prepared: Prepared, source: RequestSource, recorded_at: datetime | None = None
) -> tuple[uuid.UUID, int]:
    """Store a dry run or a refusal and its ``decision:asked`` entry in one grouped write.

    The entry is stamped ``recorded_at`` (when asked), if given, else the request's moment.

    Nothing is read: the row is the request and the decision's outcome, its digest the
    entry's (``services/decision_requests.py``), so ``ledger verify`` checks one against
    the other and the what-if can replay it.
    """
    record = decision_requests.new_record(
        prepared.request, prepared.decision, source=source, service_user_id=prepared.person_id
    )
    event = decision_requests.asked_event(
        record,
        actor_organisation=_organisation_of(prepared.policy, prepared.staff),
        recorded_at=recorded_at,
    )

    def store(ctx: WriteContext) -> int:
        sequence = ledger.record(ctx, event)
        record.ledger_sequence = sequence
        decision_requests.add(ctx.session, record)
        return sequence

    return record.id, group_commit.write(db, store)


# --- sharing -----------------------------------------------------------------------------------


def stored_items(draft: RequestDraft, decision: Decision) -> list[dict[str, Any]]:
    """The items that may go, with the marks of Principles 8 and 10."""
    marks: dict[str, tuple[str, str]] = {}
    for condition in decision.conditions:
        if condition.kind is ConditionKind.MARK_CONFIDENTIAL:
            for category in condition.refs:
                marks[category] = (condition.text, condition.clause)
    permitted = set(decision.permitted)
    out = []
    for item in draft.items:
        if item.category not in permitted:
            continue
        confidential = item.confidential_from_subject or item.category in marks
        reason = item.confidential_reason or (
            marks[item.category][0] if item.category in marks else None
        )
        ground = item.confidential_ground or (
            marks[item.category][1] if item.category in marks else None
        )
        out.append(
            {
                "category": item.category,
                "content": item.content,
                "reference": item.reference,
                "nature": item.nature.value,
                "confidential_from_subject": confidential,
                "confidential_reason": reason if confidential else None,
                "confidential_ground": ground if confidential else None,
                "anonymised": decision.outcome is Outcome.PERMIT_ANONYMISED,
            }
        )
    return out


def telling(draft: RequestDraft, decision: Decision) -> tuple[bool, str | None]:
    """Whether the subject is told, and if not why (Principle 5; the decision's condition)."""
    if draft.subject_informed is not None:
        return draft.subject_informed, draft.not_informed_reason
    for condition in decision.conditions:
        if condition.kind is ConditionKind.RECORD_WHY_NOT_INFORMED:
            return False, condition.text
    return True, None


def write_disclosure(
    ctx: WriteContext,
    prepared: Prepared,
    draft: RequestDraft,
    at: datetime,
    *,
    referral_id: uuid.UUID | None = None,
    disclosure_id: uuid.UUID | None = None,
) -> tuple[uuid.UUID, uuid.UUID | None, int]:
    """Store the disclosure, its ledger entry and any review task in ``ctx``'s commit.

    ``disclosure_id``: the new disclosure's id, when the caller must know it first (an
    approved referral's entry records which disclosure it became).
    """
    decision = prepared.decision
    items = stored_items(draft, decision)
    informed, why_not = telling(draft, decision)
    disclosure_id = disclosure_id or uuid.uuid4()
    # A plain row for the batch's executemany (``ctx.insert``): everything in it was checked
    # before the write, so it cannot fail on its own.
    row: dict[str, Any] = {
        "id": disclosure_id,
        "made_at": at,
        "requester": prepared.staff,
        "provider": draft.provider,
        "recipient": draft.recipient,
        "recipient_role": draft.recipient_role,
        "service_user_id": prepared.person_id,
        "purpose": draft.purpose,
        "isa_reference": decision.isa_reference,
        "transfer_method": draft.transfer_method,
        "outcome": decision.outcome.value,
        "basis": decision.basis.kind.value,
        "decision": prepared.decision_json,
        "items": items,
        "subject_informed": informed,
        "not_informed_reason": why_not,
        "derived_from_id": draft.derived_from,
        "referral_id": referral_id,
        "police_request": None
        if draft.police_request is None
        else draft.police_request.model_dump(),
    }
    task: dict[str, Any] | None = None
    for condition in decision.conditions:
        if condition.kind is ConditionKind.CREATE_REVIEW_TASK:
            task = {
                "id": uuid.uuid4(),
                "disclosure_id": disclosure_id,
                "organisation": condition.organisation or draft.provider,
                "created_at": at,
                "due_at": condition.due_at or at + timedelta(hours=72),
            }
    # The digest covers the row and its review task as written: ``ledger verify`` rebuilds
    # it from the tables (services/sharing_ledger.py).
    digest = sharing_ledger.disclosure_digest(row, task)
    sequence = ledger.record(
        ctx,
        ledger.LedgerEvent(
            time=at,
            kind=EventKind.DISCLOSURE_MADE,
            actor_staff=prepared.staff[:128],
            actor_organisation=_organisation_of(prepared.policy, prepared.staff),
            subject=prepared.request.subject_id,
            purpose=draft.purpose,
            reason=decision.basis.kind.value,
            record_digest=digest,
            record_type=DISCLOSURE_RECORD,
            record_id=str(disclosure_id),
            counterparty=draft.recipient,
        ),
    )
    row["ledger_sequence"] = sequence
    ctx.insert(_DISCLOSURES, row)
    if task is not None:
        ctx.insert(_REVIEW_TASKS, task)
    return disclosure_id, None if task is None else task["id"], sequence


def write_referral(
    ctx: WriteContext, prepared: Prepared, draft: RequestDraft, at: datetime
) -> tuple[uuid.UUID, int]:
    """Store a referral of ``draft`` for the provider's designated officers, with the
    ledger's record of the question, in ``ctx``'s commit."""
    referral = ReferralRecord(
        id=uuid.uuid4(),
        created_at=at,
        requester=prepared.staff,
        provider=draft.provider,
        recipient=draft.recipient,
        service_user_id=prepared.person_id,
        purpose=draft.purpose,
        request=draft.model_dump(mode="json"),
        decision=decision_as_json(prepared.decision),
        status="pending",
    )
    ctx.session.add(referral)
    event = replace(
        _asked_event(prepared, at, str(referral.id)),
        record_digest=sharing_ledger.referral_made_digest(referral),
    )
    sequence = ledger.record(ctx, event)
    return referral.id, sequence


def disclose(
    db: Database,
    requester: Requester,
    draft: RequestDraft,
    *,
    now: datetime | None = None,
    review_hours: int = 72,
) -> Outcomes:
    """Decide ``draft`` and do what the decision says, in one durable grouped write."""
    at = now_or(now)
    if not draft.items:
        raise InputError("list the items to share, each with its category", field="items")
    prepared = prepare(db, requester, draft, at=at, review_hours=review_hours)
    decision = prepared.decision
    subject_id = prepared.request.subject_id
    if decision.permits and any(i.category in decision.permitted for i in draft.items):

        def share(
            ctx: WriteContext,
        ) -> tuple[uuid.UUID, uuid.UUID | None, int, uuid.UUID | None]:
            referral_id = None
            if decision.referred:
                # What may go now goes; the rest waits for a designated officer (A5).
                referred = set(decision.referred)
                rest = draft.model_copy(
                    update={
                        "categories": list(decision.referred),
                        "items": [i for i in draft.items if i.category in referred],
                    }
                )
                referral_id, _ = write_referral(ctx, prepared, rest, at)
            return (*write_disclosure(ctx, prepared, draft, at), referral_id)

        # Without a referral part nothing goes through the session: plain rows, no savepoint.
        write = group_commit.write if decision.referred else group_commit.write_rows
        disclosure_id, task_id, sequence, referral_id = write(db, share)
        return Outcomes(
            decision,
            prepared.decision_json,
            subject_id,
            disclosure_id=disclosure_id,
            # the part referred to a designated officer, when only part may go now
            referral_id=referral_id,
            review_task_id=task_id,
            ledger_sequence=sequence,
        )
    if decision.outcome is Outcome.REFER or decision.referred:

        def refer(ctx: WriteContext) -> tuple[uuid.UUID, int]:
            return write_referral(ctx, prepared, draft, at)

        referral_id, sequence = group_commit.write(db, refer)
        return Outcomes(
            decision,
            decision_as_json(decision),
            subject_id,
            referral_id=referral_id,
            ledger_sequence=sequence,
        )
    request_id, sequence = _store_asked(db, prepared, RequestSource.REFUSED)
    return Outcomes(
        decision,
        decision_as_json(decision),
        subject_id,
        ledger_sequence=sequence,
        decision_request_id=request_id,
    )


# --- what a party may see ----------------------------------------------------------------------


def _view(record: DisclosureRecord, nhs_number: str) -> DisclosureView:
    return DisclosureView(
        id=record.id,
        made_at=record.made_at,
        requester=record.requester,
        provider=record.provider,
        recipient=record.recipient,
        recipient_role=record.recipient_role,
        service_user_id=record.service_user_id,
        nhs_number=nhs_number,
        purpose=record.purpose,
        isa_reference=record.isa_reference,
        transfer_method=record.transfer_method,
        outcome=record.outcome,
        basis=record.basis,
        decision=record.decision,
        items=record.items,
        subject_informed=record.subject_informed,
        not_informed_reason=record.not_informed_reason,
        derived_from_id=record.derived_from_id,
        referral_id=record.referral_id,
        police_request=record.police_request,
    )


def _reader_party(session: Session, requester: Requester, at: datetime) -> str:
    party = requester.organisation_code
    decision = authorize(requester.actor, Permission.DISCLOSURES_READ, party)
    if not decision.allowed or party is None:
        error = refuse(session, requester, decision, what="disclosures", at=at)
        session.commit()
        raise error
    return party


def received(
    uow: UnitOfWork,
    requester: Requester,
    *,
    nhs_number: str | None = None,
    offset: int = 0,
    limit: int = 50,
    now: datetime | None = None,
) -> tuple[int, list[DisclosureView]]:
    """What was disclosed to the requester's party, newest first (each read logged)."""
    at = now_or(now)
    if not 1 <= limit <= PAGE_MAX or offset < 0:
        raise InputError(f"`limit` is 1 to {PAGE_MAX} and `offset` at least 0", field="limit")
    with uow:
        session = uow.session
        party = _reader_party(session, requester, at)
        query = (
            select(DisclosureRecord, ServiceUserRecord.nhs_number)
            .join(ServiceUserRecord, ServiceUserRecord.id == DisclosureRecord.service_user_id)
            .where(DisclosureRecord.recipient == party)
        )
        count = select(func.count(DisclosureRecord.id)).where(DisclosureRecord.recipient == party)
        if nhs_number is not None:
            person = person_of(session, nhs_number)
            query = query.where(DisclosureRecord.service_user_id == person.id)
            count = count.where(DisclosureRecord.service_user_id == person.id)
        total = session.scalar(count) or 0
        rows = session.execute(
            query.order_by(DisclosureRecord.made_at.desc(), DisclosureRecord.id)
            .offset(offset)
            .limit(limit)
        ).all()
        views = [_view(record, number) for record, number in rows]
        for view in views:
            add_entry(
                session,
                requester,
                outcome=AccessOutcome.READ,
                action=Permission.DISCLOSURES_READ.value,
                what=f"disclosure `{view.id}` received by `{party}`",
                why="disclosures received, listed",
                clause="Principle 7",
                at=at,
                service_user_id=view.service_user_id,
            )
        uow.commit()
        return total, views


def get_disclosure(
    uow: UnitOfWork, requester: Requester, disclosure_id: uuid.UUID, *, now: datetime | None = None
) -> DisclosureView:
    """One disclosure, to its recipient or provider party only; 404 for anyone else."""
    at = now_or(now)
    with uow:
        session = uow.session
        party = _reader_party(session, requester, at)
        record = session.get(DisclosureRecord, disclosure_id)
        if record is None or party not in (record.recipient, record.provider):
            decision = authorize(requester.actor, Permission.DISCLOSURES_READ, None)
            error = refuse(session, requester, decision, what="disclosure", at=at)
            uow.commit()
            if isinstance(error, NotFoundError):
                raise error
            raise NotFoundError("there is no disclosure here that you may see; check the link")
        person = session.get(ServiceUserRecord, record.service_user_id)
        add_entry(
            session,
            requester,
            outcome=AccessOutcome.READ,
            action=Permission.DISCLOSURES_READ.value,
            what=f"disclosure `{record.id}`",
            why="disclosure read",
            clause="Principle 7",
            at=at,
            service_user_id=record.service_user_id,
        )
        uow.commit()
        return _view(record, person.nhs_number if person else "")
