"""Hyphenation points from pyphen's dictionaries, read the fast way.

pyphen parses every pattern of a dictionary when it opens it (some 60 ms for English, 30 for Spanish): most
of `handouts lint`'s time. Here a dictionary is read as a mapping from each pattern's letters to the pattern
as written (the digits taken out of all the lines at once: some 4 ms for English), and a pattern's digits are
read only when a word first meets it; the points are found by the same method as pyphen's (Liang's: the
highest digit at each place between letters, an odd one a point), from the same files.
`tests/text/test_hyphenation.py` checks them against pyphen's own on every word of the shipped content and
thousands of others, in both languages.

A dictionary holding what this reader does not handle (pyphen's nonstandard points, `/`, or `^^hh`
characters) is left to pyphen itself.

The dictionary's file is found as pyphen finds it (`dictionary_path`: the same names, the same fallback from
`es_MX` to `es`) without importing pyphen, whose import lists its dictionaries through `importlib.resources`
(some 13 ms, a twentieth of a fresh `handouts lint`); `tests/text/test_hyphenation.py` checks that both find the
same file for every language pyphen has and for tags it has not.
"""

from __future__ import annotations

import os
import re
from functools import lru_cache
from importlib.util import find_spec
from pathlib import Path

_DIGIT_BYTES = b"0123456789"
_NONZERO = re.compile("[1-9]")
# pyphen's own margins: no point within two letters of either end.
LEFT = RIGHT = 2


class Patterns:
    """One dictionary's patterns, their digits read when first used."""

    def __init__(self, text: str = ""):
        lines = []
        for line in text.split("\n")[1:]:  # the first line names the encoding
            line = line.strip()
            # Comments, and keywords such as LEFTHYPHENMIN (patterns are lower case), and patterns of zeros only.
            if line and line[0] not in "%#" and not line[0].isupper() and _NONZERO.search(line):
                lines.append(line)
        # Each pattern's letters: its digits taken out of all the lines at once, as bytes (the digits are ASCII),
        # some ten times faster than str.translate line by line. A later line with the same letters wins, as before.
        letters = "\n".join(lines).encode("utf-8", "surrogatepass").translate(None, _DIGIT_BYTES)
        raw = dict(zip(letters.decode("utf-8", "surrogatepass").split("\n"), lines))
        self._raw = raw
        self._maxlen = max(map(len, raw), default=0)
        self._digits: dict[str, tuple[int, ...]] = {}

    @classmethod
    def prepared(cls, raw: dict[str, str]) -> Patterns:
        """Patterns from `raw` as `prepare` gave it, from the same file (read back faster than the file is parsed:
        some 3 ms for English against 8)."""
        made = cls()
        made._raw, made._maxlen = raw, max(map(len, raw), default=0)
        return made

    def prepare(self) -> dict[str, str]:
        """Each pattern's letters and the pattern as written: what `prepared` makes the same patterns from."""
        return self._raw

    def _values(self, letters: str) -> tuple[int, ...]:
        """The digit before each letter of a pattern, and after the last."""
        values = self._digits.get(letters)
        if values is None:
            out, digit = [], 0
            for ch in self._raw[letters]:
                if ch.isdigit():
                    digit = int(ch)
                else:
                    out.append(digit)
                    digit = 0
            out.append(digit)
            values = self._digits[letters] = tuple(out)
        return values

    def positions(self, word: str) -> list[int]:
        """Where `word` may be hyphenated: the number of letters before each point, as pyphen's `positions`."""
        pointed = f".{word.lower()}."
        size = len(pointed)
        levels = [0] * (size + 1)
        for i in range(size - 1):
            for j in range(i + 1, min(i + self._maxlen, size) + 1):
                if pointed[i:j] in self._raw:
                    for k, value in enumerate(self._values(pointed[i:j]), start=i):
                        if value > levels[k]:
                            levels[k] = value
        last = len(word) - RIGHT
        return [i - 1 for i, level in enumerate(levels) if level % 2 and LEFT <= i - 1 <= last]


_given: dict[str, Patterns] = {}


def give(language: str, patterns: Patterns) -> None:
    """Use `patterns` for `language` from now on in this process: the same dictionary, prepared by an earlier run
    (`handouts lint` keeps it by a digest of handouts' files and the installed distributions, pyphen's among them)."""
    _given[language] = patterns


def hyphenator(language: str):
    """The hyphenation points of `language` (a pyphen language, e.g. "en_US", "es"), loaded once a process."""
    given = _given.get(language)
    return given if given is not None else _loaded(language)


def loaded() -> dict[str, Patterns]:
    """The dictionaries this process read from their files and parsed itself (not given, not pyphen's)."""
    return {language: found for language, found in _read.items() if isinstance(found, Patterns)}


_read: dict = {}


def _loaded(language: str):
    if language not in _read:
        _read[language] = _load(language)
    return _read[language]


def _load(language: str):
    path = dictionary_path(language)
    text = path.read_bytes() if path else b""
    encoding = text.split(b"\n", 1)[0].decode("ascii", "replace").strip()
    if not path or encoding.lower() != "utf-8" or (b"/" in text and b"/" in _pattern_lines(text)) or b"^^" in text:
        import pyphen

        return pyphen.Pyphen(lang=language)
    return Patterns(text.decode("utf-8"))


def dictionary_path(language: str) -> Path | None:
    """The file pyphen reads for `language` (`pyphen.LANGUAGES[pyphen.language_fallback(language)]`), or None
    when pyphen has none or its folder cannot be listed (then pyphen itself says so)."""
    languages = _dictionaries()
    parts = language.replace("-", "_").lower().split("_")
    while parts:
        found = languages.get("_".join(parts))
        if found:
            return found
        parts.pop()
    return None


@lru_cache(maxsize=1)
def _dictionaries() -> dict[str, Path]:
    """pyphen's `LANGUAGES`, by lower-case name, read as pyphen reads it: each `hyph_<name>.dic` by its name, and by
    its language alone (the first in name order) where no dictionary has that name."""
    spec = find_spec("pyphen")
    if spec is None or not spec.submodule_search_locations:
        return {}
    folder = Path(list(spec.submodule_search_locations)[0]) / "dictionaries"
    try:
        names = sorted(os.listdir(folder))
    except OSError:
        return {}
    languages: dict[str, Path] = {}
    for file_name in names:
        if file_name.endswith(".dic"):
            name = file_name[5:-4]
            languages[name] = folder / file_name
            languages.setdefault(name.split("_")[0], folder / file_name)
    return {name.lower(): path for name, path in languages.items()}


def _pattern_lines(text: bytes) -> bytes:
    """A dictionary without its comment lines (which may hold a '/', as in a web address)."""
    return b"\n".join(line for line in text.split(b"\n") if not line.lstrip().startswith((b"%", b"#")))
