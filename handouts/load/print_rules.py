"""Large-print rules a layout must keep, by class (facts: REFERENCES.md §1).

Checked when a layout is loaded (`layouts.load_layout`) and by `handouts lint`; `handouts check` reads the
minimum sizes and margins back from any PDF. What large print never does (justified text, italics, more than
one column, headings that are not bold) is not a layout key at all: the renderer only sets left-aligned,
upright, one-column text with bold headings.
"""

from __future__ import annotations

from ..errors import Finding, LayoutError

CLASSES = ("standard", "large-print", "extra-large")  # the print classes a layout may be of, as the rules below
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
    yield from _size_problems(layout)
    yield from _spacing_problems(layout)
    yield from _contrast_problems(layout)


def _broken(layout, key: str, message: str, hint: str) -> Finding:
    return Finding(message, str(layout.path), rule="layout-rule", hint=hint, key=key)


def _size_problems(layout):
    """Body text at least the class's minimum, every other size at least that, headings larger than body text."""
    cls = layout.layout_class
    minimum = MIN_BODY[cls]
    if layout.body_size < minimum:
        yield _broken(layout, "body_size", f"body_size {layout.body_size:g} pt is below {minimum:g} pt, the minimum "
                      f"for {cls} (APH, RNIB)", f"make it {minimum:g} or more")
    for key, size in (("footer_size", layout.footer_size), ("checkbox_size", layout.checkbox_size)):
        if size < minimum:
            yield _broken(layout, key, f"{key} {size:g} pt is below {minimum:g} pt: every text size in {cls} must "
                          "be at least that (APH)", f"make it {minimum:g} or more")
    if layout.checkbox_size < layout.body_size:
        yield _broken(layout, "checkbox_size", f"checkbox_size {layout.checkbox_size:g} pt is smaller than the body "
                      f"text ({layout.body_size:g} pt)", f"make it {layout.body_size:g} or more")
    for level, size in enumerate(layout.heading_sizes, start=1):
        if size < layout.body_size:
            yield _broken(layout, f"heading_sizes.{level}", f"heading_sizes.{level} {size:g} pt is smaller than "
                          f"body_size {layout.body_size:g} pt", "headings must be larger than body text (ADCET)")


def _spacing_problems(layout):
    """Line spacing and margins at least the class's minimums."""
    cls = layout.layout_class
    if layout.line_spacing < MIN_LINE_SPACING[cls]:
        yield _broken(layout, "line_spacing", f"line_spacing {layout.line_spacing:g} is below "
                      f"{MIN_LINE_SPACING[cls]:g} × the type size for {cls} (ADCET, Round Table)",
                      f"make it {MIN_LINE_SPACING[cls]:g} or more")
    for side, margin in zip(("top", "right", "bottom", "left"), layout.margins):
        if margin < MIN_MARGIN[cls]:
            yield _broken(layout, f"margins.{side}", f"margins.{side} {margin:g} pt is below {MIN_MARGIN[cls]:g} pt "
                          f"(1 inch = 72 pt) for {cls} (Montana, ADCET)", f"make it {MIN_MARGIN[cls]:g} or more")


def _contrast_problems(layout):
    """Text and box borders against the background: at least the enhanced contrast ratio."""
    for key in ("text_colour", "callout_border_colour"):
        ratio = contrast_ratio(getattr(layout, key), layout.background_colour)
        if ratio < MIN_CONTRAST:
            yield _broken(layout, key, f"{key} {getattr(layout, key)} on background_colour {layout.background_colour} "
                          f"has contrast {ratio:.1f}:1, below {MIN_CONTRAST:g}:1 (WCAG 2.x 1.4.6)",
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
