"""Packets for every row of a roster: render in parallel, write safely, report."""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import HandoutsError
from ..load.project import Patient, Project
from ..load.roster import RosterRow, RowProblem, RowRules
from ..render.fonts import FontSet
from .atomic import write_atomically
from .build import render_checked
from .filenames import collision_key, packet_filename
from .packet import packet_document


@dataclass(frozen=True)
class ProjectPaths:
    """What a worker process needs to open the project itself."""

    content: Path
    layouts: Path
    clinic: Path | None


@dataclass
class BatchResult:
    written: list[tuple[RosterRow, Path]] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)


def row_rules(project: Project) -> RowRules:
    fonts = {name: FontSet(project.layouts.load(name).typeface) for name in project.layouts.names()}
    languages = {project.content.load(name).language for name in project.content.names()}

    def uncovered(text: str) -> list[str]:
        return list(dict.fromkeys(ch for f in fonts.values() for ch in f.uncovered(text)))

    return RowRules(tuple(project.layouts.names()), tuple(project.content.names()),
                    sorted(languages)[0] if languages else "en-US", uncovered)


# -- rendering, in this process or in workers ------------------------------
_worker_project: Project | None = None


def _open_worker(paths: ProjectPaths) -> None:
    global _worker_project
    _worker_project = Project.open(paths.content, paths.layouts, paths.clinic)


def render_row(row: RosterRow, project: Project | None = None) -> tuple[RosterRow, bytes | None, str | None]:
    """Render one packet; a problem with it comes back as a reason, not an exception."""
    project = project or _worker_project
    try:
        layout = project.layouts.load(row.layout)
        patient = Patient.from_values(row.name, row.preferred_name)
        document = packet_document(project, patient, row.appointment, row.documents)
        return row, render_checked(project, document, layout, "packet"), None
    except HandoutsError as exc:
        return row, None, exc.message


def render_rows(rows: list[RosterRow], project: Project, paths: ProjectPaths, jobs: int):
    """Yield (row, pdf, reason) in roster order."""
    if jobs <= 1:
        for row in rows:
            yield render_row(row, project)
        return
    context = multiprocessing.get_context("fork" if hasattr(os, "fork") else "spawn")
    with context.Pool(jobs, initializer=_open_worker, initargs=(paths,)) as pool:
        # A list, not a generator: the pool's feeder thread only hands out rows, it computes nothing.
        yield from pool.imap(render_row, rows, chunksize=4)


def plan_files(rows: list[RosterRow], out_dir: Path, names_in_files: bool = False,
               ) -> tuple[list[tuple[RosterRow, Path]], list[RowProblem]]:
    """Each row's packet path; rows whose names would collide on some file system get none."""
    paths = {row.number: out_dir / packet_filename(row.patient_id, row.appointment,
                                                   row.name if names_in_files else None) for row in rows}
    groups: dict[str, list[RosterRow]] = {}
    for row in rows:
        groups.setdefault(collision_key(paths[row.number].name), []).append(row)
    planned, problems = [], []
    for row in rows:
        group = groups[collision_key(paths[row.number].name)]
        if len(group) == 1:
            planned.append((row, paths[row.number]))
            continue
        others = ", ".join(str(other.number) for other in group if other is not row)
        problems.append(RowProblem(row.number, row.patient_id, "patient_id",
                                   f"its packet's file name is the same as row {others}'s on Windows and macOS "
                                   "(the ids differ only in letter case); give each patient a distinct id"))
    return planned, problems


def run_batch(project: Project, paths: ProjectPaths, planned: list[tuple[RosterRow, Path]], *, jobs: int,
              progress: Callable[[int], None] = lambda n: None) -> BatchResult:
    """Render and write the planned packets; rows that fail to render become problems."""
    result = BatchResult()
    targets = {row.number: path for row, path in planned}
    for row, pdf, reason in render_rows([row for row, _ in planned], project, paths, jobs):
        if pdf is None:
            result.problems.append(RowProblem(row.number, row.patient_id, "packet", reason))
        else:
            write_atomically(targets[row.number], pdf)
            result.written.append((row, targets[row.number]))
        progress(1)
    return result
