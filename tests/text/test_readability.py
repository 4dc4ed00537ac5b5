"""Offline readability: syllables, sentence splitting and the Flesch scores."""

from __future__ import annotations

import pytest
from conftest import DATA

from handouts.text.readability import (
    Readability,
    count_syllables,
    measure,
    sentences,
    words,
)

SEED = DATA / "seed_fibromyalgia_page.txt"


@pytest.mark.parametrize(
    "word, expected",
    [
        ("the", 1), ("cat", 1), ("water", 2), ("simple", 2), ("muscle", 2), ("table", 2),
        ("headache", 2), ("wanted", 2), ("released", 2), ("changes", 2), ("someone", 2),
        ("safely", 2), ("statement", 2), ("quiet", 2), ("going", 2), ("create", 2),
        ("infusion", 3), ("ketamine", 3), ("medicine", 3), ("nausea", 3), ("idea", 3),
        ("anesthetic", 4), ("amplifying", 4), ("usually", 4), ("fibromyalgia", 5),
        ("temporomandibular", 7), ("neurotransmitters", 5), ("period", 3), ("fatigue", 2),
        # As the word appears in text: punctuation, case, apostrophes.
        ("Fibromyalgia,", 5), ('"rewiring"', 3), ("don't", 1), ("you're", 1), ("haven't", 2),
        # Acronyms are spelled out; hyphenated words add their parts.
        ("IV", 2), ("NMDA", 4), ("(TMJ)", 3), ("N-methyl-D-aspartate", 7),
    ],
)
def test_known_syllable_counts(word, expected):
    assert count_syllables(word) == expected


@pytest.mark.parametrize(
    "token", ["1960s", "(512)", "555-0142", "9:30", "40–60", "1.5", "90%",
              "https://austin-ketamine.example", "care@austin-ketamine.example"],
)
def test_numbers_and_addresses_count_one_syllable(token):
    assert count_syllables(token) == 1


@pytest.mark.parametrize("token", ["", "   ", "—", "&", "___"])
def test_tokens_without_letters_or_digits_have_no_syllables(token):
    assert count_syllables(token) == 0


def test_known_sentence_counts_and_textbook_formulas():
    r = measure("The cat sat on the mat. The medicine helps your headache.")
    assert (r.words, r.sentences, r.syllables) == (11, 2, 6 + 8)
    wps, spw = 11 / 2, 14 / 11
    assert r.average_sentence_length == pytest.approx(wps, abs=0.01)
    assert r.grade == pytest.approx(0.39 * wps + 11.8 * spw - 15.59, abs=0.01)
    assert r.reading_ease == pytest.approx(206.835 - 1.015 * wps - 84.6 * spw, abs=0.01)


def test_simple_text_scores_low_grade():
    text = (
        "Someone must drive you home. Rest for the rest of the day. "
        "Call us if you have a question. We are glad to help you."
    )
    r = measure(text)
    assert r.grade < 3
    assert r.reading_ease > 85


def test_seed_web_page_scores_high_grade():
    r = measure(SEED.read_text(encoding="utf-8"))
    # Published figure for this text: Flesch-Kincaid grade about 10.7, ease about 45.
    assert 10.7 - 1.5 <= r.grade <= 10.7 + 1.5
    assert r.reading_ease < 50
    assert r.words == 427  # whitespace tokens with a letter or digit, as textbook counts do


def test_list_lines_and_headings_are_sentences():
    text = ("Common symptoms\n\n- Widespread pain\n- Muscle stiffness\n• Fatigue\n1. Insomnia\n"
            "- [ ] Tingling or numbness\n")
    assert sentences(text) == [
        "Common symptoms", "Widespread pain", "Muscle stiffness", "Fatigue", "Insomnia",
        "Tingling or numbness",
    ]
    assert measure(text).sentences == 6


def test_wrapped_lines_join_into_one_sentence():
    text = "Ask someone to drive you home after\nyour infusion. Keep the rest of the\nday free.\nThen rest"
    assert sentences(text) == [
        "Ask someone to drive you home after your infusion.",
        "Keep the rest of the day free.",
        "Then rest",
    ]


def test_abbreviations_numbers_and_phone_numbers_do_not_split():
    text = (
        "Dr. Lee will see you at 9:30 a.m. on Monday. Bring 1.5 liters of water, e.g. Evian. "
        'Call (512) 555-0142. Is that clear? "Yes!" Visit https://austin-ketamine.example. Thanks.'
    )
    assert sentences(text) == [
        "Dr. Lee will see you at 9:30 a.m. on Monday.",
        "Bring 1.5 liters of water, e.g. Evian.",
        "Call (512) 555-0142.",
        "Is that clear?",
        '"Yes!"',
        "Visit https://austin-ketamine.example.",
        "Thanks.",
    ]


def test_a_long_sentence_stays_one_sentence():
    long = " ".join(["word"] * 30) + "."
    found = sentences(long)
    assert len(found) == 1 and len(words(found[0])) == 30


@pytest.mark.parametrize("text", ["", "   \n\n  ", "---", "___", "• \n-"])
def test_text_without_words_measures_zero(text):
    assert sentences(text) == []
    assert measure(text) == Readability(0, 0, 0, 0.0, 0.0, 0.0)
