"""Shared fixtures: the repository's project, throw-away content folders, rendering."""

from __future__ import annotations

import atexit
import io
import os
import shutil
import tempfile
from dataclasses import replace
from datetime import date, datetime
from functools import cache
from pathlib import Path

import pytest

from handouts.cli import main
from handouts.errors import HandoutsError
from handouts.pipeline import render_document
from handouts.load.profile import read_profile
from handouts.load.project import Patient, Project
from handouts.model import Span
from handouts.render import _reportlab
from handouts.render.boxes import TextBlock, TextStyle
from handouts.render.fonts import FontSet
from handouts.render.tagging import StructTree, Tagger

REPO = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"

# Compiled templates are kept in a folder of the session's own (and its commands'), never the tester's cache.
_TEMPLATES = tempfile.mkdtemp(prefix="handouts-templates-")
atexit.register(shutil.rmtree, _TEMPLATES, ignore_errors=True)
os.environ["HANDOUTS_TEMPLATE_CACHE"] = _TEMPLATES
# Lint's answers are not kept (a test that changes a rule in process would read an earlier answer): the tests of
# that cache give it a folder of their own (tests/quality/test_lint_cache.py).
os.environ["HANDOUTS_LINT_CACHE"] = "off"
LAYOUTS = ("standard", "large-print", "extra-large")
PATIENT = Patient.from_values("Jack Smith", "Jack")
APPOINTMENT = datetime(2026, 12, 3, 9, 30)


@pytest.fixture(scope="session")
def project() -> Project:
    return Project.open(REPO / "content", REPO / "layouts")


@pytest.fixture
def make_project(tmp_path):
    """Build a project from Markdown texts: make_project(name=text, ...)."""

    def make(**documents: str) -> Project:
        content = tmp_path / "content"
        content.mkdir(exist_ok=True)
        shutil.copy(DATA / "clinic.yaml", content / "clinic.yaml")
        for name, text in documents.items():
            (content / f"{name.replace('_', '-')}.md").write_text(text, encoding="utf-8")
        return Project.open(content, REPO / "layouts")

    return make


# -- sign-off: content approved as `handouts approve` does it, always in a copy ---------------------------------

REVIEWER = "Dr. Ana Test"  # fictional
REVIEW_DAY = date(2026, 11, 20)


def approve_content(folder: Path, reviewer: str = REVIEWER, day: date = REVIEW_DAY) -> Path:
    """Approve every document and part in the content folder `folder`, then every edition (a copy: never the
    repository's own content, whose sign-off is a clinician's)."""
    from handouts.approve import approve, chosen
    from handouts.load.content import ContentLibrary

    assert Path(folder).resolve() != (REPO / "content").resolve(), "approve a copy of the content"
    library = ContentLibrary(folder)
    approve(library, chosen(library, [], None, True), reviewer, day)
    for edition in library.edition_folders():
        library = ContentLibrary(folder)
        approve(library, chosen(library, [], edition.name, True), reviewer, day)
    return Path(folder)


def approved_copy(target: Path, source: Path = REPO / "content") -> Path:
    """A copy of `source` (default: the shipped content, English and editions) at `target`, all of it approved."""
    shutil.copytree(source, target)
    return approve_content(target)


@cache
def approved_content() -> Path:
    """The shipped content, approved, in one folder for the whole session: tests that change content make their
    own `approved_copy`."""
    folder = Path(tempfile.mkdtemp(prefix="handouts-approved-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    return approved_copy(folder / "content")


@pytest.fixture(scope="session")
def sample_project(tmp_path_factory) -> Project:
    content = tmp_path_factory.mktemp("sample")
    for name in ("sample.md", "clinic.yaml"):
        shutil.copy(DATA / name, content / name)
    return Project.open(content, REPO / "layouts")


def render(project: Project, name: str, layout: str = "large-print",
           patient: Patient | None = None, appointment: datetime | None = None, forms: bool = True) -> bytes:
    """A document's PDF; `forms=False` as `--no-forms` makes it (printed checkboxes and lines)."""
    chosen = project.layouts.load(layout)
    return render_document(project, name, chosen if forms else replace(chosen, forms=False), patient, appointment)


ROSTER_HEADER = ["patient_id", "name", "appointment", "preferred_name", "layout", "documents"]
# Patient values this test gave the program: no message or output of `run` may contain one.
PATIENT_VALUES: list[str] = []
_PATIENT_COLUMNS = ("name", "preferred_name")
_PATIENT_FLAGS = ("--patient-name", "--preferred-name")


@pytest.fixture(autouse=True)
def _fixed_today(monkeypatch):
    """Runs count appointments from this day on: the tests' fixed dates never turn into past ones."""
    monkeypatch.setenv("HANDOUTS_TODAY", "2026-11-24")


@pytest.fixture(autouse=True)
def _no_clinic_folder_from_the_environment(monkeypatch):
    """A clinic folder named in the tester's environment never changes what a test's command reads or writes."""
    monkeypatch.delenv("HANDOUTS_HOME", raising=False)


@pytest.fixture(autouse=True)
def _forget_patient_values():
    PATIENT_VALUES.clear()
    yield
    PATIENT_VALUES.clear()


def remember_patient_value(value: str) -> None:
    value = value.strip().strip('"')
    if len(value) >= 4 and any(ch.isalpha() for ch in value):  # short values are common words too
        PATIENT_VALUES.append(value)


@pytest.fixture
def write_roster(tmp_path):
    """Write a roster CSV: write_roster(rows, header=..., delimiter=',', bom=False, newline='\\n')."""

    def write(rows, header=ROSTER_HEADER, delimiter=",", bom=False, newline="\n", name="roster.csv") -> Path:
        columns = [i for i, column in enumerate(header) if column.strip().lower() in _PATIENT_COLUMNS]
        for row in rows:
            for i in columns:
                if i < len(row):
                    remember_patient_value(row[i])
        lines = [delimiter.join(header)] + [delimiter.join(row) for row in rows]
        path = tmp_path / name
        path.write_bytes(("\ufeff" if bom else "").encode() + newline.join(lines + [""]).encode("utf-8"))
        return path

    return write


def run(capsys, *args):
    """Run the CLI in-process: (exit code, stdout, stderr), checking that no patient value was echoed."""
    for flag, value in zip(args, args[1:]):
        if flag in _PATIENT_FLAGS:
            remember_patient_value(value)
    with pytest.raises(SystemExit) as info:
        main(list(args))
        raise SystemExit(0)
    out, err = capsys.readouterr()
    leaked = [value for value in PATIENT_VALUES if value in out or value in err]
    assert not leaked, f"patient values in the output: {leaked}"
    return info.value.code or 0, out, err


def load_profile(path: Path) -> dict:
    """A clinic profile's values, without its roster format."""
    return read_profile(path)[0]


def raised(call, *args, **kwargs) -> HandoutsError:
    """The HandoutsError that call(*args, **kwargs) raises; the test fails if it raises none."""
    with pytest.raises(HandoutsError) as info:
        call(*args, **kwargs)
    return info.value


# -- render stage: boxes and a canvas without the rest of the pipeline ----------

LEADING = 20.0


@pytest.fixture(scope="session")
def fonts() -> FontSet:
    return FontSet("atkinson-hyperlegible")


@pytest.fixture
def tree() -> StructTree:
    return StructTree()


@pytest.fixture
def paragraph(fonts, tree):
    """paragraph(words, **box options): a text block of `words` at 10 pt on a 20 pt leading."""

    def make(text: str, role: str = "P", **options) -> TextBlock:
        return TextBlock(tree.leaf(role), [Span(text)], TextStyle(fonts, 10.0, LEADING, "#000000"), **options)

    return make


@pytest.fixture
def tagger(fonts, tree):
    """A tagger over a real ReportLab canvas (Letter)."""
    canv = _reportlab.new_canvas(io.BytesIO(), (612.0, 792.0), "en-US", fonts.face_for("a", False), 12)
    return Tagger(canv, tree)


# -- SMTP test server (tests/smtp_server.py; owner: SMTP transport) ---------------
# aiosmtpd and trustme are imported inside the fixtures, so that tests without them still run.


@pytest.fixture(scope="session")
def smtp_ca():
    """The certificate authority that the test mail servers' certificates come from."""
    import trustme

    return trustme.CA()


@pytest.fixture(scope="session")
def smtp_ca_file(smtp_ca, tmp_path_factory) -> Path:
    """`smtp_ca` as a PEM file, for a client's `ca_file`."""
    path = tmp_path_factory.mktemp("smtp-ca") / "ca.pem"
    smtp_ca.cert_pem.write_to_path(str(path))
    return path


@pytest.fixture
def smtp_server(smtp_ca):
    """smtp_server(mode="starttls" | "tls" | "plain", auth=(user, password), handler=Recorder(...), ca=...):
    a running server on 127.0.0.1, certified by `smtp_ca` unless `ca` is given; stopped after the test."""
    from smtp_server import start_server

    servers = []

    def start(mode: str = "starttls", **options):
        options.setdefault("ca", smtp_ca)
        servers.append(start_server(mode, **options))
        return servers[-1]

    yield start
    for server in servers:
        server.stop()

# -- end of SMTP test server --------------------------------------------------------
