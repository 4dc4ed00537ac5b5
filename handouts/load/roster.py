"""Read the front desk's roster CSV, one checked row at a time.

A roster is checked as a whole before any row is used: its size, the encoding,
the header, the shape of every record, and what each mapped column holds (ids
in the id column, names in the name columns). A record that swallowed the lines
after it (a quote that is never closed) refuses the whole file; a record with
more or fewer cells than the header (an unquoted comma) is a problem of its own
row. Rows that share a patient_id are one patient's series of infusions when
they agree on everything but the appointment; otherwise all of them are refused.
Nothing here ever puts a cell's value into a message: messages name the row,
the column and the rule. A patient_id is shown only when it is plainly an id.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path

from ..errors import InputError, rows_text, terminal_safe
from .dates import parse_appointment
from .languages import resolve as resolve_language
from .roster_format import MAY_SHARE_A_COLUMN, RosterFormat, column_key
from .values import clean_value

REQUIRED = ("patient_id", "name", "appointment")
OPTIONAL = ("preferred_name", "layout", "documents", "email", "language")
DEFAULT_LAYOUT = "standard"
MAX_CELL = 1000  # characters: longer than any id, name, e-mail address or document list a clinic types
# A roster is held in memory while it is checked: these bound it (a clinic's roster is hundreds of rows and
# kilobytes). Larger files are refused before they are read (bytes) or parsed to the end (rows).
MAX_BYTES = 20 * 1024 * 1024
MAX_ROWS = 100_000  # patient rows, the header and blank lines not counted

# An id shown in messages: plainly an identifier, never a name with spaces, never anything a terminal acts on.
# Shown in messages only when plainly an id: ASCII letters, digits, '_' and '-', with a digit (a word alone, like
# a surname that ran into the id column of a broken export, is never echoed).
SAFE_ID = re.compile(r"(?=[^0-9]*[0-9])[A-Za-z0-9_-]{1,32}", re.ASCII)
# Another record's shape inside one cell: what a merged or shifted row leaves behind.
_DATE = re.compile(r"\d{4}-\d{1,2}-\d{1,2}", re.ASCII)
_DATE_TIME = re.compile(r"\d{4}-\d{1,2}-\d{1,2}(?:[ T]+|\s*[,;\t]\s*)\d{1,2}:\d{2}", re.ASCII)
_ID_THEN_DATE = re.compile(r"[A-Za-z0-9_-]+\s*[,;\t]\s*\d{4}-\d{1,2}-\d{1,2}", re.ASCII)
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
# Never in a message: controls (C0, DEL, C1), bidi marks and overrides, line and paragraph separators.
# Embeddings, overrides and isolates reorder what is printed: a name would not read as it was typed.
_REORDERING = re.compile("[\u202a-\u202e\u2066-\u2069]")
_DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab"}
# What a column holds in most rows when it was mapped wrong: an "id" without a digit, or with a space or an @, is
# a name or an e-mail (a record number has digits); a name with a digit and no space is an id, a date or a phone
# number; a name with @ is an address.
_NOT_AN_ID = re.compile(r"[\s@]")
_ID_SHAPED = re.compile(r"[^\s@]*\d[^\s@]*")
# The values of one patient that every row of a series must agree on besides the name and the e-mail address
# (which say whose the rows are): all but the appointment.
SERIES_FIELDS = ("preferred_name", "layout", "documents", "language")


def is_safe_id(patient_id: str) -> bool:
    """True when the id may appear in a message: ASCII letters, digits, '_' and '-', at most 32, one a digit."""
    return bool(SAFE_ID.fullmatch(patient_id))


def patient_key(patient_id: str) -> str:
    """What two ids share when they differ only in letter case or character width: one patient."""
    return unicodedata.normalize("NFKC", patient_id).casefold()


@dataclass(frozen=True)
class RosterRow:
    number: int  # the spreadsheet row number: the header is row 1
    patient_id: str
    name: str
    preferred_name: str
    appointment: datetime
    layout: str
    documents: tuple[str, ...]
    email: str
    language: str
    # The patient's series of infusions: every appointment of the patient in the roster (this row's among them),
    # in time order, and the rows they are on. One row alone is a series of one; rows made by hand have none.
    series: tuple[datetime, ...] = field(default=(), compare=False)
    series_rows: tuple[int, ...] = field(default=(), compare=False)

    @property
    def patient_key(self) -> str:
        """The patient, whichever row of the series: the id without letter case."""
        return patient_key(self.patient_id)


@dataclass(frozen=True)
class RowProblem:
    number: int
    patient_id: str
    field: str
    reason: str  # what is wrong and what to do; never a cell's value
    id_known: bool = True  # False when the row's cells do not line up, so its patient_id cell cannot be trusted

    def __str__(self) -> str:
        if not self.id_known:
            who = "patient_id unclear"
        elif not self.patient_id:
            who = "no patient_id"
        elif is_safe_id(self.patient_id):
            who = f"patient_id {self.patient_id}"
        else:
            who = "patient_id not shown"
        return terminal_safe(f"row {self.number} ({who}): {self.field}: {self.reason}")


@dataclass(frozen=True)
class RowRules:
    """What a row's values may be: the project's layouts, documents, language, and font coverage."""

    layouts: tuple[str, ...]
    documents: tuple[str, ...]
    language: str  # the documents' own language (the English sources): a row without a language gets it
    uncovered: object  # callable(text) -> list of characters no font can draw
    editions: tuple[str, ...] = ()  # the other languages there are editions in (content/<language>/), e.g. es-US


@dataclass
class RosterRead:
    rows: list[RosterRow] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.rows) + len(self.problems)


@dataclass(frozen=True)
class _Record:
    number: int  # the line it starts on, which is its spreadsheet row: no record spans lines
    cells: list[str]


_column_key = column_key


def _column_letter(index: int) -> str:
    """0 -> 'A', 25 -> 'Z', 26 -> 'AA', as a spreadsheet names columns."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


class Roster:
    """A roster file checked as a whole (encoding, header, every record's shape) and read row by row."""

    def __init__(self, path: Path, layout: RosterFormat | None = None):
        self.path = Path(path)
        self.layout = layout or RosterFormat()
        self._text = ""  # the whole file, read once: every later pass reads this, never the file again
        self._records: list[_Record] = []  # the data records, blank lines left out
        self._width = 0  # cells in the header row
        self._named_width = 0  # cells up to the header's last named one
        self._continued: dict[int, int] = {}  # row -> the short row above it (see _continuations)
        self.delimiter, self.columns = self._check_file()  # our column -> the cell indices it is read from
        self._check_columns_hold_their_kind()

    # -- the file as a whole -------------------------------------------------
    def _check_file(self) -> tuple[str, dict[str, int]]:
        if not self.path.exists():
            raise self._error("roster not found", "roster-not-found", "check the file name")
        if self.path.is_dir():
            raise self._error("is a folder", "roster-is-folder", "give the roster CSV file")
        try:
            size = self.path.stat().st_size
        except OSError:
            size = 0  # _read_text says why it cannot be read
        if size > MAX_BYTES:
            raise self._too_large()
        self._text = self._read_text()
        header_line = io.StringIO(self._text, newline="").readline()
        if not self._text.strip():
            raise self._error("the roster is empty", "roster-empty",
                              f"export it with a header row ({', '.join(REQUIRED)})")
        if not header_line.strip():
            raise self._error("row 1 is blank; the header row must be the first row", "roster-no-header",
                              f"remove the blank rows above the header ({', '.join(REQUIRED)})", line=1)
        delimiter = max((",", ";", "\t"), key=header_line.count)
        records = self._parse(delimiter)
        header, data = records[0], records[1:]
        columns = self._header(header.cells)
        self._width = len(header.cells)
        self._named_width = max(i for i, cell in enumerate(header.cells) if _column_key(cell)) + 1
        blank = {r.number for r in data if self._blank(r)}
        self._records = [r for r in data if r.number not in blank]
        self._continued = self._continuations(data, blank)
        if not self._records:
            raise self._error("the roster has a header row but no patient rows", "roster-no-rows",
                              "add one row per patient below the header, or export the sheet that has them",
                              line=header.number)
        return delimiter, columns

    def _parse(self, delimiter: str) -> list[_Record]:
        """Every record with the line it starts on; a record that spans lines or breaks the CSV rules stops here."""
        reader = csv.reader(io.StringIO(self._text, newline=""), delimiter=delimiter)
        records: list[_Record] = []
        rows = 0
        while True:
            start = reader.line_num + 1
            try:
                cells = next(reader)
            except StopIteration:
                return records
            except csv.Error as exc:
                raise self._broken_record(start, exc) from None
            if cells:
                rows += 1
                if rows > MAX_ROWS + 1:  # the header and MAX_ROWS patient rows: stop before reading on
                    raise self._error(f"the roster has more than {MAX_ROWS:,} rows (row {start} is one too many)",
                                      "roster-too-large", "export only the coming appointments, or split the "
                                      "roster into several files", line=start)
            for index, cell in enumerate(cells):  # the first cell with a break is the first that spans lines
                if _LINE_BREAK.search(cell):
                    raise self._error(
                        f"a quoted value (column {_column_letter(index)}) starts on line {start} and its quote is "
                        "not closed on that line, so the rows after it would be read as part of it",
                        "roster-unclosed-quote",
                        'close the quote (a value that starts with " needs a closing ") or remove the line '
                        "break from the cell, then export the roster again; no row was used", line=start)
            records.append(_Record(start, cells))

    @staticmethod
    def _blank(record: _Record) -> bool:
        return not any(cell.strip() and clean_value(cell).strip() for cell in record.cells)

    def _continuations(self, data: list[_Record], blank: set[int]) -> dict[int, int]:
        """Row -> the short row above it: a line break outside quotes may have split one record there.

        A line break in an unquoted value ends the row early (too few cells) and starts a new one whose
        first cell is the rest of that value, not a patient_id. The rows after a short row are not
        trusted until, joined back together (the last cell of one line and the first of the next being
        one value), they have at least the header's named cells. Blank lines in between are part of the
        broken value.
        """
        continued: dict[int, int] = {}
        start = cells = None  # the short row a run starts at, and the run's cells as one record
        previous = 0
        for record in data:
            consecutive, previous = record.number == previous + 1, record.number
            if start is not None and not consecutive:
                start = cells = None
            if record.number in blank:
                continue
            count = len(record.cells)
            if start is not None:
                continued[record.number] = start
                cells += count - 1
                if cells >= self._named_width:
                    start = cells = None
            elif count < self._named_width:
                start, cells = record.number, count
        return continued

    def _broken_record(self, line: int, exc: csv.Error) -> InputError:
        if "field larger than field limit" in str(exc):
            return self._error(f"a value that starts on line {line} is longer than "
                               f"{csv.field_size_limit():,} characters", "roster-value-too-long",
                               'a quote that is never closed makes the rest of the file one value: close it '
                               "(or shorten the cell), then export the roster again", line=line)
        return self._error(f"line {line} is not valid CSV", "roster-not-csv",
                           "export the roster again as CSV from the spreadsheet program", line=line)

    def _header(self, cells: list[str]) -> dict[str, tuple[int, ...]]:
        """Our column -> its cell indices: by the export's own names where the profile maps them."""
        found = self._header_names(cells)
        columns = {ours: (index,) for ours, index in found.items() if ours in REQUIRED + OPTIONAL}
        for ours, theirs in self.layout.columns.items():
            missing = [name for name in theirs if _column_key(name) not in found]
            if missing:
                raise self._error(f"the roster has no '{missing[0]}' column, which the clinic profile maps to "
                                  f"'{ours}'", "roster-missing-column",
                                  "fix roster.columns in the clinic profile, or export that column", line=1, key=ours)
            columns[ours] = tuple(found[_column_key(name)] for name in theirs)
        missing = [c for c in REQUIRED if c not in columns]
        if missing:
            looks_like_data = any(_DATE.search(clean_value(cell)) for cell in cells)
            hint = (f"row 1 looks like a patient's row, not a header: add a header row ({', '.join(REQUIRED)})"
                    if looks_like_data else f"the header row needs {', '.join(REQUIRED)} (or map the export's "
                                            "own names in the clinic profile's roster.columns)")
            raise self._error(f"the roster has no '{missing[0]}' column (row 1 has {len(cells)} cell(s); "
                              f"missing: {', '.join(missing)})", "roster-missing-column", hint, line=1,
                              key=missing[0])
        fed: dict[int, str] = {}
        for ours, indices in columns.items():
            for index in indices:
                # One cell would fill two of our columns (e.g. patient_id: Email, email unmapped).
                if index in fed and {fed[index], ours} != MAY_SHARE_A_COLUMN:
                    raise self._error(f"column {_column_letter(index)} ({index + 1}) would be read for both "
                                      f"'{fed[index]}' and '{ours}'", "roster-column-twice",
                                      "each export column feeds one roster column: fix roster.columns in the "
                                      "clinic profile (or rename the export's column)", line=1, key=ours)
                fed[index] = ours
        return columns

    def _header_names(self, cells: list[str]) -> dict[str, int]:
        """Each named header cell's index, by its normalised name; a used name given twice is refused."""
        used = set(REQUIRED + OPTIONAL) | {_column_key(n) for names in self.layout.columns.values() for n in names}
        columns: dict[str, int] = {}
        for index, raw in enumerate(cells):
            key = _column_key(raw)
            if not key:
                continue
            if key in columns and key in used:
                first = columns[key]
                raise self._error(
                    f"columns {_column_letter(first)} ({first + 1}) and {_column_letter(index)} ({index + 1}) "
                    f"are both '{key}'", "roster-duplicate-column",
                    "keep one of them (delete or rename the other), then export the roster again", line=1, key=key)
            columns.setdefault(key, index)  # a repeated column the roster does not use is ignored, like any other
        return columns

    def _read_text(self) -> str:
        """The file as text; a file that is not UTF-8 text is refused before any row is used."""
        codec = codecs.getincrementaldecoder("utf-8-sig")()
        offset = 0
        parts: list[str] = []
        try:
            handle = open(self.path, "rb")
        except OSError as exc:
            raise self._error(f"cannot read the roster ({exc.strerror})", "roster-unreadable",
                              "check that you may open it") from None
        with handle:
            while chunk := handle.read(1 << 16):
                if b"\x00" in chunk:
                    raise self._error("this is not a CSV text file", "roster-not-text", "export the roster as CSV")
                try:
                    parts.append(codec.decode(chunk))
                except UnicodeDecodeError as exc:
                    raise self._error(f"byte {offset + exc.start} is not UTF-8", "roster-not-utf8",
                                      "export the roster as 'CSV UTF-8' from the spreadsheet program") from None
                offset += len(chunk)
                if offset > MAX_BYTES:  # a file that grows while it is read, or a device
                    raise self._too_large()
            try:
                parts.append(codec.decode(b"", final=True))
            except UnicodeDecodeError:
                raise self._error("the file ends inside a character", "roster-not-utf8",
                                  "export the roster as 'CSV UTF-8'") from None
        return "".join(parts)

    def _too_large(self) -> InputError:
        return self._error(f"the roster is larger than {MAX_BYTES // (1024 * 1024)} MB", "roster-too-large",
                           "check that this is the front desk's roster; export only the coming appointments, or "
                           "split it into several files")

    def _error(self, message: str, rule: str, hint: str, line: int | None = None,
               key: str | None = None) -> InputError:
        """A problem of the whole file; nothing in it is a cell's value, and nothing can drive a terminal."""
        return InputError(terminal_safe(message), source=terminal_safe(self.path), line=line, rule=rule,
                          hint=terminal_safe(hint), key=key)

    def _aligned(self, record: _Record) -> bool:
        """Whether the record's cells line up with the header, so that its cells can be trusted."""
        return self._named_width <= len(record.cells) <= self._width and record.number not in self._continued

    def _raw(self, cells: list[str], column: str) -> str:
        # Columns the profile joins (First Name + Last Name, Appt Date + Appt Time) read as one.
        return " ".join(cells[i].strip() for i in self.columns.get(column, ()) if i < len(cells) and cells[i].strip())

    def _value(self, cells: list[str], column: str) -> str:
        return clean_value(self._raw(cells, column)).strip()

    def _check_columns_hold_their_kind(self) -> None:
        """A column mapped wrong shows in most of its rows: surnames or addresses as ids (they would name the
        files), ids, dates or addresses as names. One odd row is that row's problem; most rows, the file's."""
        name_tests = [(lambda v: bool(_ID_SHAPED.fullmatch(v)),
                       "digits and no space (like an id, a date or a phone number), not a name"),
                      (lambda v: "@" in v, "an @ (like an e-mail address), not a name")]
        kinds = {"patient_id": [(lambda v: bool(_NOT_AN_ID.search(v)) or not any(ch.isdigit() for ch in v),
                                 "no digit, a space or an @ (like a name or an e-mail address), not an id")],
                 "name": name_tests, "preferred_name": name_tests}
        hints = {"patient_id": "map patient_id to the column that holds the record number (MRN)",
                 "name": "map name to the column(s) that hold the patient's name",
                 "preferred_name": "map preferred_name to the column that holds the name the patient goes by"}
        for column, tests in kinds.items():
            if column not in self.columns:
                continue
            values = [v for r in self._records if self._aligned(r) and (v := self._value(r.cells, column))]
            for test, what in tests:
                odd = sum(1 for v in values if test(v))
                if odd >= 2 and odd * 2 > len(values):  # one odd row is a problem of that row
                    raise self._error(f"{self.layout.column_text(column)} holds {what} in {odd} of the "
                                      f"{len(values)} rows that fill it", "roster-column-kind",
                                      f"{hints[column]} in the clinic profile's roster.columns, or export that "
                                      "column", line=1, key=column)

    def _join_series(self, results: dict[int, RosterRow | RowProblem]) -> None:
        """Rows that share a patient_id (ignoring letter case): one patient's series of infusions when they agree
        on everything but the appointment, each appointment once; otherwise every one of them is refused."""
        (index,) = self.columns["patient_id"]
        groups: dict[str, list[_Record]] = {}
        for record in self._records:
            patient_id = clean_value(record.cells[index]).strip() if index < len(record.cells) else ""
            if patient_id:
                groups.setdefault(patient_key(patient_id), []).append(record)
        for group in groups.values():
            self._series(group, results, index)

    def _series(self, group: list[_Record], results: dict[int, RosterRow | RowProblem], index: int) -> None:
        numbers = [r.number for r in group]
        rows = [results[n] for n in numbers if isinstance(results[n], RosterRow)]
        if len(group) == 1:
            if rows:
                results[numbers[0]] = replace(rows[0], series=(rows[0].appointment,), series_rows=(numbers[0],))
            return
        ids = {r.number: clean_value(r.cells[index]).strip() for r in group}
        shared = f"{rows_text(numbers)} share a patient_id" + (
            "" if len(set(ids.values())) == 1 else " (written with different letter case)")

        def refuse(field_name: str, reason: str, members: list[int]) -> None:
            for number in members:
                results[number] = RowProblem(number, ids[number], field_name, reason)

        trusted = [r for r in group if self._aligned(r)]
        identity = {"name": lambda cells: " ".join(self._value(cells, "name").split()),
                    "email": lambda cells: self._value(cells, "email").casefold()}
        differ = [f for f, value in identity.items() if len({value(r.cells) for r in trusted}) > 1]
        if differ:  # two patients under one id: no row of either can be trusted to be whose it says
            refuse("patient_id", f"{shared} but not the same {' or '.join(differ)}; give each patient a distinct "
                                 "id (only the appointment may differ between the rows of one patient's series)",
                   [r.number for r in trusted])
            return
        bad = [n for n in numbers if isinstance(results[n], RowProblem)]
        if bad:  # its appointment may be the first: no packet until it is fixed
            which = rows_text(bad)
            refuse("patient_id", f"{shared}, one patient's series, and {which} of them cannot be used (see "
                                 f"{'its' if len(bad) == 1 else 'their'} problem): fix that first, so that the "
                                 "packet is for the right appointment", [row.number for row in rows])
            return
        unlike = [f for f in SERIES_FIELDS if len({getattr(row, f) for row in rows}) > 1]
        if unlike:  # the patient gets one packet: which layout, language or documents would be a guess
            refuse(unlike[0], f"{shared}, name and e-mail, but not the same {' or '.join(unlike)}; make them agree "
                              "(the patient gets one packet), or give each patient a distinct id", numbers)
            return
        seen: dict[datetime, list[int]] = {}
        for row in rows:
            seen.setdefault(row.appointment, []).append(row.number)
        repeated = sorted(n for same in seen.values() if len(same) > 1 for n in same)
        if repeated:
            refuse("appointment", f"{shared} and {rows_text(repeated)} have the same appointment: delete the "
                                  "repeated row", numbers)
            return
        ordered = sorted(rows, key=lambda row: (row.appointment, row.number))
        series = tuple(row.appointment for row in ordered)
        series_rows = tuple(row.number for row in ordered)
        for row in rows:
            results[row.number] = replace(row, series=series, series_rows=series_rows)

    # -- row by row ----------------------------------------------------------
    def rows(self, rules: RowRules) -> Iterator[RosterRow | RowProblem]:
        """Every row in roster order: a good row (with its patient's series) or the row's problem."""
        results = {record.number: self._row(record, rules) for record in self._records}
        self._join_series(results)
        yield from results.values()

    def read(self, rules: RowRules) -> RosterRead:
        """Every row, checked: the good ones and the problems, in roster order."""
        read = RosterRead()
        for row in self.rows(rules):
            (read.problems if isinstance(row, RowProblem) else read.rows).append(row)
        return read

    def _row(self, record: _Record, rules: RowRules) -> RosterRow | RowProblem:
        """The row checked in a fixed order, so that a row with several problems always shows the same one."""
        misaligned = self._misaligned(record)
        if misaligned is not None:
            return misaligned
        raw = {column: self._raw(record.cells, column) for column in REQUIRED + OPTIONAL}
        values = {column: clean_value(text).strip() for column, text in raw.items()}
        try:
            return self._checked_row(record.number, raw, values, rules)
        except _Refused as refused:
            return RowProblem(record.number, values["patient_id"], refused.column, refused.reason)

    def _misaligned(self, record: _Record) -> RowProblem | None:
        """The problem of a record whose cells do not line up with the header: its patient_id is unclear."""
        number, count = record.number, len(record.cells)
        separator = _DELIMITER_NAMES[self.delimiter]
        if count > self._width:
            return RowProblem(number, "", "cells", f"has {count} cells but the header has {self._width}; a value "
                              f"probably contains an unquoted {separator}: put that value in quotes", id_known=False)
        if number in self._continued:
            return RowProblem(number, "", "cells", f"comes right after row {self._continued[number]}, which has too "
                              "few cells: if a line break inside a value split one row over both, remove it (or put "
                              "the value in quotes); otherwise fill in the missing cells", id_known=False)
        if count < self._named_width:
            cells_text = f"{count} cell" + "s" * (count != 1)
            return RowProblem(number, "", "cells", f"has {cells_text} but the header has {self._named_width}; "
                              f"a {separator} is missing or the row was cut short: every row needs one cell per "
                              "column (empty cells are fine)", id_known=False)
        return None

    def _checked_row(self, number: int, raw: dict[str, str], values: dict[str, str], rules: RowRules) -> RosterRow:
        """The row of a record that lines up with the header; raises _Refused at its first problem."""
        patient_id = values["patient_id"]
        if not patient_id:
            raise _Refused("patient_id", "is empty; every row needs a patient_id")
        _check_cells(raw, values)
        name = values["name"]
        if not name:
            raise _Refused("name", "is empty; add the patient's name")
        try:
            appointment = parse_appointment(values["appointment"], self.layout.date_pattern)
        except ValueError as exc:  # its message never holds the value
            raise _Refused("appointment", str(exc)) from None
        _check_identity(values)
        mapped = self._mapped(values)
        layout = _layout(mapped["layout"], rules)
        documents = _documents(values["documents"], rules)
        language = _language(mapped["language"], rules)
        preferred = values["preferred_name"] or name
        _check_drawable((("name", name), ("preferred_name", preferred)), rules)
        return RosterRow(number, patient_id, name, preferred, appointment, layout, documents,
                         values["email"], language)

    def _mapped(self, values: dict[str, str]) -> dict[str, str]:
        """The layout and language cells through the profile's roster.values (e.g. 'LP' -> 'large-print')."""
        mapped = {column: self.layout.mapped(column, values[column]) for column in ("layout", "language")}
        for column, value in mapped.items():
            if value is None:  # never the default: 'Braille' is not 'standard'
                raise _Refused(column, f"the value in {self.layout.column_text(column)} is not listed in "
                                       f"roster.values.{column}; add it there, or correct the cell")
        return mapped


class _Refused(Exception):
    """A row's first problem: the column and what is wrong (never the cell's value)."""

    def __init__(self, column: str, reason: str):
        super().__init__(column, reason)
        self.column, self.reason = column, reason


def _check_cells(raw: dict[str, str], values: dict[str, str]) -> None:
    """Every cell on its own: not too long, no text-direction control, no date where none belongs."""
    for column in REQUIRED + OPTIONAL:
        if len(raw[column]) > MAX_CELL:
            raise _Refused(column, f"is longer than {MAX_CELL} characters; values from other cells or rows "
                                   "probably ran into it (a quote that is not closed?): check the row")
    for column in REQUIRED + OPTIONAL:
        value = values[column]
        if _REORDERING.search(raw[column]):  # before cleaning, which would drop them silently
            raise _Refused(column, "holds an invisible text-direction control (U+202A to U+202E or U+2066 to "
                                   "U+2069) that changes the order letters print in; retype the cell")
        if column == "appointment" or not value:
            continue
        shape = _DATE if column in ("name", "preferred_name") else None
        if (shape and shape.search(value)) or _DATE_TIME.search(value) or _ID_THEN_DATE.search(value):
            raise _Refused(column, "holds a date, so values from another column or row probably ran into it "
                                   "(an unquoted comma or a quote that is not closed?): check the row")


def _check_identity(values: dict[str, str]) -> None:
    """An id that looks like an address, a name that looks like an id, a date or an address: a column mapped wrong."""
    if "@" in values["patient_id"]:
        raise _Refused("patient_id", "holds an @, like an e-mail address, not an id; check the row (and the "
                                     "clinic profile's roster.columns)")
    for column in ("name", "preferred_name"):
        if "@" in values[column] or _ID_SHAPED.fullmatch(values[column]):
            raise _Refused(column, "holds an @ or digits without a space, like an e-mail address, an id or a "
                                   "date, not a name; check the row (and the clinic profile's roster.columns)")


def _layout(mapped: str, rules: RowRules) -> str:
    layout = mapped.lower() or DEFAULT_LAYOUT
    if layout not in rules.layouts:
        raise _Refused("layout", f"is not a layout; use one of: {', '.join(rules.layouts)}")
    return layout


def _documents(cell: str, rules: RowRules) -> tuple[str, ...]:
    documents = tuple(d.strip() for d in cell.split(";") if d.strip()) or rules.documents
    for position, document in enumerate(documents, start=1):
        if document not in rules.documents:
            raise _Refused("documents", f"document {position} of {len(documents)} is not one of ours; "
                                        f"use names from: {', '.join(rules.documents)} (separated by ;)")
    return documents


def _language(mapped: str, rules: RowRules) -> str:
    if not mapped:
        return rules.language
    # A tag ('es', 'es-US', 'es-MX') or a name ('Spanish', 'Español') picks an edition; see load/languages.py.
    language = resolve_language(mapped, (rules.language, *rules.editions))
    if language is None:
        written = ", ".join((rules.language, *rules.editions))
        raise _Refused("language", f"is a language the handouts are not written in; they are in {written} "
                                   "(write a tag like es or es-US, or the name, e.g. Spanish or Español)")
    return language


def _check_drawable(names: tuple[tuple[str, str], ...], rules: RowRules) -> None:
    for column, value in names:
        missing = rules.uncovered(value)
        if missing:
            first = next(i for i, ch in enumerate(value, start=1) if ch in missing)
            raise _Refused(column, f"has characters the fonts cannot draw ({len(missing)} different, the first "
                                   f"at character {first}); check the spelling")
