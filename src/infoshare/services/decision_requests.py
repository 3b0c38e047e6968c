"""Decision requests: the questions asked and the requests refused, stored beside their ledger
entries, and read back for audit and for the what-if (Principle 6; Procedures A5, A7, C4).

The sharing workflow (``services/disclosures.py``) stores a permitted request as a
disclosure and a referred one as a referral. Every other decision it answers becomes one
``decision_requests`` row here: a dry run (``ask``: ``POST /api/v1/decisions``, the
"May I share?" walkthrough, CDS Hooks) and a request to share that ended in ``deny``. The row
is written in the same grouped write as its ``decision:asked`` ledger entry, whose
``record_type`` is ``decision-request``, whose ``record_id`` is the row's id, and whose
``record_digest`` covers every column of the row but the sequence number (which the entry
itself is): ``infoshare ledger verify`` reads the rows back in bulk (``current_digests``)
and finds any that were changed or deleted.

The write adds one INSERT to the grouped write and reads nothing: everything the row holds
is already in the request and the decision. ``services/what_if.py`` replays the rows
(``replay_request``) through a candidate version of an agreement, so a version that would
permit what was refused shows it.

This module does not import ``services/ledger.py``, which imports it to verify.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from enum import StrEnum
from typing import Final

from sqlalchemy import Table, and_, insert, or_, select
from sqlalchemy.orm import Session

from infoshare.ledger.canonical import Canonical
from infoshare.ledger.events import EventKind
from infoshare.ledger.events import Outcome as LedgerOutcome
from infoshare.policy.decision import (
    ClaimedBasis,
    ClaimKind,
    Decision,
    DisclosureRequest,
    Outcome,
    PriorDisclosure,
)
from infoshare.services.ledger_records import chunks, parse_ids, record_digest
from infoshare.store.ledger_store import LedgerEvent
from infoshare.store.models import DecisionRequestRecord

#: the ledger's ``record_type`` for a decision request
DECISION_REQUEST_RECORD: Final = "decision-request"
RECORD_TYPES: Final = frozenset({DECISION_REQUEST_RECORD})
#: the longest identifier a ledger entry holds
_IDENTIFIER_MAX: Final = 128


class RequestSource(StrEnum):
    """Why a decision request is stored here rather than as a disclosure or referral."""

    #: a dry run: "may I share?" asked, nothing shared (Procedure A7)
    ASKED = "asked"
    #: a request to share that the decision refused
    REFUSED = "refused"


def new_record(
    request: DisclosureRequest,
    decision: Decision,
    *,
    source: RequestSource,
    service_user_id: uuid.UUID,
) -> DecisionRequestRecord:
    """The row for ``request`` as asked and ``decision``'s outcome (not yet added, no sequence)."""
    prior = request.derived_from
    return DecisionRequestRecord(
        id=uuid.uuid4(),
        asked_at=request.at.astimezone(UTC),
        source=source.value,
        requester=request.requester,
        provider=request.provider,
        recipient=request.recipient,
        recipient_role=request.recipient_role,
        service_user_id=service_user_id,
        purpose=request.purpose,
        categories=list(request.data_categories),
        transfer_method=request.transfer_method,
        basis_kind=request.basis.kind.value,
        legal_grounds=list(request.basis.legal_grounds),
        justification=request.basis.justification,
        emergency_reason=request.basis.emergency_reason,
        agreement=request.isa_reference,
        decided_agreement=decision.isa_reference,
        derived_from_id=None if prior is None else uuid.UUID(prior.disclosure_id),
        outcome=decision.outcome.value,
    )


_TABLE: Final[Table] = DecisionRequestRecord.__table__  # type: ignore[assignment]


def add(session: Session, record: DecisionRequestRecord) -> None:
    """INSERT ``record`` in ``session``'s transaction, now.

    A plain INSERT, not the ORM's unit of work: the row is written once and never changed,
    and this is the dry run's hot path (a fraction of the CPU of ``session.add``).
    """
    session.execute(insert(_TABLE), [{c.key: getattr(record, c.key) for c in _TABLE.columns}])


def _text(value: object) -> str | None:
    return None if value is None else str(value)


def request_digest(record: DecisionRequestRecord) -> str:
    """The digest of a decision request as stored: every column but ``ledger_sequence``."""
    value: Mapping[str, Canonical] = {
        "id": str(record.id),
        "asked_at": record.asked_at,
        "source": record.source,
        "requester": record.requester,
        "provider": record.provider,
        "recipient": record.recipient,
        "recipient_role": record.recipient_role,
        "service_user": str(record.service_user_id),
        "purpose": record.purpose,
        "categories": list(record.categories),
        "transfer_method": record.transfer_method,
        "basis_kind": record.basis_kind,
        "legal_grounds": list(record.legal_grounds),
        "justification": record.justification,
        "emergency_reason": record.emergency_reason,
        "agreement": record.agreement,
        "decided_agreement": record.decided_agreement,
        "derived_from": _text(record.derived_from_id),
        "outcome": record.outcome,
    }
    return record_digest(value)


def asked_event(
    record: DecisionRequestRecord, *, actor_organisation: str, recorded_at: datetime | None = None
) -> LedgerEvent:
    """The ``decision:asked`` entry of ``record``: a refusal is recorded as a failure.

    The entry's time is ``recorded_at`` (when it was asked) if given: a question about another
    moment (the console's ``at``) is still entered at the real clock (Principle 6).
    """
    return LedgerEvent(
        time=(recorded_at or record.asked_at).astimezone(UTC),
        kind=EventKind.DECISION_ASKED,
        actor_staff=record.requester[:_IDENTIFIER_MAX],
        actor_organisation=actor_organisation,
        outcome=LedgerOutcome.FAILURE if record.outcome == Outcome.DENY else LedgerOutcome.SUCCESS,
        subject=str(record.service_user_id),
        purpose=record.purpose[:_IDENTIFIER_MAX],
        reason=record.outcome,
        record_digest=request_digest(record),
        record_type=DECISION_REQUEST_RECORD,
        record_id=str(record.id),
        counterparty=record.recipient[:_IDENTIFIER_MAX],
    )


# --- reading the rows back ---------------------------------------------------------------------


def replay_request(
    record: DecisionRequestRecord, prior: PriorDisclosure | None
) -> DisclosureRequest:
    """The request exactly as it was asked, for the what-if (``prior`` is its B6 disclosure)."""
    kind = record.basis_kind
    return DisclosureRequest(
        requester=record.requester,
        provider=record.provider,
        recipient=record.recipient,
        subject_id=str(record.service_user_id),
        purpose=record.purpose,
        data_categories=tuple(record.categories),
        transfer_method=record.transfer_method,
        at=record.asked_at,
        basis=ClaimedBasis(
            kind=ClaimKind(kind) if kind in set(ClaimKind) else ClaimKind.CONSENT,
            legal_grounds=tuple(record.legal_grounds),
            justification=record.justification,
            emergency_reason=record.emergency_reason,
        ),
        isa_reference=record.agreement,
        recipient_role=record.recipient_role,
        derived_from=prior,
    )


def concerning(
    session: Session, reference: str, parties: Iterable[str], since: datetime
) -> list[DecisionRequestRecord]:
    """The decision requests asked at or after ``since`` that a new version of ``reference``
    may decide otherwise, oldest first: those that named it or were decided under it, and
    those that named no agreement, got none, and are between two of ``parties``."""
    table = DecisionRequestRecord
    codes = sorted(set(parties))
    return list(
        session.scalars(
            select(table)
            .where(
                table.asked_at >= since,
                or_(
                    table.agreement == reference,
                    table.decided_agreement == reference,
                    and_(
                        table.agreement.is_(None),
                        table.decided_agreement.is_(None),
                        table.provider.in_(codes),
                        table.recipient.in_(codes),
                    ),
                ),
            )
            .order_by(table.asked_at, table.id)
        )
    )


def current_digests(
    session: Session, record_type: str, record_ids: Iterable[str]
) -> dict[str, str]:
    """The digests the rows give now, by record id; ids with no row are left out.

    For ``infoshare ledger verify``: ``ledger_records.PAGE`` rows per query, whatever the count.
    """
    if record_type != DECISION_REQUEST_RECORD:
        return {}
    wanted = parse_ids(record_ids)
    digests: dict[str, str] = {}
    for chunk in chunks(list(wanted)):
        for record in session.scalars(
            select(DecisionRequestRecord).where(DecisionRequestRecord.id.in_(chunk))
        ):
            digests[wanted[record.id]] = request_digest(record)
        session.expunge_all()
    return digests


__all__ = [
    "DECISION_REQUEST_RECORD",
    "RECORD_TYPES",
    "RequestSource",
    "add",
    "asked_event",
    "concerning",
    "current_digests",
    "new_record",
    "replay_request",
    "request_digest",
]
