"""Large-print rules a layout must keep, by class (facts: REFERENCES.md §1)."""

from __future__ import annotations

from ..errors import Finding, LayoutError

MIN_BODY = {"standard": 12.0, "large-print": 18.0, "extra-large": 24.0}
MIN_LINE_SPACING = {"standard": 1.15, "large-print": 1.5, "extra-large": 1.5}
MIN_MARGIN = {"standard": 36.0, "large-print": 72.0, "extra-large": 72.0}
MIN_CONTRAST = 7.0  # WCAG 2.x 1.4.6, enhanced contrast (AAA)


def check_layout(layout) -> None:
    problems = list(layout_problems(layout))
    if problems:
        raise LayoutError(findings=problems)


def layout_problems(layout):
    """Yield a finding per broken rule: its layout key, the value, the rule and its source."""

    def broken(key: str, message: str, hint: str) -> Finding:
        return Finding(message, str(layout.path), rule="layout-rule", hint=hint, key=key)

    cls = layout.layout_class
    minimum = MIN_BODY[cls]
    if layout.body_size < minimum:
        yield broken("body_size", f"body_size {layout.body_size:g} pt is below {minimum:g} pt, the minimum for {cls} "
                     "(APH, RNIB)", f"make it {minimum:g} or more")
    for key, size in (("footer_size", layout.footer_size), ("checkbox_size", layout.checkbox_size)):
        if size < minimum:
            yield broken(key, f"{key} {size:g} pt is below {minimum:g} pt: every text size in {cls} must be at "
                         "least that (APH)", f"make it {minimum:g} or more")
    if layout.checkbox_size < layout.body_size:
        yield broken("checkbox_size", f"checkbox_size {layout.checkbox_size:g} pt is smaller than the body text "
                     f"({layout.body_size:g} pt)", f"make it {layout.body_size:g} or more")
    for level, size in enumerate(layout.heading_sizes, start=1):
        if size < layout.body_size:
            yield broken(f"heading_sizes.{level}", f"heading_sizes.{level} {size:g} pt is smaller than body_size "
                         f"{layout.body_size:g} pt", "headings must be larger than body text (ADCET)")
    if not layout.heading_bold:
        yield broken("heading_bold", "heading_bold: false is not allowed", "headings are bold (ADCET)")
    if layout.line_spacing < MIN_LINE_SPACING[cls]:
        yield broken("line_spacing", f"line_spacing {layout.line_spacing:g} is below {MIN_LINE_SPACING[cls]:g} × "
                     f"the type size for {cls} (ADCET, Round Table)", f"make it {MIN_LINE_SPACING[cls]:g} or more")
    for side, margin in zip(("top", "right", "bottom", "left"), layout.margins):
        if margin < MIN_MARGIN[cls]:
            yield broken(f"margins.{side}", f"margins.{side} {margin:g} pt is below {MIN_MARGIN[cls]:g} pt "
                         f"(1 inch = 72 pt) for {cls} (Montana, ADCET)", f"make it {MIN_MARGIN[cls]:g} or more")
    if layout.alignment != "left":
        yield broken("alignment", f"alignment '{layout.alignment}' is not allowed",
                     "large print is left aligned, ragged right (ADCET, Montana)")
    if layout.italic:
        yield broken("italic", "italic: true is not allowed",
                     "large print never uses italic or oblique faces (ADCET, Montana)")
    if layout.columns != 1:
        yield broken("columns", f"columns {layout.columns} is not allowed", "use one column (Montana, ADCET)")
    for key in ("text_colour", "callout_border_colour"):
        ratio = contrast_ratio(getattr(layout, key), layout.background_colour)
        if ratio < MIN_CONTRAST:
            yield broken(key, f"{key} {getattr(layout, key)} on background_colour {layout.background_colour} has "
                         f"contrast {ratio:.1f}:1, below {MIN_CONTRAST:g}:1 (WCAG 2.x 1.4.6)",
                         "use darker text or a lighter background")


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
