"""The one place that reaches into ReportLab below its documented API.

ReportLab writes the pages, fonts and objects; it has no tagged-PDF support,
so structure trees, link annotations with /StructParent, exact file IDs and
per-subset text operators need a few of its internals. Each use below says
why. `CONTRACT` lists every internal name relied on; the contract test fails
with a clear message when a ReportLab release removes or changes one, and
`pyproject.toml` pins ReportLab to the releases it was tested with.
"""

from __future__ import annotations

import io
import itertools
from collections import OrderedDict
from datetime import datetime, timezone
from functools import lru_cache

from reportlab import rl_config
from reportlab.lib.rl_accel import fp_str
from reportlab.pdfbase import pdfdoc, pdfmetrics, ttfonts
from reportlab.pdfbase.pdfdoc import PDFArray, PDFDictionary, PDFName, PDFObject, PDFStream, PDFString
from reportlab.pdfgen.canvas import Canvas

TESTED_RELEASES = ">=5.1,<5.2"  # keep in step with pyproject.toml

# (where, attribute, what handouts uses it for); `where` names an object made in `contract_breaks`.
CONTRACT = (
    ("Canvas", "_addAnnotation", "annotations (links, form fields) carrying /StructParent"),
    ("Canvas", "_doc", "the document behind a canvas"),
    ("Canvas", "_bookmarkReference", "links to where a packet's document starts"),
    ("Canvas", "_escape", "escaping PDF strings drawn with raw text operators"),
    ("PDFDocument", "Reference", "registering structure-tree objects"),
    ("PDFDocument", "annotationName", "finding a link annotation's object"),
    ("PDFDocument", "idToObjectNumberAndVersion", "object numbers for prepared structure bytes"),
    ("PDFDocument", "Pages", "the finished pages, to add /StructParents and /Tabs"),
    ("PDFDocument", "_ID", "a file ID derived from the inputs (byte-identical reruns)"),
    ("PDFDocument", "_timeStamp", "creation dates from SOURCE_DATE_EPOCH"),
    ("PDFPage", "__NoDefault__", "the page keys written: /StructParents and /Tabs"),
    ("PDFCatalog", "__NoDefault__", "the catalog keys written: /OutputIntents"),
    ("ttfonts", "makeToUnicodeCMap", "ToUnicode maps without U+0000 entries (PDF/UA)"),
    ("TTFont", "getSubsetInternalName", "font resource names for raw text operators"),
    ("TTFont", "splitString", "text split by glyph subset for raw text operators"),
    ("TTFontFace", "makeSubset", "building each glyph subset once per process"),
    ("TTFontFace", "charToGlyph", "which characters a face can draw"),
    ("rl_config", "useA85", "Flate-only streams"),
    ("ttfonts", "SUBSETN", "distinct, stable font subset tags"),
    ("PDFStream", "format", "an end-of-line before 'endstream' (PDF/A)"),
    ("pdfdoc", "PDFZCompress", "compressing each repeated stream (font subsets, ICC profile) once"),
    ("Canvas", "_code", "recording a reused page's content operators and appending them again"),
    ("TTFont", "state", "font codes per document: a reused page is replayed only where they hold"),
    ("PDFDocument", "fontMapping", "how many fonts a document has named (the next name)"),
    ("PDFDictionary", "format", "writing dictionaries faster, the same bytes"),
    ("PDFArray", "format", "writing arrays faster, the same bytes"),
)


def contract_breaks(font_path) -> list[str]:
    """What this ReportLab lacks of `CONTRACT` (checked on real objects); empty when all is there."""
    canv = Canvas(io.BytesIO())
    font = ttfonts.TTFont("HandoutsContractProbe", str(font_path))
    subjects = {"Canvas": canv, "PDFDocument": canv._doc if hasattr(canv, "_doc") else None,
                "PDFPage": pdfdoc.PDFPage(), "ttfonts": ttfonts, "TTFont": font, "TTFontFace": font.face,
                "rl_config": rl_config, "PDFStream": PDFStream, "pdfdoc": pdfdoc, "PDFDictionary": PDFDictionary,
                "PDFArray": PDFArray,
                "PDFCatalog": pdfdoc.PDFCatalog}
    timestamp = getattr(subjects["PDFDocument"], "_timeStamp", None)
    missing = [f"{where}.{name} ({purpose})" for where, name, purpose in CONTRACT
               if not hasattr(subjects[where], name)]
    if timestamp is not None and not all(hasattr(timestamp, key) for key in ("t", "lt", "YMDhms", "dhh", "dmm")):
        missing.append("PDFDocument._timeStamp fields t, lt, YMDhms, dhh, dmm (creation dates)")
    return missing


_prepared = False


def prepare() -> None:
    """Apply handouts' ReportLab settings; called when a renderer is made, never at import."""
    global _prepared
    if _prepared:
        return
    # Flate alone: ASCII85 on top makes streams 25% larger and costs time, for no reader's benefit.
    rl_config.useA85 = 0
    # ReportLab maps a subset's unused codes to U+0000, which PDF/UA forbids.
    ttfonts.makeToUnicodeCMap = _to_unicode_cmap
    # ReportLab tags every font's first subset AAAAAA+; tags must tell subsets apart (and stay stable).
    ttfonts.SUBSETN = _next_subset_tag
    # PDF/A wants an end-of-line before 'endstream'; ReportLab writes none (Length stays the data's).
    # CR LF, not LF: data that ends in a CR byte must not read as ending in a CR LF of its own.
    stream_format = PDFStream.format

    def format_with_eol(self, document):
        data = stream_format(self, document)
        return data[:-len(b"endstream\n")] + b"\r\nendstream\n" if data.endswith(b"endstream\n") else data

    PDFStream.format = format_with_eol
    # Every packet embeds the same font subsets, ICC profile and many of the same pages: compress each once.
    pdfdoc.PDFZCompress.encode = _memoized_compress(pdfdoc.PDFZCompress.encode)
    # ReportLab's generic formatter makes most of a packet's write time; these give the same bytes sooner.
    PDFDictionary.format = _dictionary_format
    PDFArray.format = _array_format
    _prepared = True


def zlib_compress(data) -> bytes:
    """ReportLab's own Flate encoder, without the memo (the instance attribute shadows the class's)."""
    return type(pdfdoc.PDFZCompress).encode(pdfdoc.PDFZCompress, data)


def _memoized_compress(compress, smallest: int = 1024, most: int = 16 << 20):
    """`compress`, remembering its output for large inputs (str and bytes hash once; a lookup is far cheaper)."""
    made: dict[str | bytes, bytes] = {}
    held = 0

    def encode(data):
        nonlocal held
        if len(data) < smallest:
            return compress(data)
        out = made.get(data)
        if out is None:
            out = made[data] = compress(data)
            held += len(data) + len(out)
            if held > most:  # a bound, not a policy: a long batch never holds more than this
                made.clear()
                held = 0
        return out

    return encode


_subset_tags = iter(())


def _next_subset_tag(n: int) -> bytes:
    """The next subset tag of the document being saved: AAAAAA, AAAAAB, ... in the order fonts are written."""
    number = next(_subset_tags)
    letters = []
    for _ in range(6):
        number, digit = divmod(number, 26)
        letters.append(chr(ord("A") + digit))
    return "".join(reversed(letters)).encode("ascii")


def save(canv: Canvas) -> None:
    """Write the document; subset tags count from the start for each document, so reruns match."""
    global _subset_tags
    _subset_tags = itertools.count()
    canv.save()


def _to_unicode_cmap(fontname: str, subset: list[int]) -> str:
    """ReportLab's ToUnicode CMap, less the entries for unused codes (never drawn, so never needed)."""
    return _cmap(fontname, tuple(subset))


@lru_cache(maxsize=256)  # every packet embeds the same few subsets
def _cmap(fontname: str, subset: tuple[int, ...]) -> str:
    used = [f"<{code:02X}> <{uni:04X}>" for code, uni in enumerate(subset) if uni]
    blocks = []
    for start in range(0, len(used), 100):  # a CMap allows 100 entries per block
        chunk = used[start:start + 100]
        blocks += [f"{len(chunk)} beginbfchar", *chunk, "endbfchar"]
    return "\n".join([
        "/CIDInit /ProcSet findresource begin", "12 dict begin", "begincmap",
        f"/CIDSystemInfo << /Registry ({fontname}) /Ordering ({fontname}) /Supplement 0 >> def",
        f"/CMapName /{fontname} def", "/CMapType 2 def",
        "1 begincodespacerange", f"<00> <{len(subset) - 1:02X}>", "endcodespacerange",
        *blocks,
        "endcmap", "CMapName currentdict /CMap defineresource pop", "end", "end",
    ])


# -- canvas ------------------------------------------------------------------

def new_canvas(buffer: io.BytesIO, page_size, language: str, initial_font: str, initial_size: float) -> Canvas:
    prepare()
    # The initial font goes into every page's preamble: make it ours, not an unembedded Helvetica.
    # PDF 1.7: what the tagged structure and PDF/UA-1 build on (ReportLab would say 1.4).
    return Canvas(buffer, pagesize=page_size, invariant=1, pageCompression=1, lang=language,
                  initialFontName=initial_font, initialFontSize=initial_size, pdfVersion=(1, 7))


def set_creation_time(canv: Canvas, created: datetime) -> None:
    # ReportLab stamps the clock time; the same inputs must give the same bytes.
    stamp = canv._doc._timeStamp
    stamp.t = created.timestamp()
    stamp.lt = created.astimezone(timezone.utc).timetuple()
    stamp.YMDhms = tuple(stamp.lt)[:6]
    stamp.dhh = stamp.dmm = 0


def set_file_id(canv: Canvas, digest: str) -> None:
    # ReportLab's ID hashes the clock; ours is derived from the inputs.
    canv._doc._ID = f"\n[<{digest}><{digest}>]\n".encode()


def number(value: float) -> str:
    """A number as ReportLab writes it in content streams."""
    return fp_str(value)


def destination_key(anchor: str) -> str:
    return f"handoutsPart-{anchor}"


def link_annotation(canv: Canvas, rect: tuple[float, float, float, float], target: str,
                    contents: str) -> PDFDictionary:
    """A link over `rect` (page coordinates) with a text alternative: to an address, or ("#name") to where
    the packet's document `name` starts."""
    annotation = PDFDictionary({
        "Type": PDFName("Annot"),
        "Subtype": PDFName("Link"),
        "Rect": PDFArray(list(rect)),
        "Border": PDFArray([0, 0, 0]),
        "F": 4,
        "Contents": PDFString(contents),
    })
    if target.startswith("#"):
        # The destination is bound when the document is saved, wherever its page ends up.
        annotation["Dest"] = canv._bookmarkReference(destination_key(target[1:]))
    else:
        annotation["A"] = PDFDictionary({"Type": PDFName("Action"), "S": PDFName("URI"), "URI": PDFString(target)})
    return annotation


def add_annotation(canv: Canvas, name: str, annotation: PDFDictionary) -> None:
    """Put `annotation` on the current page under `name`."""
    # linkURL and acroForm cannot add /Contents, /StructParent or embedded-font appearances, which PDF/UA
    # and PDF/A require; the annotation is made by handouts and handed to the canvas as it is.
    canv._addAnnotation(annotation, name)


def register(canv: Canvas, obj: PDFObject):
    """`obj` as an indirect object of the document (streams must be): its reference."""
    return canv._doc.Reference(obj)


def annotation_number(canv: Canvas, name: str) -> int:
    doc = canv._doc
    return doc.idToObjectNumberAndVersion[doc.annotationName(name)][0]


def page_count_written(canv: Canvas) -> int:
    return len(canv._doc.Pages.pages)


def set_page_entry(canv: Canvas, index: int, key: str, value) -> None:
    """Add `key` to a finished page's dictionary."""
    page = canv._doc.Pages.pages[index]
    # PDFPage writes only the keys it lists; extend the list for this page.
    if key not in page.__NoDefault__:
        page.__NoDefault__ = [*page.__NoDefault__, key]
    setattr(page, key, value)


def page_numbers(canv: Canvas) -> list[int]:
    """Object numbers of the finished pages, in order."""
    doc = canv._doc
    return [doc.idToObjectNumberAndVersion[page.__InternalName__][0] for page in doc.Pages.pages]


def _dictionary_format(self, document, IND=b"\n "):
    """PDFDictionary.format, the same bytes with fast paths for numbers, names, arrays and nested dictionaries
    (a packet writes a few thousand dictionary entries: pages, outline, fonts, annotations)."""
    entries = self.dict
    keys = list(entries) if isinstance(entries, OrderedDict) else sorted(entries)
    parts = [_name_bytes(key) + b" " + _value_bytes(entries[key], document) for key in keys]
    if _multiline(self):
        return b"<<\n" + IND.join(parts) + b"\n>>"
    for i in reversed(range(6, len(parts), 6)):  # as ReportLab breaks a long dictionary
        parts.insert(i, b"\n ")
    return b"<<\n" + b" ".join(parts) + b"\n>>"


def _array_format(self, document, IND=b"\n "):
    """PDFArray.format, the same bytes faster (font widths are arrays of hundreds of numbers)."""
    sequence = self.sequence
    if len(sequence) > 32 and all(type(item) is int for item in sequence):  # a font's widths: the same each packet
        return _number_array(tuple(sequence), _multiline(self))
    parts = [_value_bytes(item, document) for item in sequence]
    return _array_bytes(parts, _multiline(self), IND)


@lru_cache(maxsize=256)
def _number_array(numbers: tuple[int, ...], multiline: bool) -> bytes:
    return _array_bytes([fp_str(n).encode("ascii") for n in numbers], multiline)


def _array_bytes(parts: list[bytes], multiline: bool, IND=b"\n ") -> bytes:
    if multiline:
        return b"[ " + IND.join(parts) + b" ]"
    for i in reversed(range(10, len(parts), 10)):
        parts.insert(i, b"\n ")
    return b"[ " + b" ".join(parts) + b" ]"


def _multiline(obj) -> bool:
    return bool((obj.multiline and rl_config.pdfMultiLine) or obj.multiline == "forced")


@lru_cache(maxsize=256)
def _name_bytes(key: str) -> bytes:
    return pdfdoc.format(PDFName(key), None)


def _value_bytes(value, document) -> bytes:
    """pdfdoc.format(value, document), sooner for the common kinds."""
    kind = type(value)
    if kind is int or kind is float:
        return fp_str(value).encode("ascii")
    if kind is str:  # a name, as PDFName makes it
        return value.encode("extpdfdoc")
    if (kind is PDFDictionary or kind is PDFArray) and not hasattr(value, "__Comment__"):
        return value.format(document)
    return pdfdoc.format(value, document)


class RawObject(PDFObject):
    """A PDF object written as prepared bytes: far faster than nested PDFDictionary."""

    data = b""

    def format(self, document) -> bytes:
        return self.data


def reserve_objects(canv: Canvas, count: int) -> list[tuple[RawObject, int]]:
    """`count` new objects, each with the object number it will be written under."""
    doc = canv._doc
    out = []
    for _ in range(count):
        obj = RawObject()
        doc.Reference(obj)
        # Object numbers are fixed at registration, so references can be written as plain text now.
        out.append((obj, doc.idToObjectNumberAndVersion[obj.__InternalName__][0]))
    return out


def pdf_string_bytes(canv: Canvas, text: str) -> bytes:
    return PDFString(text).format(canv._doc)


def pdf_name(name: str) -> PDFName:
    return PDFName(name)


def pdf_dictionary(entries: dict) -> PDFDictionary:
    return PDFDictionary(entries)


def pdf_string(text: str) -> PDFString:
    return PDFString(text)


def set_catalog_entry(canv: Canvas, key: str, value) -> None:
    """A catalog entry ReportLab does not know (setCatalogEntry writes only the keys it lists)."""
    catalog = canv._doc.Catalog
    if key not in catalog.__NoDefault__:
        catalog.__NoDefault__ = [*catalog.__NoDefault__, key]
    setattr(catalog, key, value)


def output_intent(icc: bytes) -> PDFArray:
    """The sRGB output intent PDF/A needs when pages use device RGB."""
    profile = PDFStream(PDFDictionary({"N": 3}), icc)
    intent = PDFDictionary({"Type": PDFName("OutputIntent"), "S": PDFName("GTS_PDFA1"),
                            "OutputConditionIdentifier": PDFString("sRGB IEC61966-2.1"),
                            "Info": PDFString("sRGB IEC61966-2.1"), "DestOutputProfile": profile})
    return PDFArray([intent])


def xml_stream(data: bytes, entries: dict) -> PDFStream:
    """An uncompressed stream (XMP must stay readable to metadata tools)."""
    return PDFStream(PDFDictionary(entries), data, filters=None)


# -- fonts -------------------------------------------------------------------

def register_font(name: str, path) -> frozenset[int]:
    """Register a TrueType face; return the code points it can draw."""
    prepare()
    # ASCII-readable subsets: the renderer relies on printable ASCII being code = character in subset 0.
    font = ttfonts.TTFont(name, str(path), asciiReadable=True)
    _memoize_subsets(font.face)
    pdfmetrics.registerFont(font)
    return frozenset(font.face.charToGlyph)


def _memoize_subsets(face) -> None:
    """Build each distinct glyph subset once per process: packets repeat the same few."""
    build = face.makeSubset
    made: dict[tuple[int, ...], bytes] = {}

    def make_subset(subset):
        key = tuple(subset)
        if key not in made:
            if len(made) >= 256:
                made.clear()
            made[key] = build(subset)
        return made[key]

    face.makeSubset = make_subset


def text_width(text: str, face: str, size: float) -> float:
    return pdfmetrics.stringWidth(text, face, size)


@lru_cache(maxsize=64)
def _font(face: str):
    return pdfmetrics.getFont(face)


def ascii_font_resource(canv: Canvas, face: str) -> str:
    # Printable ASCII always lives in subset 0 of an ASCII-readable font.
    return _font(face).getSubsetInternalName(0, canv._doc)


def font_state(canv: Canvas, face: str) -> tuple[str | None, int, dict[int, int]]:
    """A face's name in the document (F1, ...), the next code it gives and the codes it gave characters."""
    # ReportLab keeps these in the font's per-document state; nothing public shows them. A reused page
    # is replayed only when its characters keep their codes.
    state = _font(face).state.get(canv._doc)
    return (None, -1, {}) if state is None else (state.internalName, state.nextCode, state.assignments)


def fonts_named(canv: Canvas) -> int:
    """How many fonts the document has named so far (the next one is F<n+1>)."""
    return len(canv._doc.fontMapping)


def page_code(canv: Canvas) -> list[str]:
    # The current page's content operators: a reused page's are recorded, then appended as they were.
    return canv._code


def font_subset_reference(canv: Canvas, face: str):
    """A reference to the subset of `face` that holds printable ASCII (the font a form's typing uses)."""
    return pdfdoc.PDFObjectReference(ascii_font_resource(canv, face)[1:])


def font_runs(canv: Canvas, face: str, text: str) -> list[tuple[str, str]]:
    """(font resource name, escaped codes) for each glyph-subset run of `text`."""
    font = _font(face)
    doc = canv._doc
    return [(font.getSubsetInternalName(subset, doc), canv._escape(chunk))
            for subset, chunk in font.splitString(text, doc)]
