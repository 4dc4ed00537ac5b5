"""Boxes: content blocks styled for a layout, measured in lines, ready to paginate.

A box knows its structure element, its lines at a width, its height, how it may
split at a page end, and how it keeps with its neighbours. It draws nothing:
`draw.py` does that from the page model that `paginate.py` makes of boxes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from itertools import takewhile
from typing import ClassVar

from ..model import Span
from .fonts import FontSet, width as text_width
from .linebreak import Line, break_lines
from .tagging import StructElement

# A line to write on holds this many characters at the type size, measured as "n"s (wider than most text): a name
# and a phone number ("Maria Gonzalez (512) 555-0100 cell phone"). Beside the words that ask for it when they leave
# that room, else on a line of its own, else on two (one two-line field).
WRITE_IN_HOLDS = 40
ASCENT = 0.8  # a line's baseline sits this many ems below the top of its half-leading box
FIELD_PADDING = 2.0  # points between a field's edge and its text: pdf.js pads 1 to 2 points


def write_pitch(size: float) -> float:
    """From one line to write on to the next, and a one-line field's height less its padding: pdf.js keeps the
    layout's type size only in a line at least 1.35 times as tall (its LINE_FACTOR)."""
    return 1.4 * size + FIELD_PADDING


def rule_width(size: float) -> float:
    """The printed line's thickness."""
    return max(1.0, size / 16)


def rule_drop(size: float) -> float:
    """How far a printed line sits below the baseline of the words beside it."""
    return 0.15 * size


def rule_gap(size: float) -> float:
    """The room under the lowest printed line of a write-in of its own."""
    return 0.25 * size


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
    if all(span.href is None for span in spans):
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
    keep_together: bool = False
    write_in: bool = False
    write_in_name: str = ""  # the write-in field's name ("Driver's name and phone")
    write_in_text: str = ""  # what a screen reader says for a printed write-in line (the Composer sets it)
    label: Label | None = None
    label_indent: float = 0.0
    outline: tuple[str, int] | None = None  # (title, level) of a bookmark at the block's top
    destination: str | None = None  # the name "#name" links go to, at the block's top
    fixed_lines: tuple[Line, ...] | None = None  # a piece of a split block keeps its lines
    links: list[LinkTarget | None] | None = None  # per span; the pieces of a split block share them
    # Pagination asks for a block's lines many times at one width: each block keeps its last answer.
    _lines_at: tuple[float, tuple[Line, ...]] | None = field(default=None, init=False, repr=False)

    def __post_init__(self):
        if self.links is None:
            self.links = link_targets(self.spans, self.element)

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

    def write_in_rows(self, width: float) -> int:
        """How many lines of its own the write-in takes: 0 beside the words that ask for it, else 1 or 2; each
        holds WRITE_IN_HOLDS characters in one field (pdf.js wraps a long value onto the second line)."""
        size = self.style.size
        holds = text_width("n" * WRITE_IN_HOLDS, self.style.fonts.face_for("n", False), size) + 2 * FIELD_PADDING
        if width - self.write_in_start(width) >= holds:
            return 0
        return 1 if width - self.indent >= holds else 2

    def write_in_lift(self, width: float) -> float:
        """The room a write-in beside the words adds above their last line: its field is taller than a line."""
        size, leading = self.style.size, self.style.leading
        if not self.write_in or self.write_in_rows(width):
            return 0.0
        field_top = -rule_drop(size) + rule_width(size) / 2 + write_pitch(size) + FIELD_PADDING  # from the baseline
        line_top = (leading - size) / 2 + ASCENT * size  # where the line's own box ends above its baseline
        return max(0.0, field_top - line_top)

    def write_in_below(self, width: float) -> float:
        """The height of the write-in's own lines under the words: the lowest line's gap, then the field."""
        rows = self.write_in_rows(width) if self.write_in else 0
        if not rows:
            return 0.0
        size = self.style.size
        return rule_gap(size) + rule_width(size) / 2 + rows * write_pitch(size) + FIELD_PADDING

    def height(self, width: float) -> float:
        extra = self.write_in_lift(width) + self.write_in_below(width) if self.write_in else 0.0
        return len(self.lines(width)) * self.style.leading + extra

    def least_height(self, width: float) -> float:
        """The height that must share a page with a heading kept with it: two lines, or all of it."""
        if self.keep_together:
            return self.height(width)
        return min(self.height(width), 2 * self.style.leading)

    def split(self, width: float, height: float) -> list["TextBlock"]:
        """Two pieces, the first fitting `height`; none if that would strand a single line."""
        lines = self.lines(width)
        # No single line left behind or carried over (no widows or orphans): at least two on each side.
        fit = min(int(height // self.style.leading), len(lines) - 2)
        if fit < 2:
            return []
        first = replace(self, fixed_lines=lines[:fit], keep_with_next=False, keep_together=False, write_in=False,
                        space_after=0.0)
        rest = replace(self, fixed_lines=lines[fit:], keep_with_next=False, keep_together=False, label=None,
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
    space_before: ClassVar[float] = 0.0
    keep_with_next: ClassVar[bool] = False
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

    def least_height(self, width: float) -> float:
        return self.height(width)

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
            return [replace(self, blocks=[*self.blocks[:count], parts[0]]),
                    replace(self, blocks=[parts[1], *self.blocks[count + 1:]])]
        if count == 0:
            return []
        return [replace(self, blocks=self.blocks[:count]), replace(self, blocks=self.blocks[count:])]


class PageBreakBox:
    """Start the next box on a new page."""


Box = TextBlock | CalloutBox | PageBreakBox
