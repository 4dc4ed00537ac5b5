"""Clean data values before they are drawn: NFC, no control or zero-width characters."""

from __future__ import annotations

import re
import unicodedata

_INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
_SPACES = re.compile(r"[\t\n\r\v\f\u2028\u2029]+")


def clean_value(value: object) -> str:
    """Return the text a value prints as: NFC, one line, nothing invisible."""
    text = unicodedata.normalize("NFC", str(value))
    text = _SPACES.sub(" ", text)
    text = _INVISIBLE.sub("", text)
    return "".join(ch for ch in text if unicodedata.category(ch) not in ("Cc", "Cs", "Co", "Cn"))
