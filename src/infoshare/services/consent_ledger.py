"""What the ledger records of consent and capacity: events, digests, and reading them back.

Procedure A3 wants consent, its refusal and its withdrawal recorded; Procedure A2 wants the
assessment of capacity recorded; Principle 6 wants the record fit for audit. Each of these
records gets one ledger entry in the same transaction as the record itself
(``services/consent.py``, ``services/capacity.py``), and ``infoshare ledger verify`` reads
the records back here to check that none was changed behind the ledger's back.

An entry holds identifiers and digests only: the service user's id as its subject (never
the NHS number or a name), the organisation's code, the purposes, and ``record_digest``,
the SHA-256 of the record's canonical JSON as this module builds it. The record's content
(names, reasons, the terms) stays in its table; the digest covers all of it, so a change
to any column or term is found.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from infoshare.ledger.events import EventKind
from infoshare.services.access_log import CONSOLE, Requester
from infoshare.services.ledger_records import (
    Expected,
    Reader,
    RecordType,
    chunks,
    page_ids,
    parse_ids,
    record_digest,
)
from infoshare.store.ledger_store import LedgerEvent
from infoshare.store.models import (
    CapacityAssessmentRecord,
    ConsentRecord,
    ConsentWithdrawalRecord,
)

#: ``record_type`` values: which table an entry's digest covers
CONSENT_RECORD: Final = "consent"
#: a withdrawal's ``record_id`` is the id of the consent it withdraws (one per consent)
WITHDRAWAL_RECORD: Final = "consent-withdrawal"
CAPACITY_RECORD: Final = "capacity-assessment"
RECORD_TYPES: Final = frozenset({CONSENT_RECORD, WITHDRAWAL_RECORD, CAPACITY_RECORD})

#: the longest purpose field an entry holds (the ledger's identifier limit)
_PURPOSE_MAX: Final = 128


def _text(value: object) -> str | None:
    return None if value is None else str(value)


def _day(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def consent_digest(record: ConsentRecord) -> str:
    """The digest of a consent or refusal and its terms, as recorded (Procedure A3)."""
    terms = sorted(record.terms, key=lambda term: term.position)
    return record_digest(
        {
            "id": str(record.id),
            "service_user": str(record.service_user_id),
            "decision": record.decision,
            "decided_by": record.decided_by,
            "representative_name": record.representative_name,
            "representative_relationship": record.representative_relationship,
            "representative_authority": _text(record.representative_authority),
            "representative_authority_reference": record.representative_authority_reference,
            "best_interests_reasons": record.best_interests_reasons,
            "obtained_by": record.obtained_by,
            "obtained_by_organisation": str(record.obtained_by_organisation_id),
            "obtained_at": record.obtained_at,
            "method": record.method,
            "form_version": record.form_version,
            "leaflet_given": bool(record.leaflet_given),
            "leaflet_version": record.leaflet_version,
            "valid_from": record.valid_from,
            "valid_until": record.valid_until,
            "review_date": _day(record.review_date),
            "supersedes": _text(record.supersedes_id),
            "recorded_at": record.recorded_at,
            "terms": [
                {
                    "part": term.part,
                    "exclusion": term.exclusion,
                    "exclusion_note": term.exclusion_note,
                    "purpose": term.purpose_id,
                    "data_category": term.data_category_id,
                    "organisation": _text(term.organisation_id),
                    "agreement": term.agreement_reference,
                }
                for term in terms
            ],
        }
    )


def withdrawal_digest(consent_id: uuid.UUID, record: ConsentWithdrawalRecord) -> str:
    """The digest of the withdrawal of consent ``consent_id``, as recorded (Procedure A3)."""
    return record_digest(
        {
            "consent": str(consent_id),
            "at": record.at,
            "method": record.method,
            "withdrawn_by": record.withdrawn_by,
            "representative_name": record.representative_name,
            "representative_relationship": record.representative_relationship,
            "representative_authority": _text(record.representative_authority),
            "representative_authority_reference": record.representative_authority_reference,
            "reason": record.reason,
            "recorded_by": record.recorded_by,
            "recorded_by_organisation": str(record.recorded_by_organisation_id),
            "recorded_at": record.recorded_at,
        }
    )


def assessment_digest(record: CapacityAssessmentRecord) -> str:
    """The digest of a capacity or competence assessment, as recorded (Procedure A2)."""
    terms = sorted(record.terms, key=lambda term: term.position)
    return record_digest(
        {
            "id": str(record.id),
            "service_user": str(record.service_user_id),
            "kind": record.kind,
            "outcome": record.outcome,
            "assessed_by": record.assessed_by,
            "assessed_by_organisation": str(record.assessed_by_organisation_id),
            "assessed_at": record.assessed_at,
            "reasons": record.reasons,
            "review_date": _day(record.review_date),
            "support_given": list(record.support_given),
            "recorded_at": record.recorded_at,
            "terms": [
                {"purpose": term.purpose_id, "data_category": term.data_category_id}
                for term in terms
            ],
        }
    )


# --- the events -------------------------------------------------------------------------------


def actor_of(requester: Requester | None) -> str:
    """Who recorded it, as the ledger names them: the account or token, or the console.

    A service called without a requester is the operator at the server's console (the CLI,
    the demo): the access log names them ``console`` too.
    """
    if requester is None:
        return CONSOLE.name
    actor = requester.actor
    if actor is not None and actor.reference:
        return actor.reference
    return requester.name or str(requester.kind)


def purpose_of(purposes: Iterable[str]) -> str | None:
    """The entry's purpose: the one purpose, or several joined by ``+`` in sorted order.

    None when there is none, or when they would not fit an identifier (the digest and the
    record still hold every one).
    """
    named = sorted(set(purposes))
    joined = "+".join(named)
    return joined if 0 < len(joined) <= _PURPOSE_MAX else None


def _purposes(terms: Sequence[object], *, part: str | None) -> list[str]:
    return [
        purpose
        for term in terms
        if (part is None or getattr(term, "part", None) == part)
        and (purpose := getattr(term, "purpose_id", None)) is not None
    ]


def consent_event(
    record: ConsentRecord, *, organisation: str, actor: str, at: datetime
) -> LedgerEvent:
    """The entry of a consent given or refused: ``consent:given`` or ``consent:refused``."""
    kind = EventKind.CONSENT_GIVEN if record.decision == "given" else EventKind.CONSENT_REFUSED
    return LedgerEvent(
        time=at,
        kind=kind,
        actor_staff=actor,
        actor_organisation=organisation,
        subject=str(record.service_user_id),
        purpose=purpose_of(_purposes(record.terms, part="scope")),
        record_digest=consent_digest(record),
        record_type=CONSENT_RECORD,
        record_id=str(record.id),
    )


def withdrawal_event(
    consent: ConsentRecord,
    withdrawal: ConsentWithdrawalRecord,
    *,
    organisation: str,
    actor: str,
    at: datetime,
) -> LedgerEvent:
    """The entry of ``consent`` withdrawn: ``consent:withdrawn``, for the consent's purposes."""
    return LedgerEvent(
        time=at,
        kind=EventKind.CONSENT_WITHDRAWN,
        actor_staff=actor,
        actor_organisation=organisation,
        subject=str(consent.service_user_id),
        purpose=purpose_of(_purposes(consent.terms, part="scope")),
        record_digest=withdrawal_digest(consent.id, withdrawal),
        record_type=WITHDRAWAL_RECORD,
        record_id=str(consent.id),
    )


def assessment_event(
    record: CapacityAssessmentRecord, *, organisation: str, actor: str, at: datetime
) -> LedgerEvent:
    """The entry of an assessment: ``capacity:assessed``, for the decision's purposes."""
    return LedgerEvent(
        time=at,
        kind=EventKind.CAPACITY_ASSESSED,
        actor_staff=actor,
        actor_organisation=organisation,
        subject=str(record.service_user_id),
        purpose=purpose_of(_purposes(record.terms, part=None)),
        record_digest=assessment_digest(record),
        record_type=CAPACITY_RECORD,
        record_id=str(record.id),
    )


# --- reading the records back (``infoshare ledger verify``) -----------------------------------


def _read(session: Session, record_type: str, record_ids: Iterable[str]) -> dict[str, Expected]:
    """The entry each of these records should have now, by record id; absent ones omitted.

    Reads ``ledger_records.PAGE`` records per query (and their terms in one more), whatever
    the count.
    """
    wanted = parse_ids(record_ids)
    found: dict[str, Expected] = {}
    for chunk in chunks(list(wanted)):
        if record_type == CONSENT_RECORD:
            for consent in session.scalars(
                select(ConsentRecord).where(ConsentRecord.id.in_(chunk))
            ):
                kind = (
                    EventKind.CONSENT_GIVEN
                    if consent.decision == "given"
                    else EventKind.CONSENT_REFUSED
                )
                found[wanted[consent.id]] = Expected(kind, consent_digest(consent))
        elif record_type == WITHDRAWAL_RECORD:
            for withdrawal in session.scalars(
                select(ConsentWithdrawalRecord).where(ConsentWithdrawalRecord.consent_id.in_(chunk))
            ):
                digest = withdrawal_digest(withdrawal.consent_id, withdrawal)
                found[wanted[withdrawal.consent_id]] = Expected(EventKind.CONSENT_WITHDRAWN, digest)
        elif record_type == CAPACITY_RECORD:
            for assessment in session.scalars(
                select(CapacityAssessmentRecord).where(CapacityAssessmentRecord.id.in_(chunk))
            ):
                digest = assessment_digest(assessment)
                found[wanted[assessment.id]] = Expected(EventKind.CAPACITY_ASSESSED, digest)
        session.expunge_all()
    return found


def current_digests(
    session: Session, record_type: str, record_ids: Iterable[str]
) -> dict[str, str]:
    """The digests the tables give now for these records, by record id; absent ones omitted."""
    return {
        record_id: expected.digest
        for record_id, expected in _read(session, record_type, record_ids).items()
    }


def _reader(record_type: str) -> Reader:
    def read(session: Session, ids: Sequence[str]) -> Mapping[str, Sequence[Expected]]:
        return {key: (value,) for key, value in _read(session, record_type, ids).items()}

    return read


#: the consent records as ``infoshare ledger verify`` reads them back (services/ledger.py)
RECORDS: Final = (
    RecordType(CONSENT_RECORD, _reader(CONSENT_RECORD), page_ids(ConsentRecord.id)),
    RecordType(
        WITHDRAWAL_RECORD,
        _reader(WITHDRAWAL_RECORD),
        page_ids(ConsentWithdrawalRecord.consent_id),
    ),
    RecordType(CAPACITY_RECORD, _reader(CAPACITY_RECORD), page_ids(CapacityAssessmentRecord.id)),
)
