"""A patient's packet: the opening block and each chosen document, as one document."""

from __future__ import annotations

from dataclasses import replace

from ..load.project import Patient, Project
from ..model import Document, PageBreak
from .build import load_document

OPENING = "_packet"  # content/_packet.md: "Prepared for ..., your appointment ..."


def packet_document(project: Project, patient: Patient, appointment, documents: tuple[str, ...]) -> Document:
    parts = [load_document(project, name, patient, appointment) for name in documents]
    titles = [part.title for part in parts]
    opening = load_document(project, OPENING, patient, appointment, documents=titles)
    blocks = list(opening.blocks)
    for part in parts:
        blocks += [PageBreak(), *part.blocks]
    title = f"{opening.title} for {patient.preferred_name}: {'; '.join(titles)}"
    return replace(opening, name="packet", title=title, summary=opening.summary, blocks=blocks)
