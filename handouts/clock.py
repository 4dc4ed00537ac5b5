"""The two clocks a run reads, each in one place: the day it counts from, and the time it stamps.

`HANDOUTS_TODAY` (YYYY-MM-DD) sets the day appointments and review ages are
counted from; `SOURCE_DATE_EPOCH` (seconds since 1970) sets the time written
into PDFs and emails, so that the same inputs give the same bytes. A value
that is set but malformed is an error, never silently ignored.
"""

from __future__ import annotations

import os
from datetime import date, datetime, timezone

from .errors import InputError

FIXED_EPOCH = 946684800  # 2000-01-01: a PDF's creation date when SOURCE_DATE_EPOCH is not set


def today() -> date:
    """HANDOUTS_TODAY when set, else this computer's date."""
    raw = os.environ.get("HANDOUTS_TODAY", "").strip()
    if not raw:
        return date.today()
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise InputError(f"'{raw}' is not a date", source="HANDOUTS_TODAY", rule="today-invalid",
                         hint="set it to a date like 2026-12-01, or unset it") from None


def source_date() -> datetime | None:
    """SOURCE_DATE_EPOCH as a UTC time, or None when it is not set."""
    raw = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not raw:
        return None
    try:
        return datetime.fromtimestamp(int(raw), timezone.utc)
    except (ValueError, OverflowError, OSError):
        raise InputError(f"'{raw}' is not a whole number of seconds", source="SOURCE_DATE_EPOCH",
                         rule="source-date-epoch", hint="set it to seconds since 1970, or unset it") from None


def creation_time() -> datetime:
    """A PDF's creation date: SOURCE_DATE_EPOCH, else a fixed date (the same inputs give the same bytes)."""
    return source_date() or datetime.fromtimestamp(FIXED_EPOCH, timezone.utc)


def now() -> datetime:
    """An email's date: SOURCE_DATE_EPOCH (reproducible test output), else the local time now."""
    from email.utils import localtime  # only a run that stamps a time needs the email package

    return source_date() or localtime()
