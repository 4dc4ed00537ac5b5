"""A packets run from start to end, for any face (the command line, the console).

`prepare_packets` checks everything before anything is written: where the
run writes, the roster, the selection, sign-off. `write_packets` renders and
writes the packets (the print job alongside), and however it ends, with every
packet, a stop, a full disk or Ctrl-C, settles the folder: the earlier print
job goes if it no longer matches, and the manifest lists what is there.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from .. import interrupts
from ..errors import Finding, HandoutsError
from ..files.outputs import remove_stale
from ..load.profile import sample_fields
from ..load.project import Project
from ..load.roster import RowProblem
from ..load.signoff import require_approved
from ..pipeline import OPENING
from .manifest import Manifest
from .plan import BatchPlan, ProjectPaths, Selection, plan_batch
from .printjob import PrintJob
from .workers import BatchResult, RenderWork, run_batch


@dataclass(frozen=True)
class RunOptions:
    """How a run over the roster goes: chosen once, by the face that starts it."""

    paths: ProjectPaths  # where a worker process opens the project (and whether forms are fillable)
    selection: Selection
    jobs: int = 1
    strict: bool = False  # write nothing unless every row is good and every packet made
    names_in_filenames: bool = False
    allow_draft: bool = False


@dataclass
class PacketsPlan:
    plan: BatchPlan
    out_dir: Path
    notes: list[str] = field(default_factory=list)  # rows left out, drafts allowed, the partial print job

    @property
    def print_job(self) -> Path | None:
        return self.plan.print_job


@dataclass
class PacketsRun:
    """How a run ended: what it wrote, what failed, and why it stopped (if it did)."""

    result: BatchResult
    problems: list[RowProblem]  # the plan's and the render's, in row order
    pages: int | None = None  # the print job's pages, when it was made
    listed: int | None = None  # packets the manifest lists (None: nothing written, the earlier list stands)
    unlisted: Finding | None = None  # why the manifest could not be written
    withdrawn: int = 0  # earlier packets removed: their patient's appointment changed
    removed_print_job: Path | None = None  # an earlier print job that no longer matched
    planned: int = 0

    @property
    def unwritten(self) -> int:
        return self.planned - len(self.result.written)


def prepare_packets(project: Project, roster: Path, out_dir: Path, print_job: Path | None,
                    options: RunOptions) -> PacketsPlan:
    """Everything checked before anything is written; InputError (or another HandoutsError) when it cannot go."""
    plan = plan_batch(project, roster, out_dir, options.selection, print_job, options.names_in_filenames,
                      options.paths.clinic)
    notes = []
    if not options.allow_draft and plan.planned:
        documents = [name for row, _ in plan.planned for name in row.documents]
        notes += require_approved(project.content, [OPENING, *documents], bool(sample_fields(project.clinic)))
    notes += plan.notes
    if plan.print_job is not None and options.selection.ids:
        notes.append(f"this run is for some patients only (--id): its print job is {plan.print_job}, and the "
                     "day's print job is left as it was")
    return PacketsPlan(plan, Path(out_dir), notes)


def refuse_strictly(packets: PacketsPlan) -> Path | None:
    """--strict with bad rows: nothing is written, and an earlier print job goes (it would not match); its path."""
    return packets.print_job if packets.print_job and remove_stale(packets.print_job) else None


def write_packets(project: Project, packets: PacketsPlan, options: RunOptions,
                  progress: Callable[[int], None] = lambda n: None) -> PacketsRun:
    """Render and write every planned packet, the print job alongside, then settle the folder."""
    plan = packets.plan
    manifest = Manifest(packets.out_dir)
    if manifest.note:
        packets.notes.append(manifest.note)
    if plan.planned:
        manifest.reserve(plan.planned)  # before the first packet: a disk that fills up still takes the list
    run = PacketsRun(BatchResult(), [], planned=len(plan.planned))
    progress(len(plan.problems))
    try:
        run.pages = _render_and_write(project, plan, options, run.result, progress)
    except KeyboardInterrupt:  # outside the packets' loop (the print job's end): what was written stands
        run.result.interrupted = True
    finally:
        _settle(manifest, run, plan.print_job if run.pages is None else None)
    run.problems = sorted(plan.problems + run.result.problems, key=lambda p: p.number)
    return run


def _render_and_write(project: Project, plan: BatchPlan, options: RunOptions, result: BatchResult,
                      progress: Callable[[int], None]) -> int | None:
    """The packets into `result`; the print job's page count, if it was made.

    The print job is written while the packets are made (each joins it once written); it gets its name only
    when the run is complete, else its temporary file goes."""
    pages = None
    with PrintJob(plan.print_job) if plan.print_job else contextlib.nullcontext() as job:
        joined = (lambda rendered, path: job.add(_label(rendered.row), rendered.fragment)) \
            if job else (lambda rendered, path: None)
        run_batch(project, options.paths, plan.planned, jobs=options.jobs, strict=options.strict, progress=progress,
                  written=joined, result=result, work=RenderWork(options.paths.forms, print_job=job is not None))
        complete = result.stopped is None and not result.interrupted and not (options.strict and result.problems)
        if job and result.written and complete:
            try:
                pages = job.finish()
            except HandoutsError as exc:  # a full disk at the job's end: the run stops with its summary
                result.stopped = exc.finding
    return pages


def _label(row) -> str:
    """A packet's bookmark in the print job: its patient id and appointment, never a name."""
    return f"{row.patient_id} ({row.appointment:%Y-%m-%d %H:%M})"


def _settle(manifest: Manifest, run: PacketsRun, stale_print_job: Path | None) -> None:
    """However the run ended: an earlier print job this run did not replace goes, and the manifest lists the
    folder as it now is. A second Ctrl-C waits until both are done."""
    with interrupts.held():
        if stale_print_job and remove_stale(stale_print_job):
            run.removed_print_job = stale_print_job
        try:
            if run.result.written:
                run.listed = manifest.write(run.result.written)
                run.withdrawn = manifest.withdrawn
        except HandoutsError as exc:
            run.unlisted = exc.finding
        finally:
            manifest.close()
