import csv
import unicodedata
from pathlib import Path

import pytest
from conftest import DATA, raised, run

from handouts.errors import InputError
from handouts.batch.plan import row_rules
from handouts.load.dates import parse_appointment
from handouts.load.roster import MAX_CELL, Roster, RosterRow, RowProblem

ROSTERS = DATA / "rosters"
BIDI = set("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
# The (fictional) patients' values used below and in tests/data/rosters: no message may hold one.
PATIENT_VALUES = ("Ana", "Núñez", "NÚÑEZ", "Nunez", "Bruno", "Okafor", "Carla", "Ivanova", "Dana", "Dee",
                  "Whitfield", "Smith", "John", "Jack", "Secret", "poster", "leaflet", "huge", "03/12/2026",
                  "2026-02-30", "2026-12-03 25:00", "0026-12-03", "3026-12-03", "王", "🙂", "large\x1b")


@pytest.fixture(scope="module")
def rules(project):
    return row_rules(project)


def read(path, rules):
    return list(Roster(path).rows(rules))


def assert_safe_message(text: str, values=PATIENT_VALUES) -> None:
    """No patient value, and nothing a terminal acts on or that reorders the line."""
    leaked = [value for value in values if value in text]
    assert not leaked, f"{leaked} in {text!r}"
    assert not any(ch in BIDI or unicodedata.category(ch) in ("Cc", "Cf") for ch in text), repr(text)


def assert_safe_output(text: str) -> None:
    for line in text.splitlines():
        assert_safe_message(line)


def problems_of(rows) -> list[RowProblem]:
    return [row for row in rows if isinstance(row, RowProblem)]


def write(tmp_path, text: str, name="roster.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8"))
    return path


GOOD = [["P1", "Jack Smith", "2026-12-03 09:30", "Jack", "large-print", ""]]


# -- what keeps working ----------------------------------------------------------

@pytest.mark.parametrize("variant", [
    dict(),
    dict(bom=True),
    dict(newline="\r\n"),
    dict(delimiter=";"),
    dict(delimiter=";", bom=True, newline="\r\n"),
    dict(header=[" Patient_ID ", "NAME", "Appointment ", "Preferred Name", "Layout", "Documents"]),
])
def test_spreadsheet_export_variants(write_roster, rules, variant):
    rows = read(write_roster(GOOD, **variant), rules)
    assert rows == [RosterRow(2, "P1", "Jack Smith", "Jack", rows[0].appointment, "large-print",
                              ("infusion-day-checklist", "fibromyalgia-ketamine"), "", "en-US")]
    assert rows[0].appointment.isoformat() == "2026-12-03T09:30:00"


def test_extra_columns_and_defaults(write_roster, rules):
    path = write_roster([["X", "P9", "Ana", "2026-12-03T14:05", "ana@example.test"]],
                        header=["notes", "patient_id", "name", "appointment", "email"])
    (row,) = read(path, rules)
    assert (row.preferred_name, row.layout, row.email) == ("Ana", "standard", "ana@example.test")


def test_documents_column_chooses_documents(write_roster, rules):
    path = write_roster([["P1", "A", "2026-12-03 09:30", "", "", " infusion-day-checklist ; "]])
    assert read(path, rules)[0].documents == ("infusion-day-checklist",)


def test_quoted_commas_semicolons_and_quotes_are_values(tmp_path, rules):
    path = tmp_path / "roster.csv"
    with open(path, "w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows([["patient_id", "name", "appointment", "preferred_name"],
                                      ["P1", 'Smith, "Jack"; Jr.', "2026-12-03 09:30", "Jack, J"]])
    (row,) = read(path, rules)
    assert (row.name, row.preferred_name) == ('Smith, "Jack"; Jr.', "Jack, J")


@pytest.mark.parametrize("row,field,reason", [
    (["", "Ana", "2026-12-03 09:30", "", "", ""], "patient_id", "is empty"),
    (["P1", " ", "2026-12-03 09:30", "", "", ""], "name", "is empty"),
    (["P1", "Ana", "03/12/2026 9:30", "", "", ""], "appointment", "is not a date and time like"),
    (["P1", "Ana", "2026-02-30 09:00", "", "", ""], "appointment", "is not a real date and time"),
    (["P1", "Ana", "2026-12-03 25:00", "", "", ""], "appointment", "is not a real date and time"),
    (["P1", "Ana", "0026-12-03 09:30", "", "", ""], "appointment", "year outside 1900 to 2999"),
    (["P1", "Ana", "3026-12-03 09:30", "", "", ""], "appointment", "year outside 1900 to 2999"),
    (["P1", "Ana", "2026-12-03 09:30", "", "poster", ""], "layout", "is not a layout; use one of: extra-large"),
    (["P1", "Ana", "2026-12-03 09:30", "", "", "leaflet"], "documents", "document 1 of 1 is not one of ours"),
    (["P1", "王小明", "2026-12-03 09:30", "", "", ""], "name", "cannot draw (3 different, the first at character 1)"),
    (["P1", "Ana", "2026-12-03 09:30", "Ana 🙂", "", ""], "preferred_name", "the first at character 5"),
])
def test_each_bad_row_kind(write_roster, rules, row, field, reason):
    (problem,) = read(write_roster([row]), rules)
    assert isinstance(problem, RowProblem)
    assert (problem.number, problem.field) == (2, field)
    assert reason in problem.reason
    assert_safe_message(str(problem))


def test_unsupported_language(write_roster, rules):
    path = write_roster([["P1", "A", "2026-12-03 09:30", "fr-CA"]], header=["patient_id", "name", "appointment",
                                                                            "language"])
    (problem,) = read(path, rules)
    assert problem.field == "language" and "fr-CA" not in str(problem) and "en-US" in problem.reason


def test_values_are_cleaned_to_nfc_without_invisible_characters(write_roster, rules):
    (row,) = read(write_roster([["P1", "Zoe\u0308\u200b Smith", "2026-12-03 09:30", "", "", ""]]), rules)
    assert row.name == "Zoë Smith"


@pytest.mark.parametrize("content,message", [
    (b"", "the roster is empty"),
    (b"\n\n", "the roster is empty"),
    (b"\npatient_id,name,appointment\nP1,A,2026-12-03 09:30\n", "row 1 is blank"),
    (b"name,appointment\nA,2026-12-03 09:30\n", "has no 'patient_id' column"),
    ("patient_id,name,appointment\nP1,Jos\xe9,2026-12-03 09:30\n".encode("cp1252"), "is not UTF-8"),
    (b"%PDF-1.7\n\x00\x01\x02binary", "not a CSV text file"),
])
def test_file_level_problems(tmp_path, content, message):
    path = tmp_path / "roster.csv"
    path.write_bytes(content)
    with pytest.raises(InputError, match=message):
        Roster(path)


def test_missing_column_points_at_the_header(tmp_path):
    path = tmp_path / "roster.csv"
    path.write_bytes(b"name,appointment\nA,2026-12-03 09:30\n")
    finding = raised(Roster, path).finding
    assert (finding.source, finding.line, finding.rule, finding.key) == (
        str(path), 1, "roster-missing-column", "patient_id")
    assert "patient_id, name, appointment" in finding.hint
    assert "missing: patient_id" in finding.message and "2 cell(s)" in finding.message


def test_missing_roster(tmp_path):
    with pytest.raises(InputError, match="roster not found"):
        Roster(tmp_path / "nope.csv")


def test_the_roster_file_is_read_once(write_roster, rules):
    """Later passes read what was read first: a file changed or removed afterwards changes nothing."""
    path = write_roster(GOOD)
    roster = Roster(path)
    path.unlink()
    read = roster.read(rules)
    assert [row.patient_id for row in read.rows] == ["P1"] and read.problems == [] and read.total == 1


# -- 1. an unbalanced quote swallowed the rows after it ---------------------------

def test_an_unclosed_quote_refuses_the_file_at_the_line_it_opens(tmp_path, rules):
    path = write(tmp_path, 'patient_id,name,appointment\nP0,Bruno Okafor,2026-12-03 10:30\n'
                           'P1,"Ana Núñez,2026-12-03 09:30\nP2,Carla Ivanova,2026-12-03 11:30\n')
    finding = raised(Roster, path).finding
    assert isinstance(raised(Roster, path), InputError)
    assert (finding.source, finding.line, finding.rule) == (str(path), 3, "roster-unclosed-quote")
    assert "close the quote" in finding.hint and "column B" in finding.message
    assert_safe_message(str(finding))


def test_an_unclosed_quote_exits_2_and_writes_nothing(capsys, tmp_path):
    path = write(tmp_path, 'patient_id,name,appointment\nP1,"Ana Núñez,2026-12-03 09:30\n'
                           'P2,Bruno Okafor,2026-12-03 10:30\n')
    code, out, err = run(capsys, "packets", str(path), "--out", str(tmp_path / "out"), "--quiet")
    assert code == 2 and f"{path}:2:" in err and "quote" in err
    assert not (tmp_path / "out").exists() or not list((tmp_path / "out").iterdir())
    assert_safe_output(out + err)


def test_a_line_break_inside_a_quoted_cell_is_refused_too(tmp_path):
    path = write(tmp_path, 'patient_id,name,appointment\nP1,"Ana\nNúñez",2026-12-03 09:30\n')
    finding = raised(Roster, path).finding
    assert (finding.line, finding.rule) == (2, "roster-unclosed-quote")


def test_an_unclosed_quote_on_the_last_line_is_a_row_problem(tmp_path, rules):
    path = write(tmp_path, 'patient_id,name,appointment\nP2,Bruno Okafor,2026-12-03 10:30\n'
                           'P1,"Ana Núñez,2026-12-03 09:30')
    good, bad = read(path, rules)
    assert good.name == "Bruno Okafor"
    assert (bad.number, bad.field) == (3, "cells") and "has 2 cells but the header has 3" in bad.reason
    assert_safe_message(str(bad))


def test_a_line_break_outside_quotes_refuses_both_halves_without_their_values(tmp_path, rules):
    """The half after the break starts with the rest of a value: it must not pass for a row with its own id."""
    path = write(tmp_path, "patient_id,name,appointment\nP1,Ana\nNunez,2026-12-03 09:30\n"
                           "P2,Bruno Okafor,2026-12-03 10:30\n")
    first, second, good = read(path, rules)
    assert (first.number, first.field, second.number, second.field) == (2, "cells", 3, "cells")
    assert "comes right after row 2" in second.reason
    assert str(second).startswith("row 3 (patient_id unclear)")
    for problem in (first, second):
        assert_safe_message(str(problem))
    assert good.name == "Bruno Okafor"


def test_a_row_after_a_short_row_is_not_trusted(tmp_path, rules):
    path = write(tmp_path, "patient_id,name,appointment,layout\nP1,Ana\n\nNunez,2026-12-03 09:30,large-print,x\n"
                           "P2,Bruno Okafor,2026-12-03 10:30,standard\n")
    problems = read(path, rules)
    assert [(p.number, p.field) for p in problems[:2]] == [(2, "cells"), (4, "cells")]
    assert isinstance(problems[2], RosterRow)


# -- 2. an unquoted comma shifted the columns --------------------------------------

def test_an_unquoted_comma_is_a_row_problem_that_names_no_value(tmp_path, rules):
    path = write(tmp_path, "patient_id,name,appointment\nP1,Smith, John,2026-12-03 09:30\n"
                           "P2,Bruno Okafor,2026-12-03 10:30\n")
    bad, good = read(path, rules)
    assert isinstance(bad, RowProblem) and (bad.number, bad.field) == (2, "cells")
    assert "has 4 cells but the header has 3" in bad.reason and "unquoted comma" in bad.reason
    assert str(bad).startswith("row 2 (patient_id unclear): cells: ")  # the id cell of a misaligned row is not trusted
    assert_safe_message(str(bad))
    assert good.name == "Bruno Okafor"


def test_an_unquoted_semicolon_in_a_semicolon_roster(tmp_path, rules):
    path = write(tmp_path, "patient_id;name;appointment\nP1;Smith; John;2026-12-03 09:30\n")
    (bad,) = read(path, rules)
    assert bad.field == "cells" and "unquoted semicolon" in bad.reason
    assert_safe_message(str(bad))


def test_a_shifted_row_ends_in_the_cli_without_the_name(capsys, tmp_path):
    path = write(tmp_path, "patient_id,name,appointment\nP1,Smith, John,2026-12-03 09:30\n")
    code, out, err = run(capsys, "packets", str(path), "--out", str(tmp_path / "out"), "--quiet", "--jobs", "1")
    assert code == 1 and "row 2" in err and "4 cells" in err
    assert_safe_output(out + err)


def test_rows_with_fewer_cells_than_the_header(tmp_path, rules):
    path = write(tmp_path, "patient_id,name,appointment,layout\nP1,Ana Núñez,2026-12-03 09:30\n")
    (bad,) = read(path, rules)
    assert bad.field == "cells" and "has 3 cells but the header has 4" in bad.reason


def test_trailing_empty_cells_beyond_the_header_are_refused(tmp_path, rules):
    """Spreadsheets write every row, header included, with the same number of cells: a row wider than its header
    comes from an unquoted separator, even when the cells it pushed out are empty."""
    path = write(tmp_path, "patient_id,name,appointment\nP1,Ana,2026-12-03 09:30,,\n")
    (bad,) = read(path, rules)
    assert bad.field == "cells" and "has 5 cells but the header has 3" in bad.reason


def test_a_header_with_trailing_empty_cells_takes_rows_as_wide(tmp_path, rules):
    path = write(tmp_path, "patient_id,name,appointment,,\nP1,Ana,2026-12-03 09:30,,\nP2,Bea,2026-12-03 10:30,\n")
    assert [row.name for row in read(path, rules)] == ["Ana", "Bea"]


@pytest.mark.parametrize("cells,field", [
    (["P1", "Ana Núñez 2026-12-03 09:30", "2026-12-03 09:30"], "name"),
    (["P1", "Ana Núñez P2", "2026-12-03 09:30", "Bruno, 2026-12-04"], "preferred_name"),
    (["P1 2026-12-03 09:30", "Ana", "2026-12-03 09:30"], "patient_id"),
    (["P1", "Ana", "2026-12-03 09:30", "", "ana@example.test;P2,2026-12-04"], "email"),
])
def test_a_cell_holding_another_records_shape_is_refused(tmp_path, rules, cells, field):
    header = ["patient_id", "name", "appointment", "preferred_name", "email"][:len(cells)]
    path = tmp_path / "roster.csv"
    with open(path, "w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows([header, cells])
    (bad,) = read(path, rules)
    assert isinstance(bad, RowProblem) and bad.field == field and "holds a date" in bad.reason
    assert_safe_message(str(bad))


# -- 3. header and file shape -------------------------------------------------------

def test_duplicate_columns_are_a_file_error_naming_both(tmp_path):
    path = write(tmp_path, "patient_id,Name,appointment, NAME \nP1,Ana Núñez,2026-12-03 09:30,Bruno Okafor\n")
    error = raised(Roster, path)
    assert isinstance(error, InputError)
    finding = error.finding
    assert (finding.line, finding.rule, finding.key) == (1, "roster-duplicate-column", "name")
    assert "columns B (2) and D (4)" in finding.message
    assert_safe_message(str(finding))


def test_a_repeated_column_the_roster_does_not_use_is_ignored(tmp_path, rules):
    path = write(tmp_path, "notes,patient_id,name,appointment,Notes\nx,P1,Ana,2026-12-03 09:30,y\n")
    assert [row.name for row in read(path, rules)] == ["Ana"]


@pytest.mark.parametrize("text", ["patient_id,name,appointment\n", "patient_id,name,appointment\n\n , ,\n"])
def test_a_header_only_roster_is_a_file_error(tmp_path, text):
    finding = raised(Roster, write(tmp_path, text)).finding
    assert (finding.rule, finding.line) == ("roster-no-rows", 1)


def test_a_header_only_roster_exits_2(capsys, tmp_path):
    code, _, err = run(capsys, "packets", str(write(tmp_path, "patient_id,name,appointment\n")),
                       "--out", str(tmp_path / "out"), "--quiet")
    assert code == 2 and "no patient rows" in err


def test_a_field_over_the_csv_limit_is_an_input_error_naming_the_line(tmp_path):
    path = write(tmp_path, "patient_id,name,appointment\nP0,Bruno Okafor,2026-12-03 10:30\n"
                           f"P1,{'Ana Núñez ' * 14000},2026-12-03 09:30\n")
    error = raised(Roster, path)
    assert isinstance(error, InputError)
    assert (error.finding.line, error.finding.rule) == (3, "roster-value-too-long")
    assert_safe_message(str(error.finding))


def test_a_field_over_the_csv_limit_exits_2_not_70(capsys, tmp_path):
    path = write(tmp_path, f'patient_id,name,appointment\nP1,"{"x" * 140_000}\n')
    code, _, err = run(capsys, "packets", str(path), "--out", str(tmp_path / "out"), "--quiet")
    assert code == 2 and "internal error" not in err and f"{path}:2:" in err


def test_a_cell_longer_than_any_sane_value_is_a_row_problem(tmp_path, rules):
    path = write(tmp_path, f"patient_id,name,appointment\nP1,{'Ana ' * 300},2026-12-03 09:30\n"
                           f"P2,{'b' * MAX_CELL},2026-12-03 09:30\n")
    bad, good = read(path, rules)
    assert (bad.field, bad.number) == ("name", 2) and f"longer than {MAX_CELL}" in bad.reason
    assert isinstance(good, RosterRow)
    assert_safe_message(str(bad))


def test_a_roster_without_a_header_names_no_value(tmp_path):
    path = write(tmp_path, "P1,Ana Núñez,2026-12-03 09:30\nP2,Bruno Okafor,2026-12-03 10:30\n")
    finding = raised(Roster, path).finding
    assert finding.rule == "roster-missing-column" and "3 cell(s)" in finding.message
    assert "missing: patient_id, name, appointment" in finding.message
    assert "looks like a patient's row" in finding.hint
    assert_safe_message(str(finding) + "P1")  # not even the id


# -- ids ------------------------------------------------------------------------------

def test_many_rows_sharing_an_id_are_listed_briefly(tmp_path, rules):
    text = "patient_id,name,appointment\n" + "".join(f"P1,Name {i},2026-12-03 09:30\n" for i in range(40))
    problems = read(write(tmp_path, text), rules)
    assert len(problems) == 40 and all(isinstance(p, RowProblem) for p in problems)
    assert "rows 2, 3, 4, 5, 6, 7, 8, 9 and 32 more share a patient_id" in problems[-1].reason


def test_duplicate_ids_are_reported_on_every_row_that_shares_one(write_roster, rules):
    rows = read(write_roster([GOOD[0], ["P2", "Bruno Okafor", "2026-12-04 09:30", "", "", ""],
                              ["P1", "Carla Ivanova", "2026-12-04 09:30", "", "", ""]]), rules)
    assert [type(row) for row in rows] == [RowProblem, RosterRow, RowProblem]
    for problem in problems_of(rows):
        assert problem.field == "patient_id" and "rows 2 and 4 share a patient_id" in problem.reason
        assert_safe_message(str(problem))


def test_ids_that_differ_only_in_letter_case_are_duplicates(write_roster, rules):
    rows = read(write_roster([["P1", "Ana", "2026-12-03 09:30", "", "", ""],
                              ["p1", "Bea", "2026-12-03 09:30", "", "", ""],
                              ["P3", "Cy", "2026-12-03 09:30", "", "", ""],
                              ["P1", "Dan", "2026-12-03 09:30", "", "", ""]]), rules)
    assert [row.number for row in problems_of(rows)] == [2, 3, 5]
    assert "rows 2, 3 and 5 share a patient_id (written with different letter case)" in rows[0].reason


def test_a_blank_id_is_a_row_problem(tmp_path, rules):
    bad, _ = read(write(tmp_path, "patient_id,name,appointment\n \u200b,Ana,2026-12-03 09:30\n"
                                  "P2,Bea,2026-12-03 09:30\n"), rules)
    assert (bad.field, str(bad).split(":")[0]) == ("patient_id", "row 2 (no patient_id)")


@pytest.mark.parametrize("patient_id,shown", [
    ("P-001_a", True), ("A" * 31 + "1", True), ("A" * 32 + "1", False), ("Ana Núñez", False), ("NÚÑEZ", False),
    ("Smith", False),  # a word, like a surname that ran into the id column: never echoed
    ("P1\u202e", False), ("P1\x1b[31m", False), ("P1;x", False), ("", False),
])
def test_an_id_is_shown_only_when_it_is_plainly_an_id(patient_id, shown):
    text = str(RowProblem(4, patient_id, "name", "is empty"))
    assert (f"patient_id {patient_id})" in text) == shown
    if not shown:
        assert text.startswith("row 4 (" + ("patient_id not shown)" if patient_id else "no patient_id)"))
        assert_safe_message(text, [v for v in (patient_id, "Núñez") if v])


def test_row_problem_messages_are_sanitised_whoever_writes_them():
    text = str(RowProblem(7, "P7", "packet\u202e", "bad \x1b[2J thing\u2066 \u200f\u061c\x9b"))
    assert_safe_message(text)
    assert "\\x1b" in text and "\\u202e" in text


def test_text_direction_controls_in_cells_are_row_problems(tmp_path, rules):
    (bad,) = read(write(tmp_path, "patient_id,name,appointment\nP1,Ana N\u202eúñez,2026-12-03 09:30\n"), rules)
    assert bad.field == "name" and "text-direction" in bad.reason


def test_file_messages_are_sanitised_too(tmp_path):
    path = tmp_path / "ros\u202eter\x1b.csv"
    path.write_bytes(b"patient_id,name,appointment\n")
    finding = raised(Roster, path).finding
    assert_safe_message(str(finding))
    assert "\\u202e" in finding.source


# -- 4. messages never echo a value ------------------------------------------------------

@pytest.mark.parametrize("value,reason", [
    ("Ana Núñez", "is not a date and time like 2026-12-03 09:30"),
    ("2026-02-30 09:00", "is not a real date and time (day is out of range for month)"),
    ("2026-12-03 25:00", "is not a real date and time (hour must be in 0..23)"),
    ("0026-12-03 09:30", "has a year outside 1900 to 2999"),
    ("3026-12-03 09:30", "has a year outside 1900 to 2999"),
    ("２０２６-１２-０３ ０９:３０", "is not a date and time like"),  # only ASCII digits
    ("2026-12-03 09:30\n", None),
])
def test_parse_appointment_never_repeats_the_value(value, reason):
    if reason is None:
        assert parse_appointment(value).isoformat() == "2026-12-03T09:30:00"
        return
    with pytest.raises(ValueError) as info:
        parse_appointment(value)
    assert reason in str(info.value)
    assert value.strip() not in str(info.value) and "Núñez" not in str(info.value)


def test_no_row_problem_quotes_its_cell(tmp_path, rules):
    header = "patient_id,name,appointment,preferred_name,layout,documents,language\n"
    rows = [
        "P1,Ana Núñez,Ana Núñez,,,,",
        "P2,Bruno Okafor,2026-12-03 10:30,,Bruno Okafor,,",
        "P3,Carla Ivanova,2026-12-03 10:30,,,Carla Ivanova,",
        "P4,Dana Whitfield,2026-12-03 10:30,,,,Dana Whitfield",
        "P5,Dana Whitfield,2026-12-03 10:30,王小明,,,",
    ]
    problems = read(write(tmp_path, header + "\n".join(rows) + "\n"), rules)
    assert [p.field for p in problems] == ["appointment", "layout", "documents", "language", "preferred_name"]
    for problem in problems:
        assert_safe_message(str(problem))


# -- the hostile corpus -------------------------------------------------------------------

ERROR = "error"
CORPUS = {  # file: (ERROR, rule, line) or [(row number, field of its problem or None for a good row)]
    "unclosed_quote.csv": (ERROR, "roster-unclosed-quote", 2),
    "unclosed_quote_crlf.csv": (ERROR, "roster-unclosed-quote", 3),
    "line_break_in_cell.csv": (ERROR, "roster-unclosed-quote", 2),
    "duplicate_columns.csv": (ERROR, "roster-duplicate-column", 1),
    "header_only.csv": (ERROR, "roster-no-rows", 1),
    "no_header.csv": (ERROR, "roster-missing-column", 1),
    "unclosed_quote_at_end.csv": [(2, None), (3, "cells")],
    "line_break_outside_quotes.csv": [(2, "cells"), (3, "cells"), (4, None), (5, "cells"), (6, "cells"), (7, None)],
    "unquoted_comma.csv": [(2, None), (3, "cells"), (4, None)],
    "unquoted_semicolon.csv": [(2, "cells"), (3, None)],
    "short_row.csv": [(2, None), (3, "cells")],
    "extra_empty_cells.csv": [(2, "cells"), (3, None)],
    "spreadsheet_trailing_columns.csv": [(2, None), (3, None)],
    "spreadsheet_export.csv": [(2, None)],
    "duplicate_unused_columns.csv": [(2, None)],
    "duplicate_ids.csv": [(2, "patient_id"), (3, "patient_id"), (4, "patient_id"), (5, "patient_id")],
    "blank_id.csv": [(2, "patient_id"), (3, None)],
    "record_in_a_cell.csv": [(2, "name"), (3, "name")],
    "implausible_year.csv": [(2, "appointment"), (3, "appointment"), (4, None)],
    "values_in_wrong_columns.csv": [(2, "appointment"), (3, "layout"), (4, "documents"), (5, "language")],
    "bidi_and_escapes.csv": [(2, "patient_id"), (3, "layout"), (4, "layout")],
}


def test_every_corpus_file_has_an_expectation():
    assert sorted(p.name for p in ROSTERS.glob("*.csv")) == sorted(CORPUS)


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_hostile_corpus(rules, name):
    expected = CORPUS[name]
    path = ROSTERS / name
    if expected[0] == ERROR:
        error = raised(Roster, path)
        assert isinstance(error, InputError)
        finding = error.finding
        assert (finding.source, finding.rule, finding.line) == (str(path), expected[1], expected[2])
        assert_safe_message(str(finding))
        return
    rows = read(path, rules)
    assert [(row.number, row.field if isinstance(row, RowProblem) else None) for row in rows] == expected
    names_by_line = {n: line for n, line in enumerate(path.read_text(encoding="utf-8-sig").splitlines(), 1)}
    for row in rows:
        if isinstance(row, RowProblem):
            assert_safe_message(str(row))
        else:  # a good row holds only what its own line holds
            assert row.name.split(";")[0].strip('"') in names_by_line[row.number]
