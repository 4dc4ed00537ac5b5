"""The delivery ledger: private, transactional, idempotent by key, exported as CSV."""

import csv
import os

import pytest

from handouts.mail.ledger import FAILED, SENDING, SENT, Key, Ledger

KEY = Key("P001", "2026-12-03 09:30", "jsmith@example.org", "smtp")


def test_the_file_is_readable_by_its_owner_alone(tmp_path):
    old = os.umask(0o022)
    try:
        with Ledger(tmp_path / "sub" / "ledger.sqlite3") as ledger:
            ledger.finish(ledger.begin(2, KEY, "ab" * 32, "<m1@x>"), SENT)
    finally:
        os.umask(old)
    assert (tmp_path / "sub" / "ledger.sqlite3").stat().st_mode & 0o777 == 0o600
    # SQLite's journal, kept beside it between commits, is the owner's alone too, and holds no hot transaction.
    journal = tmp_path / "sub" / "ledger.sqlite3-journal"
    assert journal.stat().st_mode & 0o777 == 0o600
    with Ledger(tmp_path / "sub" / "ledger.sqlite3", read_only=True) as reader:
        assert reader.latest() == {KEY: SENT}


def test_an_existing_file_is_made_private(tmp_path):
    path = tmp_path / "ledger.sqlite3"
    path.touch(mode=0o644)
    Ledger(path).close()
    assert path.stat().st_mode & 0o777 == 0o600


def test_the_newest_record_is_a_keys_state(tmp_path):
    with Ledger(tmp_path / "l.sqlite3") as ledger:
        record = ledger.begin(2, KEY, "ab" * 32, "<m1@x>")
        assert ledger.latest() == {KEY: SENDING}
        ledger.finish(record, FAILED, "451 try again later")
        ledger.finish(ledger.begin(2, KEY, "ab" * 32, "<m2@x>"), SENT)
        other = Key("P002", "2026-12-03 10:00", "a@example.org", "drafts")
        ledger.fail(3, other, "cd" * 32, "its packet does not show this patient's name")
        assert ledger.latest() == {KEY: SENT, other: FAILED}
        assert ledger.summary() == {("smtp", SENT): 1, ("drafts", FAILED): 1}
        assert [r[8] for r in ledger.records()] == [FAILED, SENT, FAILED]
    with Ledger(tmp_path / "l.sqlite3") as reopened:  # committed: another process sees it all
        assert reopened.latest()[KEY] == SENT


def test_existing_never_creates_a_file(tmp_path):
    assert Ledger.existing(tmp_path / "none.sqlite3") is None
    assert not (tmp_path / "none.sqlite3").exists()


def test_csv_export_is_private_and_safe_for_spreadsheets(tmp_path):
    with Ledger(tmp_path / "l.sqlite3") as ledger:
        ledger.finish(ledger.begin(2, Key("=cmd()", "2026-12-03 09:30", "a@example.org", "drafts"), "ab" * 32,
                                   "<m@x>"), "drafted")
        assert ledger.export_csv(tmp_path / "out.csv") == 1
    target = tmp_path / "out.csv"
    assert target.stat().st_mode & 0o777 == 0o600
    header, row = list(csv.reader(target.open(newline="")))
    assert header == ["id", "row", "patient_id", "appointment", "recipient", "attachment_sha256", "message_id",
                      "transport", "status", "reason", "time"]
    assert row[2] == "'=cmd()" and row[8] == "drafted"


def test_two_runs_cannot_hold_one_ledger_at_once(tmp_path):
    from handouts.errors import InputError
    from handouts.mail.ledger import Ledger

    first = Ledger(tmp_path / "ledger.sqlite3")
    first.hold()
    second = Ledger(tmp_path / "ledger.sqlite3")
    with pytest.raises(InputError) as info:
        second.hold()
    assert info.value.finding.rule == "ledger-busy"
    first.close()
    second.hold()  # free again once the first run is over
    second.close()
