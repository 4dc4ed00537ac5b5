"""Offline readability: Flesch-Kincaid grade and Flesch Reading Ease.

Works on plain text (for example text extracted from a PDF). Needs no network:
syllables come from a vowel-group heuristic, checked against the bundled
``pyphen`` hyphenation dictionary.

Formulas (Flesch 1948; Kincaid et al. 1975)::

    grade = 0.39 * words/sentences + 11.8 * syllables/words - 15.59
    ease  = 206.835 - 1.015 * words/sentences - 84.6 * syllables/words
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Callable

from ..load.locale import FORMULA_SCALES

__all__ = ["Readability", "Formula", "FORMULAS", "measure", "measure_spanish", "sentences",
           "count_syllables", "spanish_syllables", "words", "PLAIN_WORDS", "words_to_avoid"]


@dataclass(frozen=True)
class Readability:
    """Counts and scores for one text. Empty text gives all zeros."""

    words: int
    sentences: int
    syllables: int
    grade: float  # Flesch-Kincaid grade level
    reading_ease: float  # Flesch Reading Ease; for Spanish, Fernández-Huerta (same 0-100 scale, higher is easier)
    average_sentence_length: float  # words per sentence
    formula: str = "flesch-kincaid"  # or "fernandez-huerta" (Spanish: no grade, `grade` is 0)


# --- sentences ---------------------------------------------------------------

# A list marker at the start of a line: bullet glyph, dash, "1." / "2)", and an
# optional task box "[ ]" / "☐".
_LIST_MARKER = re.compile(
    r"^(?:[-*+•◦‣▪▫●○■□–—]\s+|\d{1,3}[.)]\s+)?(?:\[[ xX]\]\s*|[☐☑☒✓✔]\s*)?"
)
_TERMINAL = ".!?:"  # ":" ends a sentence only at the end of a line
_CLOSERS = "\"'”’)]»"
# Abbreviations after which a period never ends a sentence.
_NEVER_END = {
    "dr", "mr", "mrs", "ms", "mx", "prof", "st", "sr", "jr", "vs",
    "e.g", "i.e", "approx", "cf", "fig", "dept", "tel",
}
# Words that cannot end a line of prose, so the line must go on.
_CARRY_ON = {
    "a", "an", "the", "and", "or", "but", "to", "of", "for", "with", "your",
    "by", "if", "is", "are", "will", "can", "may", "at", "from", "as",
}
_BOUNDARY = re.compile(r"[.!?]+[" + re.escape(_CLOSERS) + r"]*(?=\s+(\S))")


def _clean_line(line: str) -> str:
    line = line.strip()
    return _LIST_MARKER.sub("", line, count=1).strip()


def _ends_sentence(line: str) -> bool:
    return line.rstrip(_CLOSERS)[-1:] in _TERMINAL


def _continues(line: str, next_raw: str) -> bool:
    """True when a line without end punctuation is wrapped onto the next."""
    nxt = next_raw.strip()
    if not nxt or _clean_line(nxt) != nxt:  # blank, or the next is a list item
        return False
    if line[-1] in ",;-–—(/" or nxt[0].islower():
        return True
    last = re.findall(r"[A-Za-z']+", line)
    return bool(last) and last[-1].lower() in _CARRY_ON


def _split_line(text: str) -> list[str]:
    """Split one logical line at ., !, ? that end a sentence."""
    parts, start = [], 0
    for m in _BOUNDARY.finditer(text):
        before = text[start:m.start()].split()
        token = before[-1].lower().lstrip("(\"'“‘") if before else ""
        nxt = m.group(1)
        if nxt[0].islower() or nxt[0] in ",;:":
            continue  # "e.g. a pill", "a.m. on"
        if text[m.start()] == "." and (
            token in _NEVER_END
            or token.rstrip(".") in _NEVER_END
            or re.fullmatch(r"[a-z]", token)  # an initial: "J. Smith"
        ):
            continue
        parts.append(text[start:m.end()].strip())
        start = m.end()
    parts.append(text[start:].strip())
    return [p for p in parts if p]


def sentences(text: str) -> list[str]:
    """Split text into sentences.

    Besides ``.``, ``!`` and ``?``, a line break ends a sentence when the line
    has no end punctuation (headings, list items), unless the line is clearly
    wrapped: it ends in a comma, hyphen or a word like "the", or the next line
    starts in lower case. List markers and task boxes are dropped. Only
    sentences that contain at least one word are returned.
    """
    raw = text.splitlines()
    logical: list[str] = []
    buf = ""
    for i, ln in enumerate(raw):
        piece = _clean_line(ln) if not buf else ln.strip()
        if not piece:
            if buf:
                logical.append(buf)
                buf = ""
            continue
        buf = f"{buf} {piece}" if buf else piece
        nxt = raw[i + 1] if i + 1 < len(raw) else ""
        if _ends_sentence(buf) or not _continues(buf, nxt):
            logical.append(buf)
            buf = ""
    if buf:
        logical.append(buf)
    out: list[str] = []
    for line in logical:
        out.extend(s for s in _split_line(line) if words(s))
    return out


# --- words and syllables -------------------------------------------------------

_TOKEN_HAS_WORD = re.compile(r"[A-Za-z0-9À-ɏ]")
_APOSTROPHES = re.compile(r"['’]")
_LETTER_RUNS = re.compile(r"[A-Za-zÀ-ɏ]+")


def words(text: str) -> list[str]:
    """Whitespace-separated tokens that contain a letter or a digit."""
    return [t for t in text.split() if _TOKEN_HAS_WORD.search(t)]


def _hyphenator(language: str):
    """The hyphenation points of `language`, loaded the first time a word in it is measured (`hyphenation.py`:
    some 8 ms for English, 4 for Spanish): a command that measures no text, or one language only, never loads
    the other."""
    from .hyphenation import hyphenator

    return hyphenator(language)


# Letters spoken by name in acronyms: "W" is "double-u".
_LETTER_SYLLABLES = {"w": 3}
# Common words the rules below get wrong.
_EXCEPTIONS = {
    "any": 2, "anyone": 3, "anything": 3, "business": 2, "evening": 2,
    "everyone": 3, "everything": 3, "eyes": 1, "ideas": 3, "maybe": 2,
    "people": 2, "real": 1, "really": 2, "recipe": 3,
}


# Compound starts whose final "e" is silent: "some-one", "there-fore".
_COMPOUND = re.compile(
    r"^(some|there|where|here|fore|wide|trade|safe|care|home|time|life|like|"
    r"side|note|more|base|name|whole|use|state)(?=[^aeiouy].*[aeiouy]|one)"
)


def _rule_count(w: str) -> int:
    """Vowel groups, corrected for silent and split vowels. ``w``: a-z only."""
    if len(w) <= 3:
        return 1 if re.search("[aeiouy]", w) else 0
    m = _COMPOUND.match(w)
    if m:
        return 1 + _rule_count(w[m.end():])
    extra = 1 if re.search("[^aeiouy]ire[ds]?$", w) else 0  # "en-ti-re"
    w = re.sub("(?<=[gq])ues?$", "", w)  # "fatigue", "unique"
    # Silent "e" before a suffix: "state-ment", "safe-ly".
    w = re.sub("(?<=[^aeiouyl])e(?=(?:ments?|ly|ful|less|ness)$)", "", w)
    # Silent endings: "-e" (not consonant + "le"), "-es", "-ed".
    if w.endswith("e") and not re.search("[^aeiouy]le$", w) and not w.endswith("ee"):
        w = w[:-1]
    elif re.search("[^aeiouy]es$", w) and not re.search("(?:[sxz]|ch|sh|[cg]|[^aeiouy]l)es$", w):
        w = w[:-2]
    elif re.search("[^td]ed$", w):
        w = w[:-2]
    w = re.sub(r"(?<=[qg])u(?=[aeiouy])", "", w)  # "qu", "gu" + vowel: one sound
    w = re.sub(r"^y", "", w)  # "y" at the start is a consonant
    count = len(re.findall("[aeiouy]+", w)) + extra
    # Vowel pairs that are two syllables: "fibromyalg-i-a", "peri-od", "medi-um".
    count += len(re.findall(r"(?<![cts])ia|(?<![ctsgxhln])io|iu|ua|uo|ii|eo|[aeiou]y[aeiou]|ea$", w))
    count += len(re.findall(r"(?<![ct])ie(?=n?t)", w))  # "di-et", "cli-ent"
    if re.search("(?:[aeiou]|[^aeiou]y)ing$", w):  # "go-ing", "amplify-ing"
        count += 1
    if re.search("[^aeiouy]ism$", w):  # "autis-m"
        count += 1
    if w.endswith("ically"):  # "automatic-ly"
        count -= 1
    return max(count, 1)


@lru_cache(maxsize=8192)
def _alpha_syllables(part: str) -> int:
    """Syllables in one run of letters (a word, or one part of a hyphenated word)."""
    if part.isupper() and len(part) <= 4:  # acronym or initial: "NMDA", "IV", "D"
        return sum(_LETTER_SYLLABLES.get(c, 1) for c in part.lower())
    w = part.lower()
    if w in _EXCEPTIONS:
        return _EXCEPTIONS[w]
    if not re.search("[aeiouy]", w):
        return 0  # "s" in "1960s", "t" in "haven t"
    # The rules undercount some splits ("cre-ate"); hyphenation points are
    # (nearly always) syllable breaks, so they give a floor.
    floor = len(_hyphenator("en_US").positions(w)) + 1
    return max(_rule_count(w), floor)


def count_syllables(word: str) -> int:
    """Syllables in one word as it appears in text.

    Punctuation and apostrophes are ignored ("don't" is one syllable);
    hyphenated words add their parts; all-caps words of up to four letters are
    spelled out ("IV" = 2). Numbers, phone numbers and web or email addresses
    count as one syllable so they do not inflate the grade. Returns 0 for a
    token without letters or digits.
    """
    token = word.strip()
    if not _TOKEN_HAS_WORD.search(token):
        return 0
    if "@" in token or "://" in token or token.lower().startswith("www."):
        return 1
    letters = _LETTER_RUNS.findall(_APOSTROPHES.sub("", token))
    return max(1, sum(_alpha_syllables(p) for p in letters))


# --- scores -------------------------------------------------------------------


def measure(text: str) -> Readability:
    """Count words, sentences and syllables of ``text`` and score it."""
    sents = sentences(text)
    toks = [t for s in sents for t in words(s)]
    n_words, n_sents = len(toks), len(sents)
    if n_words == 0:
        return Readability(0, 0, 0, 0.0, 0.0, 0.0)
    n_syl = _total(count_syllables, toks)
    wps = n_words / n_sents
    spw = n_syl / n_words
    return Readability(
        words=n_words,
        sentences=n_sents,
        syllables=n_syl,
        grade=round(0.39 * wps + 11.8 * spw - 15.59, 2),
        reading_ease=round(206.835 - 1.015 * wps - 84.6 * spw, 2),
        average_sentence_length=round(wps, 2),
    )


def _total(syllables: Callable[[str], int], tokens: list[str]) -> int:
    """The syllables of all `tokens`, each different token counted once (a text says "the" and "you" many times).
    Kept for this one text only: a text may hold a patient's name."""
    counts: dict[str, int] = {}
    total = 0
    for token in tokens:
        count = counts.get(token)
        if count is None:
            count = counts[token] = syllables(token)
        total += count
    return total


# --- Spanish --------------------------------------------------------------------
#
# Fernández-Huerta (1959), Flesch's ease re-fitted for Spanish:
#
#     ease = 206.84 - 0.60 * (syllables per 100 words) - 1.02 * (words per sentence)
#
# The 1959 paper printed the last term as "sentences per 100 words", which would make a text with more, shorter
# sentences score *harder*; like Flesch's formula it penalises long sentences, so words per sentence is used
# here (as in `textstat`'s fernandez_huerta). Read on the usual scale: 60-70 normal, 70-80 fairly easy
# ("bastante fácil"), 80-90 easy, 90+ very easy. Patient handouts aim at "bastante fácil" or easier (the target is
# `min_ease` in handouts/locales/es.yaml).

_ES_STRONG = set("aeoáéó")
_ES_VOWELS = set("aeiouáéíóúü")


def _spanish_rule_count(w: str) -> int:
    """Syllable nuclei in one lower-case Spanish word: vowel groups, split between two strong vowels (hiatus,
    "le-er") and at a stressed í/ú next to another vowel ("dí-a"); a diphthong ("bue-no", "ciu-dad") is one.
    The silent u of que/qui/gue/gui and a final y ("muy", "hoy") add none."""
    w = re.sub(r"(?<=[qg])u(?=[eiéí])", "", w)
    count, previous = 0, ""
    for ch in w:
        if ch not in _ES_VOWELS:
            previous = ""
            continue
        if not previous:
            count += 1
        elif (ch in _ES_STRONG and previous in _ES_STRONG) or ch in "íú" or previous in "íú":
            count += 1  # hiatus: a new syllable within the vowel group
        previous = ch
    return count or (1 if "y" in w else 0)


@lru_cache(maxsize=8192)
def _spanish_alpha(part: str) -> int:
    if part.isupper() and len(part) <= 4:  # "ATM", "PDF": spelled out, one syllable a letter
        return len(part)
    w = part.lower()
    rules = _spanish_rule_count(w)
    if not rules:
        return 0
    # Spanish hyphenation points are syllable breaks, so pyphen's `es` dictionary gives a floor.
    return max(rules, len(_hyphenator("es").positions(w)) + 1)


def spanish_syllables(word: str) -> int:
    """Syllables in one Spanish word as it appears in text (numbers, addresses: one)."""
    token = word.strip()
    if not _TOKEN_HAS_WORD.search(token):
        return 0
    if "@" in token or "://" in token or token.lower().startswith("www."):
        return 1
    letters = _LETTER_RUNS.findall(token)
    return max(1, sum(_spanish_alpha(p) for p in letters))


def measure_spanish(text: str) -> Readability:
    """Words, sentences, syllables and the Fernández-Huerta ease of Spanish text (`grade` is 0: the formula
    has no grade)."""
    sents = sentences(text.replace("¿", "").replace("¡", ""))
    toks = [t for s in sents for t in words(s)]
    n_words, n_sents = len(toks), len(sents)
    if n_words == 0:
        return Readability(0, 0, 0, 0.0, 0.0, 0.0, "fernandez-huerta")
    n_syl = _total(spanish_syllables, toks)
    wps = n_words / n_sents
    return Readability(n_words, n_sents, n_syl, 0.0, round(206.84 - 60.0 * n_syl / n_words - 1.02 * wps, 2),
                       round(wps, 2), "fernandez-huerta")


# --- the formula for a language -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Formula:
    """A reading-level formula a locale file may name (`readability: {formula: ...}`)."""

    title: str  # as people write it: "Flesch-Kincaid"
    measure: Callable[[str], Readability]
    scale: str  # "grade" (lower is easier; the target is --max-grade) or "ease" (higher; the locale's min_ease)


# One entry for each name in load.locale.FORMULA_SCALES, which says which way its scale runs.
FORMULAS = {
    "flesch-kincaid": Formula("Flesch-Kincaid", measure, FORMULA_SCALES["flesch-kincaid"]),
    "fernandez-huerta": Formula("Fernández-Huerta", measure_spanish, FORMULA_SCALES["fernandez-huerta"]),
}


# --- words to avoid -------------------------------------------------------------

# Words patient materials should not need, with the plain word to use instead (plain-language
# guidelines; CDC Clear Communication Index: everyday words). A word matches with its endings:
# "administer" finds "administered", "subside" finds "subsides".
PLAIN_WORDS = {
    "utilize": "use",
    "utilise": "use",
    "physician": "doctor",
    "administer": "give",
    "adverse": "bad or harmful",
    "subside": "go away",
    "cognitive": "thinking",
    "musculoskeletal": "say where: muscles, bones and joints",
    "prior to": "before",
    "commence": "start",
    "approximately": "about",
    "sufficient": "enough",
    "discontinue": "stop",
    "obtain": "get",
    "facilitate": "help",
    "prevalent": "common",
    "debilitating": "hard to live with",
    "in the event that": "if",
}
_AVOID = re.compile(
    r"(?<![\w-])(?:"
    + "|".join(f"({re.escape(w).replace(chr(92) + ' ', chr(92) + 's+')})" + ("" if " " in w else "[a-z]*")
               for w in sorted(PLAIN_WORDS, key=len, reverse=True))
    + r")(?![\w-])", re.IGNORECASE)


def words_to_avoid(text: str) -> list[tuple[int, str, str]]:
    """(offset, the word as written, the plain alternative) for each word on the `PLAIN_WORDS` list."""
    found = []
    for m in _AVOID.finditer(text):
        stem = next(group for group in m.groups() if group)
        found.append((m.start(), m[0], PLAIN_WORDS[re.sub(r"\s+", " ", stem.lower())]))
    return found
