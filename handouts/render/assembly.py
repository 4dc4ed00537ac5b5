"""A document written from the file its page plan made before: the objects no patient value reaches written once,
and the patient's own made for each packet.

A document with a skeleton (model.Skeleton) is laid out by a page plan whose key holds everything its model is made
from but the patient's values: the skeleton, the layout, the languages and the patient's own measures
(render/pageplan.py). Every document with the same plan and render context (`key`) has the same pages in the same
places; they differ only where a patient's value is drawn. So its file is the same file but for:

- the content streams of the pages that show a patient's value (`sharing.skeleton_page_key` says which);
- the text fonts, which hold the characters the document drew (a name can bring its own);
- the information dictionary and the XMP metadata (the title names the patient), and the file ID.

Everything else a page that shows a patient's value adds to the file (its marked content and the elements that own
it, its annotations, its bookmarks, a figure's box, its page dictionary) is what its drawing did beyond its
content: `draw.Drawn.signature`. A packet is written from a kept file only when each of those pages' signature is
the kept one's, and when it draws in the same faces; otherwise it is rendered whole, and that file kept too (a few
a key). Which pages show a patient's value is the plan's too, so a packet written from a kept file places its pages
only up to the last of those, and draws only those. A kept file holds none of the patient's own objects
(`Template.parts` leaves them empty), its signatures hold no value of the patient it was made for (else it is not
kept), and no object it keeps shows that patient's value in any way the writer writes text (`_shows_value`, a
second guard). `tests/render/test_assembly.py` holds
every packet written from a kept file to the bytes of the same packet rendered whole with nothing kept.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ..caches import holds_patient_value, patient_values
from . import _reportlab, sharing
from .draw import Drawn, PageDrawer
from .paginate import Page

# Kept files, by the page plan's key and the render's context (`key`): a few each (files whose pages that show the
# patient drew differently). Bounded in bytes, kept for the run (a worker process's batch).
TEMPLATES = _reportlab.ContentMemo(48 << 20)
_VARIANTS = 4  # kept files a key at most


@dataclass(frozen=True)
class Template:
    """A file taken apart (`parts`, the patient's own objects left empty, `holes` says where), which of its pages
    show a patient's value and their signatures, and the characters its other pages drew in each face."""

    parts: _reportlab.FileParts
    holes: _reportlab.Holes
    patient_pages: tuple[int, ...]
    signatures: tuple[tuple, ...]
    shared_characters: tuple[tuple[str, frozenset[int]], ...]


def key(drawer: PageDrawer, plan: tuple | None, count: int, page_size) -> tuple | None:
    """A file's key: the render's context (for `count` pages) and its page plan's key; None for a document without
    a skeleton."""
    if plan is None or drawer.shared_as is None:
        return None
    return drawer.context(count, page_size), plan


def keep(file_key: tuple, canv, data: bytes, written, drawings: list[Drawn]) -> None:
    """Keep the file just rendered whole (`data`, its objects `written`, each page's drawing `drawings`) for the
    next packet with its key, when it can be kept."""
    variants = TEMPLATES.find(file_key) or ()
    if written is None or len(variants) >= _VARIANTS or len(drawings) != _reportlab.page_count_written(canv):
        return
    patient_pages = tuple(index for index, drawn in enumerate(drawings) if drawn.shows_patient)
    if patient_pages and not patient_values():
        return  # pages that show a patient, rendered outside a patient's work (`caches.one_patient`): unchecked
    signatures = tuple(drawings[index].signature for index in patient_pages)
    if holds_patient_value(repr(signatures)):
        return  # what the pages drew besides their text names the patient: those pages differ for each
    holes = _reportlab.holes_of(canv, patient_pages)
    parts = None if holes is None else _reportlab.file_parts(canv, data, written, holes.numbers)
    if parts is None or _shows_value(parts):
        return
    shared: dict[str, set[int]] = {}
    for drawn in drawings:
        if not drawn.shows_patient:
            for face, codes in drawn.characters:
                shared.setdefault(face, set()).update(codes)
    template = Template(parts, holes, patient_pages, signatures,
                        tuple(sorted((face, frozenset(codes)) for face, codes in shared.items())))
    TEMPLATES.put(file_key, (*variants, template), parts.size)


def assembled(file_key: tuple, drawer: PageDrawer, laid_pages: Callable[..., list[Page | None]], count: int, page_size,
              file_id: str) -> tuple[bytes, _reportlab.WrittenObjects] | None:
    """The file for the document on `drawer`'s canvas (its metadata set; `laid_pages(n)`: at least its first n of
    `count` pages) written from a kept file with its key: only its pages that show the patient's value drawn (the
    kept file has the rest); None when no kept file fits, and when the canvas was drawn on (`drawer.outline_kept`)
    it is spent: render the document whole, afresh."""
    variants = TEMPLATES.find(file_key)
    if not variants:
        return None
    # The pages up to the last one that shows the patient in a kept file: which pages show a patient's value is
    # the page plan's (every packet with its key has its values in the same boxes at the same places), so the
    # pages after those show none, and the kept file has them.
    until = 1 + max(index for template in variants for index in (-1, *template.patient_pages))
    # A page before it that no kept file shows the patient on, and that was found before to show no patient value
    # (`sharing.known_shared`, as `drawer.patient_scans` answers first), is not placed (None): the plan places the
    # others alone where it can.
    shown = {index for template in variants for index in template.patient_pages}
    context = drawer.context_number(count, page_size)
    pages = laid_pages(until, lambda index: index not in shown and context is not None and sharing.known_shared(
        Page(index + 1), context, drawer.plan))[:until]
    # Each page placed looked through once: whether it shows the patient, and the scans its drawing reads if it does.
    scans = [None if page is None else drawer.patient_scans(page, count, page_size) for page in pages]
    patient_pages = tuple(index for index, scan in enumerate(scans) if scan is not None)
    variants = [template for template in variants if template.patient_pages == patient_pages]
    if not variants:
        return None
    # Only the pages that show the patient are drawn, one after another on the canvas (the kept file holds the
    # others); what places a page's content reads its page model, never the canvas's page count.
    drawer.outline_kept = True
    drawer.tagger.tree_kept = True  # and its structure tree: the pages drawn add nothing to this one
    drawn = [drawer.patient_page(pages[index], count, page_size, scans[index]) for index in patient_pages]
    signatures = tuple(page.signature for page in drawn)
    for template in variants:
        characters = {face: set(codes) for face, codes in template.shared_characters}
        for page in drawn:
            for face, codes in page.characters:
                characters.setdefault(face, set()).update(codes)
        if template.signatures == signatures and sorted(characters) == [face for face, _ in template.holes.fonts]:
            made = _reportlab.made_holes(drawer.canv, template.holes, tuple(range(len(drawn))), characters)
            return _reportlab.file_from_parts(template.parts, made, file_id)
    return None


def _shows_value(parts: _reportlab.FileParts) -> bool:
    """Whether an object kept in `parts` shows a value of the patient at work in a way the writer writes text. A
    second guard: the objects kept are made from no patient value."""
    kept = [data for data in parts.objects if data is not None]
    return any(form in data for value in patient_values() for form in _reportlab.written_forms(value)
               for data in kept)
