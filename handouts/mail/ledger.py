"""The delivery ledger: what went to whom, when and how, in one SQLite file only its owner can read.

Every delivery is one record. It is written as "sending" (and committed)
before the message is handed to the transport, and updated to "drafted",
"sent" or "failed" (and committed) after: so after a crash the ledger says
which rows were handed over and which may have been. Records are never
deleted; a row's state is its newest record.

An email through a mail server has its two commits to itself: it cannot be
taken back, so nothing else may wait between its "sending" and its "sent".
Drafts are written in batches (`begin_batch`, `finish_batch`: one transaction
for each step of a batch of rows, see `send.Sender._draft_batch`): a draft is
a file this run writes and a later run replaces, so what the ledger must keep
after a crash is that no draft file exists without a record ("sending" is
committed before any file of the batch is written) and that "drafted" is
never recorded for a file that is not durably on the disk (it is committed
after the files and the outbox folder are synced).
"""

from __future__ import annotations

import csv
import io
import os
import sqlite3
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from ..errors import InputError
from ..files.atomic import write_atomically
from ..files.spreadsheet import spreadsheet_safe

LEDGER = "send-ledger.sqlite3"  # its name in the output folder, unless the profile or --ledger names another
SENDING, DRAFTED, SENT, FAILED = "sending", "drafted", "sent", "failed"
DONE = (DRAFTED, SENT)
COLUMNS = ("id", "row", "patient_id", "appointment", "recipient", "attachment_sha256", "message_id",
           "transport", "status", "reason", "time")
_SCHEMA = """
CREATE TABLE IF NOT EXISTS deliveries (
    id INTEGER PRIMARY KEY,
    row INTEGER NOT NULL,                -- the roster's spreadsheet row number
    patient_id TEXT NOT NULL,
    appointment TEXT NOT NULL,           -- YYYY-MM-DD HH:MM
    recipient TEXT NOT NULL,             -- the address, normalized
    attachment_sha256 TEXT NOT NULL,
    message_id TEXT NOT NULL,
    transport TEXT NOT NULL,             -- drafts or smtp
    status TEXT NOT NULL CHECK (status IN ('sending', 'drafted', 'sent', 'failed')),
    reason TEXT NOT NULL DEFAULT '',     -- why it failed; never a patient's value
    time TEXT NOT NULL                   -- UTC, ISO 8601
);
CREATE INDEX IF NOT EXISTS deliveries_key ON deliveries (patient_id, appointment, recipient, transport);
"""


@dataclass(frozen=True)
class Key:
    """What makes two deliveries the same: this patient, this appointment, this address, this way."""

    patient_id: str
    appointment: str
    recipient: str
    transport: str


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


class Ledger:
    """The ledger file, created with mode 0600; each change is its own committed transaction.

    `read_only` opens an existing ledger for reading alone (--status, --export-ledger): it works on a file or
    folder this user may not write, and never changes the file.
    """

    def __init__(self, path: Path, read_only: bool = False):
        self.path = Path(path)
        self.read_only = read_only
        self._lock: int | None = None
        try:
            if read_only:
                # SQLite's own URI, so that it neither creates nor writes anything (no journal in the folder).
                self._db = sqlite3.connect(Path(os.path.abspath(self.path)).as_uri() + "?mode=ro", uri=True,
                                           isolation_level=None)
                self._db.execute("SELECT COUNT(*) FROM deliveries").fetchone()
                return
            self.path.parent.mkdir(parents=True, exist_ok=True)
            # Made 0600 before SQLite opens it: addresses never sit in a file others can read, not even briefly.
            os.close(os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600))
            os.chmod(self.path, 0o600)
            self._db = sqlite3.connect(self.path, isolation_level=None)  # explicit transactions only
            self._db.execute("PRAGMA synchronous = FULL")  # each commit is on the disk when it returns
            # The rollback journal is kept between commits, its header zeroed (as durable as deleting it): a
            # commit then costs an overwrite and two syncs, not a file made and removed (23 -> 2 ms a row
            # here). SQLite gives it the ledger's mode (0600); it holds earlier copies of the ledger's own
            # pages, and nothing the ledger does not (records are never deleted).
            self._db.execute("PRAGMA journal_mode = PERSIST")
            self._db.executescript(_SCHEMA)
        except (OSError, sqlite3.Error) as exc:
            reason = exc.strerror if isinstance(exc, OSError) else str(exc)
            raise InputError(f"cannot open the ledger ({reason})", source=str(self.path), rule="ledger-unusable",
                             hint="choose another ledger file") from None

    @classmethod
    def existing(cls, path: Path, read_only: bool = False) -> Ledger | None:
        """The ledger when the file exists (for --dry-run, --status and --export-ledger, which never create one)."""
        return cls(path, read_only) if Path(path).is_file() else None

    def hold(self) -> None:
        """Hold this ledger for one run: a second run on it at the same time could deliver a row twice.

        The lock is on the ledger file itself, not on the name it was given: a second run that reaches the
        same file through a symlink, another spelling or a hard link finds it held. (SQLite's own locks are
        another kind, on the same file; the two do not meet.)"""
        try:
            import fcntl
        except ImportError:  # not POSIX: runs are not locked against each other
            return
        try:
            self._lock = os.open(self.path, os.O_RDWR)
        except OSError as exc:
            raise InputError(f"cannot open the ledger ({exc.strerror})", source=str(self.path),
                             rule="ledger-unusable", hint="choose another ledger file") from None
        try:
            fcntl.flock(self._lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(self._lock)
            self._lock = None
            raise InputError("another send is using this ledger right now", source=str(self.path),
                             rule="ledger-busy", hint="wait for it to finish, then run again") from None

    def close(self) -> None:
        self._db.close()
        if self._lock is not None:
            os.close(self._lock)  # closing the file releases the lock
            self._lock = None

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def latest(self) -> dict[Key, str]:
        """Each key's newest status."""
        rows = self._db.execute(
            "SELECT patient_id, appointment, recipient, transport, status FROM deliveries "
            "WHERE id IN (SELECT MAX(id) FROM deliveries GROUP BY patient_id, appointment, recipient, transport)")
        return {Key(*row[:4]): row[4] for row in rows}

    def begin(self, number: int, key: Key, sha256: str, message_id: str) -> int:
        """Record a delivery as "sending", committed before the transport sees the message; return its id."""
        return self.begin_batch([(number, key, sha256, message_id)])[0]

    def begin_batch(self, rows: list[tuple[int, Key, str, str]]) -> list[int]:
        """Record each (row number, key, attachment sha256, Message-ID) as "sending", in one committed transaction
        (all or none); return their ids, in order."""
        now = _now()
        with self._transaction():
            return [self._db.execute(
                "INSERT INTO deliveries (row, patient_id, appointment, recipient, attachment_sha256, message_id, "
                "transport, status, time) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (number, key.patient_id, key.appointment, key.recipient, sha256, message_id, key.transport,
                 SENDING, now)).lastrowid for number, key, sha256, message_id in rows]

    def finish_batch(self, outcomes: list[tuple[int, str, str]]) -> None:
        """Record each (record id, status, reason), in one committed transaction (all or none)."""
        if not outcomes:
            return
        now = _now()
        with self._transaction():
            self._db.executemany("UPDATE deliveries SET status = ?, reason = ?, time = ? WHERE id = ?",
                                 [(status, reason, now, record) for record, status, reason in outcomes])

    def finish(self, record: int, status: str, reason: str = "") -> None:
        self.finish_batch([(record, status, reason)])

    def fail(self, number: int, key: Key, sha256: str, reason: str) -> None:
        """Record a row that failed before it was handed over (its packet was wrong)."""
        self.finish(self.begin(number, key, sha256, ""), FAILED, reason)

    def _transaction(self):
        db = self._db

        class _Transaction:
            def __enter__(self):
                db.execute("BEGIN IMMEDIATE")

            def __exit__(self, kind, *_):
                db.execute("COMMIT" if kind is None else "ROLLBACK")

        return _Transaction()

    def summary(self) -> dict[tuple[str, str], int]:
        """(transport, status) -> how many keys stand there now."""
        return dict(Counter((key.transport, status) for key, status in self.latest().items()))

    def records(self) -> list[tuple]:
        return list(self._db.execute(f"SELECT {', '.join(COLUMNS)} FROM deliveries ORDER BY id"))

    def export_csv(self, target: Path) -> int:
        """Every record as CSV for the clinic's files (mode 0600, written atomically); return how many."""
        records = self.records()
        text = io.StringIO(newline="")
        out = csv.writer(text)
        out.writerow(COLUMNS)
        for record in records:
            out.writerow([spreadsheet_safe(value) for value in record])
        # 0600 from the start, like the ledger: it holds addresses.
        write_atomically(Path(target), text.getvalue().encode("utf-8"), mode=0o600, rule="ledger-export-unwritable")
        return len(records)
