"""Pages drawn once per process and replayed (render/sharing.py): only a page that shows no patient value is
ever recorded or replayed, a replayed page is the page drawn afresh, and no recording holds a patient's value.

A page's patient values are known from the page model (`Span.reserve`, from the fill's tokens), wherever the
span sits: a paragraph, a list item's label or link, an 'important' box, a timeline's caption or step."""

import re
from datetime import datetime

import pytest
from pdfread import conformance_failures, text

from handouts.batch.workers import render_row
from handouts.load.roster import RosterRow
from handouts.model import Span
from handouts.render import assembly, sharing
from handouts.render.boxes import CalloutBox, TextBlock, TextStyle
from handouts.render.fonts import FontSet
from handouts.render.paginate import Page, place
from handouts.render.tagging import StructTree
from handouts.render.timeline import TimelineBox

DOCUMENTS = ("infusion-day-checklist", "fibromyalgia-ketamine")
# Names of the same length (the same lines, the same pages), one a letter from another, other scripts, and one
# longer than the name's reserve (its documents are laid out for it).
PATIENTS = [
    ("Ana Quorvex", "Nitaq", "large-print", "en-US"),
    ("Eve Quorvel", "Evoq", "large-print", "en-US"),
    ("Bea Zyllopa", "Beazu", "standard", "es-US"),
    ("Dov Zyllopo", "Dovix", "standard", "es-US"),
    ("Дмитрий Жуковский", "Димуля", "extra-large", "en-US"),
    ("Ελένη Ξανθοπούλου", "Λενιώ", "extra-large", "en-US"),
    ("Maximiliana Dorfelkovna-Wolkenstein Haverford", "Maxi", "large-print", "en-US"),
]


def _row(number: int, patient) -> RosterRow:
    name, preferred, layout, language = patient
    return RosterRow(number, f"P{number}", name, preferred, datetime(2026, 12, 3 + number % 5, 9, 30), layout,
                     DOCUMENTS, "", language)


def _values(patient) -> set[str]:
    name, preferred, *_ = patient
    return {part for part in (*name.split(), preferred) if len(part) > 3}


def _shown(recording: sharing.Recording) -> str:
    """What a recording holds, as text: its operators with each two-byte code decoded, and its calls."""
    code = " ".join(recording.code)
    decoded = " ".join(bytes.fromhex(hexa).decode("utf-16-be") for hexa in re.findall(r"<([0-9a-f]{4,})>", code))
    return "\n".join((code, decoded, repr(recording.events)))


@pytest.fixture
def lookups(monkeypatch):
    """Every page key looked up, and whether it was found: (key, found)."""
    seen = []
    find = sharing.PAGES.find

    def watched(key):
        found = find(key)
        seen.append((key, found is not None))
        return found

    monkeypatch.setattr(sharing.PAGES, "find", watched)
    sharing.PAGES.clear()
    # Every page drawn or replayed: no packet written from a kept file (tests/render/test_assembly.py tests those).
    monkeypatch.setattr(assembly.TEMPLATES, "most", -1)
    assembly.TEMPLATES.clear()
    return seen


def test_pages_are_replayed_only_when_they_show_no_patient_value(project, lookups):
    made = {}
    for number, patient in enumerate(PATIENTS * 2, start=2):  # each patient twice: every shared page is found
        rendered = render_row(_row(number, patient), project)
        assert rendered.failure is None
        made[patient[0]] = rendered.pdf
    assert sum(found for _, found in lookups) > len(PATIENTS) * 5  # most pages are replayed
    every_value = {value for patient in PATIENTS for value in _values(patient)}
    for key, _ in lookups:  # no key (each page's whole model) names anybody
        assert not [value for value in every_value if value in repr(key)]
    for recording in sharing.PAGES._made.values():
        shown = _shown(recording)
        assert not [value for value in every_value if value in shown]
    for patient in PATIENTS:  # each packet shows its own patient, and nobody else
        shown = " ".join(text(made[patient[0]]).split())
        assert patient[0] in shown
        others = {value for other in PATIENTS if other != patient for value in _values(other)} - _values(patient)
        assert not [value for value in others if value in shown], patient[0]


def test_boxes_that_show_no_value_on_a_page_that_does_are_replayed_and_name_nobody(project, lookups, monkeypatch):
    """On a page that shows a patient's value, each run of boxes that show none is drawn once and replayed: the
    packet is the one drawn box by box, and no kept run names anybody."""
    sharing.BOXES.clear()
    found = []
    original = sharing.BOXES.find
    monkeypatch.setattr(sharing.BOXES, "find", lambda key: found.append(original(key) is not None) or original(key))
    made = {number: render_row(_row(number, patient), project).pdf for number, patient in enumerate(PATIENTS, 2)}
    assert sum(found) > len(PATIENTS) * 3  # most boxes on those pages replayed
    every_value = {value for patient in PATIENTS for value in _values(patient)}
    for key, recording in sharing.BOXES._made.items():
        shown = _shown(recording) + recording.text + repr(key)
        assert not [value for value in every_value if value in shown]
    assert not [value for value in every_value if value in repr(sharing.CONTEXTS._made)]
    monkeypatch.setattr(sharing.BOXES, "most", -1)  # every box drawn afresh
    sharing.BOXES.clear()
    for number, patient in enumerate(PATIENTS, 2):
        assert render_row(_row(number, patient), project).pdf == made[number], patient[0]


def test_a_replayed_packet_passes_pdf_ua_and_pdf_a(project, lookups):
    for number, patient in enumerate(PATIENTS[:2], start=2):
        pdf = render_row(_row(number, patient), project).pdf
    assert sum(found for _, found in lookups) >= 5
    assert conformance_failures(pdf) == []


def _style() -> TextStyle:
    return TextStyle(FontSet("atkinson-hyperlegible"), 12.0, 18.0, "#000000")


def _paragraph(tree: StructTree, spans) -> TextBlock:
    return TextBlock(tree.leaf("P"), list(spans), _style())


VALUE = Span("Ann Alpha", reserve="Nnnnnnnnnnnnn Nnnnnnnnnnnnnnnn")
PLAIN = Span("Bring a list of your medicines. ")


def _paragraph_page(tree):
    return [_paragraph(tree, [PLAIN, VALUE])]


def _link_page(tree):
    return [_paragraph(tree, [PLAIN, Span("Ann Alpha", href="https://example.org", reserve="Nnnnnnnnnnnnnnn")])]


def _callout_page(tree):
    with tree.element("Div") as div:
        inner = _paragraph(tree, [PLAIN, VALUE])
    return [CalloutBox(div, [inner], "#000000", 2.0, 6.0, 6.0)]


def _timeline_page(tree):
    with tree.element("Div") as div:
        caption, figure = tree.leaf("Caption"), tree.leaf("Figure", alt="1. Arrive. 2. Rest.")
    return [TimelineBox(div, caption, figure, [Span("Your day")], [[Span("Arrive")], [VALUE]], _style(), _style(),
                        "#000000")]


def _placed_page(boxes) -> Page:
    page, top = Page(1), 600.0
    for box in boxes:
        placed = place(box, 400.0, top - box.height(400.0))
        page.placed.append(placed)
        top = placed.y
        if isinstance(box, CalloutBox):  # its inner blocks come with it
            assert placed.inner
    return page


def _skeleton_key(page: Page, context: tuple):
    """A page's key as a document with a skeleton has it (its plan's key and number, not its boxes)."""
    return sharing.skeleton_page_key(page, context, ("plan",))


def _scanned_key(page: Page, context: tuple):
    """A page's key as a packet written from a kept file asks for it (`PageDrawer.patient_scans`, which looks through
    the page once for that and for its drawing): None when it shows a patient's value."""
    from types import SimpleNamespace

    from handouts.render.draw import PageDrawer

    drawer = PageDrawer(None, SimpleNamespace(tagged=True), (0.0, 0.0), "#FFFFFF", None, shared_as=context,
                        plan=("plan",))
    scans = drawer.patient_scans(page, 1, (612, 792))
    assert scans is None or len(scans) == len(page.placed)
    return None if scans is not None else ("scanned", page.number)


# The keys guard alike: by the boxes (page_key), by the skeleton's plan (skeleton_page_key), and as a packet written
# from a kept file asks whether a page shows the patient (PageDrawer.patient_scans).
KEYS = pytest.mark.parametrize("key", [sharing.page_key, _skeleton_key, _scanned_key],
                               ids=["boxes", "skeleton", "scanned"])


@KEYS
@pytest.mark.parametrize("make", [_paragraph_page, _link_page, _callout_page, _timeline_page])
def test_a_page_with_a_patient_value_anywhere_has_no_key(make, key):
    tree = StructTree("en-US")
    page = _placed_page(make(tree))
    assert key(page, ("context",)) is None
    for placed in sharing.flattened(page.placed):  # as paginate leaves them when it lays out for the patient
        if isinstance(placed.box, TextBlock):
            placed.box.reserve = None
    assert key(page, ("context",)) is None  # the spans still say so


def test_the_same_page_without_the_value_has_a_key_and_it_is_the_same_for_the_same_page():
    keys = []
    for _ in range(2):
        tree = StructTree("en-US")
        page = _placed_page([_paragraph(tree, [PLAIN, Span("Ann Alpha")])])
        key, elements = sharing.page_key(page, ("context",))
        keys.append(key)
        assert elements and elements[0].role == "P"
    assert keys[0] == keys[1]
    page.number = 2
    assert sharing.page_key(page, ("context",))[0] != keys[0]  # the page's number is in the key
    tree = StructTree("en-US")
    other = _placed_page([_paragraph(tree, [PLAIN, Span("Bob Omega")])])
    assert sharing.page_key(other, ("context",))[0] != keys[0]  # the words are in the key


@KEYS
def test_text_of_the_patient_at_work_is_never_shared_even_unmarked(key):
    """The second guard: were a value ever left unmarked by the fill, the page still stays the patient's."""
    from handouts import caches

    tree = StructTree("en-US")
    page = _placed_page([_paragraph(tree, [PLAIN, Span("Ann Alpha")])])
    with caches.one_patient(("Ann Alpha",)):
        assert key(page, ("context",)) is None
    assert key(page, ("context",)) is not None



def test_a_run_of_boxes_is_shared_only_when_none_shows_a_value_and_their_words_hold_none():
    """`boxes_recording`: a run of boxes on a page that shows a patient is kept only when no box's spans or boxes
    carry a value and, as the second guard, their words together hold none of the patient at work's; its elements
    are its boxes' one after another, as the page lists them (`page_elements`)."""
    from handouts import caches

    tree = StructTree("en-US")
    page = _placed_page([_paragraph(tree, [PLAIN]), _paragraph(tree, [Span("Ann")]), _paragraph(tree, [PLAIN])])
    scans = [sharing.box_elements(placed) for placed in page.placed]
    assert [element for elements, _ in scans for element in elements] == sharing.page_elements(page)
    key = ("context", ("plan",), 1, 0, 3, 0)
    assert sharing.BOXES.find(key) is None
    recording, elements, text = sharing.boxes_recording(page.placed, key, scans)
    assert recording is None and elements == sharing.page_elements(page) and "Ann" in text
    with caches.one_patient(("Ann",)):  # the words of one box hold the patient at work's value
        assert sharing.boxes_recording(page.placed, key, scans) is None
        assert sharing.boxes_recording(page.placed[:1], key, scans[:1]) is not None
    shown = _placed_page([_paragraph(tree, [PLAIN]), _paragraph(tree, [PLAIN, VALUE])])
    scans = [sharing.box_elements(placed) for placed in shown.placed]
    assert [shows for _, shows in scans] == [False, True]
    assert sharing.boxes_recording(shown.placed, key, scans) is None  # a span carries a value
    for placed in shown.placed:  # as paginate leaves them when it lays out for the patient
        placed.box.reserve = None
    assert sharing.boxes_recording(shown.placed, key, [sharing.box_elements(p) for p in shown.placed]) is None

def test_a_replay_gives_marked_content_in_runs_and_every_other_event_as_recorded():
    """`Recording.steps`: each run of marks owned by the boxes' own elements is one step, in order; a bookmark, an
    annotation, a figure's box and a mark owned by a child made while drawing stay where they were."""
    child = ("child", ("page", 0), "Form", (), 0)
    events = (("mark", ("page", 0)), ("mark", ("page", 2)), ("bookmark", "destination", 1.0, 2.0, "d"),
              ("mark", ("page", 1)), ("annotate", child, "checkbox", ()), ("mark", child), ("mark", ("page", 3)),
              ("bbox", ("page", 4), (1.0, 2.0, 3.0, 4.0)))
    steps = sharing.Recording((), (), events).steps
    assert steps == (("marks", (0, 2)), events[2], ("marks", (1,)), events[4], events[5], ("marks", (3,)), events[7])
    assert sharing.Recording((), (), ()).steps == ()

@KEYS
def test_a_document_paginated_for_its_patient_still_keeps_the_patients_pages_unshared(project, key):
    """Where the reserve's room would cost a page, paginate lays the document out for its patient and sets the
    blocks' reserves aside (TextBlock.reserve = None): the spans still carry the patient's tokens, so the pages
    that show the patient get no key all the same."""
    from handouts.load.project import Patient
    from handouts.pipeline import packet_document, render_options
    from handouts.render.pdf import page_model

    document = packet_document(project, Patient.from_values("Rosa Quintero", "Rosa"), datetime(2026, 12, 3, 9, 30),
                               DOCUMENTS, "es")
    layout = project.layouts.load("large-print")
    pages, _ = page_model(document, layout, render_options(project, document, layout))
    blocks = [placed.box for page in pages for placed in sharing.flattened(page.placed)
              if isinstance(placed.box, TextBlock)]
    marked = [block for block in blocks if any(span.reserve is not None for span in block.spans)]
    assert marked
    for block in marked:  # as paginate leaves them when it lays the document out for its patient
        block.reserve = None
    showing = [page for page in pages if "Rosa" in " ".join(page.text())]
    assert len(showing) >= 2 and all(key(page, ()) is None for page in showing)
    assert any(key(page, ()) is not None for page in pages)  # the others are shared
