"""`render_checked`'s checks before rendering: the whole document asked at once, each line only when something is
wrong, and the error the one the line-by-line check gave (tested against that check, kept here)."""

import pytest
from conftest import PATIENT, APPOINTMENT

from handouts.errors import ContentError, HandoutsError, UnsupportedCharacterError
from handouts.model import (Callout, Document, Heading, ListBlock, ListItem, PageBreak, Paragraph, Part, Span, Timeline,
                            TimelineStep, plain_text, walk)
from handouts.pipeline import packet_document, render_checked
from handouts.render.fonts import FontSet
from pdfread import text


def _line_by_line(document: Document, typeface: str, where: str) -> None:
    """The check as it was before the whole document was asked at once: each node in reading order."""
    fonts = FontSet(typeface)
    anchors = {block.anchor for block in document.blocks if isinstance(block, Part) and block.anchor}
    for node in walk(document.blocks):
        spans = getattr(node, "spans", None)
        if spans:
            fonts.require(plain_text(spans), where, node.line or None)
            if any(s.href and s.href.startswith("#") and s.href[1:] not in anchors for s in spans):
                raise ContentError("a '#' link goes to no document in this file", source=where,
                                   line=node.line or None, rule="link-target",
                                   hint="'#name' links work in the packet opening, to a document in the packet")


def _document(bad: dict[int, str]) -> Document:
    """A packet-like document with a node on each line 2..11; `bad` puts text (or a link, '#…') on some lines."""

    def spans(line: int) -> list[Span]:
        value = bad.get(line, f"Line {line} is fine, Ελένη.")
        if value.startswith("#"):
            return [Span("See "), Span("the other part", href=value)]
        return [Span("Text: "), Span(value, bold=True)]

    blocks = [Part([Heading(1, spans(2), line=2), Paragraph(spans(3), line=3),
                    ListBlock(False, [ListItem(spans(4), line=4, children=[Paragraph(spans(5), line=5)])], line=4),
                    Callout([Paragraph(spans(6), line=6)], line=6),
                    Timeline(spans(7), [TimelineStep(spans(8), line=8), TimelineStep(spans(9), line=9)], line=7)]),
              PageBreak(), Part([Heading(1, spans(10), line=10), Paragraph(spans(11), line=11)], anchor="other")]
    return Document("packet", "Packet", "handout", "en-US", None, blocks)


CASES = [
    {},
    {6: "#other"},                                  # a link to a part that is there
    {5: "Bad 漢 here"},                              # a character no face draws, in a nested paragraph
    {9: "Step 🙂", 3: "Also ☃ bad"},                  # two lines: the first in reading order is named
    {4: "#nowhere", 8: "漢"},                         # a broken link before a bad character
    {4: "漢字", 8: "#nowhere"},                        # a bad character before a broken link
    {7: "Caption 漢", 2: "#nowhere"},                 # the timeline's caption, after a broken link in the heading
    {7: "Caption 漢漢 字 😀 ☃"},                        # the message names the first three, in order
    {11: "#other", 10: "#missing"},
]


@pytest.mark.parametrize("bad", CASES)
def test_the_checks_refuse_what_the_line_by_line_check_refused_with_the_same_finding(project, bad):
    layout = project.layouts.load("standard")
    document = _document(bad)
    try:
        _line_by_line(document, layout.typeface, "packet")
        expected = None
    except HandoutsError as error:
        expected = error
    if expected is None:
        assert render_checked(project, document, layout, "packet").pages >= 2
        return
    with pytest.raises(type(expected)) as raised:
        render_checked(project, document, layout, "packet")
    assert raised.value.finding == expected.finding and str(raised.value) == str(expected)
    assert raised.value.finding.line in bad


def test_a_patient_value_the_fonts_cannot_draw_names_its_line(project):
    """A value that slipped past the roster's check is still refused, on the line that shows it, and never named."""
    from handouts.load.project import Patient

    layout = project.layouts.load("standard")
    patient = Patient.from_values("Ana 漢 Test", "Ana 漢")
    document = packet_document(project, patient, APPOINTMENT, ("infusion-day-checklist",))
    with pytest.raises(UnsupportedCharacterError) as raised:
        render_checked(project, document, layout, "packet")
    with pytest.raises(UnsupportedCharacterError) as line_by_line:
        _line_by_line(document, layout.typeface, "packet")
    assert raised.value.finding == line_by_line.value.finding
    assert "Ana" not in str(raised.value) and raised.value.finding.line


def test_a_document_the_fonts_draw_is_rendered_with_its_text(project):
    layout = project.layouts.load("large-print")
    document = packet_document(project, PATIENT, APPOINTMENT, ("infusion-day-checklist",))
    assert "Jack" in text(render_checked(project, document, layout, "packet"))
