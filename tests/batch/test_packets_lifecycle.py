"""How a packets run ends (issue 20, item 6): every stop with its summary and a manifest of what is there, no
earlier print job beside new packets, nothing removed by a run that chose no row, the day's record kept."""

import contextlib
import csv
import errno
import os
import signal
import subprocess
import sys
import time

import pytest
from conftest import REPO
from pypdf import PdfReader
from test_packets import TWO, _fail_for, packets

from handouts.errors import OutputError

THREE = [*TWO, ["P3", "Cal Gamma", "2026-12-04 09:30", "", "", ""]]


def manifest(out) -> list[list[str]]:
    with open(out / "manifest.csv", newline="") as handle:
        return list(csv.reader(handle))[1:]


def listed(out) -> list[str]:
    return [line[3] for line in manifest(out)]


def pdfs(out) -> list[str]:
    return sorted(p.name for p in out.glob("*.pdf"))


@pytest.fixture
def day(capsys, tmp_path, write_roster):
    """The day's run is done: three packets, their manifest and the print job. (roster, out, job)"""
    roster, out, job = write_roster(THREE), tmp_path / "out", tmp_path / "print-today.pdf"
    code, _, err = packets(capsys, roster, out, "--print-job", str(job), "--jobs", "1")
    assert code == 0, err
    assert listed(out) == ["P1_2026-12-03.pdf", "P2_2026-12-03.pdf", "P3_2026-12-04.pdf"] and job.exists()
    return roster, out, job


def test_a_full_disk_on_the_packets_file_system_ends_with_the_summary_and_the_manifest(capsys, tmp_path,
                                                                                        write_roster, monkeypatch):
    """Once the disk is full no new file can be made: the manifest still lists what was written, in the room it
    took before the first packet."""
    from handouts.batch import manifest as manifest_module
    from handouts.batch import workers as batch
    from handouts.files import atomic

    full: list[bool] = []

    def refuse(path):
        raise OutputError("cannot write the file (No space left on device)", source=str(path),
                         rule="output-write-failed")

    def write(path, data, **options):
        if full:
            refuse(path)
        batch_write(path, data, **options)
        full.append(True)  # the first packet filled the disk

    @contextlib.contextmanager
    def open_new(path, *args, **options):
        if full:
            refuse(path)
        with atomic.open_atomically(path, *args, **options) as handle:
            yield handle

    batch_write = batch.write_atomically
    monkeypatch.setattr(batch, "write_atomically", write)
    monkeypatch.setattr(manifest_module, "open_atomically", open_new)
    monkeypatch.setattr(manifest_module, "write_atomically", lambda path, data: refuse(path))
    out = tmp_path / "out"
    code, stdout, err = packets(capsys, write_roster(THREE), out, "--jobs", "1")
    assert code == 2 and "Wrote 1 packet(s)" in stdout and "List of the 1 packet(s) in the folder" in stdout
    assert "Stopped: 2 packet(s) not written" in err and "No space left on device" in err
    assert listed(out) == pdfs(out) == ["P1_2026-12-03.pdf"]
    assert not list(out.glob(".*.part"))


def test_a_full_disk_at_the_print_jobs_end_stops_with_the_summary(capsys, tmp_path, day, monkeypatch):
    from handouts.batch import printjob

    def finish(self, title):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(printjob._StreamingWriter, "finish", finish)
    roster, out, job = day
    code, stdout, err = packets(capsys, roster, out, "--print-job", str(job), "--jobs", "1")
    assert code == 2 and "Traceback" not in err and "internal error" not in err
    assert "cannot write the print job (No space left on device)" in err and "Wrote 3 packet(s)" in stdout
    assert not job.exists() and not list(tmp_path.glob(".*.part"))  # the job of yesterday's list is gone too
    assert listed(out) == pdfs(out)


def test_ctrl_c_ends_with_the_summary_a_manifest_and_no_earlier_print_job(capsys, tmp_path, day, monkeypatch):
    roster, out, job = day
    before = {name: (out / name).stat().st_ino for name in pdfs(out)}
    _fail_for(monkeypatch, "Bea Beta", KeyboardInterrupt())  # Ctrl-C while the second packet is made
    code, stdout, err = packets(capsys, roster, out, "--print-job", str(job), "--jobs", "1")
    assert code == 130 and "Wrote 1 packet(s)" in stdout and "List of the 3 packet(s)" in stdout
    assert "Interrupted: 2 packet(s) not written" in err and "Traceback" not in err
    assert not job.exists() and "Removed the earlier print job" in err  # it no longer matches the packets
    assert (out / "P1_2026-12-03.pdf").stat().st_ino != before["P1_2026-12-03.pdf"]  # written anew
    assert listed(out) == pdfs(out)
    assert not list(out.glob(".*.part")) and not list(tmp_path.glob(".*.part"))


def test_ctrl_c_with_workers_leaves_no_earlier_print_job_or_manifest(tmp_path, write_roster):
    out, job = tmp_path / "out", tmp_path / "print-today.pdf"
    out.mkdir()
    job.write_bytes(b"%PDF-1.7 yesterday's list")
    (out / "OLD_2026-12-01.pdf").write_bytes(b"%PDF-1.7 a packet of an earlier day")
    (out / "GONE_2026-12-01.pdf").write_bytes(b"%PDF-1.7 deleted since")
    (out / "manifest.csv").write_text("row,patient_id,appointment,file\n7,OLD,2026-12-01 09:00,OLD_2026-12-01.pdf\n"
                                      "8,GONE,2026-12-01 10:00,GONE_2026-12-01.pdf\n")
    (out / "GONE_2026-12-01.pdf").unlink()
    rows = [[f"P{i:03d}", f"Pat Number{i}", "2026-12-03 09:30", "", "large-print", ""] for i in range(200)]
    process = subprocess.Popen([sys.executable, "-m", "handouts", "packets", str(write_roster(rows)), "--out",
                                str(out), "--print-job", str(job), "--jobs", "2", "--quiet", "--allow-draft"],
                               cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               start_new_session=True)
    deadline = time.time() + 120
    while time.time() < deadline and len(list(out.glob("P*.pdf"))) < 2:
        time.sleep(0.05)
    os.killpg(process.pid, signal.SIGINT)  # what a terminal's Ctrl-C does: the whole process group
    stdout, err = process.communicate(timeout=120)
    assert process.returncode == 130, err
    assert "Traceback" not in err and "Interrupted: " in err and "List of the " in stdout
    assert not job.exists()
    assert sorted(listed(out)) == pdfs(out) and "OLD_2026-12-01.pdf" in pdfs(out)
    assert manifest(out)[0] == ["7", "OLD", "2026-12-01 09:00", "OLD_2026-12-01.pdf"]  # the earlier line, kept
    assert not list(out.glob(".*.part")) and not list(tmp_path.glob(".*.part"))


@pytest.mark.parametrize("choice", [("--id", "NOPE"), ("--date", "2027-01-05")])
def test_a_run_that_chooses_no_row_exits_1_and_removes_nothing(capsys, tmp_path, day, choice):
    roster, out, job = day
    before = {p.name: p.read_bytes() for p in [*out.iterdir(), job]}
    code, _, err = packets(capsys, roster, out, "--print-job", str(job), *choice)
    assert code == 1 and "No row of the roster is chosen" in err and "nothing removed" in err
    assert {p.name: p.read_bytes() for p in [*out.iterdir(), job]} == before
    assert sorted(p.name for p in tmp_path.glob("*.pdf")) == ["print-today.pdf"]


def test_a_manifest_that_cannot_be_written_fails_the_run(capsys, tmp_path, write_roster, monkeypatch):
    real = os.replace

    def replace(source, target):
        if str(target).endswith("manifest.csv"):
            raise OSError(errno.EIO, "Input/output error")
        real(source, target)

    monkeypatch.setattr(os, "replace", replace)
    out = tmp_path / "out"
    code, stdout, err = packets(capsys, write_roster(TWO), out, "--jobs", "1")
    assert code == 2 and "Wrote 2 packet(s)" in stdout
    assert "could not be written" in err and "Input/output error" in err
    assert not (out / "manifest.csv").exists() and not list(out.glob(".*.part"))


def test_a_folder_where_the_manifest_goes_is_refused_before_any_packet(capsys, tmp_path, write_roster):
    out = tmp_path / "out"
    (out / "manifest.csv").mkdir(parents=True)
    code, _, err = packets(capsys, write_roster(TWO), out, "--jobs", "1")
    assert code == 2 and "is a folder" in err and "--out" in err and not pdfs(out)


def test_an_id_rerun_keeps_the_days_manifest_and_print_job(capsys, tmp_path, day, write_roster):
    roster, out, job = day
    days_job = job.read_bytes()
    fixed = [row[:] for row in THREE]
    fixed[1][2] = "2026-12-03 11:15"  # row 3's time was wrong: fixed, and its packet made again
    code, stdout, err = packets(capsys, write_roster(fixed), out, "--id", "P2", "--print-job", str(job), "--jobs", "1")
    assert code == 0, err
    assert "its print job is " + str(tmp_path / "print-today-P2.pdf") in stdout
    assert job.read_bytes() == days_job  # the day's job is not replaced by a job of one packet
    rerun = PdfReader(str(tmp_path / "print-today-P2.pdf"))
    assert [item.title for item in rerun.outline] == ["P2 (2026-12-03 11:15)"]
    assert manifest(out) == [["2", "P1", "2026-12-03 09:30", "P1_2026-12-03.pdf"],
                             ["3", "P2", "2026-12-03 11:15", "P2_2026-12-03.pdf"],  # updated
                             ["4", "P3", "2026-12-04 09:30", "P3_2026-12-04.pdf"]]  # kept


def test_the_manifest_lists_every_packet_in_the_folder(capsys, tmp_path, day):
    roster, out, _ = day
    (out / "manifest.csv").unlink()  # lost, or written by an older version that listed one run's packets
    (out / "P3_2026-12-04.pdf").unlink()
    code, _, err = packets(capsys, roster, out, "--id", "P2", "--jobs", "1")
    assert code == 0, err
    assert manifest(out) == [["3", "P2", "2026-12-03 10:30", "P2_2026-12-03.pdf"],
                             ["", "", "", "P1_2026-12-03.pdf"]]  # in the folder, from a run no manifest recorded
    code, _, _ = packets(capsys, roster, out, "--jobs", "1")
    assert listed(out) == ["P2_2026-12-03.pdf", "P1_2026-12-03.pdf", "P3_2026-12-04.pdf"]
    assert all(line[0] for line in manifest(out))


def test_a_changed_appointment_replaces_the_patients_earlier_packet(capsys, tmp_path, day, write_roster):
    roster, out, _ = day
    moved = [row[:] for row in THREE]
    moved[0][2] = "2026-12-09 14:00"  # P1's appointment moved to another day: its packet's name changes
    code, stdout, err = packets(capsys, write_roster(moved, name="moved.csv"), out, "--jobs", "1")
    assert code == 0, err
    assert "Removed 1 earlier packet(s) of these patients for another appointment" in stdout
    assert pdfs(out) == ["P1_2026-12-09.pdf", "P2_2026-12-03.pdf", "P3_2026-12-04.pdf"]  # the old date is gone
    assert [line[1:] for line in manifest(out)] == [["P2", "2026-12-03 10:30", "P2_2026-12-03.pdf"],
                                                    ["P3", "2026-12-04 09:30", "P3_2026-12-04.pdf"],
                                                    ["P1", "2026-12-09 14:00", "P1_2026-12-09.pdf"]]
    other = tmp_path / "out" / "notes.pdf"  # a file handouts did not write stays, whatever its name
    other.write_bytes(b"%PDF-1.7\n")
    code, stdout, _ = packets(capsys, write_roster(THREE, name="back.csv"), out, "--id", "P1", "--jobs", "1")
    assert code == 0 and pdfs(out) == ["P1_2026-12-03.pdf", "P2_2026-12-03.pdf", "P3_2026-12-04.pdf", "notes.pdf"]
