"""The services' one reading of the clock, so callers and tests can pass the time instead."""

from __future__ import annotations

from datetime import UTC, datetime


def now_or(moment: datetime | None) -> datetime:
    """``moment`` if given (it must carry a time zone), else the current time in UTC."""
    if moment is None:
        return datetime.now(UTC)
    if moment.tzinfo is None:
        raise ValueError(f"naive datetime `{moment.isoformat()}`; pass a timezone-aware time")
    return moment
