"""What the ledger records of sharing: disclosures, referrals and emergency reviews, as digests,
and reading them back (Principle 6; Procedures A5, B6, C4).

Each is appended in the grouped write that stores it (``services/disclosures.py``,
``services/referrals.py``, ``services/emergencies.py``), with a digest built here from the
row as it is written, so that ``infoshare ledger verify`` can rebuild it from the row:

- ``disclosure`` (``disclosure:made``): every column of the disclosure but its sequence
  number (the decision, the items, the recipient, whether the person was told …), and the
  creation of its emergency review task, if any;
- ``referral``: ``decision:asked`` when made (the referral as made: the request and the
  decision that referred it), then ``referral:approved`` or ``referral:refused`` (the
  officer's decision, when and why);
- ``emergency-review`` (``emergency:reviewed``): the designated officer's review of the
  task: who, when, the outcome and the notes.

Each of these entries also names the recipient organisation in its ``counterparty`` column,
which lies outside the entry's hashed bytes: verify checks it against the recipient the
record names, which the digest covers.

This module does not import ``services/ledger.py``, which imports it to verify.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from typing import Any, Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from infoshare.ledger.canonical import Canonical
from infoshare.ledger.events import EventKind
from infoshare.services.ledger_records import (
    Expected,
    RecordType,
    chunks,
    page_ids,
    parse_ids,
    record_digest,
)
from infoshare.store.models import DisclosureRecord, ReferralRecord, ReviewTaskRecord

#: ``record_type`` values
DISCLOSURE_RECORD: Final = "disclosure"
REFERRAL_RECORD: Final = "referral"
REVIEW_RECORD: Final = "emergency-review"
#: a row's columns by name: a dict as written, or a ``RowMapping`` as read back
Row = Mapping[Any, Any]
#: a referral's status, and the entry its decision has
_DECIDED: Final = {"approved": EventKind.REFERRAL_APPROVED, "refused": EventKind.REFERRAL_REFUSED}


def _text(value: object) -> str | None:
    return None if value is None else str(value)


def _task(task: Row | None) -> Canonical:
    if task is None:
        return None
    return {
        "id": str(task["id"]),
        "organisation": task["organisation"],
        "created_at": task["created_at"],
        "due_at": task["due_at"],
    }


def disclosure_digest(row: Row, task: Row | None) -> str:
    """The digest of a disclosure as stored, with its review task's creation (Procedure C4).

    ``row`` and ``task`` are their tables' columns by name, as written or as read back.
    """
    return record_digest(
        {
            "id": str(row["id"]),
            "made_at": row["made_at"],
            "requester": row["requester"],
            "provider": row["provider"],
            "recipient": row["recipient"],
            "recipient_role": row["recipient_role"],
            "service_user": str(row["service_user_id"]),
            "purpose": row["purpose"],
            "isa_reference": row["isa_reference"],
            "transfer_method": row["transfer_method"],
            "outcome": row["outcome"],
            "basis": row["basis"],
            "decision": row["decision"],
            "items": row["items"],
            "subject_informed": bool(row["subject_informed"]),
            "not_informed_reason": row["not_informed_reason"],
            "derived_from": _text(row["derived_from_id"]),
            "referral": _text(row["referral_id"]),
            "police_request": row["police_request"],
            "review_task": _task(task),
        }
    )


def referral_made_digest(record: ReferralRecord) -> str:
    """The digest of a referral as made: the request and the decision that referred it."""
    return record_digest(
        {
            "id": str(record.id),
            "created_at": record.created_at,
            "requester": record.requester,
            "provider": record.provider,
            "recipient": record.recipient,
            "service_user": str(record.service_user_id),
            "purpose": record.purpose,
            "request": record.request,
            "decision": record.decision,
        }
    )


def referral_decided_digest(
    record: ReferralRecord, *, disclosure_id: uuid.UUID | None = None
) -> str:
    """The digest of a designated officer's decision on a referral (Procedure A5).

    It covers ``disclosure_id``, the disclosure an approval became, so a link re-pointed at
    another disclosure (or cut) is a changed record. ``disclosure_id``: that id when it is
    chosen before the row holds it (the approval is entered before its disclosure is written).
    """
    link = disclosure_id or record.disclosure_id
    return record_digest(
        {
            "referral": str(record.id),
            "status": record.status,
            "decided_by": record.decided_by,
            "decided_at": record.decided_at,
            "reason": record.decision_reason,
            "disclosure": None if link is None else str(link),
        }
    )


def review_digest(task: ReviewTaskRecord) -> str:
    """The digest of a designated officer's review of an emergency disclosure (A5)."""
    return record_digest(
        {
            "task": str(task.id),
            "disclosure": str(task.disclosure_id),
            "reviewed_by": task.reviewed_by,
            "reviewed_at": task.reviewed_at,
            "outcome": task.review_outcome,
            "notes": task.review_notes,
        }
    )


# --- reading the rows back (``infoshare ledger verify``) ---------------------------------------


def _disclosures(session: Session, ids: Sequence[str]) -> Mapping[str, Sequence[Expected]]:
    wanted = parse_ids(ids)
    found: dict[str, Sequence[Expected]] = {}
    disclosures, tasks = DisclosureRecord.__table__, ReviewTaskRecord.__table__
    for chunk in chunks(list(wanted)):
        # Plain rows, not ORM objects: the digest reads columns by name either way.
        made = {
            task["disclosure_id"]: task
            for task in session.execute(
                select(tasks).where(tasks.c.disclosure_id.in_(chunk))
            ).mappings()
        }
        for row in session.execute(
            select(disclosures).where(disclosures.c.id.in_(chunk))
        ).mappings():
            digest = disclosure_digest(row, made.get(row["id"]))
            found[wanted[row["id"]]] = (
                Expected(EventKind.DISCLOSURE_MADE, digest, row["recipient"], True),
            )
    return found


def _referrals(session: Session, ids: Sequence[str]) -> Mapping[str, Sequence[Expected]]:
    wanted = parse_ids(ids)
    found: dict[str, Sequence[Expected]] = {}
    for chunk in chunks(list(wanted)):
        for record in session.scalars(select(ReferralRecord).where(ReferralRecord.id.in_(chunk))):
            events = [
                Expected(
                    EventKind.DECISION_ASKED, referral_made_digest(record), record.recipient, True
                )
            ]
            decided = _DECIDED.get(record.status)
            if decided is not None:
                events.append(
                    Expected(decided, referral_decided_digest(record), record.recipient, True)
                )
            found[wanted[record.id]] = tuple(events)
    return found


def _reviews(session: Session, ids: Sequence[str]) -> Mapping[str, Sequence[Expected]]:
    wanted = parse_ids(ids)
    found: dict[str, Sequence[Expected]] = {}
    for chunk in chunks(list(wanted)):
        rows = session.execute(
            select(ReviewTaskRecord, DisclosureRecord.recipient)
            .join(DisclosureRecord, DisclosureRecord.id == ReviewTaskRecord.disclosure_id)
            .where(ReviewTaskRecord.id.in_(chunk))
        ).all()
        for task, recipient in rows:
            # A task not yet reviewed has no entry of its own: its creation is covered by
            # its disclosure's digest.
            found[wanted[task.id]] = (
                ()
                if task.reviewed_at is None
                else (Expected(EventKind.EMERGENCY_REVIEWED, review_digest(task), recipient, True),)
            )
    return found


DISCLOSURES: Final = RecordType(DISCLOSURE_RECORD, _disclosures, page_ids(DisclosureRecord.id))
REFERRALS: Final = RecordType(REFERRAL_RECORD, _referrals, page_ids(ReferralRecord.id))
REVIEWS: Final = RecordType(
    REVIEW_RECORD,
    _reviews,
    page_ids(ReviewTaskRecord.id, ReviewTaskRecord.reviewed_at.is_not(None)),
)
