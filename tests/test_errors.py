"""Errors as data: findings with fields, and library messages that never name a CLI flag."""

import re
from datetime import date

import pytest
from conftest import REPO, raised

from handouts.batch.plan import ProjectPaths, Selection
from handouts.batch.printjob import PrintJob
from handouts.cli import FLAG_HINTS, with_flags
from handouts.errors import Finding, HandoutsError, LayoutError
from handouts.files.atomic import write_atomically
from handouts.files.outputs import (
    FOLDER,
    Output,
    check_ledger_export,
    check_print_job,
    check_send_writes,
    check_writes,
    inputs_of,
)
from handouts.files.clinic_folder import write_clinic_folder
from handouts.load.content import ContentLibrary
from handouts.load.home import find_home
from handouts.load.layouts import LayoutLibrary, load_layout
from handouts.load.project import Patient
from handouts.load.roster import Roster
from handouts.mail.ledger import Ledger
from handouts.mail.session import (
    MailSettings,
    SendOptions,
    ledger_report,
    open_send,
    open_transport,
    rate_limit,
    sender_address,
)
from handouts.pipeline import load_document

FLAG = re.compile(r"--[a-z]")


def test_finding_text_and_location():
    finding = Finding("sentence too long", "a.md", 3, 7, rule="long-sentence", hint="split it")
    assert finding.location == "a.md:3:7"
    assert str(finding) == "a.md:3:7: sentence too long; split it"
    assert str(Finding("no title", "a.md")) == "a.md: no title"
    assert str(Finding("the name is empty")) == "the name is empty"


def test_finding_to_dict_has_every_field():
    data = Finding("too small", "x.yaml", 4, rule="layout-rule", hint="make it 18", key="body_size").to_dict()
    assert data == {"message": "too small", "source": "x.yaml", "line": 4, "column": None, "rule": "layout-rule",
                    "hint": "make it 18", "key": "body_size", "detail": None}


def test_an_error_holds_one_finding_or_many():
    one = HandoutsError("missing front matter", source="a.md", line=1, rule="front-matter-missing", hint="add it")
    assert one.finding == Finding("missing front matter", "a.md", 1, rule="front-matter-missing", hint="add it")
    assert one.message == str(one) == "a.md:1: missing front matter; add it"
    many = LayoutError(findings=[Finding("too small", "x.yaml", key="body_size"), Finding("justified", "x.yaml")])
    assert many.message.splitlines() == ["x.yaml: too small", "x.yaml: justified"]
    assert many.exit_code == 2


@pytest.fixture
def blocker(tmp_path):
    """A file where a folder should be: nothing can be written below it."""
    path = tmp_path / "a-file"
    path.write_text("x")
    return path


@pytest.fixture
def library_errors(tmp_path, make_project, blocker):
    """One error of each kind the CLI adds a flag to, and a few others, raised by the library itself."""
    project = make_project(doc="---\ntitle: A\n---\nHello {{ patient.name }}\n")
    empty = tmp_path / "empty"
    empty.mkdir()
    bad_layout = tmp_path / "bad.yaml"
    bad_layout.write_text((REPO / "layouts" / "large-print.yaml").read_text().replace("body_size: 18", "body_size: 9"))
    content = project.content.folder
    inputs = inputs_of(None, content, None)
    from handouts.console.serve import bind

    taken = bind(0)  # the console cannot listen on a port in use
    try:
        busy_port = raised(bind, taken.getsockname()[1])
    finally:
        taken.close()
    return [
        busy_port,
        raised(ContentLibrary, tmp_path / "no-content"),
        raised(find_home, tmp_path / "no-clinic-folder"),
        raised(find_home, empty),
        raised(write_clinic_folder, blocker, REPO / "content", REPO / "layouts"),
        raised(LayoutLibrary, tmp_path / "no-layouts"),
        raised(load_document, project, "doc"),
        raised(write_atomically, blocker / "out" / "doc.pdf", b"%PDF-"),
        raised(PrintJob(blocker / "print.pdf").__enter__),
        raised(Patient.from_values, " "),
        raised(Roster, tmp_path / "roster.csv"),
        raised(project.content.load, "nope"),
        raised(load_layout, bad_layout),
        raised(check_print_job, tmp_path / "print.txt", []),
        raised(check_print_job, tmp_path / "roster.pdf", [tmp_path / "roster.pdf"]),
        raised(Ledger, blocker / "ledger.sqlite3"),
        raised(check_writes, [Output(content / "out", "the packets folder", "output", FOLDER)], inputs),
        raised(check_send_writes, content / "clinic.yaml", None, inputs),
        raised(check_send_writes, tmp_path, None, []),
        raised(check_send_writes, tmp_path / "l.sqlite3", content, inputs),
        raised(check_ledger_export, tmp_path / "l.sqlite3", tmp_path / "l.sqlite3", []),
        raised(check_ledger_export, blocker, tmp_path / "l.sqlite3", []),
        raised(Ledger(tmp_path / "ledger.sqlite3").export_csv, blocker / "records.csv"),
        raised(ContentLibrary, empty),
        raised(LayoutLibrary, empty),
        raised(sender_address, None),
        raised(sender_address, "Front Desk <desk@clinic.test>"),
        raised(ledger_report, tmp_path / "no-ledger.sqlite3", "", None, []),
        raised(rate_limit, "fast"),
        raised(open_transport, MailSettings(tmp_path, server="mail:port"), None),
        raised(open_send, project, tmp_path / "roster.csv", MailSettings(tmp_path, server="mail.clinic.test"),
               SendOptions(ProjectPaths(content, REPO / "layouts", None), Selection(date(2026, 11, 24)),
                           tmp_path / "l.sqlite3", allow_draft=True), dry_run=True),
    ]


def test_library_errors_are_structured_and_name_no_cli_flag(library_errors):
    for error in library_errors:
        for finding in error.findings:
            assert finding.source and finding.rule != "error" and finding.hint, finding
            assert not FLAG.search(finding.message) and not FLAG.search(finding.hint), finding


def test_the_cli_names_a_flag_for_every_rule_in_its_table(library_errors):
    rules = {f.rule for error in library_errors for f in error.findings}
    assert set(FLAG_HINTS) <= rules  # no table entry for a rule the library never raises
    for error in library_errors:
        for finding in error.findings:
            if finding.rule in FLAG_HINTS:
                shown = with_flags(finding)
                assert FLAG.search(shown.hint) and shown.message == finding.message, shown
