"""Issue 20 through `handouts packets`: infusion series (one packet a patient), the profile's roster mapping checked,
value maps, and a roster's size bounded."""

import time

from conftest import remember_patient_value, run
from pdfread import normalized, text
from pypdf import PdfReader

HEADER = ["patient_id", "name", "appointment", "email"]


def packets(capsys, roster, out, *extra):
    return run(capsys, "packets", str(roster), "--out", str(out), "--quiet", "--jobs", "1", *extra)


def pdfs(folder) -> list[str]:
    return sorted(f.name for f in folder.glob("*.pdf"))


SERIES = [["P1", "Ann Alpha", "2026-12-15 09:30", "ann@example.test"],
          ["P1", "Ann Alpha", "2026-12-01 09:30", "ann@example.test"],
          ["P2", "Bea Beta", "2026-12-02 10:00", ""],
          ["p1", "Ann Alpha", "2026-12-08 14:00", "ANN@example.test"]]


def test_an_infusion_series_gets_one_packet_for_the_first_upcoming_appointment(capsys, tmp_path, write_roster):
    code, out, err = packets(capsys, write_roster(SERIES, header=HEADER), tmp_path / "out")
    assert code == 0, err
    assert pdfs(tmp_path / "out") == ["P1_2026-12-01.pdf", "P2_2026-12-02.pdf"]
    assert "Note: left out 2 later infusion(s) of a series (rows 2 and 5)" in out
    assert "Tuesday, December 1, 2026 at 9:30 AM" in normalized(text(tmp_path / "out" / "P1_2026-12-01.pdf"))
    manifest = (tmp_path / "out" / "manifest.csv").read_text().splitlines()
    assert manifest[1:] == ["3,P1,2026-12-01 09:30,P1_2026-12-01.pdf", "4,P2,2026-12-02 10:00,P2_2026-12-02.pdf"]


def test_date_picks_a_later_infusion_of_the_series(capsys, tmp_path, write_roster):
    code, _, err = packets(capsys, write_roster(SERIES, header=HEADER), tmp_path / "out", "--date", "2026-12-08")
    assert code == 0, err
    assert pdfs(tmp_path / "out") == ["p1_2026-12-08.pdf"]  # the row's own id, row 5
    assert "Tuesday, December 8, 2026 at 2:00 PM" in normalized(text(tmp_path / "out" / "p1_2026-12-08.pdf"))
    assert (tmp_path / "out" / "manifest.csv").read_text().splitlines()[1].startswith("5,p1,2026-12-08 14:00,")


def test_id_chooses_a_patient_without_letter_case(capsys, tmp_path, write_roster):
    code, out, err = packets(capsys, write_roster(SERIES, header=HEADER), tmp_path / "out", "--id", "p2")
    assert code == 0, err
    assert pdfs(tmp_path / "out") == ["P2_2026-12-02.pdf"] and "not in the roster" not in out


def test_rows_sharing_an_id_with_another_name_or_email_are_all_refused(capsys, tmp_path, write_roster):
    rows = [["P1", "Ann Alpha", "2026-12-01 09:30", "ann@example.test"],
            ["P1", "Cal Gamma", "2026-12-08 09:30", "ann@example.test"],
            ["P2", "Bea Beta", "2026-12-01 10:00", "bea@example.test"],
            ["P2", "Bea Beta", "2026-12-08 10:00", "cal@example.test"],
            ["P3", "Dee Delta", "2026-12-01 11:00", ""]]
    code, out, err = packets(capsys, write_roster(rows, header=HEADER), tmp_path / "out")
    assert code == 1
    assert pdfs(tmp_path / "out") == ["P3_2026-12-01.pdf"]
    for number in (2, 3):
        assert f"row {number} (patient_id P1): patient_id: rows 2 and 3 share a patient_id but not the same name" in err
    for number in (4, 5):
        assert f"row {number} (patient_id P2): patient_id: rows 4 and 5 share a patient_id but not the same email" \
               in err
    assert "example.test" not in out + err


def test_the_same_patient_and_appointment_twice_is_refused(capsys, tmp_path, write_roster):
    rows = [["P1", "Ann Alpha", "2026-12-01 09:30", ""], ["P1", "Ann Alpha", "2026-12-01 09:30", ""],
            ["P2", "Bea Beta", "2026-12-01 09:30", ""]]
    code, _, err = packets(capsys, write_roster(rows, header=HEADER), tmp_path / "out")
    assert code == 1 and pdfs(tmp_path / "out") == ["P2_2026-12-01.pdf"]
    assert "rows 2 and 3 share a patient_id and rows 2 and 3 have the same appointment" in err


# -- the profile's mapping, checked ------------------------------------------------------------------------

def _clinic(tmp_path, project, section: str) -> list[str]:
    clinic = tmp_path / "clinic.yaml"
    clinic.write_text((project.content.folder / "clinic.yaml").read_text(encoding="utf-8") + section,
                      encoding="utf-8")
    return ["--clinic", str(clinic)]


EXPORT = ["MRN", "First Name", "Last Name", "Full Name", "Contact", "Appt Date", "Appt Time", "Accessibility Notes",
          "Preferred Language", "Account"]
EXPORT_ROWS = [
    ["M100", "Ann", "Alpha", "Ann Alpha", "ann@example.test", "12/01/2026", "9:30 AM", "Large print", "English",
     "A-7700"],
    ["M101", "Bea", "Beta", "Bea Beta", "bea@example.test", "12/02/2026", "2:05 PM", "", "Español", "A-7701"],
    ["M102", "Cal", "Gamma", "Cal Gamma", "cal@example.test", "12/03/2026", "10:00 AM", "Braille", "", "A-7702"]]
VALUES = [value for row in EXPORT_ROWS for value in row[1:5]] + ["Braille", "Español"]


def _section(**columns) -> str:
    mapping = {"patient_id": "MRN", "name": "[First Name, Last Name]", "appointment": "[Appt Date, Appt Time]"}
    mapping.update(columns)
    return ("roster:\n  columns:\n" + "".join(f"    {ours}: {theirs}\n" for ours, theirs in mapping.items())
            + "  date_format: MM/DD/YYYY\n")


def _refused(capsys, tmp_path, write_roster, project, section):
    for value in VALUES:
        remember_patient_value(value)  # `run` fails the test if one is echoed
    roster = write_roster(EXPORT_ROWS, header=EXPORT)
    code, _, err = packets(capsys, roster, tmp_path / "out", *_clinic(tmp_path, project, section))
    assert code == 2 and len(err.strip().splitlines()) == 1, err
    assert not (tmp_path / "out").exists() or not pdfs(tmp_path / "out")
    return err


def test_a_column_mapped_twice_is_refused_at_the_profiles_line(capsys, tmp_path, write_roster, project):
    err = _refused(capsys, tmp_path, write_roster, project, _section(name="[First Name, First Name]"))
    clinic = tmp_path / "clinic.yaml"
    line = clinic.read_text().splitlines().index("    name: [First Name, First Name]") + 1
    assert f"{clinic}:{line}: 'roster.columns.name' names the column 'First Name' twice" in err
    err = _refused(capsys, tmp_path, write_roster, project, _section(email="MRN"))
    assert "reads the column 'MRN' for both 'patient_id' and 'email'" in err


def test_an_id_column_holding_names_is_refused_naming_the_column(capsys, tmp_path, write_roster, project):
    err = _refused(capsys, tmp_path, write_roster, project, _section(patient_id="Full Name"))
    assert "column 'Full Name' (mapped to patient_id in the clinic profile) holds no digit, a space or an @" in err
    err = _refused(capsys, tmp_path, write_roster, project, _section(patient_id="Contact"))
    assert "column 'Contact' (mapped to patient_id" in err


def test_name_columns_holding_ids_or_addresses_are_refused_naming_the_column(capsys, tmp_path, write_roster,
                                                                              project):
    err = _refused(capsys, tmp_path, write_roster, project, _section(patient_id="Account", name="MRN"))
    assert "column 'MRN' (mapped to name in the clinic profile) holds digits and no space" in err
    err = _refused(capsys, tmp_path, write_roster, project, _section(preferred_name="Contact"))
    assert "column 'Contact' (mapped to preferred_name in the clinic profile) holds an @" in err


def test_value_maps_choose_layout_and_language_and_refuse_what_they_do_not_list(capsys, tmp_path, write_roster,
                                                                                 project):
    for value in VALUES:
        remember_patient_value(value)
    section = _section(layout="Accessibility Notes", language="Preferred Language") + (
        "  values:\n    layout: {\"Large print\": large-print, \"\": standard}\n"
        "    language: {Spanish: es, \"Español\": es, English: en}\n")
    roster = write_roster([*EXPORT_ROWS, ["M103", "Dee", "Delta", "Dee Delta", "", "12/01/2026", "9:30 AM", "",
                                          "English", "A-7703"]], header=EXPORT)
    code, _, err = packets(capsys, roster, tmp_path / "out", "--allow-draft", *_clinic(tmp_path, project, section))
    assert code == 1
    assert "row 4 (patient_id M102): layout: the value in column 'Accessibility Notes' (mapped to layout in the " \
           "clinic profile) is not listed in roster.values.layout" in err
    assert pdfs(tmp_path / "out") == ["M100_2026-12-01.pdf", "M101_2026-12-02.pdf", "M103_2026-12-01.pdf"]
    spanish = normalized(text(tmp_path / "out" / "M101_2026-12-02.pdf"))
    assert "Preparado para Bea Beta." in spanish
    large, standard = (len(PdfReader(str(tmp_path / "out" / name)).pages)
                       for name in ("M100_2026-12-01.pdf", "M103_2026-12-01.pdf"))
    assert large > standard  # "Large print" got the large-print layout; an empty cell the standard one


def test_a_huge_roster_is_refused_at_once(capsys, tmp_path):
    path = tmp_path / "roster.csv"
    line = b"P0000001,Pat Example,2026-12-03 09:30\n"
    with open(path, "wb") as handle:
        handle.write(b"patient_id,name,appointment\n")
        handle.writelines(line * 100_000 for _ in range(6))  # 600,000 rows, 23 MB
    started = time.perf_counter()
    code, _, err = packets(capsys, path, tmp_path / "out")
    assert time.perf_counter() - started < 5
    assert code == 2 and "the roster is larger than 20 MB" in err
    assert not (tmp_path / "out").exists() or not pdfs(tmp_path / "out")
