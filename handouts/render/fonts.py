"""Typefaces: registration with ReportLab, coverage, and per-word fallback."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from reportlab.pdfbase import pdfmetrics, ttfonts
from reportlab.pdfbase.ttfonts import TTFont

from ..errors import LayoutError, UnsupportedCharacterError
from ..load.typefaces import FALLBACK, TYPEFACES


def _to_unicode_cmap(fontname: str, subset: list[int]) -> str:
    """ReportLab's ToUnicode CMap, less the entries for unused codes.

    ReportLab maps a subset's unused codes to U+0000, which PDF/UA forbids;
    those codes are never drawn, so they need no entry at all.
    """
    used = [f"<{code:02X}> <{uni:04X}>" for code, uni in enumerate(subset) if uni]
    blocks = []
    for start in range(0, len(used), 100):  # a CMap allows 100 entries per block
        chunk = used[start:start + 100]
        blocks += [f"{len(chunk)} beginbfchar", *chunk, "endbfchar"]
    return "\n".join([
        "/CIDInit /ProcSet findresource begin", "12 dict begin", "begincmap",
        f"/CIDSystemInfo << /Registry ({fontname}) /Ordering ({fontname}) /Supplement 0 >> def",
        f"/CMapName /{fontname} def", "/CMapType 2 def",
        "1 begincodespacerange", f"<00> <{len(subset) - 1:02X}>", "endcodespacerange",
        *blocks,
        "endcmap", "CMapName currentdict /CMap defineresource pop", "end", "end",
    ])


ttfonts.makeToUnicodeCMap = _to_unicode_cmap


@dataclass(frozen=True)
class Face:
    name: str  # the name registered with ReportLab
    covered: frozenset[int]


@lru_cache(maxsize=None)
def _register(name: str, path) -> Face:
    font = TTFont(name, str(path), asciiReadable=True)  # the renderer relies on ASCII codes = characters
    _memoize_subsets(font.face)
    pdfmetrics.registerFont(font)
    return Face(name, frozenset(font.face.charToGlyph))


def _memoize_subsets(face) -> None:
    """Build each distinct glyph subset once per process: packets repeat the same few."""
    build = face.makeSubset
    made: dict[tuple[int, ...], bytes] = {}

    def make_subset(subset):
        key = tuple(subset)
        if key not in made:
            if len(made) >= 256:
                made.clear()
            made[key] = build(subset)
        return made[key]

    face.makeSubset = make_subset


class FontSet:
    """A primary typeface (regular + bold) with a fallback for other scripts."""

    def __init__(self, typeface: str):
        self.typeface = typeface
        if typeface not in TYPEFACES:
            raise LayoutError(f"typeface '{typeface}' is unknown; choose one of: {', '.join(TYPEFACES)}")
        base, regular, bold = TYPEFACES[typeface]
        fb_base, fb_regular, fb_bold = FALLBACK
        self.faces = {
            False: (_register(f"{base}-Regular", regular), _register(f"{fb_base}-Regular", fb_regular)),
            True: (_register(f"{base}-Bold", bold), _register(f"{fb_base}-Bold", fb_bold)),
        }

    # A font set is the same set wherever it is made: caches key on the typeface.
    def __eq__(self, other) -> bool:
        return isinstance(other, FontSet) and other.typeface == self.typeface

    def __hash__(self) -> int:
        return hash(self.typeface)

    @lru_cache(maxsize=65536)
    def face_for(self, word: str, bold: bool) -> str:
        """The face that draws the whole word: the primary one when it can."""
        codes = {ord(ch) for ch in word if not ch.isspace()}
        for face in self.faces[bold]:
            if codes <= face.covered:
                return face.name
        return self.faces[bold][-1].name

    @lru_cache(maxsize=8192)
    def uncovered(self, text: str) -> list[str]:
        """Characters that no face of this set can draw, in order of appearance."""
        covered = self.faces[False][0].covered | self.faces[False][1].covered
        return list(dict.fromkeys(ch for ch in text if not ch.isspace() and ord(ch) not in covered))

    def require(self, text: str, where: str) -> None:
        missing = self.uncovered(text)
        if missing:
            shown = ", ".join(f"U+{ord(ch):04X} {unicodedata.name(ch, 'unnamed')}" for ch in missing[:3])
            raise UnsupportedCharacterError(
                f"{where}: the fonts cannot draw {shown}; replace those characters"
            )


def width(text: str, face: str, size: float) -> float:
    return pdfmetrics.stringWidth(text, face, size)
