"""Clean values: printable NFC text is its own clean value, and every other text is cleaned in full."""

from __future__ import annotations

import re
import sys
import unicodedata

from handouts.errors import BIDI_CONTROLS
from handouts.load import values


def by_steps(text: str) -> str:
    """The clean value made step by step, as `_clean` makes it of text that is not printable NFC text."""
    text = unicodedata.normalize("NFC", text)
    text = re.sub(r"[\t\n\r\v\f\u2028\u2029]+", " ", text)
    text = re.sub("[\u200b\u200c\u200d\u2060\ufeff\u00ad]", "", text)
    return "".join(ch for ch in text
                   if ch not in BIDI_CONTROLS and unicodedata.category(ch) not in ("Cc", "Cs", "Co", "Cn"))


def test_every_character_alone_and_in_a_name_is_cleaned_as_in_full():
    clean = values._clean.__wrapped__  # the function, not the patient's cache
    special = "\t\n\r\v\f\u0085\u00a0\u1680\u2000\u2007\u200a\u2028\u2029\u202f\u3000\u200b\u200c\u200d\u2060" \
              "\ufeff\u00ad\ud800\ue000\U000f0000\U0010ffff\u0378\u0301\u212b" + "".join(BIDI_CONTROLS)
    # Every character of the first blocks (Latin, Greek, Cyrillic, Hebrew, Arabic...), then one in 31 of the rest.
    for char in sorted({*map(chr, range(0x800)), *map(chr, range(0x800, sys.maxunicode + 1, 31)), *special}):
        for text in (char, f"Ana {char}Pérez", f"e\u0301{char}"):
            assert clean(text) == by_steps(text), hex(ord(char))


def test_names_as_typed():
    for text, cleaned in (("Ana María Pérez", "Ana María Pérez"), ("Ana\u00a0Pérez", "Ana\u00a0Pérez"),
                          ("Ana\tPe\u0301rez", "Ana Pérez"), ("Ana\u202eZ", "AnaZ"), ("Bo\u200bLi", "BoLi")):
        assert values.clean_value(text) == cleaned
