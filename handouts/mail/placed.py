"""The text a PDF places on its pages, read from the content streams themselves, for the name check.

What `send` must know of a packet is which names it shows. A layout analysis
(pypdf's `extract_text`: 50 ms a packet) is not needed for that: every glyph a
page shows is drawn by a text operator (`Tj`, `TJ`, `'`, `"`) in the page's
content stream or in a form XObject it draws, in a font whose ToUnicode map says
which characters the codes are. So each page's streams are tokenized by qpdf
(pikepdf), every string shown is decoded through its font's map, and the runs
become lines: a new line where a text object begins or the baseline moves, a
space where a run starts apart from the one before on the same line. Nothing is
kept from one PDF to the next: each font's map is read for the PDF at hand.
"""

from __future__ import annotations

import io
import re

import pikepdf

_TEXT = {"Tj", "TJ", "'", '"'}
_OPERATORS = " ".join(sorted(_TEXT | {"BT", "T*", "Td", "TD", "Tm", "Tf", "Do"}))
_HEX = re.compile(rb"<([0-9A-Fa-f\s]+)>")
_MAX_DEPTH = 8  # form XObjects drawn inside form XObjects: a bound against a loop


def placed_text(pdf: bytes) -> str:
    """The document's title, then each page's text as placed, a line a row; '' for an unreadable PDF."""
    with pikepdf.open(io.BytesIO(pdf)) as document:
        info = document.trailer.get("/Info")
        title = str(info.get("/Title", "")) if isinstance(info, pikepdf.Dictionary) else ""
        lines = [title]
        fonts: dict[tuple[int, int], _Font] = {}
        for page in document.pages:
            _Page(fonts, lines).read(page.obj, page.obj.get("/Resources"), 0)
    return "\n".join(lines)


class _Font:
    """A font's codes, read from its ToUnicode map: code bytes -> text; code width in bytes."""

    def __init__(self, font: pikepdf.Dictionary):
        self.width = 2 if font.get("/Subtype") == pikepdf.Name.Type0 else 1
        self.map: dict[bytes, str] = {}
        cmap = font.get("/ToUnicode")
        if isinstance(cmap, pikepdf.Stream):
            self._read_cmap(cmap.read_bytes())
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

    def __init__(self, fonts: dict, lines: list[str]):
        self._fonts, self._lines = fonts, lines
        self._line: list[str] = []

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
        font = resources.get("/Font", pikepdf.Dictionary()).get(name)
        if not isinstance(font, pikepdf.Dictionary):
            return None
        key = font.objgen if font.is_indirect else (id(font), -1)
        if key not in self._fonts:
            self._fonts[key] = _Font(font)
        return self._fonts[key]

    def _show(self, font: _Font | None, value) -> None:
        parts = value if isinstance(value, pikepdf.Array) else [value]
        for part in parts:
            if isinstance(part, pikepdf.String):
                data = bytes(part)
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

