"""The clinic profile's roster mapping, checked (issue 20, item 7): an export column feeds one of our columns once,
the id column holds ids and the name columns names, and value maps turn an export's words into layouts and
languages, never silently into the default."""

import pytest
from conftest import DATA, REPO, raised
from test_roster import assert_safe_message

from handouts.errors import InputError, ProfileError
from handouts.batch.plan import row_rules
from handouts.load.profile import read_profile
from handouts.load.project import Project
from handouts.load.roster import Roster, RosterRow, RowProblem

# The fictional patients' values below: no message may hold one.
VALUES = ("Ana", "Lopez", "Bruno", "Okafor", "Carla", "Ivanova", "ana@example.test", "bo@example.test",
          "ci@example.test", "Braille", "Klingon")


@pytest.fixture(scope="module")
def rules(project):
    return row_rules(project)


def profile(tmp_path, roster_section: str):
    """A clinic profile file with `roster_section` (YAML, starting at 'roster:') after the test clinic's lines."""
    path = tmp_path / "clinic.yaml"
    path.write_text((DATA / "clinic.yaml").read_text(encoding="utf-8") + roster_section, encoding="utf-8")
    return path


def line_of(path, text: str) -> int:
    """The line of the first key `text` in the file's roster section."""
    lines = path.read_text(encoding="utf-8").splitlines()
    start = lines.index("roster:")
    return next(n for n, line in enumerate(lines, 1) if n > start and line.strip().startswith(text))


def export(tmp_path, header: list[str], *rows: list[str]):
    path = tmp_path / "export.csv"
    path.write_text("\n".join(",".join(cells) for cells in [header, *rows]) + "\n", encoding="utf-8")
    return path


def read_export(tmp_path, section: str, header, *rows, rules=None):
    _, roster_format = read_profile(profile(tmp_path, section))
    roster = Roster(export(tmp_path, header, *rows), roster_format)
    return list(roster.rows(rules)) if rules is not None else roster


# -- one export column, one field -------------------------------------------------------------------------------

@pytest.mark.parametrize("section, key, words", [
    ("roster:\n  columns:\n    name: [First Name, First Name]\n", "roster.columns.name",
     "names the column 'First Name' twice"),
    ("roster:\n  columns:\n    patient_id: Email\n    email: Email\n", "roster.columns.email",
     "reads the column 'Email' for both 'patient_id' and 'email'"),
])
def test_an_export_column_mapped_twice_is_a_profile_error_at_its_line(tmp_path, section, key, words):
    path = profile(tmp_path, section)
    finding = raised(read_profile, path).finding
    assert isinstance(raised(read_profile, path), ProfileError)
    assert (finding.source, finding.key, finding.rule) == (str(path), key, "profile-roster")
    assert finding.line == line_of(path, key.rsplit(".", 1)[1] + ":")
    assert words in finding.message and finding.hint


def test_a_first_name_column_may_give_the_name_and_the_name_the_patient_goes_by(tmp_path, rules):
    (row,) = read_export(tmp_path, "roster:\n  columns:\n    name: [First Name, Last Name]\n"
                                   "    preferred_name: First Name\n",
                         ["patient_id", "First Name", "Last Name", "appointment"],
                         ["M100", "Ana", "Lopez", "2026-12-01 09:30"], rules=rules)
    assert (row.name, row.preferred_name) == ("Ana Lopez", "Ana")


def test_a_column_read_for_two_fields_through_its_own_name_is_refused(tmp_path):
    """`patient_id: Email` while the export has an `Email` column, which our `email` reads by its own name."""
    error = raised(read_export, tmp_path, "roster:\n  columns:\n    patient_id: Email\n",
                   ["Email", "Name", "Appointment"], ["M100", "Ana Lopez", "2026-12-01 09:30"])
    assert isinstance(error, InputError)
    finding = error.finding
    assert (finding.rule, finding.line) == ("roster-column-twice", 1)
    assert "column A (1) would be read for both 'email' and 'patient_id'" in finding.message
    assert "roster.columns" in finding.hint


# -- the id column holds ids, the name columns names ---------------------------------------------------------

HEADER = ["MRN", "First Name", "Last Name", "Full Name", "Contact", "Appt"]
ROWS = [["M100", "Ana", "Lopez", "Ana Lopez", "ana@example.test", "2026-12-01 09:30"],
        ["M101", "Bruno", "Okafor", "Bruno Okafor", "bo@example.test", "2026-12-02 09:30"],
        ["M102", "Carla", "Ivanova", "Carla Ivanova", "ci@example.test", "2026-12-03 09:30"]]


@pytest.mark.parametrize("columns, key, named, holds", [
    ("patient_id: Full Name\n    name: [First Name, Last Name]", "patient_id", "'Full Name'", "a space or an @"),
    ("patient_id: Contact\n    name: Full Name", "patient_id", "'Contact'", "a space or an @"),
    ("patient_id: Full Name\n    name: MRN", "patient_id", "'Full Name'", "not an id"),
    ("patient_id: Contact\n    name: MRN", "patient_id", "'Contact'", "not an id"),
    ("patient_id: Account\n    name: MRN", "name", "'MRN'", "digits and no space"),
    ("patient_id: Account\n    name: Contact", "name", "'Contact'", "an @ (like an e-mail address)"),
    ("patient_id: Account\n    name: Full Name\n    preferred_name: Contact", "preferred_name", "'Contact'",
     "an @ (like an e-mail address)"),
    ("patient_id: Account\n    name: Full Name\n    preferred_name: MRN", "preferred_name", "'MRN'",
     "digits and no space"),
])
def test_a_column_that_holds_another_kind_of_value_is_refused_by_name(tmp_path, columns, key, named, holds):
    """An id column holding names or addresses, a name column holding ids or addresses: named, never shown."""
    header = ["Account", *HEADER]
    rows = [[f"A{i}", *row] for i, row in enumerate(ROWS)]
    section = f"roster:\n  columns:\n    {columns}\n    appointment: Appt\n"
    finding = raised(read_export, tmp_path, section, header, *rows).finding
    assert (finding.rule, finding.key, finding.line) == ("roster-column-kind", key, 1)
    assert f"column {named} (mapped to {key} in the clinic profile) holds" in finding.message
    assert holds in finding.message and "in 3 of the 3 rows" in finding.message
    assert_safe_message(str(finding), VALUES)


def test_surnames_as_ids_are_refused(tmp_path):
    """`patient_id: Last Name` would put surnames in file names: ids without a digit are names."""
    section = "roster:\n  columns:\n    patient_id: Last Name\n    name: Full Name\n    appointment: Appt\n"
    finding = raised(read_export, tmp_path, section, HEADER, *ROWS).finding
    assert finding.rule == "roster-column-kind" and "column 'Last Name' (mapped to patient_id" in finding.message
    assert "no digit" in finding.message
    assert_safe_message(str(finding), VALUES)


def test_one_odd_name_is_a_problem_of_its_row(tmp_path, rules):
    rows = read_export(tmp_path, "roster:\n  columns:\n    patient_id: MRN\n    name: Full Name\n"
                                 "    preferred_name: First Name\n    appointment: Appt\n",
                       HEADER, ROWS[0], ["M101", "bo@example.test", "Okafor", "Bruno Okafor", "", "2026-12-02 09:30"],
                       ["M102", "Carla", "Ivanova", "C4rla", "", "2026-12-03 09:30"], rules=rules)
    assert isinstance(rows[0], RosterRow)
    assert [(p.number, p.field) for p in rows[1:]] == [(3, "preferred_name"), (4, "name")]
    for problem in rows[1:]:
        assert "holds an @ or digits without a space" in problem.reason
        assert_safe_message(str(problem), VALUES + ("C4rla",))


def test_an_id_with_an_at_sign_is_a_problem_of_its_row(tmp_path, rules):
    rows = read_export(tmp_path, "", ["patient_id", "name", "appointment"], ["M100", "Ana Lopez", "2026-12-01 09:30"],
                       ["ana@example.test", "Bruno Okafor", "2026-12-02 09:30"], rules=rules)
    assert isinstance(rows[0], RosterRow) and (rows[1].field, rows[1].number) == ("patient_id", 3)
    assert_safe_message(str(rows[1]), VALUES)


# -- value maps ----------------------------------------------------------------------------------------------

MAPS = """roster:
  columns:
    patient_id: MRN
    name: [First Name, Last Name]
    appointment: Appt
    layout: Accessibility Notes
    language: Preferred Language
  values:
    layout:
      "Large print": large-print
      "": standard
      Extra large print: Extra-Large
    language:
      Spanish: es
      "Español": es
      English: en
"""
EXPORT = ["MRN", "First Name", "Last Name", "Appt", "Accessibility Notes", "Preferred Language"]


def test_value_maps_turn_an_exports_words_into_layouts_and_languages(tmp_path, rules):
    rows = read_export(tmp_path, MAPS, EXPORT,
                       ["M100", "Ana", "Lopez", "2026-12-01 09:30", "Large print", "Español"],
                       ["M101", "Bruno", "Okafor", "2026-12-02 09:30", "", "English"],
                       ["M102", "Carla", "Ivanova", "2026-12-03 09:30", "  LARGE   PRINT ", "spanish"],
                       ["M103", "Dee", "Whit", "2026-12-04 09:30", "extra large print", "Espan\u0303ol"],
                       ["M104", "Eve", "Young", "2026-12-05 09:30", "", ""], rules=rules)
    assert [(row.layout, row.language) for row in rows] == [
        ("large-print", "es-US"), ("standard", "en-US"), ("large-print", "es-US"), ("extra-large", "es-US"),
        ("standard", "en-US")]


@pytest.mark.parametrize("cells, field, column", [
    (["Braille", "English"], "layout", "'Accessibility Notes' (mapped to layout"),
    (["large-print", "English"], "layout", "'Accessibility Notes' (mapped to layout"),  # not listed: not ours
    (["", "Klingon"], "language", "'Preferred Language' (mapped to language"),
    (["", "es"], "language", "'Preferred Language' (mapped to language"),
])
def test_a_value_the_map_does_not_list_is_a_row_problem_never_the_default(tmp_path, rules, cells, field, column):
    (problem,) = read_export(tmp_path, MAPS, EXPORT, ["M100", "Ana", "Lopez", "2026-12-01 09:30", *cells],
                             rules=rules)
    assert isinstance(problem, RowProblem) and (problem.number, problem.field) == (2, field)
    assert f"the value in column {column} in the clinic profile) is not listed in roster.values.{field}; add it " \
           "there, or correct the cell" in problem.reason
    assert_safe_message(str(problem), VALUES)


@pytest.mark.parametrize("values, key_line, words", [
    ("    layout:\n      Large print: poster\n", "Large print:", "maps a value to 'poster', which is not a layout"),
    ("    language:\n      Klingon: tlh-XX-bogus\n", "Klingon:", "not a known language tag"),
    ("    language:\n      Norwegian: no\n", "Norwegian:", "not a language name"),
    ("    layout:\n      Yes: large-print\n", "layout:", "YAML reads as true or false"),
    ("    layout:\n      Large print: large-print\n      large  PRINT: standard\n", "large  PRINT:",
     "maps the same value (ignoring case and spaces) to both 'large-print' and 'standard'"),
    ("    documents:\n      All: fibromyalgia-ketamine\n", "documents:", "only layout and language values"),
    ("    layout: large-print\n", "layout:", "must map the export's values to ours"),
])
def test_value_map_targets_are_checked_when_the_profile_loads(tmp_path, values, key_line, words):
    path = profile(tmp_path, "roster:\n  values:\n" + values)
    error = raised(Project.open, REPO / "content", REPO / "layouts", path)
    assert isinstance(error, ProfileError)
    finding = error.finding
    assert words in finding.message
    assert (finding.source, finding.line) == (str(path), line_of(path, key_line))
    assert finding.key.startswith("roster.values") and finding.hint


def test_the_roster_section_still_refuses_unknown_keys(tmp_path):
    with pytest.raises(ProfileError, match="'columns', 'date_format' and/or 'values'"):
        read_profile(profile(tmp_path, "roster:\n  colums:\n    name: Name\n"))
