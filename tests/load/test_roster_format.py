"""Rosters as scheduling systems export them: the clinic profile maps columns and declares the date format."""

import pytest

from handouts.errors import ProfileError
from handouts.batch.plan import row_rules
from handouts.load.dates import parse_appointment
from handouts.load.roster import Roster
from handouts.load.roster_format import RosterFormat, read_roster_format

EXPORT = ["MRN", "First Name", "Last Name", "Appt Date", "Appt Time", "Email", "Preferred Language"]
MAPPING = {"columns": {"patient_id": "MRN", "name": ["First Name", "Last Name"],
                       "appointment": ["Appt Date", "Appt Time"], "email": "Email",
                       "language": "Preferred Language"},
           "date_format": "MM/DD/YYYY"}


@pytest.fixture(scope="module")
def rules(project):
    return row_rules(project)


def test_an_export_is_read_through_the_mapping(write_roster, rules):
    path = write_roster([["M100", "Ana", "Lopez", "12/01/2026", "9:30 AM", "ana@clinic.test", "en"],
                         ["M101", "Bo", "Chan", "12/02/2026", "2:05 PM", "", ""]], header=EXPORT)
    read = Roster(path, read_roster_format(MAPPING, "clinic.yaml", 1)).read(rules)
    assert read.problems == []
    first, second = read.rows
    assert (first.patient_id, first.name, first.email) == ("M100", "Ana Lopez", "ana@clinic.test")
    assert first.appointment.isoformat() == "2026-12-01T09:30:00"
    assert second.appointment.isoformat() == "2026-12-02T14:05:00"


@pytest.mark.parametrize("pattern, text, expected", [
    ("%m/%d/%Y", "12/01/2026 09:30", "2026-12-01T09:30:00"),
    ("%d/%m/%Y", "12/01/2026 09:30", "2026-01-12T09:30:00"),  # the same text, read as declared
    ("%d.%m.%Y", "01.12.2026 12:15 am", "2026-12-01T00:15:00"),
    ("%m/%d/%Y", "12/01/2026 12:00 PM", "2026-12-01T12:00:00"),
])
def test_dates_are_read_as_declared_never_guessed(pattern, text, expected):
    assert parse_appointment(text, pattern).isoformat() == expected


@pytest.mark.parametrize("text", ["2026-12-01 09:30", "13/01/2026 09:30", "12/01/2026", "12/01/2026 13:00 PM"])
def test_dates_in_another_shape_are_refused_without_echoing_them(text):
    with pytest.raises(ValueError) as info:
        parse_appointment(text, "%m/%d/%Y")
    assert text not in str(info.value) and text.split()[0] not in str(info.value)


def test_a_mapped_column_missing_from_the_export_is_a_file_error(write_roster, rules):
    from handouts.errors import InputError

    path = write_roster([["M1", "Ana", "12/01/2026", "9:30 AM"]],
                        header=["MRN", "First Name", "Appt Date", "Appt Time"])
    with pytest.raises(InputError) as info:
        Roster(path, read_roster_format(MAPPING, "clinic.yaml", 1))
    assert "Last Name" in info.value.finding.message and info.value.finding.rule == "roster-missing-column"


@pytest.mark.parametrize("value, words", [
    ({"columns": {"height": "H"}}, "not a roster column"),
    ({"columns": {"patient_id": ["A", "B"]}}, "only one column"),
    ({"date_format": "M/D/YY"}, "must be one of"),
    ({"columns": ["MRN"]}, "must map"),
    ("MRN", "must hold"),
])
def test_a_bad_roster_section_is_a_profile_error(value, words):
    with pytest.raises(ProfileError, match=words):
        read_roster_format(value, "clinic.yaml", 9)


def test_without_a_roster_section_the_roster_uses_our_names():
    assert read_roster_format(None, "clinic.yaml", None) == RosterFormat()
