"""Draw the page model: text, labels, rules and boxes, each inside its tag or artifact."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from ..caches import holds_patient_value
from ..load.locale import SHORT_PAGE_LABEL
from . import _reportlab, sharing
from .boxes import ASCENT, CalloutBox, TextBlock, TextStyle, rule_drop, rule_width
from .fonts import width
from .forms import TICK, FormFields
from .linebreak import Line
from .paginate import Page, Placed
from .tagging import Tagger
from .timeline import TimelineBox


@dataclass(frozen=True)
class Footer:
    """The running footer, on the bottom margin's top line: the clinic's name and phone on the left (as much as
    fits), "Page N of M" on the right.

    A required note (the sample mark) is never left out: the page label shortens to "N/M" to make room for it,
    and when even that is too wide the note wraps onto lines above the footer's (`rows` says how many, so that
    the page's text ends above them)."""

    style: TextStyle
    line: tuple[float, float, float]  # left, right and bottom of the footer's line
    note: str = ""
    page_label: str = "Page {number} of {count}"  # "Página {number} de {count}" in a Spanish document
    note_required: bool = False  # the note is the sample mark: on every page, whole, whatever fits

    def lines(self, number: int, count: int) -> tuple[list[str], str]:
        """The note's lines (the footer's own line last) and the page label, on page `number` of `count`."""
        (left, right, _), size = self.line, self.style.size
        text = self.page_label.format(number=number, count=count)
        lines = self._fitting_note(right - left - self.width(text) - 2 * size)
        if self.note_required and not lines:
            text = SHORT_PAGE_LABEL.format(number=number, count=count)
            room = right - left - self.width(text) - 2 * size
            lines = self._fitting_note(room) or _wrapped(self.note, room, self.width)
        return lines, text

    def rows(self, count: int) -> int:
        """How many lines the footer takes on the tallest of `count` pages (kept for the run: a footer says the
        clinic's name and phone, or the sample mark, never a patient's value; one that did is measured afresh)."""
        if holds_patient_value(self.note):
            return _rows(self, count)
        return _footer_rows(self, count)

    def width(self, text: str) -> float:
        return width(text, self.style.fonts.face_for(text, False), self.style.size)

    def _fitting_note(self, room: float) -> list[str]:
        """The footer note, or its last part (the phone) when the whole does not fit beside the page number;
        a required note only whole. Empty: nothing fits."""
        choices = (self.note,) if self.note_required else (self.note, self.note.rpartition(" · ")[2])
        return next(([note] for note in choices if note and self.width(note) <= room), [])


# Keyed by the whole footer (its note, page label, style and line) and the page count: patient-free.
@lru_cache(maxsize=256)
def _footer_rows(footer: Footer, count: int) -> int:
    return _rows(footer, count)


def _rows(footer: Footer, count: int) -> int:
    return max(max(len(footer.lines(number, count)[0]), 1) for number in range(1, count + 1))


@dataclass(frozen=True)
class Drawn:
    """What drawing a page did: whether it shows a patient's value, the characters it drew in each face, and, for a
    page that shows one, everything its drawing did besides its content and characters (`signature`: its events, as
    a recording names them, its elements' roles and attributes, and its page dictionary's other traits)."""

    shows_patient: bool
    characters: tuple[tuple[str, frozenset[int]], ...]
    signature: tuple | None


class PageDrawer:
    """Draws pages onto a ReportLab canvas through a tagger."""

    def __init__(self, canv, tagger: Tagger, origin: tuple[float, float], background: str, footer: Footer,
                 fields: FormFields | None = None, shared_as: tuple | None = None, plan: tuple | None = None):
        self.canv = canv
        self.tagger = tagger
        self.origin = origin  # where placed boxes' coordinates start on the page
        self.background = background
        self.footer = footer
        self.fields = fields  # None: checkboxes and lines to write on are printed, not fillable
        # What the pages are drawn for (document, edition, layout, options): pages that show no patient value are
        # drawn once for it and replayed (render/sharing.py). None: every page is drawn.
        self.shared_as = shared_as
        # The key of the pages' plan, made from the document's skeleton (render/pageplan.py): a page that shows no
        # patient value is keyed by it and its number (sharing.skeleton_page_key). None: keyed by its boxes.
        self.plan = plan
        self._bookmarks = 0
        self._log: list | None = None  # while a shared page is recorded: what it does beyond its content
        self.drawings: list[Drawn] | None = None  # a list: what each page's drawing did, for render/assembly.py
        # True: bookmarks and annotations are recorded, not made (render/assembly.py writes from a kept file)
        self.outline_kept = False
        self._numbers: dict[tuple, int | None] = {}  # the context's number, by page count and size

    def context(self, count: int, page_size) -> tuple:
        """What a page's drawing reads besides the page: the render's own context (`shared_as`), tagging, forms,
        where boxes start, the background, the footer, the page's size and the page count."""
        return (self.shared_as, self.tagger.tagged, self.fields is None, self.origin, self.background, self.footer,
                tuple(page_size), count)

    def context_number(self, count: int, page_size) -> int | None:
        """The context's number (`sharing.context_number`), once a render and page count."""
        at = (count, tuple(page_size))
        if at not in self._numbers:
            self._numbers[at] = sharing.context_number(self.context(count, page_size))
        return self._numbers[at]

    def shared_key(self, page: Page, count: int, page_size) -> tuple[tuple, list] | None:
        """The page's key and elements (`sharing.page_key`) when it shows no patient value; None when it does, or
        when nothing is shared."""
        if self.shared_as is None:
            return None
        if self.plan is None:
            return sharing.page_key(page, self.context(count, page_size))
        number = self.context_number(count, page_size)
        return None if number is None else sharing.skeleton_page_key(page, number, self.plan)

    def shows_patient(self, page: Page, count: int, page_size) -> bool:
        """Whether the page shows a patient's value (`shared_key` is None), answered from the pages recorded before
        where it can be."""
        return self.patient_scans(page, count, page_size) is not None

    def patient_scans(self, page: Page, count: int, page_size) -> list | None:
        """None when the page shows no patient's value (`shared_key` is not None), answered from the pages recorded
        before where it can be; else each placed box's `sharing.box_elements`, for `patient_page`: a page of a
        document with a plan looked through once for both."""
        number = None if self.plan is None or self.shared_as is None else self.context_number(count, page_size)
        if number is None:
            if self.shared_key(page, count, page_size) is not None:
                return None
        elif sharing.known_shared(page, number, self.plan):
            return None
        scans = [sharing.box_elements(placed) for placed in page.placed]
        # As `sharing.skeleton_page_key` decides: a box that shows a patient's value, or (the second guard) the
        # page's words holding one of the patient at work.
        if number is not None and not any(shows for _, shows in scans) and \
                not holds_patient_value(sharing.page_text(page)):
            return None
        return scans

    def page(self, page: Page, count: int, page_size) -> None:
        """Draw the page, or replay the drawing of the same page (it shows no patient value) made before. With
        `drawings` a list, what the page's drawing did is added to it (`Drawn`)."""
        found = self.shared_key(page, count, page_size)
        if found is None:
            if self.drawings is None:
                self._draw(page, count, page_size, boxes_shared=True)
                self.canv.showPage()
            else:
                self.drawings.append(self.patient_page(page, count, page_size))
            return
        key, elements = found
        recording = sharing.PAGES.find(key)
        if recording is None:
            recording = self._recorded(page, count, page_size, elements, sharing.page_text(page))
            sharing.PAGES.put(key, recording, recording.size)
        else:
            self._replay(recording, elements)
        _reportlab.share_page(self.canv)
        self.canv.showPage()
        if self.drawings is not None:
            self.drawings.append(Drawn(False, recording.characters, None))

    def patient_page(self, page: Page, count: int, page_size, scans: list | None = None) -> Drawn:
        """Draw and show a page that shows a patient's value: what its drawing did (`scans`: its `patient_scans`,
        when the caller has them)."""
        if scans is None:
            scans = [sharing.box_elements(placed) for placed in page.placed]  # the page's elements are its boxes'
        elements = [element for box, _ in scans for element in box]
        recording = self._recording(lambda: self._draw(page, count, page_size, boxes_shared=True, scans=scans),
                                    elements)
        self.canv.showPage()
        described = tuple((e.role, e.alt, e.actual_text, e.lang, e.list_numbering, e.parent and e.parent.role)
                          for e in elements)
        traits = _reportlab.shown_page_traits(self.canv, _reportlab.page_count_written(self.canv) - 1)
        return Drawn(True, recording.characters, (recording.events, described, traits))

    def _recorded(self, page: Page, count: int, page_size, elements: list, text: str = "") -> sharing.Recording:
        """Draw the page, recording its drawing (its elements named by where they sit on it; `text`: its words)."""
        return self._recording(lambda: self._draw(page, count, page_size), elements, text)

    def _recording(self, draw, elements: list, text: str = "") -> sharing.Recording:
        """Run `draw`, recording what it drew and did, its elements named by where they sit in `elements`. A page
        being recorded meanwhile holds all of it too, as if drawn."""
        canv = self.canv
        start = _reportlab.code_length(canv)
        before = _reportlab.take_characters(canv)
        outer = self._log  # the page's, while a box on it is recorded
        self._log = self.tagger.log = []
        try:
            draw()
        finally:
            log = self._log
            self._log = self.tagger.log = outer
            drawn = _reportlab.take_characters(canv)
            _reportlab.add_characters(canv, before)
            _reportlab.add_characters(canv, drawn)
        if outer is not None:
            outer.extend(log)
        names = sharing.Names(elements)
        events = tuple([(event[0], names.name(event[1]), *event[2:]) if event[0] != "bookmark" else event
                        for event in log])
        return sharing.Recording(_reportlab.code_since(canv, start),
                                 tuple(sorted((face, frozenset(codes)) for face, codes in drawn.items())), events,
                                 text)

    def _replay(self, recording: sharing.Recording, elements: list) -> None:
        """The recorded drawing, on this page, for this page's own elements: the same operators, characters and
        calls, in the same order (and, while a page is recorded, the same record of them)."""
        _reportlab.add_code(self.canv, recording.code)
        _reportlab.add_characters(self.canv, dict(recording.characters))
        resolve = None
        for kind, *what in recording.steps:
            if kind == "marks":  # marked content, one after another, each owned by one of these elements
                self.tagger.own_each([elements[index] for index in what[0]])
                continue
            if kind == "bookmark":
                self.bookmark(*what)
                continue
            if resolve is None:
                resolve = sharing.Resolver(elements)
            if kind == "mark":
                self.tagger.own(resolve(what[0]))
            elif kind == "annotate":
                self.annotate(resolve(what[0]), *what[1:])
            else:  # "bbox"
                element = resolve(what[0])
                element.bbox = what[1]
                if self._log is not None:
                    self._log.append(("bbox", element, what[1]))

    def _draw(self, page: Page, count: int, page_size, boxes_shared: bool = False, scans: list | None = None) -> None:
        """Draw the page; with `boxes_shared` (a page that shows a patient's value, of a document with a page plan),
        each run of its boxes that show none drawn once a process and replayed (`_boxes`; `scans`: each placed
        box's `sharing.box_elements`, when the caller has them)."""
        canv = self.canv
        if self.background != "#FFFFFF":
            with self.tagger.artifact("Layout"):
                canv.setFillColor(_reportlab.colour(self.background))
                canv.rect(0, 0, *page_size, stroke=0, fill=1)
        x, y = self.origin
        context = self.context_number(count, page_size) if boxes_shared and self.plan is not None and \
            self.shared_as is not None else None
        if context is None:
            for placed in page.placed:
                self._placed(placed, x, y)
        else:
            if scans is None:
                scans = [sharing.box_elements(placed) for placed in page.placed]
            start = 0
            for index, (_, shows) in enumerate(scans):
                if shows:  # a box that shows a patient's value: drawn for its patient
                    self._boxes(page, context, start, index, scans)
                    self._placed(page.placed[index], x, y)
                    start = index + 1
            self._boxes(page, context, start, len(scans), scans)
        if context is None:
            self._page_number(page.number, count)
            return
        # The footer: the clinic's words and the page's number, the same on this page of every such document.
        key = (context, "footer", page.number)
        recording = sharing.BOXES.find(key)
        if recording is None:
            recording = self._recording(lambda: self._page_number(page.number, count), [])
            sharing.BOXES.put(key, recording, recording.size)
        else:
            self._replay(recording, [])

    def _boxes(self, page: Page, context: int, start: int, end: int, scans: list) -> None:
        """The page's boxes `start` to `end` (not included), none of which shows a patient's value by its spans and
        boxes: drawn once a process and replayed (`sharing.boxes_recording`), or, when their words show one, each
        on its own the same way (drawn, when that one's do)."""
        if start == end:
            return
        x, y = self.origin
        boxes = page.placed[start:end]
        key = (context, self.plan, page.number, start, end, self.tagger.marks_on_page())
        found = sharing.boxes_recording(boxes, key, scans[start:end])
        if found is None:
            if end - start == 1:
                self._placed(boxes[0], x, y)
            else:
                for index in range(start, end):
                    self._boxes(page, context, index, index + 1, scans)
            return
        recording, elements, text = found
        if recording is None:
            recording = self._recording(lambda: [self._placed(placed, x, y) for placed in boxes], elements, text)
            sharing.BOXES.put(key, recording, recording.size)
        else:
            self._replay(recording, elements)

    # -- objects the page adds to the file ---------------------------------------------------------------
    def annotate(self, element, kind: str, args: tuple):
        """An annotation made by `kind` from `args`, owned by `element`: a link, a check box or a text field."""
        if self._log is not None:
            self._log.append(("annotate", element, kind, args))
        if self.outline_kept:
            # The kept file has the page's annotations (its signature holds this event); only what the page's
            # elements say is made, as below, for the signature.
            if kind != "link":
                element.alt = self.fields.spoken(kind, args)
            return None
        if kind == "link":
            annotation = _reportlab.link_annotation(self.canv, *args)
        else:
            # A Form element says what its widget's tooltip says: some readers (pdf.js) name a field by its element.
            annotation, element.alt = (self.fields.checkbox if kind == "checkbox" else self.fields.text_field)(*args)
        return self.tagger.annotate(element, annotation)

    def bookmark(self, kind: str, left: float, top: float, *what) -> None:
        """A destination ("#name" links go there) or a bookmark in the outline, at a point of the page."""
        if self._log is not None:
            self._log.append(("bookmark", kind, left, top, *what))
        if self.outline_kept:
            return  # the kept file has the document's outline; some of its pages are not drawn on this canvas
        if kind == "destination":
            (key,) = what
        else:
            title, level = what
            self._bookmarks += 1
            key = f"h{self._bookmarks}"
        self.canv.bookmarkHorizontalAbsolute(key, top, left=left)
        if kind == "outline":
            self.canv.addOutlineEntry(title, key, level)

    def _placed(self, placed: Placed, x: float, y: float) -> None:
        canv = self.canv
        canv.saveState()
        canv.translate(x + placed.x, y + placed.y)
        if isinstance(placed.box, TextBlock):
            self._text_block(placed)
        elif isinstance(placed.box, TimelineBox):
            self._timeline(placed)
        else:
            self._callout(placed)
        canv.restoreState()

    # -- text --------------------------------------------------------------
    def _text_block(self, placed: Placed) -> None:
        block, style = placed.box, placed.box.style
        top = placed.height
        baseline = top - (style.leading - style.size) / 2 - ASCENT * style.size
        if block.destination:
            self.bookmark("destination", *self.canv.absolutePosition(0, top),
                          _reportlab.destination_key(block.destination))
        if block.outline:
            self.bookmark("outline", *self.canv.absolutePosition(0, top), *block.outline)
        if block.label:
            self._label(block, baseline)
        last = len(placed.lines) - 1
        for i, line in enumerate(placed.lines):
            if i == last and block.write_in and not block.write_in_plan(placed.width).rows:
                baseline -= block.write_in_plan(placed.width).above  # room for the field beside the words
            self._line(block, line, baseline)
            if i < last:
                baseline -= style.leading
        if block.write_in:
            self._write_in_rule(placed, baseline)

    def _line(self, block: TextBlock, line: Line, baseline: float) -> None:
        """One line; each run of text sits inside its own element's marked content."""
        style, x = block.style, block.indent
        groups: list[tuple[object, list]] = []
        for piece in line.pieces:
            owner = block.links[piece.span]  # a LinkTarget or None
            if groups and groups[-1][0] is owner:
                groups[-1][1].append(piece)
            else:
                groups.append((owner, [piece]))
        for target, pieces in groups:
            with self.tagger.marked(target.element if target else block.element):
                self.canv.addLiteral(self._text_operators(pieces, x, baseline, style))
            if target:
                left = x + pieces[0].x
                right = x + pieces[-1].x + pieces[-1].width - _trailing_space(pieces[-1], style)
                self._underline(left, right, baseline, style)
                rect = self._page_rect(left, baseline - style.size * 0.25, right, baseline + style.size * 0.9)
                self.annotate(target.element, "link", (rect, target.url, target.text))

    def _text_operators(self, pieces, x: float, baseline: float, style: TextStyle) -> str:
        """Raw PDF text operators for pieces of one line (ReportLab's text object is slower)."""
        return _shown(self.canv, [(piece.text, piece.face, x + piece.x) for piece in pieces], baseline, style.size,
                      style.colour)

    def _underline(self, left: float, right: float, baseline: float, style: TextStyle) -> None:
        """Links are underlined as well as coloured, so that colour is never the only sign (WCAG 1.4.1)."""
        with self.tagger.artifact():
            self.canv.saveState()
            self.canv.setStrokeColor(_reportlab.colour(style.colour))
            self.canv.setLineWidth(max(1.0, style.size / 18))
            y = baseline - style.size * 0.12
            self.canv.line(left, y, right, y)
            self.canv.restoreState()

    def _label(self, block: TextBlock, baseline: float) -> None:
        canv, style, label = self.canv, block.style, block.label
        x = block.label_indent
        if label.kind == "checkbox":
            self._checkbox(block, x, baseline)
            return
        with self.tagger.marked(label.element):
            canv.addLiteral(_shown(canv, [(label.text, style.fonts.face_for(label.text, False), x)], baseline,
                                   style.size, style.colour))

    def _checkbox(self, block: TextBlock, x: float, baseline: float) -> None:
        """A check box to tick on screen (a form field), or a printed box a screen reader names."""
        canv, style, label = self.canv, block.style, block.label
        side = min(label.size or style.size, (block.indent - x) * 0.8)
        line_width = max(1.5, style.size / 12)
        bottom = baseline - style.size * 0.12
        if self.fields is not None:
            half = line_width / 2
            rect = self._page_rect(x - half, bottom - half, x + side + half, bottom + side + half)
            self.annotate(label.element.child("Form"), "checkbox",
                          (rect, side, line_width, style.colour, label.name, bool(label.checked)))
            return
        with self.tagger.marked(label.element.child("Figure", alt=label.spoken)):
            canv.saveState()
            canv.translate(x, bottom)
            canv.setStrokeColor(_reportlab.colour(style.colour))
            canv.setLineWidth(line_width)
            canv.rect(0, 0, side, side, stroke=1, fill=0)
            if label.checked:
                path = canv.beginPath()
                (x0, y0), *rest = TICK
                path.moveTo(side * x0, side * y0)
                for x1, y1 in rest:
                    path.lineTo(side * x1, side * y1)
                canv.drawPath(path, stroke=1, fill=0)
            canv.restoreState()

    def _write_in_rule(self, placed: Placed, baseline: float) -> None:
        """The line (or lines) to write on, beside or under the words' last line (at `baseline`), and the field
        over them: its typed text sits on the printed lines' baselines."""
        canv, block = self.canv, placed.box
        style, plan = block.style, block.write_in_plan(placed.width)
        size = style.size
        if plan.rows:  # lines of their own under the words, each as a line of words is placed in its box
            start = block.indent
            top = baseline - (style.leading - size) / 2 - (1 - ASCENT) * size - plan.above
            first = top - (plan.pitch - size) / 2 - ASCENT * size
            baselines = [first - row * plan.pitch for row in range(plan.rows)]
        else:
            start = block.write_in_start(placed.width)
            baselines = [baseline]
        # Printed, the line is real content that a screen reader announces, so its user knows to fill it in;
        # on screen, the text field over it says that, and the line is decoration.
        if self.fields is None:
            tag = self.tagger.marked(block.element.child("Span", actual_text=block.write_in_text))
        else:
            tag = self.tagger.artifact()
        with tag:
            canv.saveState()
            canv.setStrokeColor(_reportlab.colour(style.colour))
            canv.setLineWidth(rule_width(size))
            for y in baselines:
                canv.line(start, y - rule_drop(size), placed.width, y - rule_drop(size))
            canv.restoreState()
        if self.fields is not None:  # one field over all the lines: pdf.js wraps a long value onto the next
            bottom = baselines[-1] - plan.field_drop
            rect = self._page_rect(start, bottom, placed.width, bottom + plan.field_height)
            self.annotate(block.element.child("Form"), "text_field",
                          (rect, block.write_in_name or block.write_in_text, size, style.colour, plan.rows > 1))

    def _page_rect(self, x0: float, y0: float, x1: float, y1: float) -> tuple[float, float, float, float]:
        """A rectangle drawn at the current origin, in page coordinates (what annotations use)."""
        (left, bottom), (right, top) = self.canv.absolutePosition(x0, y0), self.canv.absolutePosition(x1, y1)
        return left, bottom, right, top

    # -- pictures ----------------------------------------------------------
    def _timeline(self, placed: Placed) -> None:
        """The caption, in its Caption; then the picture, all of it (circles, arrows, numbers and words) in its
        Figure, whose /BBox says where it is on the page."""
        canv, box = self.canv, placed.box
        drawing = box.drawing(placed.width)
        with self.tagger.marked(box.caption_element):
            canv.addLiteral(" ".join(self._text_operators(at.line.pieces, at.x, at.baseline, box.style)
                                     for at in drawing.caption))
        box.figure_element.bbox = self._page_rect(*drawing.figure)
        if self._log is not None:
            self._log.append(("bbox", box.figure_element, box.figure_element.bbox))
        with self.tagger.marked(box.figure_element):
            canv.saveState()
            colour = _reportlab.colour(box.arrow_colour)
            canv.setStrokeColor(colour)
            canv.setFillColor(colour)
            canv.setLineWidth(drawing.line_width)
            for arrow in drawing.arrows:
                self._arrow(arrow, drawing.head)
            canv.setFillColor(_reportlab.colour(box.style.colour))
            for circle in drawing.circles:
                canv.circle(circle.x, circle.y, circle.radius, stroke=0, fill=1)
            # Each step's number, then its words: text read out of the page comes in the steps' order.
            texts = [text for circle, label in zip(drawing.circles, drawing.labels)
                     for text in ((circle.number, box.number_style), *((at, box.style) for at in label))]
            canv.addLiteral(" ".join(self._text_operators(at.line.pieces, at.x, at.baseline, style)
                                     for at, style in texts))
            canv.restoreState()

    def _arrow(self, arrow, head: float) -> None:
        """A shaft that stops where the head starts, and a filled head whose point is the arrow's end."""
        canv = self.canv
        if not arrow.head:
            canv.line(arrow.x0, arrow.y0, arrow.x1, arrow.y1)
            return
        dx, dy = arrow.x1 - arrow.x0, arrow.y1 - arrow.y0
        length = (dx * dx + dy * dy) ** 0.5 or 1.0
        ux, uy = dx / length, dy / length
        base_x, base_y = arrow.x1 - ux * head, arrow.y1 - uy * head
        canv.line(arrow.x0, arrow.y0, base_x + ux * 0.5, base_y + uy * 0.5)
        path = canv.beginPath()
        path.moveTo(arrow.x1, arrow.y1)
        path.lineTo(base_x - uy * head / 2, base_y + ux * head / 2)
        path.lineTo(base_x + uy * head / 2, base_y - ux * head / 2)
        path.close()
        canv.drawPath(path, stroke=0, fill=1)

    # -- boxes and pages ---------------------------------------------------
    def _callout(self, placed: Placed) -> None:
        canv, box = self.canv, placed.box
        assert isinstance(box, CalloutBox)
        with self.tagger.artifact():
            canv.saveState()
            canv.setStrokeColor(_reportlab.colour(box.border_colour))
            canv.setLineWidth(box.border_width)
            half = box.border_width / 2
            canv.rect(half, half, placed.width - box.border_width, placed.height - box.border_width,
                      stroke=1, fill=0)
            canv.restoreState()
        for inner in placed.inner:
            self._placed(inner, 0.0, 0.0)

    def _page_number(self, number: int, count: int) -> None:
        """The footer (`Footer`): note on the left, page label on the right."""
        canv, footer = self.canv, self.footer
        style, (left, right, bottom) = footer.style, footer.line
        baseline = bottom + (style.leading - style.size) / 2 + 0.25 * style.size
        lines, text = footer.lines(number, count)
        with self.tagger.artifact("Pagination", "Footer"):
            # The note first, so that text extraction reads the footer's line as note, then page number.
            for row, line in enumerate(lines):
                canv.addLiteral(_shown(canv, [(line, style.fonts.face_for(line, False), left)],
                                       baseline + (len(lines) - 1 - row) * style.leading, style.size, style.colour,
                                       style.leading))
            canv.addLiteral(_shown(canv, [(text, style.fonts.face_for(text, False), right - footer.width(text))],
                                   baseline, style.size, style.colour, style.leading))


def _wrapped(text: str, room: float, measure) -> list[str]:
    """`text` in lines no wider than `room` where the words allow (a longer word has a line of its own)."""
    lines: list[str] = []
    for word in text.split():
        if lines and measure(f"{lines[-1]} {word}") <= room:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    return lines


def _trailing_space(piece, style: TextStyle) -> float:
    """The width of a space a piece ends with: an underline stops at the last letter."""
    return width(" ", piece.face, style.size) if piece.text.endswith(" ") else 0.0


def _shown(canv, runs: list[tuple[str, str, float]], baseline: float, size: float, colour: str,
           line_end: float = 0.0) -> str:
    """Text operators showing each (text, face, x) run on one baseline, in `colour`. With `line_end` (a leading),
    the text ends its line (T*): text extraction reads what follows, even on the same baseline, as a new line."""
    number = _reportlab.number
    ops = ["BT", _fill_operator(colour)]
    for text, face, x in runs:
        # An exact position for each run helps text extraction and screen readers.
        resource, operand = _reportlab.text_run(canv, face, text)
        ops.append(f"1 0 0 1 {number(x)} {number(baseline)} Tm {resource} {number(size)} Tf {operand} Tj")
    if line_end:
        ops.append(f"{number(line_end)} TL T*")
    ops.append("ET")
    return " ".join(ops)


# Keyed by a layout's colour: patient-free.
@lru_cache(maxsize=16)
def _fill_operator(colour: str) -> str:
    return " ".join(_reportlab.number(value) for value in _reportlab.rgb(colour)) + " rg"
