"""Pages that show no patient value: what may be kept for the run and shared by the next packet that has them.

Which pages those are is read from the page model, never assumed: a page is shared only when no span on it
carries a patient value (`Span.reserve`, set from the fill's tokens) and no box on it keeps a reserve's room
(`TextBlock.reserve`); and, as a second guard, when its text holds no value of the patient whose work is under
way (`caches.holds_patient_value`). A page holding any patient value is drawn per patient, always.

A shared page is keyed by everything its drawing reads (`page_key`): the render's own context (document,
edition, layout, options, footer, forms, tagging, the page's size, number and the page count) and, for each
box on it, where it is placed, its lines and every field of the box, structure elements by role and
attributes. The key is built from the boxes' fields as they are (a field nobody listed is in the key all the
same; a value of a kind the key does not know stops the render as a bug), so two pages with the same key are
drawn the same: a hit hands out a drawing that showed no patient's value, made from this very page model.

What is shared so far: the compressed content stream of such a page, kept for the run
(`_reportlab.SHARED_COMPRESSED`, keyed by the whole stream).
"""

from __future__ import annotations

from dataclasses import fields, is_dataclass
from functools import lru_cache

from ..caches import holds_patient_value
from ..errors import InternalError
from ..model import Span
from .boxes import LinkTarget, TextStyle
from .linebreak import Line, Piece
from .paginate import Page, Placed
from .tagging import StructElement

_PLAIN = (str, int, float, bool, type(None), Line, Piece, TextStyle)


class _ShowsPatientValue(Exception):
    """The page shows a patient's value: it is drawn for its patient, and never shared."""


def flattened(placed_boxes) -> list[Placed]:
    """Every placed box of a page in drawing order, a callout's inner boxes after it."""
    found: list[Placed] = []
    for placed in placed_boxes:
        found.append(placed)
        found += flattened(placed.inner)
    return found


def page_key(page: Page, context: tuple) -> tuple[tuple, list[StructElement]] | None:
    """(the page's key, its boxes' elements in the order the key names them), or None: the page shows a patient's
    value and is drawn for its patient."""
    elements: list[StructElement] = []
    boxes = flattened(page.placed)
    try:
        described = tuple((p.x, p.y, p.width, p.height, p.lines, _described(p.box, elements)) for p in boxes)
    except _ShowsPatientValue:
        return None
    if holds_patient_value(" ".join(" ".join(page.text()).split())):
        return None  # a value the fill did not mark (it always does): drawn for this patient all the same
    return (context, page.number, described), elements


def _described(value, elements: list[StructElement]):
    """`value` as a hashable description of everything drawing reads of it; its elements added to `elements`."""
    if isinstance(value, _PLAIN):
        return value
    if type(value) is Span:
        if value.reserve is not None:
            raise _ShowsPatientValue
        return value
    if isinstance(value, StructElement):  # drawing reads its role; the rest is the tree's, written per packet
        elements.append(value)
        return "element", value.role, value.alt, value.actual_text, value.lang, value.list_numbering
    if isinstance(value, (list, tuple)):
        # A link's pieces are drawn as one run when they belong to the very same link: say which do.
        return tuple((_first(value, item) if isinstance(item, LinkTarget) else None, _described(item, elements))
                     for item in value)
    if is_dataclass(value):
        if getattr(value, "reserve", None) is not None:
            raise _ShowsPatientValue
        return type(value).__name__, tuple(_described(getattr(value, name), elements) for name in _fields(type(value)))
    raise InternalError(f"a page's key does not know a {type(value).__name__}")


def _first(items, item) -> int:
    return next(index for index, other in enumerate(items) if other is item)


# Keyed by a box class: the names of its fields that drawing reads (not its memos; a callout's blocks are placed
# boxes of their own on the page). A class's, patient-free.
@lru_cache(maxsize=16)
def _fields(cls) -> tuple[str, ...]:
    return tuple(f.name for f in fields(cls) if not f.name.startswith("_") and f.name != "blocks")
