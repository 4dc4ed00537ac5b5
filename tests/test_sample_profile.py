"""The shipped sample profile and sign-off: what the tool does while the profile is the sample, and once a clinic
has filled it in and approved its content. (The content's editorial rules are lint rules: quality/editorial.py,
tests/quality/test_editorial.py; the tool's tests never assert the clinic's wording.)"""

from __future__ import annotations

import re
import shutil

import pytest
from conftest import DATA, REPO, approve_content, load_profile, run

from handouts.load.profile import SENTENCES, sample_fields
from handouts.load.project import Project
from handouts.quality.lint import document_statuses, lint_profile, lint_project, lint_warnings

# A filled-in fictional clinic: no 555-01xx number, no example domain, no sample mark; its own sentences, in
# English and in Spanish (the Spanish editions need the clinic's words in Spanish too).
FILLED = (DATA / "clinic_send.yaml").read_text(encoding="utf-8")


def filled_content(tmp_path, approve: bool = False):
    """A copy of the shipped content with the filled-in fictional profile (everything approved, as
    `handouts approve` does it, by Dr. Ana Test on 2026-11-20, if asked)."""
    content = tmp_path / "content"
    shutil.copytree(REPO / "content", content)
    (content / "clinic.yaml").write_text(FILLED, encoding="utf-8")
    return approve_content(content) if approve else content



def test_shipped_profile_is_the_sample_and_lint_fails_on_it(project):
    fields = sample_fields(project.clinic)
    assert fields[0] == "sample" and {"phone", "after_hours_phone", "address", "website", "email"} <= set(fields)
    # Its instructions send the patient to the sample's phone number: each is a sample field too, in each language.
    assert set(fields) - {"sample", "phone", "after_hours_phone", "address", "website", "email"} <= {
        *SENTENCES, *(f"translations.{code}.{key}" for code in ("es",) for key in SENTENCES)}
    findings = lint_profile(project)
    assert {f.key for f in findings} == set(fields)
    assert all(f.rule == "profile-sample" and f.line and f.source.endswith("clinic.yaml") for f in findings)
    assert set(findings) <= set(lint_project(project))


def test_the_sample_mark_never_reaches_a_template(project):
    assert "sample" not in project.clinic and "_sample_marker" not in project.clinic


@pytest.mark.parametrize("line", ['phone: "(512) 555-0142"', "website: https://www.example.org",
                                  "address: 1 Example Street, Austin", "email: desk@clinic.example"])
def test_each_kind_of_placeholder_is_found(tmp_path, line):
    path = tmp_path / "clinic.yaml"
    key = line.split(":")[0]
    base = {"name": "name: Lakeside", "phone": 'phone: "(512) 413-2270"', "address": "address: 2 Lake Dr",
            **{sentence: f"{sentence}: Sentence {n}." for n, sentence in enumerate(SENTENCES)}}
    base[key] = line
    path.write_text("\n".join(base.values()) + "\n", encoding="utf-8")
    assert sample_fields(load_profile(path))[0] == key  # (after_hours_phone, when it defaults to phone, too)


def test_lint_passes_on_a_filled_in_profile(tmp_path):
    project = Project.open(filled_content(tmp_path), REPO / "layouts")
    assert sample_fields(project.clinic) == []
    assert lint_project(project) == []
    assert lint_warnings(project) == []


def test_lint_cli_fails_on_the_sample_and_reports_status(capsys, tmp_path):
    code, out, _ = run(capsys, "lint", "--content", str(REPO / "content"), "--layouts", str(REPO / "layouts"))
    assert code == 1
    assert "status: infusion-day-checklist: draft, not reviewed" in out
    assert re.search(r"clinic\.yaml:\d+: the clinic profile is marked 'sample: true'", out)
    code, out, _ = run(capsys, "lint", "--content", str(filled_content(tmp_path, approve=True)),
                       "--layouts", str(REPO / "layouts"))
    assert code == 0, out
    assert "status: fibromyalgia-ketamine: approved, reviewed by Dr. Ana Test on 2026-11-20 (4 days ago)" in out


def test_statuses_and_ages(tmp_path):
    project = Project.open(filled_content(tmp_path, approve=True), REPO / "layouts")
    from datetime import date
    statuses = document_statuses(project, date(2027, 12, 1))
    names = ["infusion-day-checklist", "fibromyalgia-ketamine", "_email", "_packet"]
    assert [(s.label, s.status, s.age_days) for s in statuses] == [
        (label, "approved", 376) for label in (*names, *(f"es/{name}" for name in names))]
    old = {w.source for w in lint_warnings(project, date(2027, 12, 1)) if w.rule == "review-old"}
    assert len(old) == 8


def test_build_warns_about_the_sample_and_drafts(capsys, tmp_path):
    code, _, err = run(capsys, "build", "infusion-day-checklist", "--layout", "standard", "--out",
                       str(tmp_path / "out"), "--content", str(REPO / "content"), "--layouts", str(REPO / "layouts"))
    assert code == 0
    assert "WARNING: SAMPLE clinic details, not for patients" in err
    assert "WARNING: draft, not yet approved: infusion-day-checklist." in err


@pytest.fixture
def roster(write_roster):
    return write_roster([["P1", "Jack Smith", "2026-12-03 09:30", "Jack", "standard", "infusion-day-checklist"]])


def test_packets_refuse_drafts_unless_allowed(capsys, tmp_path, roster):
    content = filled_content(tmp_path)
    args = ("packets", str(roster), "--out", str(tmp_path / "out"), "--quiet", "--jobs", "1",
            "--content", str(content), "--layouts", str(REPO / "layouts"))
    code, out, err = run(capsys, *args)
    assert code == 2 and not list((tmp_path / "out").glob("*.pdf"))
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "'_packet' is a draft" in lines[0] and "--allow-draft" in lines[0]
    code, out, err = run(capsys, *args, "--allow-draft")
    assert code == 0 and "Wrote 1 packet(s)" in out


def test_packets_run_when_every_document_is_approved(capsys, tmp_path, roster):
    content = filled_content(tmp_path, approve=True)
    code, out, err = run(capsys, "packets", str(roster), "--out", str(tmp_path / "out"), "--quiet", "--jobs", "1",
                         "--content", str(content), "--layouts", str(REPO / "layouts"))
    assert code == 0, err


def test_only_the_documents_a_packet_uses_must_be_approved(capsys, tmp_path, roster):
    content = filled_content(tmp_path, approve=True)
    handout = content / "fibromyalgia-ketamine.md"
    handout.write_text(handout.read_text().replace("status: approved", "status: draft"))
    code, _, err = run(capsys, "packets", str(roster), "--out", str(tmp_path / "out"), "--quiet", "--jobs", "1",
                       "--content", str(content), "--layouts", str(REPO / "layouts"))
    assert code == 0, err


# -- the sample mark: on every page of every document, in every layout and language --------------------------------

def _page_texts(path) -> list[list[str]]:
    """Each page's text as pypdf and as poppler's pdftotext read it (poppler: when installed)."""
    import subprocess

    from pdfread import reader

    pages = [[page.extract_text()] for page in reader(path).pages]
    if shutil.which("pdftotext"):
        shown = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                               check=True).stdout
        for texts, page in zip(pages, shown.split("\f")):
            texts.append(page)
    return pages


@pytest.mark.parametrize("language", ["en", "es"])
def test_the_sample_mark_is_on_every_page(project, tmp_path, language):
    """Whatever the layout, language or page number: a PDF made with the sample profile never passes for a real one
    (the mark once vanished where 'Page 10 of 12' or a Spanish label left it no room beside the page number)."""
    from datetime import datetime

    from handouts.load.locale import Locale
    from handouts.load.project import Patient
    from handouts.pipeline import packet_document, render_checked, render_document

    mark = Locale.for_tag(language).labels["sample"]
    edition = None if language == "en" else language
    names = [name for name in project.content.names()
             if edition is None or project.content.has_edition(name, edition)]
    assert len(names) >= 2
    for layout_name in ("standard", "large-print", "extra-large"):
        layout = project.layouts.load(layout_name)
        made = {name: render_document(project, name, layout, language=edition) for name in names}
        made["packet"] = render_checked(project, packet_document(
            project, Patient.from_values("Rita Vale", "Rita"), datetime(2026, 12, 3, 9, 30), tuple(names),
            language=edition), layout, "packet")
        for name, pdf in made.items():
            path = tmp_path / f"{name}-{layout_name}.pdf"
            path.write_bytes(bytes(pdf))
            pages = _page_texts(path)
            assert len(pages) == pdf.pages
            missing = [number for number, texts in enumerate(pages, start=1)
                       if not all(mark in " ".join(text.split()) for text in texts)]
            assert missing == [], f"{name}, {layout_name}, {language}: no sample mark on pages {missing}"


def test_a_required_note_too_wide_for_any_label_wraps_and_is_never_dropped(project):
    from datetime import datetime

    from pdfread import reader

    from handouts.load.locale import Locale
    from handouts.pipeline import load_document
    from handouts.render.pdf import RenderOptions, render_pdf

    note = "SAMPLE — not for patients, " * 3 + "never send it"
    document = load_document(project, "infusion-day-checklist")
    pdf = render_pdf(document, project.layouts.load("extra-large"),
                     RenderOptions(created=datetime(2026, 1, 1), footer_note=note, note_required=True))
    for page in reader(bytes(pdf)).pages:
        shown = " ".join(page.extract_text().split())
        assert all(word in shown for word in note.split()) and f"/{pdf.pages}" in shown  # short label: "1/3"
    assert Locale.for_tag("es").page_number.match("10/12") and Locale.for_tag("en").page_number.match("Page 1 of 2")
