"""A document's skeleton (model.Skeleton, made by pipeline.load_document): page plans and shared pages are keyed
by it, so it must tell apart every two documents that differ in anything but a patient's value, and be the same
for documents that differ only there. Each packet is made warm (after others, every cache kept) and compared
with the same packet made cold (every shared plan and page dropped): a key that missed a value would hand one
document another's page, and the two would differ."""

import re
import shutil
from dataclasses import replace
from datetime import datetime

import pytest
from conftest import REPO
from pdfread import squeeze, text

from handouts.load.project import Patient, Project
from handouts.model import skeleton_of
from handouts.pipeline import load_document, packet_document, render_checked
from handouts.render import pageplan, sharing

DOCUMENTS = ("infusion-day-checklist", "fibromyalgia-ketamine")
APPOINTMENT = datetime(2026, 12, 3, 9, 30)


def _cold(render):
    """`render()` with no page plan and no shared page kept from before."""
    pageplan.PLANS.clear()
    sharing.PAGES.clear()
    return render()


def _render(project, document, layout: str = "large-print") -> bytes:
    return render_checked(project, document, project.layouts.load(layout), "skeleton test")


@pytest.mark.parametrize("layout", ["large-print", "standard"])
def test_a_value_that_is_not_a_patients_is_in_the_skeleton(project, layout):
    patient = Patient.from_values("Ana Quorvex", "Ana")
    # The after-hours phone shows only in the body (never in the footer), on pages with no patient value.
    other = replace(project, clinic={**project.clinic, "after_hours_phone": "(512) 555-0177"})
    assert len(other.clinic["after_hours_phone"]) == len(project.clinic["after_hours_phone"])
    first = packet_document(project, patient, APPOINTMENT, DOCUMENTS)
    second = packet_document(other, patient, APPOINTMENT, DOCUMENTS)
    for document, shown, hidden in ((first, "555-0199", "555-0177"), (second, "555-0177", "555-0199")):
        warm = _render(project, document, layout)
        assert shown in squeeze(text(warm)) and hidden not in squeeze(text(warm))
        assert warm == _cold(lambda: _render(project, document, layout))
    assert skeleton_of(first) and skeleton_of(second) and skeleton_of(first) != skeleton_of(second)



@pytest.mark.parametrize("layout", ["large-print", "extra-large"])
def test_a_title_the_opening_lists_is_in_the_skeleton(project, tmp_path, layout):
    """The opening lists each document's title (a value of its fill, not a patient's): two packets whose
    checklist titles differ in one word of the same length are keyed apart, each with its own title."""
    patient = Patient.from_values("Ana Quorvex", "Ana")
    shutil.copytree(project.content.folder, tmp_path / "content")
    checklist = tmp_path / "content" / "infusion-day-checklist.md"
    source = checklist.read_text(encoding="utf-8")
    title = re.search(r"^title: (.*)$", source, re.M).group(1)
    other = title.replace("day", "Day", 1) if "day" in title else title.swapcase()
    assert other != title and len(other) == len(title)
    checklist.write_text(source.replace(f"title: {title}", f"title: {other}", 1), encoding="utf-8")
    renamed = Project.open(tmp_path / "content", REPO / "layouts")
    first = packet_document(project, patient, APPOINTMENT, DOCUMENTS)
    second = packet_document(renamed, patient, APPOINTMENT, DOCUMENTS)
    for document, shown, hidden in ((first, title, other), (second, other, title)):
        warm = _render(project, document, layout)
        assert shown.replace(" ", "") in squeeze(text(warm)) and hidden.replace(" ", "") not in squeeze(text(warm))
        assert warm == _cold(lambda: _render(project, document, layout))
    assert skeleton_of(first) and skeleton_of(second) and skeleton_of(first) != skeleton_of(second)


# Names of the same length (one a letter from another), a short one, a long one (longer than its reserve) and
# other scripts; each with its own appointment.
PATIENTS = [("Ana Quorvex", "Nitaq"), ("Eve Quorvel", "Evoq"), ("Jo Li", "Jo"),
            ("Maximiliana Dorfelkovna-Wolkenstein Haverford", "Maxi"), ("Дмитрий Жуковский", "Димуля")]


@pytest.mark.parametrize("layout", ["large-print", "extra-large"])
def test_patient_values_share_the_skeleton_and_never_a_page(project, layout):
    documents = [packet_document(project, Patient.from_values(name, preferred),
                                 datetime(2026, 12, 1 + number, 9 + number, 30), DOCUMENTS)
                 for number, (name, preferred) in enumerate(PATIENTS)]
    assert len({skeleton_of(document) for document in documents}) == 1 and skeleton_of(documents[0])
    for (name, preferred), document in zip(PATIENTS, documents):
        warm = _render(project, document, layout)
        shown = squeeze(text(warm))
        assert name.replace(" ", "") in shown, name
        others = {part for other, _ in PATIENTS if other != name for part in other.split() if len(part) > 3}
        assert not {part for part in others if part in shown and part not in name}, name
        assert warm == _cold(lambda: _render(project, document, layout)), name


def test_a_document_whose_blocks_were_replaced_has_no_skeleton(project):
    document = load_document(project, DOCUMENTS[0])
    assert skeleton_of(document)
    assert skeleton_of(replace(document, blocks=list(document.blocks))) is None
    assert skeleton_of(replace(document, title="Another title")) == skeleton_of(document)


def test_a_layout_with_the_same_frame_has_its_own_plans(project):
    """What the composer reads of a layout beyond its frame (heading sizes, the gap after a block) is in a plan's
    key: a layout that differs only there, with the same frame and footer, gets its own pages."""
    patient = Patient.from_values("Ana Quorvex", "Ana")
    document = packet_document(project, patient, APPOINTMENT, DOCUMENTS)
    base = project.layouts.load("large-print")
    roomier = replace(base, heading_sizes=tuple(size * 1.4 for size in base.heading_sizes),
                      paragraph_space=base.paragraph_space * 1.5)
    for layout in (base, roomier, base):
        warm = render_checked(project, document, layout, "skeleton test")
        assert warm == _cold(lambda: render_checked(project, document, layout, "skeleton test")), layout
