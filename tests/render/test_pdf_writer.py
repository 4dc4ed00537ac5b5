"""The object-level writer (`_reportlab._write_document`, in place of ReportLab's `PDFDocument.format` while a
document is written) makes the very file ReportLab's own loop makes: every document in every layout and language,
blank and for a patient, with and without fields, and packets, compared byte for byte; and the objects it writes
itself are ReportLab's own bytes, kind by kind."""

import io
from collections import OrderedDict
from datetime import datetime

import pytest
from reportlab import rl_config
from reportlab.pdfbase import pdfdoc
from reportlab.pdfbase.pdfdoc import PDFArray, PDFDictionary, PDFName, PDFObjectReference, PDFStream, PDFString
from reportlab.pdfgen.canvas import Canvas

from handouts.load.project import Patient
from handouts.pipeline import packet_document, render_checked, render_document
from handouts.render import _reportlab, assembly
from handouts.render.pdf import render_pdf

WRITER = "PDFDocument.format"
LAYOUTS = ("standard", "large-print", "extra-large")
NAMES = ("Jack Smith", "Zoë Ångström", "Nguyễn Thị Minh Khai", "Дмитрий Иванов")


@pytest.fixture(autouse=True)
def whole_files(monkeypatch):
    """Every file here is written whole by the writer (or ReportLab's loop), none from a kept file."""
    monkeypatch.setattr(assembly.TEMPLATES, "most", -1)
    assembly.TEMPLATES.clear()


def _packet(project, name: str, layout: str, language: str | None) -> bytes:
    """A packet of every document for the patient `name`, as `handouts packets` makes it."""
    document = packet_document(project, Patient.from_values(name), datetime(2026, 12, 3, 9, 30),
                               tuple(project.content.names()), language)
    return render_checked(project, document, project.layouts.load(layout), "packet")


def _reportlabs_own(monkeypatch) -> None:
    """From now on in the test: files written by ReportLab's own object loop (every other change as it is)."""
    patches = _reportlab._patches
    monkeypatch.setattr(_reportlab, "_patches", lambda: tuple(p for p in patches() if p.where != WRITER))


def _differs(ours: bytes, theirs: bytes) -> str:
    at = next((i for i, (a, b) in enumerate(zip(ours, theirs)) if a != b), min(len(ours), len(theirs)))
    return f"first difference at byte {at}: ours {ours[at - 80:at + 40]!r}, ReportLab's {theirs[at - 80:at + 40]!r}"


def test_the_writer_is_in_place_while_writing():
    assert pdfdoc.PDFDocument.format.__module__ == pdfdoc.__name__  # ReportLab's own, outside a save
    with _reportlab.writing():
        assert pdfdoc.PDFDocument.format.__module__ == _reportlab.__name__
    assert pdfdoc.PDFDocument.format.__module__ == pdfdoc.__name__


@pytest.mark.parametrize("layout", LAYOUTS)
def test_every_document_is_the_same_file_as_reportlab_writes(project, monkeypatch, layout):
    chosen = project.layouts.load(layout)
    cases = [(name, language, patient, forms)
             for name in project.content.names() for language in (None, "es")
             for patient, forms in ((None, True), (NAMES[LAYOUTS.index(layout)], True), (NAMES[3], False))]

    def made(name, language, patient, forms):
        who = Patient.from_values(patient) if patient else None
        return render_document(project, name, chosen, who, datetime(2026, 12, 3, 9, 30) if who else None,
                               language, forms)

    ours = {case: made(*case) for case in cases}
    _reportlabs_own(monkeypatch)
    for case in cases:
        theirs = made(*case)
        assert ours[case] == theirs, f"{layout} {case}: {_differs(ours[case], theirs)}"


def test_packets_are_the_same_file_as_reportlab_writes(project, monkeypatch):
    cases = [(NAMES[0], "large-print", None), (NAMES[1], "standard", "es"), (NAMES[2], "extra-large", None),
             (NAMES[3], "large-print", "es")]


    ours = {case: _packet(project, *case) for case in cases}
    _reportlabs_own(monkeypatch)
    for case in cases:
        theirs = _packet(project, *case)
        assert ours[case] == theirs, f"{case}: {_differs(ours[case], theirs)}"


# -- object by object: each fast path against ReportLab's own format -----------------------------------------------

def _document_with(objects: list) -> tuple[bytes, bytes]:
    """A small document holding `objects` (made twice), written by the writer and by ReportLab's loop."""
    written = []
    for use_writer in (True, False):
        canv = Canvas(io.BytesIO(), invariant=1)
        doc = canv._doc
        first, *others = objects()
        doc.Reference(first, "R1")  # what the samples' references point to
        for obj in others:
            doc.Reference(obj)
        canv.showPage()
        patches = tuple(p for p in _reportlab._patches() if use_writer or p.where != WRITER)
        original = _reportlab._patches
        _reportlab._patches = lambda: patches
        try:
            with _reportlab.writing():
                written.append(doc.GetPDFData(canv))
        finally:
            _reportlab._patches = original
    return written[0], written[1]


def _kinds():
    ref = PDFObjectReference("R1")
    many = PDFDictionary({f"K{i}": i * 0.5 for i in range(14)})  # over 6 entries: broken every 6
    forced = PDFDictionary({"B": 1, "A": PDFDictionary({"Z": 2})})
    forced.multiline = "forced"
    single = PDFArray([PDFArray([1, 2]), PDFDictionary({"X": 1})] * 8)  # over 10 items: broken every 10
    single.multiline = False
    ordered = PDFDictionary(OrderedDict([("Z", 1), ("A", PDFName("N#x y")), ("M", True)]))
    strings = PDFArray([PDFString("plain"), PDFString("(paren) back\\slash"), PDFString("é ő Дм"), PDFString(""),
                        PDFString(b"raw bytes"), PDFString("tab\tnew\nline")])
    numbers = PDFArray([1, 2.5, -0.125, 1e-7, 123456.789, 0, -3, 10 ** 12, 0.1 + 0.2, 2 ** 53 - 1, 2 ** 53 + 1,
                        -(2 ** 53) - 1, 10 ** 20, -0.0])
    return [
        PDFDictionary({"Type": PDFName("Annot"), "Rect": PDFArray([1.5, 2, 3.25, 4]), "Ref": ref, "Flag": True,
                       "Nothing": None, "Kids": single, "Many": many, "Forced": forced, "Ordered": ordered,
                       "Strings": strings, "Numbers": numbers, "Widths": PDFArray(list(range(0, 1200, 30))),
                       "Stream": PDFStream(PDFDictionary({}), b"held by a dictionary: made a reference"),
                       "Raw": b"/Raw 1", "Text": "/Name\x7f", "Bytes": b"\x00\xff", "Empty": PDFArray([]),
                       "Long": PDFArray([*range(25), 0.5]), "Tens": PDFArray([0.25] * 20)}),
        PDFStream(PDFDictionary({"N": 3}), b"x" * 3000, filters=[pdfdoc.PDFZCompress]),
        PDFStream(PDFDictionary(OrderedDict([("Z", 1), ("A", 2)])), "text stream é\n", filters=None),
        PDFStream(PDFDictionary({"Filter": PDFName("FlateDecode")}), b"given\r", filters=[pdfdoc.PDFZCompress]),
        pdfdoc.PDFResourceDictionary(),
    ]


@pytest.mark.parametrize("multiline", [0, 1])
def test_each_kind_the_writer_writes_is_reportlabs_own_bytes(monkeypatch, multiline):
    monkeypatch.setattr(rl_config, "pdfMultiLine", multiline)

    def objects():
        return [PDFDictionary({}), *_kinds()]

    ours, theirs = _document_with(objects)
    assert ours == theirs, (
        f"{_differs(ours, theirs)}: ReportLab now writes these objects otherwise than handouts' writer "
        "(_ObjectWriter in handouts/render/_reportlab.py); make it write ReportLab's bytes again")


def test_reportlab_writes_a_document_as_the_writer_assumes(project):
    """The pieces of ReportLab's own loop the writer repeats: the header, 'n 0 obj', the cross-reference rows,
    the trailer; and its objects' classes are those the writer has fast paths for."""
    document = packet_document(project, Patient.from_values(NAMES[0]), datetime(2026, 12, 3, 9, 30),
                               tuple(project.content.names()))
    seen: set = set()
    original = _reportlab._ObjectWriter.top

    def top(self, obj):
        seen.add(type(obj))
        return original(self, obj)

    _reportlab._ObjectWriter.top = top
    try:
        from handouts.pipeline import render_options
        layout = project.layouts.load("large-print")
        render_pdf(document, layout, render_options(project, document, layout))
    finally:
        _reportlab._ObjectWriter.top = original
    fast = {PDFDictionary, PDFStream, pdfdoc.PDFPage, pdfdoc.PDFCatalog, pdfdoc.PDFPages,
            pdfdoc.OutlineEntryObject}  # (raw objects, the structure tree's, are written without `top`)
    assert fast <= seen, f"a packet no longer writes {fast - seen}: the writer's fast paths are for nothing"


def test_reserved_objects_are_registered_as_reportlab_registers_new_objects():
    """`reserve_objects` registers the structure tree's objects itself, as `PDFDocument.Reference` would."""
    tables = []
    for reserve in (True, False):
        canv = Canvas(io.BytesIO())
        doc = canv._doc
        doc.Reference(PDFDictionary({}))
        if reserve:
            made = [obj for obj, _ in _reportlab.reserve_objects(canv, 5)]
        else:
            made = [_reportlab.RawObject() for _ in range(5)]
            for obj in made:
                doc.Reference(obj)
        doc.Reference(PDFDictionary({}))  # and what comes after them is numbered on
        tables.append((doc.objectcounter, dict(doc.idToObjectNumberAndVersion), dict(doc.numberToId),
                       [obj.__InternalName__ for obj in made],
                       {name: type(obj).__name__ for name, obj in doc.idToObject.items()}))
    assert tables[0] == tables[1], (
        "reserve_objects registers objects otherwise than PDFDocument.Reference: ReportLab changed how it "
        "numbers and names objects (objectcounter, idToObjectNumberAndVersion, numberToId, idToObject)")


def test_fonts_written_once_a_process_are_the_objects_reportlab_writes(project, monkeypatch):
    """A text font's and the form font's six objects are written once a process (`FONT_OBJECTS`) and given each
    document's numbers:
    packets with fonts of other characters (names in other scripts), cold and warm, are the files ReportLab's own
    loop writes from the font objects themselves."""
    cases = [(NAMES[0], "large-print", None), (NAMES[2], "standard", "es"), (NAMES[3], "extra-large", None),
             (NAMES[0], "standard", "es")]


    _reportlab.FONT_OBJECTS.clear()
    cold = [_packet(project, *case) for case in cases]
    warm = [_packet(project, *case) for case in cases]
    assert any(key[0] == "form" for key in _reportlab.FONT_OBJECTS._made) and len(_reportlab.FONT_OBJECTS._made) > 4
    assert all(b"HFORMS+" in pdf for pdf in cold)
    _reportlabs_own(monkeypatch)
    monkeypatch.setattr(_reportlab, "_text_font", lambda doc, ttface, codes: doc.Reference(
        _reportlab._text_font_objects(doc, ttface, codes)))
    monkeypatch.setattr(_reportlab, "_form_font", lambda doc, ttface, characters: doc.Reference(
        _reportlab._form_font_objects(doc, ttface, characters)))
    for case, first, again in zip(cases, cold, warm):
        theirs = _packet(project, *case)
        assert first == theirs, f"{case}, cold: {_differs(first, theirs)}"
        assert again == theirs, f"{case}, warm: {_differs(again, theirs)}"


def test_the_writer_hands_over_each_object_it_wrote(project, monkeypatch):
    """`RenderedPDF.objects`: each object exactly as it stands in the file, at the offset the file's cross-reference
    table gives it (read by pypdf), and the file's catalog; none when ReportLab's own loop wrote the file."""
    from pypdf import PdfReader

    from handouts.pipeline import render_checked

    document = packet_document(project, Patient.from_values(NAMES[1]), datetime(2026, 12, 3, 9, 30),
                               tuple(project.content.names()))
    pdf = render_checked(project, document, project.layouts.load("large-print"), "packet")
    reader = PdfReader(io.BytesIO(bytes(pdf)))
    offsets = reader.xref[0]
    assert len(pdf.objects.objects) == len(offsets) == int(reader.trailer["/Size"]) - 1
    for number, content in enumerate(pdf.objects.objects, start=1):
        at = offsets[number]
        written = bytes(pdf)[at:at + len(b"%d 0 obj\n" % number) + len(content) + len(b"\nendobj\n")]
        assert written in (b"%d 0 obj\n" % number + content + b"\nendobj\n",
                           b"%d 0 obj\n" % number + content + b"endobj\n" + written[-1:])
    assert reader.trailer.raw_get("/Root").idnum == pdf.objects.root
    _reportlabs_own(monkeypatch)
    assert render_checked(project, document, project.layouts.load("large-print"), "packet").objects is None
