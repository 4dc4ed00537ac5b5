"""Break styled text into lines that fit a width (ragged right, never justified)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from ..caches import holds_patient_value, per_patient
from ..model import Span
from .fonts import FontSet, width

_CHUNK = re.compile(r"\n|[^\S\n]+|[^\s]+")
_BREAK_AFTER = set("/-.?&=_@,;:")


@dataclass(frozen=True)
class Piece:
    """Text drawn in one face, starting `x` points from the line's start.

    `span` is the index of the source span it comes from, so that a drawer can
    tell which link (if any) owns it.
    """

    text: str
    face: str
    href: str | None
    x: float
    width: float
    span: int


@dataclass(frozen=True)
class Line:
    pieces: tuple[Piece, ...]
    width: float


@dataclass
class _Fragment:
    text: str
    bold: bool
    href: str | None
    span: int
    face: str = ""
    width: float = 0.0


def break_lines(spans: list[Span], fonts: FontSet, size: float, max_width: float,
                no_break: re.Pattern | None = None) -> tuple[Line, ...]:
    """Lines for the spans; the same text at the same size and width breaks the same way.

    `no_break` matches what a line never breaks inside (times, dates, phone numbers: the document
    language's `Locale.keep_together`, from handouts/locales/), so that a reader with low vision meets each
    as one piece."""
    key = (tuple(spans), fonts, size, round(max_width, 3), no_break)
    # Most paragraphs are every patient's: their lines are kept for the run. One that shows this patient's
    # value (a name, the appointment: each a whole span) is kept only until this patient's packet is done.
    if holds_patient_value("".join(span.text for span in spans)):
        return _patient_lines(*key)
    return _shared_lines(*key)


def _break_lines(spans: tuple[Span, ...], fonts: FontSet, size: float, max_width: float,
                 no_break: re.Pattern | None = None) -> tuple[Line, ...]:
    lines: list[Line] = []
    current: list[_Fragment] = []
    used = 0.0
    for word in _words(spans, no_break):
        if word is None:  # a hard line break
            lines.append(_line(current))
            current, used = [], 0.0
            continue
        word = _measure(word, fonts, size)
        ink = _ink_width(word)
        if current and used + ink > max_width:
            lines.append(_line(current))
            current, used = [], 0.0
        if ink > max_width:
            for chunk in _split_long(word, size, max_width):
                if current:
                    lines.append(_line(current))
                current = chunk
                used = sum(f.width for f in chunk)
            continue
        current.extend(word)
        used += sum(f.width for f in word)
    if current or not lines:
        lines.append(_line(current))
    return tuple(lines)


_shared_lines = lru_cache(maxsize=4096)(_break_lines)  # text that holds no patient's value
_patient_lines = per_patient(lru_cache(maxsize=512)(_break_lines))  # emptied after each patient


def _words(spans: list[Span], no_break: re.Pattern | None = None):
    """Yield words (lists of fragments, trailing spaces included) and None for breaks."""
    word: list[_Fragment] = []
    for index, span in enumerate(spans):
        kept = _kept_together(span.text, no_break) if no_break is not None else frozenset()
        for match in _CHUNK.finditer(span.text):
            chunk = match.group()
            if chunk == "\n":
                if word:
                    yield word
                yield None
                word = []
            elif chunk.isspace():
                word.append(_Fragment(" ", span.bold, span.href, index))
                if match.start() not in kept:
                    yield word
                    word = []
            else:
                word.append(_Fragment(chunk, span.bold, span.href, index))
    if word:
        yield word


@per_patient  # keyed by text that can be a patient's: emptied after each patient
@lru_cache(maxsize=4096)
def _kept_together(text: str, no_break: re.Pattern) -> frozenset[int]:
    """Positions of the spaces in `text` that sit inside a match of `no_break` (a time, a date, a phone
    number, a state and ZIP)."""
    return frozenset(match.start() + offset for match in no_break.finditer(text)
                     for offset, ch in enumerate(match.group()) if ch == " ")


def _measure(word: list[_Fragment], fonts: FontSet, size: float) -> list[_Fragment]:
    """The word's fragments with faces and widths; a fragment no one face can draw is cut into runs."""
    letters = "".join(f.text for f in word)
    measured = []
    for fragment in word:
        for text, face in fonts.face_runs(letters, fragment.text, fragment.bold):
            measured.append(_Fragment(text, fragment.bold, fragment.href, fragment.span, face,
                                      width(text, face, size)))
    return measured


def _ink_width(word: list[_Fragment]) -> float:
    """Width without trailing spaces, which may hang past the line end."""
    total = sum(f.width for f in word)
    if word and word[-1].text == " ":
        total -= word[-1].width
    return total


def _split_long(word: list[_Fragment], size: float, max_width: float) -> list[list[_Fragment]]:
    """Break a word wider than the line, preferring a break after / - . and the like."""
    chars = [(ch, f) for f in word for ch in f.text]
    chunks: list[list[_Fragment]] = []
    start = 0
    while start < len(chars):
        end, used, best = start, 0.0, None
        while end < len(chars):
            ch, frag = chars[end]
            w = width(ch, frag.face, size)
            if used + w > max_width and end > start and not ch.isspace():
                break
            used += w
            end += 1
            if ch in _BREAK_AFTER and end < len(chars):
                best = end
        if end < len(chars) and best and best > start + (end - start) // 2:
            end = best
        chunks.append(_regroup(chars[start:end], size))
        start = end
    return chunks


def _regroup(chars, size: float) -> list[_Fragment]:
    out: list[_Fragment] = []
    for ch, frag in chars:
        if out and out[-1].face == frag.face and out[-1].span == frag.span:
            out[-1].text += ch
        else:
            out.append(_Fragment(ch, frag.bold, frag.href, frag.span, frag.face))
    for f in out:
        f.width = width(f.text, f.face, size)
    return out


def _line(fragments: list[_Fragment]) -> Line:
    # A line-ending space is still drawn (it is invisible) so that text read
    # back from the PDF keeps the space between the last and the next word.
    pieces: list[Piece] = []
    x = 0.0
    for f in fragments:
        last = pieces[-1] if pieces else None
        if last and last.face == f.face and last.href == f.href and (f.href is None or last.span == f.span):
            pieces[-1] = Piece(last.text + f.text, last.face, last.href, last.x, last.width + f.width, last.span)
        else:
            pieces.append(Piece(f.text, f.face, f.href, x, f.width, f.span))
        x += f.width
    if fragments and fragments[-1].text == " ":
        x -= fragments[-1].width
    return Line(tuple(pieces), x)
