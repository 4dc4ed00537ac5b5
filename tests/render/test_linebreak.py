"""Line breaking: ragged right, within the width, long words broken, faces per word."""

import pytest

from handouts.load.locale import Locale
from handouts.model import Span
from handouts.render.fonts import width
from handouts.render.linebreak import break_lines

SIZE = 18.0


def texts(lines):
    return ["".join(piece.text for piece in line.pieces) for line in lines]


def test_words_fill_each_line_and_never_pass_the_width(fonts):
    spans = [Span("Someone else will drive you home after your infusion at the clinic today.")]
    lines = break_lines(spans, fonts, SIZE, 200.0)
    assert len(lines) > 2
    assert all(line.width <= 200.0 for line in lines)
    assert " ".join(t.strip() for t in texts(lines)) == spans[0].text
    # Ragged right: no line could have taken the next line's first word.
    for line, following in zip(lines, lines[1:]):
        first_word = texts([following])[0].split(" ")[0]
        assert line.width + width(" " + first_word, lines[0].pieces[0].face, SIZE) > 200.0


def test_a_hard_break_ends_the_line(fonts):
    lines = break_lines([Span("First line"), Span("\n"), Span("second line")], fonts, SIZE, 1000.0)
    assert texts(lines) == ["First line", "second line"]


def test_a_word_wider_than_the_line_is_broken_preferably_after_a_slash(fonts):
    url = "https://clinic.example/" + "/".join(["segment"] * 12)
    lines = break_lines([Span(url, href=url)], fonts, SIZE, 150.0)
    assert len(lines) > 3 and all(line.width <= 150.0 for line in lines)
    assert "".join(texts(lines)) == url
    assert sum(t.endswith("/") for t in texts(lines[:-1])) >= len(lines) // 2


def test_a_word_with_no_break_point_is_cut_at_the_width(fonts):
    lines = break_lines([Span("x" * 80)], fonts, SIZE, 100.0)
    assert "".join(texts(lines)) == "x" * 80
    assert all(0 < line.width <= 100.0 for line in lines)


def test_pieces_remember_their_span_so_links_stay_links(fonts):
    spans = [Span("Call "), Span("the clinic", href="tel:+15125550142"), Span(" today.")]
    (line,) = break_lines(spans, fonts, SIZE, 1000.0)
    assert [(p.text, p.span, p.href) for p in line.pieces] == [
        ("Call ", 0, None), ("the clinic", 1, "tel:+15125550142"), (" today.", 2, None)]


@pytest.mark.parametrize("word", ["Ελένη", "Петрова", "Nguyễn"])
def test_a_word_the_primary_face_lacks_is_drawn_whole_in_the_fallback(fonts, word):
    (line,) = break_lines([Span(f"Hello {word} there")], fonts, SIZE, 1000.0)
    faces = {p.text.strip(): p.face for p in line.pieces}
    assert faces[word].startswith("NotoSansHandouts")
    assert all(face.startswith("AtkinsonHyperlegible") for text, face in faces.items() if text != word)


def test_the_same_text_breaks_the_same_way(fonts):
    spans = [Span("A steady sentence that wraps across a few short lines of text.")]
    assert break_lines(spans, fonts, SIZE, 180.0) == break_lines(list(spans), fonts, SIZE, 180.0)


@pytest.mark.parametrize("unit", ["9:30 AM", "December 3, 2026", "(512) 555-0142", "TX 78700"])
def test_times_dates_phones_and_zip_codes_never_break_inside(fonts, unit):
    text = "Come on Thursday, December 3, 2026 at 9:30 AM to Austin, TX 78700, or call (512) 555-0142 first."
    english = Locale.for_tag("en-US").keep_together
    for max_width in range(200, 420, 7):  # each unit fits a line this wide
        lines = texts(break_lines([Span(text)], fonts, SIZE, float(max_width), english))
        assert any(unit in line for line in lines), (max_width, lines)


def test_a_spanish_date_never_breaks_inside(fonts):
    text = "Su cita es el martes, 1 de diciembre de 2026, 9:30 a.m. en la clínica."
    spanish = Locale.for_tag("es-US").keep_together
    for max_width in range(260, 420, 7):
        lines = texts(break_lines([Span(text)], fonts, SIZE, float(max_width), spanish))
        assert any("1 de diciembre de 2026" in line for line in lines), (max_width, lines)
        assert any("9:30 a.m." in line for line in lines), (max_width, lines)


def test_what_stays_together_is_the_languages_own(fonts):
    # The English file keeps an English date together; a Spanish one is words like any other in English.
    text = "Su cita es el martes, 1 de diciembre de 2026, 9:30 a.m. en la clínica."
    english = Locale.for_tag("en-US").keep_together
    split = [texts(break_lines([Span(text)], fonts, SIZE, float(width), english)) for width in range(260, 420, 7)]
    assert any(not any("1 de diciembre de 2026" in line for line in lines) for lines in split)
