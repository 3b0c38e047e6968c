"""Canonical JSON: the one byte string each ledger entry hashes to.

Principle 6 asks that decisions to share without consent be "appropriately recorded for audit
purposes"; a record is only auditable if anyone can recompute its hash from its content. This
module fixes the bytes, following the model of RFC 8785 (JSON Canonicalization Scheme):

- objects have their keys sorted by UTF-16 code units (RFC 8785 §3.2.3), keys must be strings;
- no whitespace anywhere; the output is UTF-8;
- strings are escaped as ECMAScript ``JSON.stringify`` does: ``"`` and ``\\`` get a
  backslash, the control characters U+0000–U+001F become ``\\b \\t \\n \\f \\r`` or
  ``\\u00xx`` (lower-case hex), every other character is written as itself;
- numbers are integers only, within ±(2⁵³ − 1) so that every JSON reader holds them
  exactly (RFC 7493, I-JSON); floats, NaN and infinities are refused;
- ``true``, ``false`` and ``null`` as usual; tuples are arrays;
- a ``datetime`` must be timezone-aware and is written as an RFC 3339 UTC string with
  microseconds, ``2026-11-25T15:57:13.000000Z``.

Anything else (bytes, sets, lone surrogates, non-string keys) raises ``LedgerEntryError``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta

from infoshare.errors import LedgerEntryError

#: the largest integer every JSON reader holds exactly (RFC 7493 §2.2)
MAX_SAFE_INTEGER = 2**53 - 1

# The standard library's escaper already writes exactly the RFC 8785 string form when
# ensure_ascii is off: short escapes for \b \t \n \f \r, \u00xx in lower case for the rest.
_encode_string = json.JSONEncoder(ensure_ascii=False).encode

Canonical = None | bool | int | str | datetime | Sequence["Canonical"] | Mapping[str, "Canonical"]


def format_time(moment: datetime) -> str:
    """``moment`` as RFC 3339 UTC with microseconds; refuses a naive datetime."""
    offset = moment.utcoffset()
    if offset is None:
        raise LedgerEntryError(
            f"the time `{moment.isoformat()}` has no timezone; give times in UTC",
            field="time",
        )
    if offset != timedelta(0):
        moment = moment.astimezone(UTC)
    return moment.replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"


def parse_time(text: str) -> datetime:
    """The inverse of :func:`format_time`; refuses any other spelling of a time."""
    try:
        moment = datetime.fromisoformat(text) if text.endswith("Z") else None
    except ValueError:
        moment = None
    # fromisoformat accepts many spellings; only the one format_time writes is canonical.
    if moment is None or format_time(moment) != text:
        raise LedgerEntryError(
            f"the time `{text}` is not RFC 3339 UTC with microseconds; "
            "write it like `2026-11-25T15:57:13.000000Z`",
            field="time",
        )
    return moment


def _sort_key(key: str) -> bytes:
    # UTF-16 big-endian bytes compare exactly as RFC 8785's code-unit order.
    return key.encode("utf-16-be", "surrogatepass")


def _write(value: object, out: list[str], path: str) -> None:
    if value is None:
        out.append("null")
    elif value is True:
        out.append("true")
    elif value is False:
        out.append("false")
    elif isinstance(value, int):
        if not -MAX_SAFE_INTEGER <= value <= MAX_SAFE_INTEGER:
            raise LedgerEntryError(
                f"the integer `{value}` at `{path}` is beyond ±(2**53 - 1); store it as a string",
                field=path,
            )
        out.append(str(int(value)))
    elif isinstance(value, str):
        out.append(_encode_string(value))
    elif isinstance(value, datetime):
        out.append(_encode_string(format_time(value)))
    elif isinstance(value, Mapping):
        keys = list(value)
        for key in keys:
            if not isinstance(key, str):
                raise LedgerEntryError(
                    f"the key `{key!r}` at `{path}` is not a string; use string keys",
                    field=path,
                )
        out.append("{")
        for position, key in enumerate(sorted(keys, key=_sort_key)):
            if position:
                out.append(",")
            out.append(_encode_string(key))
            out.append(":")
            _write(value[key], out, f"{path}/{key}")
        out.append("}")
    elif isinstance(value, list | tuple):
        out.append("[")
        for position, item in enumerate(value):
            if position:
                out.append(",")
            _write(item, out, f"{path}/{position}")
        out.append("]")
    else:
        kind = type(value).__name__
        raise LedgerEntryError(
            f"the value `{value!r}` ({kind}) at `{path}` has no canonical form; "
            "use integers, strings, booleans, null, UTC datetimes, lists or objects",
            field=path,
        )


def canonical_json(value: Canonical) -> bytes:
    """The canonical UTF-8 bytes of ``value``; raises ``LedgerEntryError`` if it has none."""
    out: list[str] = []
    _write(value, out, "")
    try:
        return "".join(out).encode("utf-8")
    except UnicodeEncodeError as error:
        raise LedgerEntryError(
            f"the text contains a lone surrogate `{error.object[error.start : error.end]!r}`; "
            "give well-formed Unicode"
        ) from None
