"""Compose: document blocks into styled boxes, declaring their structure elements."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import replace

from ..load.layouts import Layout
from ..load.locale import Locale
from ..model import (
    Block,
    Callout,
    Heading,
    ListBlock,
    ListItem,
    PageBreak,
    Paragraph,
    Part,
    Timeline,
    plain_text,
)
from .boxes import Box, CalloutBox, Label, PageBreakBox, TextBlock, TextStyle
from .fonts import FontSet
from .tagging import StructTree
from .timeline import TimelineBox, alt_text


class Composer:
    def __init__(self, layout: Layout, fonts: FontSet, tree: StructTree, language: str = "en-US"):
        self.layout = layout
        # The document language's words (handouts/locales/): what a screen reader says for a printed checkbox
        # (not ticked, ticked) and a line to write on (unnamed, named), and the spaces a line never breaks at.
        self.locale = Locale.for_tag(language)
        self.checkbox_spoken = self.locale.checkbox
        self.write_in_spoken = self.locale.write_in
        self.fonts = fonts
        self.tree = tree
        self.body = self.style(layout.body_size)
        self.gap = layout.paragraph_space * layout.body_size

    def style(self, size: float) -> TextStyle:
        return TextStyle(self.fonts, size, size * self.layout.line_spacing, self.layout.text_colour,
                         no_break=self.locale.keep_together)

    def compose(self, blocks: list[Block]) -> list[Box]:
        """Boxes for a whole document, every line to write on named."""
        boxes = self.blocks(blocks)
        self._name_write_ins(boxes)
        return boxes

    def lazily(self, blocks: list[Block]) -> "Composed":
        """The boxes `compose` makes of a whole document, composed in order as they are asked for (`Composed`)."""
        return Composed(self, blocks)

    def _units(self, blocks: list[Block]) -> Iterator[list[Box]]:
        """The boxes `blocks` makes of each block in turn, a Part's blocks one at a time inside its element: each
        with what `blocks` decides from the block before it at the same level (a list's intro kept with it) and a
        Part's anchor on its first box. What reaches from one block's boxes to the next's, a line to write on kept
        with the words before it, and the names of the lines to write on, are `Composed`'s."""
        last: Box | None = None  # the last box at this level, as `blocks`'s out[-1]
        for block in blocks:
            if isinstance(block, Part):
                anchor = block.anchor
                with self.tree.element("Part"):
                    for boxes in self._units(block.blocks):
                        if boxes:
                            if anchor and isinstance(boxes[0], TextBlock):
                                boxes[0].destination = anchor  # where "#anchor" links go
                            anchor, last = None, boxes[-1]
                        yield boxes
                continue
            if isinstance(block, ListBlock) and last is not None and _introduces(last):
                last.keep_with_next = True  # a list's intro line stays with its first item
            boxes = self.blocks([block])
            if boxes:
                last = boxes[-1]
            yield boxes

    def blocks(self, blocks: list[Block], depth: int = 0) -> list[Box]:
        """Boxes for `blocks`, their elements declared under the tree's current element."""
        out: list[Box] = []
        for block in blocks:
            if isinstance(block, ListBlock) and out and _introduces(out[-1]):
                out[-1].keep_with_next = True  # a list's intro line stays with its first item
            if isinstance(block, Heading):
                out.append(self.heading(block))
            elif isinstance(block, Paragraph):
                out.append(TextBlock(self.tree.leaf("P"), block.spans, self.body, indent=self._indent(depth),
                                     space_after=self.gap, write_in=block.write_in))
            elif isinstance(block, ListBlock):
                out.extend(self.list_block(block, depth))
            elif isinstance(block, Callout):
                out.append(self.callout(block))
            elif isinstance(block, Timeline):
                out.append(self.timeline(block))
            elif isinstance(block, PageBreak):
                out.append(PageBreakBox())
            elif isinstance(block, Part):
                with self.tree.element("Part"):
                    inner = self.blocks(block.blocks, depth)
                if block.anchor and inner and isinstance(inner[0], TextBlock):
                    inner[0].destination = block.anchor  # where "#anchor" links go
                out.extend(inner)
        if out and isinstance(out[-1], TextBlock) and depth:
            out[-1].space_after = self.gap
        _keep_write_ins_together(out)
        return out

    def heading(self, block: Heading) -> TextBlock:
        size = self.layout.heading_size(block.level)
        spans = [replace(s, bold=True) for s in block.spans]
        return TextBlock(self.tree.leaf(f"H{block.level}"), spans, self.style(size),
                         space_before=self.gap * (1.5 if block.level > 1 else 0), space_after=self.gap * 0.6,
                         keep_with_next=True, outline=(plain_text(block.spans), block.level - 1))

    def list_block(self, block: ListBlock, depth: int) -> list[Box]:
        items: list[list[Box]] = []
        # Screen readers say "list, 3 items, numbered" only when the list says how it is numbered.
        numbering = "Decimal" if block.ordered else ("None" if any(i.task is not None for i in block.items) else "Disc")
        with self.tree.element("L", list_numbering=numbering):
            for number, item in enumerate(block.items, start=block.start):
                items.append(self.list_item(item, depth, f"{number}." if block.ordered else "•"))
        always, preferably = _kept_items(len(items))
        for i in always | preferably:
            # An item of one line is never left alone across a break; a step that holds more (its questions, its
            # lines to write on) is not a lone line, and may start or end a page rather than leave a hole.
            alone = items[i] if i == 0 else items[-1]  # the item a break here would leave alone
            if i in always and len(alone) == 1:
                items[i][-1].keep_with_next = True
            else:
                items[i][-1].prefer_with_next = True
        out = [box for boxes in items for box in boxes]
        if out:
            out[-1].space_after = max(out[-1].space_after, self.gap)
        return out

    def list_item(self, item: ListItem, depth: int, marker: str) -> list[Box]:
        with self.tree.element("LI"):
            if item.task is None:
                label = Label("text", marker, self.tree.leaf("Lbl"))
            else:
                label = Label("checkbox", "", self.tree.leaf("Lbl"), checked=item.task,
                              size=self.layout.checkbox_size, name=plain_text(item.spans).strip(),
                              spoken=self.checkbox_spoken[bool(item.task)])
            with self.tree.element("LBody") as body:
                first = TextBlock(body, item.spans, self.body, indent=self._indent(depth + 1),
                                  space_after=self.gap * (0.6 if item.task is not None else 0.3),
                                  keep_together=True, write_in=item.write_in, label=label,
                                  label_indent=self._indent(depth))
                children = self.blocks(item.children, depth + 1)
                # An item stays with what it holds: "Call us to ask:" with its questions, a check box with its
                # lines to write on.
                first.keep_with_next = bool(children)
                if item.task is not None:  # and a check box with all of its lines, not only the first
                    for child in children[:-1]:
                        if isinstance(child, TextBlock) and child.write_in:
                            child.keep_with_next = True
                return [first, *children]

    def callout(self, block: Callout) -> CalloutBox:
        with self.tree.element("Div") as element:
            inner = self.blocks(block.blocks, 0)
        if inner:
            inner[-1].space_after = 0
        return CalloutBox(element, inner, self.layout.callout_border_colour, self.layout.callout_border_width,
                          padding=self.layout.body_size * 0.75, space_after=self.gap)

    def timeline(self, block: Timeline) -> TimelineBox:
        """The caption and the picture, grouped: a Caption, then a Figure whose /Alt says every step in words
        (the words drawn inside the picture belong to the Figure: a reader hears them once, from /Alt)."""
        steps = [step.spans for step in block.steps]
        with self.tree.element("Div") as group:
            caption = self.tree.leaf("Caption")
            figure = self.tree.leaf("Figure", alt=alt_text([plain_text(spans).strip() for spans in steps]))
        return TimelineBox(group, caption, figure, block.spans, steps, self.body,
                           replace(self.body, colour=self.layout.background_colour),
                           self.layout.callout_border_colour, space_before=self.gap * 0.5, space_after=self.gap * 1.5)

    def _name_write_ins(self, boxes: list[Box]) -> None:
        """Each line to write on is named by the words before it ("Driver's name and phone"), numbered when
        several share words ("Question 1", "Question 2"): the name a form field or a screen reader gives it.
        A line with no words of its own, right after a named one, continues it ("Question 1, line 2")."""
        names = [_write_in_words(box.spans) if box.write_in else None for box in _text_blocks(boxes)]
        _WriteInNames(self, Counter(names)).name(boxes)

    def _indent(self, depth: int) -> float:
        return depth * self.layout.list_indent * self.layout.body_size


class _WriteInNames:
    """Names the lines to write on of a document's boxes, given in order (`name`, a part at a time), from how many
    lines to write on of the whole document share each one's words (`counts`)."""

    def __init__(self, composer: Composer, counts: Counter):
        self.locale, self.spoken, self.counts = composer.locale, composer.write_in_spoken, counts
        self.seen: dict[str, int] = {}
        self.base, self.line = "", 0  # the named line that the next line with no words continues, its count of lines

    def name(self, boxes: list[Box]) -> None:
        for box in _text_blocks(boxes):
            if not box.write_in:
                self.base = ""
                continue
            name = _write_in_words(box.spans)
            if name and self.counts[name] > 1:
                self.seen[name] = self.seen.get(name, 0) + 1
                name = f"{name} {self.seen[name]}"
            if name:
                self.base, self.line = name, 1
            elif self.base:
                self.line += 1
                name = self.locale.write_in_line.format(name=self.base, number=self.line)
            box.write_in_name = name
            box.write_in_text = self.spoken[1].format(name=name) if name else self.spoken[0]


def _write_in_words(spans) -> str:
    """The words that name a line to write on: those before it, without a closing colon."""
    return plain_text(spans).strip().rstrip(":").strip()


class Composed:
    """A document's boxes, composed in order as they are asked for: exactly the boxes `Composer.compose` makes,
    the same fields and the same structure elements declared in the same order, however far it has gone.

    A block is composed whole (a list with its keeps, a callout, a timeline), a Part's blocks one at a time. What
    reaches from one block's boxes to the next is only ever the box just before (`_units`, and here a line to write
    on kept with the words before it: `_keep_write_ins_together`'s pairs), and the line-to-write-on names, which are
    numbered from counts over the whole document's blocks (read from the model, nothing composed). So every box but
    the last composed is `final`: nothing composed after it changes it. A packet written from a kept file asks for
    the boxes up to the last that shows a patient value (`through_values`, for its page plan's key) and those that
    reach the last page it places (`more`); a packet rendered whole asks for all (`all`).
    `tests/render/test_lazy_compose.py` holds every prefix to `compose`'s boxes."""

    def __init__(self, composer: Composer | None, blocks: list[Block], boxes: list[Box] | None = None):
        self.boxes: list[Box] = []
        self.final = 0  # how many of `boxes` nothing composed later changes
        self.done = False
        self._composer = composer
        if composer is None:  # boxes composed already (`given`)
            self.boxes, self.final, self.done = list(boxes or ()), len(boxes or ()), True
            return
        self._units = composer._units(blocks)
        counts, self._valued = _survey(blocks)  # `_valued`: how many units make every box that shows a value
        self._names = _WriteInNames(composer, counts)
        self._composed = 0  # units composed

    @classmethod
    def given(cls, boxes: list[Box]) -> "Composed":
        """Boxes composed already, every one of them final."""
        return cls(None, [], boxes)

    def more(self) -> bool:
        """Compose until at least one more box is final; False when every box was."""
        before = self.final
        while self.final == before:
            if self.done:
                return False
            self._next_unit()
        return True

    def _next_unit(self) -> None:
        boxes = next(self._units, None)
        if boxes is None:
            self.done, self.final = True, len(self.boxes)
            self._composer.tree.check_closed()
            return
        self._composed += 1
        if not boxes:
            return
        if self.boxes:
            _keep_write_ins_together([self.boxes[-1], boxes[0]])
        self._names.name(boxes)
        self.final = len(self.boxes) + len(boxes) - 1  # the box before them is final now; their last is not yet
        self.boxes += boxes

    def through_values(self) -> list[Box]:
        """The boxes composed so far, at least up to the last that shows a patient value (its place among all
        of them, and its measures, are those of `compose`'s: its boxes and those before it are)."""
        while not self.done and self._composed < self._valued:
            self._next_unit()
        return self.boxes

    def all(self) -> list[Box]:
        """Every box, each final."""
        while self.more():
            pass
        return self.boxes


def _survey(blocks: list[Block]) -> tuple[Counter, int]:
    """From the model, nothing composed: how many of the blocks' lines to write on are named by each words
    (`_WriteInNames`), and how many of `_units`'s blocks (a Part's blocks one at a time) it takes to reach every one
    that shows a patient value (a span of a value: `Span.reserve`, from the fill's tokens)."""
    counts: Counter = Counter()
    last = 0
    for index, block in enumerate(_leaf_blocks(blocks, []), start=1):
        if _surveyed(block, counts):
            last = index
    return counts, last


def _surveyed(block: Block, counts: Counter) -> bool:
    """Count the block's lines to write on (the text blocks `compose` makes with one are paragraphs and list items,
    inside lists and callouts); whether it shows a patient value (`span_nodes`'s nodes: its own spans, its items',
    its steps', its inner blocks')."""
    spans = getattr(block, "spans", None)
    shows = bool(spans) and any(span.reserve is not None for span in spans)
    if isinstance(block, Paragraph):
        if block.write_in:
            counts[_write_in_words(block.spans)] += 1
    elif isinstance(block, ListBlock):
        for item in block.items:
            if item.write_in:
                counts[_write_in_words(item.spans)] += 1
            shows = any(span.reserve is not None for span in item.spans) or shows
            for child in item.children:
                shows = _surveyed(child, counts) or shows
    elif isinstance(block, Callout):
        for inner in block.blocks:
            shows = _surveyed(inner, counts) or shows
    elif isinstance(block, Timeline):
        shows = shows or any(span.reserve is not None for step in block.steps for span in step.spans)
    return shows


def _leaf_blocks(blocks: list[Block], into: list[Block]) -> list[Block]:
    for block in blocks:
        if isinstance(block, Part):
            _leaf_blocks(block.blocks, into)
        else:
            into.append(block)
    return into


def _text_blocks(boxes: list[Box]):
    for box in boxes:
        if isinstance(box, TextBlock):
            yield box
        elif isinstance(box, CalloutBox):
            yield from _text_blocks(box.blocks)


def _introduces(box: Box) -> bool:
    """A paragraph that leads into what follows ("Bring these things:")."""
    return (isinstance(box, TextBlock) and box.label is None and box.element.role == "P"
            and plain_text(box.spans).rstrip().endswith(":"))


def _kept_items(count: int) -> tuple[set[int], set[int]]:
    """The items of a list of `count` kept with the next one: always, and unless that leaves a page too empty.
    A list never leaves one item alone across a page break, and prefers not to leave two: a short list (up to
    five items) stays whole, a long one splits with at least three items on each page."""
    always = {0, count - 2} - {-1}
    preferably = set(range(count - 1)) if count < 6 else {1, count - 3}
    return always, preferably - always


def _keep_write_ins_together(boxes: list[Box]) -> None:
    """Lines to write on stay together with the paragraph or check box that asks for them: a form is never
    split so that one lone write-in line ends up on a page of its own."""
    for i, box in enumerate(boxes[:-1]):
        following = boxes[i + 1]
        if isinstance(following, TextBlock) and following.write_in and following.label is None:
            if isinstance(box, TextBlock) and (box.label is not None or box.element.role == "P"):
                box.keep_with_next = True
