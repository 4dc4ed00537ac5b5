"""Property tests for the roster: no row ever comes back holding another row's values.

Rosters are generated with cells full of quotes, separators and line breaks and
ids that differ only in letter case, and written twice: properly quoted (Python's
csv writer) and raw-joined (what a hand-made or broken export looks like). Each
row's name carries a marker no other cell can contain, so a value that moved
between rows is seen.
"""

from __future__ import annotations

import csv
import io
import re
import tempfile
import unicodedata
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from handouts.errors import InputError
from handouts.batch.plan import row_rules
from handouts.load.dates import parse_appointment
from handouts.load.roster import Roster, RosterRow
from handouts.load.values import clean_value

HEADER = ["patient_id", "name", "appointment", "preferred_name", "layout", "documents"]
MARKERS = "QRSTUVWX"  # row i's name holds f"Q{MARKERS[i]}Q"; no other generated text has these letters
PIECES = list('ab Zé,;"\'\t') + ['""', "\u200b"]
BREAKS = ["\n", "\r", "\r\n"]
APPOINTMENTS = ["2026-12-03 09:30", "2026-12-04T14:05", "2026-12-05 16:45", "2026-02-30 09:00", "3026-12-03 09:30",
                "", "soon"]
LAYOUTS = ["", "large-print", "Standard", "poster"]
DOCUMENTS = ["", "infusion-day-checklist", "fibromyalgia-ketamine; infusion-day-checklist", "nope"]
BIDI = set("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
LINE_BREAK = re.compile(r"\r\n|\r|\n")

SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.fixture(scope="module")
def rules(project):
    return row_rules(project)


@pytest.fixture(scope="module")
def folder():
    with tempfile.TemporaryDirectory() as name:
        yield Path(name)


@st.composite
def rosters(draw):
    garbage = st.lists(st.sampled_from(PIECES + (BREAKS if draw(st.booleans()) else [])), max_size=6).map("".join)
    rows = []
    for i in range(draw(st.integers(1, len(MARKERS)))):
        marker = f"Q{MARKERS[i]}Q"
        patient_id = draw(st.sampled_from([f"P{i}", f"id_{i}", "P1", "p1", "P1 ", "A-7", "a-7"]))  # case variants
        rows.append([patient_id, draw(garbage) + marker + draw(garbage), draw(st.sampled_from(APPOINTMENTS)),
                     draw(garbage), draw(st.sampled_from(LAYOUTS)), draw(st.sampled_from(DOCUMENTS))])
    header = [draw(st.sampled_from([c, c.upper(), f" {c.title()} "])) for c in HEADER]
    delimiter = draw(st.sampled_from([",", ";"]))
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    return header, rows, delimiter, newline


def quoted(records, delimiter, newline) -> str:
    out = io.StringIO()
    # QUOTE_MINIMAL quotes a cell holding a character of the line terminator: with "\n" alone, a bare "\r"
    # would go out unquoted (an improperly quoted file, which the raw-joined test covers); quote every cell then.
    quoting = csv.QUOTE_MINIMAL if newline == "\r\n" else csv.QUOTE_ALL
    csv.writer(out, delimiter=delimiter, lineterminator=newline, quoting=quoting).writerows(records)
    return out.getvalue()


def raw_joined(records, delimiter, newline) -> str:
    return "".join(delimiter.join(cells) + newline for cells in records)


def outcome(folder: Path, text: str, rules, markers: list[str]):
    path = folder / "roster.csv"
    path.write_bytes(text.encode("utf-8"))
    try:
        read = Roster(path).read(rules)
    except InputError as exc:  # the only exception a roster may raise
        assert exc.finding.source and exc.finding.rule != "error"
        assert_clean_message(exc.message, markers)
        return None
    return read


def assert_clean_message(text: str, markers: list[str]) -> None:
    assert not any(marker in text for marker in markers), text
    assert not any(ch in BIDI or unicodedata.category(ch) in ("Cc", "Cf") for ch in text), repr(text)


def own_values(cells: list[str]) -> tuple:
    name = clean_value(cells[1]).strip()
    return (clean_value(cells[0]).strip(), name, parse_appointment(cells[2]),
            clean_value(cells[3]).strip() or name)


def is_valid(cells: list[str], rows: list[list[str]]) -> bool:
    """Whether a row, read exactly as written, must be accepted."""
    key = cells[0].strip().casefold()
    try:
        parse_appointment(cells[2])
    except ValueError:
        return False
    return (sum(other[0].strip().casefold() == key for other in rows) == 1
            and cells[4].lower() in ("", "large-print", "standard") and cells[5] != "nope")


def start_lines(text: str, header, rows, delimiter, newline, join) -> list[int]:
    """The line each row starts on in `text`."""
    lines, offset = [], len(join([header], delimiter, newline))
    for cells in rows:
        lines.append(len(LINE_BREAK.findall(text[:offset])) + 1)
        offset += len(join([cells], delimiter, newline))
    return lines


def owner(line: int, starts: list[int]) -> int:
    """The index of the generated row that `line` is part of."""
    return max(i for i, start in enumerate(starts) if start <= line)


def check(read, text, header, rows, delimiter, newline, join) -> None:
    markers = [f"Q{MARKERS[i]}Q" for i in range(len(rows))]
    starts = start_lines(text, header, rows, delimiter, newline, join)
    seen = [row.number for row in read.rows] + [problem.number for problem in read.problems]
    assert len(seen) == len(set(seen))
    for problem in read.problems:
        assert_clean_message(str(problem), markers)
    keys = [row.patient_id.casefold() for row in read.rows]
    assert len(keys) == len(set(keys))  # no two accepted rows share an id, whatever its letter case
    for row in read.rows:
        # Never another row's name: a row holds no marker, or the one of the generated row its line belongs to.
        values = " ".join([row.patient_id, row.name, row.preferred_name, row.layout, *row.documents])
        assert [m for m in markers if m in values] in ([], [markers[owner(row.number, starts)]])
    # Rows read exactly as they were meant (no separator, quote or line break in any cell) are never lost or
    # altered: they come back with exactly their own values, or as a problem of their own row.
    by_number = {row.number: row for row in read.rows} | {p.number: p for p in read.problems}

    def plain(cells):
        return not any(ch in cell for cell in cells for ch in (delimiter, '"', "\r", "\n"))

    for i, (start, cells) in enumerate(zip(starts, rows)):
        if join is raw_joined and not plain(cells):
            continue
        # A line break may have cut the row above short; the row after a short row is not trusted.
        after_broken = join is raw_joined and i > 0 and not plain(rows[i - 1])
        got = by_number[start]
        if isinstance(got, RosterRow):
            assert (got.patient_id, got.name, got.appointment, got.preferred_name) == own_values(cells)
        else:
            assert after_broken or not is_valid(cells, rows), got
    if join is quoted:  # every row is accounted for
        assert sorted(seen) == starts


def written_and_read(rules, folder, roster, join):
    """The roster written with `join` (properly quoted or raw-joined), and what reading it gave."""
    header, rows, delimiter, newline = roster
    text = join([header] + rows, delimiter, newline)
    return text, outcome(folder, text, rules, [f"Q{m}Q" for m in MARKERS])


@SETTINGS
@given(roster=rosters())
def test_properly_quoted_rosters_come_back_exactly_or_are_refused(rules, folder, roster):
    text, read = written_and_read(rules, folder, roster, quoted)
    breaks = any(LINE_BREAK.search(cell) for cells in roster[1] for cell in cells)
    assert (read is None) == breaks  # a line break in a cell refuses the file; nothing else does
    if read is not None:
        check(read, text, *roster, quoted)


@SETTINGS
@given(roster=rosters())
def test_raw_joined_rosters_never_mix_rows(rules, folder, roster):
    text, read = written_and_read(rules, folder, roster, raw_joined)
    if read is None:
        return
    check(read, text, *roster, raw_joined)
    # Nothing vanishes: every line that holds anything is a row or a problem.
    lines = io.StringIO(text, newline="").readlines()[1:]
    filled = [n for n, line in enumerate(lines, start=2)
              if any(clean_value(cell).strip() for cell in next(csv.reader([line], delimiter=roster[2]), []))]
    assert sorted(row.number for row in read.rows + read.problems) == filled
