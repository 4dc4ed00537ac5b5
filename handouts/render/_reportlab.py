"""The one place that imports ReportLab, and the one place that reaches below its documented API.

ReportLab writes the pages, fonts and objects; it has no tagged-PDF support,
so structure trees, link annotations with /StructParent, exact file IDs and
per-subset text operators need a few of its internals. Each use below says
why. `CONTRACT` lists every internal name relied on; the contract test fails
with a clear message when a ReportLab release removes or changes one, and
`pyproject.toml` pins ReportLab to the releases it was tested with.

A few of ReportLab's module-level functions and class methods must behave
otherwise while a document is written (`_patches()`, each saying why). They
are set only inside `writing()`, around one document's save (ReportLab reads
them nowhere else), one save at a time, and put back as they were when it
ends, however it ends: importing handouts changes nothing, and after a render
nothing of ReportLab is left changed (tested by identity). Every per-process
cache here is keyed by the whole content it is made from, so a hit is that
content's own result and never another patient's.
"""

from __future__ import annotations

import copy
import hashlib
import io
import itertools
import re
import threading
import zlib
from collections import OrderedDict
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime, timezone
from functools import cached_property, lru_cache
from typing import Callable

from . import _lazy_pil  # noqa: F401 - before ReportLab: PIL.Image run when first read, not at import
from reportlab import rl_config
from reportlab.lib.colors import HexColor
from reportlab.lib.rl_accel import fp_str
from reportlab.pdfbase import pdfdoc, pdfmetrics, ttfonts
from reportlab.pdfbase.pdfdoc import (PDFArray, PDFDictionary, PDFName, PDFObject, PDFObjectReference, PDFStream,
                                      PDFString)
from reportlab.pdfgen.canvas import Canvas

from ..caches import per_patient

TESTED_RELEASES = ">=5.1,<5.2"  # keep in step with pyproject.toml

# (where, attribute, what handouts uses it for); `where` names an object the contract test makes
# (tests/render/test_reportlab_adapter.py), which fails when a ReportLab release lacks one.
CONTRACT = (
    ("Canvas", "_addAnnotation", "annotations (links, form fields) carrying /StructParent"),
    ("Canvas", "_doc", "the document behind a canvas"),
    ("Canvas", "_code", "a page's content operators: recorded once, replayed for pages that show no patient value"),
    ("Canvas", "_bookmarkReference", "links to where a packet's document starts"),
    ("PDFDocument", "Reference", "registering structure-tree objects"),
    ("PDFDocument", "objectcounter", "registering structure-tree objects as Reference does, sooner"),
    ("PDFDocument", "idToObject", "the font dictionary every page shares (BasicFonts), for the text fonts"),
    ("PDFDocument", "annotationName", "finding a link annotation's object"),
    ("PDFDocument", "idToObjectNumberAndVersion", "object numbers for prepared structure bytes"),
    ("PDFDocument", "Pages", "the finished pages, to add /StructParents and /Tabs"),
    ("PDFDocument", "_ID", "a file ID derived from the inputs (byte-identical reruns)"),
    ("PDFDocument", "_timeStamp", "creation dates from SOURCE_DATE_EPOCH"),
    ("PDFPage", "__NoDefault__", "the page keys written: /StructParents and /Tabs"),
    ("PDFPage", "stream", "a finished page's content, kept compressed for the run when it shows no patient value"),
    ("PDFCatalog", "__NoDefault__", "the catalog keys written: /OutputIntents"),
    ("ttfonts", "makeToUnicodeCMap", "ToUnicode maps without U+0000 entries (PDF/UA)"),
    ("TTFontFace", "makeSubset", "building each glyph subset once per process"),
    ("TTFontFace", "charToGlyph", "which characters a face can draw"),
    ("TTFontFace", "getCharWidth", "the form font's widths"),
    ("TTFontFace", "stemV", "the form font's descriptor (with flags, ascent, descent, capHeight, bbox, italicAngle);"
     " ascent and descent also place write-in fields"),
    ("TTFontFace", "defaultWidth", "the form font's width for glyphs it has no character for"),
    ("TTFontFace", "name", "the form font's name"),
    ("TTFontFace", "filename", "the font file a glyph subset is made from (the subset memo's key)"),
    ("TTFontFace", "subfontNameX", "which face of the file a glyph subset is made from (the subset memo's key)"),
    ("rl_config", "useA85", "Flate-only streams"),
    ("ttfonts", "SUBSETN", "distinct, stable font subset tags"),
    ("PDFStream", "format", "an end-of-line before 'endstream' (PDF/A)"),
    ("pdfdoc", "PDFZCompress", "compressing each repeated stream (font subsets, ICC profile) once"),
    ("PDFDictionary", "format", "writing dictionaries faster, the same bytes"),
    ("PDFArray", "format", "writing arrays faster, the same bytes"),
    # The object-level writer (`_write_document`) walks ReportLab's object table and writes what its own loop does.
    ("PDFDocument", "format", "the whole file written by the object-level writer, the same bytes"),
    ("PDFDocument", "numberToId", "the objects to write, in number order (the writer)"),
    ("PDFDocument", "idToObject", "each object to write (the writer)"),
    ("PDFDocument", "idToOffset", "where each object starts (the writer)"),
    ("PDFDocument", "_pdfVersion", "the file's header (the writer)"),
    ("PDFDocument", "encrypt", "no encryption: the files the writer makes (ReportLab's own loop otherwise)"),
    ("PDFDocument", "defaultStreamFilters", "a stream's filters when it names none (the writer)"),
    ("PDFDocument", "ID", "the trailer's file ID (the writer)"),
    ("PDFCatalog", "__Defaults__", "the catalog's, the page tree's and a page's keys (the writer)"),
    ("PDFCatalog", "__Refs__", "which of those keys are written as references (the writer)"),
    ("PDFCatalog", "check_format", "a page's and the page tree's keys made before writing (the writer)"),
    ("pdfdoc", "PDFFile", "the file's header (the writer)"),
    ("pdfdoc", "PDFDocument", "a document of their own where a text font's objects are written once (FONT_OBJECTS)"),
    ("pdfdoc", "PDFTrailer", "the trailer (the writer)"),
    ("pdfdoc", "NoEncryption", "no encryption: the files the writer makes"),
    ("pdfdoc", "OutlineEntryObject", "an outline entry's keys (the writer)"),
    ("pdfdoc", "PDFResourceDictionary", "a page's resources: its dictionaries and ProcSet (the writer)"),
    ("rl_config", "pdfMultiLine", "how dictionaries and arrays break lines (the writer)"),
    ("rl_config", "pdfComments", "comments in the file: ReportLab's own loop writes them (the writer does not)"),
    # A file written again from its parts (render/assembly.py): the per-patient objects made on a canvas never saved.
    ("PDFDocument", "info", "the information dictionary, made for each packet written from a kept file"),
    ("PDFDocument", "Catalog", "the XMP metadata stream (the catalog's /Metadata), made likewise"),
    ("PDFPage", "Contents", "a page's content stream as check_format makes it, made likewise"),
    ("PDFPage", "hasImages", "a shown page's traits, compared with the kept file's (with XObjects, Trans, ...)"),
    ("PDFPage", "XObjects", "a shown page's forms in use, compared with the kept file's"),
    ("pdfdoc", "DummyDoc", "how a PDF string writes a patient's value, for the kept file's second guard"),
)


# -- what changes while a document is written --------------------------------------------------------------

@dataclass(frozen=True)
class Patch:
    """`owner.name` while a document is written: `make(original)` gives the value to use."""

    where: str  # how the contract and the tests name it
    owner: object  # a module, a class, or ReportLab's one Flate filter object
    name: str
    make: Callable[[object], object]
    why: str


def _patches() -> tuple[Patch, ...]:
    """The changes for one document's save, made afresh each time (the subset tags count from AAAAAA)."""
    tags = itertools.count()  # this document's own sequence: no counter is shared by two saves or threads
    return (
        Patch("rl_config.useA85", rl_config, "useA85", lambda _: 0,
              "Flate alone: ASCII85 on top makes streams 25% larger and costs time, for no reader's benefit"),
        Patch("ttfonts.makeToUnicodeCMap", ttfonts, "makeToUnicodeCMap", lambda _: _to_unicode_cmap,
              "ReportLab maps a subset's unused codes to U+0000, which PDF/UA forbids"),
        Patch("ttfonts.SUBSETN", ttfonts, "SUBSETN", lambda _: lambda n: _subset_tag(next(tags)),
              "ReportLab tags every font's first subset AAAAAA+; tags must tell subsets apart (and stay stable)"),
        Patch("PDFStream.format", PDFStream, "format", _with_eol_before_endstream,
              "PDF/A wants an end-of-line before 'endstream'; ReportLab writes none"),
        Patch("pdfdoc.PDFZCompress.encode", pdfdoc.PDFZCompress, "encode", _remembering_compress,
              "every packet embeds the same font subsets, ICC profile and many of the same pages"),
        Patch("TTFontFace.makeSubset", ttfonts.TTFontFace, "makeSubset", _remembering_subsets,
              "every packet embeds the same few glyph subsets of the same faces"),
        Patch("PDFDictionary.format", PDFDictionary, "format", lambda _: _dictionary_format,
              "ReportLab's generic formatter takes most of a packet's write time; the same bytes sooner"),
        Patch("PDFArray.format", PDFArray, "format", lambda _: _array_format,
              "font widths are arrays of hundreds of numbers; the same bytes sooner"),
        Patch("PDFDocument.format", pdfdoc.PDFDocument, "format", _document_format,
              "ReportLab's generic object loop took a quarter of a packet's CPU; the same file sooner"),
    )


# One document's save at a time while ReportLab is changed: a thread that renders meanwhile draws its pages
# (nothing there reads what is changed) and waits only to save.
_WRITING = threading.RLock()
_depth = threading.local()


@contextmanager
def writing():
    """ReportLab as handouts writes PDF, for the block's duration (one document's save); then as it was."""
    with _WRITING:
        if getattr(_depth, "n", 0):  # already inside: the changes are in place
            yield
            return
        _depth.n = 1
        applied: list[tuple[Patch, bool, object]] = []
        try:
            for patch in _patches():
                # Put back exactly what the owner held itself (not a bound method), or nothing when it
                # inherited the attribute (ReportLab's Flate filter object inherits `encode` from its class).
                own = patch.name in vars(patch.owner)
                held = vars(patch.owner).get(patch.name)
                replacement = patch.make(getattr(patch.owner, patch.name))
                applied.append((patch, own, held))
                setattr(patch.owner, patch.name, replacement)
            yield
        finally:
            for patch, own, original in reversed(applied):
                if own:
                    setattr(patch.owner, patch.name, original)
                else:
                    delattr(patch.owner, patch.name)
            _depth.n = 0


@contextmanager
def _flate_only():
    """Of the changes `writing` makes, the one a page's content stream and the XMP stream read as the object-level
    writer writes them (a page's filters are chosen by `check_format`: Flate alone); the rest are for a whole save
    (its fonts, its loop, dictionaries through ReportLab's own format) or only remember what they make."""
    with _WRITING:
        held = rl_config.useA85
        rl_config.useA85 = 0
        try:
            yield
        finally:
            rl_config.useA85 = held


def save(canv: Canvas) -> WrittenObjects | None:
    """Write the document: ReportLab reads fonts, streams and objects only now, so the changes cover this. Gives
    each object as the object-level writer wrote it (None when ReportLab's own loop wrote the file)."""
    shared: frozenset = frozenset()
    if isinstance(canv, HandoutsCanvas):
        _write_text_fonts(canv)
        shared = frozenset(canv.shared_streams)
    with writing():
        token = _SHARED_INPUTS.set(shared)
        try:
            canv.save()
        finally:
            _SHARED_INPUTS.reset(token)
    return vars(canv._doc).pop(_WRITTEN, None)


def _subset_tag(number: int) -> bytes:
    """AAAAAA, AAAAAB, ... for the 1st, 2nd, ... subset the document writes."""
    letters = []
    for _ in range(6):
        number, digit = divmod(number, 26)
        letters.append(chr(ord("A") + digit))
    return "".join(reversed(letters)).encode("ascii")


def _with_eol_before_endstream(stream_format):
    # CR LF, not LF: data that ends in a CR byte must not read as ending in a CR LF of its own. /Length stays
    # the data's own.
    def format_with_eol(self, document):
        data = stream_format(self, document)
        return data[:-len(b"endstream\n")] + b"\r\nendstream\n" if data.endswith(b"endstream\n") else data

    return format_with_eol


class ContentMemo:
    """Results of a pure function by their whole input, the input's bytes held as the key: a hit can only
    be the result of that very input (never an object's identity, never a lookalike). Bounded in bytes."""

    def __init__(self, most: int = 16 << 20):
        self.most = most  # a bound, not a policy: a long batch never holds more than this
        self._made: dict = {}
        self._held = 0

    def get(self, key, make: Callable[[], bytes], size: int, measure: Callable[[object], int] = len) -> bytes:
        out = self._made.get(key)
        if out is None:
            out = make()
            self.put(key, out, size + measure(out))
        return out

    def find(self, key):
        """What was made from `key`, or None."""
        return self._made.get(key)

    def put(self, key, made, size: int) -> None:
        """Keep `made`, the result of `key` (`size`: about how many bytes the two hold)."""
        self._made[key] = made
        self._held += size
        if self._held > self.most:
            self.clear()

    def clear(self) -> None:
        self._made.clear()
        self._held = 0


# Compressed streams by their whole uncompressed data (str or bytes, never equal to each other). A page that
# names a patient is a key here: emptied after each patient (`caches`), so it speeds up the streams one packet
# repeats and holds nothing of the last patient's. Used only while writing (under `_WRITING`).
COMPRESSED = per_patient(ContentMemo())
# Compressed page streams of pages that show no patient value (the drawer says so from the page model, before the
# page is shown: `share_page`), by their whole uncompressed data: kept for the run. A hit is the compression of
# that very data; a page showing a patient's value is never a key here, only in COMPRESSED.
SHARED_COMPRESSED = ContentMemo()
# The streams of the document being saved that may be kept for the run (its pages that show no patient value).
_SHARED_INPUTS: ContextVar[frozenset] = ContextVar("shared_inputs", default=frozenset())
# Glyph subsets (TrueType bytes) by font file, face and code points: the fonts' own data, a pure function of
# the key (which characters, never whose). Used only while writing.
SUBSETS = ContentMemo()


def _remembering_compress(compress, smallest: int = 1024):
    """`compress` (ReportLab's Flate filter), remembering its output for large inputs."""
    def encode(data):
        if len(data) < smallest:
            return compress(data)
        memo = SHARED_COMPRESSED if data in _SHARED_INPUTS.get() else COMPRESSED
        return memo.get(data, lambda: compress(data), len(data))

    return encode


def _remembering_subsets(make_subset):
    """`TTFontFace.makeSubset`, remembering each subset by the file it comes from and its characters."""
    def remembered(face, subset):
        key = (face.filename, face.subfontNameX, tuple(subset))
        return SUBSETS.get(key, lambda: make_subset(face, subset), 4 * len(subset))

    return remembered


def _to_unicode_cmap(fontname: str, subset: list[int]) -> str:
    """ReportLab's ToUnicode CMap, less the entries for unused codes (never drawn, so never needed)."""
    return _cmap(fontname, tuple(subset))


# Keyed by the subset's tag and code points, whose map this is and nothing else: a pure function of its key.
@lru_cache(maxsize=256)  # every packet embeds the same few subsets
def _cmap(fontname: str, subset: tuple[int, ...]) -> str:
    used = [f"<{code:02X}> <{uni:04X}>" for code, uni in enumerate(subset) if uni]
    info = f"/CIDSystemInfo << /Registry ({fontname}) /Ordering ({fontname}) /Supplement 0 >> def"
    return to_unicode_cmap(used, info, f"/CMapName /{fontname} def", f"<00> <{len(subset) - 1:02X}>")


def to_unicode_cmap(entries: list[str], system_info: str, name: str, code_space: str) -> str:
    """A ToUnicode CMap of `bfchar` entries ('<code> <unicode>'), 100 to a block as a CMap allows."""
    blocks = []
    for start in range(0, len(entries), 100):
        chunk = entries[start:start + 100]
        blocks += [f"{len(chunk)} beginbfchar", *chunk, "endbfchar"]
    return "\n".join([
        "/CIDInit /ProcSet findresource begin", "12 dict begin", "begincmap", system_info, name, "/CMapType 2 def",
        "1 begincodespacerange", code_space, "endcodespacerange", *blocks,
        "endcmap", "CMapName currentdict /CMap defineresource pop", "end", "end",
    ])


# -- canvas ------------------------------------------------------------------

def new_canvas(buffer: io.BytesIO, page_size, language: str, initial_font: str,
               initial_size: float) -> HandoutsCanvas:
    # The initial font goes into every page's preamble: make it ours, not an unembedded Helvetica.
    # PDF 1.7: what the tagged structure and PDF/UA-1 build on (ReportLab would say 1.4).
    return HandoutsCanvas(buffer, pagesize=page_size, invariant=1, pageCompression=1, lang=language,
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
    canv._doc._ID = _file_id_bytes(digest)


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


# Keyed by the numbers themselves (font widths): a pure function of its key.
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


def _string_bytes(string: PDFString, doc) -> bytes:
    """PDFString.format: text in printable ASCII (most of a packet's) is itself, escaped; any other, ReportLab's."""
    text = string.s
    if (type(text) is str and text.isascii() and text.isprintable() and getattr(string, "escape", 1) == 1
            and getattr(string, "enc", "auto") == "auto"):
        return b"(" + text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)").encode("ascii") + b")"
    return string.format(doc)


# Keyed by a dictionary key (a PDF name handouts or ReportLab chose): a pure function of its key.
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


# -- the object-level writer -----------------------------------------------------------------------------------
#
# ReportLab's PDFDocument.format writes each object through generic indirections (an indirect-object wrapper, a
# format function that asks each value what it is, a new dictionary for every page and outline entry); a packet's
# few hundred objects took about a quarter of its CPU. While a document is written, `_document_format` writes the
# same objects in the same order into the same file, with fast paths for the kinds a packet holds, and ReportLab's
# own `format` for any other. `tests/render/test_pdf_writer.py` compares its bytes with ReportLab's on every
# document in every layout and language and on packets.

def _document_format(original):
    """PDFDocument.format, writing each object through `_ObjectWriter`; ReportLab's own where it does what the
    writer does not (encryption, signatures, comments)."""
    def document_format(doc) -> bytes:
        if not _plain(doc):
            return original(doc)
        return _write_document(doc)

    return document_format


def _plain(doc) -> bool:
    """No encryption, no signatures and no comments: a file the writer makes exactly as ReportLab does."""
    return (type(doc.encrypt) is pdfdoc.NoEncryption and not getattr(doc, "_digiSigs", None)
            and bool(rl_config.invariant or not rl_config.pdfComments))


def _write_document(doc) -> bytes:
    """The whole file: header, every registered object in number order (objects registered while writing too),
    cross-reference table and trailer, as `PDFDocument.format` writes them."""
    catalog, info = doc.Catalog, doc.info
    doc.Reference(catalog)
    doc.Reference(info)
    numbers, objects, versions = doc.numberToId, doc.idToObject, doc.idToObjectNumberAndVersion
    offsets = doc.idToOffset
    header = pdfdoc.PDFFile(doc._pdfVersion).format(doc)
    out, offset, rows = [header], len(header), []  # rows: each object's offset and version, for the xref table
    top = _ObjectWriter(doc).top
    counter = 1
    while counter in numbers:  # an object written may register more (a stream a dictionary holds)
        oid = numbers[counter]
        obj = objects[oid]
        data = obj.data if type(obj) is RawObject else top(obj)  # most of a packet's: its structure tree
        number, version = versions[oid]
        head, end = b"%d %d obj\n" % (number, version), b"endobj\n" if data.endswith(b"\n") else b"\nendobj\n"
        offsets[oid] = offset
        rows += (offset, version)
        out += (head, data, end)  # a stream's data is not copied until the file is joined
        offset += len(head) + len(data) + len(end)
        counter += 1
    count = len(numbers)
    if counter - 1 != count:
        raise ValueError(f"counter {counter} doesn't match number to id dictionary {count}")
    out.append(_xref_table(rows, count))
    trailer = pdfdoc.PDFTrailer(startxref=offset, Size=count + 1, Root=doc.Reference(catalog),
                                Info=doc.Reference(info), Encrypt=None, ID=doc.ID())
    out.append(trailer.format(doc))
    # What each object's "N 0 obj" holds, by number (out: the header, then head, data, end a object): for a caller
    # that takes the file's objects apart again (the print job), without reading the file back.
    setattr(doc, _WRITTEN, WrittenObjects(tuple(out[2:3 * count + 1:3]), versions[catalog.__InternalName__][0]))
    return b"".join(out)


def _xref_table(rows: list[int], count: int) -> bytes:
    """The cross-reference table of `count` objects (`rows`: each one's offset and version)."""
    return b"xref\n0 %d\n0000000000 65535 f \n" % (count + 1) + _xref_rows(rows)


def _xref_rows(rows: list[int]) -> bytes:
    """Cross-reference rows (`rows`: each object's offset and version, in turn), in one formatting."""
    return (("%010d %05d n \n" * (len(rows) // 2)) % tuple(rows)).encode("ascii")


_WRITTEN = "_handouts_written"  # the document attribute `save` takes the writer's objects from


@dataclass(frozen=True)
class WrittenObjects:
    """A document's objects as the object-level writer wrote them into its file: each object's content (what
    stands between "N 0 obj" and "endobj", a stream's data and keywords included), object N at index N - 1, and
    the catalog's number. Every object's version is 0."""

    objects: tuple[bytes, ...]
    root: int
    # The numbers of the objects taken from a kept file (render/assembly.py): made from no patient value, the same
    # bytes in every packet written from that file.
    kept: frozenset[int] = frozenset()


class _ObjectWriter:
    """One document's objects as ReportLab's `format` writes them, sooner for the kinds a packet holds."""

    def __init__(self, doc):
        self.doc = doc
        self.numbers = doc.idToObjectNumberAndVersion
        self.multiline = bool(rl_config.pdfMultiLine)  # a new PDFDictionary's (ReportLab's default: multiline)
        self.values = {int: _int_bytes, float: _float_bytes, str: _str_bytes, bytes: bytes,
                       PDFObjectReference: self._reference, PDFDictionary: self._dictionary, PDFArray: self._array,
                       PDFString: self._string, pdfdoc.PDFResourceDictionary: self._resources}
        self.tops = {RawObject: _raw_data, PDFDictionary: self._dictionary, PDFStream: self._stream,
                     pdfdoc.PDFPage: self._catalog, pdfdoc.PDFCatalog: self._catalog, pdfdoc.PDFPages: self._catalog,
                     pdfdoc.OutlineEntryObject: self._outline_entry}

    def top(self, obj) -> bytes:
        """An indirect object's content (`format(obj, document, toplevel=1)`)."""
        fast = self.tops.get(type(obj))
        return fast(obj) if fast else pdfdoc.format(obj, self.doc, toplevel=1)

    def value(self, value) -> bytes:
        """A value inside an object (`format(value, document)`)."""
        return self.values.get(type(value), self._other)(value)

    def _other(self, value) -> bytes:
        """A value of a kind with no fast path."""
        if isinstance(value, PDFObject) and hasattr(value, "__RefOnly__"):  # a stream, a page: by reference
            numbers = self.numbers.get(getattr(value, "__InternalName__", None))
            return b"%d %d R" % numbers if numbers else self._reference(self.doc.Reference(value))
        return pdfdoc.format(value, self.doc)

    def _reference(self, ref) -> bytes:
        numbers = self.numbers.get(ref.name)
        return b"%d %d R" % numbers if numbers else ref.format(self.doc)  # ReportLab's error if unresolved

    def _string(self, string) -> bytes:
        return _string_bytes(string, self.doc)

    def _entries(self, entries: dict, multiline: bool) -> bytes:
        # Sorted by key (each key once: no two items compare their values), or as an OrderedDict holds them.
        items = list(entries.items()) if isinstance(entries, OrderedDict) else sorted(entries.items())
        fast, other = self.values.get, self._other
        parts = [_key_bytes(key) + fast(type(value), other)(value) for key, value in items]
        if multiline:
            return b"<<\n" + b"\n ".join(parts) + b"\n>>"
        for i in reversed(range(6, len(parts), 6)):  # as ReportLab breaks a long dictionary
            parts.insert(i, b"\n ")
        return b"<<\n" + b" ".join(parts) + b"\n>>"

    def _dictionary(self, dictionary) -> bytes:
        multiline = dictionary.multiline
        return self._entries(dictionary.dict, bool((multiline and self.multiline) or multiline == "forced"))

    def _array(self, array) -> bytes:
        sequence, multiline = array.sequence, array.multiline
        multiline = bool((multiline and self.multiline) or multiline == "forced")
        if len(sequence) > 32 and all(type(item) is int for item in sequence):  # a font's widths
            return _number_array(tuple(sequence), multiline)
        if not multiline and all(type(item) is int or type(item) is float for item in sequence):  # a box
            return b"[ " + b" \n  ".join([fp_str(*sequence[i:i + 10]).encode("ascii")
                                         for i in range(0, len(sequence), 10)]) + b" ]"
        fast, other = self.values.get, self._other
        return _array_bytes([fast(type(item), other)(item) for item in sequence], multiline)

    def _stream(self, stream) -> bytes:
        """PDFStream.format as changed while writing: the filters applied (through the memos), /Filter and
        /Length added to a copy of its dictionary, CR LF before 'endstream'."""
        entries = stream.dictionary.dict.copy()
        content = stream.content
        if content is None:
            raise ValueError("stream content not set")
        filters = stream.filters if stream.filters is not None else self.doc.defaultStreamFilters
        if filters is not None and "Filter" not in entries:
            names = []
            for applied in reversed(filters):
                content = applied.encode(content)
                names.insert(0, PDFName(applied.pdfname))
            entries["Filter"] = PDFArray(names)
        data = content if type(content) is bytes else pdfdoc.format(content, self.doc)
        entries["Length"] = len(content)
        return self._entries(entries, self.multiline) + b"\nstream\n" + data + b"\r\nendstream\n"

    def _catalog(self, catalog) -> bytes:
        """PDFCatalog.format (the catalog, the page tree, a page): its keys that are set, some by reference."""
        catalog.check_format(self.doc)
        entries = {}
        for key, default in catalog.__Defaults__.items():
            value = getattr(catalog, key, default)
            if value is not None:
                entries[key] = value
        for key in catalog.__NoDefault__:
            value = getattr(catalog, key, None)
            if value is not None:
                entries[key] = value
        for key in catalog.__Refs__:
            if key in entries:
                value = entries[key]
                numbers = self.numbers.get(getattr(value, "__InternalName__", None))
                # Registered already (the page tree, a page's parent): its reference; else registered now.
                entries[key] = b"%d %d R" % numbers if numbers else self.doc.Reference(value)
        return self._entries(entries, self.multiline)

    def _outline_entry(self, entry) -> bytes:
        entries = {"Title": PDFString(entry.Title), "Parent": entry.Parent, "Dest": entry.Dest}
        for key in ("Prev", "Next", "First", "Last", "Count"):
            value = getattr(entry, key)
            if value is not None:
                entries[key] = value
        return self._entries(entries, self.multiline)

    def _resources(self, resources) -> bytes:
        """PDFResourceDictionary.format: its non-empty dictionaries and its ProcSet."""
        entries = {}
        for key in resources.dict_attributes:
            value = getattr(resources, key)
            if not isinstance(value, dict):
                entries[key] = value
            elif value:
                entries[key] = PDFDictionary(value)
        procs = resources.ProcSet
        if not isinstance(procs, (tuple, list)):
            entries["ProcSet"] = procs
        elif procs:
            entries["ProcSet"] = PDFArray(procs)
        return self._entries(entries, self.multiline)


# Keyed by a dictionary key (a PDF name handouts or ReportLab chose): a pure function of its key.
@lru_cache(maxsize=512)
def _key_bytes(key: str) -> bytes:
    """A dictionary key and the space after it."""
    return _name_bytes(key) + b" "


def _int_bytes(value: int) -> bytes:
    """An integer as fp_str writes it: itself, where a float holds it exactly."""
    return b"%d" % value if -_EXACT < value < _EXACT else fp_str(value).encode("ascii")


_EXACT = 2 ** 53


def _float_bytes(value: float) -> bytes:
    return fp_str(value).encode("ascii")


def _raw_data(obj: RawObject) -> bytes:
    return obj.data


def _str_bytes(value: str) -> bytes:
    """A name (or other text) as `pdfdocEnc` writes it: printable ASCII is itself in ReportLab's codec."""
    return value.encode("ascii") if value.isascii() and value.isprintable() else value.encode("extpdfdoc")


def reserve_objects(canv: Canvas, count: int) -> list[tuple[RawObject, int]]:
    """`count` new objects, each with the object number it will be written under."""
    doc = canv._doc
    # Registered as PDFDocument.Reference registers a new, unnamed object (name "R" and its number), without its
    # checks for objects already registered: a structure tree's few hundred objects are all new.
    # (tests/render/test_pdf_writer.py: the same table as Reference makes.) Object numbers are fixed at
    # registration, so references can be written as plain text now.
    out = []
    for _ in range(count):
        obj = RawObject()
        out.append((obj, _register(doc, obj)))
    return out


def pdf_string_bytes(canv: Canvas, text: str) -> bytes:
    return PDFString(text).format(canv._doc)


def pdf_name(name: str) -> PDFName:
    return PDFName(name)


def pdf_dictionary(entries: dict) -> PDFDictionary:
    return PDFDictionary(entries)


def pdf_array(items: list) -> PDFArray:
    return PDFArray(items)


def pdf_string(text: str) -> PDFString:
    return PDFString(text)


def pdf_stream(entries: dict, data: bytes) -> PDFStream:
    """A stream with the document's default filters (none: appearance streams stay as written)."""
    return PDFStream(PDFDictionary(entries), data)


# -- colours -------------------------------------------------------------------

def colour(hex_colour: str):
    """A layout's "#RRGGBB" as the colour object canvas methods take."""
    return HexColor(hex_colour)


def rgb(hex_colour: str) -> tuple[float, float, float]:
    """A layout's "#RRGGBB" as the three numbers of the rg and RG operators."""
    c = HexColor(hex_colour)
    return c.red, c.green, c.blue


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
    """Register a TrueType face; return the code points it can draw (text fonts have two-byte codes: to U+FFFF)."""
    font = ttfonts.TTFont(name, str(path), asciiReadable=True)
    pdfmetrics.registerFont(font)
    return frozenset(code for code in font.face.charToGlyph if code <= 0xFFFF)


def text_width(text: str, face: str, size: float) -> float:
    return pdfmetrics.stringWidth(text, face, size)


# A registered font by its name: fonts are patient-free. What a font gives one document (its codes for the
# characters drawn, its subsets) ReportLab keeps apart per document (TTFont.state, weakly keyed by the
# document, dropped when the document's fonts are written), never in this cache.
@lru_cache(maxsize=64)
def _font(face: str):
    return pdfmetrics.getFont(face)


def vertical_metrics(face: str) -> tuple[float, float]:
    """A face's ascent and descent (positive), in ems, as its font descriptor gives them to a viewer."""
    ttface = _font(face).face
    return ttface.ascent / 1000, -ttface.descent / 1000


FORM_SUBSET_TAG = "HFORMS"  # the form font's own subset tag: ReportLab's count from AAAAAA, one per subset


def form_font(canv: Canvas, face: str, wanted: str):
    """A reference to a Type 0 font of `face` that holds the characters `wanted` (those it has) in two-byte codes
    (a simple font holds 256): the font a form's typing uses, so that a viewer can draw any of them when a patient
    fills the form and saves."""
    ttface = _font(face).face
    return _form_font(canv._doc, ttface, tuple(ord(c) for c in wanted if ord(c) in ttface.charToGlyph))


def _form_font(doc, ttface, characters: tuple[int, ...]):
    """The form font's six objects as `_form_font_objects` makes them, written once a process (`FONT_OBJECTS`)."""
    return _font_from_templates(doc, ("form", ttface.filename, ttface.subfontNameX, characters),
                                lambda into: _form_font_objects(into, ttface, characters))


def _form_font_objects(doc, ttface, characters: tuple[int, ...]) -> PDFDictionary:
    """The form font's Type 0 dictionary, its descendant, descriptor and streams registered in `doc` as they refer to
    each other (file, descriptor, CID-to-glyph map, descendant, ToUnicode map; the caller registers the font)."""
    key = (ttface.filename, ttface.subfontNameX, characters)
    data = SUBSETS.get(key, lambda: ttface.makeSubset(list(characters)), 4 * len(characters))
    glyphs = _subset_glyphs(ttface.charToGlyph, characters)  # code point -> glyph in the subset (= its CID)
    name = f"{FORM_SUBSET_TAG}+{ttface.name.decode('latin-1') if isinstance(ttface.name, bytes) else ttface.name}"
    file = PDFStream(PDFDictionary({"Length1": len(data)}), data, filters=[pdfdoc.PDFZCompress])
    descriptor = _descriptor(ttface, name, doc.Reference(file))
    # One code (CID) per character, 1, 2, ... in `wanted`'s order, even where two share a glyph (Ð and Đ):
    # a viewer finds a character's code through the ToUnicode map, which maps each code to one character.
    gids = bytes([0, 0]) + b"".join(glyphs[c].to_bytes(2, "big") for c in characters)
    widths = PDFArray([1, PDFArray([round(ttface.getCharWidth(c)) for c in characters])])
    descendant = PDFDictionary({
        "Type": PDFName("Font"), "Subtype": PDFName("CIDFontType2"), "BaseFont": PDFName(name),
        "CIDSystemInfo": PDFDictionary({"Registry": PDFString("Adobe"), "Ordering": PDFString("Identity"),
                                        "Supplement": 0}),
        "FontDescriptor": doc.Reference(descriptor), "DW": ttface.defaultWidth, "W": widths,
        "CIDToGIDMap": doc.Reference(PDFStream(PDFDictionary({}), gids, filters=[pdfdoc.PDFZCompress])),
    })
    cmap = _two_byte_cmap(tuple(enumerate(characters, start=1)))
    font = PDFDictionary({
        "Type": PDFName("Font"), "Subtype": PDFName("Type0"), "BaseFont": PDFName(name),
        "Encoding": PDFName("Identity-H"), "DescendantFonts": PDFArray([doc.Reference(descendant)]),
        "ToUnicode": doc.Reference(PDFStream(PDFDictionary({}), cmap.encode("ascii"), filters=[pdfdoc.PDFZCompress])),
    })
    return font


def _descriptor(ttface, name: str, font_file) -> PDFDictionary:
    """A subset's font descriptor: the face's metrics, under the subset's name."""
    return PDFDictionary({
        "Type": PDFName("FontDescriptor"), "FontName": PDFName(name),
        "Flags": (ttface.flags & ~32) | 4,  # symbolic, as ReportLab marks its subsets
        "Ascent": ttface.ascent, "Descent": ttface.descent, "CapHeight": ttface.capHeight,
        "FontBBox": PDFArray(list(ttface.bbox)), "ItalicAngle": ttface.italicAngle, "StemV": ttface.stemV,
        "FontFile2": font_file,
    })


def _subset_glyphs(char_to_glyph: dict, characters: tuple[int, ...]) -> dict[int, int]:
    """Each character's glyph number in `TTFontFace.makeSubset(characters)`: 0 is .notdef, then each new glyph in
    the order first met (composite glyphs' parts come after all of them)."""
    numbers: dict[int, int] = {0: 0}
    out = {}
    for code in characters:
        out[code] = numbers.setdefault(char_to_glyph.get(code, 0), len(numbers))
    return out


# Keyed by the (glyph, code point) pairs it maps: a pure function of its key.
@lru_cache(maxsize=8)
def _two_byte_cmap(pairs: tuple[tuple[int, int], ...]) -> str:
    entries = [f"<{glyph:04X}> <{code:04X}>" for glyph, code in pairs if glyph]
    return to_unicode_cmap(entries, "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def",
                           "/CMapName /Adobe-Identity-UCS def", "<0000> <FFFF>")


# -- the text faces: each character's code is its own code point ---------------------------------------------------
#
# ReportLab's subsets give a character the next free code the first time a document draws it, so a patient's name on
# page 1 would change the codes, and so the bytes, of every later page. Text is drawn instead in one Type 0 font a
# face (Identity-H), whose two-byte code for a character is the character's own code point: a page's bytes depend
# on its own text alone. The font holds the characters the document drew, and is written when it is saved.

class HandoutsCanvas(Canvas):
    """A canvas that keeps, for each face, the characters drawn with `text_run` (its fonts are written on save)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.drawn: dict[str, set[int]] = {}  # face -> code points drawn in it
        self.font_numbers: list[tuple[str, tuple[int, ...]]] = []  # each text font's face and objects, once saved
        self.shared_streams: set[str] = set()  # content of the pages that show no patient value
        self._sharing = False  # the page being drawn shows no patient value

    def showPage(self):
        sharing, self._sharing = self._sharing, False
        super().showPage()
        if sharing:
            self.shared_streams.add(self._doc.Pages.pages[-1].stream)


def code_length(canv: Canvas) -> int:
    """How many pieces of content the page being drawn holds so far."""
    return len(canv._code)


def code_since(canv: Canvas, start: int) -> tuple[str, ...]:
    """The page's content operators added since it held `start` pieces."""
    return tuple(canv._code[start:])


def add_code(canv: Canvas, code: tuple[str, ...]) -> None:
    """Content operators, as recorded, onto the page being drawn."""
    canv._code.extend(code)


def take_characters(canv: HandoutsCanvas) -> dict[str, set[int]]:
    """The characters drawn so far in each face; the canvas starts counting afresh."""
    drawn, canv.drawn = canv.drawn, {}
    return drawn


def add_characters(canv: HandoutsCanvas, drawn: dict) -> None:
    """Characters drawn in each face (the text fonts hold them)."""
    for face, codes in drawn.items():
        canv.drawn.setdefault(face, set()).update(codes)


def share_page(canv: HandoutsCanvas) -> None:
    """The page being drawn shows no patient value (the drawer knows it from the page model): its compressed
    stream may be kept for the run."""
    canv._sharing = True


def text_run(canv: HandoutsCanvas, face: str, text: str) -> tuple[str, str]:
    """(font resource, string operand) that show `text` in `face`: 'resource size Tf operand Tj'."""
    canv.drawn.setdefault(face, set()).update(map(ord, text))
    return _resource(face), f"<{text.encode('utf-16-be').hex()}>"


# Keyed by a registered face's name: a font's.
@lru_cache(maxsize=64)
def _resource(face: str) -> str:
    return "/H" + "".join(ch for ch in face if ch.isascii() and ch.isalnum())


def _write_text_fonts(canv: HandoutsCanvas) -> None:
    """Each face's font, with the characters the document drew in it, in the fonts every page names."""
    doc = canv._doc
    shared = doc.idToObject["BasicFonts"].dict
    canv.font_numbers = []
    for face in sorted(canv.drawn):
        first = doc.objectcounter + 1
        shared[_resource(face)[1:]] = _text_font(doc, _font(face).face, _font_codes(face, canv.drawn[face]))
        canv.font_numbers.append((face, tuple(range(first, doc.objectcounter + 1))))


def _font_codes(face: str, drawn: set[int]) -> tuple[int, ...]:
    """The code points a text font of `face` holds when the document drew `drawn` in it. Printable ASCII always, as
    ReportLab's first subset of a face holds it: a name in plain letters brings no character of its own, and the
    font is the same for every patient."""
    return tuple(sorted(drawn | _printable(face)))


# Keyed by a registered face's name: the printable ASCII its font file draws, a font's.
@lru_cache(maxsize=64)
def _printable(face: str) -> frozenset[int]:
    ttface = _font(face).face
    return frozenset(code for code in range(32, 127) if code in ttface.charToGlyph)


def _text_font(doc, ttface, codes: tuple[int, ...]):
    """A reference to a Type 0 font of `ttface` holding `codes`, each character's CID its code point (Identity-H):
    its six objects as `_text_font_objects` makes them, written once a process (`FONT_OBJECTS`) and given this
    document's object numbers."""
    if codes and codes[-1] > 0xFFFF:
        raise ValueError("a character beyond U+FFFF has no two-byte code")  # coverage stops at U+FFFF: a bug
    return _font_from_templates(doc, (ttface.filename, ttface.subfontNameX, codes),
                                lambda into: _text_font_objects(into, ttface, codes))


def _font_from_templates(doc, key: tuple, make: Callable) -> PDFObjectReference:
    """A font's six objects (`make(doc)` registers five and gives the sixth, the font) as written once a process,
    under `doc`'s numbers: a reference to the font."""
    templates = _kept_font_templates(key, make)
    if templates is None:  # a reference where none was looked for: written as objects, as ReportLab would
        return doc.Reference(make(doc))
    objects = [RawObject() for _ in templates]
    numbers = [_register(doc, obj) for obj in objects]
    for obj, data in zip(objects, _numbered(templates, numbers)):
        obj.data = data
    return PDFObjectReference(objects[-1].__InternalName__)


def _kept_font_templates(key: tuple, make: Callable) -> tuple[tuple, ...] | None:
    """A font's six objects as written once a process (`FONT_OBJECTS`), made now if need be."""
    templates = FONT_OBJECTS.find(key)
    if templates is None:
        templates = _font_templates(make)
        if templates is not None:
            FONT_OBJECTS.put(key, templates, sum(len(part) for template in templates for part in template
                                                 if type(part) is bytes))
    return templates


def _numbered(templates: tuple[tuple, ...], numbers: list[int] | tuple[int, ...]) -> list[bytes]:
    """A font's six objects' contents, where they refer to each other under `numbers`."""
    return [b"".join(part if type(part) is bytes else b"%d 0 R" % numbers[part] for part in template)
            for template in templates]


# A text font's or the form font's six objects (font file, descriptor, CID-to-glyph map, descendant font, ToUnicode
# map, Type 0 font) as written, each a list of bytes and, where it refers to another of the six, that one's index: by
# font file, face and code points (and "form" for the form font's), a font's own data (which characters, never whose).
FONT_OBJECTS = ContentMemo()
_MARK = 987_654_320  # object numbers no document reaches: where the font's objects refer to each other
_MARKED = re.compile(rb"98765432([1-6]) 0 R")
_FONT_REFERENCES = (0, 1, 0, 2, 0, 2)  # how many references each of the six holds


def _font_templates(make: Callable) -> tuple[tuple, ...] | None:
    """A font's six objects written by ReportLab's own `format` (as changed while writing) in a document of their
    own, numbered from `_MARK`; None if the marks are not where the references are."""
    doc = pdfdoc.PDFDocument(invariant=1)
    doc.objectcounter = _MARK
    doc.Reference(make(doc))
    made = []
    for number, references in zip(range(_MARK + 1, _MARK + 7), _FONT_REFERENCES):
        with writing():  # as the document's own objects are written
            data = pdfdoc.format(doc.idToObject[doc.numberToId[number]], doc, toplevel=1)
        head = data.split(b"\nstream\n", 1)[0]  # a stream's data is never searched: it may hold anything
        if len(_MARKED.findall(head)) != references or len(_MARKED.findall(data)) != references:
            return None
        parts = _MARKED.split(data)  # bytes, index, bytes, ...
        made.append(tuple(part if i % 2 == 0 else int(part) - 1 for i, part in enumerate(parts)))
    return tuple(made)


def _register(doc, obj: RawObject) -> int:
    """`obj` registered as PDFDocument.Reference registers a new object: its number (see reserve_objects)."""
    number = doc.objectcounter + 1
    name = f"R{number}"
    if name in doc.idToObject:  # a name ReportLab would refuse: its own checks and message
        doc.Reference(obj)
        return doc.idToObjectNumberAndVersion[obj.__InternalName__][0]
    doc.objectcounter = number
    obj.__InternalName__ = name
    doc.idToObjectNumberAndVersion[name] = (number, 0)
    doc.numberToId[number] = name
    doc.idToObject[name] = obj
    return number


def _text_font_objects(doc, ttface, codes: tuple[int, ...]) -> PDFDictionary:
    """The Type 0 font dictionary, its descendant, descriptor and streams registered in `doc` as they refer to each
    other (file, descriptor, CID-to-glyph map, descendant, ToUnicode map; the caller registers the font)."""
    streams = FONT_STREAMS.get((ttface.filename, ttface.subfontNameX, codes), lambda: _text_font_streams(ttface, codes),
                               4 * len(codes), lambda made: sum(len(data) for _, data in made))
    file, cid_to_gid, to_unicode = (PDFStream(PDFDictionary(entries), data) for entries, data in streams)
    face_name = ttface.name.decode("latin-1") if isinstance(ttface.name, bytes) else ttface.name
    name = f"{_content_tag(face_name, codes)}+{face_name}"
    descriptor = _descriptor(ttface, name, doc.Reference(file))
    descendant = PDFDictionary({
        "Type": PDFName("Font"), "Subtype": PDFName("CIDFontType2"), "BaseFont": PDFName(name),
        "CIDSystemInfo": PDFDictionary({"Registry": PDFString("Adobe"), "Ordering": PDFString("Identity"),
                                        "Supplement": 0}),
        "FontDescriptor": doc.Reference(descriptor), "DW": ttface.defaultWidth, "W": _widths(ttface, codes),
        "CIDToGIDMap": doc.Reference(cid_to_gid),
    })
    return PDFDictionary({
        "Type": PDFName("Font"), "Subtype": PDFName("Type0"), "BaseFont": PDFName(name),
        "Encoding": PDFName("Identity-H"), "DescendantFonts": PDFArray([doc.Reference(descendant)]),
        "ToUnicode": doc.Reference(to_unicode),
    })


# The text fonts' streams (glyph subset, CID-to-glyph map, ToUnicode map), compressed, by font file, face and code
# points: a font's own data, a pure function of the key (which characters, never whose).
FONT_STREAMS = ContentMemo()
_FLATE = {"Filter": PDFArray([PDFName("FlateDecode")])}  # compressed here: ReportLab adds no filter of its own


def _text_font_streams(ttface, codes: tuple[int, ...]) -> tuple[tuple[dict, bytes], ...]:
    subset = SUBSETS.get((ttface.filename, ttface.subfontNameX, codes), lambda: ttface.makeSubset(list(codes)),
                         4 * len(codes))
    glyphs = _subset_glyphs(ttface.charToGlyph, codes)
    cid_to_gid = bytearray(2 * (codes[-1] + 1 if codes else 1))
    for code in codes:
        cid_to_gid[2 * code:2 * code + 2] = glyphs[code].to_bytes(2, "big")
    cmap = _two_byte_cmap(tuple((code, code) for code in codes)).encode("ascii")
    return (({**_FLATE, "Length1": len(subset)}, zlib.compress(subset)), (_FLATE, zlib.compress(bytes(cid_to_gid))),
            (_FLATE, zlib.compress(cmap)))


def _widths(ttface, codes: tuple[int, ...]) -> PDFArray:
    """/W: each run of consecutive codes, its first code and its widths."""
    items: list = []
    for code in codes:
        if items and items[-2] + len(items[-1].sequence) == code:
            items[-1].sequence.append(ttface.getCharWidth(code))
        else:
            items += [code, PDFArray([ttface.getCharWidth(code)])]
    return PDFArray(items)


def _content_tag(face: str, codes: tuple[int, ...]) -> str:
    """A subset tag made from the face and the characters it holds: the same subset has the same tag everywhere."""
    number = int.from_bytes(hashlib.sha256(repr((face, codes)).encode()).digest()[:8], "big")
    return _subset_tag(number % 26 ** 6).decode("ascii")


# -- a file written again from its parts -------------------------------------------------------------------------
#
# A packet whose page plan made a file before is that file with its patient's own objects made afresh
# (render/assembly.py says which, and why the rest is the same): the functions below take a saved document apart
# into those parts and write a file from them, in the same bytes `_write_document` writes.

@dataclass(frozen=True)
class Holes:
    """The objects of a saved document that are made for each patient: the content streams of the pages that show
    a patient's value, the document information dictionary (title, subject), the XMP metadata, and the text fonts'
    six objects each (which characters were drawn)."""

    contents: tuple[int, ...]  # each of those pages' content stream, in page order
    info: int
    metadata: int
    fonts: tuple[tuple[str, tuple[int, ...]], ...]  # each text font's face and its six objects

    @property
    def numbers(self) -> frozenset[int]:
        return frozenset((*self.contents, self.info, self.metadata, *(n for _, six in self.fonts for n in six)))


@dataclass(frozen=True)
class FileParts:
    """A written file taken apart: each object's content (None where it is made afresh), the catalog's number, its
    trailer before the file ID, from after it to the cross-reference offset, and after that; and the file up to its
    first object made afresh (its header and objects), with those objects' cross-reference rows."""

    objects: tuple[bytes | None, ...]
    root: int
    trailer: tuple[bytes, bytes, bytes]
    prefix: bytes
    fixed: int  # how many objects `prefix` holds
    fixed_rows: bytes  # their cross-reference rows

    @cached_property
    def kept(self) -> frozenset[int]:
        """The numbers of the objects kept (not made afresh)."""
        return frozenset(number for number, data in enumerate(self.objects, 1) if data is not None)

    @property
    def size(self) -> int:
        return 3 * sum(len(data) for data in self.objects if data is not None) + 256

    @cached_property
    def runs(self) -> tuple[int | tuple[bytes, tuple[int, ...]], ...]:
        """The objects after `prefix`, in number order: the number of each made afresh, and each run of kept
        objects between them written as the writer writes them ("N 0 obj", the content, "endobj"), with where
        each of its objects starts in it."""
        runs: list = []
        for number, data in enumerate(self.objects[self.fixed:], self.fixed + 1):
            if data is None:
                runs.append(number)
                continue
            if not runs or type(runs[-1]) is int:
                runs.append(([], [], [0]))
            pieces, within, length = runs[-1]
            framed = (b"%d 0 obj\n" % number, data, b"endobj\n" if data.endswith(b"\n") else b"\nendobj\n")
            within.append(length[0])
            length[0] += sum(len(piece) for piece in framed)
            pieces += framed
        return tuple(run if type(run) is int else (b"".join(run[0]), tuple(run[1])) for run in runs)


def holes_of(canv: HandoutsCanvas, pages: tuple[int, ...]) -> Holes | None:
    """Where a saved document's per-patient objects are (`pages`: the indices of the pages that show a patient's
    value); None when one of them is not where it is looked for."""
    doc = canv._doc
    numbers = doc.idToObjectNumberAndVersion
    try:
        contents = tuple(numbers[doc.Pages.pages[index].Contents.__InternalName__][0] for index in pages)
        info = numbers[doc.info.__InternalName__][0]
        metadata = numbers[doc.Catalog.Metadata.__InternalName__][0]
    except (AttributeError, KeyError, IndexError):
        return None
    if any(len(six) != len(_FONT_REFERENCES) for _, six in canv.font_numbers):
        return None  # a font written as ReportLab writes it: not in six objects
    return Holes(contents, info, metadata, tuple(canv.font_numbers))


def file_parts(canv: HandoutsCanvas, data: bytes, written: WrittenObjects, holes: frozenset[int]) -> FileParts | None:
    """The saved file `data`, whose objects the writer wrote as `written`, taken apart with `holes` left empty; None
    when its header or trailer is not as `_write_document` writes them."""
    doc = canv._doc
    first = doc.idToOffset.get(doc.numberToId.get(1))
    start = data.rfind(b"\ntrailer\n") + 1
    trailer = data[start:]
    file_id = doc.ID()
    if not first or not start or trailer.count(file_id) != 1:
        return None
    before, after = trailer.split(file_id)
    middle, _, offset_and_end = after.partition(b"startxref\n")
    offset, _, end = offset_and_end.partition(b"\n")
    if not offset.isdigit() or b"startxref" in end:
        return None
    objects = tuple(None if number in holes else content for number, content in enumerate(written.objects, 1))
    fixed = objects.index(None) if None in objects else len(objects)
    last = doc.idToOffset[doc.numberToId[fixed + 1]] if fixed < len(objects) else data.rfind(b"\nxref\n") + 1
    rows = [value for number in range(1, fixed + 1) for value in (doc.idToOffset[doc.numberToId[number]], 0)]
    return FileParts(objects, written.root, (before, middle + b"startxref\n", b"\n" + end), data[:last], fixed,
                     _xref_rows(rows))


def made_holes(canv: HandoutsCanvas, holes: Holes, pages: tuple[int, ...],
               characters: dict[str, set[int]]) -> dict[int, bytes]:
    """The contents of `holes` for the document drawn on `canv` (its metadata set, never saved): the content streams
    of its shown pages `pages` (in the order of `holes.contents`), its information dictionary and XMP metadata, and
    a text font of each face holding `characters`' code points, each as `_write_document` would write it."""
    doc = canv._doc
    made: dict[int, bytes] = {}
    with _flate_only():
        top = _ObjectWriter(doc).top
        for index, number in zip(pages, holes.contents):
            made[number] = top(_content_stream(doc, doc.Pages.pages[index]))
        made[holes.metadata] = top(doc.Catalog.Metadata)
    doc.info.invariant = doc.invariant  # as GetPDFData sets it
    made[holes.info] = info_bytes(doc)
    for face, numbers in holes.fonts:
        ttface = _font(face).face
        codes = _font_codes(face, characters[face])
        templates = _kept_font_templates((ttface.filename, ttface.subfontNameX, codes),
                                         lambda into: _text_font_objects(into, ttface, codes))
        if templates is None:
            raise ValueError("a text font not written in six objects")  # holes_of found six for this face: a bug
        made.update(zip(numbers, _numbered(templates, numbers)))
    return made


def _content_stream(doc, page):
    """The content stream of a shown page as `PDFPage.check_format` makes it when the document is written (Flate
    alone, under `_flate_only`), without the rest of what it sets up for writing the page (its boxes, resources
    and annotations: a kept file has them)."""
    if page.Contents or page.Override_default_compilation or not page.stream or rl_config.useA85:
        page.check_format(doc)  # not the page `check_format` is mirrored for here: as it makes it
        return page.Contents
    stream = PDFStream()
    if page.compression:
        stream.filters = [pdfdoc.PDFZCompress]
    stream.content = page.stream
    return stream


# The information dictionary as written, around its title and subject: by everything else it holds (author, creator,
# producer, keywords, trapped, the creation date) and the writer's settings, none of them a patient's. The title and
# subject (which name the patient) are never kept: written into the template for each document.
INFO_TEMPLATES = ContentMemo(1 << 16)
_INFO_MARKS = ("HandoutsInfoTitleMark", "HandoutsInfoSubjectMark")  # written as themselves: plain ASCII letters
_PLAIN = (str, int, float, bool, type(None))


def info_bytes(doc) -> bytes:
    """`doc.info` as the writer writes it (`format(info, doc, toplevel=1)` while writing): its template, kept by
    the fields that are not its title and subject, with those two written in as its own `format` writes them."""
    info, stamp = doc.info, doc._timeStamp
    own = tuple(sorted((name, value) for name, value in vars(info).items() if name not in ("title", "subject")))
    if type(info) is not pdfdoc.PDFInfo or any(type(value) not in _PLAIN for _, value in own):
        return _written_info(info, doc)  # not the dictionary the template is made for: as ReportLab writes it
    key = (own, info.producer, info.creator, info.author, info.keywords, info.trapped, info._dateFormatter,
           tuple(stamp.YMDhms), stamp.dhh, stamp.dmm, rl_config.invariant, rl_config.pdfComments,
           rl_config.pdfMultiLine)
    template = INFO_TEMPLATES.find(key)
    if template is None:
        template = _info_template(info, doc)
        if template is None:
            return _written_info(info, doc)
        INFO_TEMPLATES.put(key, template, sum(len(part) for part in template if type(part) is bytes) + 256)
    values = (_string_bytes(PDFString(info.title), doc), _string_bytes(PDFString(info.subject), doc))
    return b"".join(part if type(part) is bytes else values[part] for part in template)


def _written_info(info, doc) -> bytes:
    with writing():
        return pdfdoc.format(info, doc, toplevel=1)


def _info_template(info, doc) -> tuple | None:
    """The information dictionary written with marks for its title and subject, split at them (bytes, and 0 where
    the title goes, 1 where the subject goes); None when each mark is not there once."""
    marked = copy.copy(info)
    marked.title, marked.subject = _INFO_MARKS
    data = _written_info(marked, doc)
    marks = [b"(" + mark.encode("ascii") + b")" for mark in _INFO_MARKS]
    if any(data.count(mark) != 1 for mark in marks):
        return None
    first = 0 if data.index(marks[0]) < data.index(marks[1]) else 1
    before, rest = data.split(marks[first])
    middle, after = rest.split(marks[1 - first])
    return before, first, middle, 1 - first, after


def file_from_parts(parts: FileParts, made: dict[int, bytes], file_id: str) -> tuple[bytes, WrittenObjects]:
    """The file of `parts` with `made` in its holes and the file ID of `digest` (`set_file_id`), written as
    `_write_document` writes a file; and its objects."""
    # The file up to the first object made afresh is the kept file's: its bytes and rows as they were; after it,
    # each run of kept objects is joined once (`FileParts.runs`), and only where it starts moves.
    out, offset, starts = [parts.prefix], len(parts.prefix), []
    for run in parts.runs:
        if type(run) is int:
            data = made[run]
            head, end = b"%d 0 obj\n" % run, b"endobj\n" if data.endswith(b"\n") else b"\nendobj\n"
            starts.append(offset)
            out += (head, data, end)
            offset += len(head) + len(data) + len(end)
        else:
            framed, within = run
            starts += [offset + at for at in within]
            out.append(framed)
            offset += len(framed)
    count = len(parts.objects)
    before, middle, end = parts.trailer
    table = (b"xref\n0 %d\n0000000000 65535 f \n" % (count + 1) + parts.fixed_rows
             + (("%010d 00000 n \n" * len(starts)) % tuple(starts)).encode("ascii"))
    out += (table, before, _file_id_bytes(file_id), middle, b"%d" % offset, end)
    tail = tuple(made[number] if content is None else content
                 for number, content in enumerate(parts.objects[parts.fixed:], parts.fixed + 1))
    return b"".join(out), WrittenObjects(parts.objects[:parts.fixed] + tail, parts.root, parts.kept)


def _file_id_bytes(digest: str) -> bytes:
    return f"\n[<{digest}><{digest}>]\n".encode()


def shown_page_traits(canv: Canvas, index: int) -> tuple:
    """What a shown page's dictionary holds besides its content and annotations (the annotations are the drawer's
    to say): images, forms and graphics states used, colour spaces, shadings, rotation, transition, boxes."""
    page = canv._doc.Pages.pages[index]
    # A plain value (the most of them) is its own trait, as `_trait` says: asked of `_trait` only when it is not.
    return tuple([value if value is None or type(value) in _PLAIN_TRAITS else _trait(value)
                  for value in [getattr(page, name, None) for name in _PAGE_TRAITS]])


_PAGE_TRAITS = ("hasImages", "XObjects", "ExtGState", "_colorsUsed", "_shadingUsed", "Rotate", "Trans", "Dur",
                "CropBox", "ArtBox", "BleedBox", "TrimBox", "pagewidth", "pageheight", "compression")
_PLAIN_TRAITS = frozenset((str, int, float, bool, bytes))


def _trait(value):
    """A page's value as something to compare: PDF dictionaries, arrays and names by what they hold; any other
    object as a new one, equal to nothing (such a page is not written from a kept file)."""
    kind = type(value)
    if kind is PDFDictionary:
        return "dict", tuple(sorted((key, _trait(item)) for key, item in value.dict.items()))
    if kind is PDFArray:
        return "array", tuple(_trait(item) for item in value.sequence)
    if kind is PDFName:
        return "name", value.name
    if isinstance(value, (dict, list, tuple)):
        items = sorted(value.items()) if isinstance(value, dict) else enumerate(value)
        return kind.__name__, tuple((key, _trait(item)) for key, item in items)
    if value is None or kind in (str, int, float, bool, bytes):
        return value
    return "object", object()


def written_forms(text: str) -> set[bytes]:
    """The ways a file's objects can hold `text` as such: as a PDF string writes it (without its parentheses), in
    UTF-8, and as UTF-16 in hexadecimal."""
    forms = {PDFString(text).format(pdfdoc.DummyDoc())[1:-1], text.encode("utf-8")}
    hexadecimal = text.encode("utf-16-be").hex()
    return forms | {hexadecimal.encode(), hexadecimal.upper().encode()}
