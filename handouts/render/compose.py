"""Turn document blocks into tagged flowables styled by a layout."""

from __future__ import annotations

from ..load.layouts import Layout
from ..model import (
    Block,
    Callout,
    Heading,
    ListBlock,
    ListItem,
    PageBreak,
    Paragraph,
    Span,
    plain_text,
)
from .flowables import CalloutBox, Label, PageBreakFlowable, TextBlock, TextStyle
from .fonts import FontSet
from .tagging import StructElement


class Composer:
    def __init__(self, layout: Layout, fonts: FontSet):
        self.layout = layout
        self.fonts = fonts
        self.body = self._style(layout.body_size)
        self.gap = layout.paragraph_space * layout.body_size

    def _style(self, size: float) -> TextStyle:
        return TextStyle(self.fonts, size, size * self.layout.line_spacing, self.layout.text_colour)

    def blocks(self, blocks: list[Block], parent: StructElement, depth: int = 0) -> list:
        out: list = []
        for block in blocks:
            if isinstance(block, Heading):
                out.append(self.heading(block, parent))
            elif isinstance(block, Paragraph):
                out.append(TextBlock(parent.child("P"), block.spans, self.body,
                                     indent=self._indent(depth), space_after=self.gap,
                                     write_in=block.write_in))
            elif isinstance(block, ListBlock):
                out.extend(self.list_block(block, parent, depth))
            elif isinstance(block, Callout):
                out.append(self.callout(block, parent))
            elif isinstance(block, PageBreak):
                out.append(PageBreakFlowable())
        if out and isinstance(out[-1], TextBlock) and depth:
            out[-1].spaceAfter = self.gap
        return out

    def heading(self, block: Heading, parent: StructElement) -> TextBlock:
        size = self.layout.heading_size(block.level)
        spans = [Span(s.text, True, s.href) for s in block.spans]
        return TextBlock(parent.child(f"H{block.level}"), spans, self._style(size),
                         space_before=self.gap * (1.5 if block.level > 1 else 0), space_after=self.gap * 0.6,
                         keep_with_next=True, outline=(plain_text(block.spans), block.level - 1))

    def list_block(self, block: ListBlock, parent: StructElement, depth: int) -> list:
        element = parent.child("L")
        out: list = []
        for number, item in enumerate(block.items, start=block.start):
            out.extend(self.list_item(item, element, depth, f"{number}." if block.ordered else "•"))
        if out:
            out[-1].spaceAfter = max(out[-1].spaceAfter, self.gap)
        return out

    def list_item(self, item: ListItem, parent: StructElement, depth: int, marker: str) -> list:
        li = parent.child("LI")
        body = li.child("LBody")
        if item.task is None:
            label = Label("text", marker, li.child("Lbl"))
        else:
            label = Label("checkbox", "", li.child("Lbl", alt="Checked box" if item.task else "Checkbox"),
                          checked=item.task, size=self.layout.checkbox_size)
        first = TextBlock(body, item.spans, self.body, indent=self._indent(depth + 1),
                          space_after=self.gap * (0.6 if item.task is not None else 0.3),
                          keep_together=True, write_in=item.write_in, label=label,
                          label_indent=self._indent(depth))
        return [first, *self.blocks(item.children, body, depth + 1)]

    def callout(self, block: Callout, parent: StructElement) -> CalloutBox:
        element = parent.child("Div")
        inner = self.blocks(block.blocks, element, 0)
        if inner:
            inner[-1].spaceAfter = 0
        return CalloutBox(element, inner, self.layout.callout_border_colour, self.layout.callout_border_width,
                          padding=self.layout.body_size * 0.75, space_after=self.gap)

    def _indent(self, depth: int) -> float:
        return depth * self.layout.list_indent * self.layout.body_size
