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


# -- the direct reader: a file handouts wrote, read without pikepdf -----------------------------------------------


@pytest.mark.parametrize("layout", ["standard", "large-print", "extra-large"])
@pytest.mark.parametrize("language", ["en-US", "es"])
def test_the_direct_reader_reads_what_qpdf_reads(send_project, layout, language):
    """Every packet handouts writes is read without pikepdf, into the same text, line for line, every layout and
    language, with and without fields; and page by page through `PageTexts` too."""
    from handouts.mail.placed import PageTexts, _direct_text, _pikepdf_text

    direct, qpdf = PageTexts(), PageTexts()
    for number in range(2 * len(PATIENTS)):
        pdf, _ = packet(send_project, number, layout, language, forms=bool(number % 2))
        expected = _pikepdf_text(pdf, None, lambda page: False)
        assert _direct_text(pdf, None, lambda page: False) == expected  # never falls back for a packet
        assert _direct_text(pdf, direct, lambda page: True) == expected == _pikepdf_text(pdf, qpdf, lambda page: True)


def appended(pdf: bytes, number: int, content: bytes) -> bytes:
    """`pdf` with an update appended, as an editor saves one: object `number` made a stream of `content`."""
    start = int(pdf[pdf.rindex(b"startxref") + 9:].split()[0])
    size = int(re.search(rb"/Size (\d+)", pdf[start:])[1])
    root = re.search(rb"/Root (\d+ \d+ R)", pdf[start:])[1]
    offset = len(pdf)
    body = b"%d 0 obj\n<< /Length %d >>\nstream\n%s\nendstream\nendobj\n" % (number, len(content), content)
    table = b"xref\n0 1\n0000000000 65535 f \n%d 1\n%010d 00000 n \n" % (number, offset)
    trailer = b"trailer\n<< /Size %d /Root %s /Prev %d >>\nstartxref\n%d\n%%%%EOF\n" % (size, root, start,
                                                                                    offset + len(body))
    return pdf + body + table + trailer


def page_contents(pdf: bytes) -> int:
    with pikepdf.open(io.BytesIO(pdf)) as document:
        return document.pages[0].obj.Contents.objgen[0]


def test_a_packet_changed_after_it_was_written_is_read_as_qpdf_reads_it(send_project):
    """An update appended to the file (a page's stream replaced, showing another name), or bytes moved from where
    the cross-reference table says: not a file the direct reader takes; the whole file is read by pikepdf, which
    reads the update, and the name check sees the other name."""
    from handouts.mail.placed import _direct_text, _NotDirect
    from handouts.mail.send import NameCheck

    pdf, name = packet(send_project, 0, "standard", "en-US")
    planted = appended(pdf, page_contents(pdf), b"BT /HAtkinsonHyperlegibleRegular 12 Tf 72 700 Td "
                                                  b"<0041006e00610020005200750069007a> Tj ET")  # "Ana Ruiz"
    moved = pdf.replace(b"%PDF-1.7\n", b"%PDF-1.7\n%\n", 1)
    for changed in (planted, moved):
        with pytest.raises(_NotDirect):
            _direct_text(changed, None, lambda page: False)
    assert "Ana Ruiz" in placed_text(planted).splitlines() and _fold(name) in _fold(placed_text(moved))
    row = RosterRow(2, "P002", name, PATIENTS[0][1], datetime(2026, 12, 3, 9, 30), "standard",
                    ("infusion-day-checklist", "fibromyalgia-ketamine"), "p@example.org", "en-US")
    check = NameCheck({2: name, 3: "Ana Ruiz"}, send_project)
    assert check.problem(row, pdf) is None
    assert check.problem(row, planted) == "its packet shows the name of row 3's patient"


def test_a_name_planted_in_a_page_is_read_by_the_direct_reader(send_project):
    """A packet whose page shows another row's name, rewritten whole (by qpdf: one table, objects in order): read
    without pikepdf, and refused; the same packet without the plant passes."""
    from handouts.mail.placed import _direct_text
    from handouts.mail.send import NameCheck

    pdf, name = packet(send_project, 0, "large-print", "en-US")
    with pikepdf.open(io.BytesIO(pdf)) as document:
        stream = document.pages[0].obj.Contents
        stream.write(stream.read_bytes() + b"\nBT /HAtkinsonHyperlegibleRegular 12 Tf 72 40 Td "
                                            b"<0041006e00610020005200750069007a> Tj ET\n")  # "Ana Ruiz"
        out = io.BytesIO()
        document.save(out, object_stream_mode=pikepdf.ObjectStreamMode.disable)
    planted = out.getvalue()
    assert "Ana Ruiz" in _direct_text(planted, None, lambda page: False).splitlines()
    row = RosterRow(2, "P002", name, PATIENTS[0][1], datetime(2026, 12, 3, 9, 30), "large-print",
                    ("infusion-day-checklist", "fibromyalgia-ketamine"), "p@example.org", "en-US")
    check = NameCheck({2: name, 3: "Ana Ruiz"}, send_project)
    assert check.problem(row, pdf) is None
    assert check.problem(row, planted) == "its packet shows the name of row 3's patient"


@pytest.mark.parametrize("content", [
    b"BT /F1 12 Tf 72 700 Td (Ana (Ruiz)) Tj ET",  # a parenthesis inside a string, not escaped
    b"BT /F1 12 Tf 72 700 Td (Ana) Tj ET BI /W 1 /H 1 /BPC 8 /CS /G ID \x00 EI",  # an inline image
    b"BT /F#31 12 Tf 72 700 Td (Ana) Tj ET",  # a name with an escape
    b"BT /F1 12 Tf 72 700 Td [(Ana) true] TJ ET",  # a keyword inside an array
])
def test_what_the_direct_reader_does_not_read_is_read_by_pikepdf(content):
    from handouts.mail.placed import _direct_text, _NotDirect

    pdf = synthetic(content)
    with pytest.raises(_NotDirect):
        _direct_text(pdf, None, lambda page: False)
    assert "Ana" in placed_text(pdf)


def test_the_direct_reader_reads_strings_as_qpdf_reads_them():
    """Escapes, octal codes, a line continued, line ends inside a string, hex with odd digits, comments."""
    from handouts.mail.placed import _direct_text, _pikepdf_text

    pdf = synthetic(b"BT /F1 12 Tf 72 700 Td (A\\(n\\)a\\101\\7\\\\ \\q) Tj % a comment (\n"
                    b"(Ru\\\niz\rA\r\nB) Tj T* <4a61636> Tj [(S) -300 (m) 1.5 (i) -.5 <7468>] TJ ET")
    assert _direct_text(pdf, None, lambda page: False) == _pikepdf_text(pdf, None, lambda page: False)


# -- a plain stream (as ReportLab writes one), read by its words -------------------------------------------------


def _streams(pdf: bytes) -> list[bytes]:
    """Each page's content streams, decoded, as the direct reader finds them."""
    from handouts.mail.placed import _File

    document = _File(pdf)
    return [document.decoded(head, data) for page in document.pages()
            for head, data in document.page_parts(page, {})[0]]


@pytest.mark.parametrize("layout", ["standard", "large-print", "extra-large"])
def test_every_packet_stream_is_plain_and_read_as_token_by_token(send_project, layout):
    """Every page stream of every packet (both languages, with and without fields) is read by its words
    (`_plain_operations`), into the very operations the tokenizer gives (`_operations`)."""
    from handouts.mail.placed import _operations, _plain_operations

    for number in range(2 * len(PATIENTS)):
        pdf, _ = packet(send_project, number, layout, ("en-US", "es")[number % 2], forms=bool(number // 2 % 2))
        for data in _streams(pdf):
            assert _plain_operations(data) == list(_operations(data))


def _operations_or_refused(data: bytes):
    from handouts.mail.placed import _NotDirect, _operations

    try:
        return list(_operations(data))
    except (_NotDirect, ValueError):
        return "refused"


def test_a_plain_stream_is_read_as_the_tokenizer_reads_it_whatever_its_words():
    """Streams made of words in every order and spacing (operators, keywords that begin like numbers, names with
    "#", hex strings with spaces or odd digits, dictionaries, "<<" and ">>" astray, literal strings, comments,
    line ends other than "\\n"): wherever the plain reading takes one, its operations are the tokenizer's; where
    the tokenizer refuses one, the plain reading does not take it."""
    import random

    from handouts.mail.placed import _plain_operations

    pieces = [b"BT", b"ET", b"1", b"0.5", b"-.5", b"+3", b"1.", b"1a", b".", b"+", b"+-1", b"/F1", b"/", b"/F#31",
              b"/F\xc3\xa9", b"(a)", b"<4142>", b"<414>", b"<41 4>", b"<>", b"<<", b">>", b"<", b">", b"/MCID",
              b"/Type", b"[", b"]", b"Tj", b"TJ", b"'", b'"', b"Tm", b"Tf", b"Td", b"TD", b"T*", b"Do", b"cm", b"BDC",
              b"true", b"null", b"BI", b"%c", b"\r", b"\t", b"\x00", b"\x01", b"\x02", b"_x",
              b"<</MCID 0>>", b"<</Type /Pagination /Subtype /Footer>>", b"<< /A 1 >>", b"<<>>", b"<</A <41>>>"]
    randomly, taken, refused = random.Random(24), 0, 0
    for _ in range(60_000):
        data = b"".join(randomly.choice(pieces) + randomly.choice([b" ", b"", b"\n", b"  "])
                        for _ in range(randomly.randint(1, 16)))
        data += b"1 2 3 4 5 6 7 8 9 Tj" if randomly.random() < 0.02 else b""  # more operands than ReportLab writes
        plain, expected = _plain_operations(data), _operations_or_refused(data)
        if plain is not None:
            assert plain == expected, data
            taken += 1
        refused += expected == "refused"
    assert taken > 5_000 and refused > 5_000  # both kinds were met, many times


def test_a_plain_number_is_the_tokenizer_s_number():
    """The number test of the plain reading (digits, at most one ".", a sign) takes what `_TOKEN` takes for one."""
    import itertools

    from handouts.mail.placed import _plain_operations

    for size in range(1, 5):
        for word in map(bytes, itertools.product(b"0.+-5a", repeat=size)):
            stream = word + b" 1 0 0 1 0 Tm"
            assert _plain_operations(stream) in (None, _operations_or_refused(stream)), word


@pytest.mark.parametrize("kept", [True, False])
def test_a_name_planted_in_a_kept_page_or_the_patient_s_own_is_found(send_project, kept):
    """Another row's name drawn, as ReportLab draws text, into a page taken from a kept file (its stream one of
    the objects `RenderedPDF.objects.kept` names) or into a page that shows the patient (one of the packet's own):
    read by its words, and the packet refused, after the same packet without it passed and had its pages read
    (and those that show no patient kept)."""
    from handouts.mail.placed import _plain_operations
    from handouts.mail.send import NameCheck

    row = RosterRow(2, "P002", "Zoë Q. Ångström", "Zoë", datetime(2026, 12, 3, 9, 30), "large-print",
                    ("infusion-day-checklist", "fibromyalgia-ketamine"), "p@example.org", "en-US")
    check = NameCheck({2: row.name, 3: "Ana Ruiz"}, send_project)
    for _ in range(2):  # the second from a kept file
        made = render_row(row, send_project).pdf
        assert check.problem(row, made) is None
    own = {number for number in range(1, len(made.objects.objects) + 1)} - made.objects.kept
    assert made.objects.kept
    with pikepdf.open(io.BytesIO(bytes(made))) as document:
        pages = [page for page in document.pages if (page.obj.Contents.objgen[0] in made.objects.kept) == kept]
        stream = pages[-1].obj.Contents
        assert (stream.objgen[0] in own) != kept
        stream.write(stream.read_bytes() + b"\nBT 0 0 0 rg 1 0 0 1 72 40 Tm /HAtkinsonHyperlegibleRegular 12 Tf "
                                            b"<0041006e00610020005200750069007a> Tj ET\n")  # "Ana Ruiz"
        out = io.BytesIO()
        document.save(out, object_stream_mode=pikepdf.ObjectStreamMode.disable)
    planted = out.getvalue()
    assert any(b"<0041006e00610020005200750069007a>" in data and _plain_operations(data) is not None
               for data in _streams(planted))
    assert "Ana Ruiz" in placed_text(planted).splitlines()
    assert check.problem(row, planted) == "its packet shows the name of row 3's patient"
    assert check.problem(row, made) is None


def test_only_lines_read_now_are_looked_through_and_a_name_in_them_is_found(send_project):
    """The name check looks for the first word of other rows' names only in the lines not given by `PageTexts`
    (the title and the pages read now): a page given again was kept for holding no such word. Every line given
    again holds none; another row's name in the title alone, every page given again, is still found."""
    from handouts.mail.placed import PageTexts
    from handouts.mail.send import NameCheck

    row = RosterRow(2, "P002", "Zoë Q. Ångström", "Zoë", datetime(2026, 12, 3, 9, 30), "standard",
                    ("infusion-day-checklist",), "p@example.org", "en-US")
    check = NameCheck({2: row.name, 3: "Ana Ruiz", 4: "Omar Haddad"}, send_project)
    for _ in range(2):  # the second from a kept file, its shared pages read once
        made = render_row(row, send_project).pdf
        assert check.problem(row, made) is None
    fresh: list[str] = []
    lines = placed_text(bytes(made), check._pages, lambda page: False, fresh).splitlines()
    given = list(lines)
    for line in fresh:
        given.remove(line)
    assert given and len(fresh) < len(lines)  # pages were given again
    assert not {word for line in given for word in WORDS.findall(_fold(line))} & {"ana", "omar", "zoë"}
    everything: list[str] = []  # nothing read before: every line is read now
    assert placed_text(bytes(made), PageTexts(), lambda page: False, everything) and everything == lines

    with pikepdf.open(io.BytesIO(bytes(made))) as document:
        document.docinfo["/Title"] = "Ana Ruiz"
        out = io.BytesIO()
        document.save(out, object_stream_mode=pikepdf.ObjectStreamMode.disable)
    planted = out.getvalue()  # written by qpdf: its pages read by pikepdf, and those that show no patient kept
    refused = "its packet shows the name of row 3's patient"
    assert check.problem(row, planted) == refused
    again: list[str] = []
    assert placed_text(planted, check._pages, lambda page: False, again).splitlines()[0] == "Ana Ruiz"
    assert again[0] == "Ana Ruiz" and len(again) < len(lines)  # the title read now, the shared pages given again
    assert check.problem(row, planted) == refused
