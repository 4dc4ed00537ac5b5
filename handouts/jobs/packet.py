"""A patient's packet: the opening block and each chosen document, as one document."""

from __future__ import annotations

from dataclasses import replace

from ..load.languages import labels
from ..load.project import Patient, Project
from ..model import Document, PageBreak, Part
from .build import load_document

OPENING = "_packet"  # content/_packet.md: "Prepared for ..., your appointment ..."


def packet_document(project: Project, patient: Patient, appointment, documents: tuple[str, ...],
                    language: str | None = None) -> Document:
    """The packet in one language: every part is that language's edition (the batch has already fallen back to
    English, with a note, for a row whose language lacks one of them: a packet never mixes languages)."""
    parts = [load_document(project, name, patient, appointment, language) for name in documents]
    titles = [part.title for part in parts]
    # The opening lists the documents, each a link ("#name") to where it starts.
    listed = [{"title": part.title, "anchor": name} for name, part in zip(documents, parts)]
    opening = load_document(project, OPENING, patient, appointment, language, documents=listed)
    # Each document is a Part of its own, so a screen reader can move between them and each has one H1.
    blocks: list = [Part(list(opening.blocks))]
    for name, part in zip(documents, parts):
        blocks += [PageBreak(), Part(list(part.blocks), anchor=name)]
    title = labels(opening.language)["packet_title"].format(title=opening.title, name=patient.preferred_name,
                                                             documents="; ".join(titles))
    return replace(opening, name="packet", title=title, summary=opening.summary, blocks=blocks)
