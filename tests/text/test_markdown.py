import pytest
from conftest import raised

from handouts.errors import ContentError
from handouts.pipeline import load_document
from handouts.model import (
    MAX_LIST_DEPTH,
    MAX_QUOTE_DEPTH,
    MAX_TIMELINE_STEPS,
    Callout,
    Heading,
    ListBlock,
    Paragraph,
    Timeline,
    TimelineStep,
    plain_text,
    walk,
)


def outline(document):
    rows = []
    for node in walk(document.blocks):
        kind = type(node).__name__
        spans = getattr(node, "spans", None)
        rows.append((kind, plain_text(spans) if spans is not None else None))
    return rows


def test_sample_outline(sample_project):
    document = load_document(sample_project, "sample")
    kinds = [k for k, _ in outline(document)]
    assert kinds[:4] == ["Heading", "Heading", "Paragraph", "Heading"]
    headings = [(b.level, plain_text(b.spans)) for b in walk(document.blocks) if isinstance(b, Heading)]
    assert headings == [(1, "Sample handout for tests"), (2, "First section"), (3, "A smaller heading"),
                        (2, "Checklist part")]


def test_tasks_write_ins_and_callout(sample_project):
    document = load_document(sample_project, "sample")
    items = [n for n in walk(document.blocks) if type(n).__name__ == "ListItem"]
    tasks = [(plain_text(i.spans), i.task, i.write_in) for i in items if i.task is not None]
    assert tasks == [("Arrange a ride home", False, False), ("Read this sheet", True, False),
                     ("Driver's name:", False, True)]
    assert any(isinstance(b, Callout) for b in document.blocks)
    write_ins = [plain_text(b.spans) for b in walk(document.blocks) if isinstance(b, Paragraph) and b.write_in]
    assert write_ins == ["Appointment date and time:", "Name:"]


def test_nested_list_and_numbers(sample_project):
    document = load_document(sample_project, "sample")
    lists = [b for b in walk(document.blocks) if isinstance(b, ListBlock)]
    bullets = lists[0]
    assert [plain_text(i.spans) for i in bullets.items] == ["First bullet", "Second bullet", "Third bullet"]
    assert plain_text(bullets.items[1].children[0].items[0].spans) == "Nested bullet"
    assert lists[2].ordered and lists[2].start == 1


def test_emphasis_is_bold_never_italic(make_project):
    document = load_document(make_project(doc="---\ntitle: T\n---\nsome *soft* and _soft_ words\n"), "doc")
    spans = document.blocks[1].spans
    assert [(s.text, s.bold) for s in spans] == [("some ", False), ("soft", True), (" and ", False),
                                                 ("soft", True), (" words", False)]


def test_links_keep_their_target(sample_project):
    document = load_document(sample_project, "sample")
    links = {s.href for n in walk(document.blocks) for s in getattr(n, "spans", []) if s.href}
    assert links == {"https://clinic.example/info", "tel:+15125550100"}


@pytest.mark.parametrize("body,message", [
    ("```\ncode\n```\n", "a code block is not supported"),
    ("    indented code\n", "indented code is not supported"),
    ("text\n\n---\n\nmore\n", "a horizontal rule is not supported"),
    ("[bad](javascript:alert(1))\n", "is not a full https:, http:, tel: or mailto: address"),
    ("![a picture](pic.png)\n", "images are not supported"),
    ("![](pic.png)\n", "images are not supported"),  # with alt text or without: a handout has no images
    ("```python\ncaption: x\n- a\n- b\n```\n", "a code block is not supported"),  # only `timeline` draws
])
def test_unsupported_markdown_is_refused_with_a_line(make_project, body, message):
    project = make_project(doc=f"---\ntitle: T\n---\n{body}")
    with pytest.raises(ContentError) as info:
        load_document(project, "doc")
    assert message in info.value.message
    assert "doc.md" in info.value.message


def test_skipped_heading_level_is_refused(make_project):
    project = make_project(doc="---\ntitle: T\n---\n## Fine\n\n#### Too deep\n")
    with pytest.raises(ContentError, match=r"doc\.md:6: heading jumps from level 2 to 4; use .###."):
        load_document(project, "doc")


def body_error(make_project, body: str):
    project = make_project(doc=f"---\ntitle: T\n---\n{body}")
    return raised(load_document, project, "doc")


def nested_list(depth: int) -> str:
    return "".join("  " * level + f"- level {level + 1}\n" for level in range(depth))


@pytest.mark.parametrize("body,line", [
    (nested_list(MAX_LIST_DEPTH + 1), 4 + MAX_LIST_DEPTH),
    (nested_list(10), 4 + MAX_LIST_DEPTH),  # deeper than markdown-it parses: refused, never dropped
    ("Intro.\n\n" + "> " * (MAX_QUOTE_DEPTH + 1) + "deep\n", 6),
    ("> " * 18 + "very deep\n", 4),
    ("> " * 30 + "deeper than markdown-it parses\n", 4),
    ("1. one\n   - two\n     > in a box\n     > > in two\n     > >\n     > > > in three\n", 9),
])
def test_nesting_beyond_the_limits_is_refused_with_its_line(make_project, body, line):
    finding = body_error(make_project, body).finding
    assert (finding.rule, finding.line) == ("nesting-too-deep", line)
    assert finding.hint


def test_nesting_up_to_the_limits_keeps_every_word(make_project):
    body = nested_list(MAX_LIST_DEPTH) + "\n" + "> " * MAX_QUOTE_DEPTH + "in two boxes\n"
    document = load_document(make_project(doc=f"---\ntitle: T\n---\n{body}"), "doc")
    texts = [text for kind, text in outline(document) if text]
    assert texts == ["T", *(f"level {n}" for n in range(1, MAX_LIST_DEPTH + 1)), "in two boxes"]


@pytest.mark.parametrize("body,line,words", [
    ("Intro.\n\n| a | b |\n|---|---|\n| 1 | 2 |\n", 6, "a table"),
    ("a | b\n--|--\n", 4, "a table"),
    ("Intro line\n| a | b | c |\n| --- | :-: |\n", 5, "a table"),  # columns that do not line up
    ("- item\n\n  | x | y |\n  |---|---|\n", 6, "a table"),
    ("some <b>bold</b> text\n", 4, "raw HTML"),
    ("Intro.\n\n<div>\nblock\n</div>\n", 6, "raw HTML"),
    ("text <span class='x'>here</span>\n", 4, "raw HTML"),
    ("Intro.\n\n<!-- a note -->\n", 6, "an HTML comment"),
    ("Text <!-- a note --> more\n", 4, "an HTML comment"),
    ("Line one\nline <br> two\n", 5, "raw HTML"),
    ("Call [us] (tel:911) now.\n", 4, "link has a space between ']' and '('"),
    ("Intro.\n\nRead [our site](https://clinic.example\n", 6, "link has no closing ')'"),
    ("See (https://clinic.example)[here].\n", 4, "link is written backwards"),
    ("Intro.\n\nA [link](clinic.example) without a scheme.\n", 6, "is not a full https:, http:, tel: or mailto:"),
])
def test_tables_html_and_broken_links_are_refused_with_their_line(make_project, body, line, words):
    error = body_error(make_project, body)
    assert isinstance(error, ContentError)
    assert error.finding.line == line and words in error.finding.message
    assert error.finding.source.endswith("doc.md")


@pytest.mark.parametrize("body,printed", [
    ("Wait less than <3 hours.\n", "Wait less than <3 hours."),
    ("Pick a | b for the form.\n", "Pick a | b for the form."),
    ("If x < y and y > z, rest.\n", "If x < y and y > z, rest."),
    ("Write to <care@clinic.example> or <https://clinic.example>.\n",
     "Write to care@clinic.example or https://clinic.example."),
    ("Pain 4/10 -> 2/10 | better\n", "Pain 4/10 -> 2/10 | better"),
    ("- [ ] (optional) a snack\n", "(optional) a snack"),
    ("Section 1 | Section 2\n\nText.\n", "Section 1 | Section 2"),
])
def test_ordinary_angle_brackets_and_pipes_print_as_typed(make_project, body, printed):
    document = load_document(make_project(doc=f"---\ntitle: T\n---\n{body}"), "doc")
    assert printed in [text for _, text in outline(document)]


def test_values_never_count_as_html_or_tables(make_project):
    from handouts.load.project import Patient

    project = make_project(doc="---\ntitle: T\n---\nFor {{ patient.name }}.\n")
    document = load_document(project, "doc", Patient.from_values("<b>Ana</b> | x <!-- y -->"))
    assert "For <b>Ana</b> | x <!-- y -->." in [text for _, text in outline(document)]


def test_a_bad_link_target_never_shows_a_value(make_project):
    from handouts.load.project import Patient

    project = make_project(doc="---\ntitle: T\n---\n[Your page](clinic:{{ patient.name }})\n")
    error = raised(load_document, project, "doc", Patient.from_values("Jack Smith"))
    assert error.finding.rule == "link-target" and "Jack" not in str(error)
    assert "link target 'clinic:{{ … }}'" in error.finding.message


# -- timelines: a ```timeline block is a picture of steps in order -------------------------------------------

TIMELINE = """---
title: T
---
## On the day

```timeline
caption: What happens on {{ clinic.name }} day

- Arrive
-   IV   in your arm
* Rest: {{ patient.preferred_name }} rests
```

After.
"""


def test_a_timeline_block_becomes_a_timeline_with_its_caption_and_steps(make_project):
    """Values fill the caption and steps (the fill runs before parsing), spaces are tidied, blank lines skipped,
    and every step keeps its own line in the file."""
    from handouts.load.project import Patient

    document = load_document(make_project(doc=TIMELINE), "doc", Patient.from_values("Ann Example", "Ann"))
    timeline = document.blocks[2]
    assert isinstance(timeline, Timeline) and timeline.line == 6
    assert plain_text(timeline.spans) == "What happens on Test Clinic day"
    assert [(plain_text(step.spans), step.line) for step in timeline.steps] == [
        ("Arrive", 9), ("IV in your arm", 10), ("Rest: Ann rests", 11)]
    assert [type(node) for node in walk(document.blocks)][2:6] == [Timeline, TimelineStep, TimelineStep,
                                                                    TimelineStep]
    assert isinstance(document.blocks[3], Paragraph) and plain_text(document.blocks[3].spans) == "After."


def test_markdown_in_a_timeline_prints_as_typed(make_project):
    body = "---\ntitle: T\n---\n```timeline\ncaption: **Day** <b>\n- [Call](tel:911)\n- a_b_\n```\n"
    timeline = load_document(make_project(doc=body), "doc").blocks[1]
    assert plain_text(timeline.spans) == "**Day** <b>"
    assert [plain_text(step.spans) for step in timeline.steps] == ["[Call](tel:911)", "a_b_"]
    assert all(span.href is None and not span.bold for node in walk([timeline]) for span in node.spans)


@pytest.mark.parametrize("fence,line,words", [
    ("- a\n- b", 4, "a timeline has no caption"),
    ("caption:   \n- a\n- b", 4, "a timeline has no caption"),
    ("caption: Day", 4, "a timeline has no steps"),
    ("caption: Day\n- one", 4, "a timeline has 1 step (it needs 2 or more)"),
    ("caption: Day\n" + "- step\n" * (MAX_TIMELINE_STEPS + 1), 4, f"at most {MAX_TIMELINE_STEPS} fit"),
    ("caption: Day\n- a\n-\n- b", 7, "a timeline step is empty"),
    ("caption: Day\n- a\nArrive early\n- b", 7, "neither its caption nor a step"),
    ("caption: Day\n- a\ncaption: Night\n- b", 7, "a second caption"),
])
def test_a_timeline_without_caption_or_steps_is_refused_with_its_line(make_project, fence, line, words):
    project = make_project(doc=f"---\ntitle: T\n---\n```timeline\n{fence}\n```\n")
    with pytest.raises(ContentError) as info:
        load_document(project, "doc")
    finding = info.value.finding
    assert (finding.rule, finding.line) == ("timeline", line) and words in finding.message
    assert finding.source.endswith("doc.md") and finding.hint


def test_lines_under_a_write_in_continue_it(make_project):
    body = "Question: ___\n___\n___\n\nNotes: ___\n\n___\n"
    project = make_project(doc=f"---\ntitle: T\n---\n{body}")
    with pytest.raises(ContentError) as info:  # a rule after a blank line is not a line to write on
        load_document(project, "doc")
    assert "a horizontal rule is not supported" in info.value.message and "doc.md:10" in info.value.message
    project = make_project(doc="---\ntitle: T\n---\nQuestion: ___\n___\n___\n\nText.\n***\n")
    with pytest.raises(ContentError) as info:  # nor is any other rule, even right after a line
        load_document(project, "doc")
    assert "doc.md:9" in info.value.message
    project = make_project(doc="---\ntitle: T\n---\nQuestion: ___\n___\n___\n\nDriver: ___\n___\n")
    blocks = [(plain_text(b.spans), b.write_in, b.line) for b in load_document(project, "doc").blocks[1:]]
    assert blocks == [("Question:", True, 4), ("", True, 5), ("", True, 6), ("Driver:", True, 8), ("", True, 9)]
