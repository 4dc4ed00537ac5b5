"""Tagged ReportLab flowables, one per content block.

Each flowable knows its block's structure element and draws all of its
content inside marked content for that element; rules, boxes and other
decoration are drawn as artifacts.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from itertools import takewhile

from reportlab.lib.colors import HexColor
from reportlab.lib.rl_accel import fp_str
from reportlab.pdfbase import pdfmetrics
from reportlab.platypus import Flowable

from ..model import Span
from .fonts import FontSet
from .linebreak import Line, break_lines
from .tagging import StructElement

ASCENT = 0.8  # baseline sits this many ems below the top of the text's half-leading box


@dataclass(frozen=True)
class TextStyle:
    fonts: FontSet
    size: float
    leading: float
    colour: str


@dataclass(eq=False)
class LinkTarget:
    """One link in the text: its address, its words and its Link element."""

    url: str
    text: str
    element: StructElement


@dataclass(frozen=True)
class Label:
    """A list item's label: a bullet, a number or a checkbox."""

    kind: str  # "text" or "checkbox"
    text: str
    element: StructElement
    checked: bool = False
    size: float = 0.0


def link_targets(spans: list[Span], owner: StructElement) -> list[LinkTarget | None]:
    """For each span, the link it belongs to: one Link element under `owner` per run of a link."""
    targets: list[LinkTarget | None] = []
    for i, span in enumerate(spans):
        if span.href is None:
            targets.append(None)
        elif i and spans[i - 1].href == span.href:
            targets.append(targets[-1])
        else:
            words = "".join(s.text for s in takewhile(lambda s: s.href == span.href, spans[i:]))
            targets.append(LinkTarget(span.href, words, owner.child("Link")))
    return targets


class TextBlock(Flowable):
    """A heading, paragraph, list item or write-in line."""

    def __init__(self, element: StructElement, spans: list[Span], style: TextStyle, *,
                 indent: float = 0.0, space_before: float = 0.0, space_after: float = 0.0,
                 keep_with_next: bool = False, keep_together: bool = False, write_in: bool = False,
                 label: Label | None = None, label_indent: float = 0.0, outline: tuple[str, int] | None = None,
                 lines: list[Line] | None = None):
        super().__init__()
        self.element = element
        self.spans = spans
        self.links = link_targets(spans, element) if lines is None else None
        self.style = style
        self.indent = indent
        self.spaceBefore = space_before
        self.spaceAfter = space_after
        self.keepWithNext = keep_with_next
        self.keep_together = keep_together
        self.write_in = write_in
        self.label = label
        self.label_indent = label_indent
        self.outline = outline
        self._fixed_lines = lines

    # -- layout ------------------------------------------------------------
    def lines(self, avail_width: float) -> tuple[Line, ...]:
        """The block's lines: fixed for a piece of a split block, else broken to fit (memoized)."""
        if self._fixed_lines is not None:
            return self._fixed_lines
        return break_lines(self.spans, self.style.fonts, self.style.size, avail_width - self.indent)

    def _write_in_below(self, avail_width: float) -> bool:
        """Whether the write-in rule needs a line of its own."""
        last = self.lines(avail_width)[-1]
        return last.width + self.style.size > 0.55 * (avail_width - self.indent)

    def wrap(self, avail_width: float, avail_height: float):
        self.width = avail_width
        count = len(self.lines(avail_width))
        if self.write_in and self._write_in_below(avail_width):
            count += 1
        self.height = count * self.style.leading
        return avail_width, self.height

    def split(self, avail_width: float, avail_height: float):
        lines = self.lines(avail_width)
        fit = int(avail_height // self.style.leading)
        # No single line left behind or carried over (no widows or orphans).
        if fit < 2 or len(lines) - fit < 2:
            return []
        first = self._piece(lines[:fit], write_in=False, space_after=0.0)
        rest = self._piece(lines[fit:], label=None, outline=None, space_before=0.0)
        return [first, rest]

    def _piece(self, lines: list[Line], **changes) -> "TextBlock":
        args = dict(indent=self.indent, space_before=self.spaceBefore, space_after=self.spaceAfter,
                    keep_with_next=False, keep_together=False, write_in=self.write_in,
                    label=self.label, label_indent=self.label_indent, outline=self.outline)
        args.update(changes)
        piece = TextBlock(self.element, self.spans, self.style, lines=lines, **args)
        piece.links = self.links
        return piece

    # -- drawing -----------------------------------------------------------
    def draw(self):
        canv, style = self.canv, self.style
        tagger = canv.tagger
        top = self.height
        baseline = top - (style.leading - style.size) / 2 - ASCENT * style.size
        if self.outline:
            title, level = self.outline
            key = f"h{id(self)}"
            canv.bookmarkHorizontal(key, 0, top)
            canv.addOutlineEntry(title, key, level)
        if self.label:
            self._draw_label(baseline)
        lines = self.lines(self.width)
        for line in lines:
            draw_line(canv, tagger, self.element, self.links, line, self.indent, baseline, style)
            baseline -= style.leading
        if self.write_in:
            self._draw_rule(lines[-1], baseline + style.leading)

    def _draw_label(self, baseline: float) -> None:
        canv, style, label = self.canv, self.style, self.label
        tagger = canv.tagger
        tagger.begin(canv, label.element)
        x = self.label_indent
        if label.kind == "checkbox":
            side = min(label.size or style.size, (self.indent - x) * 0.8)
            canv.saveState()
            canv.translate(x, 0)
            canv.setStrokeColor(HexColor(style.colour))
            canv.setLineWidth(max(1.5, style.size / 12))
            canv.rect(0, baseline - style.size * 0.12, side, side, stroke=1, fill=0)
            if label.checked:
                canv.line(side * 0.2, baseline + side * 0.35, side * 0.45, baseline + side * 0.05)
                canv.line(side * 0.45, baseline + side * 0.05, side * 0.85, baseline + side * 0.75)
            canv.restoreState()
        else:
            face = style.fonts.face_for(label.text, False)
            text = canv.beginText(x, baseline)
            text.setFont(face, style.size)
            text.setFillColor(HexColor(style.colour))
            text.textOut(label.text)
            canv.drawText(text)
        tagger.end(canv)

    def _draw_rule(self, last: Line, baseline: float) -> None:
        canv, style = self.canv, self.style
        right = self.width
        if self._write_in_below(self.width):
            start, baseline = self.indent, baseline - style.leading
        else:
            start = self.indent + last.width + style.size * 0.4
        canv.tagger.begin_artifact(canv)
        canv.saveState()
        canv.setStrokeColor(HexColor(style.colour))
        canv.setLineWidth(max(1.0, style.size / 16))
        y = baseline - style.size * 0.15
        canv.line(start, y, right, y)
        canv.restoreState()
        canv.tagger.end(canv)


def draw_line(canv, tagger, element: StructElement, links: list, line: Line, x: float, baseline: float,
              style: TextStyle) -> None:
    """Draw one line; each run of text sits inside its own element's marked content."""
    groups: list[tuple[object, list]] = []
    for piece in line.pieces:
        owner = links[piece.span]  # a LinkTarget or None
        if groups and groups[-1][0] is owner:
            groups[-1][1].append(piece)
        else:
            groups.append((owner, [piece]))
    for target, pieces in groups:
        tagger.begin(canv, target.element if target else element)
        canv._code.append(_text_operators(canv, pieces, x, baseline, style))
        tagger.end(canv)
        if target:
            left = x + pieces[0].x
            right = x + pieces[-1].x + pieces[-1].width
            rect = (left, baseline - style.size * 0.25, right, baseline + style.size * 0.9)
            tagger.link(canv, target.element, target.url, rect, target.text)


def _text_operators(canv, pieces, x: float, baseline: float, style: TextStyle) -> str:
    """Raw PDF text operators for pieces of one line (ReportLab's text object is slower)."""
    doc = canv._doc
    ops = ["BT", _fill_operator(style.colour)]
    size = fp_str(style.size)
    for piece in pieces:
        font = pdfmetrics.getFont(piece.face)
        # An exact position for each piece helps text extraction and screen readers.
        ops.append(f"1 0 0 1 {fp_str(x + piece.x)} {fp_str(baseline)} Tm")
        if piece.text.isascii():
            # Fonts are registered ASCII-readable: printable ASCII is always code = character in subset 0.
            ops.append(f"{font.getSubsetInternalName(0, doc)} {size} Tf ({_pdf_string(piece.text)}) Tj")
            continue
        for subset, chunk in font.splitString(piece.text, doc):
            ops.append(f"{font.getSubsetInternalName(subset, doc)} {size} Tf ({canv._escape(chunk)}) Tj")
    ops.append("ET")
    return " ".join(ops)


@lru_cache(maxsize=8192)
def _pdf_string(text: str) -> str:
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


@lru_cache(maxsize=16)
def _fill_operator(colour: str) -> str:
    c = HexColor(colour)
    return f"{fp_str(c.red)} {fp_str(c.green)} {fp_str(c.blue)} rg"


class CalloutBox(Flowable):
    """An 'important' box: a bordered frame around its blocks."""

    def __init__(self, element: StructElement, blocks: list[Flowable], border_colour: str,
                 border_width: float, padding: float, space_after: float):
        super().__init__()
        self.element = element
        self.blocks = blocks
        self.border_colour = border_colour
        self.border_width = border_width
        self.padding = padding
        self.spaceAfter = space_after
        self.keep_together = True
        self._sizes: list[tuple[float, float]] = []

    def _inner_width(self, avail_width: float) -> float:
        return avail_width - 2 * (self.padding + self.border_width)

    def wrap(self, avail_width: float, avail_height: float):
        inner = self._inner_width(avail_width)
        self._sizes = []
        total = 0.0
        for i, block in enumerate(self.blocks):
            _, h = block.wrap(inner, avail_height)
            gap = block.getSpaceAfter() if i < len(self.blocks) - 1 else 0.0
            self._sizes.append((h, gap))
            total += h + gap
        self.width = avail_width
        self.height = total + 2 * (self.padding + self.border_width)
        return self.width, self.height

    def split(self, avail_width: float, avail_height: float):
        # The paginator asks only when the box is taller than a whole page.
        self.wrap(avail_width, avail_height)
        frame = 2 * (self.padding + self.border_width)
        used, count = frame, 0
        for h, gap in self._sizes:
            if used + h > avail_height:
                break
            used += h + gap
            count += 1
        if count == len(self.blocks):
            return []
        # The block that does not fit may split itself across the two boxes.
        inner = self._inner_width(avail_width)
        parts = self.blocks[count].split(inner, avail_height - used)
        if len(parts) == 2:
            return [self._with([*self.blocks[:count], parts[0]]), self._with([parts[1], *self.blocks[count + 1:]])]
        if count == 0:
            return []
        return [self._with(self.blocks[:count]), self._with(self.blocks[count:])]

    def _with(self, blocks: list[Flowable]) -> "CalloutBox":
        return CalloutBox(self.element, blocks, self.border_colour, self.border_width,
                          self.padding, self.spaceAfter)

    def draw(self):
        canv = self.canv
        canv.tagger.begin_artifact(canv)
        canv.saveState()
        canv.setStrokeColor(HexColor(self.border_colour))
        canv.setLineWidth(self.border_width)
        half = self.border_width / 2
        canv.rect(half, half, self.width - self.border_width, self.height - self.border_width,
                  stroke=1, fill=0)
        canv.restoreState()
        canv.tagger.end(canv)
        offset = self.padding + self.border_width
        y = self.height - offset
        for block, (h, gap) in zip(self.blocks, self._sizes):
            y -= h
            block.drawOn(canv, offset, y)
            y -= gap


class PageBreakFlowable(Flowable):
    """Nothing to draw: the paginator starts a new page here."""

    def wrap(self, avail_width: float, avail_height: float):
        return 0, 0
