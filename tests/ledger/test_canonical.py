"""Canonical JSON: one byte string per value, so anyone can recompute an entry's hash."""

from __future__ import annotations

import json
import math
from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from infoshare.errors import LedgerEntryError
from infoshare.ledger.canonical import MAX_SAFE_INTEGER, canonical_json, format_time, parse_time

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-MAX_SAFE_INTEGER, MAX_SAFE_INTEGER)
    | st.text(st.characters(exclude_categories=["Cs"])),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.text(st.characters(exclude_categories=["Cs"])), inner, max_size=4)
    ),
    max_leaves=12,
)


def test_keys_are_sorted_by_utf16_code_units_as_rfc_8785_asks() -> None:
    # RFC 8785 §3.2.3's example: U+1F600 (a surrogate pair, D83D…) sorts before U+FB33.
    value = {"\u20ac": 1, "\r": 2, "\ufb33": 3, "1": 4, "\U0001f600": 5, "\u0080": 6, "\u00f6": 7}
    keys = list(json.loads(canonical_json(value)))
    assert keys == ["\r", "1", "\u0080", "\u00f6", "\u20ac", "\U0001f600", "\ufb33"]


def test_output_has_no_whitespace_and_writes_non_ascii_as_utf8() -> None:
    assert canonical_json({"b": [1, True, None], "a": "é\u2028"}) == (
        '{"a":"é\u2028","b":[1,true,null]}'.encode()
    )


def test_control_characters_use_short_escapes_or_lower_case_hex() -> None:
    assert canonical_json('\b\t\n\f\r\x00\x1f"\\/\x7f') == (
        b'"\\b\\t\\n\\f\\r\\u0000\\u001f\\"\\\\/\x7f"'
    )


def test_times_are_written_in_utc_with_microseconds() -> None:
    moment = datetime(2026, 11, 25, 17, 30, tzinfo=timezone(timedelta(hours=2)))
    assert canonical_json({"t": moment}) == b'{"t":"2026-11-25T15:30:00.000000Z"}'
    assert parse_time(format_time(moment)) == moment


@pytest.mark.parametrize(
    ("value", "says"),
    [
        (1.5, "has no canonical form"),
        (math.nan, "has no canonical form"),
        (math.inf, "has no canonical form"),
        (2**53, "beyond"),
        (-(2**53), "beyond"),
        (b"bytes", "has no canonical form"),
        ({1: "x"}, "not a string"),
        ({"a": {2.0}}, "has no canonical form"),
        ("\ud800", "lone surrogate"),
        (datetime(2026, 1, 1), "no timezone"),  # a naive time
    ],
)
def test_values_without_a_canonical_form_are_refused(value: object, says: str) -> None:
    with pytest.raises(LedgerEntryError, match=says):
        canonical_json(value)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "text",
    ["2026-11-25T15:30:00Z", "2026-11-25T15:30:00.000000+00:00", "2026-11-25 15:30:00.000000Z"],
)
def test_other_spellings_of_a_time_are_refused(text: str) -> None:
    with pytest.raises(LedgerEntryError, match="not RFC 3339 UTC with microseconds"):
        parse_time(text)


@given(json_values)
def test_the_encoding_round_trips_and_matches_sorted_compact_json(value: object) -> None:
    encoded = canonical_json(value)  # type: ignore[arg-type]
    assert json.loads(encoded) == value
    # For keys in the Basic Multilingual Plane, code-point order is UTF-16 order.
    if "\\U" not in ascii(value):
        expected = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        assert encoded == expected.encode()


@given(st.dictionaries(st.text(max_size=3), st.integers(0, 9), max_size=6))
def test_key_order_in_the_input_does_not_change_the_bytes(value: dict[str, int]) -> None:
    assert canonical_json(dict(reversed(list(value.items())))) == canonical_json(value)
