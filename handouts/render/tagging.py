"""Tagged PDF: marked content in the page streams and the structure tree.

The renderer creates one StructElement per logical block before layout; a
block's flowable (and every piece it splits into) draws inside marked content
that points back to that same element. `Tagger.write` turns the tree into PDF
objects: StructTreeRoot, ParentTree, /StructParents on pages, OBJR for links.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from reportlab.pdfbase.pdfdoc import (
    PDFArray,
    PDFDictionary,
    PDFName,
    PDFObject,
    PDFPage,
    PDFString,
)


@dataclass(eq=False)
class MarkedContent:
    page: int
    mcid: int


@dataclass(eq=False)
class LinkAnnotation:
    page: int
    annotation: PDFDictionary
    name: str  # ReportLab's internal annotation name


@dataclass(eq=False)
class StructElement:
    role: str
    parent: "StructElement | None" = None
    alt: str | None = None
    actual_text: str | None = None
    lang: str | None = None
    kids: list = field(default_factory=list)
    attached: bool = False

    def child(self, role: str, **attrs) -> "StructElement":
        """A new child; it joins the tree when its first content is drawn."""
        return StructElement(role, self, **attrs)

    def attach(self) -> None:
        # Elements join their parent in drawing order, which is reading order,
        # and elements that never draw anything never appear in the tree.
        if not self.attached and self.parent is not None:
            self.parent.attach()
            self.parent.kids.append(self)
        self.attached = True


class Tagger:
    """Collects marked content and link annotations while pages are drawn."""

    def __init__(self):
        self.root = StructElement("Document", attached=True)
        self._page_mcids: dict[int, list[StructElement]] = {}
        self._links: list[tuple[StructElement, LinkAnnotation]] = []
        self._pages_with_links: set[int] = set()

    # -- drawing -----------------------------------------------------------
    def begin(self, canv, element: StructElement) -> None:
        element.attach()
        page = canv.getPageNumber() - 1
        owners = self._page_mcids.setdefault(page, [])
        mcid = len(owners)
        owners.append(element)
        element.kids.append(MarkedContent(page, mcid))
        canv._code.append(f"/{element.role} <</MCID {mcid}>> BDC")

    def end(self, canv) -> None:
        canv._code.append("EMC")

    def begin_artifact(self, canv, kind: str = "Layout", subtype: str | None = None) -> None:
        props = f"/Type /{kind}" + (f" /Subtype /{subtype}" if subtype else "")
        canv._code.append(f"/Artifact <<{props}>> BDC")

    def link(self, canv, element: StructElement, url: str, rect, text: str) -> None:
        """Add a link annotation over `rect` (current coordinates) owned by `element`."""
        action = PDFDictionary({"Type": PDFName("Action"), "S": PDFName("URI"), "URI": PDFString(url)})
        annotation = PDFDictionary({
            "Type": PDFName("Annot"),
            "Subtype": PDFName("Link"),
            "Rect": PDFArray(canv._absRect(rect, 1)),
            "Border": PDFArray([0, 0, 0]),
            "F": 4,
            "Contents": PDFString(text),
            "A": action,
        })
        canv._addAnnotation(annotation)
        element.attach()
        page = canv.getPageNumber() - 1
        ref = LinkAnnotation(page, annotation, f"NUMBER{canv._annotationCount}")
        element.kids.append(ref)
        self._links.append((element, ref))
        self._pages_with_links.add(page)

    # -- writing -----------------------------------------------------------
    def write(self, canv) -> None:
        """Add the structure tree and its wiring to the canvas's document."""
        doc = canv._doc
        pages = doc.Pages.pages
        elements = list(self._all(self.root))
        root = _RawObject()
        doc.Reference(root)
        objects = [_RawObject() for _ in elements]
        # Object numbers are fixed when an object is registered, so every
        # reference can be written out now, as plain text.
        numbers = {}
        for element, obj in zip(elements, objects):
            doc.Reference(obj)
            numbers[id(element)] = _number(doc, obj)
        numbers[id(self.root.parent)] = _number(doc, root)  # the Document element's parent is the root
        page_refs = [f"{_number(doc, page)} 0 R" for page in pages]
        for element, obj in zip(elements, objects):
            obj.data = self._element_bytes(element, numbers, page_refs, doc)

        nums = []
        for index, page in enumerate(pages):
            _set_page_entry(page, "StructParents", index)
            if index in self._pages_with_links:
                _set_page_entry(page, "Tabs", PDFName("S"))
            owners = " ".join(f"{numbers[id(e)]} 0 R" for e in self._page_mcids.get(index, []))
            nums.append(f"{index} [{owners}]")
        next_key = len(pages)
        for element, link in self._links:
            link.annotation["StructParent"] = next_key
            nums.append(f"{next_key} {numbers[id(element)]} 0 R")
            next_key += 1
        root.data = (f"<< /Type /StructTreeRoot /K {numbers[id(self.root)]} 0 R /ParentTree << /Nums "
                     f"[{' '.join(nums)}] >> /ParentTreeNextKey {next_key} >>").encode("latin-1")
        canv.setCatalogEntry("StructTreeRoot", root)
        canv.setCatalogEntry("MarkInfo", PDFDictionary({"Marked": "true"}))

    def _all(self, element: StructElement):
        yield element
        for kid in element.kids:
            if isinstance(kid, StructElement):
                yield from self._all(kid)

    @staticmethod
    def _element_bytes(element: StructElement, numbers: dict, page_refs: list[str], doc) -> bytes:
        kids = []
        for kid in element.kids:
            if isinstance(kid, StructElement):
                kids.append(f"{numbers[id(kid)]} 0 R")
            elif isinstance(kid, MarkedContent):
                kids.append(f"<< /Type /MCR /Pg {page_refs[kid.page]} /MCID {kid.mcid} >>")
            else:
                annotation = doc.idToObjectNumberAndVersion[doc.annotationName(kid.name)][0]
                kids.append(f"<< /Type /OBJR /Pg {page_refs[kid.page]} /Obj {annotation} 0 R >>")
        text = (f"<< /Type /StructElem /S /{element.role} /P {numbers[id(element.parent)]} 0 R "
                f"/K [{' '.join(kids)}]").encode("latin-1")
        for key, value in (("Alt", element.alt), ("ActualText", element.actual_text), ("Lang", element.lang)):
            if value:
                text += f" /{key} ".encode() + PDFString(value).format(doc)
        return text + b" >>"


def _number(doc, obj) -> int:
    return doc.idToObjectNumberAndVersion[obj.__InternalName__][0]


class _RawObject(PDFObject):
    """A PDF object written as prepared bytes: far faster than nested PDFDictionary."""

    data = b""

    def format(self, document) -> bytes:
        return self.data


def _set_page_entry(page: PDFPage, key: str, value) -> None:
    # PDFPage writes only the keys it lists; extend the list for this page.
    if key not in page.__NoDefault__:
        page.__NoDefault__ = [*page.__NoDefault__, key]
    setattr(page, key, value)


class UntaggedTagger(Tagger):
    """Draws the same page content with no tags at all: the benchmark's baseline."""

    def begin(self, canv, element: StructElement) -> None:
        pass

    def end(self, canv) -> None:
        pass

    def begin_artifact(self, canv, kind: str = "Layout", subtype: str | None = None) -> None:
        pass

    def link(self, canv, element: StructElement, url: str, rect, text: str) -> None:
        canv.linkURL(url, rect, relative=1, thickness=0)

    def write(self, canv) -> None:
        pass
