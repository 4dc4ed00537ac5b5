"""The appointment in words: Babel's patterns parsed once a language (`languages._formats`), the date and time put
in them for each patient, word for word what Babel's own functions make of the same moment."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from babel import UnknownLocaleError
from babel.dates import DateTimePattern, format_date, format_time
from test_locale import FRENCH, french  # noqa: F401  (a fixture)

from handouts.load import languages
from handouts.load.dates import in_words
from handouts.load.languages import babel_locale, primary
from handouts.load.locale import ENVIRONMENT, Locale

TAGS = ("en-US", "es-US", "es-MX", "es", "en-GB", "zz-QQ")  # zz-QQ: no locale file, no CLDR data (English's)


def by_babel(moment: datetime, tag: str, in_sentence: bool = False) -> str:
    """The appointment in words as `in_words` made it before its patterns were kept: Babel's functions each time."""
    words = Locale.for_tag(tag)
    pattern = words.time_pattern(moment.hour)
    for name in dict.fromkeys((babel_locale(tag), primary(tag), words.code)):
        try:
            day, time = format_date(moment, words.date_format, locale=name), format_time(moment, pattern, locale=name)
            break
        except (ValueError, UnknownLocaleError):
            continue
    else:
        day, time = format_date(moment, "full", locale="en_US"), format_time(moment, "short", locale="en_US")
    form = (words.appointment_in_sentence or words.appointment) if in_sentence else words.appointment
    return form.format(date=day, time=time).replace("\u202f", " ").replace("\u00a0", " ")


def moments():
    """Every day of a year (a leap year: every month, weekday and day of the month), at a time of day that moves
    through every hour; and every hour of one day at each quarter hour, and midnight, noon and one minute to."""
    start = datetime(2028, 1, 1)
    yield from (start + timedelta(days=day, hours=day % 24, minutes=day * 7 % 60) for day in range(366))
    yield from (datetime(2026, 12, 3, hour, minute) for hour in range(24) for minute in (0, 15, 30, 45))
    yield from (datetime(2026, 12, 3, 11, 59), datetime(2026, 12, 3, 23, 59), datetime(2026, 12, 3, 12, 0))


@pytest.mark.parametrize("tag", TAGS)
def test_every_day_and_time_of_day_reads_as_babel_writes_it(tag):
    for moment in moments():
        for in_sentence in (False, True):
            assert in_words(moment, tag, in_sentence) == by_babel(moment, tag, in_sentence), (moment, tag)


def test_a_language_from_a_file_of_its_own_reads_as_babel_writes_it(french):  # noqa: F811
    for moment in list(moments())[::7]:
        assert in_words(moment, "fr-FR") == by_babel(moment, "fr-FR")
    assert in_words(datetime(2026, 12, 3, 9, 30), "fr-FR") == "jeudi 3 décembre 2026 à 09:30"


def test_a_time_with_its_own_zone_reads_as_babel_writes_it(tmp_path, monkeypatch):
    """A locale file whose time shows its zone: a moment with one shows it, one without shows UTC, as Babel says."""
    folder = tmp_path / "locales"
    folder.mkdir()
    (folder / "fr.yaml").write_text(FRENCH.replace('appointment: "{date} à {time}"',
                                                   'appointment: "{date} à {time}"\ntime_format: "HH:mm zzzz"'),
                                    encoding="utf-8")
    monkeypatch.setenv(ENVIRONMENT, str(folder))
    zoned = datetime(2026, 3, 8, 1, 30, tzinfo=timezone(timedelta(hours=-6)))
    for moment in (zoned, zoned.replace(tzinfo=None), zoned.replace(tzinfo=timezone.utc)):
        for tag in (*TAGS, "fr-FR"):
            assert in_words(moment, tag) == by_babel(moment, tag)
    assert in_words(zoned, "fr-FR").endswith("à 01:30 UTC-06:00")
    assert in_words(zoned.replace(tzinfo=None), "fr-FR").endswith("à 01:30 temps universel coordonné")


def test_the_kept_patterns_hold_no_date_or_time():
    """`_formats` is kept for the whole run: keyed by the tag and the locale file's patterns, it holds Babel's
    locale and the patterns as parsed, never a moment or its words (the appointment is the patient's)."""
    languages._formats.cache_clear()
    for tag in TAGS:
        in_words(datetime(2026, 7, 14, 16, 45), tag)
        in_words(datetime(2026, 7, 14, 4, 45), tag)
    for tag in TAGS:
        words = Locale.for_tag(tag)
        for hour in (4, 16):
            kept = languages._formats(tag, words.code, words.date_format, words.time_pattern(hour))
            assert kept is not None and all(isinstance(pattern, DateTimePattern) for pattern in kept[1:])
            shown = repr([str(part) for part in kept]) + repr([pattern.pattern for pattern in kept[1:]])
            assert not any(found in shown for found in ("julio", "July", "14", "45", "martes", "Tuesday"))
    # one entry a tag and half of the day where the file names the half (Spanish), one a tag where CLDR does: never
    # one a day or a time
    assert languages._formats.cache_info().currsize == 3 * 2 + 3
