"""Large-print rules a layout must keep (see REFERENCES.md §1)."""

from __future__ import annotations

from .errors import LayoutError

MIN_BODY = {"standard": 12.0, "large-print": 18.0, "extra-large": 24.0}


def check_layout(layout) -> None:
    problems = list(layout_problems(layout))
    if problems:
        raise LayoutError("\n".join(f"{layout.path}: {p}" for p in problems))


def layout_problems(layout):
    """Yield one message per broken rule: key, value, the rule and its source."""
    minimum = MIN_BODY[layout.layout_class]
    if layout.body_size < minimum:
        yield (f"body_size {layout.body_size:g} pt is below {minimum:g} pt, the minimum for "
               f"{layout.layout_class} (APH, RNIB)")
    if layout.alignment != "left":
        yield f"alignment '{layout.alignment}' is not allowed; large print is left aligned, ragged right (ADCET)"
    if layout.italic:
        yield "italic: true is not allowed; large print never uses italics (ADCET, Montana)"
    if layout.columns != 1:
        yield f"columns {layout.columns} is not allowed; use one column (Montana, ADCET)"
