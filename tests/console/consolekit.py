"""The console's fixtures (imported by its test modules): a clinic folder (the shipped content approved, a
fictional clinic's profile), a roster of five patients, and the app in-process behind Starlette's TestClient.
"""

from __future__ import annotations

import os
import re
import select
import shutil
import signal
import subprocess
import sys
import time
import warnings
from pathlib import Path

import pytest
from conftest import DATA, REPO

PORT = 8765  # the in-process app's port: the Host check wants it in every request
ORIGIN = f"http://127.0.0.1:{PORT}"
HEADER = "patient_id,name,appointment,email,language,layout"
# Five patients: one Spanish, one large print, one bad row (a date that does not exist).
PATIENTS = [
    ("P001", "Jack Smith", "2026-12-03 09:30", "jack.smith@example.org", "", ""),
    ("P002", "Rosa Delgado Vega", "2026-12-03 10:30", "rosa.dv@example.net", "es", ""),
    ("P003", "Mia Chen", "2026-12-03 11:00", "mchen@example.org", "", "large-print"),
    ("P004", "Noor Badrow", "2026-13-45 11:00", "noor.b@example.org", "", ""),
    ("P005", "Omar Haddad", "2026-12-04 09:00", "omar.h@example.com", "", ""),
]
GOOD = [patient for patient in PATIENTS if patient[0] != "P004"]
BAD_ROW = 5  # P004: the header is row 1
NAMES = [patient[1] for patient in PATIENTS]
ADDRESSES = [patient[3] for patient in PATIENTS]
REVIEWER, TRANSLATION_REVIEWER = "Dr. Ana Test", "Dra. Berta Test"


def roster_text(patients=PATIENTS) -> str:
    return "\n".join([HEADER, *(",".join(patient) for patient in patients)]) + "\n"


def make_clinic(folder: Path) -> Path:
    """A clinic folder as `handouts init` will make one, filled in for tests: content/ and layouts/ copied, the
    fictional clinic's profile, every document and Spanish edition approved with `handouts approve`."""
    from handouts.cli import main

    folder.mkdir(parents=True, exist_ok=True)
    shutil.copytree(REPO / "content", folder / "content")
    shutil.copytree(REPO / "layouts", folder / "layouts")
    (folder / "content" / "clinic.yaml").unlink()
    shutil.copy(DATA / "clinic_send.yaml", folder / "clinic.yaml")
    for extra in ([], ["--language", "es"]):
        who = TRANSLATION_REVIEWER if extra else REVIEWER
        try:
            main(["approve", "--all", "--by", who, "--content", str(folder / "content"), *extra])
        except SystemExit as done:
            assert done.code in (0, None), f"handouts approve failed ({done.code})"
    return folder


@pytest.fixture
def clinic(tmp_path) -> Path:
    return make_clinic(tmp_path / "clinic")


@pytest.fixture
def roster_file(tmp_path) -> Path:
    path = tmp_path / "roster.csv"
    path.write_text(roster_text(), encoding="utf-8")
    return path


def config_for(clinic: Path):
    from handouts.console.state import ConsoleConfig

    return ConsoleConfig(clinic / "content", clinic / "layouts", clinic / "clinic.yaml", clinic / "output")


class Client:
    """The in-process app and a browser-like client: the session cookie, the form token, the console's Origin."""

    def __init__(self, console, http):
        self.console, self.http = console, http

    def get(self, path: str, **options):
        return self.http.get(path, **options)

    def post(self, path: str, data=None, files=None, headers=None, csrf: bool = True, **options):
        data = dict(data or {})
        if csrf:
            data.setdefault("csrf", self.console.csrf)
        return self.http.post(path, data=data, files=files, headers={"origin": ORIGIN, **(headers or {})},
                              follow_redirects=False, **options)

    def upload(self, text: str = None, name: str = "roster.csv"):
        return self.post("/roster", files={"roster": (name, (text or roster_text()).encode("utf-8"), "text/csv")})

    def choose(self, rows=None, path="/send/choose"):
        numbers = rows if rows is not None else [n for n in range(2, len(PATIENTS) + 2) if n != BAD_ROW]
        return self.post(path, data={"generation": str(self.console.roster.generation),
                                     "row": [str(n) for n in numbers]})

    def wait(self, timeout: float = 120.0):
        job = self.console.job
        deadline = time.monotonic() + timeout
        while job is not None and not job.finished:
            assert time.monotonic() < deadline, "the job did not finish"
            time.sleep(0.05)
        return job


@pytest.fixture
def make_client():
    """make_client(clinic, signed_in=True) -> Client: the app in-process (lifespan and all), closed after the test."""
    with warnings.catch_warnings():  # Starlette would rather its TestClient ran on httpx2; httpx is what it has
        warnings.simplefilter("ignore")
        from starlette.testclient import TestClient

    from handouts.console.app import create_app
    from handouts.console.state import Console

    opened = []

    def make(clinic: Path, signed_in: bool = True, config=None) -> Client:
        console = Console(config or config_for(clinic), PORT)
        http = TestClient(create_app(console), base_url=ORIGIN, raise_server_exceptions=False)
        http.__enter__()
        opened.append(http)
        client = Client(console, http)
        if signed_in:
            response = http.get(f"/?token={console.token}", follow_redirects=False)
            assert response.status_code == 303
        return client

    yield make
    for http in opened:
        http.__exit__(None, None, None)


@pytest.fixture
def client(clinic, make_client) -> Client:
    return make_client(clinic)


# -- the console as a process: `handouts serve`, as the front desk starts it ----------------------------------------

URL_LINE = re.compile(r"Open (http://127\.0\.0\.1:(\d+)/)\?token=([A-Za-z0-9_-]+)")


class Served:
    """`handouts serve --no-browser --port 0` running in `clinic`; its link, and what it printed."""

    def __init__(self, clinic: Path, env: dict | None = None):
        self.clinic = clinic
        self.stderr_path = clinic / "serve-stderr.txt"
        self._stderr = open(self.stderr_path, "wb")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "handouts", "serve", "--no-browser", "--port", "0", "--content", "content",
             "--layouts", "layouts", "--clinic", "clinic.yaml", "--out", "output"],
            cwd=clinic, stdout=subprocess.PIPE, stderr=self._stderr, stdin=subprocess.DEVNULL,
            env={**os.environ, **(env or {})})
        ready, _, _ = select.select([self.process.stdout], [], [], 60)
        assert ready, "handouts serve printed no link within 60 s"
        self.first_line = self.process.stdout.readline().decode()
        match = URL_LINE.fullmatch(self.first_line.rstrip("\n"))
        assert match, f"not the one line expected: {self.first_line!r}"
        self.base, self.port, self.token = match.group(1).rstrip("/"), int(match.group(2)), match.group(3)
        self.url = f"{self.base}/?token={self.token}"
        self.stdout = ""

    def stop(self) -> int:
        """Ctrl-C, as at the terminal; the exit code. What it printed is then in `stdout` and `stderr`."""
        if self._stderr.closed:
            return self.process.returncode
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(60)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.stdout = self.first_line + self.process.stdout.read().decode()
        self.process.stdout.close()
        self._stderr.close()
        return self.process.returncode

    @property
    def stderr(self) -> str:
        return self.stderr_path.read_text(errors="replace")


@pytest.fixture
def serve():
    """serve(clinic, env=None) -> Served: the console as a process, stopped (Ctrl-C) after the test."""
    started: list[Served] = []

    def start(clinic: Path, env: dict | None = None) -> Served:
        started.append(Served(clinic, env))
        return started[-1]

    yield start
    for served in started:
        served.stop()
