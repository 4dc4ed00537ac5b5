"""Read back what a PDF shows a reader: glyph sizes, faces, positions and text.

Pages are read one at a time and only what the checks need is kept, up to a
bound on pages (pdfminer takes some 25 ms a page): a long PDF is checked on its
first pages, and the read-back says how many it read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path

from pdfminer.high_level import extract_pages
from pdfminer.layout import LAParams, LTChar, LTContainer, LTTextLine

from ..load.locale import Locale

MAX_PAGES = 100
MAX_TEXT = 200_000  # characters of text kept for the reading level
_ITALIC = re.compile(r"italic|oblique", re.I)


@dataclass
class Readback:
    margin: float  # glyphs closer than this to a page edge count as outside
    pages_read: int = 0
    smallest_size: float = 0.0
    faces: list[str] = field(default_factory=list)
    outside: list[tuple[int, str]] = field(default_factory=list)  # (page, glyph), the first few
    outside_count: int = 0
    lines: list[list[str]] = field(default_factory=list)  # per page read
    text_cut: bool = False  # more text than MAX_TEXT was shown

    @property
    def italic_faces(self) -> list[str]:
        return [f for f in self.faces if _ITALIC.search(f)]

    def body_text(self, page_number: re.Pattern | None = None) -> str:
        """The text as read, without page numbers and without lines every page repeats (running footers).

        `page_number` matches a line that is only the footer's page label in the document's language
        (`Locale.page_number`: "Page 3 of 6", "Página 3 de 6"); English's when not given."""
        if page_number is None:
            page_number = Locale.for_tag(None).page_number
        running = set.intersection(*(set(page) for page in self.lines)) if len(self.lines) > 1 else set()
        return "\n".join(line for page in self.lines for line in page
                         if line not in running and not page_number.match(line))


def read_back(path: Path, margin: float = 0.0, max_pages: int = MAX_PAGES) -> Readback:
    shown = Readback(margin)
    sizes: list[float] = []
    faces: set[str] = set()
    kept = 0
    for number, layout in enumerate(islice(extract_pages(str(path), laparams=LAParams()), max_pages), start=1):
        shown.pages_read = number
        shown.lines.append([])
        for line in _text_lines(layout):
            text = line.get_text().strip()
            if text and kept < MAX_TEXT:
                shown.lines[-1].append(text)
                kept += len(text)
            elif text:
                shown.text_cut = True
            for item in line:
                if not isinstance(item, LTChar) or item.get_text().isspace():
                    continue
                sizes.append(round(item.size, 2))
                faces.add(item.fontname.split("+", 1)[-1])
                if _outside(item, layout, margin):
                    shown.outside_count += 1
                    if len(shown.outside) < 5:
                        shown.outside.append((number, item.get_text()))
        # One number per page is enough for the smallest size.
        if sizes:
            sizes = [min(sizes)]
    shown.smallest_size = sizes[0] if sizes else 0.0
    shown.faces = sorted(faces)
    return shown


def _text_lines(obj):
    """Every text line in a layout, however pdfminer nested it (a line may sit at the page's top level)."""
    if isinstance(obj, LTTextLine):
        yield obj
    elif isinstance(obj, LTContainer):
        for child in obj:
            yield from _text_lines(child)


def _outside(char: LTChar, page, margin: float) -> bool:
    return (char.x0 < margin - 0.5 or char.x1 > page.width - margin + 0.5 or char.y0 < margin - 0.5
            or char.y1 > page.height - margin + 0.5)
