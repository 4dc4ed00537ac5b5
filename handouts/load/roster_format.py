"""How a clinic's scheduling export names its columns, writes its dates and words its values (clinic profile `roster:`).

    roster:
      columns:
        patient_id: MRN
        name: [First Name, Last Name]        # several columns are joined with a space
        appointment: [Appt Date, Appt Time]
        email: Email
        layout: Accessibility Notes
        language: Preferred Language
      date_format: MM/DD/YYYY                # how dates are written; never guessed
      values:                                # the export's words for a layout or a language
        layout: {"Large print": large-print, "": standard}
        language: {Spanish: es, "Español": es, English: en}

Columns not named here keep their own names (`patient_id`, `name` ...). Each export column feeds one of our
columns, once. A value map is matched after trimming and case folding (NFC); a value it does not list is a
problem of its row, never the default.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from ..errors import ProfileError
from .values import clean_value

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
# A first-name column may give both the name (joined with the last name) and the name the patient goes by.
MAY_SHARE_A_COLUMN = {"name", "preferred_name"}
MAPPABLE_VALUES = ("layout", "language")  # the columns whose values `roster.values` may translate
SECTION_KEYS = ("columns", "date_format", "values")
_TAG = re.compile(r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})*", re.ASCII)


def column_key(name: str) -> str:
    """A header name as columns are matched: case, surrounding spaces and '_' versus ' ' do not matter."""
    return re.sub(r"[\s_]+", "_", clean_value(name).strip().lower())


def value_key(text: str) -> str:
    """A cell's value as value maps match it: NFC, trimmed, runs of spaces as one, case folded."""
    return unicodedata.normalize("NFC", " ".join(clean_value(text).split()).casefold())


@dataclass(frozen=True)
class RosterFormat:
    columns: dict[str, tuple[str, ...]] = field(default_factory=dict)  # our column -> the export's column(s)
    date_format: str | None = None  # None: ISO 'YYYY-MM-DD HH:MM' only
    values: dict[str, dict[str, str]] = field(default_factory=dict)  # our column -> value_key(theirs) -> ours
    source: str | None = field(default=None, compare=False)  # the clinic profile, for messages
    lines: dict[tuple, int] = field(default_factory=dict, compare=False)  # ('values', 'layout', key) -> its line

    @property
    def date_pattern(self) -> str | None:
        return DATE_FORMATS[self.date_format] if self.date_format else None

    def column_text(self, ours: str) -> str:
        """How messages name the export column `ours` is read from: 'Last Name' (mapped to patient_id)."""
        if ours in self.columns:
            names = " + ".join(f"'{name}'" for name in self.columns[ours])
            return f"column {names} (mapped to {ours} in the clinic profile)"
        return f"column '{ours}'"

    def mapped(self, ours: str, value: str) -> str | None:
        """`value` through the profile's value map for `ours`: None when the map does not list it. Columns
        without a map keep their value; so does an empty cell the map does not list (it means the default)."""
        table = self.values.get(ours)
        if table is None:
            return value
        key = value_key(value)
        if key in table:
            return table[key]
        return value if not key else None

    def check_layouts(self, layouts: list[str] | tuple[str, ...]) -> None:
        """Every layout a value map names must be a layout of the project."""
        for theirs, ours in self.values.get("layout", {}).items():
            if ours not in layouts:
                line = self.lines.get(("values", "layout", theirs))
                raise ProfileError(f"'roster.values.layout' maps a value to '{ours}', which is not a layout",
                                   source=self.source, line=line, rule="profile-roster", key="roster.values.layout",
                                   hint=f"use one of: {', '.join(layouts)}")


def read_roster_format(value: object, source: str, line: int | None,
                       lines: dict[tuple, int] | None = None) -> RosterFormat:
    """The profile's `roster:` mapping, checked. `lines`: the file line of keys inside it,
    by path (('columns', 'name') -> 12); a message points at the key when it is known, else at `roster:`."""
    lines = lines or {}

    def refuse(message: str, hint: str, *path: str) -> ProfileError:
        for depth in range(len(path), 0, -1):  # the innermost key whose line is known
            if path[:depth] in lines:
                where = lines[path[:depth]]
                break
        else:
            where = line
        key = ".".join(("roster", *path[:2])) if path else "roster"
        return ProfileError(message, source=source, line=where, rule="profile-roster", hint=hint, key=key)

    if value is None:
        return RosterFormat(source=source)
    if not isinstance(value, dict) or set(value) - set(SECTION_KEYS):
        raise refuse("'roster' must hold 'columns', 'date_format' and/or 'values'", "see docs/clinic-setup.md, "
                     "'Scheduling-system exports'")
    date_format = value.get("date_format")
    date_format = None if date_format is None else str(date_format).strip().upper()
    if date_format is not None and date_format not in DATE_FORMATS:
        raise refuse(f"'roster.date_format' must be one of {', '.join(DATE_FORMATS)}",
                     "write the date format the export uses", "date_format")
    columns = _read_columns(value.get("columns") or {}, refuse)
    values, value_lines = _read_values(value.get("values") or {}, refuse, lines)
    return RosterFormat(columns, date_format, values, source, value_lines)


def _read_columns(mapping: object, refuse) -> dict[str, tuple[str, ...]]:
    if not isinstance(mapping, dict):
        raise refuse("'roster.columns' must map roster columns to the export's column names",
                     "write one 'ours: theirs' line per column", "columns")
    columns: dict[str, tuple[str, ...]] = {}
    fed: dict[str, str] = {}  # column_key(theirs) -> the column of ours it already feeds
    for ours, theirs in mapping.items():
        if ours not in COLUMNS:
            raise refuse(f"'roster.columns' names '{ours}', which is not a roster column",
                         f"use: {', '.join(COLUMNS)}", "columns", str(ours))
        names = tuple(theirs) if isinstance(theirs, list) else (theirs,)
        if not names or not all(isinstance(n, str) and n.strip() for n in names):
            raise refuse(f"'roster.columns.{ours}' must name a column of the export", "write its header text",
                         "columns", ours)
        if len(names) > 1 and ours not in JOINABLE:
            raise refuse(f"'roster.columns.{ours}' may name only one column", "pick the one that holds it",
                         "columns", ours)
        keys = [column_key(n) for n in names]
        for position, key in enumerate(keys):
            if key in keys[:position]:  # name: [First, First] would print "Ann Ann"
                raise refuse(f"'roster.columns.{ours}' names the column '{names[position].strip()}' twice",
                             "name each column once (e.g. [First Name, Last Name])", "columns", ours)
            if key in fed and {fed[key], ours} != MAY_SHARE_A_COLUMN:
                raise refuse(f"'roster.columns' reads the column '{names[position].strip()}' for both "
                             f"'{fed[key]}' and '{ours}'", "each export column feeds one roster column: map the "
                             "one it holds, and leave the other out (or map it to its own column)", "columns", ours)
            fed[key] = ours
        columns[ours] = tuple(n.strip() for n in names)
    return columns


def _read_values(mapping: object, refuse, lines: dict[tuple, int]) -> tuple[dict[str, dict[str, str]],
                                                                           dict[tuple, int]]:
    """Each column's value map (by the value's value_key), and the line of each entry (('values', ours, key))."""
    if not isinstance(mapping, dict):
        raise refuse("'roster.values' must map a column (layout, language) to its export values",
                     "write e.g. 'values:', '  layout: {\"Large print\": large-print}'", "values")
    values: dict[str, dict[str, str]] = {}
    found_lines: dict[tuple, int] = {}
    for ours, table in mapping.items():
        if ours not in MAPPABLE_VALUES:
            raise refuse(f"'roster.values' names '{ours}'; only {' and '.join(MAPPABLE_VALUES)} values can be "
                         "mapped", f"use: {', '.join(MAPPABLE_VALUES)}", "values", str(ours))
        if not isinstance(table, dict):
            raise refuse(f"'roster.values.{ours}' must map the export's values to ours",
                         "write one 'theirs: ours' line per value", "values", ours)
        found: dict[str, str] = {}
        for theirs, target in table.items():
            where = ("values", ours, theirs) if isinstance(theirs, str) else ("values", ours)
            if not isinstance(theirs, str):  # Yes/No read as true/false, 1 as a number, ~ as null
                raise refuse(f"'roster.values.{ours}' has a value that YAML reads as {_yaml_kind(theirs)}, "
                             "not text", "put the export's value in quotes (\"Yes\": large-print)", *where)
            if not isinstance(target, str) or not target.strip():
                raise refuse(f"'roster.values.{ours}' maps a value to something that is not a {ours} name",
                             f"write the {ours} as text" + (" in quotes (\"no\" is read as false)"
                                                            if ours == "language" else ""), *where)
            target = target.strip()
            if ours == "layout":
                target = target.lower()
            elif not _known_language(target):
                raise refuse(f"'roster.values.language' maps a value to '{target}', which is not a known "
                             "language tag", "write a tag like es, es-US or en", *where)
            key = value_key(theirs)
            if key in found and found[key] != target:
                raise refuse(f"'roster.values.{ours}' maps the same value (ignoring case and spaces) to both "
                             f"'{found[key]}' and '{target}'", "keep one of them", *where)
            found[key] = target
            if where in lines:
                found_lines.setdefault(("values", ours, key), lines[where])
        values[ours] = found
    return values, found_lines


def _known_language(tag: str) -> bool:
    from babel import Locale, UnknownLocaleError

    if not _TAG.fullmatch(tag):
        return False
    try:
        Locale.parse(tag.split("-")[0].lower())
    except (ValueError, UnknownLocaleError):
        return False
    return True


def _yaml_kind(value: object) -> str:
    if isinstance(value, bool):
        return "true or false"
    if value is None:
        return "null (empty)"
    return "a number" if isinstance(value, (int, float)) else "a list or mapping"

