"""Clean data values before they are drawn: NFC, no control, bidi or zero-width characters."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from ..caches import per_patient
from ..errors import BIDI_CONTROLS

_INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
_SPACES = re.compile(r"[\t\n\r\v\f\u2028\u2029]+")


def clean_value(value: object) -> str:
    """Return the text a value prints as: NFC, one line, nothing invisible."""
    return _clean(str(value))


@per_patient  # keyed by text that can be a patient's: emptied after each patient
@lru_cache(maxsize=4096)  # every packet fills the same clinic sentences
def _clean(text: str) -> str:
    # Printable text (no control, format, surrogate, private-use, unassigned or line and paragraph separator
    # characters, no whitespace but ' ': so nothing below removes or replaces), already NFC, is its own clean value.
    if text.isprintable() and unicodedata.is_normalized("NFC", text):
        return text
    text = unicodedata.normalize("NFC", text)
    text = _SPACES.sub(" ", text)
    text = _INVISIBLE.sub("", text)
    # Bidi overrides would reorder the letters a reader sees; a name prints in the order typed.
    return "".join(ch for ch in text
                   if ch not in BIDI_CONTROLS and unicodedata.category(ch) not in ("Cc", "Cs", "Co", "Cn"))
