"""Compose: document blocks into styled boxes, declaring their structure elements."""

from __future__ import annotations

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
        blocks = list(_text_blocks(boxes))
        names = [plain_text(box.spans).strip().rstrip(":").strip() if box.write_in else None for box in blocks]
        seen: dict[str, int] = {}
        base, line = "", 0  # the named line that the next line with no words continues, and its count of lines
        for box, name in zip(blocks, names):
            if name is None:
                base = ""
                continue
            if name and names.count(name) > 1:
                seen[name] = seen.get(name, 0) + 1
                name = f"{name} {seen[name]}"
            if name:
                base, line = name, 1
            elif base:
                line += 1
                name = self.locale.write_in_line.format(name=base, number=line)
            box.write_in_name = name
            box.write_in_text = self.write_in_spoken[1].format(name=name) if name else self.write_in_spoken[0]

    def _indent(self, depth: int) -> float:
        return depth * self.layout.list_indent * self.layout.body_size


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
