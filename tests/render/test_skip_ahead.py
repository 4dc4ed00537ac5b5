"""A packet written from a kept file places only the pages that show its patient, each alone from where its page
plan starts it (`paginate.page_starts`, `Planned.pages_at`): each such page is the page placed in turn after all
those before it, and the packet is the packet rendered whole with nothing kept, byte for byte, where a page starts
with the rest of a box split on a page not placed, right after such a page, and on a document's last page."""

from collections import Counter
from datetime import datetime

import pytest

from handouts.load.project import Patient
from handouts.model import Span
from handouts.pipeline import packet_document, render_document
from handouts.render import assembly, pageplan
from handouts.render.boxes import TextBlock, TextStyle
from handouts.render.pdf import RenderOptions, _footer, _laid_out
from handouts.render.tagging import StructTree

_SENTENCE = "Rest at home and drink water after the visit."
_FRONT = "---\ntitle: Long notes\nkind: handout\nlanguage: en-US\nsummary: Notes.\nstatus: draft\n---\n\n"
_FOR = "This is for {{ patient.preferred_name }}."
_ASK = "Question: ______\n\n"


def _notes(k: int) -> str:
    """A value on the first page; lines to write on; one paragraph of `k` sentences, long enough to split across
    pages that show no value, the value right after it; a long list; lines to write on again; a value last of all.
    Fictional; the words are padding, the layout is what is tested."""
    return (f"{_FRONT}{_FOR}\n\n{_ASK * 3}## Long\n\n{' '.join([_SENTENCE] * k)}\n\n{_FOR}\n\n{_ASK}"
            "## List\n\nBring these things:\n\n" + "\n".join(f"- Thing {i} to bring along" for i in range(30))
            + f"\n\n{_FOR}\n\n{_ASK * 2}{' '.join([_SENTENCE] * 12)}\n\nLast of all, {{{{ patient.preferred_name }}}}.")


_DOCUMENTS = {f"notes_{k}": _notes(k) for k in range(40, 161, 12)}
_NAMES = ["Quix", "Ana Lo", "Quib", "Jo"]
# Longer than the name's reserve, each as long as the other: their own plan, their own kept file.
_LONG = ["Wolkenstein-Haverford Lianna Maximiliana Dorfelkovna", "Haverford-Wolkenstein Maximiliana Lianna Dorfelkovna"]


def _described(pages) -> list:
    """Each page as drawing reads it: its number, what held it, its boxes' kinds, places, sizes, keeps, reserves
    and lines, its inner boxes' too, and each box's element's role and parents' roles."""
    def element(e):
        return None if e is None else (e.role, e.alt, e.actual_text, e.list_numbering, element(e.parent))

    def placed(p):
        box = p.box
        return (type(box).__name__, p.x, p.y, p.width, p.height, tuple(p.text()), box.keep_with_next,
                box.prefer_with_next, getattr(box, "reserve", None), getattr(box, "write_in_name", None),
                getattr(box, "fixed_lines", None), element(box.element), tuple(placed(inner) for inner in p.inner))
    return [(page.number, page.held, [placed(p) for p in page.placed]) for page in pages]


@pytest.fixture
def starts(monkeypatch):
    """What each page placed alone started with: a split piece, a whole box, nothing; after a page not placed; the
    document's last page."""
    seen: Counter = Counter()
    original = pageplan.Planned.pages_at

    def watched(self, height, wanted):
        plan = pageplan.PLANS.find((self.width, height, self.measured))
        made = original(self, height, wanted)
        for index in wanted if made is not None else ():
            held = plan.starts[index][2]
            after_skipped = index and index - 1 not in wanted
            seen["split" if any(splits for _, splits in held) else "box" if held else "empty"] += 1
            seen["after skipped"] += bool(after_skipped)
            seen["split after skipped"] += bool(after_skipped and any(splits for _, splits in held))
            seen["last"] += index == plan.count - 1
        return made

    monkeypatch.setattr(pageplan.Planned, "pages_at", watched)
    return seen


@pytest.mark.parametrize("layout", ["standard", "large-print"])
def test_a_packet_written_from_a_kept_file_by_pages_placed_alone_is_the_whole_render(make_project, monkeypatch,
                                                                                      starts, layout):
    project = make_project(**_DOCUMENTS)
    chosen = project.layouts.load(layout)
    written = []
    assembled = assembly.assembled
    monkeypatch.setattr(assembly, "assembled", lambda *args: written.append(assembled(*args)) or written[-1])
    for document in _DOCUMENTS:
        document = document.replace("_", "-")
        assembly.TEMPLATES.clear()
        pageplan.PLANS.clear()
        made = [render_document(project, document, chosen, Patient.from_values(name, name)) for name in _NAMES + _LONG]
        with monkeypatch.context() as patch:
            patch.setattr(assembly.TEMPLATES, "most", -1)
            for name, pdf_bytes in zip(_NAMES + _LONG, made):
                pageplan.PLANS.clear()
                assert bytes(pdf_bytes) == bytes(render_document(project, document, chosen,
                                                                 Patient.from_values(name, name))), (document, name)
    assert sum(made is not None for made in written) >= len(_DOCUMENTS) * (len(_NAMES) - 1)
    # Every case that could go wrong happened: a page after one not placed that starts with the rest of a box split
    # on it, the last page, pages placed alone right after pages not placed.
    assert starts["split after skipped"] and starts["last"] and starts["after skipped"] and starts["box"], starts


@pytest.mark.parametrize("layout,language", [("large-print", "en-US"), ("standard", "es-US"),
                                             ("extra-large", "en-US")])
def test_each_page_placed_alone_is_the_page_placed_after_those_before_it(project, layout, language):
    """Every page of every packet, placed alone (and with the last, and the first), is the page the plan's replay
    places after all those before it: the same boxes, places, lines, keeps, reserves, names and elements."""
    documents = tuple(project.content.names())
    chosen = project.layouts.load(layout)
    options = RenderOptions(created=datetime(2026, 12, 1), footer_note="Clinic")
    kinds: Counter = Counter()
    for name in ("Ana Quorvex", "Maximiliana Dorfelkovna-Wolkenstein Haverford"):  # the second: paginated for it
        pageplan.PLANS.clear()
        document = packet_document(project, Patient.from_values(name, name), datetime(2026, 12, 3, 9, 30),
                                   documents, language)

        def laid():
            return _laid_out(document, chosen, StructTree(document.language), _footer(document, chosen, options))

        full = _described(laid().pages())  # the plan kept
        plan = pageplan.PLANS.find((laid().planned.width, laid().frame, laid().planned.measured))
        assert plan is not None and len(plan.starts) >= len(full)
        last = len(full) - 1
        for wanted in [[index] for index in range(len(full))] + [[0, last], [1, last], list(range(len(full)))]:
            alone = laid()
            made = alone.planned.pages_at(alone.frame, wanted)
            assert made is not None and sorted(made) == sorted(set(wanted))
            assert _described([made[index] for index in sorted(made)]) == [full[index] for index in sorted(made)], (
                name, wanted)
        for start in plan.starts[:len(full)]:
            kinds["split" if any(splits for _, splits in start[2]) else "box" if start[2] else "empty"] += 1
    assert kinds["box"] and kinds["empty"], kinds  # pages that start with a split piece: the test above


def test_a_page_the_plan_does_not_have_is_placed_with_the_others(project):
    """Past the plan's pages, or with no plan kept, nothing is placed alone: the caller places every page."""
    chosen = project.layouts.load("standard")
    document = packet_document(project, Patient.from_values("Ana Quorvex", "Ana"), datetime(2026, 12, 3, 9, 30),
                               tuple(project.content.names()), "en-US")
    options = RenderOptions(created=datetime(2026, 12, 1))
    pageplan.PLANS.clear()
    laid = _laid_out(document, chosen, StructTree(document.language), _footer(document, chosen, options))
    assert laid.made is not None  # no plan: paginated at once
    count = laid.count
    laid = _laid_out(document, chosen, StructTree(document.language), _footer(document, chosen, options))
    assert laid.planned.pages_at(laid.frame, [count]) is None
    assert laid.planned.pages_at(laid.frame, []) is None
    pages = laid.pages(count, lambda index: index != 0)
    assert pages[0] is not None and pages[1:] == [None] * (count - 1)


RESERVE = "Nnnnnnnnnnnnnnnnnnnn Nnnnnnnnnnnnnnnnnnnnnnnnn Nnnnnnnnnnnnnnnnnnnnnnnnn"


def _form(tree, fonts) -> list:
    """Ten one-line paragraphs, a greeting that shows a patient's value (its reserve three lines at 200 pt), eight
    more: on pages of ten lines the reserve's room costs a page that the value's one line does not."""
    style = TextStyle(fonts, 12, 15, "#000000")
    lines = [TextBlock(tree.leaf("P"), [Span(f"Line {n}")], style) for n in range(18)]
    greeting = TextBlock(tree.leaf("P"), [Span("Hello "), Span("Al", reserve=RESERVE)], style)
    return [*lines[:10], greeting, *lines[10:]]


def test_a_page_of_a_document_paginated_for_its_patient_is_placed_alone_for_its_patient(fonts, tree):
    """A plan made for the patient's own text (the reserves dropped) places a page alone with the reserves of its
    boxes dropped too, as the replay of every page does."""
    width, height = 200.0, 150.0
    pageplan.PLANS.clear()
    made = pageplan.Planned(_form(tree, fonts), width, "a skeleton").paginate(height)
    planned = pageplan.Planned(_form(tree, fonts), width, "a skeleton")
    assert pageplan.PLANS.find((width, height, planned.measured)).own and len(made) == 2
    alone = planned.pages_at(height, [1])
    assert list(alone) == [1] and _described([alone[1]]) == _described(made[1:])
    assert any("Al" in line for line in alone[1].text())
