"""What the ledger records: governance event kinds, outcomes, and one entry.

Principle 6 wants decisions to share without consent "appropriately recorded for audit
purposes"; Procedure A3 wants consent recorded; Procedure C5 wants breaches reported;
Section 4.3 monitors all of it. Every such event becomes one ``LedgerEntry``.

An entry holds identifiers and digests only. The personal content of the record (the
disclosure, the consent form, the breach report) stays in its own table; the entry carries
``record_digest``, the SHA-256 of that record's canonical JSON, so the two can be matched
later without the ledger ever holding personal data.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Final

from infoshare.errors import LedgerEntryError
from infoshare.ledger.canonical import MAX_SAFE_INTEGER, Canonical, format_time, parse_time


class EventKind(StrEnum):
    """A governance event, named ``subject:action``."""

    DECISION_ASKED = "decision:asked"
    DISCLOSURE_MADE = "disclosure:made"
    REFERRAL_APPROVED = "referral:approved"
    REFERRAL_REFUSED = "referral:refused"
    EMERGENCY_REVIEWED = "emergency:reviewed"
    CONSENT_GIVEN = "consent:given"
    CONSENT_REFUSED = "consent:refused"
    CONSENT_WITHDRAWN = "consent:withdrawn"
    CAPACITY_ASSESSED = "capacity:assessed"
    ISA_SIGNED = "isa:signed"
    ISA_ACTIVATED = "isa:activated"
    ISA_ENDED = "isa:ended"
    ADOPTION_CONFIRMED = "adoption:confirmed"
    BREACH_REPORTED = "breach:reported"
    SUBJECT_ACCESS_ANSWERED = "subject-access:answered"
    PACKAGE_SENT = "package:sent"
    PACKAGE_RECEIVED = "package:received"
    #: a protocol pack loaded into the system, or a reviewed version of it
    PROTOCOL_LOADED = "protocol:loaded"
    #: a service user's objection to sharing recorded, or lifted
    OBJECTION_RECORDED = "objection:recorded"
    OBJECTION_LIFTED = "objection:lifted"
    #: a restriction on disclosing some of a person's information recorded, or ended
    RESTRICTION_RECORDED = "restriction:recorded"
    RESTRICTION_ENDED = "restriction:ended"

    @property
    def clause(self) -> str:
        """The clause of the protocol that asks for this event to be recorded."""
        return EVENT_CLAUSES[self]


EVENT_CLAUSES: Final[dict[EventKind, str]] = {
    EventKind.DECISION_ASKED: "Procedure A4",
    EventKind.DISCLOSURE_MADE: "Principle 6",
    EventKind.REFERRAL_APPROVED: "Procedure A5",
    EventKind.REFERRAL_REFUSED: "Procedure A5",
    EventKind.EMERGENCY_REVIEWED: "Procedure A5",
    EventKind.CONSENT_GIVEN: "Procedure A3",
    EventKind.CONSENT_REFUSED: "Procedure A3",
    EventKind.CONSENT_WITHDRAWN: "Procedure A3",
    EventKind.CAPACITY_ASSESSED: "Procedure A2",
    EventKind.ISA_SIGNED: "Section 1.1",
    EventKind.ISA_ACTIVATED: "Section 1.1",
    EventKind.ISA_ENDED: "Section 1.1",
    EventKind.ADOPTION_CONFIRMED: "Procedure C3",
    EventKind.BREACH_REPORTED: "Procedure C5",
    EventKind.SUBJECT_ACCESS_ANSWERED: "Principle 12",
    EventKind.PACKAGE_SENT: "Procedure B3",
    EventKind.PACKAGE_RECEIVED: "Procedure B3",
    EventKind.PROTOCOL_LOADED: "Procedure C1",
    EventKind.OBJECTION_RECORDED: "Principle 5",
    EventKind.OBJECTION_LIFTED: "Principle 5",
    EventKind.RESTRICTION_RECORDED: "Principle 4",
    EventKind.RESTRICTION_ENDED: "Principle 4",
}


class Outcome(StrEnum):
    """Whether the event happened as asked. A failure is recorded as a failure, never hidden."""

    SUCCESS = "success"
    FAILURE = "failure"


# Identifiers, codes and reason codes: printable, no spaces, so no free text (and no personal
# content) can ride along in them.
_IDENTIFIER = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:/@+-]{0,127}")
_DIGEST = re.compile(r"[0-9a-f]{64}")

#: the keys of an entry's canonical JSON, in their canonical order
ENTRY_KEYS: Final = (
    "actor_organisation",
    "actor_staff",
    "kind",
    "outcome",
    "purpose",
    "reason",
    "record_digest",
    "sequence",
    "subject",
    "time",
)


def _check_identifier(value: str | None, field: str, *, optional: bool) -> None:
    if value is None and optional:
        return
    if not isinstance(value, str) or _IDENTIFIER.fullmatch(value) is None:
        raise LedgerEntryError(
            f"the {field.replace('_', ' ')} `{value}` is not an identifier; use 1–128 letters, "
            "digits or . _ : / @ + - (no spaces, no free text)",
            field=field,
        )


@dataclass(frozen=True, slots=True)
class LedgerEntry:
    """One governance event, as the ledger holds it: identifiers and digests, no content."""

    #: position in the ledger, from 0; also the Merkle leaf index
    sequence: int
    #: when it happened, timezone-aware (written in UTC)
    time: datetime
    kind: EventKind
    #: the staff member who acted, by staff id
    actor_staff: str
    #: the organisation they acted for, by code (e.g. ``LTHT``)
    actor_organisation: str
    #: the hex SHA-256 of the full record's canonical JSON, kept in its own table
    record_digest: str
    outcome: Outcome = Outcome.SUCCESS
    #: the service user concerned, by pseudonymous id, where there is one
    subject: str | None = None
    #: the purpose id (e.g. ``care``), where the event has one
    purpose: str | None = None
    #: a reason code, e.g. why a failure failed; never free text
    reason: str | None = None

    def __post_init__(self) -> None:
        if (
            not isinstance(self.sequence, int)
            or isinstance(self.sequence, bool)
            or not 0 <= self.sequence <= MAX_SAFE_INTEGER
        ):
            raise LedgerEntryError(
                f"the sequence number `{self.sequence}` is not a whole number from 0; "
                "number entries 0, 1, 2, …",
                field="sequence",
            )
        if not isinstance(self.time, datetime) or self.time.utcoffset() is None:
            raise LedgerEntryError(
                f"the time `{self.time}` is not a timezone-aware datetime; give times in UTC",
                field="time",
            )
        try:
            EventKind(self.kind)
        except ValueError:
            known = ", ".join(kind.value for kind in EventKind)
            raise LedgerEntryError(
                f"the event kind `{self.kind}` is unknown; use one of {known}", field="kind"
            ) from None
        try:
            Outcome(self.outcome)
        except ValueError:
            raise LedgerEntryError(
                f"the outcome `{self.outcome}` is unknown; use `success` or `failure`",
                field="outcome",
            ) from None
        _check_identifier(self.actor_staff, "actor_staff", optional=False)
        _check_identifier(self.actor_organisation, "actor_organisation", optional=False)
        _check_identifier(self.subject, "subject", optional=True)
        _check_identifier(self.purpose, "purpose", optional=True)
        _check_identifier(self.reason, "reason", optional=True)
        if not isinstance(self.record_digest, str) or _DIGEST.fullmatch(self.record_digest) is None:
            raise LedgerEntryError(
                f"the record digest `{self.record_digest}` is not 64 lower-case hex digits; "
                "give the SHA-256 of the record's canonical JSON",
                field="record_digest",
            )

    def to_json(self) -> dict[str, Canonical]:
        """The entry as a JSON object, before canonical encoding."""
        return {
            "actor_organisation": self.actor_organisation,
            "actor_staff": self.actor_staff,
            "kind": self.kind.value,
            "outcome": self.outcome.value,
            "purpose": self.purpose,
            "reason": self.reason,
            "record_digest": self.record_digest,
            "sequence": self.sequence,
            "subject": self.subject,
            "time": self.time,
        }


def encode_entry(entry: LedgerEntry) -> bytes:
    """The canonical bytes of ``entry``: what the chain and the Merkle tree hash.

    The same bytes as ``canonical_json(entry.to_json())``, by a faster road: a valid entry
    holds only ASCII keys, checked identifiers and integers, for which the standard
    library's sorted compact JSON already is the canonical form (tests hold the two equal).
    """
    value = entry.to_json()
    value["time"] = format_time(entry.time)
    return _dumps(value).encode("utf-8")


_dumps = json.JSONEncoder(
    ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False
).encode


def decode_entry(body: bytes) -> LedgerEntry:
    """The entry whose canonical bytes are ``body``; refuses anything not exactly canonical."""
    try:
        value = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise LedgerEntryError(
            "the entry is not UTF-8 JSON; give the canonical bytes as stored"
        ) from None
    if not isinstance(value, dict) or tuple(sorted(value)) != ENTRY_KEYS:
        raise LedgerEntryError(
            f"the entry's keys are not exactly {', '.join(ENTRY_KEYS)}; give a ledger entry"
        )
    time = value["time"]
    if not isinstance(time, str):
        raise LedgerEntryError(f"the time `{time}` is not a string", field="time")
    try:
        kind = EventKind(value["kind"])
        outcome = Outcome(value["outcome"])
    except ValueError as error:
        raise LedgerEntryError(f"the entry names an unknown value: {error}") from None
    entry = LedgerEntry(
        sequence=value["sequence"],
        time=parse_time(time),
        kind=kind,
        actor_staff=value["actor_staff"],
        actor_organisation=value["actor_organisation"],
        record_digest=value["record_digest"],
        outcome=outcome,
        subject=value["subject"],
        purpose=value["purpose"],
        reason=value["reason"],
    )
    if encode_entry(entry) != body:
        raise LedgerEntryError(
            "the entry is valid JSON but not in canonical form; re-encode it with encode_entry"
        )
    return entry
