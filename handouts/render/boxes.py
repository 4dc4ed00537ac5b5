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

from ..model import Span
from .fonts import FontSet
from .linebreak import Line, break_lines
from .tagging import StructElement

ASCENT = 0.8  # baseline sits this many ems below the top of the text's half-leading box


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
    prefer_with_next: bool = False  # kept with the next box unless that leaves the page too empty
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
    # The spans with the patient's values replaced by their reserves (Span.reserve): the block is paginated
    # as the taller of the two, so that a value no longer than its reserve moves nothing after it. None: no value.
    reserve: tuple[Span, ...] | None = None
    # Pagination asks for a block's lines many times at one width: each block keeps its last answer.
    _lines_at: tuple[float, tuple[Line, ...]] | None = field(default=None, init=False, repr=False)

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

    def rule_below(self, width: float) -> bool:
        """Whether the write-in rule needs a line of its own."""
        last = self.lines(width)[-1]
        return last.width + self.style.size > 0.55 * (width - self.indent)

    def height(self, width: float) -> float:
        """The room the block takes on its page: its reserve's, where that is taller than its own lines'."""
        count = len(self.lines(width))
        if self.reserve is not None and self.fixed_lines is None:
            count = max(count, len(break_lines(list(self.reserve), self.style.fonts, self.style.size,
                                               width - self.indent, self.style.no_break)))
        if self.write_in and self.rule_below(width):
            count += 1
        return count * self.style.leading

    def drawn_height(self, width: float) -> float:
        """The height of what is drawn: its own lines (the reserve's room below them closes up on its page)."""
        return (len(self.lines(width)) + (self.write_in and self.rule_below(width))) * self.style.leading

    def least_height(self, width: float, loose: bool = False) -> float:
        """The height that must share a page with a heading kept with it: two lines, or all of it
        (`loose`: two lines of a kept-together block long enough to split)."""
        if self.reserve is not None or (self.keep_together and not (loose and self.splits_loosely(width))):
            return self.height(width)
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
