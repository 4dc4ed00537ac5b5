#!/usr/bin/env python3
"""Build the form font shipped in ``handouts/fonts/``: what a patient types into a fillable field.

A viewer that fills a form draws the typed text in the font the field names (``/DA``, from the form's
``/DR``); a character that font lacks makes pdf.js save the form without appearances, which PDF/A
forbids. So the form font must hold everything a patient may type (``FORM_CHARACTERS`` in
``handouts/load/typefaces.py``), in one font resource. Atkinson Hyperlegible, the body face, lacks 44
letters of Latin Extended-A (ĉ ŋ ŵ …). This script:

1. subsets Atkinson Hyperlegible Regular to the form characters it has (TrueType hinting, OpenType
   layout tables and kerning dropped: a viewer draws typed text glyph by glyph);
2. adds the glyphs of the bundled fallback (Noto Sans, ``NotoSans-Regular.ttf`` here) for the letters
   it lacks, scaled by the ratio of the two cap heights (668/714) so that they stand as tall as the
   body face's letters; composite glyphs keep their parts, renamed;
3. adds a check mark (U+2713, which neither face has), drawn as the printed tick is (``TICK`` in
   ``handouts/render/forms.py``): the caption (``/MK /CA``) a viewer that rebuilds a check box's
   appearance draws in it, in an embedded font rather than an unembedded ZapfDingbats;
4. names the result **Handouts Form** (PostScript ``HandoutsForm-Regular``), and writes
   byte-for-byte reproducible files (``head`` dates copied from the body face).

Usage (from the repository root, with ``pip install -e '.[fonts]'``)::

    python tools/build_form_font.py            # (re)build handouts/fonts/HandoutsForm-Regular.ttf
    python tools/build_form_font.py --check    # exit 1 if the file is stale

Output bytes depend on the fontTools version; regenerate with the version named in
``handouts/fonts/README.md``.
"""

from __future__ import annotations

import argparse
import copy
import hashlib
import io
import sys
from pathlib import Path

from fontTools import subset
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.ttLib import TTFont

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

from handouts.load.typefaces import FALLBACK, FORM_CHARACTERS, FORM_FACES, TICK_MARK, TYPEFACES  # noqa: E402
from handouts.render.forms import TICK  # noqa: E402

TYPEFACE = "atkinson-hyperlegible"
FAMILY_NAME = "Handouts Form"
PS_NAME = "HandoutsForm-Regular"
DROP_TABLES = ("GSUB", "GPOS", "GDEF", "STAT", "DSIG", "kern")
SUFFIX = ".fallback"  # the fallback's glyph names, told apart from the body face's
# The check mark: the printed tick's three points in a square of this side (font units), its stroke this wide.
TICK_SIDE, TICK_STROKE, TICK_LEFT = 700, 90, 60


def subset_options() -> subset.Options:
    opts = subset.Options()
    opts.layout_features = []
    opts.drop_tables = list(opts.drop_tables) + list(DROP_TABLES)
    opts.glyph_names = True
    opts.name_IDs = ["*"]
    opts.name_languages = [0x0409]
    opts.name_legacy = False
    opts.notdef_outline = True
    opts.notdef_glyph = True
    opts.recalc_bounds = True
    opts.recalc_timestamp = False
    opts.prune_unicode_ranges = True
    opts.hinting = False  # the fallback's hints would not fit its scaled glyphs; the body face's go too, alike
    return opts


def subset_font(path: Path, codes: list[int]) -> TTFont:
    font = TTFont(str(path), recalcTimestamp=False)
    subsetter = subset.Subsetter(options=subset_options())
    subsetter.populate(unicodes=codes)
    subsetter.subset(font)
    return font


def add_fallback_glyphs(font: TTFont, fallback: TTFont, codes: list[int]) -> None:
    """The fallback's glyphs for `codes` (and the parts they are made of) into `font`, scaled to its cap height."""
    scale = font["OS/2"].sCapHeight / fallback["OS/2"].sCapHeight
    glyf, hmtx, cmap = font["glyf"], font["hmtx"], font.getBestCmap()
    source_glyf, source_hmtx, source_cmap = fallback["glyf"], fallback["hmtx"], fallback.getBestCmap()
    order = list(font.getGlyphOrder())
    for name in fallback.getGlyphOrder():
        if name == ".notdef":
            continue
        glyph = copy.deepcopy(source_glyf[name])
        if glyph.isComposite():
            for component in glyph.components:
                component.glyphName += SUFFIX
                component.x, component.y = round(component.x * scale), round(component.y * scale)
        elif glyph.numberOfContours > 0:
            coordinates = glyph.coordinates
            for i, (x, y) in enumerate(coordinates):
                coordinates[i] = (round(x * scale), round(y * scale))
        new = name + SUFFIX
        glyf.glyphs[new] = glyph
        order.append(new)
        width, lsb = source_hmtx[name]
        hmtx[new] = (round(width * scale), round(lsb * scale))
    font.setGlyphOrder(order)
    glyf.glyphOrder = order
    for code in codes:
        cmap[code] = source_cmap[code] + SUFFIX
    _set_cmap(font, cmap)


def tick_glyph():
    """The check mark: each stroke of the printed tick as a rectangle (square ends, so that the two meet)."""
    points = [(TICK_LEFT + x * TICK_SIDE, y * TICK_SIDE) for x, y in TICK]
    pen = TTGlyphPen(None)
    half = TICK_STROKE / 2
    for (x0, y0), (x1, y1) in zip(points, points[1:]):
        length = ((x1 - x0) ** 2 + (y1 - y0) ** 2) ** 0.5
        dx, dy = (x1 - x0) / length * half, (y1 - y0) / length * half  # along the stroke
        nx, ny = -dy, dx  # across it
        corners = [(x0 - dx + nx, y0 - dy + ny), (x1 + dx + nx, y1 + dy + ny),
                   (x1 + dx - nx, y1 + dy - ny), (x0 - dx - nx, y0 - dy - ny)]
        corners = [(round(x), round(y)) for x, y in corners]
        if _area(corners) > 0:  # TrueType outer contours run clockwise
            corners.reverse()
        pen.moveTo(corners[0])
        for corner in corners[1:]:
            pen.lineTo(corner)
        pen.closePath()
    return pen.glyph()


def _area(points) -> float:
    return sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(points, points[1:] + points[:1])) / 2


def add_tick(font: TTFont) -> None:
    name = "uni2713"
    glyph = tick_glyph()
    glyf = font["glyf"]
    glyf.glyphs[name] = glyph
    order = [*font.getGlyphOrder(), name]
    font.setGlyphOrder(order)
    glyf.glyphOrder = order
    glyph.recalcBounds(glyf)
    font["hmtx"][name] = (TICK_SIDE + 2 * TICK_LEFT, glyph.xMin)
    cmap = font.getBestCmap()
    cmap[ord(TICK_MARK)] = name
    _set_cmap(font, cmap)


def _set_cmap(font: TTFont, mapping: dict[int, str]) -> None:
    for table in font["cmap"].tables:
        if table.isUnicode():
            table.cmap = {code: name for code, name in mapping.items() if code <= 0xFFFF or table.format == 12}


def set_names(font: TTFont, source_version: str) -> None:
    name = font["name"]
    atkinson = name.getDebugName(0) or ""
    records = {
        0: f"{atkinson} Check mark and Latin Extended-A letters from Noto Sans: "
           "Copyright 2022 The Noto Project Authors.",
        1: FAMILY_NAME, 2: "Regular", 3: f"{source_version};HANDOUTS;{PS_NAME}", 4: f"{FAMILY_NAME} Regular",
        5: f"{source_version}; Atkinson Hyperlegible with Noto Sans letters, for typing into forms",
        6: PS_NAME, 13: name.getDebugName(13) or "", 14: name.getDebugName(14) or "",
    }
    name.names = []
    for name_id, value in records.items():
        if value:
            name.setName(value, name_id, 3, 1, 0x409)


def build_font() -> bytes:
    _, regular, _ = TYPEFACES[TYPEFACE]
    body = TTFont(str(regular), recalcTimestamp=False)
    created, modified = body["head"].created, body["head"].modified
    version = body["name"].getDebugName(5).split(";")[0].strip()
    has = body.getBestCmap()
    wanted = [ord(c) for c in FORM_CHARACTERS if c != TICK_MARK]
    own = [code for code in wanted if code in has]
    lacking = [code for code in wanted if code not in has]
    font = subset_font(Path(str(regular)), own)
    fallback = subset_font(Path(str(FALLBACK[1])), lacking)
    missing = [chr(code) for code in lacking if code not in fallback.getBestCmap()]
    if missing:
        raise SystemExit(f"neither face has {''.join(missing)}")
    add_fallback_glyphs(font, fallback, lacking)
    add_tick(font)
    set_names(font, version)
    font["maxp"].recalc(font)
    font.recalcTimestamp = False
    font["head"].created, font["head"].modified = created, modified
    buf = io.BytesIO()
    font.save(buf, reorderTables=True)
    return buf.getvalue()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="do not write; exit 1 if the file differs")
    args = parser.parse_args(argv)
    target = Path(str(FORM_FACES[TYPEFACE][1]))
    data = build_font()
    digest = hashlib.sha256(data).hexdigest()[:16]
    if args.check:
        ok = target.is_file() and target.read_bytes() == data
        print(f"{'ok   ' if ok else 'STALE'} {target} ({len(data):,} bytes, sha256 {digest})")
        if not ok:
            print("out of date (run: python tools/build_form_font.py)", file=sys.stderr)
        return 0 if ok else 1
    target.write_bytes(data)
    print(f"wrote {target} ({len(data):,} bytes, sha256 {digest})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
