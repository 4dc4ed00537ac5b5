"""The paginator's page model, tested without drawing a PDF."""

import pytest
from conftest import LEADING

from handouts.render.boxes import CalloutBox, PageBreakBox
from handouts.render.paginate import paginate

WIDTH = 200.0


def lines_of(paragraph, count: int, **options):
    """A block of exactly `count` lines: each word fills a line."""
    words = " ".join(f"word{n:02d}" + "x" * 30 for n in range(count))
    block = paragraph(words, **options)
    assert len(block.lines(WIDTH)) == count
    return block


def page_texts(pages):
    return [page.text() for page in pages]


def test_blocks_fill_pages_top_to_bottom(paragraph):
    blocks = [paragraph("one"), paragraph("two"), paragraph("three")]
    (page,) = paginate(blocks, WIDTH, 3 * LEADING)
    assert page.text() == ["one", "two", "three"]
    assert [p.y for p in page.placed] == [2 * LEADING, LEADING, 0.0]


def test_a_split_never_leaves_a_single_line_behind(paragraph):
    # Room for 1 line after a 4-line paragraph: the 5-line block moves whole rather than strand one line.
    pages = paginate([lines_of(paragraph, 4), lines_of(paragraph, 5)], WIDTH, 5 * LEADING)
    assert [len(t) for t in page_texts(pages)] == [4, 5]
    # Room for 3: it splits 3 + 2.
    pages = paginate([lines_of(paragraph, 2), lines_of(paragraph, 5)], WIDTH, 5 * LEADING)
    assert [len(t) for t in page_texts(pages)] == [5, 2]


def test_a_split_never_carries_a_single_line_over(paragraph):
    # Room for 4 lines: a 5-line block is split 3 + 2, not 4 + 1 (no widow).
    pages = paginate([lines_of(paragraph, 5)], WIDTH, 4 * LEADING)
    assert [len(t) for t in page_texts(pages)] == [3, 2]
    assert pages[0].placed[0].box.element is pages[1].placed[0].box.element  # one element across pages


def test_a_heading_moves_to_the_page_of_its_text(paragraph):
    filler = lines_of(paragraph, 3)
    heading = paragraph("Heading", role="H2", keep_with_next=True)
    body = lines_of(paragraph, 4, keep_together=False)
    pages = paginate([filler, heading, body], WIDTH, 5 * LEADING)
    # The heading and two lines of text would fit only with the heading alone at the page end.
    assert [len(t) for t in page_texts(pages)] == [3, 5]
    assert pages[1].text()[0] == "Heading"


def test_a_chain_of_headings_stays_with_the_text(paragraph):
    filler = lines_of(paragraph, 2)
    h2 = paragraph("Section", role="H2", keep_with_next=True)
    h3 = paragraph("Part", role="H3", keep_with_next=True)
    body = lines_of(paragraph, 3)
    pages = paginate([filler, h2, h3, body], WIDTH, 5 * LEADING)
    assert page_texts(pages)[1][:2] == ["Section", "Part"]


def test_list_items_are_never_split_and_the_list_continues(paragraph):
    items = [lines_of(paragraph, 2, keep_together=True) for _ in range(3)]
    pages = paginate(items, WIDTH, 5 * LEADING)
    assert [len(p.placed) for p in pages] == [2, 1]
    assert [len(t) for t in page_texts(pages)] == [4, 2]


def test_a_page_break_starts_a_new_page_unless_the_page_is_empty(paragraph):
    pages = paginate([PageBreakBox(), paragraph("a"), PageBreakBox(), paragraph("b")], WIDTH, 10 * LEADING)
    assert page_texts(pages) == [["a"], ["b"]]
    assert [p.number for p in pages] == [1, 2]


def test_a_kept_together_block_taller_than_a_page_splits_from_the_top_of_a_page(paragraph):
    tall = lines_of(paragraph, 6, keep_together=True)
    pages = paginate([lines_of(paragraph, 3), tall, paragraph("after")], WIDTH, 4 * LEADING)
    assert [len(t) for t in page_texts(pages)] == [3, 4, 3]
    assert page_texts(pages)[2][-1] == "after"


def test_a_long_kept_together_block_splits_rather_than_leave_a_hole(paragraph):
    # Moved whole, an 8-line list item would leave a 10-line page half empty: it splits 5 + 3 instead.
    long_item = lines_of(paragraph, 8, keep_together=True)
    pages = paginate([lines_of(paragraph, 5), long_item], WIDTH, 10 * LEADING)
    assert [len(t) for t in page_texts(pages)] == [10, 3]
    # On a page already more than half full it moves whole.
    pages = paginate([lines_of(paragraph, 6), long_item], WIDTH, 10 * LEADING)
    assert [len(t) for t in page_texts(pages)] == [6, 8]
    # Three lines cannot split two and two: it moves whole, and the page says why it ended early.
    pages = paginate([paragraph("one"), lines_of(paragraph, 3, keep_together=True)], WIDTH, 3 * LEADING)
    assert [len(t) for t in page_texts(pages)] == [1, 3]
    assert pages[0].held == 3 * LEADING


def test_a_callout_places_its_blocks_inside_its_border(paragraph, tree):
    with tree.element("Div") as div:
        inner = [paragraph("inside one"), paragraph("inside two")]
    box = CalloutBox(div, inner, "#000000", 3.0, 9.0, 0.0)
    (page,) = paginate([box], WIDTH, 10 * LEADING)
    (placed,) = page.placed
    assert placed.height == 2 * LEADING + 2 * 12.0
    assert [(p.x, p.y, p.width) for p in placed.inner] == [(12.0, 12.0 + LEADING, WIDTH - 24.0),
                                                           (12.0, 12.0, WIDTH - 24.0)]


def test_a_callout_taller_than_a_page_splits_between_its_blocks(paragraph, tree):
    with tree.element("Div") as div:
        inner = [lines_of(paragraph, 3, keep_together=True) for _ in range(3)]
    box = CalloutBox(div, inner, "#000000", 3.0, 9.0, 0.0)
    pages = paginate([box], WIDTH, 5 * LEADING)
    assert [len(t) for t in page_texts(pages)] == [3, 3, 3]


def test_a_list_keeps_its_intro_and_never_strands_an_item(fonts, tree):
    """Through the composer: 'Bring these:' stays with item 1; no item sits alone at a page's top or bottom."""
    from conftest import REPO

    from handouts.load.layouts import load_layout
    from handouts.model import ListBlock, ListItem, Paragraph, Span
    from handouts.render.compose import Composer

    layout = load_layout(REPO / "layouts" / "standard.yaml")
    blocks = [Paragraph([Span("filler " * 60)]), Paragraph([Span("Bring these:")]),
              ListBlock(False, [ListItem([Span(f"item {n}")]) for n in range(4)])]
    boxes = Composer(layout, fonts, tree).blocks(blocks)
    leading = boxes[-1].style.leading
    for room in range(6, 18):  # slide the list across a page end (pages hold the intro and two items)
        pages = paginate(boxes, 400.0, room * leading)
        for page in pages:
            lines = page.text()
            assert not (lines and lines[-1].strip() == "Bring these:"), (room, lines)
            items = [line for line in lines if line.startswith("item")]
            if 0 < len(items) < 4:
                assert len(items) >= 2, (room, [p.text() for p in pages])


@pytest.mark.parametrize("layout_name", ["standard", "large-print", "extra-large"])
def test_shipped_documents_leave_no_page_nearly_empty(project, layout_name):
    """Every page but a document's last is at least a quarter full, and no last page holds a lone line."""
    from handouts.pipeline import load_document
    from handouts.render.pdf import footer_height, lay_out

    layout = project.layouts.load(layout_name)
    height = layout.frame[3] - footer_height(layout)
    for name in project.content.names():
        pages = lay_out(load_document(project, name), layout)
        fills = [(height - min(placed.y for placed in page.placed)) / height for page in pages]
        assert all(fill >= 0.25 for fill in fills[:-1]), (name, fills)
        assert len(pages[-1].text()) > 1, (name, pages[-1].text())


def test_lines_to_write_on_stay_with_the_paragraph_that_asks_for_them(fonts, tree):
    from conftest import REPO

    from handouts.load.layouts import load_layout
    from handouts.model import Paragraph, Span
    from handouts.render.compose import Composer

    layout = load_layout(REPO / "layouts" / "standard.yaml")
    blocks = [Paragraph([Span("filler " * 80)]), Paragraph([Span("Write down your questions.")])]
    blocks += [Paragraph([Span("Question:")], write_in=True) for _ in range(3)]
    boxes = Composer(layout, fonts, tree).blocks(blocks)
    leading = boxes[0].style.leading
    for room in range(8, 16):
        for page in paginate(boxes, 400.0, room * leading):
            questions = [line for line in page.text() if line.startswith("Question")]
            assert len(questions) in (0, 3), (room, page.text())
