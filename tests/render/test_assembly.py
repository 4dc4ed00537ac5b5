"""Packets written from a kept file (render/assembly.py): each is byte for byte the packet rendered whole, a kept
file holds no patient's value, and a packet whose pages drew otherwise is rendered whole."""

import dataclasses
from datetime import datetime

import pytest
from pdfread import conformance_failures, text

from handouts.batch.workers import render_row
from handouts.render import _reportlab, assembly
from hostile_roster import BOTH, ROWS, roster_row

def _values(row) -> set[str]:
    name, preferred, *_ = row
    return {part for part in (name, *name.split(), preferred) if len(part) > 3}


@pytest.fixture
def written(monkeypatch):
    """Packets written from kept files: (row, whether it was) for each packet made."""
    assembly.TEMPLATES.clear()
    seen = []
    original = assembly.assembled

    def watched(*args):
        made = original(*args)
        seen.append(made is not None)
        return made

    monkeypatch.setattr(assembly, "assembled", watched)
    return seen


def _whole(project, monkeypatch, number, row) -> bytes:
    """The packet rendered whole, no file kept or used."""
    with monkeypatch.context() as patch:
        patch.setattr(assembly.TEMPLATES, "most", -1)
        return render_row(roster_row(number, row), project).pdf


def test_a_packet_written_from_a_kept_file_is_the_packet_rendered_whole(project, monkeypatch, written):
    made = {}
    for number, row in enumerate(ROWS * 2, start=2):
        rendered = render_row(roster_row(number, row), project)
        assert rendered.failure is None
        made[number] = rendered.pdf
    assert sum(written) >= len(ROWS)  # most packets written from a kept file (the second round all of them)
    kept = dict(assembly.TEMPLATES._made)
    for number, row in enumerate(ROWS * 2, start=2):
        assert made[number] == _whole(project, monkeypatch, number, row), row[0]
    every_value = {value for row in ROWS for value in _values(row)}
    for variants in kept.values():  # no kept file holds anybody's value, in any way the writer writes text
        for template in variants:
            assert not [value for value in every_value if value in repr(template.signatures)]
            forms = {form for value in every_value for form in _reportlab.written_forms(value)}
            assert not [form for form in forms for data in template.parts.objects if data and form in data]
            assert all(template.parts.objects[number - 1] is None for number in template.holes.numbers)
    for number, row in enumerate(ROWS * 2, start=2):  # what a packet says it took from a kept file names nobody
        kept = made[number].objects.kept
        assert kept or not written[number - 2]
        assert not [value for value in every_value for form in _reportlab.written_forms(value)
                    for n in kept if form in made[number].objects.objects[n - 1]]
    for number, row in enumerate(ROWS, start=2):  # each packet shows its own patient, and nobody else
        shown = " ".join(text(made[number]).split())
        assert row[0] in shown
        others = {value for other in ROWS if other[0] != row[0] for value in _values(other)} - _values(row)
        assert not [value for value in others if value in shown], row[0]


def test_a_packet_written_from_a_kept_file_passes_pdf_ua_and_pdf_a(project, written):
    for number, row in enumerate(ROWS[:2], start=2):
        pdf = render_row(roster_row(number, row), project).pdf
    assert written == [False, True]
    assert conformance_failures(pdf) == []


def test_a_page_that_draws_otherwise_is_rendered_whole(project, monkeypatch, written):
    """A kept file whose pages showing the patient drew anything else (here: one event more) is not used."""
    render_row(roster_row(2, ROWS[0]), project)
    for key, variants in list(assembly.TEMPLATES._made.items()):
        altered = tuple(dataclasses.replace(template, signatures=tuple(
            ((*events, ("mark", ("page", 0))), described, traits)
            for events, described, traits in template.signatures)) for template in variants)
        assembly.TEMPLATES._made[key] = altered
    pdf = render_row(roster_row(3, ROWS[1]), project).pdf
    assert written == [False, False]
    assert pdf == _whole(project, monkeypatch, 3, ROWS[1])


def test_the_pages_drawn_onto_a_kept_file_add_nothing_to_the_structure_tree(project, monkeypatch, written):
    """A packet written from a kept file has the kept file's structure tree: its patient pages say which element
    owns each marked content (the MCIDs in its content, its signature) and attach nothing to its own tree, which is
    never written (`Tagger.tree_kept`). A page that then draws otherwise is rendered whole, on a tree of its own."""
    from handouts.errors import InternalError

    taggers = []
    original = assembly.assembled

    def watched(file_key, drawer, *args):
        made = original(file_key, drawer, *args)
        taggers.append(drawer.tagger)
        return made

    monkeypatch.setattr(assembly, "assembled", watched)
    render_row(roster_row(2, ROWS[0]), project)
    pdf = render_row(roster_row(3, ROWS[1]), project).pdf
    assert written == [False, True]
    tagger = taggers[-1]
    assert tagger.tree_kept and tagger._page_mcids  # marked content drawn and owned, on the pages drawn
    assert tagger.tree.root.elements() == [tagger.tree.root] and not tagger.tree.root.kids  # nothing attached
    with pytest.raises(InternalError):
        tagger.write()
    assert pdf == _whole(project, monkeypatch, 3, ROWS[1])


def test_a_file_whose_kept_objects_would_show_the_patient_is_not_kept(project, monkeypatch, written):
    """The second guard: were the title's dictionary not among the objects made afresh, the file is not kept."""
    holes_of = _reportlab.holes_of

    def without_info(canv, pages):
        holes = holes_of(canv, pages)
        return dataclasses.replace(holes, info=holes.metadata)

    monkeypatch.setattr(_reportlab, "holes_of", without_info)
    render_row(roster_row(2, ROWS[0]), project)
    assert not assembly.TEMPLATES._made


def test_a_packet_rendered_outside_a_patients_work_is_not_kept(project, written):
    """Kept files are checked against the values of the patient at work (`caches.one_patient`): a packet that
    shows a patient, rendered with none at work, is not kept."""
    from handouts.load.project import Patient
    from handouts.pipeline import packet_document, render_checked

    document = packet_document(project, Patient.from_values(ROWS[0][0]), datetime(2026, 12, 3, 9, 30), BOTH)
    render_checked(project, document, project.layouts.load("large-print"), "packet")
    assert not assembly.TEMPLATES._made
