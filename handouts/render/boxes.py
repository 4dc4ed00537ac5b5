"""Boxes: content blocks styled for a layout, measured in lines, ready to paginate.

A box knows its structure element, its lines at a width, its height, how it may
split at a page end, and how it keeps with its neighbours. It draws nothing:
`draw.py` does that from the page model that `paginate.py` makes of boxes.

Keeps come in two strengths: `keep_with_next` always holds (a heading and its
text, a check box and its lines to write on); `prefer_with_next` holds unless
it would leave the page too empty (a short section kept whole), and so does a
list item's `keep_together` when the item is long enough to split two and two.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from itertools import takewhile
from typing import ClassVar

from ..model import LONG_ANSWER, Span
from .fonts import FontSet, width as text_width
from .linebreak import Line, break_lines
from .tagging import StructElement

# A line to write on holds a driver's name and phone (fictional, 40 characters) at the type size: beside the words
# that ask for it when they leave that room, else on a line of its own, else on two under one two-line field.
# A short answer's line holds an appointment or pickup time written out in full (fictional, 22 characters).
WRITE_IN_SAMPLE = "Maria Gonzalez (512) 555-0100 cell phone"
SHORT_ANSWER_SAMPLE = "Tue, Dec 8, 10:30 a. m."

ASCENT = 0.8  # a line's baseline sits this many ems below the top of its half-leading box
# pdf.js sets a field's text 1 pt from its top and bottom and 2 pt from its sides; in a line at least 1.35 × the
# type size tall (its LINE_FACTOR), else it shrinks the type; a two-line field's last baseline at least 0.35/1.35
# of a line above its bottom.
FIELD_PADDING, SIDE_PADDING, FIELD_LINE, PDFJS_BASELINE = 1.0, 2.0, 1.4, 0.35 / 1.35


def rule_width(size: float) -> float:
    """A printed line's thickness."""
    return max(1.0, size / 16)


def rule_drop(size: float) -> float:
    """How far a printed line sits below the baseline written on."""
    return 0.15 * size


@dataclass(frozen=True)
class WriteIn:
    """Where a block's line (or lines) to write on and its field go, around the baseline of the last line written
    on: its words' last line (rows 0), or the last of its own lines under the words."""

    rows: int  # 0: beside the words' last line; else lines of its own under the words
    pitch: float  # the height of a line of its own, and from one to the next
    above: float  # room added above the words' last line (rows 0) or the first line of its own
    below: float  # room added below the last line: the field reaches lower than the line's box
    field_height: float
    field_drop: float  # from the last baseline written on down to the field's bottom


_ENDS_A_PAGE = {"keep_with_next": False, "prefer_with_next": False}  # the first piece of a split box


@dataclass(frozen=True)
class TextStyle:
    fonts: FontSet
    size: float
    leading: float
    colour: str
    no_break: re.Pattern | None = None  # what a line never breaks inside, in the text's language (Locale)


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
    name: str = ""  # a checkbox's field name: what it asks to be done
    spoken: str = ""  # what a screen reader says for a printed checkbox


def link_targets(spans: list[Span], owner: StructElement) -> list[LinkTarget | None]:
    """For each span, the link it belongs to: one Link element under `owner` per run of a link."""
    for span in spans:  # a loop, not all() over a generator: most blocks have no link, and each is asked
        if span.href is not None:
            break
    else:
        return [None] * len(spans)
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


@dataclass(eq=False)
class TextBlock:
    """A heading, paragraph, list item or write-in line."""

    element: StructElement
    spans: list[Span]
    style: TextStyle
    indent: float = 0.0
    space_before: float = 0.0
    space_after: float = 0.0
    keep_with_next: bool = False
    prefer_with_next: bool = False  # kept with the next box unless that leaves the page too empty
    keep_together: bool = False
    write_in: int = 0  # a line to write on after the words: 0, or the model's SHORT_ANSWER or LONG_ANSWER
    write_in_name: str = ""  # the write-in field's name ("Driver's name and phone")
    write_in_text: str = ""  # what a screen reader says for a printed write-in line (the Composer sets it)
    label: Label | None = None
    label_indent: float = 0.0
    outline: tuple[str, int] | None = None  # (title, level) of a bookmark at the block's top
    destination: str | None = None  # the name "#name" links go to, at the block's top
    fixed_lines: tuple[Line, ...] | None = None  # a piece of a split block keeps its lines
    links: list[LinkTarget | None] | None = None  # per span; the pieces of a split block share them
    # The spans with the patient's values replaced by their reserves (Span.reserve): the block is paginated
    # as the taller of the two, so that a value no longer than its reserve moves nothing after it. None: no value.
    reserve: tuple[Span, ...] | None = None
    # Pagination asks for a block's lines many times at one width: each block keeps its last answer.
    _lines_at: tuple[float, tuple[Line, ...]] | None = field(default=None, init=False, repr=False)
    # And the reserve's line count (at a width, for that very reserve) and where its lines to write on go.
    _reserve_at: tuple[float, tuple[Span, ...], int] | None = field(default=None, init=False, repr=False)
    _plan_at: tuple[float, WriteIn] | None = field(default=None, init=False, repr=False)
    _height_at: tuple[float, tuple[Span, ...] | None, float] | None = field(default=None, init=False, repr=False)

    def __post_init__(self):
        if self.links is None:
            self.links = link_targets(self.spans, self.element)
        if self.reserve is None and self.fixed_lines is None and any(s.reserve is not None for s in self.spans):
            self.reserve = tuple(Span(s.text if s.reserve is None else s.reserve, s.bold, s.href) for s in self.spans)

    def lines(self, width: float) -> tuple[Line, ...]:
        """The block's lines: fixed for a piece of a split block, else broken to fit (memoized)."""
        if self.fixed_lines is not None:
            return self.fixed_lines
        if self._lines_at is None or self._lines_at[0] != width:
            self._lines_at = (width, break_lines(self.spans, self.style.fonts, self.style.size, width - self.indent,
                                                 self.style.no_break))
        return self._lines_at[1]

    def write_in_start(self, width: float) -> float:
        """Where a line to write on beside the words starts: a little after them."""
        return self.indent + self.lines(width)[-1].width + 0.4 * self.style.size

    def write_in_plan(self, width: float) -> WriteIn:
        """Where the line(s) to write on go, so that the field keeps the type size (pdf.js shrinks text in a line
        less than 1.35 × as tall), holds WRITE_IN_SAMPLE (a long answer's) or SHORT_ANSWER_SAMPLE, and sets typed
        text on the printed baseline (memoized: pagination and drawing ask again and again)."""
        if self._plan_at is None or self._plan_at[0] != width:
            self._plan_at = (width, self._write_in_plan(width))
        return self._plan_at[1]

    def _write_in_plan(self, width: float) -> WriteIn:
        style = self.style
        size, leading = style.size, style.leading
        sample = WRITE_IN_SAMPLE if self.write_in == LONG_ANSWER else SHORT_ANSWER_SAMPLE
        holds = text_width(sample, style.fonts.face_for(sample, False), size) + 2 * SIDE_PADDING
        rows = 0 if width - self.write_in_start(width) >= holds else 1 if width - self.indent >= holds else 2
        # A line of its own is as tall as a line of words, within what keeps pdf.js to two lines at the type size.
        pitch = max(FIELD_LINE * size, min(leading, 1.6 * size))
        field_height = max(rows, 1) * pitch + 2 * FIELD_PADDING
        ascent, descent = style.fonts.form_metrics
        if rows < 2:  # pdf.js centres one line's text in its field
            field_drop = (field_height - (ascent + descent) * size) / 2 + descent * size
        else:
            field_drop = FIELD_PADDING + max(PDFJS_BASELINE * pitch, descent * size)
        line = pitch if rows else leading  # the height of the line written on, its baseline placed as in any line
        bottom = -(line - size) / 2 - (1 - ASCENT) * size
        top = bottom + max(rows, 1) * line
        return WriteIn(rows, pitch, max(0.0, -field_drop + field_height - top), max(0.0, bottom + field_drop),
                       field_height, field_drop)

    def height(self, width: float) -> float:
        """The room the block takes on its page: its reserve's, where that is taller than its own lines'
        (memoized at a width, with or without its reserve: keep rules and pagination ask a thousand times)."""
        reserve = self.reserve
        memo = self._height_at
        if memo is not None and memo[0] == width and memo[1] is reserve:
            return memo[2]
        count = len(self.lines(width))
        if reserve is not None and self.fixed_lines is None:
            count = max(count, self.reserve_lines(width))
        height = count * self.style.leading + self._write_in_height(width)
        self._height_at = (width, reserve, height)
        return height

    def reserve_lines(self, width: float) -> int:
        """How many lines the reserve takes at `width` (memoized for this very reserve: pagination drops a
        block's reserve for a while and puts the same one back)."""
        reserve = self.reserve
        if reserve is None:
            return 0
        if self._reserve_at is None or self._reserve_at[0] != width or self._reserve_at[1] is not reserve:
            count = len(break_lines(list(reserve), self.style.fonts, self.style.size, width - self.indent,
                                    self.style.no_break))
            self._reserve_at = (width, reserve, count)
        return self._reserve_at[2]

    def _write_in_height(self, width: float) -> float:
        if not self.write_in:
            return 0.0
        plan = self.write_in_plan(width)
        return plan.rows * plan.pitch + plan.above + plan.below

    def drawn_height(self, width: float) -> float:
        """The height of what is drawn: its own lines (the reserve's room below them closes up on its page)."""
        return len(self.lines(width)) * self.style.leading + self._write_in_height(width)

    def least_height(self, width: float, loose: bool = False) -> float:
        """The height that must share a page with a heading kept with it: two lines, or all of it
        (`loose`: two lines of a kept-together block long enough to split)."""
        if self.reserve is not None or (self.keep_together and not (loose and self.splits_loosely(width))):
            return self.height(width)
        if self.write_in or (self.fixed_lines is None and len(self.lines(width)) < 4):
            return self.height(width)  # it cannot split (two lines on each side): all of it goes
        return min(self.height(width), 2 * self.style.leading)

    def splits_loosely(self, width: float) -> bool:
        """A kept-together block (a list item) may split when keeping it whole would leave a hole: it has
        at least two lines for each page."""
        return len(self.lines(width)) >= 4

    def split(self, width: float, height: float) -> list["TextBlock"]:
        """Two pieces, the first fitting `height`; none if that would strand a single line (or the block keeps room
        for a patient's value: it goes whole, so that where the page ends does not depend on the value)."""
        if self.reserve is not None:
            return []
        lines = self.lines(width)
        # No single line left behind or carried over (no widows or orphans): at least two on each side.
        fit = min(int(height // self.style.leading), len(lines) - 2)
        if fit < 2:
            return []
        # The first piece ends a page; the rest keeps with what follows as the whole block did.
        first = replace(self, fixed_lines=lines[:fit], **_ENDS_A_PAGE, keep_together=False, write_in=False,
                        space_after=0.0)
        rest = replace(self, fixed_lines=lines[fit:], keep_together=False, label=None,
                       outline=None, destination=None, space_before=0.0)
        return [first, rest]


@dataclass(eq=False)
class CalloutBox:
    """An 'important' box: a bordered frame around its blocks, kept on one page when it fits."""

    element: StructElement
    blocks: list[TextBlock | CalloutBox]
    border_colour: str
    border_width: float
    padding: float
    space_after: float
    keep_with_next: bool = False  # a short closing paragraph after it comes along
    prefer_with_next: bool = False
    space_before: ClassVar[float] = 0.0
    keep_together: ClassVar[bool] = True

    @property
    def inset(self) -> float:
        return self.padding + self.border_width

    def inner_width(self, width: float) -> float:
        return width - 2 * self.inset

    def inner_sizes(self, width: float) -> list[tuple[float, float]]:
        """(height, gap after) of each inner block."""
        inner = self.inner_width(width)
        last = len(self.blocks) - 1
        return [(block.height(inner), block.space_after if i < last else 0.0) for i, block in enumerate(self.blocks)]

    def height(self, width: float) -> float:
        return sum(h + gap for h, gap in self.inner_sizes(width)) + 2 * self.inset

    def least_height(self, width: float, loose: bool = False) -> float:
        return self.height(width)

    def splits_loosely(self, width: float) -> bool:
        return False  # a box stays whole unless it is taller than a page

    def split(self, width: float, height: float) -> list["CalloutBox"]:
        """Two boxes, the first fitting `height` (asked only when the box is taller than a page)."""
        used, count = 2 * self.inset, 0
        for h, gap in self.inner_sizes(width):
            if used + h > height:
                break
            used += h + gap
            count += 1
        if count == len(self.blocks):
            return []
        # The block that does not fit may split itself across the two boxes.
        parts = self.blocks[count].split(self.inner_width(width), height - used)
        if len(parts) == 2:
            return [replace(self, blocks=[*self.blocks[:count], parts[0]], **_ENDS_A_PAGE),
                    replace(self, blocks=[parts[1], *self.blocks[count + 1:]])]
        if count == 0:
            return []
        return [replace(self, blocks=self.blocks[:count], **_ENDS_A_PAGE),
                replace(self, blocks=self.blocks[count:])]


class PageBreakBox:
    """Start the next box on a new page."""


Box = TextBlock | CalloutBox | PageBreakBox
