"""Appointment times: parse what people type, print them in words."""

from __future__ import annotations

import re
from datetime import datetime

_SHAPE = re.compile(r"(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})(?::(\d{2}))?", re.ASCII)
FIRST_YEAR, LAST_YEAR = 1900, 2999  # anything else is a typing slip or a value from another column


def parse_appointment(text: str) -> datetime:
    """Parse 'YYYY-MM-DD HH:MM' or ISO 8601 'YYYY-MM-DDTHH:MM'; ValueError says why not.

    The message never repeats the value: it may be a patient's data (a roster cell
    that holds a name because a comma shifted the columns), and messages go to
    terminals and logs. Callers say where the value came from.
    """
    match = _SHAPE.fullmatch(text.strip())
    if not match:
        raise ValueError("is not a date and time like 2026-12-03 09:30")
    parts = [int(part or 0) for part in match.groups()]
    if not FIRST_YEAR <= parts[0] <= LAST_YEAR:
        raise ValueError(f"has a year outside {FIRST_YEAR} to {LAST_YEAR}; check the year")
    try:
        return datetime(*parts)
    except ValueError as exc:  # datetime's own reason names a part ("day is out of range for month"), not the value
        raise ValueError(f"is not a real date and time ({exc}); check the day, month and hour") from None


def in_words(moment: datetime) -> str:
    """'Thursday, December 3, 2026 at 9:30 AM'."""
    hour = moment.hour % 12 or 12
    return f"{moment:%A, %B} {moment.day}, {moment.year} at {hour}:{moment:%M} {'AM' if moment.hour < 12 else 'PM'}"
