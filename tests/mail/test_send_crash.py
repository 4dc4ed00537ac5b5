"""Drafts are recorded a batch at a time: a send killed (SIGKILL, nothing cleaned up) between any two steps
leaves no draft without a record and no "drafted" record without its draft, and the next run drafts each
patient once.

The steps of a batch (`Sender._draft_batch`): "sending" committed for every row (`begin_batch`), each draft
written (`deliver`) and an earlier appointment's draft removed (`withdraw`), the files and folder synced
(`settle`), the outcomes committed (`finish_batch`). The kill is a real SIGKILL of a real `handouts send`
process, at the step and call named. (A power cut is what `settle` is for; a test cannot cut the power.)
"""

from __future__ import annotations

import email
import os
import subprocess
import sys
from email.policy import default

import pytest
from conftest import REPO, approved_content, run
from test_send import CLINIC, HEADER, PATIENTS

from handouts.mail.ledger import Ledger

# Runs `handouts send` with batches of two rows, killing itself right after the `count`-th call of `step`.
KILLED_AT = """
import os, signal, sys
from handouts.mail import drafts, ledger, send
from handouts.cli import main

step, count, args = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
send.DRAFT_BATCH = 2
owner = ledger.Ledger if step.endswith("_batch") else drafts.DraftsTransport
original, calls = getattr(owner, step), []

def then_killed(*a, **k):
    value = original(*a, **k)
    calls.append(step)
    if len(calls) == count:
        os.kill(os.getpid(), signal.SIGKILL)
    return value

setattr(owner, step, then_killed)
main(args)
"""


def send_args(tmp_path, roster):
    return ["send", str(roster), "--outbox", str(tmp_path / "outbox"), "--ledger", str(tmp_path / "ledger.sqlite3"),
            "--clinic", str(CLINIC), "--content", str(approved_content()), "--layouts", str(REPO / "layouts"),
            "--jobs", "1", "--quiet", "--yes"]


def killed_send(tmp_path, roster, step: str, count: int) -> None:
    env = {**os.environ, "HANDOUTS_TODAY": "2026-11-24"}
    result = subprocess.run([sys.executable, "-c", KILLED_AT, step, str(count), *send_args(tmp_path, roster)],
                            cwd=REPO, env=env, capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == -9, result.stderr  # killed where asked, not ended some other way


def outbox_and_ledger(tmp_path) -> tuple[dict[str, str], dict[str, str]]:
    """{draft file: its To} in the outbox, and {the draft file a record stands for: its newest status}."""
    files = {path.name: str(email.message_from_bytes(path.read_bytes(), policy=default)["To"])
             for path in (tmp_path / "outbox").glob("*.eml")}
    with Ledger(tmp_path / "ledger.sqlite3") as ledger:
        records = {f"{key.patient_id}_{key.appointment[:10]}.eml": status for key, status in ledger.latest().items()}
    return files, records


def assert_the_promise(tmp_path) -> dict[str, str]:
    """No draft without a record; "drafted" only for a draft that is there, whole. Returns the records."""
    files, records = outbox_and_ledger(tmp_path)
    assert set(files) <= set(records), f"drafts with no record: {sorted(set(files) - set(records))}"
    drafted = {name for name, status in records.items() if status == "drafted"}
    assert drafted <= set(files), f"recorded as drafted, not there: {sorted(drafted - set(files))}"
    assert set(records.values()) <= {"sending", "drafted"}
    return records


@pytest.mark.parametrize("step, count, drafted", [
    ("begin_batch", 1, 0),  # the first batch is "sending", no file written yet
    ("deliver", 1, 0),  # one draft written, its batch "sending"
    ("deliver", 2, 0),  # the first batch's drafts written, not yet synced
    ("settle", 1, 0),  # synced, not yet recorded
    ("finish_batch", 1, 2),  # the first batch recorded drafted
    ("deliver", 3, 2),  # in the second batch
])
def test_killed_between_steps_then_run_again_drafts_each_patient_once(capsys, tmp_path, write_roster, step, count,
                                                                      drafted):
    roster = write_roster(PATIENTS, header=HEADER)
    killed_send(tmp_path, roster, step, count)
    records = assert_the_promise(tmp_path)
    assert sorted(records.values()).count("drafted") == drafted
    code, out, _ = run(capsys, *send_args(tmp_path, roster))
    summary = f"drafted {3 - drafted}, skipped {drafted} (already drafted)\n" if drafted else "drafted 3\n"
    assert code == 0 and summary in out
    files, records = outbox_and_ledger(tmp_path)
    assert files == {"P001_2026-12-03.eml": "jsmith@example.org", "P002_2026-12-03.eml": "zoe.a@example.net",
                     "P003_2026-12-04.eml": "khai@example.com"}
    assert set(records.values()) == {"drafted"} and set(records) == set(files)


def test_killed_after_an_earlier_appointments_draft_is_removed(capsys, tmp_path, write_roster):
    """A changed appointment: the new draft is written and the earlier one removed before the batch is recorded;
    killed there, the next run writes the new one again, and only it is in the outbox."""
    roster = write_roster(PATIENTS, header=HEADER)
    assert run(capsys, *send_args(tmp_path, roster))[0] == 0
    moved = [row[:] for row in PATIENTS]
    moved[1][2] = "2026-12-10 10:30"
    roster = write_roster(moved, header=HEADER)
    killed_send(tmp_path, roster, "withdraw", 1)
    files, records = outbox_and_ledger(tmp_path)
    assert "P002_2026-12-10.eml" in files and "P002_2026-12-03.eml" not in files
    assert records["P002_2026-12-10.eml"] == "sending"  # written and the earlier one gone, not yet recorded
    code, out, _ = run(capsys, *send_args(tmp_path, roster))
    assert code == 0 and "drafted 1, skipped 2" in out
    files, records = outbox_and_ledger(tmp_path)
    assert sorted(files) == ["P001_2026-12-03.eml", "P002_2026-12-10.eml", "P003_2026-12-04.eml"]
    assert records["P002_2026-12-10.eml"] == "drafted"


@pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="reads which file a descriptor is in /proc")
def test_drafted_is_recorded_only_after_each_draft_and_the_outbox_are_synced(capsys, tmp_path, write_roster,
                                                                              monkeypatch):
    """What a kill cannot show (the page cache survives a killed process, not a power cut): when a batch is
    recorded as drafted, every draft in it and the outbox folder have been through fsync."""
    from handouts.mail import drafts, send

    synced, seen_at_record = [], []
    fsync = os.fsync

    def recorded_fsync(fd):
        synced.append(os.readlink(f"/proc/self/fd/{fd}"))
        fsync(fd)

    finish_batch = Ledger.finish_batch

    def recorded_finish(self, outcomes):
        seen_at_record.append((sorted(status for _, status, _ in outcomes), set(synced)))
        finish_batch(self, outcomes)

    monkeypatch.setattr(drafts.os, "fsync", recorded_fsync)
    monkeypatch.setattr(Ledger, "finish_batch", recorded_finish)
    monkeypatch.setattr(send, "DRAFT_BATCH", 2)
    roster = write_roster(PATIENTS, header=HEADER)
    assert run(capsys, *send_args(tmp_path, roster))[0] == 0
    outbox = tmp_path / "outbox"
    first = {str(outbox / "P001_2026-12-03.eml"), str(outbox / "P002_2026-12-03.eml"), str(outbox)}
    assert seen_at_record[0][0] == ["drafted", "drafted"] and first <= seen_at_record[0][1]
    assert seen_at_record[1][0] == ["drafted"] and str(outbox / "P003_2026-12-04.eml") in seen_at_record[1][1]
