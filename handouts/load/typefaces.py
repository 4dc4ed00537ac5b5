"""The typefaces a layout may name, and the bundled fallback for other scripts: files only."""

from __future__ import annotations

from importlib.resources import files

FALLBACK_DIR = files("handouts") / "fonts"


def _atkinson(style: str):
    return files("fontpkg_atkinson_hyperlegible") / "files" / f"AtkinsonHyperlegible-{style}.ttf"


# typeface name -> (face name, regular file, bold file). Italic faces are never offered.
TYPEFACES = {
    "atkinson-hyperlegible": ("AtkinsonHyperlegible", _atkinson("Regular"), _atkinson("Bold")),
}
FALLBACK = ("NotoSansHandouts", FALLBACK_DIR / "NotoSans-Regular.ttf", FALLBACK_DIR / "NotoSans-Bold.ttf")
