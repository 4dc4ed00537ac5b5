"""Pagination: boxes into pages of placed boxes, the page model drawing consumes.

Rules: blocks fill pages top to bottom; a text block splits between lines but
never leaves or carries a single line (no widows or orphans); list items,
'important' boxes and timelines move whole to the next page when they do not fit; headings
stay with the first two lines of what they introduce (through any further
headings); a page break starts a new page unless the page is still empty.

Keeps that always hold (`keep_with_next`, set by the composer and `keep_rules`):
a heading with its text, a list's intro with its first item, a short list whole
and a long one never leaving one or two items alone, a check box with its lines
to write on, an 'important' box with the heading of its section, a short
closing paragraph with the block before it. Keeps that give way
(`prefer_with_next`, a short section kept whole; a long list item kept whole)
loosen when holding them would leave a page less than `MIN_FILL` full: no page
but a document's last is emptier than that unless the next block, with what
must stay with it, could not fit on it (the page's `held` says how tall that was).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from itertools import count

from ..errors import InternalError
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
    # When the page ended because the next block and what must stay with it did not fit: how tall they were.
    held: float = 0.0

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


MIN_FILL = 0.55  # a page that ends before this much of its height is used loosens the keeps that would end it


def keep_rules(boxes: list[Box], width: float, height: float) -> None:
    """The keeps that depend on how tall blocks are on a page of `width` × `height`."""
    for section in _sections(boxes):
        keep_short_section(section, width, height)
        keep_callouts_with_their_heading(section, width, height)
        keep_closing_line(section, width)
    cut_chains_taller_than_a_page(boxes, width, height)


def _sections(boxes: list[Box]) -> list[list[Box]]:
    """The boxes from each heading (or the start, or a page break) to the next heading or page break."""
    sections: list[list[Box]] = [[]]
    for box in boxes:
        if isinstance(box, PageBreakBox) or _is_heading(box):
            sections.append([])
        if not isinstance(box, PageBreakBox):
            sections[-1].append(box)
    return [section for section in sections if section]


def keep_short_section(section: list[Box], width: float, height: float) -> None:
    """A section (a heading and what follows) no taller than half a page is kept on one page when the page
    can take it (a soft keep): no lone line of it, such as the last write-in line, ends up on a page of its own."""
    if len(section) > 1 and _is_heading(section[0]) and _total(section, width) <= height / 2:
        for box in section[:-1]:
            box.prefer_with_next = True


def keep_callouts_with_their_heading(section: list[Box], width: float, height: float) -> None:
    """An 'important' box stays on the page of its section's heading when the two and what is between them fit
    on one page; else, at least with the block before it: never alone at the top of a page."""
    for i, box in enumerate(section):
        if isinstance(box, CalloutBox) and i:
            kept = section[:i] if _is_heading(section[0]) and _total(section[:i + 1], width) <= height else [
                section[i - 1]]
            for before in kept:
                before.keep_with_next = True


def keep_closing_line(section: list[Box], width: float) -> None:
    """A short paragraph (one or two lines) that ends a section stays with the block before it: the last word
    of a section ("We cannot promise that it will.") never sits alone at the top of a page."""
    if len(section) < 2 or _is_heading(section[-2]):
        return
    last = section[-1]
    if isinstance(last, TextBlock) and last.label is None and not last.write_in and last.element.role == "P":
        if last.fixed_lines is None and len(last.lines(width)) <= 2:
            section[-2].keep_with_next = True


def cut_chains_taller_than_a_page(boxes: list[Box], width: float, height: float) -> None:
    """Keeps that chain boxes into more than a page cannot all hold: the chain is cut where a page would end,
    after the last box that is not a heading (a heading stays with what it introduces)."""
    chain: list[Box] = []
    sizes: list[float] = []  # each chained box's room, its spaces included
    total = 0.0  # and theirs together, kept as the chain grows and is cut (not summed again each time)
    for box in boxes:
        if isinstance(box, PageBreakBox):
            chain, sizes, total = [], [], 0.0
            continue
        chain.append(box)
        sizes.append(box.space_before + box.height(width) + box.space_after)
        total += sizes[-1]
        while len(chain) > 1 and total > height:
            cuts = [i for i, kept in enumerate(chain[:-1]) if not _is_heading(kept)]
            # Where only a keep that gives way holds, and between two items rather than between a check box's
            # lines to write on, where the chain allows.
            soft = [i for i in cuts if not chain[i].keep_with_next]
            between = [i for i in cuts if not _continues_item(chain[i + 1])]
            cut = max([i for i in soft if i in between] or soft or between or cuts, default=len(chain) - 2)
            chain[cut].keep_with_next = chain[cut].prefer_with_next = False
            chain, sizes = chain[cut + 1:], sizes[cut + 1:]
            total = sum(sizes)
        if not _keeps(box, False):
            chain, sizes, total = [], [], 0.0


def _total(boxes: list[Box], width: float) -> float:
    return sum(box.space_before + box.height(width) + box.space_after for box in boxes)


def _continues_item(box: Box) -> bool:
    """A line to write on under a list item's words: part of that item."""
    return isinstance(box, TextBlock) and box.write_in and box.label is None


def _is_heading(box: Box) -> bool:
    return isinstance(box, TextBlock) and box.element.role.startswith("H")


def paginate(boxes: list[Box], width: float, height: float) -> list[Page]:
    """Fill pages of `width` × `height` points with the boxes, in order.

    Blocks that show a patient's value are first paginated in the room of their reserves (TextBlock.reserve), so
    that where pages end does not depend on the patient. Where that room costs a page, or leaves a page short
    that the patient's own text would not, the document is paginated for this patient instead: it is correct
    either way, and what patients can share is only ever decided from the pages, never assumed."""
    return paginated(boxes, width, height)[0]


def paginated(boxes: list[Box], width: float, height: float) -> tuple[list[Page], bool, tuple[tuple, ...]]:
    """`paginate`'s pages; whether they were laid out for the patient's own text (the reserves dropped); and what
    the paginator did with each box it took, in order (`replay` makes the same pages of the same boxes)."""
    reserving = [block for block in _text_blocks(boxes) if block.reserve is not None]
    paginator = _Paginator(width, height)
    pages = paginator.run(boxes)
    if not reserving:
        return pages, False, tuple(paginator.actions)
    reserves = [block.reserve for block in reserving]
    for block in reserving:
        block.reserve = None
    own = _Paginator(width, height)
    if _cost(own.run(boxes), height) < _cost(pages, height):
        return own.pages, True, tuple(own.actions)
    for block, reserve in zip(reserving, reserves):
        block.reserve = reserve
    return pages, False, tuple(paginator.actions)


def drop_reserves(boxes: list[Box]) -> None:
    """Lay the boxes out for the patient's own text: as `paginated` does when that is better."""
    for block in _text_blocks(boxes):
        block.reserve = None


def replay(boxes: Iterable[Box], width: float, height: float, actions: tuple[tuple, ...],
           until: int | None = None) -> list[Page]:
    """The pages `paginated` made, from what it did with each box (`actions`), of boxes that measure the same as
    the boxes it paginated: each box placed, split where it was split, or moved to the next page, without
    measuring again what must keep together. Actions that do not fit the boxes stop the render as a bug. With
    `until`, only the first `until` pages: the replay stops when the page after them starts. Each box is taken from
    `boxes` only when the replay reaches it (the paginator looks ahead at what is kept with a box; a replay never)."""
    replayer = _Replay(width, height, actions)
    pages = replayer.take(deque(), iter(boxes), until)
    if until is None and next(replayer.actions, None) is not None:
        raise InternalError("a page plan has actions left over")
    return pages


def page_starts(breaks: tuple[bool, ...], actions: tuple[tuple, ...]) -> tuple[tuple[int, int, tuple], ...]:
    """Where `replay` starts each page, found from the plan alone (`breaks`: whether each box is a page break;
    `actions`: what the paginator did with each box it took): (how many actions came before the page, how many
    boxes it had taken, what its queue held, each piece as (its box's index, the splits that made it: each split's
    action and which of its two pieces)). Numbers only; `replay_page` starts a page from one. It follows `take`
    and `_Replay.add` step by step: a page starts at a "next" or "whole" action and at a page break after boxes."""
    starts = [(0, 0, ())]
    queue: deque = deque()
    taken, placed, at = 0, False, 0
    while True:
        if not queue:
            if taken == len(breaks):
                break
            queue.append((taken, ()))
            taken += 1
        index, splits = queue.popleft()
        if breaks[index] and not splits:
            if placed:
                starts.append((at, taken, tuple(queue)))
                placed = False
            continue
        if at == len(actions):
            raise InternalError("a page plan ended before its boxes")
        kind = actions[at][0]
        at += 1
        if kind == "split":  # two pieces, the first placed next
            queue.extendleft([(index, (*splits, (at - 1, 1))), (index, (*splits, (at - 1, 0)))])
        elif kind == "put":
            placed = True
        elif kind == "next":
            queue.appendleft((index, splits))
            starts.append((at, taken, tuple(queue)))
            placed = False
        else:  # "whole": placed, and the next page started
            starts.append((at, taken, tuple(queue)))
            placed = False
    return tuple(starts)


def replay_page(box_at: Callable[[int], Box | None], width: float, height: float, actions: tuple[tuple, ...],
                start: tuple[int, int, tuple], number: int) -> Page:
    """Page `number` (1-based) of the pages `replay` makes, placed alone from where it starts (`start`, its entry
    of `page_starts`): the queue it starts with remade from its boxes (a piece split again as the plan split it),
    then the actions from its first, the boxes from the first it takes (`box_at(index)`: the box at that index, as
    `replay` is given it; None past the last), until the page after it starts. The pages before it are not placed.
    """
    at, taken, held = start
    queue: deque = deque()
    for index, splits in held:
        piece = box_at(index)
        if piece is None:
            raise InternalError("a page plan starts a page with a box it does not have")
        for action, part in splits:
            parts = piece.split(width, actions[action][1])
            if not parts:
                raise InternalError("a page plan splits a box that does not split there")
            piece = parts[part]
        queue.append(piece)
    replayer = _Replay(width, height, actions[at:])
    replayer.pages = [Page(number)]
    return replayer.take(queue, _until_none(map(box_at, count(taken))), 1)[0]


def _until_none(boxes: Iterator[Box | None]) -> Iterator[Box]:
    for box in boxes:
        if box is None:
            return
        yield box


def _text_blocks(boxes):
    for box in boxes:
        if isinstance(box, CalloutBox):
            yield from _text_blocks(box.blocks)
        elif isinstance(box, TextBlock):
            yield box


def _cost(pages: list[Page], height: float) -> tuple[int, int]:
    """Pages, then pages other than the last that end less than MIN_FILL full: fewer is better."""
    short = sum(1 for page in pages[:-1] if page.placed and min(p.y for p in page.placed) > (1 - MIN_FILL) * height)
    return len(pages), short


class _Paginator:
    def __init__(self, width: float, height: float):
        self.width, self.height = width, height
        self.pages = [Page(1)]
        self.used = 0.0  # from the page's top, the space after the last box included
        self.bottom = height  # the last box's bottom
        self.need = 0.0  # what the box last tried needed on this page, with what must stay with it
        self.loosened: set = set()  # the elements of boxes this page took with loosened keeps: they stay loosened
        # What became of each box taken from the queue, in order: ("put", space before it), ("split", the room
        # its first piece had), ("next", what the next page was started for: Page.held), ("whole",) placed on
        # an empty page it is taller than.
        self.actions: list[tuple] = []

    @property
    def page(self) -> Page:
        return self.pages[-1]

    def run(self, boxes: list[Box], until: int | None = None) -> list[Page]:
        """The pages of `boxes`; with `until`, only the first `until` pages (each one whole: the run stops when the
        page after them starts)."""
        return self.take(deque(boxes), iter(()), until)

    def take(self, queue: deque, source: Iterator[Box], until: int | None) -> list[Page]:
        """The pages of the boxes in `queue` and then those `source` gives, each taken from it when the queue is
        empty (a replay, which never looks ahead, is given its boxes one at a time: render/pageplan.py composes
        them as it reaches them)."""
        while until is None or len(self.pages) <= until:
            if not queue:
                box = next(source, None)
                if box is None:
                    break
                queue.append(box)
            box = queue.popleft()
            if isinstance(box, PageBreakBox):
                if self.page.placed:
                    self.new_page()
                continue
            self.add(box, queue)
        if until is not None and len(self.pages) > until:
            del self.pages[until:]
        elif not self.page.placed and len(self.pages) > 1:
            self.pages.pop()
        for page in self.pages:
            _close_up(page)
        return self.pages

    def new_page(self, held: float = 0.0) -> None:
        self.page.held = held
        self.pages.append(Page(len(self.pages) + 1))
        self.used, self.bottom = 0.0, self.height
        self.loosened = set()

    def add(self, box: TextBlock | CalloutBox, queue: deque) -> None:
        """Place the box, or a first piece of it, on this page, or start the next page for it."""
        loosened = box.element in self.loosened
        if self.fits(box, queue, loose=loosened):
            return
        if not loosened and (self.height - self.bottom) < MIN_FILL * self.height and self.fits(box, queue, True):
            return  # the keeps gave way rather than leave a hole
        if self.page.placed:
            self.actions.append(("next", self.need))
            self.new_page(held=self.need)
            queue.appendleft(box)
            return
        # Taller than an empty page and impossible to split: place it and move on.
        self.actions.append(("whole",))
        self.put(box, 0.0, box.height(self.width))
        self.new_page()

    def fits(self, box: TextBlock | CalloutBox, queue: deque, loose: bool) -> bool:
        """Whether the box, or a first piece of it, went on this page (`loose`: with the keeps that give way
        loosened). A box kept with the next one splits only when it starts a page."""
        width, empty = self.width, not self.page.placed
        before = 0.0 if empty else box.space_before
        h = box.height(width)
        kept = _keeps(box, loose)
        self.need = before + h + (box.space_after + _following_height(queue, width, loose) if kept and queue else 0.0)
        # An empty page takes a box whose keeps are taller than any page: they cannot all be kept.
        if self.used + self.need <= self.height or (empty and h <= self.height):
            if loose:  # the boxes it is kept with come on this page on the same terms
                self.loosened.update(kept.element for kept in _chain(box, queue, loose))
            self.actions.append(("put", before))
            self.put(box, before, h)
            return True
        if not empty and (kept or (box.keep_together and not (loose and box.splits_loosely(width)))):
            return False
        room = self.height - self.used - before
        parts = box.split(width, room)
        if parts:
            self.actions.append(("split", room))
        queue.extendleft(reversed(parts))
        return bool(parts)

    def put(self, box: TextBlock | CalloutBox, before: float, h: float) -> None:
        self.used += before + h
        self.bottom = self.height - self.used
        self.page.placed.append(place(box, self.width, self.bottom))
        self.used += box.space_after


class _Replay(_Paginator):
    """A paginator that does with each box what another did (`_Paginator.actions`), measuring nothing to decide."""

    def __init__(self, width: float, height: float, actions: tuple[tuple, ...]):
        super().__init__(width, height)
        self.actions = iter(actions)

    def add(self, box: TextBlock | CalloutBox, queue: deque) -> None:
        action = next(self.actions, None)
        if action is None:
            raise InternalError("a page plan ended before its boxes")
        kind = action[0]
        if kind == "put":
            self.put(box, action[1], box.height(self.width))
        elif kind == "split":
            parts = box.split(self.width, action[1])
            if not parts:
                raise InternalError("a page plan splits a box that does not split there")
            queue.extendleft(reversed(parts))
        elif kind == "next" and self.page.placed:
            self.new_page(held=action[1])
            queue.appendleft(box)
        elif kind == "whole":
            self.put(box, 0.0, box.height(self.width))
            self.new_page()
        else:
            raise InternalError(f"a page plan's {kind!r} does not fit its boxes")


def _close_up(page: Page) -> None:
    """A block kept the room of its patient value's reserve (TextBlock.reserve) to decide where pages end; on its
    page, what follows it moves up to its own last line."""
    shift = 0.0
    for index, placed in enumerate(page.placed):
        drawn = placed.height
        if isinstance(placed.box, TextBlock) and placed.box.reserve is not None and placed.box.fixed_lines is None:
            drawn = placed.box.drawn_height(placed.width)
        if shift or drawn != placed.height:
            page.placed[index] = replace(placed, y=placed.y + shift + placed.height - drawn, height=drawn)
            shift += placed.height - drawn


def _keeps(box: Box, loose: bool) -> bool:
    return box.keep_with_next or (box.prefer_with_next and not loose)


def _chain(box: Box, queue: deque, loose: bool):
    """The box and the boxes kept with it."""
    yield box
    for following in queue if _keeps(box, loose) else ():
        if isinstance(following, PageBreakBox):
            return
        yield following
        if not _keeps(following, loose):
            return


def _following_height(queue: deque, width: float, loose: bool = False) -> float:
    """Room the boxes kept with a box need on the same page: every box the keeps chain through, whole (a box
    kept with the next one does not split), then the least of the last one (two lines of a paragraph)."""
    total = 0.0
    for box in queue:
        if isinstance(box, PageBreakBox):
            return total
        if not _keeps(box, loose):
            return total + box.space_before + box.least_height(width, loose)
        total += box.space_before + box.height(width) + box.space_after
    return total
