"""Appointment times: parse what people type, print them in words."""

from __future__ import annotations

from datetime import datetime

FORMATS = ("%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S")


def parse_appointment(text: str) -> datetime:
    """Parse 'YYYY-MM-DD HH:MM' or ISO 8601 'YYYY-MM-DDTHH:MM'; ValueError says why not."""
    value = text.strip()
    for fmt in FORMATS:
        try:
            return datetime.strptime(value, fmt)
        except ValueError as exc:
            last = exc
    if any(ch.isdigit() for ch in value) and len(value) in (16, 19):
        raise ValueError(f"'{value}' is not a real date and time ({last})")
    raise ValueError(f"'{value}' is not a date and time like 2026-12-03 09:30")


def in_words(moment: datetime) -> str:
    """'Thursday, December 3, 2026 at 9:30 AM'."""
    hour = moment.hour % 12 or 12
    return f"{moment:%A, %B} {moment.day}, {moment.year} at {hour}:{moment:%M} {'AM' if moment.hour < 12 else 'PM'}"
