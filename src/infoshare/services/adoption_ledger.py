"""What the ledger records of adoption: a party's approval of the protocol (Procedure C1), its
confirmation of each standard procedure (Procedure C3), and each protocol pack loaded.

Each is appended in the transaction that records it (``services/organisations.py``,
``services/adoption.py``, ``services/setup.py``) with a digest built here, and ``infoshare
ledger verify`` reads the rows back here (the ``RecordType``s at the end) to find any that
were changed, deleted, or written without an entry.

This module does not import ``services/ledger.py``, which imports it to verify.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Mapping, Sequence
from datetime import date, datetime
from typing import Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from infoshare.ledger.events import EventKind
from infoshare.services.ledger_records import (
    Expected,
    RecordType,
    chunks,
    page_ids,
    record_digest,
)
from infoshare.store.ledger_store import LedgerEvent
from infoshare.store.models import (
    OrganisationRecord,
    ProcedureConfirmationRecord,
    ProtocolPackRecord,
)

#: the actor of events infoshare itself performs (loading a pack at ``infoshare init``)
SYSTEM_ACTOR: Final = "system"
#: ``record_type`` values
ADOPTION_RECORD: Final = "organisation-adoption"
PACK_RECORD: Final = "protocol-pack"
#: a confirmation's ``record_id`` is ``<organisation code>:<procedure>``, e.g. ``LTHT:A5``
CONFIRMATION_RECORD: Final = "procedure-confirmation"


def adoption_digest(
    code: str, approved_on: date, approving_body: str, minute_reference: str | None
) -> str:
    """The digest of a party's adoption of the protocol (Procedure C1), as recorded."""
    return record_digest(
        {
            "organisation": code,
            "approved_on": approved_on.isoformat(),
            "approving_body": approving_body,
            "minute_reference": minute_reference,
        }
    )


def adoption_event(
    code: str,
    approved_on: date,
    approving_body: str,
    minute_reference: str | None,
    *,
    actor_staff: str = SYSTEM_ACTOR,
    at: datetime,
) -> LedgerEvent:
    """The ledger event of party ``code`` adopting the protocol (Procedures C1, C3)."""
    return LedgerEvent(
        time=at,
        kind=EventKind.ADOPTION_CONFIRMED,
        actor_staff=actor_staff,
        actor_organisation=code,
        record_digest=adoption_digest(code, approved_on, approving_body, minute_reference),
        record_type=ADOPTION_RECORD,
        record_id=code,
    )


def pack_loaded_digest(pack_id: str, version: str, content_digest: str) -> str:
    """The digest of loading a protocol pack: which pack, which version, which content."""
    return record_digest({"pack": pack_id, "version": version, "content": content_digest})


def pack_loaded_event(pack_id: str, version: str, content_digest: str, at: datetime) -> LedgerEvent:
    """The ledger event of a protocol pack loaded or updated at ``infoshare init``."""
    return LedgerEvent(
        time=at,
        kind=EventKind.PROTOCOL_LOADED,
        actor_staff=SYSTEM_ACTOR,
        actor_organisation=SYSTEM_ACTOR,
        record_digest=pack_loaded_digest(pack_id, version, content_digest),
        record_type=PACK_RECORD,
        record_id=pack_id,
    )


def confirmation_digest(
    organisation: str, procedure: str, confirmed_by: uuid.UUID, confirmed_on: date, evidence: str
) -> str:
    """The digest of ``organisation``'s confirmation of ``procedure`` (Procedure C3)."""
    return record_digest(
        {
            "organisation": organisation,
            "procedure": procedure,
            "confirmed_by": str(confirmed_by),
            "confirmed_on": confirmed_on.isoformat(),
            "evidence": evidence,
        }
    )


# --- reading the rows back (``infoshare ledger verify``) ---------------------------------------


def _adoptions(session: Session, ids: Sequence[str]) -> Mapping[str, Sequence[Expected]]:
    found: dict[str, Sequence[Expected]] = {}
    for chunk in chunks(ids):
        for organisation in session.scalars(
            select(OrganisationRecord).where(
                OrganisationRecord.code.in_(chunk), OrganisationRecord.adopted_on.is_not(None)
            )
        ):
            assert organisation.adopted_on is not None  # the query says so
            digest = adoption_digest(
                organisation.code,
                organisation.adopted_on,
                organisation.approving_body or "",
                organisation.minute_reference,
            )
            found[organisation.code] = (Expected(EventKind.ADOPTION_CONFIRMED, digest),)
    return found


def _packs(session: Session, ids: Sequence[str]) -> Mapping[str, Sequence[Expected]]:
    found: dict[str, Sequence[Expected]] = {}
    for chunk in chunks(ids):
        for pack in session.scalars(
            select(ProtocolPackRecord).where(ProtocolPackRecord.id.in_(chunk))
        ):
            digest = pack_loaded_digest(pack.id, pack.version, pack.digest)
            found[pack.id] = (Expected(EventKind.PROTOCOL_LOADED, digest),)
    return found


def _all_confirmations(session: Session) -> dict[str, Expected]:
    # A few hundred at most (parties × standard procedures): read whole, in one query.
    rows = session.execute(
        select(OrganisationRecord.code, ProcedureConfirmationRecord).join(
            OrganisationRecord, OrganisationRecord.id == ProcedureConfirmationRecord.organisation_id
        )
    ).all()
    return {
        f"{code}:{confirmation.procedure_id}": Expected(
            EventKind.ADOPTION_CONFIRMED,
            confirmation_digest(
                code,
                confirmation.procedure_id,
                confirmation.confirmed_by_id,
                confirmation.confirmed_on,
                confirmation.evidence,
            ),
        )
        for code, confirmation in rows
    }


def _confirmations(session: Session, ids: Sequence[str]) -> Mapping[str, Sequence[Expected]]:
    every = _all_confirmations(session)
    return {record_id: (every[record_id],) for record_id in ids if record_id in every}


def _confirmation_ids(session: Session) -> Iterator[Sequence[str]]:
    yield sorted(_all_confirmations(session))


ADOPTIONS: Final = RecordType(
    ADOPTION_RECORD,
    _adoptions,
    page_ids(OrganisationRecord.code, OrganisationRecord.adopted_on.is_not(None)),
)
#: a pack is updated in place by a newer version: its newest load must match it
PACKS: Final = RecordType(PACK_RECORD, _packs, page_ids(ProtocolPackRecord.id), newest_only=True)
CONFIRMATIONS: Final = RecordType(CONFIRMATION_RECORD, _confirmations, _confirmation_ids)
