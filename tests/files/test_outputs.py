"""No output replaces another or an input (issue 20, item 2): through the CLI, with symlinks, hard links,
`..` and letter case; the ledger's export and lock; a read-only ledger."""

import contextlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from conftest import REPO, approved_content, approved_copy, run
from test_packets import TWO, packets
from test_send import CLINIC, HEADER, PATIENTS

from handouts.mail.ledger import Ledger

THREE = [*TWO, ["P3", "Cal Gamma", "2026-12-04 09:30", "", "", ""]]
PACKET = "P1_2026-12-03.pdf"


def snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    """Every file below `folder`: its bytes and inode, to show that nothing was replaced."""
    return {str(p.relative_to(folder)): (p.read_bytes(), p.stat().st_ino)
            for p in sorted(folder.rglob("*")) if p.is_file() and not p.is_symlink()}


@pytest.fixture
def earlier(capsys, tmp_path, write_roster):
    """A packets folder from an earlier run: (roster, out)."""
    roster = write_roster(THREE)
    code, _, err = packets(capsys, roster, tmp_path / "out", "--jobs", "1")
    assert code == 0, err
    return roster, tmp_path / "out"


@pytest.mark.parametrize("where", ["packet", "case", "symlinked-folder", "dotdot", "symlink", "hard-link",
                                   "manifest-symlink", "earlier-packet"])
def test_the_print_job_never_replaces_a_packet_or_the_manifest(capsys, tmp_path, earlier, where):
    roster, out = earlier
    (tmp_path / "link").symlink_to(out)
    (tmp_path / "sub").mkdir()
    target = {
        "packet": out / PACKET,
        "case": tmp_path / "OUT" / PACKET.lower().replace(".pdf", ".PDF"),  # one file on Windows and macOS
        "symlinked-folder": tmp_path / "link" / PACKET,
        "dotdot": tmp_path / "sub" / ".." / "out" / PACKET,
        "symlink": tmp_path / "job.pdf",
        "hard-link": tmp_path / "job.pdf",
        "manifest-symlink": tmp_path / "job.pdf",
        "earlier-packet": out / "P9_2026-12-03.pdf",  # not in this run, but a packet of an earlier one
    }[where]
    if where == "symlink":
        target.symlink_to(out / PACKET)
    elif where == "hard-link":
        os.link(out / PACKET, target)
    elif where == "manifest-symlink":
        (out / "manifest.csv").unlink()
        target.symlink_to(out / "manifest.csv")  # dangling: the manifest is written after the print job
    elif where == "earlier-packet":
        shutil.copy(out / PACKET, target)
    before = snapshot(out)
    code, _, err = packets(capsys, roster, out, "--print-job", str(target), "--jobs", "1")
    assert code == 2 and "error: " in err and "the print job would" in err, err
    assert len(err.strip().splitlines()) == 1 and "Ann Alpha" not in err
    assert snapshot(out) == before  # not one packet written, none replaced
    assert not (tmp_path / "OUT").exists()


@pytest.mark.parametrize("link", ["symlink", "hard-link"])
def test_the_print_job_never_replaces_the_ledger(capsys, tmp_path, write_roster, link):
    ledger = tmp_path / "send-ledger.sqlite3"
    Ledger(ledger).close()
    before = ledger.read_bytes()
    target = tmp_path / "job.pdf"
    target.symlink_to(ledger) if link == "symlink" else os.link(ledger, target)
    code, _, err = packets(capsys, write_roster(TWO), tmp_path / "out", "--print-job", str(target))
    assert code == 2 and "print job" in err
    assert ledger.read_bytes() == before and not (tmp_path / "out").exists()


@pytest.mark.parametrize("link", ["hard-link", "symlink"])
def test_no_packet_output_is_an_input_through_a_link(capsys, tmp_path, write_roster, link):
    roster = write_roster(TWO)
    target = tmp_path / "job.pdf"
    target.symlink_to(roster) if link == "symlink" else os.link(roster, target)
    code, _, err = packets(capsys, roster, tmp_path / "out", "--print-job", str(target))
    assert code == 2 and "print job" in err and not (tmp_path / "out").exists()


def test_the_manifest_never_replaces_the_roster(capsys, tmp_path, write_roster):
    roster = write_roster(TWO, name="manifest.csv")  # the roster lies where the manifest would go
    before = roster.read_bytes()
    code, _, err = packets(capsys, roster, tmp_path)
    assert code == 2 and "the list of packets (manifest.csv) would replace the roster" in err
    assert roster.read_bytes() == before and not list(tmp_path.glob("*.pdf"))


def test_the_packets_never_go_into_the_content_folder(capsys, tmp_path, write_roster):
    content = tmp_path / "content"
    shutil.copytree(REPO / "content", content)
    code, _, err = packets(capsys, write_roster(TWO), content / "packets", "--content", str(content))
    assert code == 2 and "the packets folder would sit in the content folder" in err
    assert "--out" in err and not (content / "packets").exists()


# -- send: the ledger, the outbox, the export ---------------------------------------------------------------

def send(capsys, tmp_path, roster, *extra):
    return run(capsys, "send", str(roster), "--outbox", str(tmp_path / "outbox"), "--clinic", str(CLINIC),
               "--content", str(approved_content()), "--layouts", str(REPO / "layouts"), "--jobs", "1", "--quiet",
               "--yes", *extra)


@pytest.fixture
def roster(write_roster):
    return write_roster(PATIENTS, header=HEADER)


@pytest.mark.parametrize("what", ["roster", "profile", "profile-symlink"])
def test_the_ledger_is_never_an_input(capsys, tmp_path, roster, what):
    clinic = tmp_path / "clinic.yaml"
    shutil.copy(CLINIC, clinic)
    ledger = {"roster": roster, "profile": clinic, "profile-symlink": tmp_path / "ledger.sqlite3"}[what]
    if what == "profile-symlink":
        ledger.symlink_to(clinic)
    modes = {path: (path.read_bytes(), path.stat().st_mode) for path in (roster, clinic)}
    code, _, err = run(capsys, "send", str(roster), "--ledger", str(ledger), "--outbox", str(tmp_path / "outbox"),
                       "--clinic", str(clinic), "--content", str(approved_content()), "--layouts",
                       str(REPO / "layouts"), "--jobs", "1", "--quiet", "--yes")
    assert code == 2 and "the ledger would replace" in err and "--ledger" in err
    assert {path: (path.read_bytes(), path.stat().st_mode) for path in modes} == modes  # not even made 0600
    assert not (tmp_path / "outbox").exists()


def test_the_outbox_is_never_the_content_folder(capsys, tmp_path, roster):
    content = approved_copy(tmp_path / "content")
    code, _, err = run(capsys, "send", str(roster), "--outbox", str(content), "--ledger", str(tmp_path / "l.sqlite3"),
                       "--clinic", str(CLINIC), "--content", str(content), "--layouts", str(REPO / "layouts"),
                       "--jobs", "1", "--quiet", "--yes")
    assert code == 2 and "the outbox is the content folder" in err and "--outbox" in err
    assert not list(content.glob("*.eml")) and not (tmp_path / "l.sqlite3").exists()


def test_no_draft_replaces_a_roster_kept_in_the_outbox(capsys, tmp_path, write_roster):
    (tmp_path / "outbox").mkdir()
    roster = write_roster(PATIENTS, header=HEADER, name="outbox/P001_2026-12-03.eml")  # a draft's name
    before = roster.read_bytes()
    code, _, err = send(capsys, tmp_path, roster, "--ledger", str(tmp_path / "l.sqlite3"))
    assert code == 2 and "the outbox holds, under a name it gives its own files, the roster" in err
    assert roster.read_bytes() == before and list((tmp_path / "outbox").iterdir()) == [roster]


@pytest.fixture
def ledger(capsys, tmp_path, roster):
    code, _, err = send(capsys, tmp_path, roster, "--ledger", str(tmp_path / "ledger.sqlite3"))
    assert code == 0, err
    return tmp_path / "ledger.sqlite3"


def export(capsys, ledger, target, *extra):
    return run(capsys, "send", "--ledger", str(ledger), "--export-ledger", str(target), *extra)


@pytest.mark.parametrize("how", ["same", "dotdot", "symlink", "hard-link"])
def test_the_export_never_replaces_the_ledger(capsys, tmp_path, ledger, how):
    before = ledger.read_bytes()
    (tmp_path / "sub").mkdir()
    target = {"same": ledger, "dotdot": tmp_path / "sub" / ".." / ledger.name,
              "symlink": tmp_path / "records.csv", "hard-link": tmp_path / "records.csv"}[how]
    if how == "symlink":
        target.symlink_to(ledger)
    elif how == "hard-link":
        os.link(ledger, target)
    for extra in ((), ("--force",)):  # not even on purpose
        code, _, err = export(capsys, ledger, target, *extra)
        assert code == 2 and "the ledger export would replace the ledger" in err and "--export-ledger" in err
        assert ledger.read_bytes() == before


def test_the_export_never_replaces_the_roster_or_the_profile(capsys, tmp_path, ledger, roster):
    clinic = tmp_path / "clinic.yaml"
    shutil.copy(CLINIC, clinic)
    (tmp_path / "profile-link.csv").symlink_to(clinic)
    for target, extra in ((roster, (str(roster),)), (clinic, ("--clinic", str(clinic))),
                          (tmp_path / "profile-link.csv", ("--clinic", str(clinic))),
                          (REPO / "content" / "records.csv", ())):
        before = {p: p.read_bytes() for p in (roster, clinic)}
        code, _, err = run(capsys, "send", *extra, "--ledger", str(ledger), "--export-ledger", str(target),
                           "--force", "--content", str(REPO / "content"))
        assert code == 2 and "the ledger export would" in err, (target, err)
        assert {p: p.read_bytes() for p in before} == before
    assert not (REPO / "content" / "records.csv").exists()


def test_the_export_replaces_an_existing_file_only_with_force(capsys, tmp_path, ledger):
    target = tmp_path / "records.csv"
    target.write_text("last month's records\n")
    code, _, err = export(capsys, ledger, target)
    assert code == 2 and "already there" in err and "--force" in err
    assert target.read_text() == "last month's records\n"
    code, out, _ = export(capsys, ledger, target, "--force")
    assert code == 0 and "Wrote 3 record(s)" in out and target.read_text().startswith("id,row,patient_id")


# -- the ledger is held by the file, not by its name --------------------------------------------------------

@pytest.mark.parametrize("how", ["symlink", "hard-link", "dotdot"])
def test_a_second_send_through_another_path_to_the_ledger_is_refused(capsys, tmp_path, roster, how):
    real = tmp_path / "ledger.sqlite3"
    Ledger(real).close()
    (tmp_path / "sub").mkdir()
    other = {"symlink": tmp_path / "link.sqlite3", "hard-link": tmp_path / "hard.sqlite3",
             "dotdot": tmp_path / "sub" / ".." / "ledger.sqlite3"}[how]
    if how == "symlink":
        other.symlink_to(real)
    elif how == "hard-link":
        os.link(real, other)
    first = Ledger(real)
    first.hold()  # a send is running on the ledger
    try:
        code, _, err = send(capsys, tmp_path, roster, "--ledger", str(other))
    finally:
        first.close()
    assert code == 2 and "another send is using this ledger right now" in err
    assert len(err.strip().splitlines()) == 1 and not (tmp_path / "outbox").exists()


def test_two_concurrent_smtp_sends_through_a_symlinked_ledger_send_each_patient_once(tmp_path, roster, smtp_server,
                                                                                       smtp_ca_file, monkeypatch):
    from test_send_smtp import PASSWORD, USER

    server = smtp_server("starttls", auth=(USER, PASSWORD))
    monkeypatch.setenv("HANDOUTS_SMTP_PASSWORD", PASSWORD)
    (tmp_path / "link.sqlite3").symlink_to(tmp_path / "ledger.sqlite3")

    def start(ledger: str) -> subprocess.Popen:
        return subprocess.Popen(
            [sys.executable, "-m", "handouts", "send", str(roster), "--smtp", f"{server.host}:{server.port}",
             "--smtp-user", USER, "--smtp-ca-file", str(smtp_ca_file), "--ledger", str(tmp_path / ledger),
             "--clinic", str(CLINIC), "--content", str(approved_content()), "--layouts", str(REPO / "layouts"),
             "--jobs", "1", "--quiet", "--yes", "--rate", "8/min"],
            cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    first = start("ledger.sqlite3")
    deadline = time.time() + 120
    while time.time() < deadline and not server.received and first.poll() is None:
        time.sleep(0.05)
    assert server.received, first.communicate()
    second = start("link.sqlite3")  # the same ledger, under another name, while the first is sending
    _, err = second.communicate(timeout=120)
    first.communicate(timeout=120)
    assert first.returncode == 0
    assert second.returncode == 2 and "another send is using this ledger right now" in err, err
    addresses = sorted(r.rcpt_tos[0] for r in server.received)
    assert addresses == sorted(row[4] for row in PATIENTS)  # each patient exactly once


# -- --status and --export-ledger on a ledger this user may only read ------------------------------------------

NOBODY = 65534


@contextlib.contextmanager
def only_reading(*paths: Path):
    """Run as a user who may read, not write, `paths` (0400 files, 0500 folders): as root, as nobody."""
    root = os.geteuid() == 0
    for path in paths:
        if root:
            os.chown(path, NOBODY, NOBODY)
        os.chmod(path, 0o500 if path.is_dir() else 0o400)
    if root:
        os.seteuid(NOBODY)
    try:
        yield
    finally:
        if root:
            os.seteuid(0)


def test_status_and_export_work_on_a_read_only_ledger(capsys, tmp_path, ledger):
    import handouts.mail.message  # noqa: F401  (imported now: the user below may not write its cache)
    import handouts.mail.send  # noqa: F401

    folder = Path(tempfile.mkdtemp(prefix="handouts-read-only-"))
    exports = Path(tempfile.mkdtemp(prefix="handouts-exports-"))
    try:
        shutil.copy(ledger, folder / "ledger.sqlite3")
        before = (folder / "ledger.sqlite3").read_bytes()
        if os.geteuid() == 0:
            os.chown(exports, NOBODY, NOBODY)
        with only_reading(folder / "ledger.sqlite3", folder):
            status = run(capsys, "send", "--status", "--ledger", str(folder / "ledger.sqlite3"))
            exported = run(capsys, "send", "--export-ledger", str(exports / "records.csv"),
                           "--ledger", str(folder / "ledger.sqlite3"))
        assert status[0] == 0 and "drafts: drafted 3" in status[1], status
        assert exported[0] == 0 and "Wrote 3 record(s)" in exported[1], exported
        assert sorted(p.name for p in folder.iterdir()) == ["ledger.sqlite3"]  # no journal, no lock file
        assert (folder / "ledger.sqlite3").read_bytes() == before
    finally:
        os.chmod(folder, 0o700)
        shutil.rmtree(folder, ignore_errors=True)
        shutil.rmtree(exports, ignore_errors=True)


def test_jobs_is_at_most_the_number_of_cpus(capsys, tmp_path, write_roster, ledger):
    code, out, _ = packets(capsys, write_roster(TWO), tmp_path / "out", "--jobs", "999")
    assert code == 0 and "Note: --jobs 999 is more than the" in out and "CPU(s) here; using" in out
    code, out, _ = run(capsys, "send", "--status", "--ledger", str(ledger), "--jobs", "999")
    assert code == 0 and "Note: --jobs 999 is more than the" in out


def test_a_partial_runs_print_job_is_named_after_its_ids():
    from handouts.files.outputs import partial_print_job

    assert partial_print_job(Path("jobs/print-today.pdf"), ("P2", "P1", "P2")) == Path("jobs/print-today-P1-P2.pdf")
    many = partial_print_job(Path("print-today.pdf"), ("P1", "P2", "P3", "P4"))
    assert many.name.startswith("print-today-4-ids-") and len(many.stem) == len("print-today-4-ids-") + 8
    assert partial_print_job(Path("print-today.pdf"), ("a b",)).name.startswith("print-today-1-ids-")  # not plain
    assert partial_print_job(Path("p.pdf"), ("P1", "P2", "P3", "P4")) == partial_print_job(
        Path("p.pdf"), ("P4", "P3", "P2", "P1"))  # the same ids, the same job: a re-run replaces it
