"""Large-print rules a layout must keep, by class (facts: REFERENCES.md §1)."""

from __future__ import annotations

from ..errors import LayoutError

MIN_BODY = {"standard": 12.0, "large-print": 18.0, "extra-large": 24.0}
MIN_LINE_SPACING = {"standard": 1.15, "large-print": 1.5, "extra-large": 1.5}
MIN_MARGIN = {"standard": 36.0, "large-print": 72.0, "extra-large": 72.0}
MIN_CONTRAST = 7.0  # WCAG 2.x 1.4.6, enhanced contrast (AAA)


def check_layout(layout) -> None:
    problems = list(layout_problems(layout))
    if problems:
        raise LayoutError("\n".join(f"{layout.path}: {p}" for p in problems))


def layout_problems(layout):
    """Yield one message per broken rule: key, value, the rule and its source."""
    cls = layout.layout_class
    minimum = MIN_BODY[cls]
    if layout.body_size < minimum:
        yield f"body_size {layout.body_size:g} pt is below {minimum:g} pt, the minimum for {cls} (APH, RNIB)"
    for key, size in (("footer_size", layout.footer_size), ("checkbox_size", layout.checkbox_size)):
        if size < minimum:
            yield f"{key} {size:g} pt is below {minimum:g} pt: every text size in {cls} must be at least that (APH)"
    if layout.checkbox_size < layout.body_size:
        yield f"checkbox_size {layout.checkbox_size:g} pt is smaller than the body text ({layout.body_size:g} pt)"
    for level, size in enumerate(layout.heading_sizes, start=1):
        if size < layout.body_size:
            yield (f"heading_sizes.{level} {size:g} pt is smaller than body_size {layout.body_size:g} pt; "
                   "headings must be larger than body text (ADCET)")
    if not layout.heading_bold:
        yield "heading_bold: false is not allowed; headings are bold (ADCET)"
    if layout.line_spacing < MIN_LINE_SPACING[cls]:
        yield (f"line_spacing {layout.line_spacing:g} is below {MIN_LINE_SPACING[cls]:g} × the type size "
               f"for {cls} (ADCET, Round Table)")
    for side, margin in zip(("top", "right", "bottom", "left"), layout.margins):
        if margin < MIN_MARGIN[cls]:
            yield f"margins.{side} {margin:g} pt is below {MIN_MARGIN[cls]:g} pt (1 inch = 72 pt) for {cls} (Montana, ADCET)"
    if layout.alignment != "left":
        yield f"alignment '{layout.alignment}' is not allowed; large print is left aligned, ragged right (ADCET, Montana)"
    if layout.italic:
        yield "italic: true is not allowed; large print never uses italic or oblique faces (ADCET, Montana)"
    if layout.columns != 1:
        yield f"columns {layout.columns} is not allowed; use one column (Montana, ADCET)"
    for key in ("text_colour", "callout_border_colour"):
        ratio = contrast_ratio(getattr(layout, key), layout.background_colour)
        if ratio < MIN_CONTRAST:
            yield (f"{key} {getattr(layout, key)} on background_colour {layout.background_colour} has contrast "
                   f"{ratio:.1f}:1, below {MIN_CONTRAST:g}:1 (WCAG 2.x 1.4.6)")


def relative_luminance(colour: str) -> float:
    """WCAG relative luminance of '#RRGGBB'."""
    channels = []
    for i in (1, 3, 5):
        c = int(colour[i:i + 2], 16) / 255
        channels.append(c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4)
    r, g, b = channels
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(foreground: str, background: str) -> float:
    lighter, darker = sorted((relative_luminance(foreground), relative_luminance(background)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)
