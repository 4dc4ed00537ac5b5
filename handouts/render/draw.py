"""Draw the page model: text, labels, rules and boxes, each inside its tag or artifact."""

from __future__ import annotations

from functools import lru_cache

from ..caches import per_patient
from ..load.locale import SHORT_PAGE_LABEL
from . import _reportlab
from .boxes import CalloutBox, TextBlock, TextStyle
from .fonts import width
from .forms import TICK, FormFields
from .linebreak import Line
from .paginate import Page, Placed
from .tagging import Tagger

ASCENT = 0.8  # baseline sits this many ems below the top of the text's half-leading box


class PageDrawer:
    """Draws pages onto a ReportLab canvas through a tagger."""

    def __init__(self, canv, tagger: Tagger, origin: tuple[float, float], background: str, footer: TextStyle,
                 footer_line: tuple[float, float, float], footer_note: str = "",
                 page_label: str = "Page {number} of {count}", fields: FormFields | None = None,
                 note_required: bool = False):
        self.canv = canv
        self.tagger = tagger
        self.origin = origin  # where placed boxes' coordinates start on the page
        self.background = background
        self.footer = footer
        self.footer_line = footer_line  # left, right and bottom of the footer's line
        self.footer_note = footer_note
        self.page_label = page_label  # "Página {number} de {count}" in a Spanish document
        self.fields = fields  # None: checkboxes and lines to write on are printed, not fillable
        self.note_required = note_required  # the note is the sample mark: on every page, whole, whatever fits
        self._bookmarks = 0

    def page(self, page: Page, count: int, page_size) -> None:
        canv = self.canv
        if self.background != "#FFFFFF":
            with self.tagger.artifact("Layout"):
                canv.setFillColor(_reportlab.colour(self.background))
                canv.rect(0, 0, *page_size, stroke=0, fill=1)
        x, y = self.origin
        for placed in page.placed:
            self._placed(placed, x, y)
        self._page_number(page.number, count)
        canv.showPage()

    # -- objects the page adds to the file ---------------------------------------------------------------
    def annotate(self, element, kind: str, args: tuple):
        """An annotation made by `kind` from `args`, owned by `element`: a link, a check box or a text field."""
        if kind == "link":
            annotation = _reportlab.link_annotation(self.canv, *args)
        elif kind == "checkbox":
            annotation = self.fields.checkbox(*args)
        else:
            annotation = self.fields.text_field(*args)
        return self.tagger.annotate(element, annotation)

    def bookmark(self, kind: str, left: float, top: float, *what) -> None:
        """A destination ("#name" links go there) or a bookmark in the outline, at a point of the page."""
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
        for line in placed.lines:
            self._line(block, line, baseline)
            baseline -= style.leading
        if block.write_in:
            self._write_in_rule(placed, baseline + style.leading)

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
        canv, number = self.canv, _reportlab.number
        ops = ["BT", _fill_operator(style.colour)]
        size = number(style.size)
        for piece in pieces:
            # An exact position for each piece helps text extraction and screen readers.
            ops.append(f"1 0 0 1 {number(x + piece.x)} {number(baseline)} Tm")
            if piece.text.isascii():
                ops.append(f"{_reportlab.ascii_font_resource(canv, piece.face)} {size} Tf "
                           f"({_pdf_string(piece.text)}) Tj")
                continue
            for resource, codes in _reportlab.font_runs(canv, piece.face, piece.text):
                ops.append(f"{resource} {size} Tf ({codes}) Tj")
        ops.append("ET")
        return " ".join(ops)

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
            text = canv.beginText(x, baseline)
            text.setFont(style.fonts.face_for(label.text, False), style.size)
            text.setFillColor(_reportlab.colour(style.colour))
            text.textOut(label.text)
            canv.drawText(text)

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
        canv, block = self.canv, placed.box
        style = block.style
        if block.rule_below(placed.width):
            start, baseline = block.indent, baseline - style.leading
        elif not block.spans:  # a line of its own under a named one ("Question: ___", then "___")
            start = block.indent
        else:
            start = block.indent + placed.lines[-1].width + style.size * 0.4
        line_width = max(1.0, style.size / 16)
        y = baseline - style.size * 0.15
        # Printed, the line is real content that a screen reader announces, so its user knows to fill it in;
        # on screen, the text field over it says that, and the line is decoration.
        if self.fields is None:
            tag = self.tagger.marked(block.element.child("Span", actual_text=block.write_in_text))
        else:
            tag = self.tagger.artifact()
        with tag:
            canv.saveState()
            canv.setStrokeColor(_reportlab.colour(style.colour))
            canv.setLineWidth(line_width)
            canv.line(start, y, placed.width, y)
            canv.restoreState()
        if self.fields is not None:
            rect = self._page_rect(start, y + line_width / 2, placed.width, baseline + style.size * 0.95)
            self.annotate(block.element.child("Form"), "text_field",
                          (rect, block.write_in_name or block.write_in_text, style.size, style.colour))

    def _page_rect(self, x0: float, y0: float, x1: float, y1: float) -> tuple[float, float, float, float]:
        """A rectangle drawn at the current origin, in page coordinates (what annotations use)."""
        (left, bottom), (right, top) = self.canv.absolutePosition(x0, y0), self.canv.absolutePosition(x1, y1)
        return left, bottom, right, top

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
        """The footer: the clinic's name and phone on the left (as much as fits), "Page N of M" on the right.

        A required note (the sample mark) is never left out: the page label shortens to "N/M" to make room
        for it, and when even that is too wide the note wraps onto lines above the footer's."""
        canv, style = self.canv, self.footer
        left, right, bottom = self.footer_line
        baseline = bottom + (style.leading - style.size) / 2 + 0.25 * style.size
        text = self.page_label.format(number=number, count=count)
        lines = self._fitting_note(right - left - self._width(text) - 2 * style.size)
        if self.note_required and not lines:
            text = SHORT_PAGE_LABEL.format(number=number, count=count)
            room = right - left - self._width(text) - 2 * style.size
            lines = self._fitting_note(room) or _wrapped(self.footer_note, room, self._width)
        with self.tagger.artifact("Pagination", "Footer"):
            canv.setFillColor(_reportlab.colour(style.colour))
            # The note first, so that text extraction reads the footer's line as note, then page number.
            for row, line in enumerate(lines):
                canv.setFont(style.fonts.face_for(line, False), style.size)
                canv.drawString(left, baseline + (len(lines) - 1 - row) * style.leading, line)
            canv.setFont(style.fonts.face_for(text, False), style.size)
            canv.drawRightString(right, baseline, text)

    def _width(self, text: str) -> float:
        return width(text, self.footer.fonts.face_for(text, False), self.footer.size)

    def _fitting_note(self, room: float) -> list[str]:
        """The footer note, or its last part (the phone) when the whole does not fit beside the page number;
        a required note only whole. Empty: nothing fits."""
        choices = (self.footer_note,) if self.note_required else (
            self.footer_note, self.footer_note.rpartition(" · ")[2])
        return next(([note] for note in choices if note and self._width(note) <= room), [])


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


# Keyed by the text itself: a pure function of its key (a patient's words only ever give back themselves).
@per_patient  # keyed by text that can be a patient's: emptied after each patient
@lru_cache(maxsize=8192)
def _pdf_string(text: str) -> str:
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


# Keyed by a layout's colour: patient-free.
@lru_cache(maxsize=16)
def _fill_operator(colour: str) -> str:
    return " ".join(_reportlab.number(value) for value in _reportlab.rgb(colour)) + " rg"
