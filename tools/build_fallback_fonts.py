#!/usr/bin/env python3
"""Build the static fallback fonts shipped in ``handouts/fonts/``.

Atkinson Hyperlegible (our main face) has no Greek, no Cyrillic and no
Vietnamese stacked-mark letters (e.g. U+1EC5 LATIN SMALL LETTER E WITH
CIRCUMFLEX AND TILDE).  ReportLab needs a *static* TrueType font for those, but
the ``fontpkg-noto-sans`` package only ships the variable font
``NotoSans[wdth,wght].ttf``.  This script:

1. instantiates the variable font at wght=400/wdth=100 (Regular) and
   wght=700/wdth=100 (Bold) with ``fontTools.varLib.instancer``, which drops
   fvar/gvar/avar/HVAR/MVAR (and we drop STAT);
2. subsets each instance with ``fontTools.subset`` to the Unicode ranges in
   ``UNICODE_RANGES``, dropping the OpenType layout tables (GSUB/GPOS/GDEF:
   ReportLab does no shaping, it draws precomposed code points one glyph each,
   so kerning/ccmp/mark would never be used);
3. renames the family to ``Noto Sans Handouts Fallback`` (so it is never
   mistaken for the full upstream Noto Sans) and fixes the style bits;
4. writes byte-for-byte reproducible files (no timestamps from "now": the
   ``head.created``/``head.modified`` values are copied from the source font),
   and copies the upstream licence next to them.

Usage (from the repository root, with the project venv active)::

    python tools/build_fallback_fonts.py            # (re)build handouts/fonts/
    python tools/build_fallback_fonts.py --check    # exit 1 if files are stale

Output bytes depend on the fontTools version and on the source font, so
regenerate with the versions named in ``handouts/fonts/README.md``.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import sys
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTFont
from fontTools.varLib import instancer

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT_DIR = REPO_ROOT / "handouts" / "fonts"

SOURCE_FILE_NAME = "NotoSans[wdth,wght].ttf"
FAMILY_NAME = "Noto Sans Handouts Fallback"
PS_FAMILY_NAME = "NotoSansHandoutsFallback"

# (output file stem, style name, axis location, bold?)
INSTANCES = (
    ("NotoSans-Regular", "Regular", {"wght": 400, "wdth": 100}, False),
    ("NotoSans-Bold", "Bold", {"wght": 700, "wdth": 100}, True),
)

# Inclusive code point ranges to keep.  Code points Noto Sans has no glyph for
# (e.g. all of Arrows, Misc Symbols, Dingbats) are silently skipped by the
# subsetter.
UNICODE_RANGES = (
    (0x0020, 0x007E, "Basic Latin (printable)"),
    (0x00A0, 0x00FF, "Latin-1 Supplement"),
    (0x0100, 0x017F, "Latin Extended-A"),
    (0x0180, 0x024F, "Latin Extended-B"),
    (0x02B0, 0x02FF, "Spacing Modifier Letters (e.g. ʻ ʼ ˆ ˜)"),
    (0x0300, 0x036F, "Combining Diacritical Marks"),
    (0x0370, 0x03FF, "Greek and Coptic"),
    (0x0400, 0x04FF, "Cyrillic"),
    (0x0500, 0x052F, "Cyrillic Supplement"),
    (0x1E00, 0x1EFF, "Latin Extended Additional (Vietnamese)"),
    (0x2000, 0x206F, "General Punctuation"),
    (0x20A0, 0x20CF, "Currency Symbols"),
    (0x2100, 0x214F, "Letterlike Symbols"),
    (0x2190, 0x21FF, "Arrows"),
    (0x2212, 0x2212, "MINUS SIGN"),
    (0x25A0, 0x25FF, "Geometric Shapes"),
    (0x2600, 0x26FF, "Miscellaneous Symbols (ballot boxes)"),
    (0x2700, 0x27BF, "Dingbats (check marks)"),
    (0xFFFD, 0xFFFD, "REPLACEMENT CHARACTER"),
)

# Layout tables are useless to ReportLab (no shaping) and cost ~40% of size.
DROP_TABLES = ("GSUB", "GPOS", "GDEF", "STAT", "DSIG")


def find_source() -> Path:
    try:
        import fontpkg_noto_sans
    except ImportError as exc:  # pragma: no cover - environment problem
        raise SystemExit(
            "fontpkg-noto-sans is not installed; `pip install fontpkg-noto-sans`"
        ) from exc
    path = Path(fontpkg_noto_sans.ROOT) / "files" / SOURCE_FILE_NAME
    if not path.is_file():
        raise SystemExit(f"variable font not found: {path}")
    return path


def find_licence(source: Path) -> Path:
    path = source.parent.parent / "LICENSE"
    if not path.is_file():
        raise SystemExit(f"licence file not found: {path}")
    return path


def wanted_unicodes() -> list[int]:
    codes: set[int] = set()
    for lo, hi, _label in UNICODE_RANGES:
        codes.update(range(lo, hi + 1))
    return sorted(codes)


def subset_options() -> subset.Options:
    opts = subset.Options()
    opts.layout_features = []          # no OpenType features at all
    opts.drop_tables = list(opts.drop_tables) + list(DROP_TABLES)
    opts.glyph_names = True            # keep post glyph names
    opts.name_IDs = ["*"]              # we rewrite the names ourselves
    opts.name_languages = [0x0409]     # English only (the source has no other)
    opts.name_legacy = False
    opts.notdef_outline = True         # missing glyphs show as a visible box
    opts.notdef_glyph = True
    opts.recalc_bounds = True
    opts.recalc_timestamp = False
    opts.prune_unicode_ranges = True   # fix OS/2 ulUnicodeRange bits
    opts.hinting = True
    opts.desubroutinize = False
    return opts


def set_names(font: TTFont, style: str, source_version: str) -> None:
    name = font["name"]
    full = f"{FAMILY_NAME} {style}"
    ps_name = f"{PS_FAMILY_NAME}-{style}"
    keep_copyright = name.getDebugName(0) or ""
    licence = name.getDebugName(13) or ""
    licence_url = name.getDebugName(14) or ""
    # Start from a clean table: drop every record, then add the ones we want.
    name.names = []
    records = {
        0: keep_copyright,
        1: FAMILY_NAME,
        2: style,
        3: f"{source_version};HANDOUTS;{ps_name}",
        4: full,
        5: f"{source_version}; static subset of Noto Sans for handouts",
        6: ps_name,
        13: licence,
        14: licence_url,
    }
    for name_id, value in records.items():
        if value:
            name.setName(value, name_id, 3, 1, 0x409)


def set_style_bits(font: TTFont, bold: bool) -> None:
    os2 = font["OS/2"]
    head = font["head"]
    os2.usWeightClass = 700 if bold else 400
    os2.usWidthClass = 5
    sel = os2.fsSelection
    sel &= ~((1 << 0) | (1 << 5) | (1 << 6))   # italic, bold, regular
    sel |= (1 << 5) if bold else (1 << 6)
    os2.fsSelection = sel
    mac = head.macStyle & ~0b11                 # bold, italic
    head.macStyle = mac | (0b1 if bold else 0)


def build_one(source: Path, location: dict, style: str, bold: bool) -> bytes:
    varfont = TTFont(str(source), recalcTimestamp=False)
    created, modified = varfont["head"].created, varfont["head"].modified
    source_version = varfont["name"].getDebugName(5).split(";")[0].strip()

    font = instancer.instantiateVariableFont(
        varfont, location, inplace=False, static=True
    )
    for tag in ("fvar", "gvar", "avar", "HVAR", "VVAR", "MVAR", "cvar", "STAT"):
        if tag in font:
            del font[tag]

    subsetter = subset.Subsetter(options=subset_options())
    subsetter.populate(unicodes=wanted_unicodes())
    subsetter.subset(font)

    set_names(font, style, source_version)
    set_style_bits(font, bold)

    # Deterministic output: never stamp "now" into head.
    font.recalcTimestamp = False
    font["head"].created = created
    font["head"].modified = modified

    buf = io.BytesIO()
    font.save(buf, reorderTables=True)
    return buf.getvalue()


def build(out_dir: Path) -> dict[str, bytes]:
    """Return {file name: bytes} for everything that belongs in out_dir."""
    source = find_source()
    outputs: dict[str, bytes] = {}
    for stem, style, location, bold in INSTANCES:
        outputs[f"{stem}.ttf"] = build_one(source, location, style, bold)
    outputs["NotoSans-OFL.txt"] = find_licence(source).read_bytes()
    return outputs


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--out-dir", type=Path, default=DEFAULT_OUT_DIR,
        help=f"output directory (default: {DEFAULT_OUT_DIR})",
    )
    parser.add_argument(
        "--check", action="store_true",
        help="do not write; exit 1 if the files in --out-dir differ",
    )
    args = parser.parse_args(argv)

    outputs = build(args.out_dir)
    stale = []
    for file_name, data in outputs.items():
        target = args.out_dir / file_name
        digest = hashlib.sha256(data).hexdigest()[:16]
        if args.check:
            ok = target.is_file() and target.read_bytes() == data
            if not ok:
                stale.append(file_name)
            print(f"{'ok   ' if ok else 'STALE'} {target} ({len(data):,} bytes, sha256 {digest})")
        else:
            args.out_dir.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
            print(f"wrote {target} ({len(data):,} bytes, sha256 {digest})")
    if stale:
        print("out of date: " + ", ".join(stale)
              + " (run: python tools/build_fallback_fonts.py)", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
