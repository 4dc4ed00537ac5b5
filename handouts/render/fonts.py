"""Typefaces: registration, coverage, and per-word fallback to the bundled face."""

from __future__ import annotations

import threading
import unicodedata
from dataclasses import dataclass
from functools import cached_property, lru_cache

from ..caches import holds_patient_value, per_patient
from ..errors import LayoutError, UnsupportedCharacterError
from ..load.typefaces import FALLBACK, FORM_FACES, TYPEFACES
from . import _reportlab


@dataclass(frozen=True)
class Face:
    name: str  # the name registered with ReportLab
    covered: frozenset[int]

    @cached_property
    def draws(self) -> frozenset[str]:
        """The characters the face draws, and every white space (drawn as space): `draws.issuperset(word)` says
        whether a word is the face's alone, a loop in C."""
        return frozenset(map(chr, self.covered)) | _WHITE_SPACE


_WHITE_SPACE = frozenset(ch for ch in map(chr, range(0x3001)) if ch.isspace())  # every str.isspace() character


# Faces are registered one thread at a time: the fallback's first use can come in the middle of a render, and two
# threads registering one name would leave ReportLab two font objects for it (lru_cache may run a miss twice).
_REGISTERING = threading.Lock()


@lru_cache(maxsize=None)
def _register(name: str, path) -> Face:
    return Face(name, _reportlab.register_font(name, path))


class FontSet:
    """A primary typeface (regular + bold) with a fallback for other scripts.

    A font set is the same set wherever it is made: it compares by typeface,
    and its caches live at module level, keyed by typeface, so that no cache
    keeps a font set alive.
    """

    def __init__(self, typeface: str):
        if typeface not in TYPEFACES:
            raise LayoutError(f"typeface '{typeface}' is unknown", rule="unknown-typeface",
                              hint=f"choose one of: {', '.join(TYPEFACES)}")
        self.typeface = typeface
        _primary(typeface)  # the typeface's own faces, read now; the fallback only when text needs it

    @property
    def faces(self) -> tuple[tuple[Face, Face], tuple[Face, Face]]:
        """(regular, fallback regular) and (bold, fallback bold), indexed by `bold`: reads the fallback."""
        return _faces(self.typeface)

    def __eq__(self, other) -> bool:
        return isinstance(other, FontSet) and other.typeface == self.typeface

    def __hash__(self) -> int:
        return hash(self.typeface)

    def face_for(self, word: str, bold: bool) -> str:
        """The face that draws the whole word: the primary one when it can."""
        return _face_for(self.typeface, word, bold)

    def primary_drawing(self, word: str, bold: bool) -> str | None:
        """The primary face when it draws the whole word (as `face_runs` then answers, without a cache), else
        None."""
        face = _primary(self.typeface)[bold]
        return face.name if face.draws.issuperset(word) else None

    def face_runs(self, word: str, text: str, bold: bool) -> tuple[tuple[str, str], ...]:
        """`text`, part of `word`, as (text, face) runs: all in the face that draws the whole word when
        one does (so a word keeps one look), else each character in the first face that has it."""
        return _face_runs(self.typeface, word, text, bold)

    @property
    def form_face(self) -> str:
        """The face a form's typing uses: the typeface's form font (its own glyphs, the fallback's for the
        Latin letters it lacks, a check mark), registered under this name."""
        name, path = FORM_FACES[self.typeface]
        with _REGISTERING:
            return _register(name, path).name

    @property
    def form_metrics(self) -> tuple[float, float]:
        """The form font's ascent and descent in ems: where a viewer sets typed text in a field."""
        return _reportlab.vertical_metrics(self.form_face)

    def uncovered(self, text: str) -> tuple[str, ...]:
        """Characters that no face of this set can draw, in order of appearance."""
        # Most text is every patient's: its answer is kept for the run. Text that shows this patient's value (a
        # name, the appointment: each a whole span) is answered from a cache emptied when the packet is done.
        if holds_patient_value(text):
            return _patient_uncovered(self.typeface, text)
        return _shared_uncovered(self.typeface, text)

    def draws_all(self, characters: set[str]) -> bool:
        """Whether some face of this set draws every one of `characters` (whitespace needs none). Nothing is
        kept: the characters can be a patient's."""
        return not _uncovered(self.typeface, characters)

    def require(self, text: str, source: str, line: int | None = None) -> None:
        missing = self.uncovered(text)
        if missing:
            shown = ", ".join(f"U+{ord(ch):04X} {unicodedata.name(ch, 'unnamed')}" for ch in missing[:3])
            raise UnsupportedCharacterError(f"the fonts cannot draw {shown}", source=source, line=line,
                                            rule="unsupported-character", hint="replace those characters")


@lru_cache(maxsize=None)  # keyed by the typeface: its faces, read from its files, patient-free
def _primary(typeface: str) -> tuple[Face, Face]:
    """The typeface's own (regular, bold), indexed by `bold`."""
    base, regular, bold = TYPEFACES[typeface]
    with _REGISTERING:
        return _register(f"{base}-Regular", regular), _register(f"{base}-Bold", bold)


@lru_cache(maxsize=None)  # no key: the bundled fallback's faces, patient-free
def _fallback() -> tuple[Face, Face]:
    """The bundled fallback's (regular, bold), indexed by `bold`: read the first time text needs a character the
    typeface lacks (its two files are most of the fonts' reading time, and most documents never need them)."""
    base, regular, bold = FALLBACK
    with _REGISTERING:
        return _register(f"{base}-Regular", regular), _register(f"{base}-Bold", bold)


def _faces(typeface: str) -> tuple[tuple[Face, Face], tuple[Face, Face]]:
    """(regular, fallback regular) and (bold, fallback bold), indexed by `bold`."""
    primary, fallback = _primary(typeface), _fallback()
    return (primary[0], fallback[0]), (primary[1], fallback[1])


@per_patient  # keyed by text that can be a patient's: emptied after each patient
@lru_cache(maxsize=65536)
def _face_for(typeface: str, word: str, bold: bool) -> str:
    codes = {ord(ch) for ch in word if not ch.isspace()}
    primary = _primary(typeface)[bold]
    if codes <= primary.covered:
        return primary.name
    fallback = _fallback()[bold]  # the last face: the one drawing what no face has
    return fallback.name


@per_patient  # keyed by text that can be a patient's: emptied after each patient
@lru_cache(maxsize=8192)
def _face_runs(typeface: str, word: str, text: str, bold: bool) -> tuple[tuple[str, str], ...]:
    primary = _primary(typeface)[bold]
    if primary.draws.issuperset(word):
        return ((text, primary.name),)
    faces = _faces(typeface)[bold]
    whole = next((f for f in faces[1:] if all(ch.isspace() or ord(ch) in f.covered for ch in word)), None)
    if whole:
        return ((text, whole.name),)
    # The face that draws most of the word first, so a word changes face as little as it can.
    ranked = sorted(faces, key=lambda f: -sum(ord(ch) in f.covered for ch in word))
    runs: list[tuple[str, str]] = []
    for ch in text:
        if ch.isspace() and runs:
            face = runs[-1][1]
        else:
            face = next((f.name for f in ranked if ord(ch) in f.covered), ranked[0].name)
        if runs and runs[-1][1] == face:
            runs[-1] = (runs[-1][0] + ch, face)
        else:
            runs.append((ch, face))
    return tuple(runs)


def _uncovered(typeface: str, text: str) -> tuple[str, ...]:
    covered = _primary(typeface)[False].covered
    missing = dict.fromkeys(ch for ch in text if not ch.isspace() and ord(ch) not in covered)
    if missing:  # only then is the fallback read
        fallback = _fallback()[False].covered
        missing = {ch: None for ch in missing if ord(ch) not in fallback}
    return tuple(missing)


# Keyed by typeface and text that shows no patient's value (caches.holds_patient_value): kept for the run.
_shared_uncovered = lru_cache(maxsize=8192)(_uncovered)
# Keyed by typeface and text that shows this patient's value: emptied after each patient.
_patient_uncovered = per_patient(lru_cache(maxsize=1024)(_uncovered))


def width(text: str, face: str, size: float) -> float:
    return _reportlab.text_width(text, face, size)
