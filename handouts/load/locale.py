"""The words the program prints itself, one file per language: `handouts/locales/<subtag>.yaml`.

Content and the clinic profile hold the clinic's words; a locale file holds the
program's own, for documents in one language: the footer's page label (and so
the pattern `check` strips footers with), a packet's title, the sample mark,
what a screen reader says for a drawn checkbox or a line to write on, how an
appointment reads (on a line of its own and in a sentence: the date and time
patterns, the words for AM and PM), how a range of numbers reads ("40 to 60",
"de 40 a 60": never "40-60", which a screen reader may say as "40 minus 60"),
the spaces a line never breaks at (times, dates, phone numbers), and which reading-level formula measures the language.

`Locale.for_tag("es-MX")` reads `es-mx.yaml` if there is one, else `es.yaml`
(the primary subtag), else `en.yaml`. Folders named in `HANDOUTS_LOCALES`
(separated like PATH) are searched before the shipped one, so a language can
be added, or a shipped one reworded, by one file and no change to the code.
"""

from __future__ import annotations

import os
import re
import string
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ..errors import LocaleError
from .yamlfile import load_mapping

SHIPPED = Path(__file__).resolve().parent.parent / "locales"
ENVIRONMENT = "HANDOUTS_LOCALES"
# The footer's page label, short, when the label in the document's language leaves no room for the sample mark.
SHORT_PAGE_LABEL = "{number}/{count}"
FALLBACK = "en"  # the language whose words a document gets when its own language has no file

# Every key a locale file has, with the placeholders its text must use (None: not text, checked on its own).
SCHEMA: dict[str, dict[str, frozenset[str] | None]] = {
    "labels": {"page": frozenset({"number", "count"}), "packet_title": frozenset({"title", "name", "documents"}),
               "sample": frozenset(), "attachment": frozenset()},
    "spoken": {"checkbox": frozenset(), "checkbox_ticked": frozenset(), "write_in": frozenset(),
               "write_in_named": frozenset({"name"}), "write_in_line": frozenset({"name", "number"})},
    "readability": {"formula": None, "min_ease": None, "min_ease_name": None},
}
TOP = {"appointment": frozenset({"date", "time"}), "appointment_in_sentence": frozenset({"date", "time"}),
       "date_format": None, "time_format": None, "day_periods": None, "keep_together": None,
       "number_range": frozenset({"low", "high"})}
DAY_PERIODS = ("am", "pm")  # the keys of 'day_periods:'
_DAY_PERIOD = re.compile(r"'[^']*'|a+")  # a CLDR pattern's quoted text, or its day-period field ('a')
OPTIONAL = {("readability", "min_ease"), ("readability", "min_ease_name"), ("spoken", "write_in_line")}
WRITE_IN_LINE = "{name}, line {number}"  # 'spoken.write_in_line' when a locale file does not give it
NUMBER_RANGE = "{low}–{high}"  # 'number_range' when a locale file does not give it: an en dash, not a minus
# The reading-level formulas a locale file may name, each measured by a function in text/readability.py
# (`FORMULAS` there), and which way its scale runs: "grade" (lower is easier; the target is --max-grade) or
# "ease" (higher is easier; the target is the file's min_ease). Here, so that loading checks a file without
# reaching into a later stage.
FORMULA_SCALES = {"flesch-kincaid": "grade", "fernandez-huerta": "ease"}


@dataclass(frozen=True, eq=False)
class Locale:
    """One language's words, as read from its file (`source`)."""

    code: str  # the file's name: 'es', or 'es-mx' for a regional file
    source: str
    labels: dict[str, str]  # page, packet_title, sample
    spoken: dict[str, str]  # checkbox, checkbox_ticked, write_in, write_in_named, write_in_line (optional)
    appointment: str  # "{date} at {time}": on a line of its own ("When: ...")
    keep_together: re.Pattern  # spaces inside a match never end a line
    formula: str  # a name in FORMULA_SCALES (and text.readability.FORMULAS)
    min_ease: float | None = None  # an ease formula's target (higher is easier)
    min_ease_name: str = ""  # what the scale calls that target ('bastante fácil')
    appointment_in_sentence: str = ""  # in a sentence ("Su primera cita es el ..."); empty: as `appointment`
    date_format: str = "full"  # a CLDR date pattern (Babel), or one of its lengths: full, long, medium, short
    time_format: str = "short"  # the same for the time
    day_periods: tuple[str, str] | None = None  # how AM and PM read in `time_format`'s 'a', when not CLDR's
    number_range: str = NUMBER_RANGE  # a range of numbers in words: "{low} to {high}"

    def in_range(self, low: int | str, high: int | str) -> str:
        """A range of numbers as the language says it ("40 to 60", "de 40 a 60")."""
        return self.number_range.format(low=low, high=high)

    def time_pattern(self, hour: int) -> str:
        """`time_format` with the file's word for the hour's half of the day in place of its 'a' field."""
        if self.day_periods is None:
            return self.time_format
        period = self.day_periods[hour >= 12].replace("'", "''")
        return _DAY_PERIOD.sub(lambda m: m[0] if m[0].startswith("'") else f"'{period}'", self.time_format)

    @classmethod
    def for_tag(cls, tag: str | None, folders: tuple[Path, ...] | None = None) -> Locale:
        """The words for a document in `tag` ('es-US'): its own file, its primary subtag's, else English's.
        Anything that is not a language tag (a PDF's /Lang may hold anything) gets English's."""
        return _for_tag(_normal(tag), folders or search_path())

    @property
    def page_number(self) -> re.Pattern:
        """A line that is only the footer's page label ("Página 3 de 6"), as text extraction reads it."""
        return _label_pattern(self.labels["page"])

    @property
    def checkbox(self) -> tuple[str, str]:
        """What a screen reader says for a printed checkbox: (not ticked, ticked)."""
        return self.spoken["checkbox"], self.spoken["checkbox_ticked"]

    @property
    def write_in(self) -> tuple[str, str]:
        """What a screen reader says for a line to write on: (with no words before it, named '{name}')."""
        return self.spoken["write_in"], self.spoken["write_in_named"]

    @property
    def write_in_line(self) -> str:
        """The name of a further line to write on under a named one: "{name}, line {number}"."""
        return self.spoken.get("write_in_line", WRITE_IN_LINE)


def search_path() -> tuple[Path, ...]:
    """The folders searched for locale files, in order: those in HANDOUTS_LOCALES, then the shipped one."""
    extra = [Path(p) for p in os.environ.get(ENVIRONMENT, "").split(os.pathsep) if p.strip()]
    return (*extra, SHIPPED)


def has_locale(tag: str, folders: tuple[Path, ...] | None = None) -> bool:
    """Whether documents in `tag` get their own words (a file for the tag or its primary subtag)."""
    return _find(_normal(tag), folders or search_path()) is not None


def locale_path(tag: str, folders: tuple[Path, ...] | None = None) -> Path:
    """Where a file for `tag`'s primary subtag goes (the first folder searched): for a message."""
    return (folders or search_path())[0] / f"{_normal(tag).split('-')[0]}.yaml"


_TAG = re.compile(r"[a-z]{2,3}(?:-[a-z0-9]{1,8})*")


def _normal(tag: str | None) -> str:
    """'es-us' for 'es_US'; English for anything that is not a language tag (never a path)."""
    text = (tag or "").strip().replace("_", "-").lower()
    return text if _TAG.fullmatch(text) else FALLBACK


def _find(tag: str, folders: tuple[Path, ...]) -> Path | None:
    for name in dict.fromkeys((tag, tag.split("-")[0])):
        for folder in folders:
            if (folder / f"{name}.yaml").is_file():
                return folder / f"{name}.yaml"
    return None


@lru_cache(maxsize=64)
def _for_tag(tag: str, folders: tuple[Path, ...]) -> Locale:
    path = _find(tag, folders) or _find(FALLBACK, folders)
    if path is None:
        raise LocaleError(f"no file of the program's words for '{tag}' or English", source=str(folders[-1]),
                          rule="locale-missing", hint=f"reinstall handouts: it ships {FALLBACK}.yaml there")
    return _read(path)


@lru_cache(maxsize=64)
def _read(path: Path) -> Locale:
    data = load_mapping(path, LocaleError, "locale file")

    def bad(message: str, key: str, hint: str, *where: str) -> LocaleError:
        line = data.paths.get(tuple(where)) or data.lines.get(key.split(".")[0])
        return LocaleError(message, source=str(path), line=line, rule="locale-value", hint=hint, key=key)

    for key in data:
        if key not in SCHEMA and key not in TOP:
            raise bad(f"unknown key '{key}' in the locale file", key,
                      f"the keys are: {', '.join([*SCHEMA, *TOP])}", key)
    values = {section: _section(data, section, keys, bad) for section, keys in SCHEMA.items()}
    appointment = data.get("appointment")
    if not isinstance(appointment, str):
        raise bad("'appointment' is missing or not text", "appointment",
                  "write e.g. 'appointment: \"{date} at {time}\"'", "appointment")
    _check_text(appointment, TOP["appointment"], "appointment", bad, "appointment")
    in_sentence = data.get("appointment_in_sentence") or ""
    if in_sentence:
        _check_text(str(in_sentence), TOP["appointment_in_sentence"], "appointment_in_sentence", bad,
                    "appointment_in_sentence")
    number_range = data.get("number_range") or NUMBER_RANGE
    _check_text(str(number_range), TOP["number_range"], "number_range", bad, "number_range")
    formats = {key: _date_format(data.get(key), key, bad) for key in ("date_format", "time_format")}
    periods = _day_periods(data.get("day_periods"), formats["time_format"], bad)
    keep = _keep_together(data.get("keep_together") or [], bad)
    readability = values["readability"]
    formula = str(readability["formula"])
    min_ease = readability.get("min_ease")
    _check_formula(formula, min_ease, bad)
    labels = {key: str(value) for key, value in values["labels"].items()}
    spoken = {key: str(value) for key, value in values["spoken"].items()}
    return Locale(path.stem.lower(), str(path), labels, spoken, appointment, keep, formula,
                  float(min_ease) if isinstance(min_ease, (int, float)) else None,
                  str(readability.get("min_ease_name") or ""), str(in_sentence), formats["date_format"] or "full",
                  formats["time_format"] or "short", periods, str(number_range))


def _section(data, section: str, keys: dict[str, frozenset[str] | None], bad) -> dict[str, object]:
    """One section of the file ('labels:'): every key it must have, each a single value, no other key."""
    found = data.get(section)
    if not isinstance(found, dict):
        raise bad(f"'{section}' is missing or not a list of 'key: text' lines", section,
                  f"copy the '{section}:' section of {FALLBACK}.yaml and translate it", section)
    for key in found:
        if key not in keys:
            raise bad(f"unknown key '{section}.{key}' in the locale file", f"{section}.{key}",
                      f"the keys of '{section}' are: {', '.join(keys)}", section, str(key))
    for key, fields in keys.items():
        if key not in found and (section, key) in OPTIONAL:
            continue
        if key not in found or found[key] is None or isinstance(found[key], (dict, list, bool)):
            raise bad(f"'{section}.{key}' is missing or not a single value", f"{section}.{key}",
                      f"write '{key}: ...' under '{section}:', as in {FALLBACK}.yaml", section, key)
        if fields is not None:
            _check_text(str(found[key]), fields, f"{section}.{key}", bad, section, key)
    return {key: found[key] for key in keys if key in found}


def _keep_together(patterns, bad) -> re.Pattern:
    """The spaces a line never breaks at: the file's patterns as one expression (one that never matches if none)."""
    if not isinstance(patterns, list) or not all(isinstance(p, str) and p for p in patterns):
        raise bad("'keep_together' must be a list of regular expressions", "keep_together",
                  "write one '- pattern' line each, in single quotes", "keep_together")
    try:
        return re.compile("|".join(f"(?:{p})" for p in patterns) or r"(?!x)x")
    except re.error as exc:
        raise bad(f"'keep_together' holds a pattern that is not a regular expression ({exc})", "keep_together",
                  "check the pattern's brackets and escapes", "keep_together") from None


def _date_format(value, key: str, bad) -> str | None:
    """A CLDR pattern ("EEEE d 'de' MMMM 'de' y") or one of its lengths, as Babel reads them."""
    if value is None:
        return None
    from babel.dates import parse_pattern

    try:
        if not isinstance(value, str) or not value.strip():
            raise ValueError
        if value not in ("full", "long", "medium", "short"):
            parse_pattern(value)
    except (ValueError, TypeError):
        raise bad(f"'{key}' is not a date or time pattern", key, "write a CLDR pattern, e.g. "
                  "\"EEEE d 'de' MMMM 'de' y\" or \"h:mm a\", or leave the line out", key) from None
    return value


def _day_periods(value, time_format: str | None, bad) -> tuple[str, str] | None:
    """'day_periods: {am: ..., pm: ...}': both words, and a time pattern with an 'a' field for them to fill."""
    if value is None:
        return None
    if not isinstance(value, dict) or set(value) != set(DAY_PERIODS) or not all(
            isinstance(word, str) and word.strip() for word in value.values()):
        raise bad("'day_periods' must give 'am' and 'pm', each a word", "day_periods",
                  "write 'day_periods: {am: \"a. m.\", pm: \"p. m.\"}', or leave the line out", "day_periods")
    if not time_format or not any(not m[0].startswith("'") for m in _DAY_PERIOD.finditer(time_format)):
        raise bad("'day_periods' needs a 'time_format' pattern with an 'a' (where AM or PM goes)", "day_periods",
                  "write e.g. 'time_format: \"h:mm a\"'", "day_periods")
    return str(value["am"]).strip(), str(value["pm"]).strip()


def _check_formula(formula: str, min_ease, bad) -> None:
    """A formula handouts can measure; an ease scale needs the language's target."""
    if formula not in FORMULA_SCALES:
        raise bad(f"'readability.formula' is '{formula}', which handouts cannot measure", "readability.formula",
                  f"use one of {', '.join(FORMULA_SCALES)}, or add the formula to handouts/text/readability.py "
                  "and its scale to FORMULA_SCALES in handouts/load/locale.py", "readability", "formula")
    if FORMULA_SCALES[formula] == "ease" and not isinstance(min_ease, (int, float)):
        raise bad(f"'{formula}' is an ease scale: the locale file needs its target", "readability.min_ease",
                  "write 'min_ease: 70' (or the target) under 'readability:'", "readability")


def _check_text(text: str, fields: frozenset[str], key: str, bad, *where: str) -> None:
    """The text's placeholders ('{number}') are exactly the ones the program fills in."""
    try:
        used = {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}
    except ValueError:
        used = None
    if used != set(fields):
        wanted = ", ".join(f"{{{name}}}" for name in sorted(fields)) or "no '{...}'"
        raise bad(f"'{key}' must use {wanted}", key, "keep the '{...}' names as they are in en.yaml; "
                  "write '{{' for a brace", *where)


@lru_cache(maxsize=64)
def _label_pattern(label: str) -> re.Pattern:
    parts = []
    for literal, name, _, _ in string.Formatter().parse(label):
        parts.append(re.escape(literal).replace(r"\ ", r"\s+"))
        if name is not None:
            parts.append(r"\d+")
    short = re.escape(SHORT_PAGE_LABEL).replace(r"\{number\}", r"\d+").replace(r"\{count\}", r"\d+")
    return re.compile(r"^\s*(?:" + "".join(parts) + "|" + short + r")\s*$")

