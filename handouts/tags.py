"""Tagged PDF: marked content in the page streams and the structure tree.

The renderer creates one StructElement per logical block before layout; a
block's flowable (and every piece it splits into) draws inside marked content
that points back to that same element. `Tagger.write` turns the tree into PDF
objects: StructTreeRoot, ParentTree, /StructParents on pages, OBJR for links.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from reportlab.pdfbase.pdfdoc import PDFArray, PDFDictionary, PDFName, PDFObjectReference, PDFPage, PDFString


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

    def __init__(self, language: str):
        self.root = StructElement("Document", attached=True)
        self.language = language
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
        refs: dict[int, PDFObjectReference] = {}
        root_dict = PDFDictionary({"Type": PDFName("StructTreeRoot")})
        root_ref = doc.Reference(root_dict)

        def page_ref(index: int) -> PDFObjectReference:
            return PDFObjectReference(f"Page{index + 1}")

        def build(element: StructElement, parent_ref) -> PDFObjectReference:
            d = PDFDictionary({"Type": PDFName("StructElem"), "S": PDFName(element.role), "P": parent_ref})
            ref = doc.Reference(d)
            refs[id(element)] = ref
            kids = []
            for kid in element.kids:
                if isinstance(kid, StructElement):
                    kids.append(build(kid, ref))
                elif isinstance(kid, MarkedContent):
                    kids.append(PDFDictionary({"Type": PDFName("MCR"), "Pg": page_ref(kid.page), "MCID": kid.mcid}))
                else:
                    kids.append(PDFDictionary({"Type": PDFName("OBJR"), "Pg": page_ref(kid.page),
                                               "Obj": doc.refAnnotation(kid.name)}))
            d["K"] = PDFArray(kids)
            for key, value in (("Alt", element.alt), ("ActualText", element.actual_text), ("Lang", element.lang)):
                if value:
                    d[key] = PDFString(value)
            return ref

        root_dict["K"] = build(self.root, root_ref)

        nums: list = []
        for index, page in enumerate(pages):
            _set_page_entry(page, "StructParents", index)
            if index in self._pages_with_links:
                _set_page_entry(page, "Tabs", PDFName("S"))
            owners = self._page_mcids.get(index, [])
            nums += [index, PDFArray([refs[id(e)] for e in owners])]
        next_key = len(pages)
        for element, link in self._links:
            link.annotation["StructParent"] = next_key
            nums += [next_key, refs[id(element)]]
            next_key += 1
        root_dict["ParentTree"] = PDFDictionary({"Nums": PDFArray(nums)})
        root_dict["ParentTreeNextKey"] = next_key
        canv.setCatalogEntry("StructTreeRoot", root_dict)
        canv.setCatalogEntry("MarkInfo", PDFDictionary({"Marked": "true"}))


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
