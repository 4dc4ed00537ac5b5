"""Boxes composed as they are asked for (`compose.Composed`): every box, once final, is the box `Composer.compose`
makes (the same fields, the same structure elements under the same parents), whatever is composed after it; and a
packet written from a kept file, which composes only up to its last page that shows the patient, is the packet
rendered whole with nothing kept, wherever the patient's value is."""

import dataclasses
from datetime import datetime

from handouts.load.project import Patient
from handouts.model import Callout, Heading, ListBlock, ListItem, PageBreak, Paragraph, Part, Span
from handouts.pipeline import load_document, packet_document, render_document
from handouts.render import assembly, pageplan, pdf
from handouts.render.boxes import PageBreakBox
from handouts.render.compose import Composer, _text_blocks
from handouts.render.fonts import FontSet
from handouts.render.tagging import StructElement, StructTree
from hostile_roster import BOTH, ROWS


def _element(element: StructElement | None) -> tuple | None:
    """An element as composing declared it: its role and attributes, and its parent's, up to the root."""
    if element is None:
        return None
    attrs = (element.alt, element.actual_text, element.lang, element.list_numbering)
    return element.role, attrs, _element(element.parent)


def _described(value):
    """Every field of a box, its inner boxes, labels, links and elements (no memo of a measure)."""
    if isinstance(value, StructElement):
        return _element(value)
    if isinstance(value, PageBreakBox):
        return "break"
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return type(value).__name__, tuple((f.name, _described(getattr(value, f.name)))
                                           for f in dataclasses.fields(value) if not f.name.startswith("_"))
    if isinstance(value, (list, tuple)):
        return tuple(_described(item) for item in value)
    return value


def _shared(boxes) -> list[int]:
    """Which boxes share an element (split pieces, a list item's words and its body): each element by first use."""
    seen: dict[StructElement, int] = {}
    return [seen.setdefault(box.element, len(seen)) for box in boxes if not isinstance(box, PageBreakBox)]


def _composer(layout, language: str) -> Composer:
    return Composer(layout, FontSet(layout.typeface), StructTree(language), language)


def _same_as_composed(blocks, layout, language: str) -> int:
    """Compose `blocks` lazily one step at a time, each box described when it becomes final, then compare every box
    with `compose`'s; the number of steps taken."""
    eager = _composer(layout, language).compose(blocks)
    composer = _composer(layout, language)
    lazy = composer.lazily(blocks)
    when_final, steps = [], 0
    while lazy.more():
        steps += 1
        when_final += [_described(box) for box in lazy.boxes[len(when_final):lazy.final]]
    assert lazy.done and lazy.final == len(lazy.boxes)
    composer.tree.check_closed()  # every Part element closed
    assert [_described(box) for box in lazy.boxes] == [_described(box) for box in eager]
    assert when_final == [_described(box) for box in eager]  # nothing composed after a box changed it
    assert _shared(lazy.boxes) == _shared(eager)
    return steps


def test_every_document_and_packet_composes_lazily_into_compose_s_boxes(project):
    """The shipped content: each document and the packet, in every layout and both languages, for a patient."""
    for name, preferred, layout_name, language, documents in ROWS[::3]:
        layout = project.layouts.load(layout_name)
        patient = Patient.from_values(name, preferred)
        appointment = datetime(2026, 12, 3, 9, 30)
        packet = packet_document(project, patient, appointment, BOTH, language)
        assert _same_as_composed(packet.blocks, layout, packet.language) > 10
        for document in BOTH:
            single = load_document(project, document, patient, appointment, language)
            _same_as_composed(single.blocks, layout, single.language)


def _p(text: str, write_in: int = 0) -> Paragraph:
    return Paragraph([Span(text)], write_in=write_in)


def _list(*texts: str, write_in: int = 0) -> ListBlock:
    return ListBlock(False, [ListItem([Span(text)], write_in=write_in) for text in texts])


def test_what_reaches_from_one_block_to_the_next_is_the_same_composed_lazily(project):
    """The passes that reach past a block: a list's intro kept with it (only within its Part), a line to write on
    kept with the words before it (in the block before), lines to write on named and numbered by the whole
    document's words (a name met again in a later Part numbers the first), a Part's anchor on its first box."""
    blocks = [
        Part([_p("Bring these things:"), _list("A", "B", "C"), _p("Question", write_in=2), _p("", write_in=2)]),
        PageBreak(),
        Part([_list("Right after a Part that ends:"), _p("Call us to ask:")], anchor="second"),
        Part([_list("A list first in its Part", "two"), _p("Driver's name:", write_in=2), _p("", write_in=2)],
             anchor="third"),
        PageBreak(),
        Part([Heading(1, [Span("Heading")]), _p("Question", write_in=2),
              Callout([_p("Question", write_in=1), _list("Item", write_in=1)]), _p("Item", write_in=1)],
             anchor="fourth"),
        Part([], anchor="empty"),
        Part([_p("After an empty Part")], anchor="fifth"),
    ]
    layout = project.layouts.load("large-print")
    _same_as_composed(blocks, layout, "en-US")
    boxes = _composer(layout, "en-US").lazily(blocks).all()
    texts = list(_text_blocks(boxes))
    assert [box.write_in_name for box in texts if box.write_in] == [
        "Question 1", "Question 1, line 2", "Driver's name", "Driver's name, line 2", "Question 2", "Question 3",
        "Item 1", "Item 2"]
    assert texts[0].keep_with_next and texts[0].destination is None
    assert [box.destination for box in texts if box.destination] == ["second", "third", "fourth", "fifth"]


# Documents whose only patient value is in their last paragraph, after pages of text and long lists whose keeps cross
# a page break, each a sentence longer than the one before: for one of them or more, a long name takes the last
# paragraph onto a page of its own (fictional; the words are padding, the layout is what is tested).
_SENTENCE = "Rest at home and drink water after the visit."
_BODY = "\n\n".join([
    *[f"## Part {n}\n\n{' '.join([_SENTENCE] * 6)}\n\nBring these things:\n\n"
      + "\n".join(f"- Thing {n}.{i} to bring along" for i in range(9)) for n in range(5)],
    "Question: ______\n______\n\nQuestion: ______",
])
_FRONT = "---\ntitle: Long notes\nkind: handout\nlanguage: en-US\nsummary: Notes.\nstatus: draft\n---\n\n"
_FOR = "This is for {{ patient.preferred_name }}."
_NOTES = {f"notes_{k}": f"{_FRONT}{_BODY}\n\n{' '.join([_SENTENCE] * k + [_FOR] * 8)}" for k in range(0, 100, 2)}
_SHORT, _LONG = "Quix", "Wolkenstein-Haverford Lianna"


def _turning(project, layout) -> str:
    """The first document whose last paragraph takes another page with the long name (laid out, no plan kept)."""
    for document in _NOTES:
        counts = set()
        for name in (_SHORT, _LONG):
            pageplan.PLANS.clear()
            loaded = load_document(project, document.replace("_", "-"), Patient.from_values(name, name))
            counts.add(len(pdf.lay_out(loaded, layout)))
        if len(counts) > 1:
            return document
    raise AssertionError("no document turns a page for a long name")


def test_a_value_on_the_last_page_is_composed_and_the_file_is_the_whole_render(make_project, monkeypatch):
    """Composing too little for the plan's key (the last box, the only one with a value) would give a patient whose
    last paragraph takes another page the page plan of one whose does not: each packet is held to the one rendered
    whole with nothing kept."""
    project = make_project(**_NOTES)
    layout = project.layouts.load("standard")
    document = _turning(project, layout).replace("_", "-")
    assembly.TEMPLATES.clear()
    pageplan.PLANS.clear()
    composed, written = [], []
    laid_out, assembled = pdf._laid_out, assembly.assembled
    monkeypatch.setattr(pdf, "_laid_out", lambda *args: composed.append(laid_out(*args)) or composed[-1])
    monkeypatch.setattr(assembly, "assembled", lambda *args: written.append(assembled(*args)) or written[-1])
    names = [_SHORT, _LONG, "Quib", "Wolkenstein-Haverford Lianne"]
    made = [render_document(project, document, layout, Patient.from_values(name, name)) for name in names]
    assert all(laid.planned.composed.done for laid in composed)  # every box composed: the value is in the last
    assert written[2] is not None and written[3] is not None  # the other two: from kept files
    assert made[0].pages < made[1].pages
    with monkeypatch.context() as patch:
        patch.setattr(assembly.TEMPLATES, "most", -1)
        for name, pdf_bytes in zip(names, made):
            pageplan.PLANS.clear()
            assert bytes(pdf_bytes) == bytes(render_document(project, document, layout,
                                                             Patient.from_values(name, name))), name


def test_a_packet_from_a_kept_file_composes_only_up_to_its_last_patient_page(project, monkeypatch):
    """The laziness the tests above hold to `compose`: a packet written from a kept file leaves boxes uncomposed."""
    from handouts.batch.workers import render_row
    from hostile_roster import roster_row

    assembly.TEMPLATES.clear()
    composed = []
    original = pdf._laid_out

    def watched(*args):
        laid = original(*args)
        composed.append(laid.planned.composed)
        return laid

    monkeypatch.setattr(pdf, "_laid_out", watched)
    for number, row in enumerate(ROWS[:2], start=2):
        assert render_row(roster_row(number, row), project).pdf
    whole, kept = composed
    assert whole.done and not kept.done
    assert len(kept.boxes) < len(whole.boxes) * 3 // 4


def test_a_patient_value_is_one_of_the_blocks_composed_for_the_key(project):
    """`through_values` reaches the last block that shows a value, in a later Part, inside a list item's body."""
    layout = project.layouts.load("standard")
    blocks = [Part([_p("One"), _p("Two")]), PageBreak(),
              Part([_p("Three"), ListBlock(False, [ListItem([Span("Four")], children=[_p("x")]),
                                                   ListItem([Span("Five")])])]),
              PageBreak(), Part([_p("Six"), _p("Seven")])]
    tokens = blocks[2].blocks[1].items[0].children
    tokens[0] = Paragraph([Span("For "), Span("Ana", reserve="Nnnnnnnnnnnnn")])
    lazy = _composer(layout, "en-US").lazily(blocks)
    boxes = lazy.through_values()
    assert not lazy.done
    assert any(span.reserve for box in boxes if hasattr(box, "spans") for span in box.spans)
    assert len(boxes) < len(_composer(layout, "en-US").compose(blocks))


def test_boxes_composed_at_once_replay_by_a_skeleton_s_plan(project):
    """`Planned` over a list (every box final) replays a plan kept for its skeleton as it paginated them first."""
    layout = project.layouts.load("large-print")
    document = load_document(project, "infusion-day-checklist", Patient.from_values("Ana Quorvex", "Ana"),
                             datetime(2026, 12, 3, 9, 30))
    _, _, width, height = layout.frame
    pageplan.PLANS.clear()
    pages = []
    for _ in range(2):
        boxes = _composer(layout, document.language).compose(document.blocks)
        pages.append([page.text() for page in pageplan.Planned(boxes, width, "a skeleton").paginate(height)])
    assert pageplan.PLANS.find((width, height, ("skeleton", "a skeleton", pageplan.patient_measures(boxes, width))))
    assert pages[0] == pages[1] and len(pages[0]) > 1
