"""How a clinic's scheduling export names its columns and writes its dates (clinic profile `roster:`).

    roster:
      columns:
        patient_id: MRN
        name: [First Name, Last Name]        # several columns are joined with a space
        appointment: [Appt Date, Appt Time]
        email: Email
        language: Preferred Language
      date_format: MM/DD/YYYY                # how dates are written; never guessed

Columns not named here keep their own names (`patient_id`, `name` ...).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..errors import ProfileError

# The date formats a clinic may declare, as strptime patterns. A date such as
# 12/01/2026 means December 1 in one and January 12 in another: it is read as
# declared, never guessed.
DATE_FORMATS = {
    "YYYY-MM-DD": "%Y-%m-%d",
    "MM/DD/YYYY": "%m/%d/%Y",
    "DD/MM/YYYY": "%d/%m/%Y",
    "DD.MM.YYYY": "%d.%m.%Y",
}
COLUMNS = ("patient_id", "name", "appointment", "preferred_name", "layout", "documents", "email", "language")
JOINABLE = ("name", "appointment", "preferred_name")  # the others must come from one column


@dataclass(frozen=True)
class RosterFormat:
    columns: dict[str, tuple[str, ...]] = field(default_factory=dict)  # our column -> the export's column(s)
    date_format: str | None = None  # None: ISO 'YYYY-MM-DD HH:MM' only

    @property
    def date_pattern(self) -> str | None:
        return DATE_FORMATS[self.date_format] if self.date_format else None


def read_roster_format(value: object, source: str, line: int | None) -> RosterFormat:
    """The profile's `roster:` mapping, checked."""

    def refuse(message: str, hint: str) -> ProfileError:
        return ProfileError(message, source=source, line=line, rule="profile-roster", hint=hint, key="roster")

    if value is None:
        return RosterFormat()
    if not isinstance(value, dict) or set(value) - {"columns", "date_format"}:
        raise refuse("'roster' must hold 'columns' and/or 'date_format'", "see the README, 'Roster columns'")
    date_format = value.get("date_format")
    date_format = None if date_format is None else str(date_format).strip().upper()
    if date_format is not None and date_format not in DATE_FORMATS:
        raise refuse(f"'roster.date_format' must be one of {', '.join(DATE_FORMATS)}",
                     "write the date format the export uses")
    mapping = value.get("columns") or {}
    if not isinstance(mapping, dict):
        raise refuse("'roster.columns' must map roster columns to the export's column names",
                     "write one 'ours: theirs' line per column")
    columns = {}
    for ours, theirs in mapping.items():
        if ours not in COLUMNS:
            raise refuse(f"'roster.columns' names '{ours}', which is not a roster column",
                         f"use: {', '.join(COLUMNS)}")
        names = tuple(theirs) if isinstance(theirs, list) else (theirs,)
        if not names or not all(isinstance(n, str) and n.strip() for n in names):
            raise refuse(f"'roster.columns.{ours}' must name a column of the export", "write its header text")
        if len(names) > 1 and ours not in JOINABLE:
            raise refuse(f"'roster.columns.{ours}' may name only one column", "pick the one that holds it")
        columns[ours] = tuple(n.strip() for n in names)
    return RosterFormat(columns, date_format)
