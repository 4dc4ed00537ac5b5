"""Pagination: boxes into pages of placed boxes, the page model drawing consumes.

Rules: blocks fill pages top to bottom; a text block splits between lines but
never leaves or carries a single line (no widows or orphans); list items,
'important' boxes and timelines move whole to the next page when they do not fit; headings
stay with the first two lines of what they introduce (through any further
headings); a page break starts a new page unless the page is still empty.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

from .boxes import Box, CalloutBox, PageBreakBox, TextBlock
from .linebreak import Line
from .timeline import TimelineBox


@dataclass(frozen=True)
class Placed:
    """A box on a page: its position (bottom-left) and size in points, relative to its container."""

    box: TextBlock | CalloutBox | TimelineBox
    x: float
    y: float
    width: float
    height: float
    lines: tuple[Line, ...] = ()  # a text block's lines (a timeline's: its caption's, then its steps')
    inner: tuple["Placed", ...] = ()  # a callout's blocks, relative to the callout

    def text(self) -> list[str]:
        """The text of each line, this box's and its inner boxes' (for tests and debugging)."""
        own = ["".join(piece.text for piece in line.pieces) for line in self.lines]
        return own + [line for placed in self.inner for line in placed.text()]


@dataclass
class Page:
    number: int  # 1-based
    placed: list[Placed] = field(default_factory=list)

    def text(self) -> list[str]:
        return [line for placed in self.placed for line in placed.text()]


def place(box: TextBlock | CalloutBox | TimelineBox, width: float, y: float, x: float = 0.0) -> Placed:
    """`box` with its bottom at `y`, laid out at `width`."""
    height = box.height(width)
    if isinstance(box, (TextBlock, TimelineBox)):
        return Placed(box, x, y, width, height, lines=box.lines(width))
    inner, top = [], height - box.inset
    for block, (h, gap) in zip(box.blocks, box.inner_sizes(width)):
        top -= h
        inner.append(place(block, box.inner_width(width), top, box.inset))
        top -= gap
    return Placed(box, x, y, width, height, inner=tuple(inner))


def keep_short_sections(boxes: list[Box], width: float, height: float) -> None:
    """A section (a heading and what follows, up to the next heading) no taller than half a page
    is kept on one page: no lone line of it, such as the last write-in line, ends up on a page of its own."""
    starts = [i for i, box in enumerate(boxes) if _is_heading(box)] + [len(boxes)]
    for start, end in zip(starts, starts[1:]):
        section = boxes[start:end]
        if any(isinstance(box, PageBreakBox) for box in section):
            section = section[:next(i for i, box in enumerate(section) if isinstance(box, PageBreakBox))]
        total = sum(box.space_before + box.height(width) + box.space_after for box in section)
        if len(section) > 1 and total <= height / 2:
            for box in section[:-1]:
                box.keep_with_next = True


def _is_heading(box: Box) -> bool:
    return isinstance(box, TextBlock) and box.element.role.startswith("H")


def paginate(boxes: list[Box], width: float, height: float) -> list[Page]:
    """Fill pages of `width` × `height` points with the boxes, in order."""
    pages = [Page(1)]
    queue = deque(boxes)
    used = 0.0

    def new_page() -> None:
        nonlocal used
        pages.append(Page(len(pages) + 1))
        used = 0.0

    while queue:
        box = queue.popleft()
        page = pages[-1].placed
        if isinstance(box, PageBreakBox):
            if page:
                new_page()
            continue
        before = box.space_before if page else 0.0
        h = box.height(width)
        need = before + h
        if box.keep_with_next and queue:
            need += box.space_after + _following_height(queue, width)
        if used + need <= height:
            used += before + h
            page.append(place(box, width, height - used))
            used += box.space_after
            continue
        can_split = not page or not box.keep_together
        # A box kept with the next one splits only when it starts a page (it could not fit anywhere else).
        parts = box.split(width, height - used - before) if can_split and (not box.keep_with_next or not page) else []
        if parts:
            queue.extendleft(reversed(parts))
            continue
        if page:
            new_page()
            queue.appendleft(box)
            continue
        # Taller than an empty page and impossible to split: place it and move on.
        page.append(place(box, width, height - h))
        new_page()
    if not pages[-1].placed and len(pages) > 1:
        pages.pop()
    return pages


def _following_height(queue: deque, width: float) -> float:
    """Room the boxes after a heading need on the same page: through any further
    headings to the first two lines of the block they introduce."""
    total = 0.0
    for box in queue:
        if isinstance(box, PageBreakBox):
            return total
        total += box.space_before + box.least_height(width)
        if not box.keep_with_next:
            return total
        total += box.space_after
    return total
