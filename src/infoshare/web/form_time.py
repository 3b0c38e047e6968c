"""Moments typed on the web forms: shown and read in UK time (the time staff work in).

A form's date-and-time field is filled with the present moment in UK time and read back as
an aware datetime; a field that names its own offset keeps it.
"""

from __future__ import annotations

from datetime import UTC, datetime

from infoshare.errors import InputError
from infoshare.web.consent_form import LOCAL_TIME


def now_local() -> str:
    """The present moment as a form's date-and-time field shows it."""
    return datetime.now(UTC).astimezone(LOCAL_TIME).strftime("%Y-%m-%dT%H:%M")


def form_moment(text: str, field: str) -> datetime | None:
    """A moment typed on a form, in UK time unless it says otherwise; None if blank."""
    if not text.strip():
        return None
    try:
        value = datetime.fromisoformat(text.strip())
    except ValueError as error:
        raise InputError(
            f"`{text}` is not a date and time; give it like `2025-11-03T10:00`", field=field
        ) from error
    return value.replace(tzinfo=LOCAL_TIME) if value.tzinfo is None else value
