"""Font sets: coverage, fallback, and caches that hold nothing they should not."""

import gc
import weakref

import pytest

from handouts.errors import LayoutError, UnsupportedCharacterError
from handouts.render.fonts import FontSet


def test_font_sets_compare_by_typeface_and_caches_keep_none_alive():
    fonts = FontSet("atkinson-hyperlegible")
    fonts.face_for("word", False), fonts.uncovered("Ωmega 漢")
    ref = weakref.ref(fonts)
    del fonts
    gc.collect()
    assert ref() is None  # no method cache holds the instance
    assert FontSet("atkinson-hyperlegible") == FontSet("atkinson-hyperlegible")


def test_uncovered_characters_come_back_immutable_and_in_order(fonts):
    missing = fonts.uncovered("a 漢 b 😀 漢")
    assert missing == ("漢", "😀")
    with pytest.raises((TypeError, AttributeError)):
        missing.append("x")  # a cached answer cannot be changed by one caller for the next


def test_require_names_the_source_and_line_but_not_the_text(fonts):
    with pytest.raises(UnsupportedCharacterError) as info:
        fonts.require("Name 漢字", "content/a.md", 7)
    finding = info.value.finding
    assert (finding.source, finding.line, finding.rule) == ("content/a.md", 7, "unsupported-character")
    assert "U+6F22" in finding.message and "Name" not in finding.message


def test_an_unknown_typeface_is_a_layout_error():
    with pytest.raises(LayoutError, match="unknown"):
        FontSet("comic-sans")


@pytest.mark.parametrize("bold", [False, True])
def test_the_primary_face_is_found_as_face_runs_finds_it(fonts, bold):
    """The line breaker asks `primary_drawing` before `face_runs` (and that only when it says None): where it
    names a face, `face_runs` names the same."""
    words = ["Jonas,", "ketamine", "Zoë", "Ångström", "Nguyễn", "Дмитрий", "Ελένη", "山田", "محمد", "A\u00a0B", "x→y",
             "naïve—", "", " ", "ﬁne", "Ø", "ß"]
    for word in words:
        primary = fonts.primary_drawing(word, bold)
        runs = fonts.face_runs(word, word, bold)
        if primary is not None:
            assert runs == ((word, primary),), word
    assert fonts.primary_drawing("Ångström", bold) == fonts.faces[bold][0].name
    assert fonts.primary_drawing("Дмитрий", bold) is None
