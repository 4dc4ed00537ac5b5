"""Read the front desk's roster CSV, one checked row at a time."""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from ..errors import InputError
from .dates import parse_appointment
from .values import clean_value

REQUIRED = ("patient_id", "name", "appointment")
DEFAULT_LAYOUT = "standard"


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


@dataclass(frozen=True)
class RowProblem:
    number: int
    patient_id: str
    field: str
    reason: str

    def __str__(self) -> str:
        who = f"patient_id {self.patient_id}" if self.patient_id else "no patient_id"
        return f"row {self.number} ({who}): {self.field}: {self.reason}"


@dataclass(frozen=True)
class RowRules:
    """What a row's values may be: the project's layouts, documents, language, and font coverage."""

    layouts: tuple[str, ...]
    documents: tuple[str, ...]
    language: str
    uncovered: object  # callable(text) -> list of characters no font can draw


@dataclass
class RosterRead:
    rows: list[RosterRow] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.rows) + len(self.problems)


class Roster:
    """A roster file checked as a whole (encoding, header) and read row by row."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self._text = ""  # the whole file, read once: every later pass reads this, never the file again
        self.delimiter, self.columns = self._check_file()

    def _check_file(self) -> tuple[str, dict[str, int]]:
        if not self.path.exists():
            raise self._error("roster not found", "roster-not-found", "check the file name")
        if self.path.is_dir():
            raise self._error("is a folder", "roster-is-folder", "give the roster CSV file")
        self._text = self._read_text()
        header = io.StringIO(self._text, newline="").readline()
        if not header.strip():
            raise self._error("the roster is empty", "roster-empty",
                              f"export it with a header row ({', '.join(REQUIRED)})")
        delimiter = max((",", ";", "\t"), key=header.count)
        names = next(csv.reader([header], delimiter=delimiter))
        columns = {}
        for index, raw in enumerate(names):
            key = raw.strip().lower().replace(" ", "_")
            columns.setdefault(key, index)
        missing = [c for c in REQUIRED if c not in columns]
        if missing:
            found = ", ".join(n.strip() for n in names) or "nothing"
            raise InputError(f"the roster has no '{missing[0]}' column (found: {found})", source=str(self.path),
                             line=1, rule="roster-missing-column", key=missing[0],
                             hint=f"the header row needs {', '.join(REQUIRED)}")
        return delimiter, columns

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
            try:
                parts.append(codec.decode(b"", final=True))
            except UnicodeDecodeError:
                raise self._error("the file ends inside a character", "roster-not-utf8",
                                  "export the roster as 'CSV UTF-8'") from None
        return "".join(parts)

    def _error(self, message: str, rule: str, hint: str) -> InputError:
        return InputError(message, source=str(self.path), rule=rule, hint=hint)

    def rows(self, rules: RowRules) -> Iterator[RosterRow | RowProblem]:
        seen: set[str] = set()
        reader = csv.reader(io.StringIO(self._text, newline=""), delimiter=self.delimiter)
        next(reader, None)
        for number, cells in enumerate(reader, start=2):
            if not any(cell.strip() for cell in cells):
                continue  # blank lines spreadsheets leave at the end
            yield self._row(number, cells, rules, seen)

    def read(self, rules: RowRules) -> "RosterRead":
        """Every row, checked: the good ones and the problems, in roster order."""
        read = RosterRead()
        for row in self.rows(rules):
            (read.problems if isinstance(row, RowProblem) else read.rows).append(row)
        return read

    def _row(self, number: int, cells: list[str], rules: RowRules, seen: set[str]) -> RosterRow | RowProblem:
        def get(column: str) -> str:
            index = self.columns.get(column)
            return clean_value(cells[index]).strip() if index is not None and index < len(cells) else ""

        patient_id = get("patient_id")

        def problem(field: str, reason: str) -> RowProblem:
            return RowProblem(number, patient_id, field, reason)

        if not patient_id:
            return problem("patient_id", "is empty; every row needs a patient_id")
        if patient_id in seen:
            return problem("patient_id", "appears twice in the roster; keep one row per patient")
        seen.add(patient_id)
        name = get("name")
        if not name:
            return problem("name", "is empty; add the patient's name")
        try:
            appointment = parse_appointment(get("appointment"))
        except ValueError as exc:
            return problem("appointment", str(exc))
        layout = get("layout").lower() or DEFAULT_LAYOUT
        if layout not in rules.layouts:
            return problem("layout", f"'{layout}' is unknown; use one of: {', '.join(rules.layouts)}")
        documents = tuple(d.strip() for d in get("documents").split(";") if d.strip()) or rules.documents
        for document in documents:
            if document not in rules.documents:
                return problem("documents", f"'{document}' is unknown; use one of: {', '.join(rules.documents)}")
        language = get("language")
        if language and language.lower().split("-")[0] != rules.language.lower().split("-")[0]:
            return problem("language", f"'{language}' has no content; the handouts are in {rules.language}")
        preferred = get("preferred_name") or name
        for column, value in (("name", name), ("preferred_name", preferred)):
            missing = rules.uncovered(value)
            if missing:
                codes = ", ".join(f"U+{ord(ch):04X}" for ch in missing[:3])
                return problem(column, f"has characters the fonts cannot draw ({codes}); check the spelling")
        return RosterRow(number, patient_id, name, preferred, appointment, layout, documents,
                         get("email"), language or rules.language)
