"""No state between patients: what is kept per process (compressed streams, glyph subsets, font maps, line
breaks, cleaned values) is keyed by the content it is made from and holds nothing that could reach another
patient's packet. A packet is byte-identical first in a fresh process, after a warm batch of other patients
(other scripts, other font codes), and with every cache bypassed."""

import functools
import hashlib
import importlib
import pkgutil
import re
import subprocess
import sys
from datetime import datetime

import pytest
from conftest import REPO

import handouts.render
from handouts.load.project import Patient
from handouts.pipeline import packet_document, render_checked

DOCUMENTS = ("infusion-day-checklist", "fibromyalgia-ketamine")
OTHERS = ["Zoë Ångström", "Nguyễn Thị Minh Khai", "Дмитрий Иванов", "Ελένη Π.", "Ann Alpha"]
RENDER = """
import hashlib, sys
from datetime import datetime
from handouts.load.project import Patient, Project
from handouts.pipeline import packet_document, render_checked
project = Project.open("content", "layouts")
document = packet_document(project, Patient.from_values("Jack Smith"), datetime(2026, 12, 3, 9, 30),
                           ("infusion-day-checklist", "fibromyalgia-ketamine"), sys.argv[2] or None)
print(hashlib.sha256(render_checked(project, document, project.layouts.load(sys.argv[1]), "packet")).hexdigest())
"""

# Every per-process cache in handouts/render/, and why it can hold no value of another patient's. A cache that
# is not listed fails `test_every_cache_in_render_is_reviewed`: review it, then list it here.
REVIEWED = {
    "metadata._srgb_profile": "the sRGB ICC profile's bytes: a file shipped with handouts, no key",
    "metadata._xmp_template": "the XMP metadata around its title and subject, keyed by the author (the clinic), the "
                              "language and the creation date: the title and subject are written in for each document",
    "_reportlab._cmap": "a subset's ToUnicode map, keyed by the subset's tag and code points",
    "_reportlab._two_byte_cmap": "the form font's ToUnicode map, keyed by its (glyph, character) pairs: a font's",
    "_reportlab._number_array": "a font's widths, keyed by the numbers",
    "_reportlab._name_bytes": "a dictionary key's bytes, keyed by the key",
    "_reportlab._key_bytes": "a dictionary key's bytes and a space, keyed by the key",
    "_reportlab._font": "a registered font by name; ReportLab keeps each document's codes apart, per document",
    "_reportlab.COMPRESSED": "compressed streams, keyed by the whole uncompressed data; emptied after each patient",
    "_reportlab.SHARED_COMPRESSED": "compressed streams of pages the drawer found to show no patient value (spans "
                                    "without reserve), keyed by the whole uncompressed data",
    "_reportlab.SUBSETS": "glyph subsets, keyed by font file, face and code points",
    "_reportlab.FONT_STREAMS": "a text font's compressed streams, keyed by font file, face and code points: a font's",
    "_reportlab.FONT_OBJECTS": "a text font's six objects as written, with where they refer to each other, keyed by "
                               "font file, face and code points: a font's",
    "_reportlab.INFO_TEMPLATES": "the information dictionary as written with marks for its title and subject, keyed "
                                 "by its other fields (the clinic as author, producer, creation date) and the "
                                 "writer's settings: the title and subject are written in for each document",
    "_reportlab._resource": "a face's font resource name, keyed by the face's name",
    "_reportlab._printable": "the printable ASCII a face's font file draws, keyed by the face's name",
    "sharing.PAGES": "recorded drawings of pages with no span carrying a patient value (Span.reserve) and no value "
                     "of the patient at work in their text, keyed by every field of every box drawn and the render's "
                     "context, or for a document with a skeleton by the context, the page plan's key (the "
                     "skeleton's digest with the patient's own measures) and the page number: a hit is that very "
                     "page model's drawing",
    "sharing.BOXES": "recorded drawings of runs of boxes with no span carrying a patient value, no box keeping a "
                     "reserve and no value of the patient at work in their words, on pages that show one, keyed by "
                     "the page's key (the context, the page plan's key, the page number), where the run starts and "
                     "ends on the page and the page's marked content before it: a hit is those very boxes' drawing",
    "sharing.CONTEXTS": "each render context (document name, edition, layout, options, footer: the clinic's) by a "
                        "number never given to another, kept only when it shows no value of the patient at work",
    "sharing._fields": "a box class's field names, keyed by the class",
    "sharing._holding": "a box class's field names that can hold an element or a span (None for a plain value's or a "
                        "class that is no dataclass), keyed by the class",
    "pageplan.PLANS": "page plans (keeps, and what the paginator did with each box: indices, flags, line counts, "
                      "room in points), keyed by how the boxes measure (numbers, flags, structure roles), or by a "
                      "digest of the document's skeleton, layout and languages with the patient's own line counts "
                      "and heights: no text",
    "assembly.TEMPLATES": "files taken apart with every object a patient's value reaches left empty (the content "
                          "of the pages that show one, the text fonts, the information dictionary, the XMP metadata), "
                          "and what those pages drew besides their text, kept only when it holds no value of the "
                          "patient it was made for and no kept object shows one; keyed by the render's context and "
                          "the page plan's key (the skeleton's digest with the patient's own measures)",
    "pdf._layout_digest": "a digest of a layout (every field), keyed by the layout",
    "timeline._shared_drawing": "a timeline's drawing (immutable), of timelines with no span carrying a patient value "
                                "(Span.reserve) and no value of the patient at work in their words, keyed by all "
                                "its spans, style and width",
    "draw._footer_rows": "how many lines a footer takes, keyed by the whole footer (the clinic's name and phone or "
                         "the sample mark, the page label, its style) and the page count; a footer showing a value "
                         "of the patient at work is measured afresh",
    "draw._fill_operator": "a layout colour's operator, keyed by the colour",
    "fonts._register": "a face registered once, keyed by its name and file",
    "fonts._primary": "a typeface's own faces, keyed by the typeface",
    "fonts._fallback": "the bundled fallback's faces, one pair a process",
    "fonts._face_for": "the face drawing a word, keyed by typeface, word and weight; emptied after each patient",
    "fonts._face_runs": "a word's face runs, keyed by typeface, word, text and weight; emptied after each patient",
    "fonts._shared_uncovered": "characters no face draws, keyed by typeface and text that shows no patient's value "
                               "(caches.holds_patient_value)",
    "fonts._patient_uncovered": "characters no face draws, keyed by typeface and text that shows this patient's "
                                "value; emptied after each patient",
    "linebreak._shared_lines": "immutable lines of text that shows no patient's value (caches.holds_patient_value)",
    "linebreak._patient_lines": "immutable lines of text that shows this patient's value; emptied after each patient",
    "linebreak._kept_together": "positions of kept spaces, keyed by the text; emptied after each patient",
    "linebreak._tail_words": "the measured words of a paragraph's tail: its text after the last place a value of "
                             "the patient at work shows, from the first word after it (linebreak._tail_of), with "
                             "its kept spaces, weights, links, style and size",
    "linebreak._space_width": "a space's width, keyed by a face's name and the type size",
    "linebreak._tail_lines": "immutable lines of such a tail from a word that starts a line, keyed by the tail, "
                             "style, width and that word's place in the tail",
}
# Bypassing these would register the fonts again for every word: they are the fonts, not results.
REGISTRATION = {"fonts._register", "fonts._primary", "fonts._fallback", "_reportlab._font"}


def _render_modules():
    for info in pkgutil.iter_modules(handouts.render.__path__):
        yield info.name, importlib.import_module(f"handouts.render.{info.name}")


def _caches():
    """(module.name, module, name, cache) for every lru cache and content memo at module level in render/."""
    from handouts.render._reportlab import ContentMemo

    for short, module in _render_modules():
        for name, value in vars(module).items():
            if isinstance(value, functools._lru_cache_wrapper) or isinstance(value, ContentMemo):
                yield f"{short}.{name}", module, name, value


def _packet(project, name: str, layout: str, language: str | None) -> bytes:
    document = packet_document(project, Patient.from_values(name), datetime(2026, 12, 3, 9, 30), DOCUMENTS,
                               language)
    return render_checked(project, document, project.layouts.load(layout), "packet")


def _cold(layout: str, language: str | None) -> str:
    result = subprocess.run([sys.executable, "-c", RENDER, layout, language or ""], cwd=REPO, capture_output=True,
                            text=True, check=True)
    return result.stdout.strip()


def _bypass_caches(patch) -> None:
    """Every cache of render/ (and the cleaned values) computes afresh on every call."""
    from handouts.load import values

    for where, module, name, cache in _caches():
        if where in REGISTRATION:
            continue
        if isinstance(cache, functools._lru_cache_wrapper):
            patch.setattr(module, name, cache.__wrapped__)
        else:
            patch.setattr(cache, "most", -1)  # stored, then dropped at once: never a hit
            cache.clear()
    patch.setattr(values, "_clean", values._clean.__wrapped__)


def test_every_cache_in_render_is_reviewed():
    found = {where for where, *_ in _caches()}
    assert found == set(REVIEWED), (
        f"per-process caches not reviewed: {sorted(found - set(REVIEWED))}; gone: {sorted(set(REVIEWED) - found)}. "
        "A cache may hold only patient-free data, or be keyed by the whole content it is made from; say why in a "
        "comment beside it and list it in REVIEWED")


def test_render_keys_nothing_by_object_identity():
    """An id() can be taken by another object (another patient's) once its own is gone."""
    offenders = [f"{path.name}:{number}" for path in (REPO / "handouts" / "render").glob("*.py")
                 for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
                 if re.search(r"(?<![\w.])id\(", line.split("#", 1)[0])]
    assert not offenders, f"id() in render/ (key by the object or its content instead): {offenders}"


def test_a_packet_is_the_same_cold_warm_and_uncached(project, monkeypatch):
    for layout, language in (("large-print", None), ("standard", "es")):
        for name in OTHERS:  # warm every cache with other patients first
            _packet(project, name, layout, language)
        warm = hashlib.sha256(_packet(project, "Jack Smith", layout, language)).hexdigest()
        assert warm == _cold(layout, language)
        with monkeypatch.context() as patch:  # no cache: every stream compressed, every map and line made
            _bypass_caches(patch)
            uncached = {name: _packet(project, name, layout, language) for name in [*OTHERS, "Jack Smith"]}
        assert hashlib.sha256(uncached["Jack Smith"]).hexdigest() == warm
        for name in OTHERS:  # and warm again after Jack: the others' packets are their own
            assert _packet(project, name, layout, language) == uncached[name], name


def test_the_caches_are_used(project):
    """The bypass above means something: a second packet finds what the first one made."""
    from handouts.render import _reportlab, linebreak, pageplan, sharing

    _packet(project, "Ann Alpha", "extra-large", None)
    before = linebreak._shared_lines.cache_info().hits
    recorded = dict(sharing.PAGES._made)
    plans = dict(pageplan.PLANS._made)
    _packet(project, "Bea Beta", "extra-large", None)
    assert linebreak._shared_lines.cache_info().hits > before
    assert _reportlab.COMPRESSED._made and _reportlab.SUBSETS._made and _reportlab.SHARED_COMPRESSED._made
    assert len(recorded) >= 5 and dict(sharing.PAGES._made) == recorded  # every page found again, none added
    assert pageplan.PLANS._made and dict(pageplan.PLANS._made) == plans  # and the page plan


@pytest.mark.parametrize("layout", ["large-print", "extra-large"])
def test_a_packet_never_carries_another_patients_name(project, layout):
    """Names of the same length wrap the same way, so every page but those naming them is the same: the pages
    that name a patient must name this one, and only this one."""
    from pdfread import text

    first = _packet(project, "Ann Alpha", layout, None)
    second = _packet(project, "Bob Omega", layout, None)
    shown = " ".join(text(second).split())
    assert "Bob Omega" in shown and "Ann" not in shown and "Alpha" not in shown
    assert "Ann Alpha" in " ".join(text(first).split())
    assert b"Alpha" not in second  # nor in an uncompressed object (the metadata, the structure tree)


def test_no_cache_keeps_a_patients_values_for_the_next_one(project):
    """A cache keyed by text that can be a patient's is emptied when that patient's packet is done; every other
    cache in render/ holds fonts, subsets, numbers or colours only."""
    from handouts import caches
    from handouts.batch.workers import render_row
    from handouts.load.roster import RosterRow
    from handouts.load.values import _clean

    held = list(caches._PER_PATIENT)  # the registered caches
    per_patient = {where for where, _, _, cache in _caches() if cache in held}
    assert per_patient == {where for where, why in REVIEWED.items() if "emptied after each patient" in why}
    assert _clean in held
    row = RosterRow(2, "P1", "Wilhelmina Quarrington", "Mina", datetime(2026, 12, 3, 9, 30), "large-print",
                    DOCUMENTS, "", "en-US")
    rendered = render_row(row, project)
    assert rendered.failure is None and rendered.pdf
    for cache in held:
        size = cache.cache_info().currsize if hasattr(cache, "cache_info") else len(cache._made)
        assert size == 0, cache
    from handouts.render._reportlab import ContentMemo

    for where, _, _, cache in _caches():  # the content memos that are kept (glyph subsets, pages) name nobody
        if isinstance(cache, ContentMemo):
            assert not [key for key in cache._made if "Quarrington" in _shown(key)], where


def _shown(key) -> str:
    """A memo key as text, with the text a page stream shows (two-byte codes, each a code point) decoded."""
    text = repr(key)
    return text + " ".join(bytes.fromhex(code).decode("utf-16-be") for code in re.findall(r"<([0-9a-f]{4,})>", text))


def test_page_streams_kept_for_the_run_show_no_patient_and_the_others_are_forgotten(project):
    """Compressed page streams are kept for the run only for the pages the drawer found to show no patient value;
    the pages that show one are compressed into the per-patient memo, emptied when the packet is done."""
    from handouts.batch.workers import render_row
    from handouts.load.roster import RosterRow
    from handouts.render import _reportlab, assembly

    seen: dict[str, list[str]] = {"run": [], "patient": []}
    assembly.TEMPLATES.clear()  # the first packet is written whole: its shared pages compressed
    _reportlab.SHARED_COMPRESSED.clear()
    _reportlab.COMPRESSED.clear()
    kept_before = {}
    for number, (name, preferred) in enumerate((("Wilhelmina Quarrington", "Mina"), ("Wilhelmina Quarringtom", "Mona"),
                                                ("Дмитрий Жуковский", "Дима")), start=2):
        row = RosterRow(number, f"P{number}", name, preferred, datetime(2026, 12, 3 + number, 9, 30), "large-print",
                        DOCUMENTS, "", "en-US")
        kept_before = dict(_reportlab.SHARED_COMPRESSED._made)
        original = _reportlab.COMPRESSED.put

        def watched(key, made, size, original=original):
            seen["patient"].append(_shown(key))
            original(key, made, size)

        _reportlab.COMPRESSED.put = watched
        try:
            assert render_row(row, project).pdf
        finally:
            del _reportlab.COMPRESSED.put
        seen["run"] = [_shown(key) for key in _reportlab.SHARED_COMPRESSED._made]
        for value in (name, preferred):
            assert not [text for text in seen["run"] if value in text], value
        assert not _reportlab.COMPRESSED._made  # the patient's own pages went with the packet
    assert len(kept_before) >= 5 and set(kept_before) <= set(_reportlab.SHARED_COMPRESSED._made)  # found again
    assert [text for text in seen["patient"] if "Дмитрий Жуковский" in text]  # the pages naming them: per patient


def test_lines_every_patient_shares_are_kept_and_a_patients_own_are_not(project, monkeypatch):
    from functools import lru_cache

    from handouts import caches
    from handouts.batch.workers import render_row
    from handouts.load.roster import RosterRow
    from handouts.render import linebreak

    stored: list[str] = []  # the text of every entry the run-long cache stores (a miss is a new entry)

    def recorded(spans, *args):
        stored.append("".join(span.text for span in spans))
        return linebreak._break_lines(spans, *args)

    monkeypatch.setattr(linebreak, "_shared_lines", lru_cache(maxsize=None)(recorded))
    monkeypatch.setattr(caches, "_PER_PATIENT", [c for c in caches._PER_PATIENT if c is not linebreak._patient_lines])
    monkeypatch.setattr(linebreak, "_patient_lines", caches.per_patient(lru_cache(maxsize=512)(linebreak._break_lines)))

    def row(number, name):
        return RosterRow(number, f"P{number}", name, "", datetime(2026, 12, 3, 9, 30), "standard", DOCUMENTS, "",
                         "en-US")

    render_row(row(2, "Wilhelmina Quarrington"), project)
    first = len(stored)
    render_row(row(3, "Bartholomew Ostrowski"), project)
    assert first > 50 and len(stored) == first  # the second packet finds every shared line already made
    assert linebreak._shared_lines.cache_info().hits > 50
    assert linebreak._patient_lines.cache_info().currsize == 0  # each patient's own lines went with the packet
    shown = [text for text in stored if "Quarrington" in text or "Ostrowski" in text or "December 3" in text]
    assert not shown, shown  # nothing kept for the run shows a patient


def test_a_patients_values_belong_to_the_thread_doing_that_patients_work():
    """The console makes previews in worker threads: one thread's patient must never be another's."""
    import threading

    from handouts import caches

    seen = {}
    inside, check, checked = threading.Event(), threading.Event(), threading.Event()

    def other_patient():
        with caches.one_patient(("Wilhelmina Quarrington",)):
            inside.set()
            check.wait(5)  # the main thread is now inside its own patient's work
            seen["other"] = caches.holds_patient_value("Hello Wilhelmina Quarrington")
            seen["other, not mine"] = caches.holds_patient_value("Hello Bartholomew Ostrowski")
            checked.set()

    worker = threading.Thread(target=other_patient)
    worker.start()
    inside.wait(5)
    with caches.one_patient(("Bartholomew Ostrowski",)):
        check.set()
        checked.wait(5)
        seen["own"] = caches.holds_patient_value("Hello Bartholomew Ostrowski")
        seen["not mine"] = caches.holds_patient_value("Hello Wilhelmina Quarrington")
    worker.join(5)
    assert seen == {"own": True, "not mine": False, "other": True, "other, not mine": False}
    assert not caches.holds_patient_value("Hello Bartholomew Ostrowski")  # outside any patient's work


def test_a_timeline_is_kept_for_the_run_only_when_it_shows_no_patient(fonts):
    """A timeline's drawing is kept for the run when no span of it carries a patient value (Span.reserve) and its
    words show no value of the patient at work; else it is laid out afresh, every time."""
    from handouts import caches
    from handouts.model import Span
    from handouts.render import timeline
    from handouts.render.boxes import TextStyle

    style = TextStyle(fonts, 12, 18, "#000000")
    timeline._shared_drawing.cache_clear()
    every = [[Span("Arrive")], [Span("Rest: 30 minutes")]]
    marked = [[Span("Arrive")], [Span("Wilhelmina Quarrington", reserve="Nnnnnnnnnnnnn Nnnnnnnnnnnnnnnn")]]
    unmarked = [[Span("Arrive")], [Span("Wilhelmina Quarrington")]]
    first = timeline._laid_out([Span("Your day")], every, style, 400.0)
    assert timeline._laid_out([Span("Your day")], every, style, 400.0) is first  # kept for the run
    with caches.one_patient(("Wilhelmina Quarrington",)):
        for steps in (marked, unmarked):
            drawn = timeline._laid_out([Span("Your day")], steps, style, 400.0)
            assert drawn == timeline.lay_out_timeline([Span("Your day")], steps, style, 400.0)
    assert timeline._shared_drawing.cache_info().currsize == 1  # neither timeline showing the patient was kept


def test_a_patients_paragraph_tail_kept_for_the_run_shows_no_patient(project, monkeypatch):
    """The words after a patient's value (and their lines) are kept for the run, keyed by that text only: over
    patients whose names share words with the content or run long, no kept tail shows any of them, and each
    packet is the one made with nothing kept."""
    from functools import lru_cache

    from handouts.batch.workers import render_row
    from handouts.load.roster import RosterRow
    from handouts.render import linebreak

    keys: list[str] = []

    def recorded(function):
        def record(tail, *args):
            keys.append(repr(tail))
            return function(tail, *args)
        return lru_cache(maxsize=None)(record)

    words, lines = linebreak._tail_words.__wrapped__, linebreak._tail_lines.__wrapped__
    monkeypatch.setattr(linebreak, "_tail_words", recorded(words))
    monkeypatch.setattr(linebreak, "_tail_lines", recorded(lines))
    names = [("Wilhelmina Quarrington", "Mina"), ("Use This-List", "Box"), ("Дмитрий Жуковский", ""),
             ("Ann " + "Quarringtonwilhelmina" * 4, "Ann")]

    def row(number, name, preferred, layout, language):
        return RosterRow(number, f"P{number}", name, preferred, datetime(2026, 12, 3 + number, 9, 30), layout,
                         DOCUMENTS, "", language)

    made = {}
    for number, (name, preferred) in enumerate(names, 2):
        for layout, language in (("large-print", "en-US"), ("standard", "es-US")):
            made[name, layout] = render_row(row(number, name, preferred, layout, language), project).pdf
    assert keys  # the tails were kept
    for name, preferred in names:
        shown = [key for key in keys if name in key or (preferred and f"'{preferred}" in key)]
        assert not shown, shown
        assert not [key for key in keys if any(part in key for part in name.split() if len(part) > 4)]
    monkeypatch.setattr(linebreak, "_tail_words", words)  # nothing kept: every tail measured and broken afresh
    monkeypatch.setattr(linebreak, "_tail_lines", lines)
    for number, (name, preferred) in enumerate(names, 2):
        for layout, language in (("large-print", "en-US"), ("standard", "es-US")):
            assert render_row(row(number, name, preferred, layout, language), project).pdf == made[name, layout]
