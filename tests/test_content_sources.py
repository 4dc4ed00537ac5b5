"""The content leads with action, says each safety fact once and word for word, and can be signed off."""

from __future__ import annotations

import io
import re
import shutil

import pytest
from conftest import APPOINTMENT, DATA, LAYOUTS, PATIENT, REPO, approve_content, render, run
from pdfread import normalized
from pypdf import PdfReader

from handouts.pipeline import render_checked
from handouts.pipeline import packet_document
from handouts.load.profile import INSTRUCTIONS, SAFETY, default_instructions, load_profile, sample_fields
from handouts.load.project import Project
from handouts.quality.lint import document_statuses, lint_profile, lint_project, lint_warnings

DOCUMENTS = ("infusion-day-checklist", "fibromyalgia-ketamine")
SEED = DATA / "seed_fibromyalgia_page.txt"  # the clinic page, copied so the test never depends on ../shared
# A filled-in fictional clinic: no 555-01xx number, no example domain, no sample mark; its own instructions,
# in English and in Spanish (the Spanish editions need the clinic's words in Spanish too).
FILLED = (DATA / "clinic_send.yaml").read_text(encoding="utf-8") + (
    "before_visit_eating: Do not eat for 6 hours before your visit. You may drink water.\n"
    "before_visit_medicines: Take your usual medicines.\n"
    "before_visit_bring: Bring a list of your medicines.\n"
    "translations:\n"
    "  es:\n"
    "    before_visit_eating: No coma nada 6 horas antes de su visita. Puede tomar agua.\n"
    "    before_visit_medicines: Tome sus medicinas de siempre.\n"
    "    before_visit_bring: Traiga una lista de sus medicinas.\n")


def pages(pdf: bytes) -> list[str]:
    return [normalized(page.extract_text()) for page in PdfReader(io.BytesIO(pdf)).pages]


def filled_content(tmp_path, approve: bool = False):
    """A copy of the shipped content with the filled-in fictional profile (everything approved, as
    `handouts approve` does it, by Dr. Ana Test on 2026-11-20, if asked)."""
    content = tmp_path / "content"
    shutil.copytree(REPO / "content", content)
    (content / "clinic.yaml").write_text(FILLED, encoding="utf-8")
    return approve_content(content) if approve else content


# --- 1. lead with action -----------------------------------------------------------


@pytest.mark.parametrize("layout", LAYOUTS)
def test_page_one_of_every_packet_holds_the_appointment_the_driving_rule_and_the_phone(project, layout):
    document = packet_document(project, PATIENT, APPOINTMENT, tuple(project.content.names()))
    first = pages(render_checked(project, document, project.layouts.load(layout), "packet"))[0]
    assert "Thursday, December 3, 2026 at 9:30 AM" in first
    assert normalized(project.clinic["address"]) in first
    assert normalized(SAFETY["safety_driving"]) in first
    assert project.clinic["phone"] in first
    for action in ("Three things to do", normalized(SAFETY["safety_rest_of_day"]), "Call us with questions"):
        assert action in first


def test_packet_order_is_checklist_first_and_background_last(project):
    assert project.content.names() == ["infusion-day-checklist", "fibromyalgia-ketamine"]
    handout = normalized(" ".join(pages(render(project, "fibromyalgia-ketamine", "standard"))))
    sections = ["On infusion day", "After your infusion", "When to call us", "About fibromyalgia",
                "How ketamine may help", "Questions to ask your care team"]
    positions = [handout.find(s) for s in sections]
    assert -1 not in positions and positions == sorted(positions)


def test_every_handout_ends_with_questions_to_ask(project):
    for name in project.content.names():
        source = project.content.load(name)
        if source.kind != "handout":
            continue
        body = source.body.rstrip()
        tail = body[body.rindex("## "):]
        assert tail.startswith("## Questions to ask your care team"), name
        assert tail.count("___") >= 2


# --- 2. a checklist of actions only -----------------------------------------------------


@pytest.mark.parametrize("layout,most", [("standard", 1), ("large-print", 2), ("extra-large", 3)])
@pytest.mark.parametrize("personal", [False, True])
def test_checklist_page_count(project, layout, most, personal):
    kw = dict(patient=PATIENT, appointment=APPOINTMENT) if personal else {}
    assert len(pages(render(project, "infusion-day-checklist", layout, **kw))) <= most


def test_checkboxes_are_actions_and_never_repeat(project):
    source = project.content.load("infusion-day-checklist")
    boxes = [line[6:].strip() for line in source.body.splitlines() if line.startswith("- [ ] ")]
    assert len(boxes) == len(set(boxes))
    facts = ("safety_session", "safety_side_effects", "The IV", "This usually takes")
    assert not [box for box in boxes if any(fact in box for fact in facts)]


def test_instructions_the_source_does_not_give_default_to_a_call(project):
    for key in INSTRUCTIONS:
        assert project.clinic[key].startswith(f"Call us at {project.clinic['phone']} to ask ")
    assert default_instructions(project.clinic) == list(INSTRUCTIONS)
    warned = {w.key for w in lint_warnings(project) if w.rule == "profile-default-instruction"}
    assert warned == set(INSTRUCTIONS)


# --- 3. one source of truth for safety text --------------------------------------------


def test_safety_sentences_are_identical_in_every_document(project):
    texts = {name: normalized(" ".join(pages(render(project, name, "standard"))))
             for name in project.content.names()}
    texts["packet"] = normalized(" ".join(pages(render_checked(
        project, packet_document(project, PATIENT, APPOINTMENT, ("infusion-day-checklist",)),
        project.layouts.load("standard"), "packet")))).split("Your infusion day checklist")[0]
    for key in ("safety_driving", "safety_rest_of_day"):
        for name, text in texts.items():
            assert normalized(SAFETY[key]) in text, (key, name)
    for key in ("safety_session", "safety_side_effects"):
        for name in DOCUMENTS:
            assert normalized(SAFETY[key]) in texts[name], (key, name)
    # Written once: no document spells a safety fact out in its own words.
    for path in (REPO / "content").glob("*.md"):
        raw = path.read_text(encoding="utf-8").lower()
        for phrase in ("drive you home", "30 minutes", "nausea", "few hours", "rest of the day"):
            assert phrase not in raw, (path.name, phrase)


def test_safety_text_keeps_the_sources_strength():
    seed = " ".join(SEED.read_text(encoding="utf-8").split())
    assert "You must arrange for someone else to drive you home after your infusion" in seed
    assert "must arrange for someone else to drive you home" in SAFETY["safety_driving"]
    assert "Ideally" in seed and SAFETY["safety_rest_of_day"].startswith("If you can")
    assert "40 minutes to one hour" in seed and "40 minutes to one hour" in SAFETY["safety_session"]
    assert "30 minutes of rest time at the clinic" in seed and "rest at the clinic for 30 minutes" in \
        SAFETY["safety_session"]
    assert "Although rare, mild nausea or headaches sometimes occur" in seed
    side = SAFETY["safety_side_effects"]
    assert "rare" in side and "sometimes" in side and "usually go away within a few hours" in side
    for stronger in ("never", "always", "do not drive for", "will go away"):
        assert stronger not in " ".join(SAFETY.values()).lower()


@pytest.mark.parametrize("name", DOCUMENTS)
def test_infusion_and_iv_are_defined_at_first_use_and_no_receptor_names(project, name):
    text = normalized(" ".join(pages(render(project, name, "standard"))))
    first = text.find("infusion")
    assert "An infusion is" in text or "infusion: a slow drip" in text
    definition = min(i for i in (text.find("An infusion is"), text.find("infusion: a slow drip")) if i >= 0)
    assert definition - first < 200  # in the first sentence that uses the word
    if " IV " in text:
        assert text.find("An IV is") - text.find(" IV ") < 60
    assert "NMDA" not in text and "receptor" not in text.lower()


# --- 4. sign-off and the sample profile --------------------------------------------------


def test_shipped_profile_is_the_sample_and_lint_fails_on_it(project):
    fields = sample_fields(project.clinic)
    assert fields[0] == "sample" and {"phone", "after_hours_phone", "address", "website", "email"} <= set(fields)
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
    base = {"name": "name: Lakeside", "phone": 'phone: "(512) 413-2270"', "address": "address: 2 Lake Dr"}
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
