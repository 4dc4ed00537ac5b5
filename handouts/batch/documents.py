"""`handouts build`: documents, blank or for one patient, written into the output folder by layout."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from ..files.atomic import write_atomically
from ..load.project import Patient, Project
from ..pipeline import render_document

PERSONALIZED = "personalized"  # the folder, inside the output folder, for documents made for one patient


@dataclass(frozen=True)
class BuiltFile:
    path: Path
    pages: int
    size: int


def build_files(project: Project, names, layout_names, out_dir: Path, patient: Patient | None = None,
                appointment: datetime | None = None, forms: bool = True) -> list[BuiltFile]:
    """Every document (default: all) in every layout (default: all) to out_dir/<layout>/<name>.pdf.

    Personalized documents go to out_dir/personalized/<layout>/<name>.pdf, never over the blank handouts.
    `forms=False` prints checkboxes and lines to write on instead of fillable fields.
    """
    names = list(dict.fromkeys(names)) or project.content.names()  # a name given twice is built once
    if patient is not None:
        out_dir = Path(out_dir) / PERSONALIZED
    layouts = [project.layouts.load(name) for name in (layout_names or project.layouts.names())]
    for name in names:
        project.content.load(name)  # unknown names fail before anything is written
    # Render everything before writing anything: one bad document leaves no partial set behind.
    rendered = [(Path(out_dir) / layout.name / f"{name}.pdf",
                 render_document(project, name, layout, patient, appointment, forms=forms))
                for layout in layouts for name in names]
    for path, pdf in rendered:
        write_atomically(path, pdf)
    return [BuiltFile(path, pdf.pages, len(pdf)) for path, pdf in rendered]
