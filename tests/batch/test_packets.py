"""Packets end to end through the CLI: files, text, validation, determinism, print job."""

import os
import signal
import subprocess
import sys
import time

import pytest
from conftest import LAYOUTS, REPO, run
from pdfread import conformance_failures, normalized, text
from pypdf import PdfReader

NAMES = {
    "P001": ("Jack Smith", "Jack"),
    "P002": ("Zoë Ångström-Łukasiewicz", "Zoë"),
    "P003": ("Nguyễn Thị Minh Khai", "Khai"),
    "P004": ("Ελένη Παπαδοπούλου", "Ελένη"),
    "P005": ("Дмитрий Иванов", "Дима"),
    "P006": ("Ana <b>Bold</b> & Sons {{ clinic.phone }}", ""),
}


@pytest.fixture
def roster(write_roster):
    rows = []
    for i, (pid, (name, preferred)) in enumerate(NAMES.items()):
        rows.append([pid, f'"{name}"', f"2026-12-0{3 + i % 2} {8 + i % 3:02d}:30", preferred, LAYOUTS[i % 3], ""])
    return write_roster(rows)


def packets(capsys, roster, out, *extra):
    return run(capsys, "packets", str(roster), "--out", str(out), "--quiet", *extra)


def test_every_patient_gets_a_valid_personalized_packet(capsys, tmp_path, roster):
    code, out, err = packets(capsys, roster, tmp_path / "out", "--jobs", "1")
    assert code == 0, err
    assert "Wrote 6 packet(s)" in out
    files = sorted((tmp_path / "out").glob("*.pdf"))
    assert [f.name for f in files] == [f"{pid}_2026-12-0{3 + i % 2}.pdf" for i, pid in enumerate(NAMES)]
    for i, (pid, (name, preferred)) in enumerate(NAMES.items()):
        path = files[i]
        flat = normalized(text(path))
        assert f"Prepared for {name}." in flat
        assert f"2026 at {8 + i % 3}:30 AM" in flat
        assert conformance_failures(path) == [], pid
        reader = PdfReader(str(path))
        assert (preferred or name) in reader.metadata.title
        assert [o.title for o in reader.outline if not isinstance(o, list)] == [  # actions first
            "Your appointment packet", "Your infusion day checklist", "Fibromyalgia and ketamine infusions"]
    for _, (name, _) in NAMES.items():
        assert name not in out + err


def test_rerun_is_byte_identical_and_jobs_do_not_change_output(capsys, tmp_path, roster):
    packets(capsys, roster, tmp_path / "a", "--jobs", "1")
    packets(capsys, roster, tmp_path / "b", "--jobs", "2")
    packets(capsys, roster, tmp_path / "c", "--jobs", "1")
    for f in (tmp_path / "a").glob("*.pdf"):
        assert f.read_bytes() == (tmp_path / "b" / f.name).read_bytes() == (tmp_path / "c" / f.name).read_bytes()


def test_print_job_starts_each_packet_on_an_odd_page(capsys, tmp_path, roster):
    job = tmp_path / "print.pdf"
    code, out, _ = packets(capsys, roster, tmp_path / "out", "--print-job", str(job))
    assert code == 0 and "Print job" in out
    merged = PdfReader(str(job))
    outline = merged.outline
    assert len(outline) == 6
    starts = [merged.get_destination_page_number(item) for item in outline]
    files = sorted((tmp_path / "out").glob("*.pdf"))
    for start, path in zip(starts, files):
        assert start % 2 == 0  # zero-based index 0, 2, 4…: page 1, 3, 5…
        own = PdfReader(str(path)).pages
        for offset, page_ in enumerate(own):
            assert merged.pages[start + offset].extract_text() == page_.extract_text()


def test_bad_rows_are_reported_and_skipped(capsys, tmp_path, write_roster):
    path = write_roster([["P1", "Good Person", "2026-12-03 09:30", "", "", ""],
                         ["P2", "Secret Name", "2026-13-03 09:30", "", "", ""],
                         ["P3", "王小明", "2026-12-03 09:30", "", "", ""]])
    code, out, err = packets(capsys, path, tmp_path / "out")
    assert code == 1
    assert [f.name for f in (tmp_path / "out").glob("*.pdf")] == ["P1_2026-12-03.pdf"]
    assert "row 3 (patient_id P2): appointment" in err and "row 4 (patient_id P3): name" in err
    assert "Secret Name" not in out + err and "王小明" not in out + err


def test_strict_writes_nothing_when_any_row_is_bad(capsys, tmp_path, write_roster):
    path = write_roster([["P1", "Good", "2026-12-03 09:30", "", "", ""],
                         ["P2", "Bad", "2026-12-03 09:30", "", "huge", ""]])
    code, _, err = packets(capsys, path, tmp_path / "out", "--strict")
    assert code == 1 and "nothing written" in err
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("content,message", [
    (b"", "the roster is empty"),
    (b"who,when\nx,y\n", "has no 'patient_id' column"),
])
def test_file_problems_exit_2_and_write_nothing(capsys, tmp_path, content, message):
    path = tmp_path / "roster.csv"
    path.write_bytes(content)
    code, _, err = packets(capsys, path, tmp_path / "out")
    assert code == 2 and message in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "out").exists()


def test_names_in_file_names_only_when_asked(capsys, tmp_path, write_roster):
    path = write_roster([["P1", "Jack Smith", "2026-12-03 09:30", "", "", ""]])
    packets(capsys, path, tmp_path / "out", "--names-in-filenames")
    assert [f.name for f in (tmp_path / "out").glob("*.pdf")] == ["P1_2026-12-03_Jack-Smith.pdf"]


def test_ids_that_would_share_a_file_name_are_refused_not_overwritten(capsys, tmp_path, write_roster):
    rows = [["a b", "Ann Alpha", "2026-12-03 09:30", "", "", ""],
            ["a-b", "Bea Beta", "2026-12-03 09:30", "", "", ""],
            ["P1", "Cal Gamma", "2026-12-03 09:30", "", "", ""],
            ["p1", "Dee Delta", "2026-12-03 09:30", "", "", ""]]
    code, out, err = packets(capsys, write_roster(rows), tmp_path / "out", "--jobs", "1")
    assert code == 1
    assert "row 4 " in err and "row 5 " in err and "letter case" in err
    files = sorted((tmp_path / "out").glob("*.pdf"))
    assert len(files) == 2  # 'a b' and 'a-b' get different names; P1 and p1 get none
    owners = {normalized(text(f)).split("Prepared for ")[1].split(".")[0] for f in files}
    assert owners == {"Ann Alpha", "Bea Beta"}
    for problem_name in ("Cal Gamma", "Dee Delta"):
        assert problem_name not in err


def test_strict_refuses_colliding_ids_before_writing(capsys, tmp_path, write_roster):
    rows = [["P1", "Cal Gamma", "2026-12-03 09:30", "", "", ""], ["p1", "Dee Delta", "2026-12-03 09:30", "", "", ""]]
    code, _, err = packets(capsys, write_roster(rows), tmp_path / "out", "--strict")
    assert code == 1 and "nothing written" in err
    assert not (tmp_path / "out").exists() or not list((tmp_path / "out").iterdir())


def test_the_streamed_print_job_is_a_clean_pdf_with_every_page(capsys, tmp_path, roster):
    import pikepdf

    job = tmp_path / "print.pdf"
    code, _, _ = packets(capsys, roster, tmp_path / "out", "--print-job", str(job), "--jobs", "1")
    assert code == 0
    with pikepdf.open(job) as pdf:
        assert pdf.check_pdf_syntax() == []
        own = [len(PdfReader(str(f)).pages) for f in sorted((tmp_path / "out").glob("*.pdf"))]
        padding = sum(n % 2 for n in own[:-1])
        assert len(pdf.pages) == sum(own) + padding
        assert [item.title for item in pdf.open_outline().root] == [
            f"{pid} (2026-12-0{3 + i % 2} {8 + i % 3:02d}:30)" for i, pid in enumerate(NAMES)]
    # Tagged like the packets: one Part per packet, every patient's text in it, PDF/UA-1 and PDF/A-2a.
    from pdfread import struct_tree

    tree = struct_tree(PdfReader(str(job)))
    assert [kid.role for kid in tree.kids] == ["Part"] * len(NAMES)
    for part, (name, _) in zip(tree.kids, NAMES.values()):
        assert f"Prepared for {name}." in normalized(part.all_text())
    assert conformance_failures(job) == []
    labels = PdfReader(str(job)).page_labels
    assert labels[0] == "P001-1" and f"{list(NAMES)[-1]}-1" in labels  # the print dialog shows whose page it is
    # Each packet's form fields stay its own: under a field per packet, never merged by a shared name.
    fields = PdfReader(str(job)).get_fields()
    own = PdfReader(str(sorted((tmp_path / "out").glob("*.pdf"))[0])).get_fields()
    assert {name for name in fields if name.startswith("packet-1.")} == {f"packet-1.{name}" for name in own}
    assert len([name for name in fields if "." not in name]) == len(NAMES)


def test_the_print_job_holds_what_packets_share_once(capsys, tmp_path, write_roster):
    """Fonts, their maps and form XObjects that are the same in every packet are written once; each page keeps
    its own content; the job stays valid, and the same roster gives the same bytes, with --jobs 1 or 2."""
    import pikepdf

    rows = [[f"P{i}", name, f"2026-12-03 {9 + i:02d}:30", "", "large-print", ""]
            for i, name in enumerate(["Ann Alpha", "Bea Beta", "Cal Gamma", "Dee Delta"])]
    roster = write_roster(rows)
    jobs = []
    for run_, workers in (("a", "1"), ("b", "2")):
        jobs.append(tmp_path / f"job-{run_}.pdf")
        assert packets(capsys, roster, tmp_path / run_, "--print-job", str(jobs[-1]), "--jobs", workers)[0] == 0
    assert jobs[0].read_bytes() == jobs[1].read_bytes()

    def font_files(pdf):
        return [o for o in pdf.objects if isinstance(o, pikepdf.Stream) and "/Length1" in o.stream_dict]

    with pikepdf.open(jobs[0]) as job, pikepdf.open(sorted((tmp_path / "a").glob("*.pdf"))[0]) as one:
        assert len(font_files(job)) == len(font_files(one))  # the ASCII names need no glyph another lacks
        contents = [page.obj.Contents.objgen for page in job.pages if "/Contents" in page.obj]
        assert len(contents) == len(set(contents))  # no page's content stream serves another page
        assert job.check_pdf_syntax() == []
    assert conformance_failures(jobs[0]) == []
    shown = normalized(text(jobs[0]))
    assert all(f"Prepared for {row[1]}." in shown for row in rows)


def test_the_parent_writes_the_job_from_what_the_workers_serialized(capsys, tmp_path, write_roster):
    """The workers hand the parent each packet's objects already serialized (`printjob.fragment_of`); the job
    made so is byte for byte the job made from the packet files afterwards, in one process. Names with
    parentheses, backslashes and text that reads like a PDF reference ("5 0 R") stay text, never numbers."""
    from handouts.batch.printjob import PrintJob

    rows = [["P1", "Ann (5 0 R) Alpha", "2026-12-03 09:30", "", "standard", ""],
            ["P2", "Bea \\ Beta 12 0 R", "2026-12-03 10:30", "Bea (B)", "large-print", ""],
            ["P3", "Cal Gamma", "2026-12-03 11:30", "", "extra-large", ""]]
    job = tmp_path / "job.pdf"
    assert packets(capsys, write_roster(rows), tmp_path / "out", "--print-job", str(job), "--jobs", "2")[0] == 0
    again = tmp_path / "again.pdf"
    with PrintJob(again) as rebuilt:
        for row in rows:
            rebuilt.add(f"{row[0]} ({row[2]})", tmp_path / "out" / f"{row[0]}_2026-12-03.pdf")
        rebuilt.finish()
    assert job.read_bytes() == again.read_bytes()
    assert conformance_failures(job) == []
    shown = normalized(text(job))
    assert all(f"Prepared for {row[1]}." in shown for row in rows)


# -- writes that must not happen (issue: patient-data integrity) ---------------------------------------------

TWO = [["P1", "Ann Alpha", "2026-12-03 09:30", "", "", ""], ["P2", "Bea Beta", "2026-12-03 10:30", "", "", ""]]


def _fail_for(monkeypatch, name: str, error):
    """Make rendering fail for one patient after the roster was checked."""
    from handouts.batch import workers as batch

    real = batch.packet_document

    def packet_document(project, patient, appointment, documents, *language):
        if patient.name == name:
            raise error
        return real(project, patient, appointment, documents, *language)

    monkeypatch.setattr(batch, "packet_document", packet_document)


def test_strict_writes_nothing_when_a_row_fails_while_rendering(capsys, tmp_path, write_roster, monkeypatch):
    from handouts.errors import InputError

    _fail_for(monkeypatch, "Bea Beta", InputError("cannot be drawn", source="patient name", rule="test"))
    code, _, err = packets(capsys, write_roster(TWO), tmp_path / "out", "--strict", "--jobs", "1",
                           "--print-job", str(tmp_path / "job.pdf"))
    assert code == 1 and "nothing written" in err and "row 3 " in err
    assert not list((tmp_path / "out").glob("**/*")) and not (tmp_path / "job.pdf").exists()
    # Without --strict the good row is written.
    code, _, _ = packets(capsys, write_roster(TWO), tmp_path / "out", "--jobs", "1")
    assert code == 1 and [f.name for f in (tmp_path / "out").glob("*.pdf")] == ["P1_2026-12-03.pdf"]


def test_a_content_error_stops_the_run_once_not_once_per_row(capsys, tmp_path, write_roster, monkeypatch):
    from handouts.errors import ContentError

    _fail_for(monkeypatch, "Ann Alpha", ContentError("placeholder has no value", source="content/x.md", line=3,
                                                     rule="placeholder-empty"))
    code, _, err = packets(capsys, write_roster(TWO), tmp_path / "out", "--jobs", "1")
    assert code == 2
    assert err.count("placeholder has no value") == 1 and "Stopped: 2 packet(s) not written" in err


@pytest.mark.parametrize("where", ["roster", "content", "notpdf", "folder"])
def test_a_bad_print_job_path_is_refused_before_any_packet(capsys, tmp_path, write_roster, project, where):
    roster = write_roster(TWO)
    other = tmp_path / "notes.pdf"
    other.write_text("my notes, not a PDF")
    target = {"roster": roster, "content": project.content.folder / "print.pdf", "notpdf": other,
              "folder": tmp_path}[where]
    before = roster.read_bytes()
    code, _, err = packets(capsys, roster, tmp_path / "out", "--print-job", str(target))
    assert code == 2 and "print job" in err.lower()
    assert not (tmp_path / "out").exists()
    assert roster.read_bytes() == before and other.read_text() == "my notes, not a PDF"
    assert not (project.content.folder / "print.pdf").exists()


def test_a_run_where_every_row_fails_removes_yesterdays_print_job(capsys, tmp_path, write_roster):
    job = tmp_path / "job.pdf"
    code, _, _ = packets(capsys, write_roster(TWO), tmp_path / "out", "--print-job", str(job))
    assert code == 0 and job.exists()
    bad = [["P9", "Cal Gamma", "not a date", "", "", ""]]
    code, _, err = packets(capsys, write_roster(bad), tmp_path / "out2", "--print-job", str(job))
    assert code == 1 and not job.exists() and "Removed the earlier print job" in err


def test_a_full_disk_stops_with_a_summary(capsys, tmp_path, write_roster, monkeypatch):
    from handouts.batch import workers as batch
    from handouts.errors import OutputError

    real, calls = batch.write_atomically, []

    def write(path, data, **options):
        calls.append(path)
        if len(calls) > 1:
            raise OutputError("cannot write the file (No space left on device)", source=str(path),
                             rule="output-write-failed")
        real(path, data, **options)

    monkeypatch.setattr(batch, "write_atomically", write)
    code, out, err = packets(capsys, write_roster(TWO), tmp_path / "out", "--jobs", "1")
    assert code == 2 and "Wrote 1 packet(s)" in out
    assert "Stopped: 1 packet(s) not written" in err and "No space left" in err


def test_a_full_disk_under_the_print_job_stops_with_a_summary_and_leaves_no_job(capsys, tmp_path, write_roster,
                                                                                 monkeypatch):
    import errno

    from handouts.batch import printjob

    real, calls = printjob._StreamingWriter._write, []

    def write(self, data):
        calls.append(len(data))
        if len(calls) > 2:  # the second packet no longer fits (the header, then a packet's objects in one write)
            raise OSError(errno.ENOSPC, "No space left on device")
        real(self, data)

    monkeypatch.setattr(printjob._StreamingWriter, "_write", write)
    job = tmp_path / "jobs" / "print.pdf"
    code, out, err = packets(capsys, write_roster(TWO), tmp_path / "out", "--print-job", str(job), "--jobs", "1")
    assert code == 2 and "Stopped" in err
    assert "cannot write the print job (No space left on device)" in err and "Traceback" not in err
    assert not job.parent.exists() or list(job.parent.iterdir()) == []  # no job, no temporary file


def test_leftovers_of_a_killed_run_are_cleaned(capsys, tmp_path, write_roster):
    out = tmp_path / "out"
    out.mkdir()
    part, staging = out / ".tmpabc.part", out / ".staging-xyz"
    part.write_bytes(b"half a PDF")
    staging.mkdir()
    (staging / "0.pdf").write_bytes(b"x")
    for old in (part, staging):
        os.utime(old, (time.time() - 3600, time.time() - 3600))
    code, _, _ = packets(capsys, write_roster(TWO), out)
    assert code == 0 and not part.exists() and not staging.exists()


def test_ctrl_c_with_workers_is_one_short_line(tmp_path, write_roster):
    rows = [[f"P{i:03d}", f"Pat Number{i}", "2026-12-03 09:30", "", "large-print", ""] for i in range(400)]
    roster = write_roster(rows)
    process = subprocess.Popen([sys.executable, "-m", "handouts", "packets", str(roster), "--out",
                                str(tmp_path / "out"), "--jobs", "2", "--quiet"], cwd=REPO,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    deadline = time.time() + 60
    while time.time() < deadline and not list((tmp_path / "out").glob("*.pdf")):
        time.sleep(0.05)
    os.killpg(process.pid, signal.SIGINT)  # what a terminal's Ctrl-C does: the whole process group
    _, err = process.communicate(timeout=60)
    assert process.returncode == 130, err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1, err
    assert not list((tmp_path / "out").glob(".*.part"))


# -- rosters as scheduling systems export them; choosing rows ------------------------------------------------

def _export_project(tmp_path, project):
    """The repository's content with a clinic profile that maps a scheduling export's columns."""
    clinic = tmp_path / "clinic.yaml"
    clinic.write_text((project.content.folder / "clinic.yaml").read_text() + (
        "roster:\n  columns:\n    patient_id: MRN\n    name: [First Name, Last Name]\n"
        "    appointment: [Appt Date, Appt Time]\n  date_format: MM/DD/YYYY\n"))
    return ["--clinic", str(clinic)]


def test_a_scheduling_export_makes_packets_through_the_profile_mapping(capsys, tmp_path, write_roster, project):
    rows = [["M100", "Ann", "Alpha", "12/01/2026", "9:30 AM"], ["M101", "Bea", "Beta", "12/02/2026", "2:05 PM"]]
    roster = write_roster(rows, header=["MRN", "First Name", "Last Name", "Appt Date", "Appt Time"])
    code, out, err = packets(capsys, roster, tmp_path / "out", "--jobs", "1", *_export_project(tmp_path, project))
    assert code == 0, err
    first = normalized(text(tmp_path / "out" / "M100_2026-12-01.pdf"))
    assert "Prepared for Ann Alpha." in first and "Tuesday, December 1, 2026 at 9:30 AM" in first
    assert "Wednesday, December 2, 2026 at 2:05 PM" in normalized(text(tmp_path / "out" / "M101_2026-12-02.pdf"))


def test_rows_are_chosen_by_day_and_id_and_past_ones_skipped(capsys, tmp_path, write_roster, monkeypatch):
    rows = [["P1", "Ann Alpha", "2026-11-20 09:30", "", "", ""], ["P2", "Bea Beta", "2026-12-01 09:30", "", "", ""],
            ["P3", "Cal Gamma", "2026-12-01 11:00", "", "", ""], ["P4", "Dee Delta", "2026-12-02 09:30", "", "", ""]]
    roster = write_roster(rows)
    code, out, _ = packets(capsys, roster, tmp_path / "day", "--date", "2026-12-01")
    assert code == 0 and "skipped 1 row(s) whose appointment has passed (row 2)" in out
    assert sorted(f.name for f in (tmp_path / "day").glob("*.pdf")) == ["P2_2026-12-01.pdf", "P3_2026-12-01.pdf"]
    code, out, _ = packets(capsys, roster, tmp_path / "one", "--id", "P4")
    assert code == 0 and [f.name for f in (tmp_path / "one").glob("*.pdf")] == ["P4_2026-12-02.pdf"]
    monkeypatch.setenv("HANDOUTS_TODAY", "2026-12-02")
    code, out, _ = packets(capsys, roster, tmp_path / "late")
    assert code == 0 and "skipped 3 row(s)" in out


def test_a_manifest_records_row_id_and_file_without_names(capsys, tmp_path, write_roster):
    rows = [["P1", "Ann Alpha", "2026-12-03 09:30", "", "", ""], ["=HYPERLINK(1)", "Bea Beta", "2026-12-03 10:30",
                                                                   "", "", ""]]
    code, _, _ = packets(capsys, write_roster(rows), tmp_path / "out")
    manifest = (tmp_path / "out" / "manifest.csv").read_text().splitlines()
    assert manifest[0] == "row,patient_id,appointment,file"
    assert manifest[1] == "2,P1,2026-12-03 09:30,P1_2026-12-03.pdf"
    assert manifest[2].split(",")[1].startswith("'=")  # a spreadsheet shows it as text, never runs it
    assert "Alpha" not in "\n".join(manifest) and "Beta" not in "\n".join(manifest)


def test_each_document_of_a_packet_is_a_part_with_one_title(capsys, tmp_path, roster):
    from pdfread import struct_tree

    code, _, _ = packets(capsys, roster, tmp_path / "out", "--jobs", "1")
    assert code == 0
    for path in sorted((tmp_path / "out").glob("*.pdf")):
        tree = struct_tree(PdfReader(str(path)))
        parts = [kid for kid in tree.kids if kid.role == "Part"]
        assert len(parts) == len(tree.kids) == 3  # the opening, the checklist, the handout
        assert [len(part.find("H1")) for part in parts] == [1, 1, 1]
        assert conformance_failures(path) == []


def test_the_contents_list_links_to_where_each_document_starts(capsys, tmp_path, roster):
    from pdfread import struct_tree

    code, _, _ = packets(capsys, roster, tmp_path / "out", "--jobs", "1")
    assert code == 0
    for path in sorted((tmp_path / "out").glob("*.pdf")):
        reader = PdfReader(str(path))
        opening, *documents = [kid for kid in struct_tree(reader).kids if kid.role == "Part"]
        contents = opening.find("L")[-1]  # "In this packet"
        links = [item.find("Link")[0] for item in contents.kids]
        titles = [normalized(document.find("H1")[0].all_text()) for document in documents]
        assert [normalized(link.all_text()) for link in links] == titles
        for link, document in zip(links, documents):
            annotation = link.annotations[0]
            assert str(annotation["/Contents"]) == normalized(link.all_text())  # a screen reader names it
            page = reader.get_page_number(annotation["/Dest"][0].get_object())
            first_mcid_page = document.find("H1")[0].mcids[0][0]
            assert page == first_mcid_page  # the link goes to the page the document's title is on
            assert page > 0


def test_a_link_to_no_document_is_refused_with_its_line(capsys, tmp_path, make_project):
    project = make_project(doc="---\ntitle: Handout\n---\nSee [the other one](#nowhere).\n")
    code, _, err = run(capsys, "build", "doc", "--content", str(project.content.folder),
                       "--out", str(tmp_path / "out"))
    assert code == 2
    assert "doc.md:4: a '#' link goes to no document in this file" in err
    assert not (tmp_path / "out").exists()


def test_a_long_print_job_groups_its_bookmarks(capsys, tmp_path, roster, monkeypatch):
    """A flat list of thousands of bookmarks is one long /Next chain, which validators refuse: past the group
    size, packets are grouped ("Packets 1–4")."""
    from handouts.batch import printjob

    monkeypatch.setattr(printjob, "OUTLINE_GROUP", 4)
    job = tmp_path / "print.pdf"
    code, _, _ = packets(capsys, roster, tmp_path / "out", "--print-job", str(job), "--jobs", "1")
    assert code == 0
    outline = PdfReader(str(job)).outline
    assert [item.title for item in outline if not isinstance(item, list)] == ["Packets 1\u20134", "Packets 5\u20136"]
    assert [len(item) for item in outline if isinstance(item, list)] == [4, 2]
    assert outline[1][0].title.startswith("P001 (") and outline[3][1].title.startswith("P006 (")
    assert conformance_failures(job) == []


def test_a_run_stopped_halfway_leaves_no_print_job(capsys, tmp_path, write_roster, monkeypatch):
    """The print job is written while the packets are made: a run that stops after some were written
    leaves neither the job nor its temporary file, and yesterday's job is gone (it no longer matches)."""
    from handouts.errors import ContentError

    _fail_for(monkeypatch, "Bea Beta", ContentError("placeholder has no value", source="content/x.md", line=3,
                                                    rule="placeholder-empty"))
    job = tmp_path / "jobs" / "print.pdf"
    job.parent.mkdir()
    job.write_bytes(b"%PDF-1.7 yesterday")
    code, _, err = packets(capsys, write_roster(TWO), tmp_path / "out", "--print-job", str(job), "--jobs", "1")
    assert code == 2 and "Stopped" in err
    assert [f.name for f in (tmp_path / "out").glob("*.pdf")] == ["P1_2026-12-03.pdf"]  # the row before was written
    assert list(job.parent.iterdir()) == []


def test_the_print_job_refuses_a_packet_of_another_shape(tmp_path):
    """It copies what render writes (one Document element at the root), and never guesses at another file."""
    from reportlab.pdfgen.canvas import Canvas

    from handouts.batch.printjob import PrintJob
    from handouts.errors import InternalError

    untagged = tmp_path / "untagged.pdf"
    canvas = Canvas(str(untagged))
    canvas.drawString(72, 720, "not a packet")
    canvas.save()
    with pytest.raises(InternalError, match="no single Document element"):
        with PrintJob(tmp_path / "job.pdf") as job:
            job.add("P1", untagged)
    assert not (tmp_path / "job.pdf").exists() and [p.name for p in tmp_path.iterdir()] == ["untagged.pdf"]


def test_a_worker_sends_the_job_each_shared_object_once(project):
    """A worker's later packets name the shared objects (fonts, their maps, form XObjects) it sent the job before
    by their key alone; the job made from them is the job made from whole fragments, and a job that does not hold
    an object a fragment names so refuses it rather than write a broken file."""
    from datetime import datetime

    from handouts.batch.printjob import PrintJob, fragment_of
    from handouts.errors import InternalError
    from handouts.load.project import Patient
    from handouts.pipeline import packet_document, render_checked

    def packet(name: str) -> bytes:
        document = packet_document(project, Patient.from_values(name), datetime(2026, 12, 3, 9, 30),
                                   ("infusion-day-checklist", "fibromyalgia-ketamine"))
        return render_checked(project, document, project.layouts.load("large-print"), "packet")

    pdfs = [packet(name) for name in ("Ann Alpha", "Bea Beta", "Cal Gamma")]
    sent: set = set()
    lean = [fragment_of(pdf, sent) for pdf in pdfs]
    whole = [fragment_of(pdf) for pdf in pdfs]
    taken = [[entry for entry in fragment.objects if entry is not None] for fragment in (*lean, *whole)]
    lean_taken, whole_taken = taken[:3], taken[3:]
    shared = {key for key, _, _ in whole_taken[0] if key is not None}
    assert shared and sent >= shared
    named_first = [head for key, head, _ in lean_taken[0] if not head]
    assert len(named_first) < len(shared)  # the first packet sends everything (a copy inside it: by key)
    named = {key for key, head, _ in lean_taken[1] if key is not None and not head}
    assert named and named <= shared  # the next names what the job holds by its key alone
    assert all(head for key, head, _ in lean_taken[1] if key not in shared)
    assert sum(len(h) + len(t) for _, h, t in lean_taken[1]) < sum(len(h) + len(t) for _, h, t in whole_taken[1])
    made = []
    for fragments in (lean, whole):
        made.append(_job_bytes(PrintJob, fragments))
    assert made[0] == made[1]
    with pytest.raises(InternalError):
        _job_bytes(PrintJob, lean[1:])  # the packet that sent them never reached this job


def _job_bytes(print_job, fragments) -> bytes:
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as folder:
        target = Path(folder) / "job.pdf"
        with print_job(target) as job:
            for i, fragment in enumerate(fragments):
                job.add(f"P{i} (2026-12-03 09:30)", fragment)
            job.finish()
        return target.read_bytes()
