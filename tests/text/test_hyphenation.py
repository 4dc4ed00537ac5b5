"""The fast hyphenation reader gives pyphen's own points, from the same dictionaries."""

from __future__ import annotations

import marshal
import random
import re
from pathlib import Path

import pyphen
import pytest
from conftest import DATA, REPO

from handouts.text import hyphenation
from handouts.text.hyphenation import Patterns, dictionary_path, hyphenator

LETTERS = {"en_US": "abcdefghijklmnopqrstuvwxyz", "es": "abcdefghijklmnopqrstuvwxyzáéíóúñü"}


def words_to_try(language: str) -> set[str]:
    """Every word of the shipped content and the test data, every pattern's letters as a word (so every pattern
    is met), pairs of them, and random strings of the language's letters."""
    texts = [path.read_text(encoding="utf-8") for folder in (REPO / "content", DATA)
             for path in sorted(folder.rglob("*")) if path.suffix in (".md", ".txt", ".yaml")]
    found = set(re.findall(r"[^\W\d_]+", " ".join(texts).lower()))
    dictionary = Path(pyphen.LANGUAGES[language]).read_text(encoding="utf-8").split("\n")[1:]
    patterns = [re.sub(r"[\d.]", "", line.strip()) for line in dictionary
                if line.strip() and line.strip()[0] not in "%#" and not line.strip()[0].isupper()]
    chance = random.Random(24)
    pairs = {chance.choice(patterns) + chance.choice(patterns) for _ in range(3000)}
    noise = {"".join(chance.choices(LETTERS[language], k=chance.randint(1, 16))) for _ in range(3000)}
    return found | set(patterns) | pairs | noise


@pytest.mark.parametrize("prepared", [False, True], ids=["parsed", "prepared"])
@pytest.mark.parametrize("language", ["en_US", "es"])
def test_points_are_pyphens(language, prepared):
    """Parsed from the file, and made again from what `prepare` gives (as `handouts lint` keeps it, marshalled)."""
    ours, theirs = hyphenator(language), pyphen.Pyphen(lang=language)
    assert isinstance(ours, Patterns)  # the shipped dictionaries take the fast reader, not the fallback
    if prepared:
        ours = Patterns.prepared(marshal.loads(marshal.dumps(Patterns(dictionary_path(language).read_text(
            encoding="utf-8")).prepare())))
    words = words_to_try(language)
    assert len(words) > 8000
    differ = sorted(word for word in words if ours.positions(word) != theirs.positions(word))
    assert not differ, differ[:20]


def test_a_given_dictionary_is_used_and_loaded_lists_only_those_parsed_here(monkeypatch):
    monkeypatch.setattr(hyphenation, "_given", {})
    parsed = hyphenator("en_US")
    assert hyphenation.loaded()["en_US"] is parsed
    given = Patterns.prepared({"ab": "a1b"})
    hyphenation.give("en_US", given)
    assert hyphenator("en_US") is given and given.positions("xxabxx") == [3]
    assert hyphenation.loaded()["en_US"] is parsed  # what this process parsed, not what it was given


def test_case_and_short_words():
    english = hyphenator("en_US")
    assert english.positions("Hyphenation") == pyphen.Pyphen(lang="en_US").positions("Hyphenation") != []
    assert english.positions("") == [] and english.positions("a") == []


def test_the_dictionary_is_the_one_pyphen_reads():
    """Found without importing pyphen, the same file as pyphen's own lookup, for every language it has, with a
    region, in other cases and separators, and none for a language it lacks."""
    tags = {"en-US", "EN_us", "es-MX", "es_419", "pt-BR", "sr-Latn", "de-CH-1901", "nb-NO", "xx", "zz_ZZ", "", "-"}
    for name in pyphen.LANGUAGES:
        tags |= {name, name.upper(), name.replace("_", "-"), f"{name}_XX", name.split("_")[0]}
    for tag in sorted(tags):
        fallback = pyphen.language_fallback(tag)
        expected = Path(pyphen.LANGUAGES[fallback]) if fallback else None
        assert dictionary_path(tag) == expected, tag
