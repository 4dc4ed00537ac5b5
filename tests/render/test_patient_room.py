"""A patient's value cannot move the pages after it: the paragraph that shows it is paginated in the room of the
value's reserve (a long name, the longest appointment in words), where that is taller, and what follows it on its
own page closes up. Which text shows a patient's value is known from the tokens it was filled with
(tests/text/test_patient_values.py)."""

import io
from datetime import datetime

import pikepdf
from pdfread import conformance_failures, reader

from handouts.load.project import Patient
from handouts.pipeline import NAME_RESERVE, packet_document, render_checked

DOCUMENTS = ("infusion-day-checklist", "fibromyalgia-ketamine")
SHORT = ("Al Li", "Al", datetime(2026, 12, 1, 9, 0))
LONG = ("Wilhelmina Quarrington-Smythe", "Wilhelmina", datetime(2026, 9, 30, 12, 30))  # the longest appointment


def _packet(project, patient, layout: str, language=None) -> bytes:
    name, preferred, when = patient
    document = packet_document(project, Patient.from_values(name, preferred), when, DOCUMENTS, language)
    return render_checked(project, document, project.layouts.load(layout), "packet")


def _streams(pdf: bytes) -> list[bytes]:
    with pikepdf.open(io.BytesIO(pdf)) as document:
        return [page.Contents.read_bytes() for page in document.pages]


def test_only_the_pages_that_show_a_patient_differ_between_a_short_and_a_long_patient(project):
    """Unless the reserve's room would cost a page or leave one short (paginate: then that document is laid out
    for the patient), which happens in one packet of the six today."""
    kept = 0
    for layout in ("standard", "large-print", "extra-large"):
        for language in (None, "es"):
            short, long = _packet(project, SHORT, layout, language), _packet(project, LONG, layout, language)
            texts = [page.extract_text() for page in reader(long).pages]
            showing = {i for i, text in enumerate(texts) if "Wilhelmina" in text}
            assert len(showing) == 3  # the opening, and each document's greeting
            first, second = _streams(short), _streams(long)
            if len(first) != len(second):
                continue
            differ = {i for i, (a, b) in enumerate(zip(first, second)) if a != b}
            assert differ == showing, (layout, language, sorted(differ))
            kept += 1
    assert kept >= 4


def test_a_value_longer_than_its_reserve_is_laid_out_for_that_patient_whole(project):
    name = f"{NAME_RESERVE} {NAME_RESERVE}"
    pdf = _packet(project, (name, "Nnnnnnnnnnnnnnnnnnnnnnnnnn", SHORT[2]), "extra-large")
    assert not conformance_failures(pdf)
    shown = " ".join(" ".join(page.extract_text() for page in reader(pdf).pages).split())
    assert f"Prepared for {name}." in shown
    assert "Nnnnnnnnnnnnnnnnnnnnnnnnnn, use this list" in shown
