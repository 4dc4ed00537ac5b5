"""Who gets what, before it goes: the review, the confirmation, resend, status and a changed appointment."""

import email
import os
import pty
import select
import subprocess
import sys
import time
import warnings
from email.policy import default

import pytest
from conftest import DATA, REPO, approved_content, run

from handouts.mail.ledger import Ledger

HEADER = ["patient_id", "name", "appointment", "preferred_name", "email", "layout", "language"]
PATIENTS = [  # fictional
    ["P001", "Jack Smith", "2026-12-03 09:30", "Jack", "jsmith@example.org", "large-print", ""],
    ["P002", "Rosa Delgado Vega", "2026-12-03 10:30", "Rosa", "rosa.dv@example.net", "standard", "es"],
    ["P003", "Nguyễn Thị Minh Khai", "2026-12-04 11:00", "Khai", "khai@example.com", "", ""],
]
CLINIC = DATA / "clinic_send.yaml"
USER, PASSWORD = "frontdesk", "correct horse"


@pytest.fixture
def roster(write_roster):
    return write_roster(PATIENTS, header=HEADER)


def options(tmp_path, *extra):
    return ["--outbox", str(tmp_path / "outbox"), "--ledger", str(tmp_path / "ledger.sqlite3"), "--clinic",
            str(CLINIC), "--content", str(approved_content()), "--layouts", str(REPO / "layouts"), "--jobs", "1",
            "--quiet", *extra]


def send(capsys, tmp_path, roster, *extra):
    return run(capsys, "send", str(roster), *options(tmp_path, *extra))


def drafts(tmp_path):
    return {p.name: email.message_from_bytes(p.read_bytes(), policy=default)
            for p in sorted((tmp_path / "outbox").glob("*.eml"))}


def at_a_terminal(tmp_path, roster, answer: str, *extra) -> tuple[int, str]:
    """`handouts send` in a process whose standard input and output are a terminal; type `answer` at the
    question. Returns the exit code and everything the terminal showed."""
    main_fd, child_fd = pty.openpty()
    env = {**os.environ, "HANDOUTS_TODAY": "2026-11-24", "COLUMNS": "200"}
    process = subprocess.Popen([sys.executable, "-m", "handouts", "send", str(roster), *options(tmp_path, *extra)],
                               stdin=child_fd, stdout=child_fd, stderr=child_fd, env=env, cwd=tmp_path)
    os.close(child_fd)
    shown, answered, deadline = b"", False, time.monotonic() + 120
    while time.monotonic() < deadline:
        ready, _, _ = select.select([main_fd], [], [], 0.5)
        if ready:
            try:
                chunk = os.read(main_fd, 65536)
            except OSError:  # the process closed the terminal
                break
            if not chunk:
                break
            shown += chunk
            if not answered and b"[y/N]" in shown:
                os.write(main_fd, answer.encode() + b"\n")
                answered = True
        elif process.poll() is not None:
            break
    code = process.wait(timeout=60)
    os.close(main_fd)
    return code, shown.decode("utf-8", "replace").replace("\r\n", "\n")


def test_at_a_terminal_the_review_names_each_patient_and_no_sends_nothing(tmp_path, roster):
    code, shown = at_a_terminal(tmp_path, roster, "n")
    assert code == 1, shown
    assert "  row 2, P001: new\n      Jack Smith  ->  jsmith@example.org\n" \
           "      Thursday, December 3, 2026 at 9:30 AM; English; large print\n" in shown
    assert "  row 3, P002: new\n      Rosa Delgado Vega  ->  rosa.dv@example.net\n" in shown
    assert "Spanish; standard" in shown
    assert "Draft 3 email(s) to 3 patient(s)? [y/N]" in shown
    assert "Nothing sent: not confirmed." in shown
    assert not (tmp_path / "outbox").exists() or not list((tmp_path / "outbox").iterdir())
    with Ledger(tmp_path / "ledger.sqlite3") as ledger:
        assert ledger.records() == []


def test_at_a_terminal_yes_sends(tmp_path, roster):
    code, shown = at_a_terminal(tmp_path, roster, "y")
    assert code == 0, shown
    assert shown.strip().endswith("drafted 3")
    assert sorted(drafts(tmp_path)) == ["P001_2026-12-03.eml", "P002_2026-12-03.eml", "P003_2026-12-04.eml"]


def test_without_a_terminal_and_without_yes_nothing_is_sent(capsys, tmp_path, roster):
    code, out, err = send(capsys, tmp_path, roster)
    assert code == 2
    assert "3 email(s) wait for a yes, and there is no terminal to ask at; nothing was sent" in err
    assert err.count("\n") == 1
    assert "Review: who gets what" in out and "j***@example.org" in out
    assert not drafts(tmp_path)
    with Ledger(tmp_path / "ledger.sqlite3") as ledger:
        assert ledger.records() == []


def test_nothing_due_asks_nothing(capsys, tmp_path, roster):
    assert send(capsys, tmp_path, roster, "--yes")[0] == 0
    code, out, _ = send(capsys, tmp_path, roster)  # no --yes and no terminal: nothing is due, so no question
    assert code == 0 and "row 2, P001: already drafted" in out and out.strip().endswith("skipped 3 (already drafted)")


def test_ids_in_the_ledger_compare_as_the_roster_compares_them(capsys, tmp_path, roster, write_roster):
    assert send(capsys, tmp_path, roster, "--yes")[0] == 0
    lower = write_roster([[row[0].lower(), *row[1:]] for row in PATIENTS], header=HEADER, name="lower.csv")
    code, out, _ = send(capsys, tmp_path, lower, "--yes")
    assert code == 0 and out.strip().endswith("drafted 0, skipped 3 (already drafted)")
    code, out, _ = send(capsys, tmp_path, lower, "--yes", "--resend", "P003")
    assert code == 0 and "row 4, p003: resend" in out and out.strip().endswith("drafted 1")


def test_a_changed_appointment_gets_an_email_that_replaces_the_first(capsys, tmp_path, roster, write_roster):
    assert send(capsys, tmp_path, roster, "--yes")[0] == 0
    moved = [list(row) for row in PATIENTS]
    moved[0][2] = "2026-12-10 14:00"
    changed = write_roster(moved, header=HEADER, name="changed.csv")
    code, out, _ = send(capsys, tmp_path, changed, "--yes")
    assert code == 0, out
    assert "row 2, P001: appointment changed (this email replaces the one for Thursday, December 3, 2026 " \
           "at 9:30 AM)" in out
    assert out.strip().endswith("drafted 1, skipped 2 (already drafted)")
    found = drafts(tmp_path)
    # The earlier draft is gone: nobody sends the patient the old date by mistake.
    assert sorted(found) == ["P001_2026-12-10.eml", "P002_2026-12-03.eml", "P003_2026-12-04.eml"]
    plain = found["P001_2026-12-10.eml"].get_body(("plain",)).get_content()
    assert "Your appointment has changed. This email takes the place of the one we sent you for Thursday, " \
           "December 3, 2026 at 9:30 AM. Please use this one." in " ".join(plain.split())
    assert "Thursday, December 10, 2026 at 2:00 PM" in plain
    assert "changed" not in found["P003_2026-12-04.eml"].get_body(("plain",)).get_content()
    # In Spanish too.
    moved[1][2] = "2026-12-11 08:00"
    code, out, _ = send(capsys, tmp_path, write_roster(moved, header=HEADER, name="again.csv"), "--yes")
    spanish = drafts(tmp_path)["P002_2026-12-11.eml"].get_body(("plain",)).get_content()
    assert "Su cita cambió." in spanish and "P002_2026-12-03.eml" not in drafts(tmp_path)


def test_a_visit_that_has_passed_is_not_emailed_again(capsys, tmp_path, roster, write_roster, monkeypatch):
    """A series goes on after the first infusion: the next appointment is no 'changed' one."""
    assert send(capsys, tmp_path, roster, "--yes")[0] == 0
    monkeypatch.setenv("HANDOUTS_TODAY", "2026-12-05")
    later = [[row[0], row[1], "2026-12-17 09:30", *row[3:]] for row in PATIENTS]
    code, out, _ = send(capsys, tmp_path, write_roster(later, header=HEADER, name="later.csv"), "--yes")
    assert code == 0 and out.strip().endswith("drafted 0, skipped 3 (already drafted)")


def test_status_shows_each_patient_and_one_patients_history(capsys, tmp_path, roster):
    assert send(capsys, tmp_path, roster, "--yes")[0] == 0
    assert send(capsys, tmp_path, roster, "--yes", "--resend", "P002")[0] == 0
    ledger = ["--ledger", str(tmp_path / "ledger.sqlite3")]
    code, out, _ = run(capsys, "send", "--status", *ledger)
    assert code == 0 and "drafts: drafted 3" in out and "Each patient's newest delivery:" in out
    lines = [line for line in out.splitlines() if line.startswith("  P00")]
    assert [line.split(":")[0].strip() for line in lines] == ["P001", "P003", "P002"]
    assert "drafted, 20" in lines[0] and "appointment 2026-12-03 09:30, to j***@example.org, by drafts" in lines[0]
    code, out, _ = run(capsys, "send", "--status", "p002", *ledger)
    assert code == 0 and "Every delivery of this patient (2):" in out
    assert out.count("  P002: drafted") == 2 and "P001" not in out.split("patient (2):")[1]
    code, out, _ = run(capsys, "send", "--status", "P404", *ledger)
    assert code == 0 and "No delivery of this patient_id is recorded." in out


def test_resend_over_smtp_sends_exactly_one_email(capsys, tmp_path, roster, smtp_server, smtp_ca_file, monkeypatch):
    server = smtp_server("starttls", auth=(USER, PASSWORD))
    monkeypatch.setenv("HANDOUTS_SMTP_PASSWORD", PASSWORD)
    smtp = ["--smtp", f"{server.host}:{server.port}", "--smtp-user", USER, "--smtp-ca-file", str(smtp_ca_file),
            "--yes"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert send(capsys, tmp_path, roster, *smtp)[0] == 0
        assert len(server.received) == 3
        extra = write_extra_row(tmp_path, roster)
        code, out, _ = send(capsys, tmp_path, extra, *smtp, "--resend", "P002")
    assert code == 0 and out.strip().endswith("sent 1")
    assert "Not asked this time: 3 row(s)" in out  # the new row P004 waits too: --resend sends the ids named only
    assert len(server.received) == 4 and server.received[-1].rcpt_tos == ["rosa.dv@example.net"]


def test_a_dry_run_with_smtp_shows_the_plan_of_the_smtp_run(capsys, tmp_path, roster, smtp_server, smtp_ca_file,
                                                            monkeypatch):
    server = smtp_server("starttls", auth=(USER, PASSWORD))
    monkeypatch.setenv("HANDOUTS_SMTP_PASSWORD", PASSWORD)
    smtp = ["--smtp", f"{server.host}:{server.port}", "--smtp-user", USER, "--smtp-ca-file", str(smtp_ca_file)]
    assert send(capsys, tmp_path, roster, "--yes")[0] == 0  # drafted, not sent: the SMTP run still has 3 to send
    code, out, _ = send(capsys, tmp_path, roster, *smtp, "--dry-run")
    assert code == 0 and "by email through 127.0.0.1" in out and out.strip().endswith("ready 3")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        code, out, _ = send(capsys, tmp_path, roster, *smtp, "--yes")
    assert code == 0 and out.strip().endswith("sent 3") and len(server.received) == 3


def write_extra_row(tmp_path, roster):
    extra = tmp_path / "extra.csv"
    extra.write_text(roster.read_text() + "P004,Omar Haddad,2026-12-05 09:00,Omar,omar.h@example.com,,\n")
    return extra


def test_an_infusion_series_is_one_email_for_the_first_upcoming_appointment(capsys, tmp_path, write_roster,
                                                                            monkeypatch):
    series = [PATIENTS[0], [*PATIENTS[0][:2], "2026-12-10 09:30", *PATIENTS[0][3:]],
              [*PATIENTS[0][:2], "2026-12-17 09:30", *PATIENTS[0][3:]], PATIENTS[2]]
    roster = write_roster(series, header=HEADER)
    code, out, _ = send(capsys, tmp_path, roster, "--yes")
    assert code == 0 and "left out 2 later infusion(s) of a series (rows 3 and 4)" in out
    assert out.strip().endswith("drafted 2")
    assert sorted(drafts(tmp_path)) == ["P001_2026-12-03.eml", "P003_2026-12-04.eml"]
    # A week on, the series goes on: its next infusion is no new patient.
    monkeypatch.setenv("HANDOUTS_TODAY", "2026-12-08")
    code, out, _ = send(capsys, tmp_path, roster, "--yes")
    assert code == 0 and "row 3, P001: already drafted" in out and out.strip().endswith("skipped 1 (already drafted)")
    with Ledger(tmp_path / "ledger.sqlite3") as ledger:
        assert [record[2] for record in ledger.records()] == ["P001", "P003"]


def test_a_dry_run_at_a_terminal_names_each_patient_and_asks_nothing(tmp_path, roster):
    code, shown = at_a_terminal(tmp_path, roster, "", "--dry-run")
    assert code == 0, shown
    assert "  row 2, P001: new\n      Jack Smith  ->  jsmith@example.org\n" in shown
    assert "[y/N]" not in shown and shown.strip().endswith("ready 3")
    assert not (tmp_path / "outbox").exists()
