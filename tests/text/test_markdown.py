import pytest

from handouts.errors import ContentError
from handouts.jobs.build import load_document
from handouts.model import Callout, Heading, ListBlock, Paragraph, plain_text, walk


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
