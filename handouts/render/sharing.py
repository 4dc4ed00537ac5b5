"""Pages that show no patient value, drawn once per process and reused for the next packet that has them.

Which pages those are is read from the page model, never assumed: a page is shared only when no span on it
carries a patient value (`Span.reserve`, set from the fill's tokens) and no box on it keeps a reserve's room
(`TextBlock.reserve`); and, as a second guard, when its text holds no value of the patient whose work is under
way (`caches.holds_patient_value`). A page holding any patient value is drawn per patient, always.

A shared page is keyed by everything its drawing reads (`page_key`): the render's own context (document,
edition, layout, options, footer, forms, tagging, the page's size, number and the page count) and, for each
box on it, where it is placed, its size and every field of the box (its lines are made from those), structure
elements by role and attributes. The key is built from the boxes' fields as they are (a field nobody listed is
in the key all the same; a value of a kind the key does not know stops the render as a bug), so two pages with
the same key are drawn the same: a hit hands out a drawing that showed no patient's value, made from this very
page model.

A page of a document with a skeleton (model.Skeleton) is keyed without describing its boxes
(`skeleton_page_key`): by the same context, its page plan's key (render/pageplan.py: the skeleton's digest with
the layout and languages, and the patient's own measures) and its number. The model is a deterministic function of
the skeleton and the patient's values; a page with no patient span is drawn from boxes made from the skeleton
alone, placed by the plan; so the key determines the page as the description does.

The first time a key is drawn the drawing is recorded (`Recording`): the content operators it added, the
characters it drew in each face, and, in order, what it did beyond its content (marked content owned by an
element, annotations, bookmarks, a figure's box), with each element named by where it sits among the page's
boxes. A page with the same key in another packet replays that against its own elements: the same operators
and the same calls in the same order, so the same bytes a fresh drawing makes (`tests/render/test_caches.py`
compares a packet drawn cold, warm and with every cache bypassed).
"""

from __future__ import annotations

from dataclasses import dataclass, fields, is_dataclass
import itertools
import re
from functools import cached_property, lru_cache

from ..caches import holds_patient_value
from ..errors import InternalError
from ..model import Span
from ._reportlab import ContentMemo
from .boxes import LinkTarget, TextStyle
from .linebreak import Line, Piece
from .paginate import Page, Placed
from .tagging import StructElement

# Recordings of pages that show no patient value, keyed by everything their drawing reads (`page_key`); bounded
# in bytes, kept for the run (a worker process's batch).
PAGES = ContentMemo(32 << 20)
# Recordings of runs of boxes that show no patient value on pages that show one, keyed as `boxes_recording` says;
# likewise.
BOXES = ContentMemo(16 << 20)
# Each render context (`PageDrawer.context`) that keys pages and boxes, by a number of its own, never given to
# another (a context holds the document's name, edition, layout, options and footer: the clinic's, no patient's).
CONTEXTS = ContentMemo(1 << 20)
_CONTEXT_NUMBERS = itertools.count(1)


def context_number(context: tuple) -> int | None:
    """The number that stands for `context` in the keys of pages and boxes of documents with a plan (it is hashed
    once, not with every key); None when the context shows a value of the patient at work (nothing is shared)."""
    number = CONTEXTS.find(context)
    if number is None:
        if holds_patient_value(repr(context)):
            return None
        number = next(_CONTEXT_NUMBERS)
        CONTEXTS.put(context, number, 512)
    return number
_PLAIN = frozenset((str, int, float, bool, type(None), Line, Piece, TextStyle))



class _ShowsPatientValue(Exception):
    """The page shows a patient's value: it is drawn for its patient, and never shared."""


@dataclass(frozen=True)
class Recording:
    """One page's drawing: its content operators, the characters it drew, and what else it did, in order."""

    code: tuple[str, ...]
    characters: tuple[tuple[str, frozenset[int]], ...]  # (face, code points drawn in it)
    # ("mark", name), ("annotate", name, kind, args), ("bookmark", kind, left, top, *what), ("bbox", name, box)
    events: tuple[tuple, ...]
    text: str = ""  # the page's words (`page_text`), for the guard of a later page with its key (`known_shared`)

    @cached_property
    def steps(self) -> tuple[tuple, ...]:
        """The events for a replay: each run of events that say the next marked content belongs to an element of
        the page's (the boxes') own as one ("marks", their places in order); every other event as it is."""
        steps: list[tuple] = []
        marks: list[int] = []
        for event in self.events:
            if event[0] == "mark" and event[1][0] == "page":
                marks.append(event[1][1])
                continue
            if marks:
                steps.append(("marks", tuple(marks)))
                marks = []
            steps.append(event)
        if marks:
            steps.append(("marks", tuple(marks)))
        return tuple(steps)

    @property
    def size(self) -> int:
        return sum(map(len, self.code)) + 64 * len(self.events) + 4 * sum(len(c) for _, c in self.characters)


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
        # A box's lines are not in the key: they are made from what is (its spans, or a split piece's own lines;
        # its style, indent and width), the same way every time (linebreak.break_lines).
        described = tuple((p.x, p.y, p.width, p.height, _described(p.box, elements)) for p in boxes)
    except _ShowsPatientValue:
        return None
    if holds_patient_value(page_text(page)):
        return None  # a value the fill did not mark (it always does): drawn for this patient all the same
    return (context, page.number, described), elements


def skeleton_page_key(page: Page, context: int, plan: tuple) -> tuple[tuple, list[StructElement]] | None:
    """`page_key` for a page of a document with a skeleton (model.Skeleton), paginated by the plan keyed `plan`
    (render/pageplan.py): (the render's context, by its number, the plan's key, the page's number), or None as
    `page_key`.

    Why that determines the page: the document model is a deterministic function of its skeleton and the patient's
    values; the boxes are composed from the model by what the plan key holds besides (the layout, the languages),
    and placed by the plan, which the key names (with the patient's own measures, the only ones that vary between
    patients with the same skeleton). A page with no span of a patient value and no box keeping a reserve's room is
    drawn from boxes made from the skeleton alone, at places the plan decides: the same boxes at the same places on
    every packet with that key, drawn by the same context. Its elements are listed in the order its boxes' fields
    hold them, the same for every such page."""
    elements: list[StructElement] = []
    for placed in page.placed:
        if _placed_collect(placed, elements):
            return None
    if holds_patient_value(page_text(page)):
        return None  # a value the fill did not mark (it always does): drawn for this patient all the same
    return (context, plan, page.number), elements


def page_elements(page: Page) -> list[StructElement]:
    """The page's boxes' elements, in the order `skeleton_page_key` lists them, whatever the page shows."""
    elements: list[StructElement] = []
    for placed in page.placed:
        elements += box_elements(placed)[0]
    return elements


def box_elements(placed: Placed) -> tuple[list[StructElement], bool]:
    """(the elements of a placed box and the boxes inside it, in the order `skeleton_page_key` lists them, whether
    any of them shows a patient's value: a span that carries one or a box keeping a reserve's room). A page's
    elements (`page_elements`) are its boxes' one after another."""
    elements: list[StructElement] = []
    return elements, _placed_collect(placed, elements)


def boxes_recording(boxes: list[Placed], key: tuple, scans: list[tuple[list[StructElement], bool]]
                    ) -> tuple[Recording | None, list[StructElement], str] | None:
    """(their recording or None when they have none yet, the boxes' elements, their words) for a run of boxes one
    after another on a page that shows a patient's value, none of which shows one itself (`scans`: each box's
    `box_elements`): their drawing is kept for the run (`BOXES`, under `key`) and replayed against their own
    elements. None: a box shows a patient's value (a span or a box keeping a reserve's room, or, as a second guard,
    their words hold one of the patient at work): draw them for their patient.

    `key` is the page's as `skeleton_page_key` makes it (the render's context, the page plan's key, the page's
    number), where the boxes start and end among the page's boxes, and how many marked-content sequences the page
    holds before them (the MCIDs their operators carry). The page plan places the same boxes at the same places on
    every page with that key; a box with no patient value is made from the skeleton alone; so the key determines
    their drawing, and boxes under a key recorded before show no patient value (their words, kept with it, are
    still looked through for the patient at work's; so are their spans and boxes, for a reserve)."""
    if any(shows for _, shows in scans):
        return None
    recording = BOXES.find(key)
    text = recording.text if recording is not None else \
        " ".join(" ".join(line for placed in boxes for line in placed.text()).split())
    if holds_patient_value(text):
        return None
    return recording, [element for elements, _ in scans for element in elements], text


def known_shared(page: Page, context: int, plan: tuple) -> bool:
    """Whether the page of a document with a skeleton is one found before to show no patient value (its drawing is
    recorded under `skeleton_page_key`'s key, which determines its boxes and so its words) and its words hold no
    value of the patient at work: `skeleton_page_key` would give its key, without looking through its boxes or
    lines again."""
    recording = PAGES.find((context, plan, page.number))
    return recording is not None and not holds_patient_value(recording.text)


def page_text(page: Page) -> str:
    """The page's words, one space apart: what the second guard looks through."""
    return " ".join(" ".join(page.text()).split())


def _placed_collect(placed: Placed, elements: list[StructElement]) -> bool:
    """`_collect` for a placed box and the boxes inside it (a callout's), in drawing order (`flattened`)."""
    shows = _collect(placed.box, elements)
    for inner in placed.inner:
        shows = _placed_collect(inner, elements) or shows
    return shows


def _collect(value, elements: list[StructElement]) -> bool:
    """Every structure element in `value`'s fields, in order, into `elements`; whether any of it shows a patient's
    value (a span that carries one, or a box keeping a reserve's room). Looks through all of it either way."""
    kind = type(value)
    if kind is Span:
        return value.reserve is not None
    if kind is StructElement:
        elements.append(value)
        return False
    if kind is list or kind is tuple:
        return _collect_items(value, elements)
    names = _holding(kind)
    if names is None:
        return False
    shows = getattr(value, "reserve", None) is not None
    for name in names:
        held = getattr(value, name)
        kind = type(held)
        if kind is StructElement:  # the most of them, looked at here
            elements.append(held)
        elif kind is list or kind is tuple:
            if _collect_items(held, elements):
                shows = True
        elif held is not None and _collect(held, elements):
            shows = True
    return shows


def _collect_items(items, elements: list[StructElement]) -> bool:
    """`_collect` for a list or tuple's items."""
    shows = False
    for item in items:
        held = type(item)
        if held is Span:  # the most of them, looked at here
            if item.reserve is not None:
                shows = True
        elif held is StructElement:
            elements.append(item)
        elif held not in _PLAIN and _collect(item, elements):
            shows = True
    return shows


# Keyed by a box class: the names of its fields that drawing reads and that can hold a structure element or a span
# (by their declared types: an element, a span, or a class that holds them). A class's, patient-free.
# None: a plain value, or a class that is no dataclass (it holds none for the key).
@lru_cache(maxsize=32)
def _holding(cls) -> tuple[str, ...] | None:
    if cls in _PLAIN or not is_dataclass(cls):
        return None
    return tuple(f.name for f in fields(cls) if f.name in _fields(cls) and _can_hold(str(f.type)))


def _can_hold(declared: str) -> bool:
    """Whether a field declared `declared` can hold an element or a span: the types that are neither plain
    values nor lines (which are made from the spans); a type the key does not know is held to hold them."""
    words = set(re.findall(r"[A-Za-z_][A-Za-z_0-9.]*", declared)) - {"None", "list", "tuple", "Optional"}
    return not words <= _HOLDS_NOTHING


_HOLDS_NOTHING = frozenset({"str", "int", "float", "bool", "TextStyle", "Line", "ClassVar"})


def _described(value, elements: list[StructElement]):
    """`value` as a hashable description of everything drawing reads of it; its elements added to `elements`."""
    kind = type(value)
    if kind in _PLAIN:
        return value
    if kind is Span:
        if value.reserve is not None:
            raise _ShowsPatientValue
        return value
    if kind is StructElement:  # drawing reads its role; the rest is the tree's, written per packet
        elements.append(value)
        return "element", value.role, value.alt, value.actual_text, value.lang, value.list_numbering
    if kind is list or kind is tuple:
        return tuple([_described(item, elements) for item in value])
    if kind is LinkTarget:
        return "link", value.url, value.text, _described(value.element, elements)
    if is_dataclass(value):
        if getattr(value, "reserve", None) is not None:
            raise _ShowsPatientValue
        return kind.__name__, tuple([_links(item, elements) if name == "links" else _described(item, elements)
                                     for name in _fields(kind) for item in (getattr(value, name),)])
    raise InternalError(f"a page's key does not know a {kind.__name__}")


def _links(links, elements: list[StructElement]) -> tuple:
    """A block's link of each span: its pieces are drawn as one run where they belong to the very same link."""
    return tuple([None if link is None else (_first(links, link), _described(link, elements)) for link in links])


def _first(items, item) -> int:
    return next(index for index, other in enumerate(items) if other is item)


# Keyed by a box class: the names of its fields that drawing reads (not its memos; a callout's blocks are placed
# boxes of their own on the page). A class's, patient-free.
@lru_cache(maxsize=16)
def _fields(cls) -> tuple[str, ...]:
    return tuple(f.name for f in fields(cls) if not f.name.startswith("_") and f.name != "blocks")


class Names:
    """Elements named by where they sit on the page: the n-th element of the page's key, or a child an element
    made while the page was drawn (a Form, a write-in's Span, a printed checkbox's Figure)."""

    def __init__(self, elements: list[StructElement]):
        self._index: dict[StructElement, int] = {}
        for index, element in enumerate(elements):
            self._index.setdefault(element, index)
        self._children: dict[StructElement, tuple] = {}

    def name(self, element: StructElement) -> tuple:
        if element in self._index:
            return ("page", self._index[element])
        if element not in self._children:
            parent = self.name(element.parent)
            attrs = tuple((key, getattr(element, key)) for key in ("alt", "actual_text", "lang", "list_numbering")
                          if getattr(element, key) is not None)
            self._children[element] = ("child", parent, element.role, attrs, len(self._children))
        return self._children[element]


class Resolver:
    """Names back to this page's elements; a child is made the first time it is named, as drawing made it."""

    def __init__(self, elements: list[StructElement]):
        self._elements = elements
        self._children: dict[tuple, StructElement] = {}

    def __call__(self, name: tuple) -> StructElement:
        if name[0] == "page":
            return self._elements[name[1]]
        if name not in self._children:
            _, parent, role, attrs, _ = name
            self._children[name] = self(parent).child(role, **dict(attrs))
        return self._children[name]
