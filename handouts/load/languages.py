"""Languages: which edition a roster value asks for, and the few words the program itself prints.

An edition is a translation of a document, in `content/<language>/<name>.md`
(for example `content/es/infusion-day-checklist.md`), where `<language>` is the
primary language subtag (`es`). The English documents in `content/` are the
source every edition is compared with.

A roster's `language` cell picks the edition: a language tag whose primary
subtag has editions (`es`, `es-US`, `es-MX` all pick the `es-US` edition), or
the language's name in English or in the language itself (`Spanish`,
`Español`, `espanol`; case and accents do not matter). Names come from Babel's
CLDR data, so a new language needs no code here; only the program's own words
(`LABELS`) do.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime
from functools import lru_cache

_TAG = re.compile(r"^[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})*$")

# The words the program prints itself (not the content's): the footer's page label, a packet's title, the name of
# a language in a note. Keys are primary subtags; a language without an entry uses English (and lint says so).
LABELS = {
    "en": {
        "page": "Page {number} of {count}",
        "packet_title": "{title} for {name}: {documents}",
        "sample": "SAMPLE \u2014 not for patients",
    },
    "es": {
        "page": "Página {number} de {count}",
        "packet_title": "{title} para {name}: {documents}",
        "sample": "MUESTRA \u2014 no es para pacientes",
    },
}


def primary(tag: str) -> str:
    """The primary language subtag, lower case: 'es' for 'es-US'."""
    return re.split(r"[-_]", tag.strip(), maxsplit=1)[0].lower()


def labels(tag: str) -> dict[str, str]:
    return LABELS.get(primary(tag), LABELS["en"])


def page_label(tag: str) -> str:
    """The footer's page label for a document in `tag`, with {number} and {count}."""
    return labels(tag)["page"]


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


def in_words(moment: datetime, tag: str) -> str:
    """An appointment in words in a language other than English, with Babel (CLDR):
    'martes, 1 de diciembre de 2026, 9:30 a.m.'.

    The narrow no-break space CLDR puts before 'a.m.' becomes a plain space: every bundled font draws it, text
    extraction reads it as a space, and the line breaker keeps '9:30 a.m.' together like '9:30 AM'.
    """
    from babel import UnknownLocaleError
    from babel.dates import format_date, format_time

    try:
        locale = babel_locale(tag)
        day = format_date(moment, "full", locale=locale)
        time = format_time(moment, "short", locale=locale)
    except (ValueError, UnknownLocaleError):
        locale = primary(tag)
        day = format_date(moment, "full", locale=locale)
        time = format_time(moment, "short", locale=locale)
    return f"{day}, {time}".replace("\u202f", " ").replace("\u00a0", " ")
