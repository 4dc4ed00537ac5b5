"""Break styled text into lines that fit a width (ragged right, never justified).

Greedy, first fit, no hyphenation: where a line starts empty, the lines from there depend only on the words from
there. A paragraph that shows the patient's value is broken afresh for each patient, but the words after the last
value (its tail, every patient's) are measured once for the run, and so are the tail's lines from any word that
starts a line (`_patient_break_lines`): only the words up to the first line that starts in the tail are the
patient's own work."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from ..caches import holds_patient_value, patient_values, per_patient
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
    """Greedy, first fit: a line takes words while they fit. Where a line starts empty, the lines from there
    depend only on the words from there (what `_patient_break_lines` relies on)."""
    breaker = _Breaker(size, max_width)
    for word in _words(spans, no_break):
        breaker.add(word if word is None else _measure(word, fonts, size))
    return breaker.finish()


def _patient_break_lines(spans: tuple[Span, ...], fonts: FontSet, size: float, max_width: float,
                         no_break: re.Pattern | None = None) -> tuple[Line, ...]:
    """`_break_lines` of text that shows the patient's value, cheaper: the words after the last value (the
    tail, every patient's) are measured once for the run, and once a line starts empty among them, the lines
    from there are kept for the run too (`_tail_lines`); only the words before that line are this patient's."""
    tail = _tail_of(spans, no_break)
    if tail is None:
        return _break_lines(spans, fonts, size, max_width, no_break)
    breaker = _Breaker(size, max_width)
    for word in _words(spans, no_break, stop=tail[:2]):
        breaker.add(word if word is None else _measure(word, fonts, size))
    for at, word in enumerate(_tail_words(tail, fonts, size)):
        if breaker.starts_line(word):
            return (*breaker.lines, *_tail_lines(tail, fonts, size, max_width, at))
        breaker.add(word)
    return breaker.finish()


class _Breaker:
    """The greedy breaker's state: the lines made, and the words of the line under way."""

    def __init__(self, size: float, max_width: float):
        self.size, self.max_width = size, max_width
        self.lines: list[Line] = []
        self.current: list[_Fragment] = []
        self.used = 0.0
        self.after_break = False  # the last word was a hard break: the next starts an empty line

    def starts_line(self, word: list[_Fragment] | None) -> bool:
        """Whether `word` starts an empty line after at least one line: after a hard break, or because it does
        not fit on the line under way (which this ends, as `add` would)."""
        if word is None:
            return False
        if self.current and self.used + _widths(word)[0] > self.max_width:
            self.lines.append(_line(self.current))
            self.current, self.used = [], 0.0
            return True
        return self.after_break

    def add(self, word: list[_Fragment] | None) -> None:
        self.after_break = word is None
        if word is None:  # a hard line break
            self.lines.append(_line(self.current))
            self.current, self.used = [], 0.0
            return
        ink, total = _widths(word)
        if self.current and self.used + ink > self.max_width:
            self.lines.append(_line(self.current))
            self.current, self.used = [], 0.0
        if ink > self.max_width:
            for chunk in _split_long(word, self.size, self.max_width):
                if self.current:
                    self.lines.append(_line(self.current))
                self.current = chunk
                self.used = sum(f.width for f in chunk)
            return
        self.current.extend(word)
        self.used += total

    def finish(self) -> tuple[Line, ...]:
        if self.current or not self.lines:  # (a tail's lines from a word: that word makes `current`)
            self.lines.append(_line(self.current))
        return tuple(self.lines)


_shared_lines = lru_cache(maxsize=4096)(_break_lines)  # text that holds no patient's value
_patient_lines = per_patient(lru_cache(maxsize=512)(_patient_break_lines))  # emptied after each patient


def _tail_of(spans: tuple[Span, ...], no_break: re.Pattern | None) -> tuple | None:
    """The words after the patient's last value, as a key: (span index, offset where the first starts, that
    span's text from there, its kept spaces from there, its weight and link, the later spans' text, weight and
    link, `no_break`); None when no word follows the last value. It holds no value: it starts at the first word
    after the end of the last place where any value of the patient at work shows."""
    joined = "".join(span.text for span in spans)
    end = max((joined.rfind(value) + len(value) for value in patient_values() if value in joined), default=-1)
    if end < 0:
        return None
    for index, span in enumerate(spans):
        if end > len(span.text):
            end -= len(span.text)
            continue
        kept = _kept_together(span.text, no_break) if no_break is not None else frozenset()
        for match in _CHUNK.finditer(span.text):  # the chunks `_words` makes, so that the tail starts a word
            if match.end() > end and match.group().isspace() and (match.group() == "\n" or match.start() not in kept):
                start = match.end()
                return (index, start, span.text[start:], frozenset(k - start for k in kept if k >= start),
                        span.bold, span.href, tuple((s.text, s.bold, s.href) for s in spans[index + 1:]), no_break)
        end = 0  # no word ends in this span after the value: the next span's words may
    return None


@lru_cache(maxsize=256)  # keyed by a tail (_tail_of): the words after the patient's values, every patient's
def _tail_words(tail: tuple, fonts: FontSet, size: float) -> tuple[list[_Fragment] | None, ...]:
    """The tail's words, measured (shared, never changed: the breaker only reads a word's fragments)."""
    index, _start, text, kept, bold, href, later, no_break = tail
    spans = (Span(text, bold, href), *(Span(*later_span) for later_span in later))
    return tuple(word if word is None else _measure(word, fonts, size)
                 for word in _words(spans, no_break, first=(index, kept)))


@lru_cache(maxsize=1024)  # keyed by a tail (_tail_of), the style and width, and the word a line starts at
def _tail_lines(tail: tuple, fonts: FontSet, size: float, max_width: float, at: int) -> tuple[Line, ...]:
    """The lines of a tail's words from the `at`-th, which starts an empty line after other lines."""
    breaker = _Breaker(size, max_width)
    for word in _tail_words(tail, fonts, size)[at:]:
        breaker.add(word)
    return breaker.finish()


def _words(spans, no_break: re.Pattern | None = None, stop: tuple[int, int] | None = None,
           first: tuple[int, frozenset[int]] | None = None):
    """Yield words (lists of fragments, trailing spaces included) and None for breaks.

    `stop`: (span index, offset) where a word starts: only the words before it. `first`: the spans are a tail
    (`_tail_of`) whose first span is span number `first[0]` of its paragraph, with the kept spaces `first[1]`."""
    word: list[_Fragment] = []
    shift = first[0] if first else 0
    for index, span in enumerate(spans):
        if first is not None and index == 0:
            kept = first[1]
        else:
            kept = _kept_together(span.text, no_break) if no_break is not None else frozenset()
        for match in _CHUNK.finditer(span.text):
            if stop is not None and index == stop[0] and match.start() >= stop[1]:
                return
            chunk = match.group()
            if chunk == "\n":
                if word:
                    yield word
                yield None
                word = []
            elif chunk.isspace():
                word.append(_Fragment(" ", span.bold, span.href, index + shift))
                if match.start() not in kept:
                    yield word
                    word = []
            else:
                word.append(_Fragment(chunk, span.bold, span.href, index + shift))
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
    letters = "".join([f.text for f in word])
    measured = []
    for fragment in word:
        face = fonts.primary_drawing(letters, fragment.bold)  # most words: no runs to find
        runs = ((fragment.text, face),) if face else fonts.face_runs(letters, fragment.text, fragment.bold)
        for text, face in runs:
            measured.append(_Fragment(text, fragment.bold, fragment.href, fragment.span, face,
                                      _space_width(face, size) if text == " " else width(text, face, size)))
    return measured


@lru_cache(maxsize=256)  # keyed by a face's name and a size: a space's width, no text
def _space_width(face: str, size: float) -> float:
    return width(" ", face, size)


def _widths(word: list[_Fragment]) -> tuple[float, float]:
    """The word's width without its trailing space, which may hang past the line end, and with it."""
    total = sum([f.width for f in word])
    if word and word[-1].text == " ":
        return total - word[-1].width, total
    return total, total


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
    run: list | None = None  # the piece under way: text, face, href, x, width, span (a Piece made once)
    x = 0.0
    for f in fragments:
        if run and run[1] == f.face and run[2] == f.href and (f.href is None or run[5] == f.span):
            run[0] += f.text
            run[4] += f.width
        else:
            if run:
                pieces.append(Piece(*run))
            run = [f.text, f.face, f.href, x, f.width, f.span]
        x += f.width
    if run:
        pieces.append(Piece(*run))
    if fragments and fragments[-1].text == " ":
        x -= fragments[-1].width
    return Line(tuple(pieces), x)
