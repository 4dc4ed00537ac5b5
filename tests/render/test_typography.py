"""Typography for low vision, read from the drawn PDF: footer spacing and underlined links."""

import io

import pytest
from conftest import LAYOUTS, render
from pdfminer.high_level import extract_pages
from pdfminer.layout import LTChar, LTCurve, LTLine, LTRect, LTTextContainer
from pypdf import PdfReader


def _chars(layout):
    for box in layout:
        if isinstance(box, LTTextContainer):
            for line in box:
                for item in getattr(line, "__iter__", lambda: iter(()))():
                    if isinstance(item, LTChar) and not item.get_text().isspace():
                        yield item


@pytest.mark.parametrize("layout_name", LAYOUTS)
def test_the_footer_sits_a_body_line_below_the_text(project, layout_name):
    layout = project.layouts.load(layout_name)
    pdf = render(project, "fibromyalgia-ketamine", layout_name)
    body_leading = layout.body_size * layout.line_spacing
    for page in extract_pages(io.BytesIO(pdf)):
        chars = list(_chars(page))
        footer_top = max(c.y1 for c in chars if c.y0 < layout.margins[2] + layout.footer_size)
        body_bottom = min(c.y0 for c in chars if c.y0 > footer_top)
        assert body_bottom - footer_top >= body_leading - layout.body_size * 0.5, (body_bottom, footer_top)


def test_every_link_is_underlined(project):
    pdf = render(project, "infusion-day-checklist", "large-print")
    reader = PdfReader(io.BytesIO(pdf))
    checked = 0
    for page, layout in zip(reader.pages, extract_pages(io.BytesIO(pdf))):
        lines = [item for item in layout if isinstance(item, (LTLine, LTCurve)) and not isinstance(item, LTRect)
                 and abs(item.y0 - item.y1) < 0.5]
        for annotation in page.get("/Annots") or []:
            if annotation.get_object()["/Subtype"] != "/Link":
                continue
            x0, y0, x1, y1 = (float(v) for v in annotation.get_object()["/Rect"])
            under = [ln for ln in lines if y0 - 1 <= ln.y0 <= (y0 + y1) / 2 and ln.x0 <= x0 + 1 and ln.x1 >= x1 - 12]
            assert under, (x0, y0, x1, y1)
            checked += 1
    assert checked >= 3
