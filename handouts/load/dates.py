"""Appointment times: parse what people type, print them in words."""

from __future__ import annotations

import re
from datetime import datetime

_SHAPE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})(?::(\d{2}))?$")


def parse_appointment(text: str) -> datetime:
    """Parse 'YYYY-MM-DD HH:MM' or ISO 8601 'YYYY-MM-DDTHH:MM'; ValueError says why not."""
    value = text.strip()
    match = _SHAPE.match(value)
    if not match:
        raise ValueError(f"'{value}' is not a date and time like 2026-12-03 09:30")
    try:
        return datetime(*(int(part or 0) for part in match.groups()))
    except ValueError as exc:
        raise ValueError(f"'{value}' is not a real date and time ({exc}); check the day, month and hour") from None


def in_words(moment: datetime) -> str:
    """'Thursday, December 3, 2026 at 9:30 AM'."""
    hour = moment.hour % 12 or 12
    return f"{moment:%A, %B} {moment.day}, {moment.year} at {hour}:{moment:%M} {'AM' if moment.hour < 12 else 'PM'}"
