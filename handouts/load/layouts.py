"""Layout definitions: page, type sizes, spacing and colours, loaded from YAML."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path

from ..errors import Finding, LayoutError
from ..model import MAX_LIST_DEPTH
from . import print_rules
from .typefaces import TYPEFACES
from .yamlfile import MappingData, at_key_line, load_mapping, shown

PAGE_SIZES = {"letter": (612.0, 792.0), "a4": (595.2756, 841.8898)}
CLASSES = print_rules.CLASSES
SIDES = ("top", "right", "bottom", "left")
KEYS = {"class", "page_size", "margins", "typeface", "body_size", "heading_sizes", "footer_size", "line_spacing",
        "paragraph_space", "list_indent", "checkbox_size", "text_colour", "background_colour",
        "callout_border_colour", "callout_border_width", "forms"}
# Keys of older layouts that could only hold one value (the print rules refused any other): handouts always
# sets text this way, so a layout no longer says it. A file that still has one is refused, saying so.
RETIRED_KEYS = {"alignment": "text is always left aligned, ragged right",
                "italic": "italic is never used",
                "columns": "text is always in one column",
                "heading_bold": "headings are always bold"}
# Upper bounds: beyond them a value is a typo, not a design (the print rules set the lower bounds).
MAX_SIZE = 144.0  # points: 2 inches tall
MAX_MARGIN = 288.0  # points: 4 inches
MAX_LINE_SPACING = 4.0  # times the type size
MAX_MULTIPLE = 5.0  # paragraph_space and list_indent, times the body size
MAX_BORDER = 24.0  # points
# Room the text area must have, in ems (an em, the type size, is about two letters) and lines.
MIN_LINE_EMS = 6
MIN_INDENTED_EMS = 4  # beside the deepest list in an important box
MIN_PAGE_LINES = 3
_COLOUR = re.compile(r"#[0-9A-Fa-f]{6}")
_UNSET = object()


@dataclass(frozen=True)
class Layout:
    name: str
    path: Path
    layout_class: str
    page_size: tuple[float, float]
    margins: tuple[float, float, float, float]  # top, right, bottom, left (points)
    typeface: str
    body_size: float
    heading_sizes: tuple[float, float, float]  # H1, H2, H3
    footer_size: float
    line_spacing: float  # multiple of the type size
    paragraph_space: float  # space after a block, multiple of the body size
    list_indent: float  # multiple of the body size
    checkbox_size: float
    text_colour: str
    background_colour: str
    callout_border_colour: str
    callout_border_width: float
    forms: bool = True  # checkboxes and lines to write on are fillable fields; False: printed only

    @property
    def frame(self) -> tuple[float, float, float, float]:
        """x, y, width, height of the text area in points."""
        top, right, bottom, left = self.margins
        width, height = self.page_size
        return left, bottom, width - left - right, height - top - bottom

    def heading_size(self, level: int) -> float:
        return self.heading_sizes[min(level, 3) - 1]


class LayoutLibrary:
    """The layouts in a folder, by name (file stem)."""

    def __init__(self, folder: Path):
        self.folder = Path(folder)
        self._loaded: dict[str, Layout] = {}
        if not self.folder.is_dir():
            raise LayoutError("layouts folder not found", source=str(self.folder), rule="layouts-folder-missing",
                              hint="run from the project folder")
        if not self.names():
            raise LayoutError("no layouts in the layouts folder", source=str(self.folder), rule="layouts-folder-empty",
                              hint="add a layout such as 'large-print.yaml', or choose the folder that has them")

    def names(self) -> list[str]:
        return sorted(p.stem for p in self.folder.glob("*.yaml"))

    def load(self, name: str) -> Layout:
        if name not in self._loaded:
            if name not in self.names():
                raise LayoutError(f"unknown layout '{name}'", source=str(self.folder), rule="unknown-layout",
                                  hint=f"choose one of: {', '.join(self.names()) or 'none'}")
            self._loaded[name] = load_layout(self.folder / f"{name}.yaml")
        return self._loaded[name]


def load_layout(path: Path) -> Layout:
    """Read, check every value (all problems at once, each at its key), then the large-print rules."""
    data = load_mapping(path, LayoutError, "layout file")
    reader = _Reader(path, data)
    for key in sorted(set(data) - KEYS):
        if key in RETIRED_KEYS:
            reader.problem(key, f"layout key '{key}' is no longer needed: {RETIRED_KEYS[key]}",
                           f"remove the '{key}:' line", "layout-key-retired")
        else:
            reader.problem(key, f"unknown layout key '{key}'", f"allowed: {', '.join(sorted(KEYS))}",
                           "layout-key-unknown")
    values = {
        "layout_class": reader.choice("class", CLASSES),
        "page_size": PAGE_SIZES[reader.choice("page_size", tuple(PAGE_SIZES), "letter")],
        "margins": reader.margins(),
        "typeface": reader.choice("typeface", tuple(TYPEFACES), "atkinson-hyperlegible"),
        "body_size": reader.number("body_size", limit=MAX_SIZE),
        "heading_sizes": reader.heading_sizes(),
        "footer_size": reader.number("footer_size", limit=MAX_SIZE),
        "line_spacing": reader.number("line_spacing", limit=MAX_LINE_SPACING),
        "paragraph_space": reader.number("paragraph_space", 0.75, limit=MAX_MULTIPLE),
        "list_indent": reader.number("list_indent", 1.6, limit=MAX_MULTIPLE),
        "checkbox_size": reader.number("checkbox_size", limit=MAX_SIZE),
        "text_colour": reader.colour("text_colour", "#000000"),
        "background_colour": reader.colour("background_colour", "#FFFFFF"),
        "callout_border_colour": reader.colour("callout_border_colour", "#000000"),
        "callout_border_width": reader.number("callout_border_width", 3, limit=MAX_BORDER),
        "forms": reader.flag("forms", True),
    }
    if reader.problems:
        raise LayoutError(findings=reader.problems)
    layout = Layout(name=path.stem, path=path, **values)
    try:
        room = list(_room_problems(layout))
        if room:  # the print rules would only add noise about a layout that cannot hold text
            raise LayoutError(findings=room)
        print_rules.check_layout(layout)
    except LayoutError as exc:
        raise LayoutError(findings=[at_key_line(f, data.lines) for f in exc.findings]) from None
    return layout


def _room_problems(layout: Layout):
    """The text area must have room for text: a few letters of the largest type on a line, a few letters
    of body text beside the deepest list in an important box, and a few lines on a page."""
    width, height = layout.frame[2:]
    biggest = max(layout.body_size, layout.footer_size, layout.checkbox_size, *layout.heading_sizes)
    body = layout.body_size
    deepest = MAX_LIST_DEPTH * layout.list_indent * body + 2 * (0.75 * body + layout.callout_border_width)
    needed = max(MIN_LINE_EMS * biggest, deepest + MIN_INDENTED_EMS * body)
    if width < needed:
        reason = (f"{MIN_LINE_EMS} ems of the largest type ({biggest:g} pt)" if needed == MIN_LINE_EMS * biggest
                  else f"text beside a list {MAX_LIST_DEPTH} levels deep in an important box "
                       f"({deepest:g} pt of indent)")
        yield _finding(layout.path, "margins", f"the text area is {width:g} pt wide, too narrow for {reason}: "
                       f"it needs {needed:g} pt", "make the margins, list_indent or type sizes smaller",
                       "layout-no-room")
    needed = (MIN_PAGE_LINES * biggest + layout.footer_size) * layout.line_spacing
    if height < needed:
        yield _finding(layout.path, "margins", f"the text area is {height:g} pt high, too low for "
                       f"{MIN_PAGE_LINES} lines of the largest type ({biggest:g} pt) and the page number: it needs "
                       f"{needed:g} pt", "make the margins, line_spacing or type sizes smaller", "layout-no-room")


def _finding(path: Path, key: str, message: str, hint: str, rule: str = "layout-value") -> Finding:
    return Finding(message, str(path), rule=rule, hint=hint, key=key)


class _Reader:
    """Reads one value per key; a bad value becomes a finding at its key's line, and a stand-in is returned."""

    def __init__(self, path: Path, data: MappingData):
        self.path, self.data = path, data
        self.problems: list[Finding] = []

    def problem(self, key: str, message: str, hint: str, rule: str = "layout-value") -> None:
        self.problems.append(at_key_line(_finding(self.path, key, message, hint, rule), self.data.lines))

    def number(self, key: str, default=None, limit: float = MAX_SIZE, value=_UNSET) -> float:
        value = self.data.get(key, default) if value is _UNSET else value
        if value is None:
            self.problem(key, f"missing '{key}'", "add it (a number of points)", "layout-key-missing")
            return 1.0
        if isinstance(value, str) and _is_number(value):  # YAML 1.1 reads 1e9 (no dot) as text
            self.problem(key, f"'{key}' is {shown(value)}, which YAML reads as text", "write a plain number such as 18")
        elif isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
            self.problem(key, f"'{key}' must be a positive number, got {shown(value)}", "write a number such as 18")
        elif not math.isfinite(value) or value > limit:
            self.problem(key, f"'{key}' is {shown(value)}, more than any page can hold (at most {limit:g})",
                         f"write a number between 0 and {limit:g}")
        else:
            return float(value)
        return 1.0

    def flag(self, key: str, default: bool) -> bool:
        value = self.data.get(key, default)
        if not isinstance(value, bool):
            self.problem(key, f"'{key}' must be true or false, got {shown(value)}",
                         f"write '{key}: {str(default).lower()}'")
            return default
        return value

    def choice(self, key: str, choices: tuple[str, ...], default: str | None = None) -> str:
        value = self.data.get(key, default)
        chosen = value.strip().lower() if isinstance(value, str) else None
        if chosen not in choices:
            self.problem(key, f"'{key}' is {shown(value)}", f"choose one of: {', '.join(choices)}")
            return default or choices[0]
        return chosen

    def colour(self, key: str, default: str) -> str:
        value = self.data.get(key, default)
        if not isinstance(value, str) or not _COLOUR.fullmatch(value.strip()):
            self.problem(key, f"'{key}' must be a colour like #000000, got {shown(value)}",
                         "write it in quotes, e.g. \"#000000\"")
            return default
        return value.strip().upper()

    def margins(self) -> tuple[float, float, float, float]:
        value = self.data.get("margins")
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            m = self.number("margins", limit=MAX_MARGIN, value=value)
            return (m, m, m, m)
        if isinstance(value, dict):
            unknown = [side for side in value if side not in SIDES]
            if unknown:
                self.problem("margins", f"'margins' has {shown(unknown[0])}, which is not a side",
                             f"use only {', '.join(SIDES)}")
            return tuple(self.number(f"margins.{side}", limit=MAX_MARGIN, value=value.get(side)) for side in SIDES)
        self.problem("margins", "'margins' must be points (72 = 1 inch) or top/right/bottom/left",
                     "write 'margins: 72' or one line each for top, right, bottom and left")
        return (72.0, 72.0, 72.0, 72.0)

    def heading_sizes(self) -> tuple[float, float, float]:
        headings = self.data.get("heading_sizes") or {}
        if not isinstance(headings, dict):
            self.problem("heading_sizes", "heading_sizes must map 1, 2, 3 to sizes in points",
                         "write e.g. 'heading_sizes: {1: 30, 2: 24, 3: 21}'")
            return (1.0, 1.0, 1.0)
        unknown = [level for level in headings if level not in (1, 2, 3, "1", "2", "3")]
        if unknown:
            self.problem("heading_sizes", f"heading_sizes has level {shown(unknown[0])}", "use only 1, 2 and 3")
        return tuple(self.number(f"heading_sizes.{n}", limit=MAX_SIZE, value=headings.get(n, headings.get(str(n))))
                     for n in (1, 2, 3))


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True
