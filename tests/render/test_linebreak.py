"""Line breaking: ragged right, within the width, long words broken, faces per word."""

import itertools

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


# A paragraph that shows the patient's value is broken with the words after the value (its tail: every patient's)
# measured once for the run, and the lines from where a line starts among them kept too (`_patient_break_lines`).
# It must break exactly as the plain breaker does, for any name, wherever the value stands.
HOSTILE_NAMES = [
    "Jo", "Ann Alpha", "Ann  Alpha", "Ann\u00a0Alpha", "Zoë Ångström", "Nguyễn Thị Minh Khai", "Дмитрий Иванов",
    "Ελένη Π.", "山田 太郎", "محمد علي", "Wilhelminaquarringtonhyphenated" * 3, "O'Neil-Smythe/Jones",
    "Mary-Kate Smith-Jones", "9:30 AM", "Anne (512) 555-0100", "María José de la Cruz-Fernández",
]
TEMPLATES = [
    "{v}, use this list to get ready for your ketamine infusion (medicine given slowly through a vein). Check each "
    "box when it is done.",
    "Prepared for {v}.",
    "Your appointment is on December 22, 2026 at 9:30 AM with {v}; call (512) 555-0100 or come at 10:30 AM any "
    "day before it.",
    "Dear {v}  \n  see you soon, {v}, at the clinic on the second floor.\nBring a friend who drives.\n",
    "{v}",
    "Hello {v}\nhttps://clinic.example/" + "/".join(["segment"] * 9) + " and then a few more words to wrap.",
    "{v}9:30 AM is when we start, and {v}the end",
]


def _paragraphs(name: str):
    for template in TEMPLATES:
        text = template.format(v=name)
        yield [Span(text)]
        at = text.find(name)  # the value as a span of its own, bold, and a link after it
        yield [Span(text[:at]), Span(name, bold=True), Span(text[at + len(name):], href="https://clinic.example")]
        yield [Span(text[:at + len(name)]), Span(text[at + len(name):at + len(name) + 3], bold=True),
               Span(text[at + len(name) + 3:])]  # a span ends inside the word after the value


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_a_patients_paragraph_breaks_as_the_plain_breaker_does(fonts, name):
    from handouts.caches import one_patient
    from handouts.render import linebreak

    english = Locale.for_tag("en-US").keep_together
    tails = 0
    for spans in _paragraphs(name):
        for size, max_width, no_break in itertools.product((14.0, 24.0), (60.0, 150.0, 468.0), (None, english)):
            with one_patient((name, "Ann")):
                got = break_lines(spans, fonts, size, max_width, no_break)
                tails += linebreak._tail_of(tuple(spans), no_break) is not None
            assert got == linebreak._break_lines(tuple(spans), fonts, size, max_width, no_break), (
                [s.text for s in spans], size, max_width, no_break is not None)
    assert tails  # the shortcut was taken


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_a_tail_holds_no_value_and_starts_a_word(fonts, name):
    """The key of what is kept for the run is the text after the last value, from a word's start."""
    from handouts.caches import one_patient
    from handouts.render import linebreak

    english = Locale.for_tag("en-US").keep_together
    for spans in _paragraphs(name):
        for no_break in (None, english):
            with one_patient((name,)):
                tail = linebreak._tail_of(tuple(spans), no_break)
            if tail is None:
                continue
            index, start = tail[:2]
            joined = "".join(span.text for span in spans)
            at = sum(len(span.text) for span in spans[:index]) + start  # where the tail starts in the paragraph
            assert at >= joined.rfind(name) + len(name) and name not in repr(tail)
            assert joined[at:] == tail[2] + "".join(text for text, *_ in tail[6])
            words = list(linebreak._words(tuple(spans), no_break, stop=(index, start)))
            rest = list(linebreak._words(tuple(spans), no_break))[len(words):]
            assert [w and [f.text for f in w] for w in words + rest] == \
                   [w and [f.text for f in w] for w in linebreak._words(tuple(spans), no_break)]
            assert [w and [(f.text, f.span) for f in w] for w in rest] == [
                w and [(f.text, f.span) for f in w] for w in linebreak._tail_words(tail, fonts, 14.0)]
