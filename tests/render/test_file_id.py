"""A PDF's file ID (its trailer's /ID) is derived from everything the file shows: the same inputs give the same
ID, and another patient (one letter of a name), appointment, layout, language, content or page count another."""

import io
from dataclasses import replace
from datetime import datetime

import pikepdf
import pytest
from conftest import APPOINTMENT

from handouts.load.project import Patient
from handouts.model import Span, skeleton_of, span_nodes
from handouts.pipeline import packet_document, render_checked
from handouts.render import pdf as pdf_module

DOCUMENTS = ("infusion-day-checklist",)


def _file_id(data: bytes) -> str:
    with pikepdf.open(io.BytesIO(data)) as pdf:
        first, second = (bytes(part) for part in pdf.trailer.ID)
    assert first == second and len(first) == 16  # 32 hex digits, read as a PDF hex string
    return first.hex()


def _packet(project, name="Ana Lopez", preferred="Ana", appointment=APPOINTMENT, layout="standard",
            language=None, documents=DOCUMENTS):
    document = packet_document(project, Patient.from_values(name, preferred), appointment, documents, language)
    assert skeleton_of(document)  # the ID from the skeleton, not from repr(document)
    return render_checked(project, document, project.layouts.load(layout), "packet")


def test_the_same_inputs_give_the_same_id(project):
    assert _file_id(_packet(project)) == _file_id(_packet(project))


@pytest.mark.parametrize("change", [
    {"name": "Ana Lopes"},                        # one letter of the name
    {"preferred": "Ane"},                         # one letter of the preferred name (the title shows it)
    {"name": "Bna Lopez", "preferred": "Bna"},    # one letter, both
    {"appointment": datetime(2026, 12, 3, 9, 45)},
    {"appointment": datetime(2026, 12, 4, 9, 30)},
    {"layout": "large-print"},
    {"language": "es-US"},
    {"documents": ("infusion-day-checklist", "fibromyalgia-ketamine")},
], ids=lambda change: ",".join(change))
def test_anything_the_file_shows_changes_the_id(project, change):
    assert _file_id(_packet(project, **change)) != _file_id(_packet(project))


def test_a_value_moved_from_one_span_to_the_next_changes_the_id(project):
    """A patient's value shows in spans with a reserve: their texts with their places are in the ID, so a letter
    moved between such a span and the next is another ID, though the text read in order is the same."""
    document = packet_document(project, Patient.from_values("Ana Lopez", "Ana"), APPOINTMENT, DOCUMENTS)
    layout = project.layouts.load("standard")
    block = next(node for node in span_nodes(document.blocks)
                 if any(span.reserve is not None for span in node.spans[:-1]))
    at = next(index for index, span in enumerate(block.spans[:-1]) if span.reserve is not None)
    a, b = block.spans[at], block.spans[at + 1]
    before, text = pdf_module._document_digest(document, layout, 3), "".join(s.text for s in block.spans)
    block.spans[at], block.spans[at + 1] = replace(a, text=a.text[:-1]), replace(b, text=a.text[-1:] + b.text)
    assert "".join(s.text for s in block.spans) == text
    assert pdf_module._document_digest(document, layout, 3) != before


def test_the_id_is_the_skeletons_content_the_fields_and_the_patients_spans(project):
    """What the ID is made from, pinned: the skeleton's content digest, the document's fields, and each span that
    holds a patient's value or a link target; a span that holds neither is the skeleton's (model.Skeleton)."""
    document = packet_document(project, Patient.from_values("Ana Lopez", "Ana"), APPOINTMENT, DOCUMENTS)
    layout = project.layouts.load("standard")
    before = pdf_module._document_digest(document, layout, 3)
    for field, value in (("title", document.title + "x"), ("summary", "x"), ("language", "es-US"),
                         ("name", "other")):
        assert pdf_module._document_digest(replace(document, **{field: value}), layout, 3) != before, field
    other = replace(document.skeleton, content=document.skeleton.content[:-1] + "0")
    assert other.content != document.skeleton.content
    assert pdf_module._document_digest(replace(document, skeleton=other), layout, 3) != before
    for node in span_nodes(document.blocks):  # every value of the patient's shows in a span with a reserve
        for index, span in enumerate(node.spans):
            if span.reserve is not None:
                node.spans[index] = replace(span, text=span.text.replace("Ana", "Ane"))
    assert pdf_module._document_digest(document, layout, 3) != before


def test_the_page_count_and_a_link_target_are_in_the_id(project):
    document = packet_document(project, Patient.from_values("Ana Lopez", "Ana"), APPOINTMENT, DOCUMENTS)
    layout = project.layouts.load("standard")
    before = pdf_module._document_digest(document, layout, 3)
    assert pdf_module._document_digest(document, layout, 4) != before
    linked = next(span for block in document.blocks[0].blocks for span in getattr(block, "spans", ()) if span.href)
    spans = next(block.spans for block in document.blocks[0].blocks if linked in getattr(block, "spans", ()))
    spans[spans.index(linked)] = replace(linked, href=linked.href + "x")
    assert pdf_module._document_digest(document, layout, 3) != before


def test_a_document_without_a_skeleton_is_identified_by_its_repr(project):
    document = packet_document(project, Patient.from_values("Ana Lopez", "Ana"), APPOINTMENT, DOCUMENTS)
    copy = replace(document, blocks=list(document.blocks))  # other blocks: no skeleton (model.skeleton_of)
    assert skeleton_of(copy) is None
    layout = project.layouts.load("standard")
    data = render_checked(project, copy, layout, "packet")
    import hashlib

    expected = hashlib.sha256(repr((copy, layout.name, layout.body_size, data.pages)).encode()).hexdigest()[:32]
    assert _file_id(data) == expected
    assert _file_id(data) != _file_id(render_checked(project, document, layout, "packet"))
    copy.blocks[0].blocks.insert(0, type(copy.blocks[0].blocks[-1])([Span("One more line.")]))
    assert _file_id(render_checked(project, copy, layout, "packet")) != _file_id(data)


def test_the_same_content_in_another_folder_makes_the_same_file_and_other_content_another_id(project, tmp_path):
    """The skeleton's key holds where the source files are; the file ID does not (Skeleton.content)."""
    import shutil

    from conftest import REPO

    from handouts.load.project import Project

    shutil.copytree(REPO / "content", tmp_path / "content")
    elsewhere = Project.open(tmp_path / "content", REPO / "layouts")
    assert _packet(elsewhere) == _packet(project)
    path = tmp_path / "content" / "infusion-day-checklist.md"
    source = path.read_text(encoding="utf-8")
    assert "\n## On infusion day\n" in source  # a heading one level lower: the same spans, another structure
    path.write_text(source.replace("\n## On infusion day\n", "\n### On infusion day\n"), encoding="utf-8")
    changed = Project.open(tmp_path / "content", REPO / "layouts")
    assert _file_id(_packet(changed)) != _file_id(_packet(project))


def test_every_row_of_the_hostile_roster_has_its_own_id_and_the_same_row_the_same(project):
    """Names of equal length a letter apart, other scripts, both languages, every layout, document subsets: each
    row's packet its own ID (their appointments on one day too); the same row again (written from a kept file)
    the same ID."""
    from hostile_roster import ROWS, roster_row

    from handouts.batch.workers import render_row
    from handouts.render import assembly

    assembly.TEMPLATES.clear()
    for step in (1, 5):  # appointments on five days, then all on one (roster_row: the day from the line number)
        made = [[_file_id(render_row(roster_row(2 + step * number, row), project).pdf) for _ in range(2)]
                for number, row in enumerate(ROWS)]
        assert all(first == second for first, second in made)
        assert len({first for first, _ in made}) == len(ROWS)


def test_the_spans_render_checked_hands_over_give_the_id_the_document_gives(project):
    """`render_checked` hands `render_pdf` the spans it walked already: the file ID is the one the document's own
    spans give, for each patient (and another for another)."""
    layout = project.layouts.load("standard")
    ids = []
    for name, preferred in (("Ana Lopez", "Ana"), ("Bo Chen", "Bo")):
        document = packet_document(project, Patient.from_values(name, preferred), APPOINTMENT, DOCUMENTS)
        data = render_checked(project, document, layout, "packet")
        assert _file_id(data) == pdf_module._document_digest(document, layout, data.pages)
        ids.append(_file_id(data))
    assert ids[0] != ids[1]
