"""What the console holds while it runs: its settings, the roster in use, the one job at a time.

One front-desk person uses one console: the state is the process's. The roster
uploaded is written into a private folder (mode 0700, the file 0600) that is
removed when the console stops: the library reads rosters from a path.
"""

from __future__ import annotations

import os
import secrets
import shutil
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from ..batch.plan import ProjectPaths
from ..errors import internal_error_log
from ..load.profile import MailProfile, mail_profile
from ..load.project import Project
from ..load.roster import MAX_BYTES
from ..mail.ledger import LEDGER
from ..mail.session import MailSettings

UPLOAD_LIMIT = MAX_BYTES  # the roster's own limit (20 MB): a larger upload is refused before it is read


@dataclass(frozen=True)
class ConsoleConfig:
    """Where the clinic's files are and where the console writes: chosen once, by `handouts serve`."""

    content: Path
    layouts: Path
    clinic: Path | None = None
    out: Path = Path("output")  # packets/, outbox/, the ledger and the day's print job go in here
    forms: bool = True

    @property
    def paths(self) -> ProjectPaths:
        return ProjectPaths(self.content, self.layouts, self.clinic, self.forms)

    @property
    def packets(self) -> Path:
        return self.out / "packets"

    @property
    def outbox(self) -> Path:
        return self.mail_profile().outbox or self.out / "outbox"

    @property
    def ledger(self) -> Path:
        """The same ledger `handouts send` uses: the profile's, else the one in the output folder. One ledger,
        so that a patient emailed from the console is never emailed again from the command line."""
        return self.mail_profile().ledger or self.out / LEDGER

    def mail_profile(self) -> MailProfile:
        return mail_profile(self.project().clinic)

    def print_job(self, day: date) -> Path:
        return self.out / f"print-{day:%Y-%m-%d}.pdf"

    def project(self) -> Project:
        return Project.open(self.content, self.layouts, self.clinic)


def profile_mail_settings(config: ConsoleConfig, sending: bool = False) -> MailSettings:
    """The clinic profile's `mail:` settings (server, port, security, user, from, CA file, rate, outbox), as
    `handouts send` reads them; without a server, drafts into the outbox. `sending`: a CA file the profile names
    must be there (a ProfileError at its line); every other page shows without it, as the packets are made."""
    mail = config.mail_profile()
    if sending and mail.address and mail.ca_file is not None:
        mail.check_ca_file()
    return MailSettings(config.outbox, mail.address, mail.security == "tls", mail.ca_file if mail.address else None,
                        mail.user, mail.sender, mail.rate)


@dataclass(frozen=True)
class Upload:
    """The roster in use: where its bytes are, the name it was uploaded as, and when."""

    path: Path
    name: str
    size: int
    at: datetime
    generation: int  # a new upload is a new generation: a confirmation for the earlier one no longer counts


@dataclass(frozen=True)
class Bug:
    """A job that ended in a bug: where its log is."""

    log: str


class Stop(KeyboardInterrupt):
    """Raised from a job's progress callback when the console stops: the library's runs end cleanly on it."""


@dataclass
class Job:
    """A packets or send run going on in its own thread: its progress, then its outcome."""

    kind: str  # "packets" or "send"
    total: int
    done: int = 0
    finished: bool = False
    outcome: object = None  # the view of the result, for the results page
    stop: threading.Event = field(default_factory=threading.Event)
    thread: threading.Thread | None = None
    _calls: int = 0

    def progress(self, n: int) -> None:
        """The library's progress callback. When the console stops, the next row ends the run (never the first
        call, which the runs make before their loop)."""
        self._calls += 1
        self.done = min(self.total, self.done + n)
        if self.stop.is_set() and self._calls > 1:
            raise Stop

    def start(self, work: Callable[[Job], object]) -> None:
        def run():
            try:
                self.outcome = work(self)
            except Exception:  # a bug: its page names the log, which holds no patient data (nor its message)
                self.outcome = Bug(internal_error_log())
            finally:
                self.finished = True

        self.thread = threading.Thread(target=run, name=f"handouts-{self.kind}", daemon=True)
        self.thread.start()


class Console:
    """The console's state: settings, the one-time token and the session, the roster in use, the job."""

    def __init__(self, config: ConsoleConfig, port: int):
        self.config = config
        self.port = port
        self.token: str | None = secrets.token_urlsafe(32)  # works once: then None
        self.session = secrets.token_urlsafe(32)  # the cookie's value, given with the token
        self.csrf = secrets.token_urlsafe(32)  # in every form
        self.folder = Path(tempfile.mkdtemp(prefix="handouts-console-"))  # mode 0700
        self.roster: Upload | None = None
        self.selected: set[int] | None = None  # roster rows chosen on the review page (None: the default)
        self.mail: MailSettings | None = None  # posted on the Mail settings page
        self.job: Job | None = None
        self.lock = threading.Lock()  # one job at a time
        self._generation = 0

    @property
    def cookie(self) -> str:
        return f"handouts_console_{self.port}"  # cookies are not kept apart by port: the name is

    def mail_settings(self, sending: bool = False) -> MailSettings:
        """How emails leave: as posted on the Mail settings page, else the clinic profile's, else drafts."""
        return self.mail or profile_mail_settings(self.config, sending)

    def keep_roster(self, data: bytes, name: str) -> Upload:
        """Hold an uploaded roster (0600, in the private folder), in place of the earlier one."""
        self._generation += 1
        path = self.folder / f"roster-{self._generation}.csv"
        with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as handle:
            handle.write(data)
        if self.roster is not None:
            self.roster.path.unlink(missing_ok=True)
        self.roster = Upload(path, name, len(data), datetime.now(), self._generation)
        self.selected = None
        return self.roster

    def start_job(self, kind: str, total: int, work: Callable[[Job], object]) -> Job | None:
        """Start `work` in its own thread, unless a job is running (then None)."""
        with self.lock:
            if self.job is not None and not self.job.finished:
                return None
            self.job = Job(kind, total)
            self.job.start(work)
            return self.job

    def running(self) -> Job | None:
        job = self.job
        return job if job is not None and not job.finished else None

    def close(self) -> None:
        """Stop: a running job ends after the row in hand (recorded), then the private folder goes."""
        job = self.job
        if job is not None and job.thread is not None:
            job.stop.set()
            job.thread.join()
        shutil.rmtree(self.folder, ignore_errors=True)
