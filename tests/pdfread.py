"""Read back what a user gets from a PDF: text, glyph sizes, fonts, structure tree."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from pathlib import Path

import page as ua_validator
from pypdf import PdfReader
from pypdf.generic import IndirectObject


def conformance_failures(pdf) -> list[str]:
    """Rule ids the independent validator reports for PDF/UA-1 and for PDF/A-2a (empty: both hold)."""
    data = bytes(pdf) if isinstance(pdf, (bytes, bytearray)) else Path(pdf).read_bytes()
    failures = []
    for profile in ("ua1", ua_validator.ValidationProfile.PDF_A_2A):
        report = ua_validator.validate_pdf_bytes(data, profile=profile)
        failures += [f.rule_id for f in report.failures] or (
            [] if report.is_compliant else [f"{profile}: not compliant"])
    return failures


def reader(pdf) -> PdfReader:
    """A reader for a path, PDF bytes, or an open reader."""
    if isinstance(pdf, PdfReader):
        return pdf
    if isinstance(pdf, (bytes, bytearray)):
        return PdfReader(io.BytesIO(pdf))
    return PdfReader(str(pdf))


def text(pdf) -> str:
    return "\n".join(page.extract_text() for page in reader(pdf).pages)


# The running footer: "<clinic> · <phone>" (or the phone alone) and "Page N of M", each its own extracted line.
FOOTER_LINE = re.compile(r"(?:.+ · )?\(\d{3}\) \d{3}-\d{4}|Page \d+ of \d+|SAMPLE — not for patients")


def squeeze(value: str) -> str:
    """No white space and no footer lines: what is left must hold a value whole, across pages too."""
    return "".join(line for line in value.splitlines() if not FOOTER_LINE.fullmatch(line.strip())).replace(
        " ", "").replace("\t", "")


def page_runs(page) -> list[tuple[str, float, str, float, float, object]]:
    """Every text run with its rendered size, font, position and owning MCID ('artifact' for artifacts)."""
    stack: list = []
    runs = []

    def before(op, args, cm, tm):
        if op == b"BDC":
            tag, props = args[0], args[1]
            if tag == "/Artifact":
                stack.append("artifact")
            else:
                stack.append(props.get("/MCID") if hasattr(props, "get") else None)
        elif op == b"BMC":
            stack.append("artifact" if args[0] == "/Artifact" else None)
        elif op == b"EMC" and stack:
            stack.pop()

    def on_text(txt, cm, tm, font, size):
        if not txt.strip() or font is None:
            return  # pypdf's own line breaks, not drawn text
        scale = (abs(tm[3] * cm[3]) or abs(tm[0] * cm[0]))
        owner = next((s for s in reversed(stack) if s is not None), None)
        x = tm[4] * cm[0] + cm[4]
        y = tm[5] * cm[3] + cm[5]
        runs.append((txt, size * scale, str(font.get("/BaseFont")), x, y, owner))

    page.extract_text(visitor_operand_before=before, visitor_text=on_text)
    return runs


def runs(pdf) -> list[tuple[int, str, float, str, float, float, object]]:
    """All text runs of all pages, each with its page index first."""
    return [(i, *run) for i, page in enumerate(reader(pdf).pages) for run in page_runs(page)]


def normalized(value: str) -> str:
    return " ".join(value.split())


def mcid_texts(pdf_reader: PdfReader) -> dict[tuple[int, int], str]:
    out: dict[tuple[int, int], str] = {}
    for index, page in enumerate(pdf_reader.pages):
        for txt, _size, _font, _x, _y, owner in page_runs(page):
            if isinstance(owner, int):
                out[(index, owner)] = out.get((index, owner), "") + txt
    return out


def embedded_fonts(pdf_reader: PdfReader) -> set[str]:
    names = set()
    for page in pdf_reader.pages:
        fonts = page["/Resources"].get("/Font", {})
        for ref in fonts.values():
            names.add(str(ref.get_object()["/BaseFont"]).split("+", 1)[-1])
    return names


@dataclass
class Element:
    role: str
    kids: list["Element"] = field(default_factory=list)
    text: str = ""  # the element's own marked content
    parts: list = field(default_factory=list)  # own text and kids, in order
    mcids: list[tuple[int, int]] = field(default_factory=list)
    links: int = 0  # object references: link or widget annotations
    alt: str | None = None
    actual_text: str | None = None
    annotations: list = field(default_factory=list)  # the annotation dictionaries referenced

    def find(self, role: str) -> list["Element"]:
        found = [self] if self.role == role else []
        for kid in self.kids:
            found += kid.find(role)
        return found

    def all_text(self) -> str:
        return "".join(p if isinstance(p, str) else p.all_text() for p in self.parts)

    def roles(self) -> list[str]:
        return [self.role] + [r for k in self.kids for r in k.roles()]


def struct_tree(pdf_reader: PdfReader) -> Element:
    """The structure tree, with each element's own text read from its marked content."""
    page_index = {page.indirect_reference.idnum: i for i, page in enumerate(pdf_reader.pages)}
    texts = mcid_texts(pdf_reader)
    root = pdf_reader.trailer["/Root"]["/StructTreeRoot"]

    def build(node) -> Element:
        node = node.get_object()
        element = Element(str(node["/S"])[1:], alt=str(node["/Alt"]) if "/Alt" in node else None,
                          actual_text=str(node["/ActualText"]) if "/ActualText" in node else None)
        kids = node.get("/K", [])
        if not isinstance(kids, list):
            kids = [kids]
        for kid in kids:
            obj = kid.get_object() if isinstance(kid, IndirectObject) else kid
            if isinstance(obj, int) or obj.get("/Type") == "/MCR":
                holder, mcid = (node, obj) if isinstance(obj, int) else (obj, int(obj["/MCID"]))
                key = (page_index[holder.raw_get("/Pg").idnum], mcid)
                element.mcids.append(key)
                element.text += texts.get(key, "")
                element.parts.append(texts.get(key, ""))
            elif obj.get("/Type") == "/OBJR":
                element.links += 1
                element.annotations.append(obj["/Obj"].get_object())
            else:
                element.kids.append(build(kid))
                element.parts.append(element.kids[-1])
        return element

    top = root["/K"]
    return build(top[0] if isinstance(top, list) else top)


def fill_form(pdf: bytes, values: dict[str, str], target: Path) -> Path:
    """Tick boxes ("/Yes") and type text as a viewer does when a patient fills the form and saves it."""
    from pypdf import PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    writer.set_need_appearances_writer(False)  # the viewer draws the appearances itself (PDF/A forbids asking)
    for page in writer.pages:
        writer.update_page_form_field_values(page, values, auto_regenerate=False)
    with open(target, "wb") as handle:
        writer.write(handle)
    return target
