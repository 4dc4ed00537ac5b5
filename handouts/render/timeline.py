"""A timeline: steps in order, drawn as numbered circles along a line, under its caption.

Where each step's words fit a column (three lines at most, no word broken), the circles stand in a row, joined
by arrows, with the words under them; where the line is short for the type size (large and extra-large print),
they stand in a column on a line from the first to the last, with the words beside them, as compact as the
words allow so that the picture shares its page with the text around it. `TimelineBox` measures it like any
other box and never splits: a picture is on one page. `draw.py` draws the `TimelineDrawing` it makes: every
position is worked out here, in the page model, before anything is drawn.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import ClassVar

from ..caches import holds_patient_value
from ..model import Span
from .boxes import ASCENT, TextStyle
from .linebreak import Line, break_lines
from .tagging import StructElement

# A circle's radius, in ems of the words' type: its number sits inside with room around it. In a column, the
# circle is as tall as a line of words (a step takes no more room than its words); a row has room to spare.
ROW_RADIUS = 0.9
COLUMN_RADIUS = 0.75
MIN_COLUMN_EMS = 6.0  # a step's column in a row, in ems: narrower, the steps stand in a column
MAX_ROW_LINES = 3  # lines a step's words may take under its circle in a row
CAPTION_GAP = 0.5  # ems between the caption and the picture
STEP_GAP = 0.5  # ems between a step and the next in a column
LABEL_GAP = 0.5  # ems between a circle and its words (beside it), or between two columns' words (in a row)
ARROW_CLEARANCE = 0.15  # ems between an arrow's ends and the circles
DIGIT_MIDDLE = 0.35  # ems from the baseline to the middle of a figure ("1"): centres a number in its circle


@dataclass(frozen=True)
class TextAt:
    """A line of text: where it starts and its baseline, from the box's bottom-left corner."""

    line: Line
    x: float
    baseline: float


@dataclass(frozen=True)
class Circle:
    x: float  # the centre
    y: float
    radius: float
    number: TextAt  # the step's number, inside


@dataclass(frozen=True)
class Arrow:
    """From one circle to the next: a line from (x0, y0) to (x1, y1), with a head pointing there in a row (in a
    column, the line runs from centre to centre behind the circles, read top to bottom like the text)."""

    x0: float
    y0: float
    x1: float
    y1: float
    head: bool = True


@dataclass(frozen=True)
class TimelineDrawing:
    """Everything a timeline draws at one width, from the box's bottom-left corner."""

    height: float
    vertical: bool
    caption: tuple[TextAt, ...]
    figure: tuple[float, float, float, float]  # left, bottom, right, top of the picture (the caption is above it)
    circles: tuple[Circle, ...]
    arrows: tuple[Arrow, ...]
    labels: tuple[tuple[TextAt, ...], ...]  # each step's words
    line_width: float  # the arrows' shafts
    head: float  # an arrow head's length (and width)


@dataclass(eq=False)
class TimelineBox:
    """A timeline block: its group (a Div) holds the Caption, then the Figure, whose /Alt says the steps."""

    element: StructElement  # the Div
    caption_element: StructElement
    figure_element: StructElement
    caption: list[Span]
    steps: list[list[Span]]
    style: TextStyle  # the steps' words; the caption is bold in the same type
    number_style: TextStyle  # the numbers, in the page's colour on the filled circles
    arrow_colour: str
    space_before: float = 0.0
    space_after: float = 0.0
    keep_with_next: bool = False
    prefer_with_next: bool = False  # kept with the next box unless that leaves the page too empty
    keep_together: ClassVar[bool] = True
    _drawing_at: tuple[float, TimelineDrawing] | None = field(default=None, init=False, repr=False)

    def drawing(self, width: float) -> TimelineDrawing:
        """The layout at `width` (memoized: pagination asks again and again)."""
        if self._drawing_at is None or self._drawing_at[0] != width:
            self._drawing_at = (width, _laid_out(self.caption, self.steps, self.style, width))
        return self._drawing_at[1]

    def lines(self, width: float) -> tuple[Line, ...]:
        """The caption's lines, then each step's: the text of the page model."""
        drawing = self.drawing(width)
        return tuple(text.line for text in (*drawing.caption, *(t for label in drawing.labels for t in label)))

    def height(self, width: float) -> float:
        return self.drawing(width).height

    def least_height(self, width: float, loose: bool = False) -> float:
        return self.height(width)

    def splits_loosely(self, width: float) -> bool:
        return False  # a picture is never cut in two

    def split(self, width: float, height: float) -> list:
        return []  # a picture is never cut in two


def alt_text(steps: list[str]) -> str:
    """What a screen reader says for the picture: each step with its number, "1. Arrive. 2. IV in your arm."."""
    return " ".join(f"{number}. {text}" + ("" if text.endswith((".", "!", "?")) else ".")
                    for number, text in enumerate(steps, start=1))


def _laid_out(caption: list[Span], steps: list[list[Span]], style: TextStyle, width: float) -> TimelineDrawing:
    """`lay_out_timeline`, kept for the run when the timeline shows no patient value (no span with a reserve, no
    value of the patient at work in its words): every packet of a batch draws the same timeline."""
    spans = [*caption, *(span for step in steps for span in step)]
    if any(span.reserve is not None for span in spans) or holds_patient_value("".join(s.text for s in spans)):
        return lay_out_timeline(caption, steps, style, width)
    return _shared_drawing(tuple(caption), tuple(map(tuple, steps)), style, width)


@lru_cache(maxsize=64)
def _shared_drawing(caption: tuple[Span, ...], steps: tuple[tuple[Span, ...], ...], style: TextStyle,
                    width: float) -> TimelineDrawing:
    """A timeline that shows no patient value, laid out once (its drawing is immutable): keyed by all it is made
    from."""
    return lay_out_timeline(list(caption), [list(step) for step in steps], style, width)


def lay_out_timeline(caption: list[Span], steps: list[list[Span]], style: TextStyle, width: float) -> TimelineDrawing:
    """The caption on top, left aligned, then the picture: in a row where every step's words fit its column,
    else in a column."""
    em = style.size
    bold = [Span(span.text, True, span.href) for span in caption]
    caption_lines = break_lines(bold, style.fonts, em, width, style.no_break)
    picture_top = -(len(caption_lines) * style.leading + CAPTION_GAP * em)  # from the box's top, downwards
    # Each step ends in a space, drawn but not measured, as each number does: text read out of the picture
    # (a copy, a reflow, poppler's structure text) says "1 Arrive 2 IV in your arm", not "1Arrive2IV".
    steps = [[*spans, Span(" ")] for spans in steps]
    row = _row(steps, style, width, picture_top)
    drawing = row or _column(steps, style, width, picture_top)
    # Measured from the top while laying out; moved so that the box's bottom is 0, as placed boxes are.
    rise = -drawing.figure[1]
    caption_at = tuple(TextAt(line, 0.0, rise + _baseline(style, index)) for index, line in enumerate(caption_lines))
    return _raised(replace(drawing, caption=caption_at), rise)


def _baseline(style: TextStyle, index: int, top: float = 0.0) -> float:
    """The baseline of line `index` of text whose first line's box starts at `top` (as in a paragraph)."""
    return top - index * style.leading - (style.leading - style.size) / 2 - ASCENT * style.size


def _row(steps: list[list[Span]], style: TextStyle, width: float, top: float) -> TimelineDrawing | None:
    """Circles in a row along the page, each step's words centred under its circle; None when they do not fit."""
    em, count = style.size, len(steps)
    column = width / count
    room = column - LABEL_GAP * em
    if column < MIN_COLUMN_EMS * em:
        return None
    labels = [break_lines(spans, style.fonts, em, room, style.no_break) for spans in steps]
    if any(len(lines) > MAX_ROW_LINES or max(line.width for line in lines) > room for lines in labels):
        return None  # a word would be cut, or the words would stand too tall
    radius = ROW_RADIUS * em
    middle = top - radius
    label_top = middle - radius - LABEL_GAP * em
    circles, words = [], []
    for index, lines in enumerate(labels):
        centre = column * (index + 0.5)
        circles.append(_circle(centre, middle, radius, index, style))
        words.append(tuple(TextAt(line, centre - line.width / 2, _baseline(style, n, label_top))
                           for n, line in enumerate(lines)))
    clear = radius + ARROW_CLEARANCE * em
    arrows = [Arrow(a.x + clear, middle, b.x - clear, middle) for a, b in zip(circles, circles[1:])]
    bottom = label_top - max(len(lines) for lines in labels) * style.leading
    left = min(min(c.x - radius, *(t.x for t in label)) for c, label in zip(circles, words))
    right = max(max(c.x + radius, *(t.x + t.line.width for t in label)) for c, label in zip(circles, words))
    return _drawing(style, False, (left, bottom, right, top), circles, arrows, words)


def _column(steps: list[list[Span]], style: TextStyle, width: float, top: float) -> TimelineDrawing:
    """Circles in a column at the left, each step's words beside its circle, its first line level with it."""
    em = style.size
    radius = COLUMN_RADIUS * em
    text_left = 2 * radius + LABEL_GAP * em
    circles, words = [], []
    row_top, right = top, 2 * radius
    for index, spans in enumerate(steps):
        lines = break_lines(spans, style.fonts, em, width - text_left, style.no_break)
        label_top = row_top - radius + style.leading / 2  # the first line's box is centred on the circle
        circles.append(_circle(radius, row_top - radius, radius, index, style))
        words.append(tuple(TextAt(line, text_left, _baseline(style, n, label_top)) for n, line in enumerate(lines)))
        right = max(right, text_left + max(line.width for line in lines))
        row_bottom = min(row_top - 2 * radius, label_top - len(lines) * style.leading)
        row_top = row_bottom - STEP_GAP * em
    arrows = [Arrow(a.x, a.y, b.x, b.y, head=False) for a, b in zip(circles, circles[1:])]
    bottom = row_top + STEP_GAP * em
    return _drawing(style, True, (0.0, bottom, right, top), circles, arrows, words)


def _circle(x: float, y: float, radius: float, index: int, style: TextStyle) -> Circle:
    (number,) = break_lines([Span(f"{index + 1} ", True)], style.fonts, style.size, 2 * radius)
    return Circle(x, y, radius, TextAt(number, x - number.width / 2, y - DIGIT_MIDDLE * style.size))


def _drawing(style: TextStyle, vertical: bool, figure, circles, arrows, words) -> TimelineDrawing:
    return TimelineDrawing(height=0.0, vertical=vertical, caption=(), figure=figure, circles=tuple(circles),
                           arrows=tuple(arrows), labels=tuple(words), line_width=max(1.5, style.size / 8),
                           head=0.5 * style.size)


def _raised(drawing: TimelineDrawing, rise: float) -> TimelineDrawing:
    """`drawing`, laid out from its top at 0 downwards, moved up by `rise`: its bottom at 0, its height set."""
    def text(at: TextAt) -> TextAt:
        return replace(at, baseline=at.baseline + rise)

    left, bottom, right, top = drawing.figure
    return replace(
        drawing, height=rise, figure=(left, bottom + rise, right, top + rise),
        circles=tuple(replace(c, y=c.y + rise, number=text(c.number)) for c in drawing.circles),
        arrows=tuple(replace(a, y0=a.y0 + rise, y1=a.y1 + rise) for a in drawing.arrows),
        labels=tuple(tuple(text(t) for t in label) for label in drawing.labels))
