"""Read back what a PDF shows a reader: glyph sizes, faces, positions and text."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from pdfminer.high_level import extract_pages
from pdfminer.layout import LAParams, LTChar, LTTextContainer

_ITALIC = re.compile(r"italic|oblique", re.I)
_PAGE_NUMBER = re.compile(r"^\s*Page \d+ of \d+\s*$")


@dataclass(frozen=True)
class PageText:
    width: float
    height: float
    chars: list  # (char, size, face, x0, x1, y0, y1)
    lines: list[str]


@dataclass(frozen=True)
class Readback:
    pages: list[PageText]

    @property
    def smallest_size(self) -> float:
        sizes = [c[1] for p in self.pages for c in p.chars if not c[0].isspace()]
        return min(sizes) if sizes else 0.0

    @property
    def faces(self) -> list[str]:
        return sorted({c[2].split("+", 1)[-1] for p in self.pages for c in p.chars})

    @property
    def italic_faces(self) -> list[str]:
        return [f for f in self.faces if _ITALIC.search(f)]

    def outside(self, margin: float) -> list[tuple[int, str]]:
        """(page, text) of glyphs drawn outside `margin` points from the page edges."""
        found = []
        for number, page in enumerate(self.pages, start=1):
            for ch, _size, _face, x0, x1, y0, y1 in page.chars:
                if ch.isspace():
                    continue
                if x0 < margin - 0.5 or x1 > page.width - margin + 0.5 or y0 < margin - 0.5 \
                        or y1 > page.height - margin + 0.5:
                    found.append((number, ch))
        return found

    def body_text(self) -> str:
        """The text as read, without page-number lines."""
        return "\n".join(line for p in self.pages for line in p.lines if not _PAGE_NUMBER.match(line))


def read_back(path: Path) -> Readback:
    pages = []
    for layout in extract_pages(str(path), laparams=LAParams()):
        chars, lines = [], []
        for box in layout:
            if not isinstance(box, LTTextContainer):
                continue
            for line in box:
                lines.append(line.get_text().strip())
                for item in line:
                    if isinstance(item, LTChar):
                        chars.append((item.get_text(), round(item.size, 2), item.fontname,
                                      item.x0, item.x1, item.y0, item.y1))
        pages.append(PageText(layout.width, layout.height, chars, [ln for ln in lines if ln]))
    return Readback(pages)
