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
a page's lines that its caller says hold no patient's value (`PageTexts`), and a
text object's lines on the other pages that it says hold none (`TextBlocks`),
each kept by the bytes that make them.

A file as handouts writes one (one cross-reference table, objects 1 to N in
order, no update appended, Flate or no filter, no form XObject on a page) is
read without pikepdf (`_File`): its objects where its cross-reference table says
they are, each checked to begin and end there, and its pages' streams tokenized
here, into the same operations that qpdf's tokenizer gives and through the same
steps (`_Page`); a stream as ReportLab writes one (`_plain_operations`) by its words, into the very same
operations. Anything else in it, a literal string with a parenthesis left
unescaped inside, an inline image, a name with a # escape, is not guessed at: the
whole file is read by pikepdf instead. Both readers give the same text
(`tests/mail/test_placed.py` holds them to each other on every layout and language).
"""

from __future__ import annotations

import hashlib
import io
import re
import zlib
from collections.abc import Callable, Iterator

import pikepdf

_TEXT = {"Tj", "TJ", "'", '"'}
_OPERATORS = " ".join(sorted(_TEXT | {"BT", "T*", "Td", "TD", "Tm", "Tf", "Do"}))
_HEX = re.compile(rb"<([0-9A-Fa-f\s]+)>")
_MAX_DEPTH = 8  # form XObjects drawn inside form XObjects: a bound against a loop


def placed_text(pdf: bytes, seen: PageTexts | None = None, keep: Callable[[str], bool] = lambda text: False,
                fresh: list[str] | None = None, blocks: TextBlocks | None = None,
                keep_block: Callable[[list[str], list[int]], set[int]] = lambda texts, read_now: set()) -> str:
    """The document's title, then each page's text as placed, a line a row; '' for an unreadable PDF. With
    `seen`, a page made of the same bytes as one read before gives that page's lines (`PageTexts`), and a page
    read now is kept there when `keep` says its text may be. With `fresh`, every line not given by `seen` (the
    title and each page read now) is put there too: the lines of the text `keep` never saw. With `blocks`, a page
    read now by the direct reader gives each of its text objects of the same bytes (and fonts) as one read before
    that object's lines (`TextBlocks`), and keeps there, once the document is read, those read now that
    `keep_block` allows (`TextBlocks.settle`); the page's lines are the same either way (and go onto `fresh` the
    same)."""
    try:
        return _direct_text(pdf, seen, keep, fresh, blocks, keep_block)
    except (_NotDirect, ValueError, TypeError, zlib.error):  # not a file it reads: pikepdf reads it, as it can
        if fresh is not None:
            fresh.clear()  # what the direct reader read before it stopped: read again, whole
        return _pikepdf_text(pdf, seen, keep, fresh)
    finally:
        if blocks is not None:
            blocks.forget()  # what it read of a document it did not read to its end (`settle` took the rest)


def _direct_text(pdf: bytes, seen: PageTexts | None, keep: Callable[[str], bool],
                 fresh: list[str] | None = None, blocks: TextBlocks | None = None,
                 keep_block: Callable[[list[str], list[int]], set[int]] = lambda texts, read_now: set()) -> str:
    """`placed_text` for a file handouts wrote, read by `_File`; `_NotDirect` for any other."""
    if blocks is not None:
        blocks.forget()
    document = _File(pdf)
    lines = [document.title()]
    if fresh is not None:
        fresh.append(lines[0])
    fonts: dict[tuple[int, int], _Font] = {}
    for page in document.pages():
        streams, by_name = document.page_parts(page, fonts)
        known = seen.key_of(b"direct", [(_described(head), data) for head, data in streams], by_name) \
            if seen is not None else None

        def read(reading: _Page, streams=streams, by_name=by_name) -> None:
            for head, data in streams:
                decoded = document.decoded(head, data)
                if blocks is None or not blocks.read(reading, decoded, by_name):
                    reading.run(_plain_operations(decoded) or _operations(decoded), by_name.get)

        _page_lines(lines, fonts, seen, known, keep, read, fresh)
    if blocks is not None:
        blocks.settle(keep_block)
    return "\n".join(lines)


def _page_lines(lines: list[str], fonts: dict, seen: PageTexts | None, known, keep: Callable[[str], bool],
                read: Callable[[_Page], None], fresh: list[str] | None = None) -> None:
    """A page's lines onto `lines`: those of a page of the same bytes read before (`known` in `seen`), or read now
    by `read` (and onto `fresh` too) and kept in `seen` when `keep` says they may be."""
    kept = seen.get(known) if known is not None else None
    if kept is not None:
        lines += kept
        return
    start = len(lines)
    reading = _Page(fonts, lines, record=known is not None)
    read(reading)
    if fresh is not None:
        fresh += lines[start:]
    if known is not None and keep("\n".join(lines[start:])):
        seen.keep(known, tuple(lines[start:]), reading.codes)


def _pikepdf_text(pdf: bytes, seen: PageTexts | None, keep: Callable[[str], bool],
                  fresh: list[str] | None = None) -> str:
    with pikepdf.open(io.BytesIO(pdf)) as document:
        info = document.trailer.get("/Info")
        title = str(info.get("/Title", "")) if isinstance(info, pikepdf.Dictionary) else ""
        lines = [title]
        if fresh is not None:
            fresh.append(title)
        fonts: dict[tuple[int, int], _Font] = {}
        for page in document.pages:
            known = seen.key(page.obj, fonts) if seen is not None else None
            _page_lines(lines, fonts, seen, known, keep,
                        lambda reading, page=page: reading.read(page.obj, page.obj.get("/Resources"), 0), fresh)
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
        streams = []
        for stream in contents if isinstance(contents, pikepdf.Array) else [contents]:
            if not isinstance(stream, pikepdf.Stream):
                return None
            streams.append((repr(stream.get("/Filter")).encode(), stream.read_raw_bytes()))
        named = resources.get("/Font", pikepdf.Dictionary())
        by_name: dict[str, _Font] = {}
        for name in sorted(named.keys()) if isinstance(named, pikepdf.Dictionary) else ():
            font = _font_of(fonts, named[name])
            if font is None:
                return None
            by_name[name] = font
        return self.key_of(b"pikepdf", streams, by_name)

    @staticmethod
    def key_of(reader: bytes, streams: list[tuple[bytes, bytes]], by_name: dict[str, _Font]) \
            -> tuple[bytes, dict[str, _Font]]:
        """The key of a page: which reader read it (each reader's pages are its own), each content stream (how
        it is filtered, its bytes as stored) and each font it names."""
        digest = hashlib.sha256(reader + b"\0")
        for filtered, data in streams:
            digest.update(filtered + b"\0" + data + b"\0")
        digest.update(_faces(by_name))
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
        self._lines[digest] = (lines, tuple((names[id(font)], frozenset(
            data[i:i + 2] for data in shown for i in range(0, len(data) - 1, 2))) for font, shown in codes.items()))


def _faces(by_name: dict[str, _Font]) -> bytes:
    """What a page's fonts are, for a key: each name, its code width and its map (or that the map is the identity:
    which codes it lists is then checked where the key is used)."""
    return b"".join(f"{name}\0{by_name[name].width}\0".encode()
                    + (b"identity" if by_name[name].identity else by_name[name].digest) for name in sorted(by_name))


class TextBlocks:
    """The lines of a plain content stream's text objects (`_plain_pieces`: each from a "BT" to the next), by the
    object's bytes and the name of the font in effect where it begins; with the font it leaves in effect (its
    name), and each font it reads (the one in effect and each it selects: its code width and map, or that the map
    is the identity and which codes it showed in it), checked against the page's fonts when given again. A text
    object's lines are a function of those alone (`_Page.run` from a fresh line: its "BT" ends the line before), so
    a page read through here gives the lines it gives read whole.

    What is kept is decided once the whole document is read (`settle`): its caller's `keep` is given the text of
    every text object read through here, in order, each as `fold` makes it, and which of those read now (not given
    again) it allows; for the name check, those showing no word of any row's name and no part of a value of the
    row at hand (a value's lines may be several text objects). Bounded: past `limit` objects, or `most` bytes of
    them, it starts again. Nothing of a document's is held past `settle` or `forget` but what `keep` allowed."""

    def __init__(self, fold: Callable[[str], str] = lambda text: text, limit: int = 8192, most: int = 8 << 20):
        self._lines: dict[tuple[str | None, bool, bytes], tuple[tuple[str, ...], str | None, tuple, str, bool]] = {}
        self._fold, self._limit, self._most, self._held = fold, limit, most, 0
        self._read_now: list[tuple[str, tuple | None, tuple | None]] = []  # (text, key, entry): this document's
        self.hits = self.misses = 0

    def read(self, reading: _Page, data: bytes, by_name: dict[str, _Font]) -> bool:
        """A stream's lines onto `reading`, its text objects given again or read now; False, with nothing read,
        for a stream that is not plain or whose objects cannot be read apart."""
        pieces = _plain_pieces(data)
        if pieces is None:
            return False
        lines: list[str] = []
        blocks: list[tuple[str, tuple | None, tuple]] = []  # (text, key when read now, entry)
        whats = {font_name: _what(font) for font_name, font in by_name.items()}
        name: str | None = None  # the font in effect, by its name
        get, last = self._lines.get, len(pieces) - 1
        for index, piece in enumerate(pieces):
            key = (name, index > 0, piece)  # the first piece: the words before any "BT"
            entry = get(key)
            if entry is not None and _given(entry[2], whats, by_name):
                blocks.append((entry[3], None, entry))
            else:
                entry = self._read(reading, piece, key, by_name)
                if entry is None:
                    return False
                blocks.append((entry[3], key, entry))
            if not entry[4] and index < last:
                return False  # the word before the next "BT" is an operand: read whole
            lines += entry[0]
            name = entry[1]
        self._read_now += blocks
        if reading.codes is not None:  # for `PageTexts`, as `_Page.run` records them
            for _, _, entry in blocks:
                for font, _, _, datas in entry[2]:
                    if datas:
                        reading.codes.setdefault(by_name[font], []).extend(datas)
        reading.extend(lines)
        return True

    def _read(self, reading: _Page, piece: bytes, key: tuple, by_name: dict[str, _Font]) -> tuple | None:
        """One text object read now: (its lines, the font it leaves in effect, each font it reads: (name, what it
        is, the codes and the strings it showed in it when its map is the identity), its text folded). None when
        its words are not a plain stream's operations."""
        name, begun, _ = key
        if not _plain_checked(b" " + piece + b" "):
            return None
        words = piece.split()
        if not _REFUSED_WORDS.isdisjoint(words):
            return None
        operations = _plain_operations_of([b"BT", *words] if begun else words)
        if operations is None:
            return None
        lines: list[str] = []
        page = _Page(reading._fonts, lines, record=True)
        page.run(operations, by_name.get, font=by_name.get(name) if name is not None else None)
        read = dict.fromkeys([name] if name is not None else [])
        for operands, operator in operations:
            if operator == "Tf" and operands:
                name = str(operands[0])
                read[name] = None
        if not set(page.codes) <= {by_name.get(font) for font in read}:
            return None  # a font it did not select (it cannot happen: `run` shows in the fonts it selects)
        # The strings shown in each font whose map is the identity (`_Page` records no other's); their codes are
        # listed when the object is kept (`settle`)
        used = tuple((font_name, _what(by_name.get(font_name)), None, tuple(page.codes.get(by_name.get(font_name), ())))
                     for font_name in read)
        # Whether its last word is a keyword (or it has none, but its "BT"): where it is not, the "BT" after it would
        # have operands, and the operations of the pieces would not be those of the whole stream
        ends = not words or _keyword(words[-1])
        return tuple(lines), name, used, self._fold("\n".join(lines)), ends

    def settle(self, keep: Callable[[list[str], list[int]], set[int]]) -> None:
        """The document is read: keep each text object read now that `keep` allows (given every object's text, in
        order, and the places of those read now); one it refuses anywhere in the document is not kept."""
        blocks, self._read_now = self._read_now, []
        texts = [text for text, _, _ in blocks]
        candidates = [at for at, (_, key, _) in enumerate(blocks) if key is not None]
        self.hits += len(blocks) - len(candidates)
        self.misses += len(candidates)
        allowed = keep(texts, candidates) if candidates else set()
        refused = {blocks[at][1] for at in candidates if at not in allowed}
        for at in sorted(allowed):
            _, key, entry = blocks[at]
            if key is None or key in refused or key in self._lines:  # (read now twice: kept once)
                continue
            size = len(key[2]) + 2 * sum(map(len, entry[0])) + 256
            if len(self._lines) >= self._limit or self._held + size > self._most:
                self._lines.clear()
                self._held = 0
            lines, name, used, text, ends = entry
            self._lines[key] = (lines, name, tuple((font, what, frozenset(
                data[i:i + 2] for data in datas for i in range(0, len(data) - 1, 2)), datas)
                for font, what, _, datas in used), text, ends)
            self._held += size

    def forget(self) -> None:
        """The document was not read through here to its end: nothing of it is kept."""
        self._read_now = []


def _given(used: tuple, whats: dict[str, object], by_name: dict[str, _Font]) -> bool:
    """Whether each font a kept text object reads is, by its name here, what it was (`_what`), its map listing
    each code the object showed in it."""
    for font, what, codes, _ in used:
        if whats.get(font) != what or (codes and not codes <= by_name[font].listed()):
            return False
    return True


def _what(font: _Font | None) -> object:
    """What a font is, for `TextBlocks`: None (none by that name), its width and map's digest, or "identity"."""
    return None if font is None else "identity" if font.identity else (font.width, font.digest)


def _font_of(fonts: dict, font) -> _Font | None:
    """The font of a font dictionary, read once a document."""
    if not isinstance(font, pikepdf.Dictionary):
        return None
    key = font.objgen if font.is_indirect else (id(font), -1)
    if key not in fonts:
        cmap = font.get("/ToUnicode")
        fonts[key] = _Font(font.get("/Subtype") == pikepdf.Name.Type0,
                           cmap.read_bytes() if isinstance(cmap, pikepdf.Stream) else b"")
    return fonts[key]


class _Font:
    """A font's codes, read from its ToUnicode map: code bytes -> text; code width in bytes."""

    def __init__(self, type0: bool, data: bytes):
        self.width = 2 if type0 else 1
        self.map: dict[bytes, str] = {}
        self._listed: frozenset[bytes] | None = None
        self._read_cmap(data)
        self.digest = hashlib.sha256(data).digest()
        # Each two-byte code is its own code point: which codes are listed is all that tells two such maps apart.
        self.identity = self.width == 2 and bool(self.map) and self._identity()
        # One-byte codes: a code unmapped is read as Latin-1, as a reader without the map would (`decode` reads
        # the table only for a font of one-byte codes)
        self._table = {code[0]: text for code, text in self.map.items() if len(code) == 1} if self.width == 1 \
            else {}
        # An identity map's characters: text made of them alone is its codes read as UTF-16 (`decode`)
        self._characters = frozenset(self.map.values()).difference(("\ufffd",)) if self.identity else None

    def listed(self) -> frozenset[bytes]:
        """The codes the map lists, made once a font."""
        if self._listed is None:
            self._listed = frozenset(self.map)
        return self._listed

    def _identity(self) -> bool:
        """Whether each code is two bytes and its text the code read as UTF-16: checked on all codes at once when
        each reads as one character (no two make a surrogate pair), else code by code."""
        codes, texts = b"".join(self.map), "".join(self.map.values())
        if len(codes) == 2 * len(self.map) and len(texts) == len(self.map):
            read = codes.decode("utf-16-be", "replace")
            if len(read) == len(self.map):
                return read == texts
        return all(len(code) == 2 and text == code.decode("utf-16-be", "replace") for code, text in self.map.items())

    def _read_cmap(self, data: bytes) -> None:
        for kind, body in re.findall(rb"begin(bfchar|bfrange|codespacerange)(.*?)end\1", data, re.S):
            values = _HEX.findall(body) if kind != b"bfrange" else None
            if kind == b"codespacerange" and values:
                self.width = len(bytes.fromhex(values[0].decode()))
            elif kind == b"bfchar":
                self._read_chars(values)
            elif kind == b"bfrange":
                self._read_ranges(body)

    def _read_chars(self, values: list[bytes]) -> None:
        """`<code> <text>` pairs. Where every code and every text is one two-byte unit and no two texts make one
        character (a surrogate pair), all at once: the codes in one piece, the texts in one piece."""
        codes, texts = values[::2], values[1::2]
        if {*map(len, codes), *map(len, texts)} <= {4}:  # each one unit (none at all: nothing to add either way)
            joined = bytes.fromhex(b"".join(codes).decode())
            characters = bytes.fromhex(b"".join(texts).decode()).decode("utf-16-be", "replace")
            if len(characters) == len(texts):
                self.map.update(zip([joined[i:i + 2] for i in range(0, len(joined), 2)], characters))
                return
        for code, text in zip(codes, texts):
            self.map[_bytes(code)] = _utf16(text)

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
        if self._characters is not None:  # each code its own character: when every one is listed, all at once
            text = data[:len(data) & ~1].decode("utf-16-be", "surrogatepass")
            if self._characters.issuperset(text):
                return text
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
        # With `record`: the strings shown in each font whose map is the identity, for `PageTexts`.
        self.codes: dict[_Font, list[bytes]] | None = {} if record else None

    def read(self, owner, resources, depth: int) -> None:
        """A page's or a form XObject's streams, tokenized by qpdf."""
        if not isinstance(resources, pikepdf.Dictionary):
            resources = pikepdf.Dictionary()
        operations = ((operands, str(operator)) for operands, operator in pikepdf.parse_content_stream(owner,
                                                                                                      _OPERATORS))
        fonts = resources.get("/Font", pikepdf.Dictionary())
        self.run(operations, lambda name: _font_of(self._fonts, fonts.get(name)),
                 (lambda name: self._draw_form(resources, name, depth)) if depth < _MAX_DEPTH else None)

    def extend(self, lines: list[str]) -> None:
        """Lines read elsewhere (`TextBlocks`), after this page's own."""
        self._end_line()
        self._lines += lines

    def run(self, operations: Iterator[tuple[list, str]], font_named: Callable[[str], _Font | None],
            draw_form: Callable | None = None, font: _Font | None = None) -> None:
        """The text operations of one stream, in order: (operands, operator); `font` in effect at its start."""
        baseline, fonts = 0.0, {}
        for operands, name in operations:
            if name in _TEXT:
                if name in ("'", '"'):  # these two move to the next line first
                    self._end_line()
                if operands:
                    self._show(font, operands[-1])
            elif name == "Tf" and operands:
                key = str(operands[0])
                font = fonts[key] if key in fonts else fonts.setdefault(key, font_named(key))
            elif name == "Do" and operands:
                if draw_form is not None:
                    draw_form(operands[0])
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

    def _show(self, font: _Font | None, value) -> None:
        parts = value if isinstance(value, (list, pikepdf.Array)) else [value]
        for part in parts:
            if isinstance(part, (_Shown, pikepdf.String)):
                data = bytes(part)
                if self.codes is not None and font is not None and font.identity:
                    self.codes.setdefault(font, []).append(data)
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



# -- a file as handouts writes one, read without pikepdf --------------------------------------------------------


class _NotDirect(Exception):
    """The file holds something the direct reader does not read: pikepdf reads it instead."""


_WHITE = b"\x00\t\n\x0c\r "
_REGULAR = rb"[^\x00\t\n\x0c\r ()<>\[\]{}/%]"
# A token after any white space, as its groups: (1) a literal string with no unescaped parenthesis inside, (2) "<<",
# "[", ">>" or "]", (3) a hex string, (4) a name, (5) a comment, (6) a number, (7) a keyword, (8) anything else: a
# parenthesis the first did not take, a brace, a lone ">". Every character but white space at the end is in a token.
_TOKEN = re.compile(rb"[\x00\t\n\x0c\r ]*(?:(\((?:[^\\()]|\\.)*\))|(<<|>>|\[|\])|"
                    rb"(<[0-9A-Fa-f\x00\t\n\x0c\r ]*>)|(/" + _REGULAR + rb"*)|(%[^\r\n]*)|"
                    rb"([+-]?(?:\d+\.?\d*|\.\d+)(?!" + _REGULAR + rb"))|(" + _REGULAR + rb"+)|"
                    rb"([^\x00\t\n\x0c\r ]))", re.DOTALL)
_ESCAPE = re.compile(rb"\\([0-7]{1,3}|\r\n|.)|\r\n?", re.DOTALL)
_ESCAPES = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f", b"\r\n": b"", b"\r": b"", b"\n": b""}
_OPERATOR_NAMES = frozenset(_OPERATORS.split())
_OPERATOR_BYTES = {name.encode("latin-1"): name for name in _OPERATOR_NAMES}
_KEYWORDS = {b"true": True, b"false": False, b"null": None}


class _Reference(int):
    """An indirect reference: the object's number."""


def _literal(data: bytes) -> bytes:
    """A literal string's bytes (between its parentheses), its escapes and line ends read as qpdf reads them."""
    if b"\\" not in data and b"\r" not in data:
        return data
    return _ESCAPE.sub(lambda found: b"\n" if found[1] is None else bytes([int(found[1], 8) & 0xFF])
                       if found[1][:1].isdigit() else _ESCAPES.get(found[1], found[1]), data)


def _value_of(data: bytes):
    """The one value `data` holds (an object's, before "endobj" or "stream"): strings as bytes, names as str,
    numbers as float, arrays as lists, dictionaries as dicts, "N 0 R" as a `_Reference`."""
    stack: list[list] = [[]]
    for string, delimiter, hexadecimal, name, _, number, keyword, other in _TOKEN.findall(data):
        if number:
            value = float(number)
        elif name:
            if b"#" in name or not name.isascii():
                raise _NotDirect  # a name with an escape: qpdf's reading of it is not guessed at
            value = name.decode("latin-1")
        elif delimiter:
            if delimiter in (b"<<", b"["):
                stack.append([])
                continue
            if len(stack) < 2:
                raise _NotDirect
            value = _closed(stack, delimiter)
        elif keyword == b"R" and len(stack) > 1:
            _refer(stack[-1])
            continue
        elif string or hexadecimal or keyword or other:
            value = _other_value(string, hexadecimal, keyword, other)
        else:
            continue  # a comment
        stack[-1].append(value)
    if len(stack) != 1 or len(stack[0]) != 1:
        raise _NotDirect
    return stack[0][0]


# Objects with no string in them, parsed, by their bytes: a page's dictionary, its resources, a stream's dictionary,
# a font's. Such an object holds numbers, names and references only, and nothing a page shows is any of those (text
# is always a string; handouts writes no value as a name), so it holds no patient's value: the same bytes in the next
# packet are not parsed again. Bounded: past the limit, it starts again. Never changed by a caller.
_STRINGLESS = re.compile(rb"[^()<]*(?:<<[^()<]*)*")
_PARSED: dict[bytes, object] = {}
_PARSED_LIMIT = 4096


def _parsed(data: bytes):
    """`_value_of(data)`, kept by its bytes when it holds no string."""
    value = _PARSED.get(data)
    if value is None:
        value = _value_of(data)
        if _STRINGLESS.fullmatch(data):
            if len(_PARSED) >= _PARSED_LIMIT:
                _PARSED.clear()
            _PARSED[data] = value
    return value


def _other_value(string: bytes, hexadecimal: bytes, keyword: bytes, other: bytes):
    """A string's bytes, or true, false or null; `_NotDirect` for any other keyword and anything else."""
    if string or hexadecimal:
        return _scalar(1 if string else 3, string or hexadecimal)
    if keyword in _KEYWORDS:
        return _KEYWORDS[keyword]
    raise _NotDirect


def _scalar(kind: int, token: bytes):
    """A string's bytes (`kind` 1: literal, 3: hex) or a name (4) as str."""
    if kind == 1:
        return _literal(token[1:-1])
    if kind == 3:
        digits = bytes(token[1:-1]).translate(None, _WHITE)
        return bytes.fromhex((digits + b"0" * (len(digits) % 2)).decode("ascii"))
    if b"#" in token or not token.isascii():
        raise _NotDirect  # a name with an escape: qpdf's reading of it is not guessed at
    return token.decode("latin-1")


def _closed(stack: list[list], token: bytes) -> list | dict:
    """The array or dictionary that `token` closes."""
    if not stack:
        raise _NotDirect
    items = stack.pop()
    if token == b"]":
        return items
    if len(items) % 2 or not all(isinstance(key, str) for key in items[::2]):
        raise _NotDirect
    return dict(zip(items[::2], items[1::2]))


def _refer(items: list) -> None:
    """"N 0 R": its last two items become a reference."""
    if len(items) < 2 or not isinstance(items[-2], float) or items[-1] != 0 or not items[-2].is_integer():
        raise _NotDirect
    items[-2:] = [_Reference(int(items[-2]))]


def _operations(data: bytes) -> Iterator[tuple[list, str]]:
    """A content stream's operations whose operators `_Page` reads: (operands, operator), as qpdf gives them. Its
    tokens are taken all at once, the most frequent first (numbers, then keywords). A number stays as written
    (`float` reads it where it is used), a string is `_Shown`."""
    operands: list = []
    stack: list[list] = []
    for string, delimiter, hexadecimal, name, _, number, keyword, other in _TOKEN.findall(data):
        if number:
            value = number
        elif keyword:
            if stack or keyword in (b"BI", b"ID", b"EI") or keyword in _KEYWORDS:
                raise _NotDirect  # an operator inside an array, an inline image, true, false or null
            operator = _OPERATOR_BYTES.get(keyword)
            if operator is not None:
                yield operands, operator
            operands = []
            continue
        elif delimiter:
            if delimiter in (b"<<", b"["):
                stack.append([])
                continue
            value = _closed(stack, delimiter)
        elif other:
            raise _NotDirect
        elif string or hexadecimal:
            value = _Shown(_scalar(1 if string else 3, string or hexadecimal))
        elif name:
            value = _scalar(4, name)
        else:
            continue  # a comment
        (stack[-1] if stack else operands).append(value)
    if stack:
        raise _NotDirect


class _Shown(bytes):
    """A string in a content stream (a number there is bytes too, as written)."""


# A content stream as ReportLab writes one is plain: ASCII letters, digits, " \n" and ".+-*'\"_/<>" alone (no
# literal string, array, comment or escape), every "/" and "<" beginning a word (between white space) and every ">"
# ending one, each "<" ... ">" a hex string of digits alone, and each dictionary "<< /Name value ... >>" (a marked
# content's properties, names to names or numbers). Then, with "<<" and ">>" set apart, its words are `_TOKEN`'s
# tokens, each the same bytes, and which is a keyword is told by its first byte (a number's by its form):
# `_plain_operations` finds the operations `_Page` reads among them without a step of the regular expression engine
# per token. Any other stream is read token by token (`_operations`).
_PLAIN = b" \n.+-*'\"_/<>0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
_SPACED = bytes.maketrans(b"\n", b" ")
_PLAIN_HEX = re.compile(rb"<[0-9A-Fa-f]*>")
_PLAIN_WORD = rb"[A-Za-z0-9_.+\-*'\"]"
_PLAIN_NUMBER = rb"[+-]?(?:\d+\.?\d*|\.\d+)"
_PLAIN_PROPERTIES = re.compile(rb"\x01(?: +/" + _PLAIN_WORD + rb"* +(?:/" + _PLAIN_WORD + rb"*|" + _PLAIN_NUMBER
                               + rb"))+ +\x02")  # "<< /Name value ... >>", set apart
_NUMBER_WORD = re.compile(_PLAIN_NUMBER)  # what `_plain_operands` takes for a number (a test holds the two together)
_SIGNS = frozenset(b"+-")
_NUMBER_START = frozenset(b"0123456789+-.")
_MARKS = frozenset(b"\x01\x02")
_REFUSED_WORDS = frozenset((b"BI", b"ID", b"EI", b"true", b"false", b"null"))
_MOST_OPERANDS = 8  # more before an operator `_Page` reads: not a stream as ReportLab writes one


def _plain_operations(data: bytes) -> list[tuple[list, str]] | None:
    """`list(_operations(data))` for a plain stream (above), found by its words; None for any other."""
    words = _plain_words(data)
    return None if words is None else _plain_operations_of(words)


def _plain_operations_of(words: list[bytes]) -> list[tuple[list, str]] | None:
    """The operations among a plain stream's words; None where one's operands are not a plain stream's."""
    operations = []
    for at in [at for at, word in enumerate(words) if word in _OPERATOR_BYTES]:
        operands = _plain_operands(words, at)
        if operands is None:
            return None
        operations.append((operands, _OPERATOR_BYTES[words[at]]))
    return operations


def _plain_words(data: bytes) -> list[bytes] | None:
    """A plain stream's words, "<<" and ">>" each one of its own ("\x01", "\x02"); None for any other stream."""
    words = _plain_spaced(data)
    if words is None:
        return None
    split = words.split()
    return split if _REFUSED_WORDS.isdisjoint(split) else None


def _plain_pieces(data: bytes) -> list[bytes] | None:
    """A stream made only of a plain stream's bytes, its words set apart by spaces ("<<" and ">>" as "\x01" and
    "\x02"), in pieces: before the first "BT" (with a space before it), then after each "BT" up to the next (the
    last with a space after it); None for any other stream, or one with no "BT". Each piece is checked by its reader
    (`_plain_checked`, with a space either side: the stream is plain when each piece is, as no check's match
    holds " BT "), and so is the word before each "BT" (`TextBlocks`)."""
    if data.translate(None, _PLAIN):
        return None
    words = data.translate(_SPACED).replace(b"<<", b" \x01 ").replace(b">>", b" \x02 ")
    pieces = (b" " + words + b" ").split(b" BT ")
    return pieces if len(pieces) > 1 else None


def _keyword(word: bytes) -> bool:
    """Whether `_plain_operands` takes `word` for a keyword."""
    first = word[0]
    return first not in _MARKS and first != 0x3C and first != 0x2F and not (
        first in _NUMBER_START and (word[1:] if first in _SIGNS else word).replace(b".", b"", 1).isdigit())


def _plain_spaced(data: bytes) -> bytes | None:
    """A plain stream with its words set apart by spaces ("<<" and ">>" as "\x01" and "\x02"), checked as
    `_plain_words` checks it but for the words it refuses; None for any other stream."""
    if data.translate(None, _PLAIN):
        return None
    words = data.translate(_SPACED).replace(b"<<", b" \x01 ").replace(b">>", b" \x02 ")
    return words if _plain_checked(words) else None


def _plain_checked(words: bytes) -> bool:
    """Whether a stream's bytes, words set apart (`_plain_spaced`), are a plain stream's: every "/" and "<" begins a
    word and every ">" ends one, each "<" ... ">" is a hex string of digits alone, and each "\x01" ... "\x02" a
    marked content's properties."""
    if words.count(b"/") != words.count(b" /") + words.startswith(b"/") \
            or words.count(b"<") != words.count(b" <") + words.startswith(b"<") \
            or words.count(b">") != words.count(b"> ") + words.endswith(b">") \
            or not len(_PLAIN_HEX.findall(words)) == words.count(b"<") == words.count(b">"):
        return False
    marks = words.count(b"\x01")
    return marks == words.count(b"\x02") and not (marks and len(_PLAIN_PROPERTIES.findall(words)) != marks)


def _plain_operands(words: list[bytes], at: int) -> list | None:
    """The operands of the operator at `at`: the words back to the keyword before it, as `_operations` gives them;
    None where one is a dictionary, or where there are more than `_MOST_OPERANDS`."""
    operands: list = []
    for word in reversed(words[max(at - _MOST_OPERANDS, 0):at]):
        first = word[0]
        if first == 0x3C:  # a hex string of digits alone (an odd last digit is read with a 0 after it)
            digits = word[1:-1].decode("ascii")
            operands.append(_Shown(bytes.fromhex(digits + "0" * (len(digits) % 2))))
        elif first == 0x2F:  # a name, ASCII without "#"
            operands.append(word.decode("latin-1"))
        elif first in _NUMBER_START and (word[1:] if first in _SIGNS else word).replace(b".", b"", 1).isdigit():
            operands.append(word)  # a number, as written (`_NUMBER_WORD`)
        elif first in _MARKS:  # a dictionary among an operator's operands: not one `_Page` reads
            return None
        else:  # the keyword before
            break
    else:
        if at > _MOST_OPERANDS:
            return None
    operands.reverse()
    return operands


_XREF = re.compile(rb"xref(?:\r\n|\r|\n)0 (\d+)(?:\r\n|\r|\n| \r\n| \n)")
_XREF_ROWS = re.compile(rb"(?:\d{10} 00000 n(?: \r| \n|\r\n))*")
_STREAM_START = re.compile(rb"stream(?:\r\n|\n)")


class _File:
    """A PDF as handouts writes one, read where its cross-reference table says: a single table listing objects
    1 to N in order, each in use, version 0, where the table says it starts ("N 0 obj") and ending ("endobj")
    before the next; one trailer, with no earlier table (/Prev) and no cross-reference stream. `_NotDirect` for
    anything else."""

    def __init__(self, data: bytes):
        self._data = data
        try:
            start = int(data[data.rindex(b"startxref") + 9:].split()[0])
        except (ValueError, IndexError):
            raise _NotDirect from None
        section = _XREF.match(data, start)
        if section is None:
            raise _NotDirect
        count, position = int(section[1]), section.end()
        if not data.startswith(b"0000000000 65535 f", position):
            raise _NotDirect
        table = data[position + 20:position + 20 * count]
        if not _XREF_ROWS.fullmatch(table):
            raise _NotDirect
        offsets = [int(table[i:i + 10]) for i in range(0, len(table), 20)]
        if offsets != sorted(set(offsets)) or (offsets and offsets[-1] >= start):
            raise _NotDirect
        self._offsets = offsets + [start]
        trailer = _TRAILER.match(data, position + 20 * count)
        if trailer is None:
            raise _NotDirect
        self.trailer = _value_of(data[trailer.end():data.rindex(b"startxref")])  # its /ID: never kept
        if not isinstance(self.trailer, dict):
            raise _NotDirect
        if "/Prev" in self.trailer or "/XRefStm" in self.trailer or self.trailer.get("/Size") != count:
            raise _NotDirect
        self._heads: dict[int, tuple[object, int | None]] = {}

    def _object(self, number: int) -> tuple[object, int | None]:
        """Object `number`'s value, and where its stream's data starts (None: not a stream)."""
        if number in self._heads:
            return self._heads[number]
        if not 0 < number < len(self._offsets):
            raise _NotDirect
        data, begin, end = self._data, self._offsets[number - 1], self._offsets[number]
        opening = b"%d 0 obj" % number
        last = data.rfind(b"endobj", begin, end)
        if not data.startswith(opening, begin) or last < 0 or data[last + 6:end].strip(_WHITE):
            raise _NotDirect
        start = begin + len(opening)
        keyword = data.find(b"stream", start, last)
        if keyword < 0:
            found = (_parsed(data[start:last]), None)
        else:  # a stream (or "stream" in a string: then the dictionary before it does not end, and is refused)
            value, stream = _parsed(data[start:keyword]), _STREAM_START.match(data, keyword)
            if not isinstance(value, dict) or stream is None:
                raise _NotDirect
            found = (value, stream.end())
        self._heads[number] = found
        return found

    def resolved(self, value):
        return self._object(value)[0] if isinstance(value, _Reference) else value

    def _stream(self, value) -> tuple[dict, bytes]:
        """A stream object's dictionary and its data as stored."""
        if not isinstance(value, _Reference):
            raise _NotDirect
        head, start = self._object(value)
        length = head.get("/Length")
        if start is None or not isinstance(length, float) or not length.is_integer():
            raise _NotDirect
        end = start + int(length)
        after = self._data[end:self._offsets[value]].lstrip(_WHITE)
        if not after.startswith(b"endstream"):
            raise _NotDirect
        return head, self._data[start:end]

    @staticmethod
    def decoded(head: dict, data: bytes) -> bytes:
        """A stream's data decoded: Flate or no filter, without parameters."""
        filters = head.get("/Filter")
        filters = filters if isinstance(filters, list) else [] if filters is None else [filters]
        if "/DecodeParms" in head or any(name != "/FlateDecode" for name in filters) or len(filters) > 1:
            raise _NotDirect
        return zlib.decompress(data) if filters else data

    def title(self) -> str:
        info = self.resolved(self.trailer.get("/Info"))
        title = self.resolved(info.get("/Title", b"")) if isinstance(info, dict) else b""
        if not isinstance(title, bytes):
            raise _NotDirect
        return str(pikepdf.String(title))  # its text as qpdf reads it: UTF-16 after a byte order mark, else PDFDoc

    def pages(self) -> list[dict]:
        root = self.resolved(self.trailer.get("/Root"))
        if not isinstance(root, dict):
            raise _NotDirect
        pages: list[dict] = []
        self._kids(root.get("/Pages"), pages, 0)
        return pages

    def _kids(self, node, pages: list[dict], depth: int) -> None:
        entries = self.resolved(node)
        if not isinstance(entries, dict) or depth > _MAX_DEPTH:
            raise _NotDirect
        if entries.get("/Type") == "/Page":
            pages.append(entries)
            return
        kids = self.resolved(entries.get("/Kids"))
        if entries.get("/Type") != "/Pages" or not isinstance(kids, list) or "/Resources" in entries:
            raise _NotDirect  # a page tree that hands its pages resources: not read here
        for kid in kids:
            self._kids(kid, pages, depth + 1)

    def page_parts(self, page: dict, fonts: dict) -> tuple[list[tuple[dict, bytes]], dict[str, _Font]]:
        """A page's content streams ((dictionary, data as stored) each) and its fonts by name."""
        resources = self.resolved(page.get("/Resources"))
        if not isinstance(resources, dict) or "/XObject" in resources:
            raise _NotDirect
        contents = page.get("/Contents")
        listed = self.resolved(contents)
        streams = [self._stream(stream) for stream in (listed if isinstance(listed, list) else [contents])]
        named = self.resolved(resources.get("/Font", {}))
        if not isinstance(named, dict):
            raise _NotDirect
        by_name = {}
        for name, font in named.items():
            if not isinstance(font, _Reference):
                raise _NotDirect
            if (int(font), 0) not in fonts:
                entries = self.resolved(font)
                if not isinstance(entries, dict):
                    raise _NotDirect
                cmap = entries.get("/ToUnicode")
                fonts[(int(font), 0)] = _Font(entries.get("/Subtype") == "/Type0",
                                              self.decoded(*self._stream(cmap)) if cmap is not None else b"")
            by_name[name] = fonts[(int(font), 0)]
        return streams, by_name


def _described(head: dict) -> bytes:
    """A stream's dictionary, for a page's key: how its data is filtered (and how long it is)."""
    return repr(sorted((key, repr(value)) for key, value in head.items())).encode()


_TRAILER = re.compile(rb"trailer[\x00\t\n\x0c\r ]*")
