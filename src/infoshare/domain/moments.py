"""Moments in time as the core compares them: timezone-aware, in UTC.

The core reads no clock, so every moment arrives as an argument; a moment without a time
zone could mean any of twenty-four instants, so it is refused rather than guessed.
"""

from __future__ import annotations

from datetime import UTC, datetime

from infoshare.errors import FutureTimestampError, NaiveDatetimeError


def utc_moment(value: datetime, *, field: str) -> datetime:
    """``value`` in UTC; raises NaiveDatetimeError when it has no time zone."""
    if value.tzinfo is None or value.tzinfo.utcoffset(value) is None:
        raise NaiveDatetimeError(
            f"`{value.isoformat()}` has no time zone; give `{field}` with an offset, "
            "e.g. `2002-10-01T09:30:00+00:00`",
            field=field,
        )
    return value.astimezone(UTC)


def not_after(value: datetime, now: datetime, *, field: str, what: str) -> None:
    """Raise FutureTimestampError when ``value`` is later than ``now``."""
    if value > utc_moment(now, field="now"):
        raise FutureTimestampError(
            f"{what} at `{value.isoformat()}`, which is after now (`{now.isoformat()}`); "
            "record it when it has happened, or correct the date",
            field=field,
        )
