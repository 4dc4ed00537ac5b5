"""Languages: which edition a roster value asks for, language names, and appointments in words.

An edition is a translation of a document, in `content/<language>/<name>.md`
(for example `content/es/infusion-day-checklist.md`), where `<language>` is the
primary language subtag (`es`). The English documents in `content/` are the
source every edition is compared with.

A roster's `language` cell picks the edition: a language tag whose primary
subtag has editions (`es`, `es-US`, `es-MX` all pick the `es-US` edition), or
the language's name in English or in the language itself (`Spanish`,
`Español`, `espanol`; case and accents do not matter). Names come from Babel's
CLDR data, so a new language needs no code here; the program's own words are in
its locale file (`load.locale`, `handouts/locales/<language>.yaml`).
"""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime, timezone
from functools import lru_cache

_TAG = re.compile(r"^[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})*$")


def primary(tag: str) -> str:
    """The primary language subtag, lower case: 'es' for 'es-US'."""
    return tag.strip().partition("-")[0].partition("_")[0].lower()  # what comes before the first '-' or '_'


def _folded(text: str) -> str:
    """Lower case without accents: 'Español' and 'espanol' are one name."""
    decomposed = unicodedata.normalize("NFKD", text.strip().lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


@lru_cache(maxsize=64)
def _names(tag: str) -> frozenset[str]:
    """What people write for the language of `tag`: its English name and its own name (from Babel)."""
    from babel import Locale, UnknownLocaleError

    code = primary(tag)
    try:
        locale = Locale.parse(code)
    except (ValueError, UnknownLocaleError):
        return frozenset()
    return frozenset(_folded(name) for name in (locale.get_display_name("en"), locale.get_display_name(code),
                                                locale.get_language_name("en"), locale.get_language_name(code))
                     if name)


def resolve(value: str, available: tuple[str, ...] | list[str]) -> str | None:
    """The tag in `available` that a roster cell asks for, or None when no edition is in that language.

    `value` may be a language tag (its primary subtag decides) or a language's name in English or in the
    language itself. The first tag in `available` with that primary subtag wins.
    """
    text = value.strip()
    if not text:
        return None
    wanted = primary(text) if _TAG.match(text) else None
    folded = _folded(text)
    for tag in available:
        if primary(tag) == wanted or folded in _names(tag):
            return tag
    return None


def language_name(tag: str, in_language: str = "en") -> str:
    """'Spanish' for 'es-US' (the language's name in `in_language`), or the tag itself."""
    from babel import Locale, UnknownLocaleError

    try:
        return Locale.parse(primary(tag)).get_display_name(primary(in_language)) or tag
    except (ValueError, UnknownLocaleError):
        return tag


def babel_locale(tag: str) -> str:
    """Babel's name for a tag: 'es_US' for 'es-US'."""
    return tag.strip().replace("-", "_")


def in_words(moment: datetime, tag: str, in_sentence: bool = False) -> str:
    """An appointment in words, with Babel (CLDR) and the locale file's patterns: on a line of its own
    ('Thursday, December 3, 2026 at 9:30 AM', 'martes 3 de diciembre de 2026, a las 9:30 a. m.'), or
    `in_sentence` ('... el martes 3 de diciembre de 2026 a las 9:30 a. m.').

    The narrow no-break space CLDR puts before 'AM' or 'a.m.' becomes a plain space: every bundled font draws it,
    text extraction reads it as a space, and the line breaker keeps '9:30 a.m.' together like '9:30 AM'.
    """
    from babel import UnknownLocaleError

    from .locale import Locale

    words = Locale.for_tag(tag)
    time_pattern = words.time_pattern(moment.hour)
    formats = _formats(tag, words.code, words.date_format, time_pattern)
    try:
        if formats is None:
            raise ValueError("no locale of the tag's formats Babel knows")
        locale, date_pattern, time_format = formats
        day = date_pattern.apply(moment.date(), locale)
        # What babel.dates.format_time gives a datetime without a time zone asked for: the time in its own zone,
        # UTC for a naive one (only a pattern's zone fields show it), with the date as reference.
        time = time_format.apply((moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)).timetz(),
                                 locale, reference_date=moment.date())
    except (ValueError, UnknownLocaleError):
        day, time = _babel_words(moment, tag, words, time_pattern)
    pattern = (words.appointment_in_sentence or words.appointment) if in_sentence else words.appointment
    text = pattern.format(date=day, time=time)
    return text.replace("\u202f", " ").replace("\u00a0", " ")


def _babel_words(moment: datetime, tag: str, words, time_pattern: str) -> tuple[str, str]:
    """The date and the time in words by Babel's own functions, trying the tag as it is ('es_MX': its region's
    clock), its language, else the language of the words used; else American English."""
    from babel import UnknownLocaleError
    from babel.dates import format_date, format_time

    for name in dict.fromkeys((babel_locale(tag), primary(tag), words.code)):
        try:
            return (format_date(moment, words.date_format, locale=name),
                    format_time(moment, time_pattern, locale=name))
        except (ValueError, UnknownLocaleError):
            continue
    return format_date(moment, "full", locale="en_US"), format_time(moment, "short", locale="en_US")


_LENGTHS = ("full", "long", "medium", "short")


# Keyed by the language tag and its locale file's patterns: patient-free (no date or time, only how one is written).
@lru_cache(maxsize=32)
def _formats(tag: str, code: str, date_format: str, time_pattern: str):
    """(Babel's locale, the date pattern, the time pattern) that `_babel_words` would use first for this tag and
    these patterns, parsed once; None when none of its locales parses (then `_babel_words` says what to do)."""
    from babel import Locale as BabelLocale, UnknownLocaleError
    from babel.dates import get_date_format, get_time_format, parse_pattern

    for name in dict.fromkeys((babel_locale(tag), primary(tag), code)):
        try:
            locale = BabelLocale.parse(name)
            return (locale,
                    parse_pattern(get_date_format(date_format, locale) if date_format in _LENGTHS else date_format),
                    parse_pattern(get_time_format(time_pattern, locale) if time_pattern in _LENGTHS
                                  else time_pattern))
        except (ValueError, UnknownLocaleError):
            continue
    return None
