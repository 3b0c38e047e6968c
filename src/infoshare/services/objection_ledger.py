"""What the ledger records of objections and restrictions: events, digests, reading them back.

Principle 5 lets a person object to sharing and Principle 4 lets a record be restricted;
Principle 6 wants what bears on sharing recorded for audit. Each objection or restriction
recorded, and each one lifted or ended, gets one ledger entry in the same transaction as its
row (``services/objections.py``): ``objection:recorded``, ``objection:lifted``,
``restriction:recorded``, ``restriction:ended``. ``infoshare ledger verify`` reads the rows
back here (``current_digests``) to find any changed behind the ledger's back.

As for consent, an entry holds identifiers and digests only: the service user's id, the
organisation's code, the purposes; the person's words and the reasons stay in the table and
are covered by ``record_digest``.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime
from typing import Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from infoshare.ledger.events import EventKind
from infoshare.services.consent_ledger import purpose_of
from infoshare.services.ledger_records import chunks, parse_ids, record_digest
from infoshare.store.ledger_store import LedgerEvent
from infoshare.store.models import ObjectionEndRecord, ObjectionRecord

#: ``record_type`` values: which table an entry's digest covers
OBJECTION_RECORD: Final = "objection"
#: an end's ``record_id`` is the id of the objection or restriction it ends (one per record)
OBJECTION_END_RECORD: Final = "objection-end"
RECORD_TYPES: Final = frozenset({OBJECTION_RECORD, OBJECTION_END_RECORD})


def objection_digest(record: ObjectionRecord) -> str:
    """The digest of an objection or restriction as recorded (Principles 4 and 5)."""
    return record_digest(
        {
            "id": str(record.id),
            "service_user": str(record.service_user_id),
            "kind": record.kind,
            "ground": record.ground,
            "recipients": list(record.recipients),
            "purposes": list(record.purposes),
            "data_categories": list(record.data_categories),
            "note": record.note,
            "stated_at": record.stated_at,
            "until": record.until,
            "recorded_by": record.recorded_by,
            "recorded_by_organisation": str(record.recorded_by_organisation_id),
            "recorded_at": record.recorded_at,
        }
    )


def end_digest(objection_id: uuid.UUID, record: ObjectionEndRecord) -> str:
    """The digest of the end of objection or restriction ``objection_id``, as recorded."""
    return record_digest(
        {
            "objection": str(objection_id),
            "at": record.at,
            "reason": record.reason,
            "recorded_by": record.recorded_by,
            "recorded_by_organisation": str(record.recorded_by_organisation_id),
            "recorded_at": record.recorded_at,
        }
    )


def recorded_event(
    record: ObjectionRecord, *, organisation: str, actor: str, at: datetime
) -> LedgerEvent:
    """``objection:recorded`` or ``restriction:recorded``, for the record's purposes."""
    kind = (
        EventKind.RESTRICTION_RECORDED
        if record.kind == "restriction"
        else EventKind.OBJECTION_RECORDED
    )
    return LedgerEvent(
        time=at,
        kind=kind,
        actor_staff=actor,
        actor_organisation=organisation,
        subject=str(record.service_user_id),
        purpose=purpose_of(record.purposes),
        record_digest=objection_digest(record),
        record_type=OBJECTION_RECORD,
        record_id=str(record.id),
    )


def ended_event(
    record: ObjectionRecord,
    end: ObjectionEndRecord,
    *,
    organisation: str,
    actor: str,
    at: datetime,
) -> LedgerEvent:
    """``objection:lifted`` or ``restriction:ended``, for the record's purposes."""
    kind = (
        EventKind.RESTRICTION_ENDED if record.kind == "restriction" else EventKind.OBJECTION_LIFTED
    )
    return LedgerEvent(
        time=at,
        kind=kind,
        actor_staff=actor,
        actor_organisation=organisation,
        subject=str(record.service_user_id),
        purpose=purpose_of(record.purposes),
        record_digest=end_digest(record.id, end),
        record_type=OBJECTION_END_RECORD,
        record_id=str(record.id),
    )


def current_digests(
    session: Session, record_type: str, record_ids: Iterable[str]
) -> dict[str, str]:
    """The digests the tables give now for these records, by record id; absent ones omitted."""
    wanted = parse_ids(record_ids)
    digests: dict[str, str] = {}
    for chunk in chunks(list(wanted)):
        if record_type == OBJECTION_RECORD:
            for record in session.scalars(
                select(ObjectionRecord).where(ObjectionRecord.id.in_(chunk))
            ).unique():
                digests[wanted[record.id]] = objection_digest(record)
        elif record_type == OBJECTION_END_RECORD:
            for end in session.scalars(
                select(ObjectionEndRecord).where(ObjectionEndRecord.objection_id.in_(chunk))
            ):
                digests[wanted[end.objection_id]] = end_digest(end.objection_id, end)
        session.expunge_all()
    return digests
