"""Tagged PDF: the structure tree, marked content in the page streams, and their wiring.

Composition declares one `StructElement` per logical block in a `StructTree`
(`with tree.element("LI"): ...`); a block split across pages still draws into
that one element. Drawing opens marked content with `with tagger.marked(el):`
and decoration with `with tagger.artifact():`, which always close. Elements
join their parent's kids when their first content is drawn, so kids are in
reading order and elements that draw nothing never appear.

`Tagger.write` checks the tree before any byte of it is written: no element or
marked content left open, every MCID owned by exactly one element, every piece
of content on a real page, lists made of list items, `Lbl`/`LBody` only inside
`LI`. A broken invariant raises `InternalError`: a bug, never a bad file.
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass, field

from ..errors import InternalError
from . import _reportlab

HEADINGS = tuple(f"H{n}" for n in range(1, 7))
_BLOCK_PARENTS = ("Document", "Part", "Div", "LBody")
# role -> the roles its parent may have (None: the structure tree root)
ALLOWED_PARENTS: dict[str, tuple[str | None, ...]] = {
    "Document": (None,),
    "Part": ("Document",),
    "P": _BLOCK_PARENTS,
    "L": _BLOCK_PARENTS,
    "Div": _BLOCK_PARENTS,
    **{h: _BLOCK_PARENTS for h in HEADINGS},
    "LI": ("L",),
    "Lbl": ("LI",),
    "LBody": ("LI",),
    "Link": ("P", "LBody", *HEADINGS),
    "Span": ("P", "LBody", *HEADINGS),  # a line to write on, with the words a screen reader says for it
    "Form": ("Lbl", "P", "LBody"),  # a fillable field: its widget annotation, by object reference
    # A printed checkbox, with the words a screen reader says for it; or a timeline, its steps in /Alt.
    "Figure": ("Lbl", "Div"),
    "Caption": ("Div",),  # a timeline's caption, beside its Figure in their Div
}
# roles whose kids are only other elements, never marked content of their own
_CONTAINERS = {"Document": None, "Part": None, "L": ("LI",), "LI": ("Lbl", "LBody"), "Div": None}
# roles that own an annotation (an object reference), and its subtype
_ANNOTATION_OWNERS = {"Link": "Link", "Form": "Widget"}


@dataclass(eq=False)
class MarkedContent:
    page: int
    mcid: int


@dataclass(eq=False)
class AnnotationRef:
    page: int
    annotation: object  # the annotation dictionary
    name: str  # its name in the document


@dataclass(eq=False)
class StructElement:
    role: str
    parent: "StructElement | None" = None
    alt: str | None = None
    actual_text: str | None = None
    lang: str | None = None
    list_numbering: str | None = None  # an L's /ListNumbering: Decimal, Disc or None (checkboxes)
    # A Figure's /BBox on its page (left, bottom, right, top in points), set when it is drawn: where the
    # picture is, for a reader that reflows or magnifies it (PDF/UA: a figure's layout attribute).
    bbox: tuple[float, float, float, float] | None = None
    kids: list = field(default_factory=list)
    attached: bool = False

    def child(self, role: str, **attrs) -> "StructElement":
        """A new child; it joins the tree when its first content is drawn."""
        allowed = ALLOWED_PARENTS.get(role)
        if allowed is None:
            raise InternalError(f"unknown structure role {role}")
        if self.role not in allowed:
            raise InternalError(f"{role} may not be a child of {self.role}")
        return StructElement(role, self, **attrs)

    def attach(self) -> None:
        if not self.attached and self.parent is not None:
            self.parent.attach()
            self.parent.kids.append(self)
        self.attached = True

    def elements(self) -> list["StructElement"]:
        """This element and every attached element below it, in reading order."""
        found, stack = [], [self]
        while stack:  # a loop, not recursion: a long packet's tree is deep and wide
            element = stack.pop()
            found.append(element)
            stack += [kid for kid in reversed(element.kids) if type(kid) is StructElement]
        return found


class StructTree:
    """The logical structure, declared while blocks are composed."""

    def __init__(self, language: str | None = None):
        # The document element says its language too, so a reader that walks the tree hears the right voice.
        self.root = StructElement("Document", lang=language, attached=True)
        self._open = [self.root]

    @property
    def current(self) -> StructElement:
        return self._open[-1]

    @contextmanager
    def element(self, role: str, **attrs):
        """Declare a child of the current element and make it current inside the block."""
        element = self.current.child(role, **attrs)
        self._open.append(element)
        try:
            yield element
        finally:
            if self._open.pop() is not element:
                raise InternalError(f"structure element {role} closed out of order")

    def leaf(self, role: str, **attrs) -> StructElement:
        """Declare a child of the current element that has no children of its own in composition."""
        return self.current.child(role, **attrs)

    def check_closed(self) -> None:
        if len(self._open) != 1:
            raise InternalError(f"structure element {self._open[-1].role} was never closed")


class Tagger:
    """Marks page content for the structure tree while pages are drawn, then writes the tree."""

    tagged = True  # its pages' content is marked (a shared page drawn by one is never replayed by the other)

    def __init__(self, canv, tree: StructTree):
        self._canv = canv
        self.tree = tree
        self._page_mcids: dict[int, list[StructElement]] = {}
        self._annotations: list[tuple[StructElement, AnnotationRef]] = []
        self._pages_with_annotations: set[int] = set()
        self._open: str | None = None  # the marked content being drawn, if any
        self.log: list | None = None  # while a page is recorded to be shared: who owned its marked content
        # True: the document's structure tree is a kept file's (render/assembly.py), never written from this one: a
        # page drawn says what its marked content is and who owns it (its MCIDs, the log), and adds nothing to it.
        self.tree_kept = False

    # -- drawing -----------------------------------------------------------
    def _page(self) -> int:
        return self._canv.getPageNumber() - 1

    def _sequence(self, kind: str, operator: str) -> "_Sequence":
        if self._open is not None:
            raise InternalError(f"{kind} opened inside {self._open}; marked content cannot nest")
        self._open = kind
        self._canv.addLiteral(operator)
        return _Sequence(self)

    def marked(self, element: StructElement) -> "_Sequence":
        """Everything drawn inside (`with tagger.marked(element):`) belongs to `element`."""
        mcid = self.own(element)
        return self._sequence(element.role, f"/{element.role} <</MCID {mcid}>> BDC")

    def marks_on_page(self) -> int:
        """How many marked-content sequences the page being drawn holds so far (the next one's MCID)."""
        return len(self._page_mcids.get(self._page(), ()))

    def own(self, element: StructElement) -> int:
        """The next marked content of the page belongs to `element`: its MCID. (`marked` opens it; a page drawn
        before and replayed (render/sharing.py) already holds the operators, and only says who owns them.)"""
        if element.role in _CONTAINERS:
            raise InternalError(f"{element.role} holds elements, not content of its own")
        page = self._page()
        owners = self._page_mcids.get(page)
        if owners is None:
            owners = self._page_mcids[page] = []
        mcid = len(owners)
        owners.append(element)
        if not self.tree_kept:
            if not element.attached:
                element.attach()
            element.kids.append(MarkedContent(page, mcid))
        if self.log is not None:
            self.log.append(("mark", element))
        return mcid

    def own_each(self, elements) -> int:
        """`own` for each of `elements` in turn (a replayed box's marked content, one after another): the MCID of
        the last."""
        page = self._page()
        owners = self._page_mcids.get(page)
        if owners is None:
            owners = self._page_mcids[page] = []
        log, tree = self.log, not self.tree_kept
        mcid = -1
        for element in elements:
            if element.role in _CONTAINERS:
                raise InternalError(f"{element.role} holds elements, not content of its own")
            mcid = len(owners)
            owners.append(element)
            if tree:
                if not element.attached:
                    element.attach()
                element.kids.append(MarkedContent(page, mcid))
            if log is not None:
                log.append(("mark", element))
        return mcid

    def artifact(self, kind: str = "Layout", subtype: str | None = None) -> "_Sequence":
        """Everything drawn inside (`with tagger.artifact():`) is decoration or pagination, outside the tree."""
        props = f"/Type /{kind}" + (f" /Subtype /{subtype}" if subtype else "")
        return self._sequence("Artifact", f"/Artifact <<{props}>> BDC")

    def annotate(self, element: StructElement, annotation) -> AnnotationRef:
        """Put `annotation` on the current page, owned by `element` (a Link or a Form) through /StructParent."""
        subtype = _ANNOTATION_OWNERS.get(element.role)
        if subtype is None or str(annotation["Subtype"]) != f"/{subtype}":
            raise InternalError(f"a {annotation['Subtype']} annotation may not belong to a {element.role} element")
        name = f"handoutsAnnot{len(self._annotations) + 1}"
        _reportlab.add_annotation(self._canv, name, annotation)
        element.attach()
        page = self._page()
        ref = AnnotationRef(page, annotation, name)
        element.kids.append(ref)
        self._annotations.append((element, ref))
        self._pages_with_annotations.add(page)
        return ref

    # -- checking ----------------------------------------------------------
    def check(self, page_count: int, elements: list[StructElement] | None = None) -> None:
        """Raise InternalError if the tree about to be written would be wrong (`elements`: the tree's, in order,
        when the caller has them)."""
        if self._open is not None:
            raise InternalError(f"marked content {self._open} was never closed")
        self.tree.check_closed()
        owned: dict[tuple[int, int], StructElement] = {}
        for element in self.tree.root.elements() if elements is None else elements:
            _check_nesting(element)
            for kid in element.kids:
                kind = type(kid)
                if kind is StructElement:
                    continue
                if not 0 <= kid.page < page_count:
                    raise InternalError(f"{element.role} has content on page {kid.page + 1} of {page_count}")
                if kind is MarkedContent:
                    key = (kid.page, kid.mcid)
                    if key in owned:
                        raise InternalError(f"MCID {kid.mcid} on page {kid.page + 1} belongs to two elements")
                    owned[key] = element
        for page, owners in self._page_mcids.items():
            for mcid, element in enumerate(owners):
                if owned.get((page, mcid)) is not element:
                    raise InternalError(f"MCID {mcid} on page {page + 1} is not in its element")
        if len(owned) != sum(len(owners) for owners in self._page_mcids.values()):
            raise InternalError("the structure tree holds marked content that was never drawn")

    # -- writing -----------------------------------------------------------
    def write(self) -> None:
        """Add the structure tree and its wiring to the canvas's document (after the last page)."""
        if self.tree_kept:
            raise InternalError("a document written from a kept file has the kept file's structure tree")
        canv = self._canv
        page_count = _reportlab.page_count_written(canv)
        elements = self.tree.root.elements()
        self.check(page_count, elements)
        root, *objects = _reportlab.reserve_objects(canv, 1 + len(elements))
        # Keyed by the elements themselves (held for the dictionary's life, so no key can stand for another).
        numbers: dict[StructElement | None, int] = {element: number for element, (_, number) in zip(elements, objects)}
        numbers[None] = root[1]  # the Document element's parent is the StructTreeRoot
        page_refs = [f"{number} 0 R" for number in _reportlab.page_numbers(canv)]
        for element, (obj, _) in zip(elements, objects):
            obj.data = self._element_bytes(element, numbers, page_refs)

        nums = []
        for index in range(page_count):
            _reportlab.set_page_entry(canv, index, "StructParents", index)
            if index in self._pages_with_annotations:  # tab order follows the structure (PDF/UA 7.18.3)
                _reportlab.set_page_entry(canv, index, "Tabs", _reportlab.pdf_name("S"))
            owners = " ".join(f"{numbers[e]} 0 R" for e in self._page_mcids.get(index, []))
            nums.append(f"{index} [{owners}]")
        next_key = page_count
        for element, ref in self._annotations:
            ref.annotation["StructParent"] = next_key
            nums.append(f"{next_key} {numbers[element]} 0 R")
            next_key += 1
        root[0].data = (f"<< /Type /StructTreeRoot /K {numbers[self.tree.root]} 0 R /ParentTree << /Nums "
                        f"[{' '.join(nums)}] >> /ParentTreeNextKey {next_key} >>").encode("latin-1")
        canv.setCatalogEntry("StructTreeRoot", root[0])
        canv.setCatalogEntry("MarkInfo", _reportlab.pdf_dictionary({"Marked": "true"}))

    def _element_bytes(self, element: StructElement, numbers: dict, page_refs: list[str]) -> bytes:
        kids = []
        for kid in element.kids:
            kind = type(kid)
            if kind is StructElement:
                kids.append(f"{numbers[kid]} 0 R")
            elif kind is MarkedContent:
                kids.append(f"<< /Type /MCR /Pg {page_refs[kid.page]} /MCID {kid.mcid} >>")
            else:
                annotation = _reportlab.annotation_number(self._canv, kid.name)
                kids.append(f"<< /Type /OBJR /Pg {page_refs[kid.page]} /Obj {annotation} 0 R >>")
        text = (f"<< /Type /StructElem /S /{element.role} /P {numbers[element.parent]} 0 R "
                f"/K [{' '.join(kids)}]").encode("latin-1")
        if element.alt or element.actual_text or element.lang:
            for key, value in (("Alt", element.alt), ("ActualText", element.actual_text), ("Lang", element.lang)):
                if value:
                    text += f" /{key} ".encode() + _reportlab.pdf_string_bytes(self._canv, value)
        if element.list_numbering:
            text += f" /A << /O /List /ListNumbering /{element.list_numbering} >>".encode()
        if element.bbox:
            box = " ".join(_reportlab.number(round(value, 2)) for value in element.bbox)
            text += f" /A << /O /Layout /BBox [{box}] /Placement /Block >>".encode()
        return text + b" >>"


def _check_nesting(element: StructElement) -> None:
    allowed = ALLOWED_PARENTS.get(element.role)
    parent_role = element.parent.role if element.parent else None
    if allowed is None or parent_role not in allowed:
        raise InternalError(f"{element.role} may not be a child of {parent_role or 'the tree root'}")
    if element.role in _CONTAINERS:
        kinds = _CONTAINERS[element.role]
        for kid in element.kids:
            if not isinstance(kid, StructElement) or (kinds and kid.role not in kinds):
                shown = kid.role if isinstance(kid, StructElement) else "marked content"
                raise InternalError(f"{element.role} may not contain {shown}")
    if element.role == "L" and not element.kids:
        raise InternalError("a list (L) with no list items")
    if element.role == "Form" and (len(element.kids) != 1 or not isinstance(element.kids[0], AnnotationRef)):
        raise InternalError("a Form element must hold exactly its one widget annotation")


class _Sequence:
    """An open marked-content sequence; leaving the `with` block closes it, whatever happens inside.
    (A class, not a generator: pages open hundreds of these, and a generator costs several times more.)"""

    __slots__ = ("_tagger",)

    def __init__(self, tagger: Tagger):
        self._tagger = tagger

    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc) -> None:
        self._tagger._canv.addLiteral("EMC")
        self._tagger._open = None


class UntaggedTagger(Tagger):
    """Draws the same page content with no tags at all: the benchmark's baseline."""

    tagged = False

    @contextmanager
    def marked(self, element: StructElement):
        yield None

    def own(self, element: StructElement) -> int:
        return 0

    def own_each(self, elements) -> int:
        return 0

    @contextmanager
    def artifact(self, kind: str = "Layout", subtype: str | None = None):
        yield

    def write(self) -> None:
        pass
