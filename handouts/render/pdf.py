"""Render a document to tagged PDF bytes: compose → paginate → draw → structure → metadata."""

from __future__ import annotations

import hashlib
import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from ..load.layouts import Layout
from ..load.locale import Locale
from ..model import Document, skeleton_of, span_nodes
from . import _reportlab, assembly
from .boxes import TextStyle
from .compose import Composer
from .draw import Footer, PageDrawer
from .fonts import FontSet
from .forms import FormFields
from .metadata import apply_metadata
from .pageplan import Planned
from .paginate import Page
from .tagging import StructTree, Tagger, UntaggedTagger


class RenderedPDF(bytes):
    """A PDF's bytes, and how many pages the paginator made: nobody reads the file back to count them. `objects`:
    each object as the writer wrote it (`_reportlab.WrittenObjects`), for the print job's share of the packet
    (`batch.printjob.fragment_of`) in the process that rendered it; None when ReportLab's own loop wrote the file,
    and never sent to another process."""

    pages: int
    objects: _reportlab.WrittenObjects | None

    def __new__(cls, data: bytes, pages: int, objects: _reportlab.WrittenObjects | None = None) -> RenderedPDF:
        made = super().__new__(cls, data)
        made.pages = pages
        made.objects = objects
        return made

    def __reduce__(self):  # to and from worker processes, page count included (the objects stay behind)
        return RenderedPDF, (bytes(self), self.pages)


@dataclass(frozen=True)
class RenderOptions:
    created: datetime
    author: str = ""
    tagged: bool = True  # False only for benchmarks: the same pages with no tags
    footer_note: str = ""  # left of "Page N of M" on every page: the clinic's name and phone
    page_label: str = ""  # the footer's page label; empty: the document language's (handouts/locales/)
    note_required: bool = False  # the footer note is the sample mark: on every page, never left out for room
    forms: bool = True  # checkboxes and lines to write on as fillable fields; False: printed only


def lay_out(document: Document, layout: Layout, tree: StructTree | None = None,
            footer: Footer | None = None) -> list[Page]:
    """The page model: which boxes and lines go on which page, before anything is drawn; above `footer`'s lines
    (a note that wraps takes more than one), else above a footer of one line."""
    return _laid_out(document, layout, tree or StructTree(document.language), footer).pages()


@dataclass
class _Laid:
    """A document laid out: how many pages it has and how many footer lines they leave room for, its page plan's
    key when it has a skeleton, and its pages, made when asked (with a plan to replay, only as many as asked)."""

    planned: Planned
    frame: float  # the height the pages fill
    rows: int
    count: int
    plan: tuple | None
    made: list[Page] | None

    def pages(self, until: int | None = None, skip: Callable[[int], bool] | None = None) -> list[Page | None]:
        """The pages; with `until`, at least the first `until` of them; with `skip` too, None for each of those
        (by its index) that `skip` says need not be placed when the plan can place the others alone
        (`Planned.pages_at`: the pages between are not placed), else every page placed."""
        if skip is not None and until is not None and self.made is None:
            wanted = [index for index in range(until) if not skip(index)]
            made = self.planned.pages_at(self.frame, wanted)
            if made is not None:
                return [made.get(index) for index in range(until)]
        if self.made is None or (until is None and len(self.made) < self.count):
            self.made = self.planned.paginate(self.frame, until)
        return self.made


def _laid_out(document: Document, layout: Layout, tree: StructTree, footer: Footer | None) -> _Laid:
    """The document composed and planned: its page count, footer lines and plan key, its pages when asked."""
    fonts = FontSet(layout.typeface)
    _, _, width, height = layout.frame
    rows = 1
    # Composed as they are asked for (compose.Composed: the tree is checked closed when the last is): up to the
    # last box that shows a patient value for the plan's key, then as far as the pages placed reach.
    boxes = Composer(layout, fonts, tree, document.language).lazily(document.blocks)
    # Where pages end, decided once for boxes that measure the same (render/pageplan.py); paginated again above
    # a taller footer from the boxes as composed. Elements join the tree only when drawn. A document with a
    # skeleton is planned by it, with all the composer reads besides its blocks: the layout (its typeface gives
    # the fonts), the document's language (words, hyphenation, where lines never break) and the tree's.
    skeleton = skeleton_of(document)
    planned = Planned(boxes, width, None if skeleton is None else _planned_as(skeleton, layout, document.language,
                                                                             tree.root.lang))
    while True:
        frame = height - footer_height(layout, rows)
        # A plan kept for these boxes says how many pages they make, without placing them; else they are paginated.
        made, count = None, planned.count(frame)
        if count is None:
            made = planned.paginate(frame)
            count = len(made)
        # More pages can make a longer page label and a note that wraps onto more lines: lay out again above them.
        needed = footer.rows(count) if footer else 1
        if needed <= rows:
            plan = None if skeleton is None else (width, frame, planned.measured)
            return _Laid(planned, frame, rows, count, plan, made)
        rows = needed


def _planned_as(skeleton: str, layout: Layout, language: str, tree_language: str | None) -> str:
    """A page plan's key for the boxes composed from a document with `skeleton`: one digest of it and of all the
    composer reads besides the blocks (a digest, so that a plan's key holds no text at all)."""
    return hashlib.sha256(repr((skeleton, _layout_digest(layout), language, tree_language)).encode()).hexdigest()


# Keyed by the layout (every field of it): patient-free.
@lru_cache(maxsize=32)
def _layout_digest(layout: Layout) -> str:
    return hashlib.sha256(repr(layout).encode()).hexdigest()


def footer_height(layout: Layout, rows: int = 1) -> float:
    """The footer's lines, and a blank body line between them and the text (never crowding the last line)."""
    return (rows * layout.footer_size + layout.body_size) * layout.line_spacing


def page_model(document: Document, layout: Layout, options: RenderOptions) -> tuple[list[Page], float]:
    """The pages `render_pdf` draws, and the height of the frame they fill (above the footer's lines)."""
    laid = _laid_out(document, layout, StructTree(document.language), _footer(document, layout, options))
    return laid.pages(), laid.frame


def _footer(document: Document, layout: Layout, options: RenderOptions) -> Footer:
    x, y, width, _ = layout.frame
    style = TextStyle(FontSet(layout.typeface), layout.footer_size, layout.footer_size * layout.line_spacing,
                      layout.text_colour)
    return Footer(style, (x, x + width, y), options.footer_note,
                  options.page_label or Locale.for_tag(document.language).labels["page"], options.note_required)


def render_pdf(document: Document, layout: Layout, options: RenderOptions, assemble: bool = True,
               spans: list | None = None) -> RenderedPDF:
    """The document's PDF; written from the file its page plan made before where one fits (render/assembly.py),
    else rendered whole (and kept for the next; `assemble=False`: rendered whole, always). `spans`: every span of
    the document in reading order (`model.span_nodes`' spans one after another), when the caller has them."""
    fonts = FontSet(layout.typeface)
    tree = StructTree(document.language)
    x, y, width, _ = layout.frame
    footer = _footer(document, layout, options)
    laid = _laid_out(document, layout, tree, footer)
    count, rows = laid.count, laid.rows

    buffer = io.BytesIO()
    canv = _reportlab.new_canvas(buffer, layout.page_size, document.language, fonts.face_for("a", False),
                                 layout.body_size)
    tagger = (Tagger if options.tagged else UntaggedTagger)(canv, tree)
    apply_metadata(canv, title=document.title, language=document.language,
                   subject=document.summary or document.title, author=options.author, created=options.created)
    canv.showOutline()
    fields = FormFields(canv, fonts.form_face) if options.forms else None
    drawer = PageDrawer(canv, tagger, (x, y + footer_height(layout, rows)), layout.background_colour, footer, fields,
                        shared_as=(document.name, document.language, layout, options), plan=laid.plan)
    file_id = _document_digest(document, layout, count, spans)
    file_key = assembly.key(drawer, laid.plan, count, layout.page_size)
    if file_key is not None:
        if assemble:
            made = assembly.assembled(file_key, drawer, laid.pages, count, layout.page_size, file_id)
            if made is not None:
                return RenderedPDF(made[0], count, made[1])
            if drawer.outline_kept:  # drawn onto, and no kept file fits: rendered whole, afresh
                return render_pdf(document, layout, options, assemble=False, spans=spans)
        drawer.drawings = []  # to keep the file for the next packet with its key
    for page in laid.pages():
        drawer.page(page, count, layout.page_size)
    tagger.write()
    if fields is not None:
        fields.write()
    _reportlab.set_file_id(canv, file_id)
    objects = _reportlab.save(canv)
    data = buffer.getvalue()
    if drawer.drawings is not None:
        assembly.keep(file_key, canv, data, objects, drawer.drawings)
    return RenderedPDF(data, count, objects)


def _document_digest(document: Document, layout: Layout, page_count: int, spans: list | None = None) -> str:
    """A file ID derived from the inputs, so the same inputs give the same bytes, and another whenever anything the
    file shows changes. A document without a skeleton is identified by its repr. A document with one (model.Skeleton)
    by the skeleton's content digest, its own fields, the layout and page count, and the patient's values as they
    show, which is enough:

    - the skeleton's content digest covers everything its model is made from but the patient's values (the source
      as parse reads it, the filled text with each patient value's token and reserve in its place, every value that
      is not a patient's), and the model is a function of the skeleton and those values (`model.Skeleton`): which
      blocks and spans there are, their kinds, boldness and every span's text that holds no patient value;
    - a patient's value is filled in after parsing, into a span's text (that span then carries its reserve,
      `Span.reserve`) or a link's target: so the text of every span with a reserve and every link target, each with
      its span's place among the spans, are all the model holds besides what the skeleton covers;
    - the document's fields (the title names the patient) are not in the skeleton's blocks: hashed whole.

    So two documents with the same skeleton differ only in spans hashed here, their fields, layout or page count
    (`tests/render/test_file_id.py`)."""
    content = document.skeleton.content if skeleton_of(document) else ""
    if not content:
        return hashlib.sha256(repr((document, layout.name, layout.body_size, page_count)).encode()).hexdigest()[:32]
    if spans is None:
        spans = [span for node in span_nodes(document.blocks) for span in node.spans]
    # Each such span's place among all spans, its text and target; and how many spans there are.
    shown = [(place, span.text, span.href) for place, span in enumerate(spans)
             if span.reserve is not None or span.href is not None]
    count = len(spans)
    return hashlib.sha256(repr((content, document.name, document.title, document.kind, document.language,
                                document.summary, layout.name, layout.body_size, page_count, count,
                                shown)).encode()).hexdigest()[:32]
