"""Objections to sharing and restrictions on disclosure: record them, list them, end them.

Principle 5: a service user may object to their information being shared — with a
recipient, for a purpose, of some categories, or at all. Like an explicit refusal, an
objection raises the bar: only a statutory ground a designated officer approves can override
it (Procedure A5; ``policy/rules/objections.py``). Principle 4: a restriction on disclosing
some of the person's information (a court order, a protected address, the person's request
the provider agreed to) withholds those categories whatever the basis
(``policy/rules/restrictions.py``).

Who may do what is as for consent records (``services/consent_access.py``, Procedure B1):
recording needs ``consent:record`` for one's own party; reading needs ``service-users:read``
over a person one's party holds, and every read and refusal is logged. Lifting an objection
is for any party holding the person (the person may tell any of them); ending a restriction
only for the party that recorded it, which agreed it or was served the order.

History is never rewritten: an end is a row of its own, once per record. Each record and each
end gets its ledger entry in the same transaction (``services/objection_ledger.py``).
``limits_of`` reads a person's records in one indexed query for ``services/subject_facts.py``,
so the next decision applies what was recorded.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field
from sqlalchemy import Connection, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.sql import ColumnElement
from sqlalchemy.sql.selectable import ScalarSelect

from infoshare.errors import ConflictError, InputError, NotFoundError, PermissionDeniedError
from infoshare.policy.access import Permission
from infoshare.policy.decision import Objection, Restriction
from infoshare.services import ledger
from infoshare.services.access_log import Outcome, Requester, add_entry
from infoshare.services.clock import now_or
from infoshare.services.consent import Catalogue, person_by_nhs_number
from infoshare.services.consent_access import (
    check_reading,
    check_recording,
    opened,
    person_to_read,
)
from infoshare.services.consent_ledger import actor_of
from infoshare.services.objection_ledger import ended_event, recorded_event
from infoshare.store.models import (
    ObjectionEndRecord,
    ObjectionRecord,
    OrganisationRecord,
    ServiceUserRecord,
)
from infoshare.store.unit_of_work import UnitOfWork

_STRICT = ConfigDict(extra="forbid", frozen=True)


class LimitKind(StrEnum):
    """What was recorded: the person's objection (Principle 5) or a restriction (Principle 4)."""

    OBJECTION = "objection"
    RESTRICTION = "restriction"


class RestrictionGround(StrEnum):
    """Why a person's information is restricted (Principle 4)."""

    COURT_ORDER = "court-order"
    PROTECTED_ADDRESS = "protected-address"
    #: the person asked and the provider agreed
    SUBJECT_REQUEST = "subject-request"
    STATUTORY = "statutory"
    OTHER = "other"


class ObjectionDraft(BaseModel):
    """An objection or restriction as a caller gives it; empty scope lists mean "any"."""

    model_config = _STRICT

    nhs_number: str
    kind: LimitKind
    recipients: list[str] = Field(default_factory=list, description="organisation codes")
    purposes: list[str] = Field(default_factory=list, description="purpose ids")
    data_categories: list[str] = Field(
        default_factory=list, description="data category ids; a restriction names at least one"
    )
    note: str = Field(
        default="",
        description="the person's words (objection); why it is restricted (restriction, required)",
    )
    ground: RestrictionGround | None = Field(
        default=None, description="a restriction's ground; none for an objection"
    )
    stated_at: AwareDatetime = Field(
        description="when the person objected, or the restriction took effect"
    )
    until: AwareDatetime | None = Field(
        default=None, description="when a restriction lapses of itself; none for an objection"
    )
    recorded_by: str = Field(min_length=1)
    recorded_by_organisation: str = Field(min_length=1)


class EndDraft(BaseModel):
    """Lifting an objection or ending a restriction (Principles 4 and 5)."""

    model_config = _STRICT

    at: AwareDatetime = Field(description="from when it no longer applies")
    reason: str = Field(min_length=1, description="why: the person's words, the order's end")
    recorded_by: str = Field(min_length=1)
    recorded_by_organisation: str = Field(min_length=1)


class EndView(EndDraft):
    recorded_at: datetime


class ObjectionView(BaseModel):
    """An objection or restriction as stored, and whether it applies now."""

    id: uuid.UUID
    nhs_number: str
    service_user_id: uuid.UUID
    kind: LimitKind
    ground: RestrictionGround | None
    recipients: list[str]
    purposes: list[str]
    data_categories: list[str]
    note: str
    stated_at: datetime
    until: datetime | None
    recorded_by: str
    recorded_by_organisation: str
    recorded_at: datetime
    ended: EndView | None
    in_force: bool = Field(description="it applies at the moment the answer was given")


# --- rules of what may be recorded -------------------------------------------------------------


def _check_draft(draft: ObjectionDraft, catalogue: Catalogue, now: datetime) -> None:
    """InputError naming the field of the first thing that cannot be recorded."""
    catalogue.check(draft.recipients, kind="organisation", field="recipients")
    catalogue.check(draft.purposes, kind="purpose", field="purposes")
    catalogue.check(draft.data_categories, kind="data category", field="data_categories")
    catalogue.check([draft.recorded_by_organisation], kind="organisation",
                    field="recorded_by_organisation")  # fmt: skip
    if draft.stated_at > now:
        raise InputError(
            f"`{draft.stated_at.isoformat()}` is in the future; record an objection or "
            "restriction once it has been made",
            field="stated_at",
        )
    if draft.kind is LimitKind.OBJECTION:
        if draft.ground is not None or draft.until is not None:
            field = "ground" if draft.ground is not None else "until"
            raise InputError(
                f"an objection has no `{field}`: it stands until the person lifts it "
                "(Principle 5); leave it out, or record a restriction",
                field=field,
            )
        return
    # Principle 4: a restriction withholds named information for a stated reason.
    if not draft.data_categories:
        raise InputError(
            "a restriction must name the data categories it withholds (Principle 4); "
            "add at least one",
            field="data_categories",
        )
    if draft.ground is None:
        raise InputError(
            "a restriction needs its ground (Principle 4): one of "
            + ", ".join(f"`{g}`" for g in RestrictionGround),
            field="ground",
        )
    if not draft.note.strip():
        raise InputError(
            "a restriction needs the reason it was made (Principle 4); say why in `note`",
            field="note",
        )
    if draft.until is not None and draft.until <= draft.stated_at:
        raise InputError(
            f"the restriction ends (`{draft.until.isoformat()}`) before it starts; "
            "give an end after `stated_at`",
            field="until",
        )


def _in_force(record: ObjectionRecord, at: datetime) -> bool:
    end = record.end.at if record.end is not None else None
    return (
        record.stated_at <= at
        and (record.until is None or at < record.until)
        and (end is None or at < end)
    )


def _codes(session: Session) -> dict[uuid.UUID, str]:
    return {
        row[0]: row[1]
        for row in session.execute(select(OrganisationRecord.id, OrganisationRecord.code))
    }


def _view(
    record: ObjectionRecord, nhs_number: str, codes: dict[uuid.UUID, str], at: datetime
) -> ObjectionView:
    end = record.end
    return ObjectionView(
        id=record.id,
        nhs_number=nhs_number,
        service_user_id=record.service_user_id,
        kind=LimitKind(record.kind),
        ground=RestrictionGround(record.ground) if record.ground else None,
        recipients=list(record.recipients),
        purposes=list(record.purposes),
        data_categories=list(record.data_categories),
        note=record.note,
        stated_at=record.stated_at,
        until=record.until,
        recorded_by=record.recorded_by,
        recorded_by_organisation=codes[record.recorded_by_organisation_id],
        recorded_at=record.recorded_at,
        ended=None
        if end is None
        else EndView(
            at=end.at,
            reason=end.reason,
            recorded_by=end.recorded_by,
            recorded_by_organisation=codes[end.recorded_by_organisation_id],
            recorded_at=end.recorded_at,
        ),
        in_force=_in_force(record, at),
    )


# --- writing ---------------------------------------------------------------------------------


def record_objection(
    uow: UnitOfWork,
    draft: ObjectionDraft,
    *,
    requester: Requester | None = None,
    now: datetime | None = None,
) -> ObjectionView:
    """Record an objection or a restriction, with its ledger entry, in one transaction.

    Nothing is stored when the person is not registered, a name is not in the protocol
    (UnknownReferenceError naming the field), the draft breaks a rule of ``_check_draft``,
    or the requester may not record for ``recorded_by_organisation`` (refusal logged).
    """
    moment = now_or(now)
    with uow:
        session = uow.session
        person = person_by_nhs_number(session, draft.nhs_number, missing=InputError)
        catalogue = Catalogue.load(session)
        _check_draft(draft, catalogue, moment)
        check_recording(uow, requester, draft.recorded_by_organisation,
                        what=str(draft.kind), at=moment)  # fmt: skip
        record = ObjectionRecord(
            id=uuid.uuid4(),
            service_user_id=person.id,
            kind=str(draft.kind),
            ground=None if draft.ground is None else str(draft.ground),
            recipients=list(dict.fromkeys(draft.recipients)),
            purposes=list(dict.fromkeys(draft.purposes)),
            data_categories=list(dict.fromkeys(draft.data_categories)),
            note=draft.note,
            stated_at=draft.stated_at,
            until=draft.until,
            recorded_by=draft.recorded_by,
            recorded_by_organisation_id=catalogue.organisation_id(
                draft.recorded_by_organisation, field="recorded_by_organisation"
            ),
            recorded_at=moment,
        )
        event = recorded_event(
            record,
            organisation=draft.recorded_by_organisation,
            actor=actor_of(requester),
            at=moment,
        )
        session.add(record)
        uow.flush()
        ledger.record(uow, event)  # in this transaction: the record and its entry, or neither
        view = _view(record, person.nhs_number, _codes(session), moment)
        uow.commit()
    return view


def end_objection(
    uow: UnitOfWork,
    objection_id: uuid.UUID,
    draft: EndDraft,
    *,
    requester: Requester | None = None,
    now: datetime | None = None,
) -> ObjectionView:
    """Lift an objection or end a restriction from ``draft.at`` on, with its ledger entry.

    NotFoundError if there is no such record (or the requester may not read the person's
    records); ConflictError if it was already ended; InputError for an end before it started,
    after now, or without a reason; PermissionDeniedError for a restriction another party
    recorded. Nothing is stored then.
    """
    moment = now_or(now)
    with uow:
        session = uow.session
        record = session.get(ObjectionRecord, objection_id)
        if record is None:
            raise NotFoundError(
                f"there is no objection or restriction `{objection_id}`; list the service "
                "user's to find it",
                field="objection_id",
            )
        check_reading(uow, requester, record.service_user_id, why="ended an objection",
                      at=moment)  # fmt: skip
        what = "objection" if record.kind == LimitKind.OBJECTION else "restriction"
        if record.end is not None:
            raise ConflictError(
                f"the {what} `{objection_id}` was already ended on "
                f"{record.end.at.date().isoformat()}; it is ended once",
                field="objection_id",
            )
        catalogue = Catalogue.load(session)
        organisation_id = catalogue.organisation_id(
            draft.recorded_by_organisation, field="recorded_by_organisation"
        )
        if not draft.reason.strip():
            raise InputError(f"say why the {what} ends", field="reason")
        if draft.at > moment:
            raise InputError(
                f"`{draft.at.isoformat()}` is in the future; end it when it has ended",
                field="at",
            )
        if draft.at < record.stated_at:
            raise InputError(
                f"`{draft.at.isoformat()}` is before the {what} was made "
                f"(`{record.stated_at.isoformat()}`); give a later moment",
                field="at",
            )
        check_recording(uow, requester, draft.recorded_by_organisation, what=f"end of {what}",
                        at=moment)  # fmt: skip
        if (
            record.kind == LimitKind.RESTRICTION
            and organisation_id != record.recorded_by_organisation_id
        ):
            why = (
                f"only the organisation that recorded this restriction "
                f"(`{_codes(session)[record.recorded_by_organisation_id]}`) may end it "
                "(Principle 4); ask them"
            )
            # Every refusal is logged (Procedure B1); nothing else is added yet, so committing
            # stores the log entry (and the record's opening) and nothing more.
            if requester is not None:
                add_entry(session, requester, outcome=Outcome.DENIED,
                          action=Permission.CONSENT_RECORD.value,
                          what=f"restriction `{objection_id}`", why=why, clause="Principle 4",
                          at=moment, service_user_id=record.service_user_id)  # fmt: skip
                uow.commit()
            raise PermissionDeniedError(why, field="recorded_by_organisation")
        end = ObjectionEndRecord(
            id=uuid.uuid4(),
            objection_id=record.id,
            at=draft.at,
            reason=draft.reason,
            recorded_by=draft.recorded_by,
            recorded_by_organisation_id=organisation_id,
            recorded_at=moment,
        )
        event = ended_event(
            record,
            end,
            organisation=draft.recorded_by_organisation,
            actor=actor_of(requester),
            at=moment,
        )
        session.add(end)
        try:
            uow.flush()
        except IntegrityError as exc:  # ended by another writer since we looked
            raise ConflictError(
                f"the {what} `{objection_id}` was ended meanwhile; it is ended once",
                field="objection_id",
            ) from exc
        ledger.record(uow, event)
        session.refresh(record)
        number = session.get_one(ServiceUserRecord, record.service_user_id).nhs_number
        view = _view(record, number, _codes(session), moment)
        uow.commit()
    return view


# --- reading ---------------------------------------------------------------------------------


def _list(session: Session, person: ServiceUserRecord, at: datetime) -> list[ObjectionView]:
    codes = _codes(session)
    records = session.scalars(
        select(ObjectionRecord)
        .where(ObjectionRecord.service_user_id == person.id)
        .order_by(ObjectionRecord.stated_at, ObjectionRecord.recorded_at)
    ).unique()
    return [_view(r, person.nhs_number, codes, at) for r in records]


def list_objections(
    uow: UnitOfWork,
    nhs_number: str,
    *,
    requester: Requester | None = None,
    why: str = "read objections and restrictions",
    at: datetime | None = None,
) -> list[ObjectionView]:
    """Every objection and restriction of a service user, ended ones too, oldest first.

    NotFoundError if they are not registered or the requester may not read their records
    (logged)."""
    moment = now_or(at)
    with opened(uow, requester):
        session = uow.session
        person = person_by_nhs_number(session, nhs_number, missing=NotFoundError)
        check_reading(uow, requester, person.id, why=why, at=now_or(None))
        return _list(session, person, moment)


@dataclass(frozen=True)
class SubjectObjections:
    """A person's objections and restrictions, with who they are, for their page."""

    service_user_id: uuid.UUID
    nhs_number: str
    given_name: str
    family_name: str
    items: list[ObjectionView]


def objections_of(
    uow: UnitOfWork,
    service_user_id: uuid.UUID,
    *,
    requester: Requester | None = None,
    why: str = "read objections and restrictions",
    at: datetime | None = None,
) -> SubjectObjections:
    """As ``list_objections``, for the service user with this id (the pages' links)."""
    moment = now_or(at)
    with opened(uow, requester):
        session = uow.session
        person = person_to_read(uow, requester, service_user_id, why=why)
        return SubjectObjections(
            person.id,
            person.nhs_number,
            person.given_name,
            person.family_name,
            _list(session, person, moment),
        )


# --- for the decision --------------------------------------------------------------------------


def limits_stamp(
    person_id: ColumnElement[Any] | uuid.UUID,
) -> tuple[ScalarSelect[int], ScalarSelect[int]]:
    """Scalar subqueries counting the person's records and ends: what changes when either
    is recorded (rows are never rewritten), for ``services/subject_facts.py``'s stamp.
    ``person_id`` is an id, or the column of an outer query that finds the person."""
    records = select(func.count(ObjectionRecord.id)).where(
        ObjectionRecord.service_user_id == person_id
    )
    ends = (
        select(func.count(ObjectionEndRecord.id))
        .join(ObjectionRecord, ObjectionRecord.id == ObjectionEndRecord.objection_id)
        .where(ObjectionRecord.service_user_id == person_id)
    )
    return records.scalar_subquery(), ends.scalar_subquery()


def limits_of(
    session: Session | Connection, person_id: uuid.UUID
) -> tuple[tuple[Objection, ...], tuple[Restriction, ...]]:
    """The person's objections and restrictions as ``decide()`` takes them, in one query.

    An ended record keeps applying to a request dated before its end (a decision judged as
    it was made); from the end on it does not.
    """
    rows = session.execute(
        select(
            ObjectionRecord.id,
            ObjectionRecord.kind,
            ObjectionRecord.recipients,
            ObjectionRecord.purposes,
            ObjectionRecord.data_categories,
            ObjectionRecord.note,
            ObjectionRecord.stated_at,
            ObjectionRecord.until,
            ObjectionEndRecord.at,
        )
        .outerjoin(ObjectionEndRecord, ObjectionEndRecord.objection_id == ObjectionRecord.id)
        .where(ObjectionRecord.service_user_id == person_id)
    ).all()
    objections: list[Objection] = []
    restrictions: list[Restriction] = []
    for id_, kind, recipients, purposes, categories, note, stated_at, until, ended_at in rows:
        if kind == LimitKind.RESTRICTION:
            ends = [t for t in (until, ended_at) if t is not None]
            restrictions.append(
                Restriction(
                    str(id_),
                    frozenset(categories),
                    note,
                    frozenset(recipients),
                    frozenset(purposes),
                    min(ends) if ends else None,
                )
            )
        else:
            objections.append(
                Objection(
                    str(id_),
                    stated_at,
                    frozenset(recipients),
                    frozenset(purposes),
                    frozenset(categories),
                    note,
                    until=ended_at,
                )
            )
    return tuple(objections), tuple(restrictions)
