"""What the ledger records of an Information Sharing Agreement's life: each signature, the
activation and the ending of a version (Sections 1.1 and 3.1; Section 4.4 for reviews).

Each such step is one row of ``agreement_status_changes`` and one ledger entry, written in
the same transaction (``services/agreements.py``). The entry's ``record_type`` is
``agreement-version``, its ``record_id`` ``<reference>@v<version>``, and its digest covers
the step as its row records it (action, time, statuses, who, the note) and, for an
activation or an ending, the version's agreed terms: its content without the status and the
review dates, which later steps change. A signature's digest leaves the terms out, because
a proposed version returned to draft may be rewritten before it is signed again; the
activation covers the terms that were finally signed.

``infoshare ledger verify`` reads the versions and their steps back here (``AGREEMENTS``).
This module does not import ``services/ledger.py``, which imports it to verify.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping, Sequence
from typing import Any, Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from infoshare.ledger.events import EventKind
from infoshare.policy.isa_lifecycle import IsaAction
from infoshare.services.ledger_records import Expected, RecordType, record_digest
from infoshare.store.models import AgreementRecord, AgreementStatusChangeRecord

#: the ledger's ``record_type`` for a version of an agreement
AGREEMENT_RECORD: Final = "agreement-version"
#: the ledger's event for each step that has one; other steps are kept in the history only
LEDGER_EVENTS: Final[Mapping[str, EventKind]] = {
    IsaAction.SIGN: EventKind.ISA_SIGNED,
    IsaAction.ACTIVATE: EventKind.ISA_ACTIVATED,
    IsaAction.EXPIRE: EventKind.ISA_ENDED,
    IsaAction.TERMINATE: EventKind.ISA_ENDED,
    IsaAction.SUPERSEDE: EventKind.ISA_ENDED,
}
#: the parts of a version's content that steps after its activation still change
_MOVING: Final = frozenset({"status", "reviewed_on", "review_date"})


def record_id(reference: str, version: int) -> str:
    """The entries' ``record_id`` of version ``version`` of ``reference``."""
    return f"{reference}@v{version}"


def terms_digest(content: Mapping[str, Any]) -> str:
    """The digest of a version's agreed terms: its content but the status and review dates."""
    terms = {key: value for key, value in content.items() if key not in _MOVING}
    return hashlib.sha256(json.dumps(terms, sort_keys=True).encode("utf-8")).hexdigest()


def step_digest(
    reference: str, version: int, step: AgreementStatusChangeRecord, content: Mapping[str, Any]
) -> str:
    """The digest of one recorded step of a version: the step's row, and the terms it fixed."""
    kind = LEDGER_EVENTS.get(step.action)
    return record_digest(
        {
            "agreement": reference,
            "version": version,
            "action": step.action,
            "at": step.at,
            "from_status": None if step.from_status is None else str(step.from_status),
            "to_status": str(step.to_status),
            "actor": step.actor,
            "note": step.note,
            "terms": None if kind is EventKind.ISA_SIGNED else terms_digest(content),
        }
    )


# --- reading the rows back (``infoshare ledger verify``) ---------------------------------------


def _every(session: Session) -> dict[str, Sequence[Expected]]:
    # A register holds a few hundred versions: read whole, in two queries.
    versions = {
        row.id: row
        for row in session.scalars(
            select(AgreementRecord).order_by(AgreementRecord.reference, AgreementRecord.version)
        )
    }
    expected: dict[str, list[Expected]] = {
        record_id(row.reference, row.version): [] for row in versions.values()
    }
    steps = session.scalars(
        select(AgreementStatusChangeRecord)
        .where(AgreementStatusChangeRecord.action.in_(sorted(LEDGER_EVENTS)))
        .order_by(AgreementStatusChangeRecord.at)
    )
    for step in steps:
        version = versions[step.agreement_id]
        expected[record_id(version.reference, version.version)].append(
            Expected(
                LEDGER_EVENTS[step.action],
                step_digest(version.reference, version.version, step, version.content),
            )
        )
    return dict(expected)


def _read(session: Session, ids: Sequence[str]) -> Mapping[str, Sequence[Expected]]:
    every = _every(session)
    return {record_id: every[record_id] for record_id in ids if record_id in every}


def _ids(session: Session) -> Iterator[Sequence[str]]:
    yield sorted(_every(session))


AGREEMENTS: Final = RecordType(AGREEMENT_RECORD, _read, _ids)
