"""Pages that fill, breaks that do not split what belongs together: every shipped document (the handouts, the
checklist, the packet), in every layout and language, as the paginator lays it out and as the PDF draws it."""

from __future__ import annotations

from datetime import datetime
from functools import cache

import pytest
from conftest import LAYOUTS, REPO
from pdfread import reader

from handouts.load.project import Patient, Project
from handouts.pipeline import load_document, packet_document, render_checked, render_options
from handouts.render.boxes import CalloutBox, TextBlock
from handouts.render.paginate import MIN_FILL, Page, Placed
from handouts.render.pdf import page_model

LANGUAGES = ("en", "es")
KINDS = ("handout", "checklist", "packet")
CASES = [(language, layout, kind) for language in LANGUAGES for layout in LAYOUTS for kind in KINDS]
PATIENT = Patient.from_values("Rosa Quintero", "Rosa")  # fictional
APPOINTMENT = datetime(2026, 12, 3, 9, 30)


@cache
def _project() -> Project:
    return Project.open(REPO / "content", REPO / "layouts")


@cache
def document(language: str, kind: str):
    """The shipped document of a kind in a language: a handout, the checklist, or a packet of them all."""
    project = _project()
    edition = None if language == "en" else language
    names = [name for name in project.content.names()
             if edition is None or project.content.has_edition(name, edition)]
    if kind == "packet":
        return packet_document(project, PATIENT, APPOINTMENT, tuple(names), language=edition)
    chosen = [name for name in names if project.content.load(name, edition).kind == kind]
    assert chosen, (language, kind)
    return load_document(project, chosen[0], language=edition)


@cache
def pages_of(language: str, layout_name: str, kind: str) -> tuple[list[Page], float]:
    """The page model, and the height of the frame the paginator filled."""
    layout = _project().layouts.load(layout_name)
    chosen = document(language, kind)
    return page_model(chosen, layout, render_options(_project(), chosen, layout))


def text_blocks(placed: list[Placed]):
    """Every placed text block, those inside 'important' boxes too, in reading order (not pictures)."""
    for piece in placed:
        if isinstance(piece.box, CalloutBox):
            yield from text_blocks(list(piece.inner))
        elif isinstance(piece.box, TextBlock):
            yield piece


def starts_document(page: Page) -> bool:
    return page.placed[0].box.element.role == "H1"


def fill(page: Page, height: float) -> float:
    return (height - min(piece.y for piece in page.placed)) / height


# -- the rules, each a list of what breaks it ------------------------------------------------------------------------

def short_pages(pages: list[Page], height: float) -> list[str]:
    """Pages less than MIN_FILL full other than a document's last, where the next block could have fitted."""
    found = []
    for page, following in zip(pages, pages[1:]):
        if starts_document(following) or fill(page, height) >= MIN_FILL:
            continue
        last = page.placed[-1]
        room = last.y - last.box.space_after
        first = following.placed[0]
        # The page ended because what starts the next page, with what must stay with it, was taller than the room.
        if not (page.held > room and page.held >= first.height):
            found.append(f"page {page.number} is {fill(page, height):.0%} full: {following.text()[:2]}")
    return found


def lists_split_thin(pages: list[Page], height: float) -> list[str]:
    """Lists broken across pages with one item alone on either side of a break, or two where keeping them would
    have left the page before less than MIN_FILL full: a short list (up to five items) stays whole, a long one
    splits with three items or more on each page."""
    lists: dict[int, list[tuple[int, Placed]]] = {}  # per list element: each item's first piece, and its page
    for page in pages:
        for piece in text_blocks(page.placed):
            if piece.box.label is not None:  # where an item starts
                lists.setdefault(id(piece.box.element.parent.parent), []).append((page.number, piece))
    found = []
    for items in lists.values():
        for before in range(1, len(items)):
            (number, _), (next_number, _) = items[before - 1], items[before]
            thin = min(before, len(items) - before)
            alone = items[:before] if before < 3 else items[before:]
            if number == next_number or thin >= 3 or _steps_with_parts(alone, pages):
                continue
            # What keeping the rule would have moved to the next page: the list's first item on this page, or
            # enough items to leave three on the next.
            first_here = next(piece for n, piece in items if n == number)
            moved = first_here if before < 3 or len(items) < 6 else items[len(items) - 3][1]
            kept_fill = (height - _top_of_what_comes_along(pages[number - 1], moved)) / height
            if thin < 2 or kept_fill >= MIN_FILL:
                found.append(f"a list of {len(items)} splits {before} + {len(items) - before} after page {number}")
    return found


def _steps_with_parts(items: list[tuple[int, Placed]], pages: list[Page]) -> bool:
    """Items left alone by a break that each hold more than their words (questions, lines to write on): steps
    with their parts, not lone lines."""
    inside = [piece.box.element for page in pages for piece in text_blocks(page.placed)]
    return all(any(_within(element, piece.box.element) and element is not piece.box.element for element in inside)
               for _, piece in items)


def _within(element, ancestor) -> bool:
    while element is not None and element is not ancestor:
        element = element.parent
    return element is ancestor


def _top_of_what_comes_along(page: Page, piece: Placed) -> float:
    """The top of `piece` with the headings and the intro line ("Bring these:") right above it, which move with
    it to the next page."""
    index = next((i for i, placed in enumerate(page.placed) if placed is piece), None)
    while index:
        above = page.placed[index - 1].box
        if not (above.element.role.startswith("H") or "".join(page.placed[index - 1].text()).rstrip().endswith(":")):
            break
        index -= 1
    top = page.placed[index] if index is not None else piece
    return top.y + top.height


def callouts_apart(pages: list[Page], height: float) -> list[str]:
    """'Important' boxes on another page than their section's heading, though the two would fit on one."""
    found, heading = [], None
    used: dict[int, float] = {page.number: height - min(p.y for p in page.placed) for page in pages}
    for page in pages:
        for piece in page.placed:
            if piece.box.element.role.startswith("H"):
                heading = (page.number, piece)
            elif isinstance(piece.box, CalloutBox) and heading and heading[0] != page.number:
                number, top = heading
                span = (top.y + top.height - min(p.y for p in pages[number - 1].placed))
                span += sum(used[n] for n in range(number + 1, page.number)) + (height - piece.y)
                if span <= height:
                    found.append(f"the box atop page {page.number} {piece.text()[:1]} left its heading "
                                 f"{top.text()} on page {number}")
    return found


def check_boxes_apart(pages: list[Page]) -> list[str]:
    """Check boxes on another page than the lines to write on that go with them."""
    box_page, found = {}, []
    for page in pages:
        for piece in text_blocks(page.placed):
            label = piece.box.label
            if label is not None and label.kind == "checkbox":
                box_page[id(piece.box.element)] = (page.number, label.name)
            elif piece.box.write_in and id(piece.box.element.parent) in box_page:
                number, name = box_page[id(piece.box.element.parent)]
                if number != page.number:
                    found.append(f"'{name}' on page {number}, its line {piece.text()} on page {page.number}")
    return found


def items_apart(pages: list[Page]) -> list[str]:
    """List items whose text is on another page than the start of what they hold ("Call us to ask:" and its
    questions)."""
    pieces = [(page.number, piece) for page in pages for piece in text_blocks(page.placed)]
    found = []
    for (number, item), (next_number, after) in zip(pieces, pieces[1:]):
        if item.box.label is not None and _inside(after.box.element, item.box.element) and next_number != number:
            found.append(f"{item.text()[:1]} on page {number}, what it holds on page {next_number}")
    return found


def _inside(element, ancestor) -> bool:
    while element is not None and element is not ancestor:
        element = element.parent
    return element is ancestor


def lone_closing_lines(pages: list[Page]) -> list[str]:
    """A section's short last paragraph alone at the top of a page, the rest of its section on the page before."""
    found = []
    for page, following in zip(pages, pages[1:]):
        first = following.placed[0]
        alone = len(following.placed) == 1 or following.placed[1].box.element.role.startswith("H")
        whole = page.placed[-1].box.element is not first.box.element  # not the end of a split paragraph
        if (first.box.element.role == "P" and first.box.label is None and len(first.lines) <= 2 and alone and whole
                and not page.placed[-1].box.element.role.startswith("H")):
            found.append(f"{first.text()} alone atop page {following.number}")
    return found


@pytest.mark.parametrize("language, layout_name, kind", CASES)
def test_pages_fill_and_breaks_keep_what_belongs_together(language, layout_name, kind):
    pages, height = pages_of(language, layout_name, kind)
    problems = (short_pages(pages, height) + lists_split_thin(pages, height) + callouts_apart(pages, height)
                + check_boxes_apart(pages) + items_apart(pages) + lone_closing_lines(pages))
    assert problems == [], f"{language} {layout_name} {kind}: " + "; ".join(problems)


def test_the_measures_find_what_they_look_for(paragraph, tree):
    """Each rule's measure fails on a page model that breaks it, so the test above cannot pass vacuously."""
    from handouts.model import Span
    from handouts.render.boxes import Label
    from handouts.render.paginate import place

    def page(number, *blocks, held=0.0):
        made, top = Page(number, held=held), 100.0
        for block in blocks:
            top -= block.height(200.0)
            made.placed.append(place(block, 200.0, top))
        return made

    # A page a fifth full, and the next block would have fitted: short.
    one, two = paragraph("one"), paragraph("two")
    assert short_pages([page(1, one), page(2, two)], 100.0) != []
    assert short_pages([page(1, one, held=99.0), page(2, two)], 100.0) == []
    # A list of five split 4 + 1.
    items = []
    with tree.element("L"):
        for n in range(5):
            with tree.element("LI"):
                label = Label("text", "•", tree.leaf("Lbl"))
                with tree.element("LBody") as body:
                    items.append(TextBlock(body, [Span(f"item {n}")], one.style, label=label))
    assert lists_split_thin([page(1, *items[:4]), page(2, items[4])], 100.0) != []
    assert lists_split_thin([page(1, *items)], 100.0) == []
    # Split 2 + 3 (items 20 points each on a 100-point page): only when the page would be less than 55 % full
    # without the two.
    assert lists_split_thin([page(1, one, two, paragraph("three"), *items[:2]), page(2, *items[2:])], 100.0) != []
    assert lists_split_thin([page(1, one, *items[:2]), page(2, *items[2:])], 100.0) == []
    # A closing line alone atop a page.
    heading = paragraph("Next", role="H2")
    assert lone_closing_lines([page(1, one), page(2, two, heading)]) != []


@pytest.mark.parametrize("language, layout_name, kind", CASES)
def test_the_drawn_pages_match_the_page_model_and_keep_off_the_footer(language, layout_name, kind, tmp_path):
    """On the drawn PDF: the lowest body text (its descent) and every field or link stay above the footer with at
    least half a line to spare, and each page is as full as the page model says."""
    project = _project()
    layout = project.layouts.load(layout_name)
    pdf = render_checked(project, document(language, kind), layout, kind)
    pages, height = pages_of(language, layout_name, kind)
    drawn = reader(bytes(pdf)).pages
    assert len(drawn) == len(pages)
    _, bottom, _, frame_height = layout.frame
    top = bottom + frame_height
    for number, (model, page) in enumerate(zip(pages, drawn), start=1):
        lowest, footer_top = extents(page)
        assert lowest - footer_top >= layout.body_size / 2, (language, layout_name, kind, number)
        drawn_fill = (top - lowest) / height
        assert abs(drawn_fill - fill(model, height)) < layout.body_size * layout.line_spacing / height, (
            language, layout_name, kind, number, drawn_fill, fill(model, height))


def _font_metric(font, key: str, default: float) -> float:
    if "/DescendantFonts" in font:
        font = font["/DescendantFonts"][0].get_object()
    descriptor = font.get("/FontDescriptor")
    return descriptor.get_object()[key] / 1000 if descriptor else default


def extents(page) -> tuple[float, float]:
    """The lowest point of the page's content (a glyph's descent, a field's or link's rectangle) and the highest
    point of its footer (the artifacts' glyphs' ascent), in points from the page's bottom."""
    stack: list[bool] = []
    body: list[float] = []
    footer: list[float] = []

    def before(op, args, cm, tm):
        if op in (b"BDC", b"BMC"):
            stack.append(args[0] == "/Artifact")
        elif op == b"EMC" and stack:
            stack.pop()

    def on_text(txt, cm, tm, font, size):
        if not txt.strip() or font is None:
            return
        size *= abs(tm[3] * cm[3]) or abs(tm[0] * cm[0])
        baseline = tm[5] * cm[3] + cm[5]
        if any(stack):
            footer.append(baseline + _font_metric(font, "/Ascent", 0.8) * size)
        else:
            body.append(baseline + _font_metric(font, "/Descent", -0.25) * size)

    page.extract_text(visitor_operand_before=before, visitor_text=on_text)
    body += [float(annotation.get_object()["/Rect"][1]) for annotation in page.get("/Annots") or []]
    return min(body), max(footer)


# -- the same measures on made-up documents, slid across page ends ------------------------------------------------

def slid(blocks, rooms=range(12, 36)):
    """The page models of `blocks` in the standard layout on pages `room` lines tall (an extra-large page holds
    16), for each room."""
    from handouts.render.compose import Composer
    from handouts.render.fonts import FontSet
    from handouts.render.paginate import keep_rules, paginate
    from handouts.render.tagging import StructTree

    layout = _project().layouts.load("standard")
    leading = layout.body_size * layout.line_spacing
    for room in rooms:
        height = room * leading
        boxes = Composer(layout, FontSet(layout.typeface), StructTree()).compose(blocks)
        keep_rules(boxes, 400.0, height)
        yield room, paginate(boxes, 400.0, height), height


def _para(text: str, **options):
    from handouts.model import Paragraph, Span

    return Paragraph([Span(text)], **options)


def _heading(text: str):
    from handouts.model import Heading, Span

    return Heading(2, [Span(text)])


def _list(texts, task=None, children=None):
    from handouts.model import ListBlock, ListItem, Span

    return ListBlock(False, [ListItem([Span(text)], task=task, children=(children or {}).get(i, []))
                             for i, text in enumerate(texts)])


def test_an_important_box_stays_with_its_heading_and_a_closing_line_with_its_section():
    from handouts.model import Callout

    blocks = [_para("filler " * 90), _heading("When to call us"), _para("Call us " * 20),
              _para("After hours, call us."), Callout([_para("Emergency: call 911.")]), _heading("Next"),
              _para("Some things may help:"), _list([f"thing {n} " * 6 for n in range(3)]),
              _para("We cannot promise that it will."), _heading("Last"), _para("The end " * 30)]
    for room, pages, height in slid(blocks):
        assert callouts_apart(pages, height) == [], room
        assert lone_closing_lines(pages) == [], room
        assert short_pages(pages, height) == [], room


def test_lists_split_three_and_three_and_items_keep_what_they_hold():
    blocks = [_para("filler " * 70), _para("Bring these:"), _list([f"item {n}" for n in range(8)]),
              _heading("Before your appointment"),
              _list(["Call us to ask:", "I have a ride home."], task=False,
                    children={0: [_list(["What may I eat?", "Which medicines?", "What to bring?"])],
                              1: [_para("Driver's name and phone:", write_in=True),
                                  _para("Pickup time:", write_in=True)]}),
              _para("The end " * 20)]
    for room, pages, height in slid(blocks):
        assert lists_split_thin(pages, height) == [], (room, [page.text() for page in pages])
        assert check_boxes_apart(pages) == [], room
        assert items_apart(pages) == [], room
        assert short_pages(pages, height) == [], room


def test_a_footer_note_that_wraps_keeps_the_text_above_it():
    """A required note too wide for the footer's line wraps onto lines above it; the page's text ends higher."""
    from handouts.render.pdf import RenderOptions, render_pdf

    note = "SAMPLE — not for patients, " * 3 + "never send it"
    layout = _project().layouts.load("extra-large")
    pdf = render_pdf(document("en", "handout"), layout,
                     RenderOptions(created=APPOINTMENT, footer_note=note, note_required=True))
    for number, page in enumerate(reader(bytes(pdf)).pages, start=1):
        lowest, footer_top = extents(page)
        assert lowest - footer_top >= layout.body_size / 2, number
