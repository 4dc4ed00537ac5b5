"""The name check's read-back: the text a PDF places, from its content streams, against what pypdf extracts."""

import io
import re
from datetime import datetime

import pikepdf
import pytest
from conftest import REPO
from pdfread import reader, text

from handouts.batch.workers import render_row
from handouts.load.project import Project
from handouts.load.roster import RosterRow
from handouts.mail.placed import placed_text
from handouts.mail.send import _fold

CLINIC = REPO / "tests/data/clinic_send.yaml"
WORDS = re.compile(r"\w+")
# Fictional patients: accents, Vietnamese (the fallback font inside a name), an apostrophe, a long hyphenated name.
PATIENTS = [("Zoë Q. Ångström", "Zoë"), ("Nguyễn Thị Minh Khai", "Khai"), ("Seán O'Brien", "Seán"),
            ("Eleni Papadopoulou-Łukasiewicz", "Eleni")]


@pytest.fixture(scope="module")
def send_project():
    return Project.open(REPO / "content", REPO / "layouts", CLINIC)


def packet(project, number, layout, language, forms=True):
    name, preferred = PATIENTS[number % len(PATIENTS)]
    row = RosterRow(number, f"P{number:03d}", name, preferred, datetime(2026, 12, 3, 9, 30), layout,
                    ("infusion-day-checklist", "fibromyalgia-ketamine"), "p@example.org", language)
    return render_row(row, project, forms).pdf, name


@pytest.mark.parametrize("layout", ["standard", "large-print", "extra-large"])
@pytest.mark.parametrize("language", ["en-US", "es"])
def test_the_placed_text_has_the_words_a_reader_extracts(send_project, layout, language):
    """Word for word the title and what pypdf's text extraction gives (the read-back only splits a few runs
    pypdf joins: a link and the full stop after it), every page, in every layout and language, with and
    without fillable fields."""
    for number in range(len(PATIENTS)):
        pdf, name = packet(send_project, number, layout, language, forms=bool(number % 2))
        placed = _fold(placed_text(pdf))
        extracted = reader(pdf).metadata.title + "\n" + text(pdf)
        assert WORDS.findall(placed) == WORDS.findall(_fold(extracted))
        assert _fold(name) in placed  # a name drawn in two fonts (Vietnamese) is read back whole


def synthetic(content: bytes, form: bytes | None = None) -> bytes:
    """A one-page PDF in Helvetica (no ToUnicode: Latin-1) whose page draws `content`, and `form` as /X0."""
    pdf = pikepdf.new()
    font = pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1,
                                                BaseFont=pikepdf.Name.Helvetica))
    resources = pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=font))
    if form is not None:
        xobject = pikepdf.Stream(pdf, form, Type=pikepdf.Name.XObject, Subtype=pikepdf.Name.Form,
                                 BBox=[0, 0, 612, 792], Resources=resources)
        resources.XObject = pikepdf.Dictionary(X0=xobject)
    page = pdf.add_blank_page(page_size=(612, 792))
    page.obj.Resources = resources
    page.obj.Contents = pdf.make_stream(content)
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


def test_other_ways_of_showing_text_are_read_too():
    """TJ arrays (a wide kern is a space), hex strings, ' and ", moves to another line, and form XObjects."""
    pdf = synthetic(b"BT /F1 12 Tf 72 700 Td [(Ana) -300 (Ru) 20 (iz)] TJ 0 -14 Td <4A61636B> Tj "
                    b"( Smith) Tj T* (Omar) Tj (Haddad) ' 1 2 (Rosa) \" ET /X0 Do",
                    form=b"BT /F1 12 Tf 1 0 0 1 72 600 Tm (Wren) Tj 1 0 0 1 110 600 Tm ( Walsh) Tj ET")
    assert placed_text(pdf).splitlines() == ["", "Ana Ruiz", "Jack Smith", "Omar", "Haddad", "Rosa", "Wren Walsh"]


def test_pages_read_before_give_the_same_text_and_keep_no_patient_value(send_project):
    """`PageTexts`: a page with the same bytes as one read before gives its lines without being read again; the
    text is what a fresh read gives, every packet; and a page is kept only where `keep` allows it, so pages
    showing a patient's name stay unkept."""
    from handouts.mail.placed import PageTexts

    seen, reads = PageTexts(), []
    names = [_fold(name) for name, _ in PATIENTS] + [_fold(preferred) for _, preferred in PATIENTS]

    def keep(page):
        reads.append(page)
        return not any(name in _fold(page) for name in names)

    # Latin names only first: their packets' pages name the same fonts.
    latin = [number for number, (name, _) in enumerate(PATIENTS) if not name.startswith("Nguy")]
    for number in latin:
        pdf, name = packet(send_project, number, "large-print", "en-US")
        assert placed_text(pdf, seen, keep) == placed_text(pdf)
        assert _fold(name) in _fold(placed_text(pdf, seen, keep))
    pages = len(reader(pdf).pages)
    kept = len(seen._lines)
    assert 0 < kept < pages  # the pages with no name are kept, the others are not
    # The first read asks about every page; every later one only about the pages not kept.
    assert len(reads) == pages + (2 * len(latin) - 1) * (pages - kept)
    # A name in another script (the fallback font on every page's resources): its own text, read fresh or not.
    for number in range(2 * len(PATIENTS)):
        pdf, name = packet(send_project, number, "extra-large", "es")
        assert placed_text(pdf, seen, keep) == placed_text(pdf)
    assert not any(name in _fold(repr(seen._lines)) for name in names)
