import pytest
from conftest import raised

from handouts.errors import InputError
from handouts.jobs.batch import row_rules
from handouts.load.roster import Roster, RosterRow, RowProblem


@pytest.fixture(scope="module")
def rules(project):
    return row_rules(project)


def read(path, rules):
    return list(Roster(path).rows(rules))


GOOD = [["P1", "Jack Smith", "2026-12-03 09:30", "Jack", "large-print", ""]]


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
                              ("fibromyalgia-ketamine", "infusion-day-checklist"), "", "en-US")]
    assert rows[0].appointment.isoformat() == "2026-12-03T09:30:00"


def test_extra_columns_and_defaults(write_roster, rules):
    path = write_roster([["X", "P9", "Ana", "2026-12-03T14:05", "ana@example.test"]],
                        header=["notes", "patient_id", "name", "appointment", "email"])
    (row,) = read(path, rules)
    assert (row.preferred_name, row.layout, row.email) == ("Ana", "standard", "ana@example.test")


def test_documents_column_chooses_documents(write_roster, rules):
    path = write_roster([["P1", "A", "2026-12-03 09:30", "", "", " infusion-day-checklist ; "]])
    assert read(path, rules)[0].documents == ("infusion-day-checklist",)


@pytest.mark.parametrize("row,field,reason", [
    (["", "A", "2026-12-03 09:30", "", "", ""], "patient_id", "is empty"),
    (["P1", " ", "2026-12-03 09:30", "", "", ""], "name", "is empty"),
    (["P1", "A", "03/12/2026 9:30", "", "", ""], "appointment", "is not a date and time like"),
    (["P1", "A", "2026-02-30 09:00", "", "", ""], "appointment", "is not a real date and time"),
    (["P1", "A", "2026-12-03 25:00", "", "", ""], "appointment", "is not a real date and time"),
    (["P1", "A", "2026-12-03 09:30", "", "poster", ""], "layout", "'poster' is unknown"),
    (["P1", "A", "2026-12-03 09:30", "", "", "leaflet"], "documents", "'leaflet' is unknown"),
    (["P1", "王小明", "2026-12-03 09:30", "", "", ""], "name", "fonts cannot draw (U+738B, U+5C0F"),
    (["P1", "A", "2026-12-03 09:30", "🙂", "", ""], "preferred_name", "fonts cannot draw (U+1F642)"),
])
def test_each_bad_row_kind(write_roster, rules, row, field, reason):
    (problem,) = read(write_roster([row]), rules)
    assert isinstance(problem, RowProblem)
    assert (problem.number, problem.field) == (2, field)
    assert reason in problem.reason
    assert "王" not in str(problem) and "🙂" not in str(problem)  # names never in messages


def test_duplicate_patient_id(write_roster, rules):
    rows = read(write_roster([GOOD[0], ["P1", "Other", "2026-12-04 09:30", "", "", ""]]), rules)
    assert isinstance(rows[0], RosterRow)
    assert isinstance(rows[1], RowProblem) and rows[1].number == 3 and "appears twice" in rows[1].reason


def test_unsupported_language(write_roster, rules):
    path = write_roster([["P1", "A", "2026-12-03 09:30", "es"]], header=["patient_id", "name", "appointment", "language"])
    (problem,) = read(path, rules)
    assert problem.field == "language"


def test_values_are_cleaned_to_nfc_without_invisible_characters(write_roster, rules):
    (row,) = read(write_roster([["P1", "Zoe\u0308\u200b Smith", "2026-12-03 09:30", "", "", ""]]), rules)
    assert row.name == "Zoë Smith"


@pytest.mark.parametrize("content,message", [
    (b"", "the roster is empty"),
    (b"\n\n", "the roster is empty"),
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
