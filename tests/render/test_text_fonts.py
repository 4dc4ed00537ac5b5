"""Text fonts: a character's code is its own code point, so a page's bytes depend on its own text alone.

ReportLab's subsets give each character the next free code the first time a document draws it: a patient's name
on page 1 changed the codes, and so the bytes, of every later page. Each face is now one Type 0 font (Identity-H)
whose two-byte code for a character is its code point."""

import io
import re
from datetime import datetime

import pikepdf
from pdfread import conformance_failures, reader

from handouts.load.project import Patient
from handouts.pipeline import packet_document, render_checked
from handouts.render import _reportlab

DOCUMENTS = ("infusion-day-checklist", "fibromyalgia-ketamine")


def _packet(project, name: str, preferred: str = "", layout: str = "large-print", language=None) -> bytes:
    document = packet_document(project, Patient.from_values(name, preferred), datetime(2026, 12, 3, 9, 30),
                               DOCUMENTS, language)
    return render_checked(project, document, project.layouts.load(layout), "packet")


def _pages(pdf: bytes) -> list[tuple[str, bytes]]:
    """Each page's text and its content stream's bytes."""
    texts = [page.extract_text() for page in reader(pdf).pages]
    with pikepdf.open(io.BytesIO(pdf)) as document:
        return [(text, page.Contents.read_bytes()) for text, page in zip(texts, document.pages)]


def _text_fonts(pdf: bytes) -> dict[str, tuple]:
    """Each text font by its name: (ToUnicode map, its /W, its CID-to-glyph map, its glyph subset)."""
    fonts = {}
    with pikepdf.open(io.BytesIO(pdf)) as document:
        for obj in document.objects:
            if isinstance(obj, pikepdf.Dictionary) and obj.get("/Subtype") == "/Type0" and not str(
                    obj.BaseFont).startswith(f"/{_reportlab.FORM_SUBSET_TAG}+"):
                cid = obj.DescendantFonts[0]
                fonts[str(obj.BaseFont)] = (obj.ToUnicode.read_bytes().decode("ascii"), [
                    item if isinstance(item, pikepdf.Array) else int(item) for item in cid.W],
                    cid.CIDToGIDMap.read_bytes(), cid.FontDescriptor.FontFile2.read_bytes())
    return fonts


def test_a_characters_code_is_its_own_code_point_whatever_was_drawn_before(fonts):
    face = fonts.face_for("a", False)

    def canvas():
        return _reportlab.new_canvas(io.BytesIO(), (612.0, 792.0), "en", face, 12)

    first = canvas()
    _reportlab.text_run(first, face, "Zoë Ångström ’“”")
    resource, operand = _reportlab.text_run(first, face, "café – “día”")
    assert operand == "<" + "café – “día”".encode("utf-16-be").hex() + ">"
    assert (resource, operand) == _reportlab.text_run(canvas(), face, "café – “día”")


def test_pages_that_show_no_patient_are_the_same_bytes_for_every_patient(project):
    """A name with letters the content never draws (ë, Å) on page 1 changes no later page: with ReportLab's codes
    it changed every page that draws a curly quote, a dash or an accent after it."""
    for layout, language in (("large-print", None), ("standard", "es")):
        plain = _pages(_packet(project, "Zoe Angstrom", "Zoe", layout, language))
        accented = _pages(_packet(project, "Zoë Ångström", "Zoë", layout, language))
        assert len(plain) == len(accented) > 4
        unnamed = [i for i, ((text, _), (other, _)) in enumerate(zip(plain, accented))
                   if not re.search("Zo[eë]", text + other)]
        assert len(unnamed) >= len(plain) - 3, unnamed  # the opening and the two greetings name the patient
        for i in unnamed:
            assert plain[i][1] == accented[i][1], f"page {i + 1} ({layout}) differs though it shows no patient"
        assert any(b"\xe2\x80" in text.encode() for i in unnamed for text in [plain[i][0]])  # curly quotes, dashes


def test_a_text_fonts_name_and_bytes_follow_its_characters_only(project):
    first, second = _text_fonts(_packet(project, "Jack Smith")), _text_fonts(_packet(project, "Ruth Jones"))
    assert first == second and len(first) >= 2  # plain letters bring no character of their own: one font for all
    accented = _text_fonts(_packet(project, "Zoë Ångström"))
    assert set(accented) != set(first)  # the faces that draw ë and Å hold them, under another tag
    for name in accented:
        assert re.fullmatch(r"/[A-Z]{6}\+[A-Za-z-]+", name), name


def test_every_code_maps_to_its_own_character_and_a_glyph(project):
    pdf = _packet(project, "Дмитрий Ελένη Nguyễn", layout="standard", language="es")
    assert not conformance_failures(pdf)
    fonts = _text_fonts(pdf)
    assert any("NotoSans" in name for name in fonts) and any("Atkinson" in name for name in fonts)
    for name, (cmap, widths, cid_to_gid, _subset) in fonts.items():
        pairs = re.findall(r"<([0-9A-F]{4})> <([0-9A-F]{4})>", cmap.partition("endcodespacerange")[2])
        assert pairs and all(code == unicode for code, unicode in pairs), name
        codes = [int(code, 16) for code, _ in pairs]
        drawn = []
        for first, run in zip(widths[::2], widths[1::2]):
            drawn += range(first, first + len(run))
        assert drawn == codes, name  # /W gives a width for exactly the codes the map names
        assert all(cid_to_gid[2 * code:2 * code + 2] != b"\0\0" for code in codes), name
