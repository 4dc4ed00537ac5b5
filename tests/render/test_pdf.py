import re

import pytest
from conftest import APPOINTMENT, LAYOUTS, PATIENT, render
from pdfread import embedded_fonts, normalized, reader, runs, squeeze, text

from handouts.pipeline import load_document
from handouts.model import plain_text, walk

MIN_SIZE = {"standard": 14, "large-print": 18, "extra-large": 24}


def block_texts(document) -> list[str]:
    return [plain_text(n.spans) for n in walk(document.blocks) if getattr(n, "spans", None)]


def assert_in_order(expected: list[str], extracted: str) -> None:
    flat = normalized(extracted)
    position = 0
    for piece in expected:
        found = flat.find(normalized(piece), position)
        assert found >= 0, f"missing or out of order: {piece!r}"
        position = found + len(normalized(piece))


@pytest.mark.parametrize("layout", LAYOUTS)
def test_every_block_appears_in_source_order(sample_project, layout):
    pdf = render(sample_project, "sample", layout)
    assert_in_order(block_texts(load_document(sample_project, "sample")), text(pdf))


@pytest.mark.parametrize("layout", LAYOUTS)
def test_no_template_or_markdown_syntax_leaks(sample_project, layout):
    extracted = text(render(sample_project, "sample", layout))
    for leak in ("{{", "{%", "**", "](", "[ ]", "[x]", "___", "\ue000"):
        assert leak not in extracted


@pytest.mark.parametrize("layout", LAYOUTS)
def test_text_is_drawn_at_the_layouts_minimum_size_or_larger(sample_project, layout):
    sizes = [size for _, _, size, *_ in runs(render(sample_project, "sample", layout))]
    assert sizes and min(sizes) >= MIN_SIZE[layout] - 0.01


@pytest.mark.parametrize("layout", LAYOUTS)
def test_fonts_are_embedded_atkinson_and_never_italic(sample_project, layout):
    fonts = embedded_fonts(reader(render(sample_project, "sample", layout)))
    assert fonts == {"AtkinsonHyperlegible-Regular", "AtkinsonHyperlegible-Bold"}
    assert not any(re.search("italic|oblique", f, re.I) for f in fonts)


def test_headings_and_bold_use_the_bold_face(sample_project):
    all_runs = runs(render(sample_project, "sample"))
    by_text = {}
    for _, txt, size, font, *_ in all_runs:
        by_text.setdefault(txt.strip(), (size, font))
    assert by_text["Sample handout for tests"][1].endswith("AtkinsonHyperlegible-Bold")
    assert by_text["Sample handout for tests"][0] > by_text["First bullet"][0]
    assert by_text["First bullet"][1].endswith("AtkinsonHyperlegible-Regular")


def test_page_numbers_on_every_page(make_project):
    long = "\n\n".join(f"Paragraph {i} says something plain and short." for i in range(60))
    pdf = render(make_project(doc=f"---\ntitle: Long\n---\n{long}\n"), "doc", "extra-large")
    pages = reader(pdf).pages
    assert len(pages) > 2
    for number, page in enumerate(pages, start=1):
        shown = page.extract_text()
        # "10/10" where "Page 10 of 10" would leave the sample mark no room (the sample profile's PDFs only)
        assert f"Page {number} of {len(pages)}" in shown or ("SAMPLE" in shown and f"{number}/{len(pages)}" in shown)


def test_page_number_is_bottom_right_at_body_size(sample_project):
    numbers = [run for run in runs(render(sample_project, "sample", "large-print")) if run[1].startswith("Page ")]
    assert numbers
    for _page, _txt, size, _font, x, y, owner in numbers:
        assert owner == "artifact" and size == 18 and x > 300 and y < 100


def test_personal_values_appear_exactly(sample_project):
    extracted = normalized(text(render(sample_project, "sample", patient=PATIENT, appointment=APPOINTMENT)))
    assert "Your appointment: Thursday, December 3, 2026 at 9:30 AM" in extracted
    assert "Prepared for Jack." in extracted


def test_without_patient_a_write_in_line_stands_in(sample_project):
    extracted = normalized(text(render(sample_project, "sample")))
    assert "Appointment date and time:" in extracted and "Name:" in extracted
    assert "None" not in extracted


def test_heading_is_kept_with_the_text_that_follows(make_project):
    moved = 0
    for count in range(6, 14):  # slide the heading across the end of the first page
        filler = "\n\n".join(f"Line {i} of filler text." for i in range(count))
        body = f"{filler}\n\n## The heading\n\nThe text after the heading.\n"
        pdf = render(make_project(doc=f"---\ntitle: Keep\n---\n{body}"), "doc", "extra-large")
        pages = [[line for line in page.extract_text().splitlines() if not line.startswith("Page ")]
                 for page in reader(pdf).pages]
        (lines,) = [lines for lines in pages if "The heading" in lines]
        assert "The text after the heading." in lines
        moved += lines[0] == "The heading" and pages.index(lines) > 0
    assert moved  # at least once the heading had to move to the next page


def test_list_item_is_never_split(make_project):
    filler = "\n\n".join(f"Filler paragraph {i}." for i in range(12))
    item = "- " + " ".join(["This list item is long and wraps over many lines."] * 6)
    pdf = render(make_project(doc=f"---\ntitle: Split\n---\n{filler}\n\n{item}\n"), "doc", "extra-large")
    pages_with_item = [i for i, page in enumerate(reader(pdf).pages) if "wraps over" in page.extract_text()]
    assert len(pages_with_item) == 1


def test_lines_stay_inside_the_margins(make_project):
    body = "A " + "x" * 150 + " and https://clinic.example/" + "/".join(["segment"] * 30) + "\n"
    pdf = render(make_project(doc=f"---\ntitle: Wide\n---\n{body}"), "doc", "extra-large")
    from handouts.render.fonts import width

    for _, txt, size, font, x, _y, _ in runs(pdf):
        face = font.split("+", 1)[-1]
        name = "AtkinsonHyperlegible-Bold" if "Bold" in face else "AtkinsonHyperlegible-Regular"
        assert x >= 72 - 0.01
        assert x + width(txt.rstrip(), name, size) <= 612 - 72 + 0.5, txt


def test_an_important_box_taller_than_a_page_splits_inside_the_page(make_project):
    long = " ".join(["Someone else must drive you home after the infusion."] * 40)
    pdf = render(make_project(doc=f"---\ntitle: Box\n---\n> **Important:** {long}\n"), "doc", "extra-large")
    pages = reader(pdf).pages
    assert len(pages) >= 2
    for _, _txt, _size, _font, x, y, _ in runs(pdf):
        assert 72 - 0.01 <= x and 72 - 0.01 <= y <= 792 - 72
    assert squeeze(long) in squeeze(text(pdf))


def test_a_heading_and_its_subheading_stay_with_their_text(make_project):
    for count in range(6, 14):
        filler = "\n\n".join(f"Line {i} of filler text." for i in range(count))
        body = f"{filler}\n\n## Section\n\n### Subsection\n\nThe text after both.\n"
        pdf = render(make_project(doc=f"---\ntitle: Keep\n---\n{body}"), "doc", "extra-large")
        (lines,) = [p.extract_text().splitlines() for p in reader(pdf).pages if "Section" in p.extract_text()]
        assert "Subsection" in lines and "The text after both." in lines


@pytest.mark.parametrize("name", ["Ĉarlo≤ Smith", "Температура≥38", "Ελένη≤Nguyễn"])
def test_a_word_that_needs_two_faces_draws_every_character_in_a_face_that_has_it(sample_project, fonts, name):
    from pdfread import conformance_failures

    from handouts.load.project import Patient

    pdf = render(sample_project, "sample", patient=Patient.from_values(name), appointment=APPOINTMENT)
    covered = {face.name: face.covered for pair in fonts.faces for face in pair}
    drawn = [(t, font.split("+", 1)[-1]) for _, t, _, font, *_ in runs(pdf)]
    for piece, font in drawn:
        face = next(name for name in covered if font.startswith(name.split("-")[0]) and
                    font.endswith(name.split("-")[-1]))
        assert all(ch.isspace() or ord(ch) in covered[face] for ch in piece), (piece, font)
    assert name in normalized(text(pdf))
    assert conformance_failures(pdf) == []


def test_a_rendered_pdf_knows_its_page_count_also_across_processes(project):
    import io
    import pickle

    from conftest import render
    from pypdf import PdfReader

    pdf = render(project, "infusion-day-checklist", "extra-large")
    assert pdf.pages == len(PdfReader(io.BytesIO(pdf)).pages) > 1
    again = pickle.loads(pickle.dumps(pdf))
    assert again == pdf and again.pages == pdf.pages
