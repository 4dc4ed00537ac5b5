"""What each ReportLab internal that handouts changes or relies on does, checked by behaviour: a ReportLab
release that changes one of them fails here with the reason in the message.

(a) the fast dictionary and array formatter writes ReportLab's own bytes; (b) streams end "data CR LF
endstream" with /Length the data's; (c) subset tags of ReportLab's own subsets (text drawn through its canvas,
which handouts' text fonts replace: tests/render/test_text_fonts.py) count AAAAAA, AAAAAB, ... per document; the
ToUnicode maps, Flate-only streams and the two memos."""

import io
import re
import zlib
from collections import OrderedDict
from dataclasses import replace
from datetime import datetime

import pikepdf
import pytest
from reportlab import rl_config
from reportlab.pdfbase import pdfdoc, ttfonts
from reportlab.pdfbase.pdfdoc import (PDFArray, PDFDictionary, PDFName, PDFObjectReference, PDFStream,
                                      PDFString)
from reportlab.pdfgen.canvas import Canvas

from handouts.load.project import Patient
from handouts.pipeline import packet_document, render_checked
from handouts.render import _reportlab, assembly

DOCUMENTS = ("infusion-day-checklist", "fibromyalgia-ketamine")
NAMES = ("Jack Smith", "Zoë Ångström", "Nguyễn Thị Minh Khai", "Дмитрий Иванов", "Ελένη Π.")
FORMATTERS = {"PDFDictionary.format", "PDFArray.format"}


def _packet(project, name: str, layout: str = "large-print", language: str | None = None,
            forms: bool = True) -> bytes:
    chosen = project.layouts.load(layout)
    document = packet_document(project, Patient.from_values(name), datetime(2026, 12, 3, 9, 30), DOCUMENTS,
                               language)
    return render_checked(project, document, chosen if forms else replace(chosen, forms=False), "packet")


def _doc():
    document = Canvas(io.BytesIO())._doc
    document.Reference(PDFDictionary({}), "R1")  # what the samples' reference points to
    return document


# -- (a) the fast formatter gives ReportLab's own bytes --------------------------------------------------------

def _samples():
    """Dictionaries and arrays of every kind a packet writes, and the edges of ReportLab's line breaking."""
    numbers = PDFArray(list(range(0, 1200, 30)))  # over 32 integers: the widths fast path
    mixed = PDFArray([1, 2.5, -0.125, 1e-7, 123456.789, True, "/Name", PDFName("N#x y"), PDFString("é (x)"),
                      b"raw", PDFObjectReference("R1"), 7])  # over 10: broken every 10
    nested = PDFDictionary({"Kids": mixed, "Widths": numbers, "Flag": True, "Count": 3})
    commented = PDFDictionary({"A": 1})
    commented.__Comment__ = "a comment ReportLab writes only outside invariant mode"
    many = PDFDictionary({f"K{i}": i * 0.5 for i in range(14)})  # over 6 entries
    many_single = PDFDictionary({f"K{i}": PDFName("V") for i in range(14)})
    many_single.multiline = False
    forced = PDFDictionary({"B": 1, "A": PDFDictionary({"Z": 2, "Y": PDFArray([1, 2])})})
    forced.multiline = "forced"
    ordered = PDFDictionary(OrderedDict([("Z", 1), ("A", nested), ("M", commented)]))
    compact = pdfdoc.PDFArrayCompact(list(range(40)))
    single = PDFArray([PDFArray([1, 2]), PDFDictionary({"X": 1})] * 8)
    single.multiline = False
    return [nested, commented, many, many_single, forced, ordered,
            PDFDictionary({"S": PDFStream(PDFDictionary({}), b"stream data")}),  # a stream: made a reference
            numbers, mixed, compact, single, PDFArray([]), PDFArray(list(range(40)) + [0.5])]


@pytest.mark.parametrize("multiline", [0, 1])
def test_the_fast_formatter_writes_reportlabs_own_bytes_object_by_object(monkeypatch, multiline):
    monkeypatch.setattr(rl_config, "pdfMultiLine", multiline)
    # The same samples made twice, each written into its own document (a stream inside is registered there).
    for sample, twin in zip(_samples(), _samples()):
        kind = PDFDictionary if isinstance(sample, PDFDictionary) else PDFArray
        expected = kind.format(sample, _doc())  # ReportLab's own, as nothing is changed outside a save
        fast = (_reportlab._dictionary_format if kind is PDFDictionary else _reportlab._array_format)(twin, _doc())
        assert fast == expected, (
            f"ReportLab {kind.__name__}.format now writes {expected!r}, the adapter's faster copy {fast!r}: "
            "update _dictionary_format/_array_format in handouts/render/_reportlab.py to ReportLab's new bytes "
            "(or drop them from the patches)")


def test_packets_are_the_same_bytes_with_reportlabs_own_formatter(project, monkeypatch):
    made = {}
    cases = [(name, layout, language, forms) for name, layout, language, forms in
             [(NAMES[0], "large-print", None, True), (NAMES[1], "standard", "es", True),
              (NAMES[2], "extra-large", None, False), (NAMES[3], "standard", None, False),
              (NAMES[4], "large-print", "es", True)]]
    for case in cases:
        made[case] = _packet(project, *case)
    patches = _reportlab._patches
    monkeypatch.setattr(_reportlab, "_patches", lambda: tuple(p for p in patches() if p.where not in FORMATTERS))
    for case in cases:
        assert _packet(project, *case) == made[case], (
            f"{case}: ReportLab's own PDFDictionary/PDFArray.format write other bytes than the adapter's faster "
            "copies (_dictionary_format, _array_format): ReportLab changed how it writes objects; update the copies")


# -- (b) stream framing: data, CR LF, endstream ----------------------------------------------------------------

@pytest.mark.parametrize("data", [b"abc\r", b"abc\n", b"abc"])
def test_reportlab_writes_a_stream_as_data_then_endstream(data):
    written = PDFStream.format(PDFStream(PDFDictionary({}), data, filters=None), _doc())
    assert written.endswith(b"\nstream\n" + data + b"endstream\n") and b"/Length %d" % len(data) in written, (
        f"ReportLab's PDFStream.format now frames a stream as {written[-40:]!r}: the adapter puts CR LF between "
        "the data and 'endstream' (PDF/A) by cutting ReportLab's 'endstream\\n', which would now be lost or "
        "doubled; see _with_eol_before_endstream")


@pytest.mark.parametrize("data", [b"abc\r", b"abc\n", b"abc"])
def test_while_writing_a_stream_ends_with_cr_lf_before_endstream(data):
    with _reportlab.writing():
        written = PDFStream(PDFDictionary({}), data, filters=None).format(_doc())
    assert written.endswith(b"\nstream\n" + data + b"\r\nendstream\n") and b"/Length %d" % len(data) in written


def test_every_stream_of_a_packet_has_its_length_then_cr_lf_endstream(project):
    pdf = _packet(project, NAMES[2])
    starts = [match.end() for match in re.finditer(rb">>\nstream\n", pdf)]
    assert starts and len(starts) == pdf.count(b"endstream")
    for start in starts:
        dictionary = pdf[pdf.rindex(b" obj\n", 0, start):start]
        length = int(re.search(rb"/Length (\d+)", dictionary).group(1))
        assert pdf[start + length:start + length + 12] == b"\r\nendstream\n", (
            "a stream does not end '<Length bytes of data> CR LF endstream': ReportLab changed how it writes "
            "streams or their /Length (PDF/A needs the end-of-line, outside /Length)")


# -- (c) font codes and subset tags --------------------------------------------------------------------------

def _faces(project):
    from handouts.render.fonts import FontSet

    return FontSet(project.layouts.load("standard").typeface).faces


def test_subset_tags_count_from_aaaaaa_in_each_document_in_the_order_fonts_are_written(project):
    (primary, fallback), (bold, _) = _faces(project)
    others = "".join(chr(code) for code in sorted(fallback.covered) if code > 127)[:600]

    def document() -> list[bytes]:
        buffer = io.BytesIO()
        canv = _reportlab.new_canvas(buffer, (612.0, 792.0), "en", primary.name, 12)
        for face, text in ((bold, "Bold"), (fallback, others), (primary, "Regular")):
            canv.setFont(face.name, 12)
            canv.drawString(72, 700, text)
        canv.showPage()
        _reportlab.save(canv)
        return re.findall(rb"/BaseFont /([A-Z]{6})\+", buffer.getvalue())

    first, second = document(), document()
    expected = [_reportlab._subset_tag(n) for n in range(len(first))]
    assert len(first) > 4 and first == second, first
    assert first == expected, (
        f"subset tags {first}, expected {expected}: ReportLab no longer names a subset through ttfonts.SUBSETN "
        "once per subset as it writes the document's fonts; the adapter counts them to tell subsets apart")


# -- ToUnicode maps, Flate only, and the memos -----------------------------------------------------------------

def _entries(cmap: str) -> list[str]:
    return re.findall(r"<[0-9A-F]{2}> <[0-9A-F]{4}>", cmap)


def test_the_tounicode_map_is_reportlabs_less_the_unused_codes():
    subset = [0, 65, 0, 0x1EC5, *range(0x400, 0x4F0)]
    theirs = ttfonts.makeToUnicodeCMap("AAAAAA+Face", subset)  # ReportLab's own, outside a save
    ours = _reportlab._to_unicode_cmap("AAAAAA+Face", subset)
    kept = [entry for entry in _entries(theirs) if not entry.endswith("<0000>")]
    assert _entries(ours) == kept and len(kept) == len(subset) - 2, (
        "ReportLab's makeToUnicodeCMap now maps other codes than the adapter's copy (less the U+0000 entries "
        "PDF/UA forbids): update _cmap in handouts/render/_reportlab.py")
    assert _entries(theirs).count("<00> <0000>") == 1  # what the copy is there to leave out


def test_a_packets_streams_are_flate_only(project):
    pdf = _packet(project, NAMES[3])
    assert b"ASCII85Decode" not in pdf, "ReportLab writes ASCII85 streams: rl_config.useA85 no longer turns it off"


def test_reportlabs_own_subsets_map_every_code_to_a_character(project):
    (primary, fallback), _ = _faces(project)
    buffer = io.BytesIO()
    canv = _reportlab.new_canvas(buffer, (612.0, 792.0), "en", primary.name, 12)
    for face, text in ((primary, "Regular ë"), (fallback, "Дмитрий")):
        canv.setFont(face.name, 12)
        canv.drawString(72, 700, text)
    canv.showPage()
    _reportlab.save(canv)
    maps = 0
    with pikepdf.open(io.BytesIO(buffer.getvalue())) as document:
        for obj in document.objects:
            if isinstance(obj, pikepdf.Dictionary) and obj.get("/Type") == "/Font" and obj.get(
                    "/Subtype") == "/TrueType":
                cmap = obj.ToUnicode.read_bytes().decode("latin-1")
                maps += 1
                assert _entries(cmap) and not any(e.endswith("<0000>") for e in _entries(cmap)), (
                    "a ToUnicode map maps a code to U+0000 (PDF/UA): ReportLab no longer makes its maps with "
                    "ttfonts.makeToUnicodeCMap, which the adapter replaces while writing")
    assert maps == 2


def test_streams_are_compressed_by_reportlabs_filter_through_the_memo(project, monkeypatch):
    _reportlab.COMPRESSED.clear()
    assembly.TEMPLATES.clear()  # a packet saved whole (one written from a kept file compresses only its own pages)
    _packet(project, NAMES[0])
    assert _reportlab.COMPRESSED._made, (
        "no stream reached the compression memo: ReportLab no longer compresses through pdfdoc.PDFZCompress.encode")
    compress = pdfdoc.PDFZCompress.encode  # ReportLab's own, outside a save
    remembered = _reportlab._remembering_compress(compress, smallest=0)
    for data in (b"x" * 5000, "page text " * 500, b"\x00\xff" * 10):
        assert remembered(data) == remembered(data) == compress(data)
        assert zlib.decompress(remembered(data)) == (data.encode() if isinstance(data, str) else data)


def test_glyph_subsets_are_built_by_the_face_through_the_memo(project):
    for memo in (_reportlab.SUBSETS, _reportlab.FONT_STREAMS, _reportlab.FONT_OBJECTS):  # fonts made afresh
        memo.clear()
    _packet(project, NAMES[1])
    assert _reportlab.SUBSETS._made, (
        "no glyph subset reached the subset memo: ReportLab no longer builds subsets with TTFontFace.makeSubset")
    (primary, _), _ = _faces(project)
    face = ttfonts.TTFont("HandoutsSubsetProbe", primary_path(primary.name)).face
    subset = [0, *range(32, 127)]
    remembered = _reportlab._remembering_subsets(type(face).makeSubset)
    assert remembered(face, subset) == face.makeSubset(subset)


def primary_path(name: str) -> str:
    from reportlab.pdfbase import pdfmetrics

    return pdfmetrics.getFont(name).face.filename
