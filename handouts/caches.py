"""Per-process caches that may hold a patient's value, emptied when that patient's work is done.

Most of what a packet needs is the same for every patient (fonts, glyph
subsets, templates, parsed content): those caches are kept for the whole run.
A few are keyed by text that can be a patient's (a name in a line to break, a
word to measure, a page's stream to compress). They speed up one patient's
packet, whose pages repeat the same words, and are emptied before the next
patient's: nothing that holds a patient's value reaches the next one.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_PER_PATIENT: list = []
# The values of the patient whose work is under way in this thread (or task): the console renders previews in
# worker threads, so one thread's patient is never another's.
_values: ContextVar[tuple[str, ...]] = ContextVar("patient_values", default=())


def per_patient(cache):
    """Register `cache` (an lru_cache, or anything with `clear()`) to be emptied after each patient."""
    _PER_PATIENT.append(cache)
    return cache


def forget_patient() -> None:
    """Empty every cache that may hold the last patient's values."""
    for cache in _PER_PATIENT:
        (cache.cache_clear if hasattr(cache, "cache_clear") else cache.clear)()


@contextmanager
def one_patient(values: tuple[str, ...] = ()) -> Iterator[None]:
    """One patient's work; whatever ends it, the caches forget that patient. `values` are what the patient's
    documents show of them (name, preferred name, the appointment in words): text that holds one of them is
    cached only for this patient (`holds_patient_value`)."""
    token = _values.set(tuple(value for value in values if value))
    try:
        yield
    finally:
        _values.reset(token)
        forget_patient()


def holds_patient_value(text: str) -> bool:
    """Whether `text` shows a value of the patient whose work is under way. A value is one span of a document
    (it is filled in after parsing), so a paragraph holds the whole value or none of it."""
    return any(value in text for value in _values.get())


def patient_values() -> tuple[str, ...]:
    """The values of the patient whose work is under way (what their documents show of them)."""
    return _values.get()
