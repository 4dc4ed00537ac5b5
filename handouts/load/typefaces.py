"""The typefaces a layout may name, and the bundled fallback for other scripts: files only."""

from __future__ import annotations

from pathlib import Path

import fontpkg_atkinson_hyperlegible

# The packages' own folders, as importlib.resources.files() gives them for an installed package (without importing
# importlib.resources, its zip and temporary-file support: some 5 ms of every command's start).
FALLBACK_DIR = Path(__file__).parent.parent / "fonts"
_ATKINSON_DIR = Path(fontpkg_atkinson_hyperlegible.__file__).parent / "files"


def _atkinson(style: str) -> Path:
    return _ATKINSON_DIR / f"AtkinsonHyperlegible-{style}.ttf"


# typeface name -> (face name, regular file, bold file). Italic faces are never offered.
TYPEFACES = {
    "atkinson-hyperlegible": ("AtkinsonHyperlegible", _atkinson("Regular"), _atkinson("Bold")),
}
FALLBACK = ("NotoSansHandouts", FALLBACK_DIR / "NotoSans-Regular.ttf", FALLBACK_DIR / "NotoSans-Bold.ttf")

# What a patient may type in a form, whatever the document's own text: printable ASCII, Latin-1 Supplement, all of
# Latin Extended-A, the common punctuation (dashes, typographic quotes, ellipsis, bullet, euro) and a check mark
# (the caption a viewer that makes its own appearances draws in a ticked box).
FORM_CHARACTERS = "".join(map(chr, [*range(0x20, 0x7F), *range(0xA0, 0x180)])) + "–—‘’‚“”„…•€✓"
TICK_MARK = "✓"
# typeface name -> the form font made for it (tools/build_form_font.py): the typeface's own glyphs for
# FORM_CHARACTERS, and the fallback's for the letters it lacks.
FORM_FACES = {
    "atkinson-hyperlegible": ("HandoutsForm", FALLBACK_DIR / "HandoutsForm-Regular.ttf"),
}
