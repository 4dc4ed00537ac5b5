"""Layout definitions: page, type sizes, spacing and colours, loaded from YAML."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from ..errors import LayoutError
from .typefaces import TYPEFACES
from .yamlfile import load_mapping

PAGE_SIZES = {"letter": (612.0, 792.0), "a4": (595.2756, 841.8898)}
CLASSES = ("standard", "large-print", "extra-large")
_COLOUR = re.compile(r"^#[0-9A-Fa-f]{6}$")


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
    columns: int
    alignment: str
    italic: bool
    heading_bold: bool

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
    data = load_mapping(path, LayoutError, "layout file")
    reader = _Reader(path, data)
    margins = reader.margins()
    headings = data.get("heading_sizes") or {}
    if not isinstance(headings, dict):
        raise _value_error(path, "heading_sizes", "heading_sizes must map 1, 2, 3 to sizes in points",
                           "write e.g. 'heading_sizes: {1: 30, 2: 24, 3: 21}'")
    heading_sizes = tuple(_number(path, f"heading_sizes.{n}", headings.get(n, headings.get(str(n))))
                          for n in (1, 2, 3))
    layout = Layout(
        name=path.stem,
        path=path,
        layout_class=reader.choice("class", CLASSES),
        page_size=PAGE_SIZES[reader.choice("page_size", tuple(PAGE_SIZES), "letter")],
        margins=margins,
        typeface=reader.choice("typeface", tuple(TYPEFACES), "atkinson-hyperlegible"),
        body_size=reader.number("body_size"),
        heading_sizes=heading_sizes,
        footer_size=reader.number("footer_size"),
        line_spacing=reader.number("line_spacing"),
        paragraph_space=reader.number("paragraph_space", 0.75),
        list_indent=reader.number("list_indent", 1.6),
        checkbox_size=reader.number("checkbox_size"),
        text_colour=reader.colour("text_colour", "#000000"),
        background_colour=reader.colour("background_colour", "#FFFFFF"),
        callout_border_colour=reader.colour("callout_border_colour", "#000000"),
        callout_border_width=reader.number("callout_border_width", 3),
        columns=int(reader.number("columns", 1)),
        alignment=reader.text("alignment", "left"),
        italic=reader.flag("italic", False),
        heading_bold=reader.flag("heading_bold", True),
    )
    from ..quality.print_rules import (
        check_layout,  # the rules know the layout, not the other way round
    )

    check_layout(layout)
    return layout


def _number(path: Path, key: str, value) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
        raise _value_error(path, key, f"'{key}' must be a positive number (points), got {value!r}",
                           "write a number such as 18")
    return float(value)


def _value_error(path: Path, key: str, message: str, hint: str) -> LayoutError:
    return LayoutError(message, source=str(path), rule="layout-value", hint=hint, key=key)


class _Reader:
    def __init__(self, path: Path, data: dict):
        self.path, self.data = path, data

    def number(self, key: str, default=None) -> float:
        value = self.data.get(key, default)
        if value is None:
            raise LayoutError(f"missing '{key}'", source=str(self.path), rule="layout-key-missing",
                              hint="add it (a number of points)", key=key)
        return _number(self.path, key, value)

    def flag(self, key: str, default: bool) -> bool:
        value = self.data.get(key, default)
        if not isinstance(value, bool):
            raise _value_error(self.path, key, f"'{key}' must be true or false, got {value!r}",
                               f"write '{key}: {str(default).lower()}'")
        return value

    def text(self, key: str, default: str) -> str:
        return str(self.data.get(key, default)).strip().lower()

    def choice(self, key: str, choices: tuple[str, ...], default: str | None = None) -> str:
        value = self.data.get(key, default)
        value = str(value).strip().lower() if value is not None else None
        if value not in choices:
            raise _value_error(self.path, key, f"'{key}' is {value!r}", f"choose one of: {', '.join(choices)}")
        return value

    def colour(self, key: str, default: str) -> str:
        value = str(self.data.get(key, default)).strip()
        if not _COLOUR.match(value):
            raise _value_error(self.path, key, f"'{key}' must be a colour like #000000, got {value!r}",
                               "write it in quotes, e.g. \"#000000\"")
        return value.upper()

    def margins(self) -> tuple[float, float, float, float]:
        value = self.data.get("margins")
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            m = _number(self.path, "margins", value)
            return (m, m, m, m)
        if isinstance(value, dict):
            return tuple(_number(self.path, f"margins.{side}", value.get(side))
                         for side in ("top", "right", "bottom", "left"))
        raise _value_error(self.path, "margins", "'margins' must be points (72 = 1 inch) or top/right/bottom/left",
                           "write 'margins: 72' or one line each for top, right, bottom and left")
