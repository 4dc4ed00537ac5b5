"""The text a PDF places on its pages, read from the content streams themselves, for the name check.

What `send` must know of a packet is which names it shows. A layout analysis
(pypdf's `extract_text`: 50 ms a packet) is not needed for that: every glyph a
page shows is drawn by a text operator (`Tj`, `TJ`, `'`, `"`) in the page's
content stream or in a form XObject it draws, in a font whose ToUnicode map says
which characters the codes are. So each page's streams are tokenized by qpdf
(pikepdf), every string shown is decoded through its font's map, and the runs
become lines: a new line where a text object begins or the baseline moves, a
space where a run starts apart from the one before on the same line. Nothing is
kept from one PDF to the next: each font's map is read for the PDF at hand, except
a page's lines that its caller says hold no patient's value (`PageTexts`), kept
by the bytes that make them.
"""

from __future__ import annotations

import hashlib
import io
import re
from collections.abc import Callable

import pikepdf

_TEXT = {"Tj", "TJ", "'", '"'}
_OPERATORS = " ".join(sorted(_TEXT | {"BT", "T*", "Td", "TD", "Tm", "Tf", "Do"}))
_HEX = re.compile(rb"<([0-9A-Fa-f\s]+)>")
_MAX_DEPTH = 8  # form XObjects drawn inside form XObjects: a bound against a loop


def placed_text(pdf: bytes, seen: PageTexts | None = None, keep: Callable[[str], bool] = lambda text: False) -> str:
    """The document's title, then each page's text as placed, a line a row; '' for an unreadable PDF. With
    `seen`, a page made of the same bytes as one read before gives that page's lines (`PageTexts`), and a page
    read now is kept there when `keep` says its text may be."""
    with pikepdf.open(io.BytesIO(pdf)) as document:
        info = document.trailer.get("/Info")
        title = str(info.get("/Title", "")) if isinstance(info, pikepdf.Dictionary) else ""
        lines = [title]
        fonts: dict[tuple[int, int], _Font] = {}
        for page in document.pages:
            known = seen.key(page.obj, fonts) if seen is not None else None
            kept = seen.get(known) if known is not None else None
            if kept is not None:
                lines += kept
                continue
            start = len(lines)
            reading = _Page(fonts, lines, record=known is not None)
            reading.read(page.obj, page.obj.get("/Resources"), 0)
            if known is not None and keep("\n".join(lines[start:])):
                seen.keep(known, tuple(lines[start:]), reading.codes)
    return "\n".join(lines)


class PageTexts:
    """Pages' lines, by a digest of what reading a page reads: its content streams' bytes and, for each font it
    names, its ToUnicode map's bytes, or, for a font whose map sends each two-byte code to that code point (the
    handouts' text fonts: their maps differ between packets only by which codes they list), that it does so,
    with the codes the page showed checked against the map at hand when the lines are given again. A page that
    draws a form XObject is not kept. Bounded: past `limit` pages, it starts again."""

    def __init__(self, limit: int = 2048):
        self._lines: dict[bytes, tuple[tuple[str, ...], tuple[tuple[str, frozenset[bytes]], ...]]] = {}
        self._limit = limit

    def key(self, page: pikepdf.Dictionary, fonts: dict) -> tuple[bytes, dict[str, _Font]] | None:
        resources = page.get("/Resources")
        if not isinstance(resources, pikepdf.Dictionary) or "/XObject" in resources:
            return None
        contents = page.get("/Contents")
        digest = hashlib.sha256()
        for stream in contents if isinstance(contents, pikepdf.Array) else [contents]:
            if not isinstance(stream, pikepdf.Stream):
                return None
            digest.update(repr(stream.get("/Filter")).encode() + b"\0" + stream.read_raw_bytes() + b"\0")
        named = resources.get("/Font", pikepdf.Dictionary())
        by_name: dict[str, _Font] = {}
        for name in sorted(named.keys()) if isinstance(named, pikepdf.Dictionary) else ():
            font = _font_of(fonts, named[name])
            if font is None:
                return None
            by_name[name] = font
            digest.update(f"{name}\0{font.width}\0".encode() + (b"identity" if font.identity else font.digest))
        return digest.digest(), by_name

    def get(self, known: tuple[bytes, dict[str, _Font]]) -> tuple[str, ...] | None:
        digest, by_name = known
        entry = self._lines.get(digest)
        if entry is None:
            return None
        lines, used = entry
        for name, codes in used:  # shown in a font whose map is the identity (the key says so)
            if not codes <= by_name[name].map.keys():
                return None
        return lines

    def keep(self, known: tuple[bytes, dict[str, _Font]], lines: tuple[str, ...], codes: dict) -> None:
        digest, by_name = known
        names = {id(font): name for name, font in by_name.items()}
        if any(id(font) not in names for font in codes):
            return  # a font the page's own resources do not name (it cannot happen: it is not kept)
        if len(self._lines) >= self._limit:
            self._lines.clear()
        self._lines[digest] = (lines, tuple((names[id(font)], frozenset(used)) for font, used in codes.items()))


def _font_of(fonts: dict, font) -> _Font | None:
    """The font of a font dictionary, read once a document."""
    if not isinstance(font, pikepdf.Dictionary):
        return None
    key = font.objgen if font.is_indirect else (id(font), -1)
    if key not in fonts:
        fonts[key] = _Font(font)
    return fonts[key]


class _Font:
    """A font's codes, read from its ToUnicode map: code bytes -> text; code width in bytes."""

    def __init__(self, font: pikepdf.Dictionary):
        self.width = 2 if font.get("/Subtype") == pikepdf.Name.Type0 else 1
        self.map: dict[bytes, str] = {}
        cmap = font.get("/ToUnicode")
        data = cmap.read_bytes() if isinstance(cmap, pikepdf.Stream) else b""
        self._read_cmap(data)
        self.digest = hashlib.sha256(data).digest()
        # Each two-byte code is its own code point: which codes are listed is all that tells two such maps apart.
        self.identity = self.width == 2 and bool(self.map) and all(
            len(code) == 2 and text == code.decode("utf-16-be", "replace") for code, text in self.map.items())
        # One-byte codes: a code unmapped is read as Latin-1, as a reader without the map would
        self._table = {code[0]: text for code, text in self.map.items() if len(code) == 1}

    def _read_cmap(self, data: bytes) -> None:
        for kind, body in re.findall(rb"begin(bfchar|bfrange|codespacerange)(.*?)end\1", data, re.S):
            values = _HEX.findall(body) if kind != b"bfrange" else None
            if kind == b"codespacerange" and values:
                self.width = len(bytes.fromhex(values[0].decode()))
            elif kind == b"bfchar":
                for code, text in zip(values[::2], values[1::2]):
                    self.map[_bytes(code)] = _utf16(text)
            elif kind == b"bfrange":
                self._read_ranges(body)

    def _read_ranges(self, body: bytes) -> None:
        for low, high, target in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*(<[0-9A-Fa-f]+>|\[[^\]]*\])",
                                            body):
            first, last, size = int(low, 16), int(high, 16), len(low) // 2
            if last - first > 0xFFFF:
                continue
            if target.startswith(b"["):
                targets = [_utf16(t) for t in _HEX.findall(target)]
            else:
                start = bytes.fromhex(target[1:-1].decode())
                base = int.from_bytes(start, "big")
                targets = [(base + i).to_bytes(len(start), "big").decode("utf-16-be", "replace")
                           for i in range(last - first + 1)]
            for offset, text in zip(range(last - first + 1), targets):
                self.map[(first + offset).to_bytes(size, "big")] = text

    def decode(self, data: bytes) -> str:
        if self.width == 1:
            return data.decode("latin-1").translate(self._table)
        return "".join(self.map.get(data[i:i + 2], "") for i in range(0, len(data) - 1, 2))


def _bytes(hex_text: bytes) -> bytes:
    return bytes.fromhex(hex_text.decode())


def _utf16(hex_text: bytes) -> str:
    return bytes.fromhex(hex_text.decode()).decode("utf-16-be", "replace")


class _Page:
    """One page's streams, read into `lines`: each text object (BT ... ET) starts a line, and so does a move
    to another baseline inside one; runs on one baseline are joined as they are (the spaces are glyphs)."""

    def __init__(self, fonts: dict, lines: list[str], record: bool = False):
        self._fonts, self._lines = fonts, lines
        self._line: list[str] = []
        # With `record`: the codes shown in each font, for `PageTexts`.
        self.codes: dict[_Font, set[bytes]] | None = {} if record else None

    def read(self, owner, resources, depth: int) -> None:
        if not isinstance(resources, pikepdf.Dictionary):
            resources = pikepdf.Dictionary()
        font, baseline, fonts = None, 0.0, {}
        for operands, operator in pikepdf.parse_content_stream(owner, _OPERATORS):
            name = str(operator)
            if name in _TEXT:
                if name in ("'", '"'):  # these two move to the next line first
                    self._end_line()
                if operands:
                    self._show(font, operands[-1])
            elif name == "Tf" and operands:
                key = str(operands[0])
                font = fonts[key] if key in fonts else fonts.setdefault(key, self._font(resources, operands[0]))
            elif name == "Do" and operands and depth < _MAX_DEPTH:
                self._draw_form(resources, operands[0], depth)
            else:
                baseline = self._move(name, operands, baseline)
        self._end_line()

    def _move(self, name: str, operands, baseline: float) -> float:
        """A new text object or position: end the line when it is another baseline; return the baseline."""
        if name == "BT":
            self._end_line()
            return 0.0
        if name == "Tm" and len(operands) == 6:
            if float(operands[5]) != baseline:
                self._end_line()
            return float(operands[5])
        if name == "T*" or (name in ("Td", "TD") and len(operands) == 2 and float(operands[1]) != 0):
            self._end_line()
        return baseline

    def _font(self, resources, name) -> _Font | None:
        return _font_of(self._fonts, resources.get("/Font", pikepdf.Dictionary()).get(name))

    def _show(self, font: _Font | None, value) -> None:
        parts = value if isinstance(value, pikepdf.Array) else [value]
        for part in parts:
            if isinstance(part, pikepdf.String):
                data = bytes(part)
                if self.codes is not None and font is not None and font.identity:
                    self.codes.setdefault(font, set()).update(data[i:i + 2] for i in range(0, len(data) - 1, 2))
                self._line.append(font.decode(data) if font is not None else data.decode("latin-1"))
            elif float(part) < -250:  # a kern wide enough to be a space
                self._line.append(" ")

    def _draw_form(self, resources, name, depth: int) -> None:
        xobject = resources.get("/XObject", pikepdf.Dictionary()).get(name)
        if isinstance(xobject, pikepdf.Stream) and xobject.get("/Subtype") == pikepdf.Name.Form:
            self._end_line()
            self.read(xobject, xobject.get("/Resources", resources), depth + 1)
            self._end_line()

    def _end_line(self) -> None:
        if self._line:
            self._lines.append("".join(self._line))
            self._line = []

