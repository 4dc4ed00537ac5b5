"""Pages drawn once per process and reused: most of a packet's pages are the same for every patient.

A page is keyed by everything its drawing depends on: each placed box's position, size, style, label,
structure role, links, bookmarks and the very line objects it shows (line breaking is memoized, so the
same text at the same size and width is the same object; the recording keeps those objects alive, so
their identity cannot be taken by another). The first time a key is drawn, the drawing is recorded: the
content operators, the order in which elements own marked content, and the calls that add objects
(annotations, bookmarks), with the elements named by where they sit on the page. Another packet's page
with the same key replays them against its own elements: the same operators, the same calls in the
same order, so the same bytes a fresh drawing makes (tests compare).

Text is the one thing a page's key cannot see: font codes are given per document in the order characters
are first drawn, so a patient's "ë" on the opening page moves the codes of later characters. A recording
therefore notes the codes of every character it drew and the faces' state before it; it is replayed only
when they hold in the document at hand (else the page is drawn afresh).
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass

from . import _reportlab
from .boxes import CalloutBox, TextBlock
from .paginate import Page, Placed

MOST_PAGES = 512  # recordings kept per process: every page of every document, layout and language in a batch


@dataclass(frozen=True)
class FontCheck:
    face: str
    name: str | None  # the face's name in the document (F1, ...) before the page; None: not used yet
    next_code: int  # the next code it would give, before the page
    codes: tuple[tuple[int, int], ...]  # (character, code) of each non-ASCII character drawn
    new: str  # the characters the page gave codes to, in the order it did


@dataclass(frozen=True)
class FontRecord:
    fonts_named: int  # how many fonts the document had named before the page
    registered: tuple[str, ...]  # faces the page named, in order (F3, then F4)
    checks: tuple[FontCheck, ...]


@dataclass(frozen=True)
class Recording:
    code: tuple[str, ...]
    events: tuple[tuple, ...]  # ("mark", ref), ("annotate", ref, kind, args), ("bookmark", kind, left, top, ...)
    fonts: FontRecord
    keep_alive: tuple  # the line objects whose identity the key holds


class PageMemo:
    """Recordings by page key, the least recently used dropped first."""

    def __init__(self, most: int = MOST_PAGES):
        self._kept: OrderedDict[tuple, Recording] = OrderedDict()
        self._most = most

    def get(self, key: tuple) -> Recording | None:
        found = self._kept.get(key)
        if found is not None:
            self._kept.move_to_end(key)
        return found

    def put(self, key: tuple, recording: Recording) -> None:
        self._kept[key] = recording
        while len(self._kept) > self._most:
            self._kept.popitem(last=False)

    def clear(self) -> None:
        self._kept.clear()


PAGES = PageMemo()


def flattened(page: Page) -> list[Placed]:
    """Every placed box of the page in drawing order, a callout's inner boxes after it."""
    found: list[Placed] = []

    def visit(placed: Placed) -> None:
        found.append(placed)
        for inner in placed.inner:
            visit(inner)

    for placed in page.placed:
        visit(placed)
    return found


def page_key(placed_boxes: list[Placed], context: tuple) -> tuple[tuple, tuple]:
    """(key, the line objects it names by identity)."""
    parts, lines_held = [context], []
    for placed in placed_boxes:
        box = placed.box
        if isinstance(box, CalloutBox):
            parts.append(("callout", placed.x, placed.y, placed.width, placed.height, box.border_colour,
                          box.border_width, box.padding, box.element.role))
            continue
        whole, start = box.line_origin or (placed.lines, 0)
        lines_held.append(whole)
        style, label = box.style, box.label
        parts.append((
            placed.x, placed.y, placed.width, placed.height, box.element.role,
            style.size, style.leading, style.colour, style.fonts.typeface, box.indent, box.label_indent,
            None if label is None else (label.kind, label.text, label.checked, label.size, label.name, label.spoken),
            box.write_in, box.write_in_name, box.write_in_text, box.destination, box.outline,
            id(whole), start, len(placed.lines),
            tuple(None if t is None else (t.url, t.text) for t in box.links),
        ))
    return tuple(parts), tuple(lines_held)


# -- naming elements by where they sit on the page --------------------------------------------------------

def element_names(placed_boxes: list[Placed]) -> dict[int, tuple]:
    """id(element) -> its place: ("box", i), ("label", i) or ("link", i, k)."""
    names: dict[int, tuple] = {}
    for i, placed in enumerate(placed_boxes):
        box = placed.box
        names[id(box.element)] = ("box", i)
        if isinstance(box, TextBlock):
            if box.label is not None:
                names[id(box.label.element)] = ("label", i)
            for k, target in enumerate(box.links):
                if target is not None and id(target.element) not in names:
                    names[id(target.element)] = ("link", i, k)
    return names


def name_of(element, names: dict[int, tuple]) -> tuple:
    """An element's place; one made while drawing (a Form, Span or Figure) by its parent's place."""
    found = names.get(id(element))
    if found is not None:
        return found
    attrs = tuple((key, getattr(element, key)) for key in ("alt", "actual_text", "lang", "list_numbering")
                  if getattr(element, key) is not None)
    return ("child", name_of(element.parent, names), element.role, attrs)


class Resolver:
    """Places back to the elements of the page being drawn; a child is made the first time it is named."""

    def __init__(self, placed_boxes: list[Placed]):
        self._boxes = placed_boxes
        self._children: dict[tuple, object] = {}

    def __call__(self, name: tuple):
        kind = name[0]
        if kind == "box":
            return self._boxes[name[1]].box.element
        if kind == "label":
            return self._boxes[name[1]].box.label.element
        if kind == "link":
            return self._boxes[name[1]].box.links[name[2]].element
        if name not in self._children:
            _, parent, role, attrs = name
            self._children[name] = self(parent).child(role, **dict(attrs))
        return self._children[name]


# -- fonts ------------------------------------------------------------------------------------------------

def font_states(canv, faces: tuple[str, ...]) -> tuple[int, dict[str, tuple]]:
    return _reportlab.fonts_named(canv), {face: _reportlab.font_state(canv, face) for face in faces}


def font_key(states: tuple[int, dict[str, tuple]]) -> tuple:
    """The fonts' state in brief: how many are named, and each face's name and next code."""
    named, faces = states
    return named, tuple((face, name, next_code) for face, (name, next_code, _) in faces.items())


def font_record(canv, faces: tuple[str, ...], before: tuple[int, dict], drawn: dict[str, set[int]]) -> FontRecord:
    named, states = before
    checks, registered = [], []
    for face in faces:
        name, next_code, assignments = states[face]
        after_name, _, after = _reportlab.font_state(canv, face)
        if name is None and after_name is not None:
            registered.append((after_name, face))
        new = "".join(chr(char) for char, code in sorted(after.items(), key=lambda pair: pair[1])
                      if char not in assignments)
        codes = tuple(sorted((char, after[char]) for char in drawn.get(face, ())))
        checks.append(FontCheck(face, name, next_code, codes, new))
    order = tuple(face for _, face in sorted(registered, key=lambda pair: int(pair[0].lstrip("F"))))
    return FontRecord(named, order, tuple(checks))


def fonts_hold(canv, record: FontRecord) -> bool:
    """Whether the page's text gets the recorded codes in this document (checked before anything changes)."""
    if _reportlab.fonts_named(canv) != record.fonts_named:
        return False
    for check in record.checks:
        name, next_code, assignments = _reportlab.font_state(canv, check.face)
        if name != check.name or next_code != check.next_code:
            return False
        if any(ord(char) in assignments for char in check.new):
            return False
        if any(assignments.get(char) != code for char, code in check.codes if chr(char) not in check.new):
            return False
    return True


def apply_fonts(canv, record: FontRecord) -> None:
    """Name the faces and give the codes the recorded page did, in its order."""
    for face in record.registered:
        _reportlab.ascii_font_resource(canv, face)
    for check in record.checks:
        if check.new:
            _reportlab.font_runs(canv, check.face, check.new)


def drawn_characters(placed_boxes: list[Placed]) -> dict[str, set[int]]:
    """The non-ASCII characters each face draws on the page (the labels' included)."""
    found: dict[str, set[int]] = {}
    for placed in placed_boxes:
        box = placed.box
        if not isinstance(box, TextBlock):
            continue
        label = box.label
        if label is not None and label.kind == "text" and not label.text.isascii():
            face = box.style.fonts.face_for(label.text, False)
            found.setdefault(face, set()).update(ord(ch) for ch in label.text if ord(ch) > 127)
        for line in placed.lines:
            for piece in line.pieces:
                if not piece.text.isascii():
                    found.setdefault(piece.face, set()).update(ord(ch) for ch in piece.text if ord(ch) > 127)
    return found
