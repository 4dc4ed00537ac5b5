"""Infusion series: one patient on several rows, one appointment a row (issue 20, item 4); and how big a roster
may be (item 8)."""

import os
import threading
import time
import tracemalloc
from datetime import date, datetime

import pytest
from test_roster import assert_safe_message, read, write

from handouts.errors import InputError
from handouts.batch.plan import Selection, row_rules, select_rows
from handouts.load import roster as roster_module
from handouts.load.roster import MAX_BYTES, MAX_ROWS, Roster, RosterRow, RowProblem

HEADER = "patient_id,name,appointment,email,layout\n"
TODAY = date(2026, 11, 24)
# The fictional patients' values below: no message may hold one.
VALUES = ("Ana", "Lopez", "Bruno", "Okafor", "ana@example.test", "bo@example.test", "Carla")


@pytest.fixture(scope="module")
def rules(project):
    return row_rules(project)


def roster(tmp_path, *lines: str, header: str = HEADER):
    return write(tmp_path, header + "".join(line + "\n" for line in lines))


def good(rows) -> list[RosterRow]:
    assert all(isinstance(row, RosterRow) for row in rows), [str(r) for r in rows if isinstance(r, RowProblem)]
    return rows


def refused(rows) -> list[RowProblem]:
    for row in rows:
        assert isinstance(row, RowProblem), row
        assert_safe_message(str(row), VALUES)
    return rows


SERIES = ("A1,Ana Lopez,2026-12-15 09:30,ana@example.test,",
          "B2,Bruno Okafor,2026-12-02 10:00,bo@example.test,",
          "A1,Ana Lopez,2026-12-01 09:30,ana@example.test,",
          "A1,Ana Lopez,2026-12-08 09:30,ana@example.test,")


def test_a_series_is_one_patient_with_every_appointment(tmp_path, rules):
    rows = good(read(roster(tmp_path, *SERIES), rules))
    ana = [row for row in rows if row.patient_id == "A1"]
    assert [row.number for row in ana] == [2, 4, 5]  # every row keeps its own spreadsheet row number
    for row in ana:
        assert row.series == (datetime(2026, 12, 1, 9, 30), datetime(2026, 12, 8, 9, 30),
                              datetime(2026, 12, 15, 9, 30))
        assert row.series_rows == (4, 5, 2)  # in time order
        assert row.patient_key == "a1"
    (bruno,) = [row for row in rows if row.patient_id == "B2"]
    assert (bruno.series, bruno.series_rows) == ((bruno.appointment,), (3,))


def test_a_series_gets_one_packet_for_the_first_upcoming_appointment(tmp_path, rules):
    rows = good(read(roster(tmp_path, *SERIES), rules))
    chosen, notes = select_rows(rows, Selection(TODAY))
    assert [(row.number, row.appointment.day) for row in chosen] == [(3, 2), (4, 1)]
    assert notes == [("left out 2 later infusion(s) of a series (rows 2 and 5): a patient gets one packet, for the "
                      "first appointment chosen")]
    # Once the first infusion is past, the next one is the packet's.
    chosen, notes = select_rows(rows, Selection(date(2026, 12, 5)))
    assert [(row.number, row.appointment.day) for row in chosen] == [(5, 8)]
    assert notes[0] == "skipped 2 row(s) whose appointment has passed (rows 3 and 4)"
    assert "left out 1 later infusion(s) of a series (row 2)" in notes[1]


def test_date_picks_a_later_infusion_of_a_series(tmp_path, rules):
    rows = good(read(roster(tmp_path, *SERIES), rules))
    chosen, notes = select_rows(rows, Selection(TODAY, day=date(2026, 12, 8)))
    assert [(row.number, row.appointment) for row in chosen] == [(5, datetime(2026, 12, 8, 9, 30))]
    assert chosen[0].series_rows == (4, 5, 2)  # the send path can key its ledger on the patient
    assert notes == ["left out 3 row(s) with appointments on other days"]


def test_two_infusions_on_the_day_chosen_give_one_packet(tmp_path, rules):
    rows = good(read(roster(tmp_path, "A1,Ana Lopez,2026-12-01 14:00,,", "A1,Ana Lopez,2026-12-01 09:30,,"), rules))
    chosen, notes = select_rows(rows, Selection(TODAY, day=date(2026, 12, 1)))
    assert [row.number for row in chosen] == [3]
    assert "left out 1 later infusion(s) of a series (row 2)" in notes[0]


def test_ids_are_chosen_without_letter_case(tmp_path, rules):
    rows = good(read(roster(tmp_path, *SERIES), rules))
    chosen, notes = select_rows(rows, Selection(TODAY, ids=("a1",)))
    assert [row.number for row in chosen] == [4] and "left out 1 row(s) with other patient ids" in notes
    chosen, notes = select_rows(rows, Selection(TODAY, ids=("b2", "Z9")))
    assert [row.number for row in chosen] == [3]
    assert notes[-1] == "1 of the ids asked for are not in the roster (or their rows have problems)"


def test_a_series_written_with_different_letter_case_is_one_patient(tmp_path, rules):
    rows = good(read(roster(tmp_path, "a1,Ana Lopez,2026-12-08 09:30,ANA@example.test,",
                            "A1,Ana Lopez,2026-12-01 09:30,ana@example.test,"), rules))
    assert rows[0].series_rows == rows[1].series_rows == (3, 2)
    chosen, _ = select_rows(rows, Selection(TODAY, ids=("A1",)))
    assert [row.patient_id for row in chosen] == ["A1"]  # the row keeps its own id (and so its file name)


@pytest.mark.parametrize("second, differs", [
    ("A1,Carla Lopez,2026-12-08 09:30,ana@example.test,", "name"),
    ("A1,Ana Lopez,2026-12-08 09:30,bo@example.test,", "email"),
    ("A1,Ana Lopez,2026-12-08 09:30,,", "email"),
    ("a1,Carla Lopez,2026-12-08 09:30,bo@example.test,", "name or email"),
])
def test_rows_sharing_an_id_but_not_name_or_email_are_all_refused(tmp_path, rules, second, differs):
    rows = refused(read(roster(tmp_path, "A1,Ana Lopez,2026-12-01 09:30,ana@example.test,", second,
                               "A1,Ana Lopez,2026-12-15 09:30,ana@example.test,"), rules))
    assert [(row.number, row.field) for row in rows] == [(2, "patient_id"), (3, "patient_id"), (4, "patient_id")]
    assert "rows 2, 3 and 4 share a patient_id" in rows[0].reason
    assert f"but not the same {differs};" in rows[0].reason and "give each patient a distinct id" in rows[0].reason


def test_rows_of_a_series_that_differ_in_layout_are_all_refused(tmp_path, rules):
    rows = refused(read(roster(tmp_path, "A1,Ana Lopez,2026-12-01 09:30,,large-print",
                               "A1,Ana Lopez,2026-12-08 09:30,,standard"), rules))
    assert [row.field for row in rows] == ["layout", "layout"]
    assert "share a patient_id, name and e-mail, but not the same layout" in rows[0].reason


def test_the_same_patient_and_appointment_twice_is_refused(tmp_path, rules):
    rows = read(roster(tmp_path, "A1,Ana Lopez,2026-12-01 09:30,,", "B2,Bruno Okafor,2026-12-01 09:30,,",
                       "A1,Ana Lopez,2026-12-08 09:30,,", "A1,Ana Lopez,2026-12-01 09:30,,"), rules)
    ana = refused([rows[0], rows[2], rows[3]])
    assert all(row.field == "appointment" for row in ana)
    assert "rows 2, 4 and 5 share a patient_id and rows 2 and 5 have the same appointment" in ana[0].reason
    assert isinstance(rows[1], RosterRow)  # another patient at the same time is fine


def test_a_bad_row_of_a_series_holds_back_the_others(tmp_path, rules):
    """The bad row may be the first appointment: a packet for the second would send the patient the wrong day."""
    rows = refused(read(roster(tmp_path, "A1,Ana Lopez,2026-12-01 09:30,,",
                               "A1,Ana Lopez,2026-02-30 09:30,,",
                               "A1,Ana Lopez,2026-12-15 09:30,,"), rules))
    assert [row.field for row in rows] == ["patient_id", "appointment", "patient_id"]
    assert "row 3 of them cannot be used" in rows[0].reason


def test_a_misaligned_row_with_the_same_id_holds_back_the_others(tmp_path, rules):
    rows = refused(read(roster(tmp_path, "A1,Ana Lopez,2026-12-01 09:30,,",
                               "A1,Lopez, Ana,2026-12-08 09:30,,"), rules))
    assert [row.field for row in rows] == ["patient_id", "cells"]


def test_a_single_row_keeps_working_as_before(tmp_path, rules):
    (row,) = good(read(roster(tmp_path, "A1,Ana Lopez,2026-12-01 09:30,,"), rules))
    assert row.series == (row.appointment,) and row.series_rows == (2,)


# -- a roster's size is bounded (item 8) ---------------------------------------------------------------------

def test_a_huge_roster_is_refused_before_it_is_read(tmp_path):
    path = tmp_path / "roster.csv"
    line = b"P0000001,Pat Example,2026-12-03 09:30\n"
    with open(path, "wb") as handle:
        handle.write(b"patient_id,name,appointment\n")
        handle.writelines(line * 10_000 for _ in range(MAX_BYTES // (len(line) * 10_000) + 1))
    assert path.stat().st_size > MAX_BYTES  # about 600,000 rows
    tracemalloc.start()
    started = time.perf_counter()
    try:
        with pytest.raises(InputError) as info:
            Roster(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert time.perf_counter() - started < 1.0 and peak < 1_000_000  # never read
    assert info.value.finding.rule == "roster-too-large" and "larger than 20 MB" in info.value.finding.message


def test_too_many_rows_are_refused_without_parsing_the_rest(tmp_path, monkeypatch):
    path = tmp_path / "roster.csv"
    path.write_bytes(b"patient_id,name,appointment\n" + b"P1,Pat Example,2026-12-03 09:30\n" * (MAX_ROWS + 1))
    parsed = []
    real = roster_module._Record

    def record(number, cells):
        parsed.append(number)
        return real(number, cells)

    monkeypatch.setattr(roster_module, "_Record", record)
    with pytest.raises(InputError) as info:
        Roster(path)
    finding = info.value.finding
    assert (finding.rule, finding.line) == ("roster-too-large", MAX_ROWS + 2)
    assert f"more than {MAX_ROWS:,} rows" in finding.message
    assert len(parsed) == MAX_ROWS + 1  # the header and the rows allowed; the one too many stops the reading


def test_a_roster_at_the_row_limit_is_read(tmp_path, monkeypatch, rules):
    monkeypatch.setattr(roster_module, "MAX_ROWS", 3)
    text = "patient_id,name,appointment\n\n" + "".join(f"P{i},Pat Example,2026-12-0{i} 09:30\n\n" for i in (1, 2, 3))
    assert len(read(write(tmp_path, text), rules)) == 3  # blank lines do not count
    with pytest.raises(InputError, match="more than 3 rows"):
        Roster(write(tmp_path, text + "P4,Pat Example,2026-12-04 09:30\n"))


def test_a_stream_longer_than_the_limit_is_refused_while_read(tmp_path, monkeypatch):
    """A pipe (or a file that grows) has no size to check first: the reading stops at the limit."""
    monkeypatch.setattr(roster_module, "MAX_BYTES", 1000)
    path = tmp_path / "roster.csv"
    os.mkfifo(path)

    def feed():
        try:
            with open(path, "wb") as pipe:
                pipe.write(b"patient_id,name,appointment\n")
                # far more than the limit: the reader stops long before
                pipe.writelines(b"P1,Pat Example,2026-12-03 09:30\n" for _ in range(100_000))
        except BrokenPipeError:
            pass

    writer = threading.Thread(target=feed, daemon=True)
    writer.start()
    with pytest.raises(InputError, match="larger than"):
        Roster(path)
    writer.join(timeout=10)
    assert not writer.is_alive()
