"""Appointment times: parse what people type, print them in words."""

from __future__ import annotations

import re
from datetime import datetime

_SHAPE = re.compile(r"(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})(?::(\d{2}))?", re.ASCII)
FIRST_YEAR, LAST_YEAR = 1900, 2999  # anything else is a typing slip or a value from another column


def parse_appointment(text: str, date_pattern: str | None = None) -> datetime:
    """Parse 'YYYY-MM-DD HH:MM' or ISO 8601 'YYYY-MM-DDTHH:MM'; ValueError says why not.

    With `date_pattern` (a strptime pattern the clinic declared, e.g. '%m/%d/%Y'),
    the date is read that way and the time may be 24-hour ('14:05') or 12-hour
    ('2:05 PM'), as scheduling exports write them.

    The message never repeats the value: it may be a patient's data (a roster cell
    that holds a name because a comma shifted the columns), and messages go to
    terminals and logs. Callers say where the value came from.
    """
    if date_pattern is not None:
        return _declared(text, date_pattern)
    match = _SHAPE.fullmatch(text.strip())
    if not match:
        raise ValueError("is not a date and time like 2026-12-03 09:30")
    return _checked(*(int(part or 0) for part in match.groups()))


def _checked(year: int, month: int, day: int, hour: int, minute: int, second: int = 0) -> datetime:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValueError(f"has a year outside {FIRST_YEAR} to {LAST_YEAR}; check the year")
    try:
        return datetime(year, month, day, hour, minute, second)
    except ValueError as exc:  # datetime's own reason names a part ("day is out of range for month"), not the value
        raise ValueError(f"is not a real date and time ({exc}); check the day, month and hour") from None


_TIME = re.compile(r"(\d{1,2}):(\d{2})(?::(\d{2}))?(?:\s*([AaPp])\.?\s*[Mm]\.?)?", re.ASCII)


def _declared(text: str, date_pattern: str) -> datetime:
    example = datetime(2026, 12, 3).strftime(date_pattern)
    parts = text.strip().split(None, 1)
    if len(parts) != 2:
        raise ValueError(f"is not a date and time like {example} 9:30 AM")
    try:
        day = datetime.strptime(parts[0], date_pattern)
    except ValueError:
        raise ValueError(f"is not a date like {example} (the date format the clinic profile declares)") from None
    time = _TIME.fullmatch(parts[1].strip())
    if not time:
        raise ValueError("has no time like 9:30 AM or 14:05 after the date")
    hour, minute, second = int(time[1]), int(time[2]), int(time[3] or 0)
    if time[4]:
        if not 1 <= hour <= 12:
            raise ValueError("has a 12-hour time whose hour is not 1 to 12; check the time")
        hour = hour % 12 + (12 if time[4].lower() == "p" else 0)
    return _checked(day.year, day.month, day.day, hour, minute, second)


def in_words(moment: datetime, language: str = "en-US", in_sentence: bool = False) -> str:
    """'Thursday, December 3, 2026 at 9:30 AM', 'martes 1 de diciembre de 2026, a las 9:30 a. m.': the date and
    time in `language`, put together as its locale file says, on a line of its own or `in_sentence`
    (`languages.in_words`)."""
    from .languages import in_words as localized

    return localized(moment, language, in_sentence)
