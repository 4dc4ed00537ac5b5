"""Render a document to tagged PDF bytes: paginate flowables, draw, add structure."""

from __future__ import annotations

import hashlib
import io
from collections import deque
from dataclasses import dataclass
from datetime import datetime

from reportlab import rl_config
from reportlab.lib.colors import HexColor
from reportlab.pdfgen.canvas import Canvas

from ..load.layouts import Layout
from ..model import Document
from .compose import Composer
from .flowables import PageBreakFlowable, TextStyle
from .fonts import FontSet
from .metadata import apply_metadata
from .tagging import Tagger, UntaggedTagger

# Flate alone: ASCII85 on top makes streams 25% larger and costs time, for no reader's benefit.
rl_config.useA85 = 0


@dataclass(frozen=True)
class RenderOptions:
    created: datetime
    author: str = ""
    tagged: bool = True  # False only for benchmarks: the same pages with no tags


@dataclass(frozen=True)
class Placed:
    flowable: object
    y: float  # bottom of the flowable within the frame


def render_pdf(document: Document, layout: Layout, options: RenderOptions) -> bytes:
    fonts = FontSet(layout.typeface)
    tagger = Tagger() if options.tagged else UntaggedTagger()
    flowables = Composer(layout, fonts).blocks(document.blocks, tagger.root)
    x, y, width, height = layout.frame
    footer_height = layout.footer_size * layout.line_spacing
    pages = paginate(flowables, width, height - footer_height)

    buffer = io.BytesIO()
    # The initial font goes into every page's preamble: make it ours, not an unembedded Helvetica.
    canv = Canvas(buffer, pagesize=layout.page_size, invariant=1, pageCompression=1, lang=document.language,
                  initialFontName=fonts.face_for("a", False), initialFontSize=layout.body_size)
    canv.tagger = tagger
    apply_metadata(canv, title=document.title, language=document.language,
                   subject=document.summary or document.title, author=options.author,
                   created=options.created)
    canv.showOutline()
    footer = TextStyle(fonts, layout.footer_size, footer_height, layout.text_colour)
    for number, page in enumerate(pages, start=1):
        _paint_background(canv, layout)
        for placed in page:
            placed.flowable.drawOn(canv, x, y + footer_height + placed.y)
        _draw_page_number(canv, tagger, footer, f"Page {number} of {len(pages)}", x + width, y)
        canv.showPage()
    tagger.write(canv)
    canv._doc._ID = _document_id(document, layout, len(pages))
    canv.save()
    return buffer.getvalue()


def paginate(flowables: list, width: float, height: float) -> list[list[Placed]]:
    """Fill pages top to bottom, splitting blocks and keeping headings with what follows."""
    pages: list[list[Placed]] = [[]]
    queue = deque(flowables)
    used = 0.0
    while queue:
        flowable = queue.popleft()
        page = pages[-1]
        if isinstance(flowable, PageBreakFlowable):
            if page:
                pages.append([])
                used = 0.0
            continue
        before = flowable.getSpaceBefore() if page else 0.0
        _, h = flowable.wrap(width, height)
        need = before + h
        if flowable.getKeepWithNext() and queue:
            need += flowable.getSpaceAfter() + _following_height(queue, width, height)
        if used + need <= height:
            used += before + h
            page.append(Placed(flowable, height - used))
            used += flowable.getSpaceAfter()
            continue
        can_split = page == [] or not getattr(flowable, "keep_together", False)
        parts = flowable.split(width, height - used - before) if can_split and not flowable.getKeepWithNext() else []
        if parts:
            queue.extendleft(reversed(parts))
            continue
        if page:
            pages.append([])
            used = 0.0
            queue.appendleft(flowable)
            continue
        # Taller than an empty page and impossible to split: place it and move on.
        page.append(Placed(flowable, height - h))
        pages.append([])
        used = 0.0
    if not pages[-1] and len(pages) > 1:
        pages.pop()
    return pages


def _following_height(queue: deque, width: float, height: float) -> float:
    """Room the blocks after a heading need on the same page: through any further
    headings to the first two lines of the block they introduce."""
    total = 0.0
    for flowable in queue:
        _, h = flowable.wrap(width, height)
        leading = getattr(getattr(flowable, "style", None), "leading", None)
        if leading and not getattr(flowable, "keep_together", False):
            h = min(h, 2 * leading)
        total += flowable.getSpaceBefore() + h
        if not flowable.getKeepWithNext():
            return total
        total += flowable.getSpaceAfter()
    return total


def _paint_background(canv: Canvas, layout: Layout) -> None:
    if layout.background_colour == "#FFFFFF":
        return
    canv.tagger.begin_artifact(canv, "Layout")
    canv.setFillColor(HexColor(layout.background_colour))
    canv.rect(0, 0, *layout.page_size, stroke=0, fill=1)
    canv.tagger.end(canv)


def _draw_page_number(canv: Canvas, tagger: Tagger, style: TextStyle, text: str, right: float,
                      bottom: float) -> None:
    face = style.fonts.face_for(text, False)
    tagger.begin_artifact(canv, "Pagination", "Footer")
    canv.setFillColor(HexColor(style.colour))
    canv.setFont(face, style.size)
    canv.drawRightString(right, bottom + (style.leading - style.size) / 2 + 0.25 * style.size, text)
    tagger.end(canv)


def _document_id(document: Document, layout: Layout, page_count: int) -> bytes:
    """A file ID derived from the inputs, so the same inputs give the same bytes."""
    digest = hashlib.sha256(repr((document, layout.name, layout.body_size, page_count)).encode()).hexdigest()[:32]
    return f"\n[<{digest}><{digest}>]\n".encode()
