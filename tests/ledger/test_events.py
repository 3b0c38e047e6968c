"""Ledger entries: the events the protocol wants recorded, each with its clause and outcome."""

from __future__ import annotations

import dataclasses
import re
from datetime import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from infoshare.errors import LedgerEntryError
from infoshare.ledger.canonical import canonical_json
from infoshare.ledger.events import (
    EVENT_CLAUSES,
    EventKind,
    LedgerEntry,
    Outcome,
    decode_entry,
    encode_entry,
)
from tests.ledger.builders import make_entry

ISSUE_EVENTS = {
    "decision:asked", "disclosure:made", "referral:approved", "referral:refused",
    "emergency:reviewed", "consent:given", "consent:refused", "consent:withdrawn",
    "capacity:assessed", "isa:signed", "isa:activated", "isa:ended", "adoption:confirmed",
    "breach:reported", "subject-access:answered", "package:sent", "package:received",
}  # fmt: skip
#: events the shell adds beyond the issue's list, each with its clause
SHELL_EVENTS = {
    "protocol:loaded",
    "objection:recorded",
    "objection:lifted",
    "restriction:recorded",
    "restriction:ended",
}


def test_every_governance_event_of_the_issue_has_a_kind_and_a_clause() -> None:
    assert {kind.value for kind in EventKind} == ISSUE_EVENTS | SHELL_EVENTS
    for kind in EventKind:
        assert re.fullmatch(r"(Principle \d+|Procedure [ABC]\d|Section \d\.\d)", kind.clause)
    assert set(EVENT_CLAUSES) == set(EventKind)


def test_a_failure_stays_a_failure_through_encoding() -> None:
    entry = dataclasses.replace(make_entry(3), outcome=Outcome.FAILURE, reason="no-isa")
    decoded = decode_entry(encode_entry(entry))
    assert decoded.outcome is Outcome.FAILURE
    assert decoded.reason == "no-isa"


def test_the_encoding_holds_identifiers_and_a_digest_in_canonical_order() -> None:
    body = encode_entry(make_entry(1))
    assert body.startswith(b'{"actor_organisation":"LCC","actor_staff":"staff-0001",')
    assert b'"sequence":1,' in body
    assert b'"time":"2026-11-25T09:00:01.000000Z"}' in body


@given(st.integers(0, 10_000))
def test_entries_round_trip_exactly(sequence: int) -> None:
    entry = make_entry(sequence)
    assert decode_entry(encode_entry(entry)) == entry


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"sequence": -1}, "sequence"),
        ({"sequence": True}, "sequence"),
        ({"time": datetime(2026, 1, 1)}, "time"),  # a naive time
        ({"kind": "consent:forged"}, "kind"),
        ({"outcome": "maybe"}, "outcome"),
        ({"actor_staff": ""}, "actor_staff"),
        ({"actor_organisation": "Leeds Teaching Hospitals"}, "actor_organisation"),
        ({"subject": "Jane Smith, 12 High St"}, "subject"),
        ({"purpose": "care\n"}, "purpose"),
        ({"record_digest": "AB" * 32}, "record_digest"),
        ({"record_digest": "ab" * 31}, "record_digest"),
    ],
)
def test_bad_fields_are_refused_with_the_field_named(change: dict[str, object], field: str) -> None:
    values = dataclasses.asdict(make_entry(1)) | change
    with pytest.raises(LedgerEntryError) as raised:
        LedgerEntry(**values)  # type: ignore[arg-type]
    assert raised.value.field == field
    assert raised.value.message[0].islower()


@pytest.mark.parametrize(
    ("body", "says"),
    [
        (b"\xff", "not UTF-8 JSON"),
        (b"[]", "keys are not exactly"),
        (encode_entry(make_entry(1)).replace(b",", b", ", 1), "not in canonical form"),
        (
            encode_entry(make_entry(1)).replace(b"disclosure:made", b"disclosure:faked"),
            "unknown value",
        ),
        (encode_entry(make_entry(1)).replace(b"09:00:01.000000Z", b"09:00:01Z"), "RFC 3339"),
    ],
)
def test_decoding_refuses_anything_not_exactly_a_canonical_entry(body: bytes, says: str) -> None:
    with pytest.raises(LedgerEntryError, match=says):
        decode_entry(body)


identifiers = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9._:/@+-]{0,20}", fullmatch=True)


@given(
    st.integers(0, 2**53 - 1),
    st.datetimes(timezones=st.timezones()),
    st.sampled_from(list(EventKind)),
    identifiers,
    st.none() | identifiers,
    st.sampled_from(list(Outcome)),
)
def test_the_fast_entry_encoding_is_the_canonical_encoding(
    sequence: int,
    time: datetime,
    kind: EventKind,
    staff: str,
    subject: str | None,
    outcome: Outcome,
) -> None:
    entry = LedgerEntry(
        sequence, time, kind, staff, "LTHT", "0" * 64, outcome, subject, subject, subject
    )
    assert encode_entry(entry) == canonical_json(entry.to_json())
    assert decode_entry(encode_entry(entry)) == entry
