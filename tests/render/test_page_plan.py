"""Page plans shared per process (render/pageplan.py): a packet paginated by a plan that boxes measuring the same
made is the packet made with no plan kept, byte for byte; patients with the same documents and values of very
different lengths (a letter, 45 letters, other scripts) each get their own pages with their own text, nothing
below the footer's line; and no plan or key holds text, a patient's or any."""

import re
from datetime import datetime

import pytest
from pdfread import text

from handouts.batch.workers import render_row
from handouts.errors import InternalError
from handouts.load.roster import RosterRow
from handouts.load.project import Patient
from handouts.model import Span
from handouts.pipeline import packet_document
from handouts.render import pageplan
from handouts.render.boxes import TextBlock, TextStyle
from handouts.render.compose import Composer
from handouts.render.fonts import FontSet
from handouts.render.paginate import keep_rules, paginated, replay, replay_page
from handouts.render.pdf import RenderOptions, footer_height, page_model
from handouts.render.tagging import ALLOWED_PARENTS, StructTree

# The same documents, values of very different lengths: one letter, 45 letters (longer than the name's reserve:
# its documents are paginated for it), other scripts, a preferred name or none.
PATIENTS = [
    ("A", "A"),
    ("Maximiliana Dorfelkovna-Wolkenstein Haverford", "Maximiliana-Wolkenstein"),
    ("Дмитрий Жуковский", "Дима"),
    ("Ελένη Ξανθοπούλου", ""),
    ("Nguyễn Thị Minh Khai", "Khai"),
    ("Jo Li", "Jo"),
]
EDITIONS = [("large-print", "en-US"), ("standard", "es-US"), ("extra-large", "en-US"), ("extra-large", "es-US")]


def _row(number: int, name: str, preferred: str, layout: str, language: str, documents) -> RosterRow:
    return RosterRow(number, f"P{number}", name, preferred, datetime(2026, 12, 3, 9 + number % 4, 30), layout,
                     documents, "", language)


@pytest.fixture
def plans(monkeypatch):
    """No plan kept from another test; each replay counted."""
    pageplan.PLANS.clear()
    replayed = []

    def counted(*args):
        replayed.append(args[-1])
        return replay(*args)

    def counted_page(*args):
        replayed.append(("page", args[-1]))  # a page placed alone, from where the plan starts it
        return replay_page(*args)

    monkeypatch.setattr(pageplan, "replay", counted)
    monkeypatch.setattr(pageplan, "replay_page", counted_page)
    yield replayed
    pageplan.PLANS.clear()


def _no_plans(patch) -> None:
    """Every pagination decided afresh: no plan is found, none is kept."""
    patch.setattr(pageplan.PLANS, "find", lambda key: None)
    patch.setattr(pageplan.PLANS, "put", lambda key, made, size: None)


def test_a_packet_paginated_by_a_plan_is_the_packet_made_without_one(project, plans, monkeypatch):
    documents = tuple(project.content.names())
    for layout, language in EDITIONS:
        rows = [_row(number, name, preferred, layout, language, documents)
                for number, (name, preferred) in enumerate(PATIENTS, start=2)]
        # Each patient after every other one, both ways round: the long name's plan never serves the short one.
        warm = {row.name: render_row(row, project).pdf for row in rows}
        before = len(plans)
        again = {row.name: render_row(row, project).pdf for row in reversed(rows)}
        assert len(plans) >= before + len(rows)  # every packet the second time round paginated by a plan
        with monkeypatch.context() as patch:
            _no_plans(patch)
            fresh = {row.name: render_row(row, project).pdf for row in rows}
        for name, _ in PATIENTS:
            assert warm[name] == fresh[name] == again[name], (layout, language, name)


@pytest.mark.parametrize("layout,language", EDITIONS[:2])
def test_each_patient_gets_their_own_text_on_their_own_pages(project, plans, layout, language):
    """Names of very different lengths wrap differently: each packet shows its own patient's name (whole, on the
    pages the page model puts it on) and no other patient's."""
    documents = tuple(project.content.names())
    for number, (name, preferred) in enumerate(PATIENTS, start=2):
        pdf = render_row(_row(number, name, preferred, layout, language, documents), project).pdf
        shown = " ".join(text(pdf).split())
        assert name in shown
        others = {part for other, _ in PATIENTS if other != name for part in other.split() if len(part) > 3}
        assert not [part for part in others if part in shown and part not in name], name


def _page_model(project, name: str, preferred: str, layout: str, language: str, documents):
    document = packet_document(project, Patient.from_values(name, preferred), datetime(2026, 12, 3, 9, 30),
                               documents, language)
    chosen = project.layouts.load(layout)
    return page_model(document, chosen, RenderOptions(created=datetime(2026, 12, 1), footer_note="Clinic"))


def _described(pages) -> list:
    """Each page as what a reader gets of it: its boxes' kinds, places, sizes, keeps, room kept and lines."""
    def placed(p):
        box = p.box
        return (type(box).__name__, p.x, p.y, p.width, p.height, tuple(p.text()), box.keep_with_next,
                box.prefer_with_next, getattr(box, "reserve", None), tuple(placed(inner) for inner in p.inner))
    return [(page.number, page.held, [placed(p) for p in page.placed]) for page in pages]


@pytest.mark.parametrize("layout,language", EDITIONS)
def test_the_page_model_by_a_plan_is_the_page_model_decided_afresh(project, plans, monkeypatch, layout, language):
    documents = tuple(project.content.names())
    for name, preferred in PATIENTS:
        _page_model(project, name, preferred, layout, language, documents)
    for name, preferred in PATIENTS:
        before = len(plans)
        planned, frame = _page_model(project, name, preferred, layout, language, documents)
        assert len(plans) > before  # found its plan
        with monkeypatch.context() as patch:
            _no_plans(patch)
            fresh, fresh_frame = _page_model(project, name, preferred, layout, language, documents)
        assert _described(planned) == _described(fresh) and frame == fresh_frame, name
        for page in planned:  # nothing reaches into the footer's room, nothing above the frame
            for p in page.placed:
                assert p.y >= 0 and p.y + p.height <= frame + 1e-6, (name, page.number)
        assert name in " ".join(" ".join(line for page in planned for line in page.text()).split())


def test_no_plan_or_key_holds_text(project, plans):
    documents = tuple(project.content.names())
    for number, (name, preferred) in enumerate(PATIENTS, start=2):
        for layout, language in EDITIONS:
            render_row(_row(number, name, preferred, layout, language, documents), project)
    allowed = {"skeleton", "digest", "break", "text", "callout", "timeline", "put", "split", "next", "whole",
               *ALLOWED_PARENTS}
    found: set[str] = set()

    def strings(value):
        if isinstance(value, str) and re.fullmatch("[0-9a-f]{64}", value):
            found.add("digest")  # a document's skeleton with the layout and languages: a digest, no text
        elif isinstance(value, str):
            found.add(value)
        elif isinstance(value, (tuple, list)):
            for item in value:
                strings(item)
        elif isinstance(value, pageplan.PagePlan):
            strings((value.keeps, value.own, value.actions, value.starts))
        else:
            assert value is None or isinstance(value, (bool, int, float)), type(value)

    assert pageplan.PLANS._made
    for key, plan in pageplan.PLANS._made.items():
        strings(key)
        strings(plan)
    assert found <= allowed, found - allowed


def _composed(project, name: str, layout: str = "large-print"):
    document = packet_document(project, Patient.from_values(name), datetime(2026, 12, 3, 9, 30),
                               tuple(project.content.names()), None)
    chosen = project.layouts.load(layout)
    boxes = Composer(chosen, FontSet(chosen.typeface), StructTree(document.language), document.language).compose(
        document.blocks)
    _, _, width, height = chosen.frame
    return boxes, width, height - footer_height(chosen)


def test_a_plan_that_does_not_fit_its_boxes_stops_the_render(project):
    boxes, width, height = _composed(project, "Jo Li")
    keep_rules(boxes, width, height)
    pages, _, actions = paginated(boxes, width, height)
    for wrong in (actions[:-1], (*actions, ("put", 0.0)), (("split", 1.0), *actions[1:])):
        boxes, width, height = _composed(project, "Jo Li")
        keep_rules(boxes, width, height)
        with pytest.raises(InternalError):
            replay(boxes, width, height, wrong)
    assert len(pages) > 5


def test_boxes_that_measure_differently_have_different_keys(project):
    """The key is how boxes measure: a name that takes more lines than the reserve is another key, and so is a
    layout's other frame."""
    short, width, height = _composed(project, "Jo Li")
    long, *_ = _composed(project, "Maximiliana Dorfelkovna-Wolkenstein Haverford Quarrington-Smythe")
    same, *_ = _composed(project, "Al Bo")
    key = pageplan.plan_key(short, width, height)
    assert key == pageplan.plan_key(same, width, height)
    assert key != pageplan.plan_key(long, width, height)
    assert key != pageplan.plan_key(short, width, height - 1)


RESERVE = "Nnnnnnnnnnnnnnnnnnnn Nnnnnnnnnnnnnnnnnnnnnnnnn Nnnnnnnnnnnnnnnnnnnnnnnnn"
LONGER = f"{RESERVE} Quarrington-Smythe"  # a value longer than its reserve: laid out in its own room


def _form(tree, fonts, value: str) -> list:
    """A greeting that shows a patient's value (its reserve three lines at 200 pt), then seven one-line paragraphs:
    on a page of ten lines, the reserve's room costs a page that a one-line value does not."""
    style = TextStyle(fonts, 12, 15, "#000000")
    greeting = TextBlock(tree.leaf("P"), [Span("Hello "), Span(value, reserve=RESERVE)], style)
    return [greeting, *(TextBlock(tree.leaf("P"), [Span(f"Line {n}")], style) for n in range(8))]


@pytest.mark.parametrize("value", ["Al", LONGER])
def test_a_document_paginated_for_its_patient_replays_for_its_patient(fonts, tree, plans, value):
    """Where the reserve's room costs a page, the document is paginated for the patient's own text (reserves
    dropped): a plan replays that choice only for boxes that measure the same, the patient's own lines included."""
    width, height = 200.0, 150.0  # ten lines
    first = _form(tree, fonts, value)
    assert first[0].height(width) >= 45.0  # the reserve's three lines, or the longer value's own
    made = pageplan.paginate_planned(first, width, height)
    replayed = pageplan.paginate_planned(_form(tree, fonts, value), width, height)
    fresh = _form(tree, fonts, value)
    keep_rules(fresh, width, height)
    expected, own, _ = paginated(fresh, width, height)
    assert plans and own == (value == "Al")  # the short name's one line saves the page; the longer one's cannot
    assert _described(replayed) == _described(made) == _described(expected)
    assert len(expected) == (1 if own else 2)
    # Other patients' values of other lengths, after these: their own pages, never these.
    for other in ("Al", LONGER, "Bo", "Wilhelmina Quarrington"):
        fresh = _form(tree, fonts, other)
        keep_rules(fresh, width, height)
        assert _described(pageplan.paginate_planned(_form(tree, fonts, other), width, height)) == _described(
            paginated(fresh, width, height)[0]), other


@pytest.mark.parametrize("layout", ["large-print", "extra-large"])
def test_boxes_paginated_again_at_another_height_are_as_composed(project, plans, monkeypatch, layout):
    """Above a footer that needs more lines, the same boxes are paginated again: what the first pagination
    changed in them (keeps, reserves dropped for the patient) is put back, so the pages are those of boxes
    composed afresh, with a plan found or none kept."""
    for name in ("Jo Li", "Maximiliana Dorfelkovna-Wolkenstein Haverford Quarrington-Smythe"):
        for heights in ((594.0, 560.0), (560.0, 594.0), (594.0, 300.0, 594.0)):
            for keep in (True, False):
                with monkeypatch.context() as patch:
                    if not keep:
                        _no_plans(patch)
                    boxes, width, _ = _composed(project, name, layout)
                    planned = pageplan.Planned(boxes, width)
                    for height in heights:
                        again = planned.paginate(height)
                    fresh, *_ = _composed(project, name, layout)
                    expected = pageplan.paginate_planned(fresh, width, heights[-1])
                    assert _described(again) == _described(expected), (name, heights, keep)
                    _no_plans(patch)
                    decided, *_ = _composed(project, name, layout)
                    keep_rules(decided, width, heights[-1])
                    assert _described(again) == _described(paginated(decided, width, heights[-1])[0])


@pytest.mark.parametrize("layout,language", EDITIONS[:2])
def test_a_plan_replayed_for_its_first_pages_gives_those_pages(project, plans, layout, language):
    """A packet written from a kept file asks for its pages only up to the last that shows its patient: the plan
    replayed that far gives those very pages, and says how many there are without placing any."""
    from handouts.render.pdf import _footer, _laid_out

    documents = tuple(project.content.names())
    chosen = project.layouts.load(layout)
    options = RenderOptions(created=datetime(2026, 12, 1), footer_note="Clinic")
    for name, preferred in PATIENTS[:3]:
        document = packet_document(project, Patient.from_values(name, preferred), datetime(2026, 12, 3, 9, 30),
                                   documents, language)

        def laid():
            return _laid_out(document, chosen, StructTree(document.language), _footer(document, chosen, options))

        full = laid().pages()  # the plan kept
        for until in (0, 1, 3, len(full) - 1, len(full), len(full) + 2):
            before = len(plans)
            partial = laid()
            assert partial.made is None and partial.count == len(full)  # counted by the plan, nothing placed
            assert _described(partial.pages(until)) == _described(full[:until]), (name, until)
            assert len(plans) == before + 1
