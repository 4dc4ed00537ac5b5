"""The timeline of infusion day, as a reader gets it: a picture drawn on one page inside the margins, a Caption
and a Figure whose /Alt says every step, valid PDF/UA-1 and PDF/A-2a, read the same by pdf.js, in every layout
and both languages."""

from __future__ import annotations

import io

import pikepdf
import pypdfium2
import pytest
from conftest import LAYOUTS
from pdfread import conformance_failures, reader, struct_tree
from viewers import nodes, pdfjs_view

from handouts.load.profile import localized
from handouts.model import Timeline, plain_text, walk
from handouts.pipeline import load_document, render_checked
from handouts.render.pdf import footer_height, lay_out
from handouts.render.timeline import TimelineBox

HANDOUT = "fibromyalgia-ketamine"
LANGUAGES = (None, "es")
# The steps as the content says them, with the profile's session minutes in them (tests fill those in).
STEPS = {None: ("What happens on infusion day",
                ["Arrive", "IV in your arm", "Infusion: {infusion} minutes", "Rest: {rest} minutes",
                 "Your driver takes you home"]),
         "es": ("Qué pasa el día de su infusión",
                ["Llega a la clínica", "Le ponemos la vía IV en el brazo", "Infusión: {infusion} minutos",
                 "Descanso: {rest} minutos", "Su acompañante le lleva a casa"])}


# The shipped profile's 'infusion_minutes: 40-60' as each language says it: never "40-60", which a screen reader
# may read as "40 minus 60".
RANGES = {None: "40 to 60", "es": "de 40 a 60"}


def expected(project, language):
    caption, steps = STEPS[language]
    clinic = localized(project.clinic, language or "en")
    minutes = {"infusion": clinic["infusion_range"], "rest": clinic["rest_minutes"]}
    return caption, [step.format(**minutes) for step in steps]


@pytest.fixture(scope="module")
def rendered(project):
    """The handout in every layout and language, drawn once."""
    made = {}
    for language in LANGUAGES:
        document = load_document(project, HANDOUT, language=language)
        for layout in LAYOUTS:
            made[layout, language] = render_checked(project, document, project.layouts.load(layout), HANDOUT)
    return made


def _placed_timelines(project, layout, language):
    """(page number, placed box) of each timeline in the handout's page model."""
    document = load_document(project, HANDOUT, language=language)
    pages = lay_out(document, project.layouts.load(layout))
    return [(page.number, placed) for page in pages for placed in page.placed if isinstance(placed.box, TimelineBox)]


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_handout_has_the_day_as_a_timeline_with_the_profiles_minutes(project, language):
    """The steps come from the content, the minutes from the clinic profile (not from a constant)."""
    document = load_document(project, HANDOUT, language=language)
    (timeline,) = [block for block in walk(document.blocks) if isinstance(block, Timeline)]
    caption, steps = expected(project, language)
    assert plain_text(timeline.spans) == caption
    assert [plain_text(step.spans) for step in timeline.steps] == steps


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("layout", LAYOUTS)
def test_the_timeline_is_on_one_page_inside_the_text_area(project, layout, language):
    """In the page model: a row in standard print, a column where the line is short for the type (large and
    extra-large print); every circle, arrow and word within the text's width, nothing overlapping."""
    (placed,) = [placed for _, placed in _placed_timelines(project, layout, language)]
    drawing = placed.box.drawing(placed.width)
    assert drawing.vertical == (layout != "standard")
    assert drawing.height == placed.height
    left, bottom, right, top = drawing.figure
    assert 0 <= left < right <= placed.width and 0 <= bottom < top <= placed.height
    for circle in drawing.circles:
        assert left <= circle.x - circle.radius and circle.x + circle.radius <= right
        assert bottom <= circle.y - circle.radius and circle.y + circle.radius <= top
    words = [at for label in drawing.labels for at in label]
    for at in words + list(drawing.caption):
        assert 0 <= at.x and at.x + at.line.width <= placed.width + 0.01
        assert 0 <= at.baseline <= placed.height
    # Words never run into a circle or another step's words.
    for index, label in enumerate(drawing.labels):
        for at in label:
            for other, circle in enumerate(drawing.circles):
                inside_x = circle.x - circle.radius < at.x + at.line.width and at.x < circle.x + circle.radius
                inside_y = circle.y - circle.radius < at.baseline < circle.y + circle.radius
                assert not (inside_x and inside_y), (index, other)
    em = placed.box.style.size
    for first, second, arrow in zip(drawing.circles, drawing.circles[1:], drawing.arrows):
        if drawing.vertical:  # top to bottom, on a line from centre to centre, apart
            assert first.x == second.x and first.y - second.y >= 2 * first.radius + 0.25 * em
            assert (arrow.x0, arrow.y0, arrow.x1, arrow.y1, arrow.head) == (first.x, first.y, second.x, second.y,
                                                                            False)
        else:  # left to right, an arrow of at least an em between them
            assert first.y == second.y == arrow.y0 == arrow.y1 and arrow.head
            assert first.x + first.radius < arrow.x0 < arrow.x0 + em <= arrow.x1 < second.x - second.radius
    assert len(drawing.arrows) == len(drawing.circles) - 1 == 4


def test_a_timeline_never_splits_across_pages(make_project):
    """A picture taller than what is left of a page moves whole to the next one."""
    steps = "".join(f"- Step {n}\n" for n in range(1, 9))
    filler = "".join(f"Line {n} of the text before the picture.\n\n" for n in range(9))
    project = make_project(doc=f"---\ntitle: T\n---\n{filler}```timeline\ncaption: Day\n{steps}```\n\nAfter.\n")
    document = load_document(project, "doc")
    pages = lay_out(document, project.layouts.load("extra-large"))
    found = [(page.number, placed) for page in pages for placed in page.placed if isinstance(placed.box, TimelineBox)]
    assert len(found) == 1 and found[0][0] == 2
    assert any(line.startswith("Line ") for line in pages[0].text())  # the text before stays on page 1


def _figure_objects(pdf: bytes):
    document = pikepdf.open(io.BytesIO(pdf))
    page_numbers = {page.objgen: index for index, page in enumerate(document.pages)}
    return document, page_numbers, [obj for obj in document.objects
                                    if isinstance(obj, pikepdf.Dictionary) and obj.get("/S") == "/Figure"
                                    and "/A" in obj]


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("layout", LAYOUTS)
def test_the_drawn_timeline_is_a_captioned_figure_that_passes_pdf_ua_and_pdf_a(project, rendered, layout, language):
    pdf = rendered[layout, language]
    caption, steps = expected(project, language)
    tree = struct_tree(reader(pdf))
    (group,) = [div for div in tree.find("Div") if [kid.role for kid in div.kids] == ["Caption", "Figure"]]
    caption_element, figure = group.kids
    assert caption_element.text == caption
    assert figure.alt == " ".join(f"{n}. {step}." for n, step in enumerate(steps, start=1))
    # What is drawn inside the picture (the numbers and words) belongs to the Figure, never to a P of its own.
    assert not figure.kids and "".join(figure.text.split()) == "".join(
        f"{n}{step}" for n, step in enumerate(steps, start=1)).replace(" ", "")
    assert len({page for page, _ in figure.mcids}) == 1  # one page: the picture is never cut in two
    assert conformance_failures(pdf) == []


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("layout", LAYOUTS)
def test_the_infusions_minutes_are_a_range_in_words(project, rendered, layout, language):
    """The profile's '40-60' is drawn and said as '40 to 60 minutes' / 'de 40 a 60 minutos': in the /Alt a screen
    reader says, in the words drawn in the picture, and nowhere as '40-60' or '40–60'."""
    pdf = rendered[layout, language]
    (figure,) = [div.kids[1] for div in struct_tree(reader(pdf)).find("Div")
                 if [kid.role for kid in div.kids] == ["Caption", "Figure"]]
    unit = "minutes" if language is None else "minutos"
    assert f"{RANGES[language]} {unit}." in figure.alt
    assert RANGES[language].replace(" ", "") in "".join(figure.text.split())
    for text in (figure.alt, figure.text, pypdfium_text(pdf)):
        assert "40-60" not in text and "40–60" not in text and "40 - 60" not in text


def pypdfium_text(pdf: bytes) -> str:
    document = pypdfium2.PdfDocument(bytes(pdf))
    try:
        return " ".join(page.get_textpage().get_text_range() for page in document)
    finally:
        document.close()


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("layout", LAYOUTS)
def test_the_figures_bbox_is_where_it_is_drawn_inside_the_margins(project, rendered, layout, language):
    """/A << /O /Layout /BBox >> on the Figure is inside the text area, and the page is dark where the page model
    puts each circle (rendered by PDFium, as a browser shows it) and light at the BBox's corners."""
    pdf = rendered[layout, language]
    chosen = project.layouts.load(layout)
    x, y, width, height = chosen.frame
    document, page_numbers, figures = _figure_objects(pdf)
    timelines = [figure for figure in figures if str(figure.A.O) == "/Layout"]
    assert len(timelines) == 1
    figure = timelines[0]
    left, bottom, right, top = (float(value) for value in figure.A.BBox)
    assert x - 0.01 <= left < right <= x + width + 0.01
    assert y + footer_height(chosen) - 0.01 <= bottom < top <= y + height + 0.01
    (page_number, placed), = _placed_timelines(project, layout, language)
    drawing = placed.box.drawing(placed.width)
    origin_x, origin_y = x + placed.x, y + footer_height(chosen) + placed.y
    fig_left, fig_bottom, fig_right, fig_top = drawing.figure
    assert (left, bottom, right, top) == pytest.approx(
        (origin_x + fig_left, origin_y + fig_bottom, origin_x + fig_right, origin_y + fig_top), abs=0.01)
    scale = 2.0
    image = pypdfium2.PdfDocument(pdf)[page_number - 1].render(scale=scale).to_pil().convert("L")
    page_height = chosen.page_size[1]

    def shade(px: float, py: float) -> int:
        return image.getpixel((round(px * scale), round((page_height - py) * scale)))

    for circle in drawing.circles:  # filled, with its number in the page's colour at the middle
        cx, cy = origin_x + circle.x, origin_y + circle.y
        assert shade(cx - 0.7 * circle.radius, cy) < 60 and shade(cx + 0.7 * circle.radius, cy) < 60
    assert min(shade(left + 1, top - 1), shade(right - 1, bottom + 1)) > 200


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("layout", LAYOUTS)
def test_pdfjs_reads_the_caption_and_the_figures_alt_text(project, rendered, tmp_path, layout, language):
    view = pdfjs_view(rendered[layout, language], tmp_path)
    caption, steps = expected(project, language)
    found = [(page["number"], figure) for page in view["pages"] for figure in nodes(page["structTree"], "Figure")
             if figure.get("alt", "").startswith("1. ")]
    assert len(found) == 1
    number, figure = found[0]
    assert figure["alt"] == " ".join(f"{n}. {step}." for n, step in enumerate(steps, start=1))
    page = view["pages"][number - 1]
    captions = nodes(page["structTree"], "Caption")
    assert len(captions) == 1
    left, bottom, right, top = figure["bbox"]  # pdf.js reads where the picture is, from /BBox
    assert left < right and bottom < top
    # The text layer (what a screen reader or a search reads of the page): the caption, then each number
    # with its step, in order.
    text = " ".join(page["text"].split())
    assert f"{caption} " + " ".join(f"{n} {step}" for n, step in enumerate(steps, start=1)) in text
