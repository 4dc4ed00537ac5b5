"""Packets for every row of a roster: render in parallel, write safely, report."""

from __future__ import annotations

import gc
import multiprocessing
import multiprocessing.pool
import os
import shutil
import tempfile
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Protocol

from .. import interrupts
from ..caches import one_patient
from ..errors import (
    ContentError,
    Finding,
    HandoutsError,
    LayoutError,
    OutputError,
    ProfileError,
    UnsupportedCharacterError,
)
from ..files.atomic import STAGING_PREFIX, write_atomically
from ..load.project import Patient, Project
from ..load.roster import RosterRow, RowProblem
from ..pipeline import packet_document, render_checked, shown_values
from .plan import ProjectPaths


@dataclass
class BatchResult:
    written: list[tuple[RosterRow, Path]] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)
    stopped: Finding | None = None  # why the run stopped early, if it did
    interrupted: bool = False  # Ctrl-C: what was written until then is in `written`


_worker_project: Project | None = None  # a worker process's own project, opened once
_worker_task: Callable | None = None  # what the worker does with each row it is given, made once


PATIENT_SOURCES = ("patient name", "preferred name")


class RowWork(Protocol):
    """What a worker does with each row: `start(project)`, once a process, gives the function that takes
    one item (a roster row, or what a run makes of one) to its result. It is handed to the worker processes
    when they start (picklable), and holds nothing of a patient: the function it gives keeps nothing of one
    item for the next (each item's work runs inside `caches.one_patient`)."""

    def start(self, project: Project) -> Callable: ...


@dataclass(frozen=True)
class RenderWork:
    """A packet for each row: `render_row`; with `print_job`, also its share of the print job, made here from the
    objects the writer wrote (`printjob.fragment_of`) so that the parent, which writes the job alone, only renumbers
    and copies bytes."""

    forms: bool = True
    print_job: bool = False

    def start(self, project: Project) -> Callable[[RosterRow], Rendered]:
        # The shared objects (fonts, their maps, form XObjects) this process sent the job, by digest, and the entries
        # it asked the job to hold: a run's, never a patient's (printjob.fragment_of, printjob.SentToJob).
        sent = None
        if self.print_job:
            from .printjob import SentToJob  # only a run with a print job needs it

            sent = SentToJob()
        return partial(render_row, project=project, forms=self.forms, print_job=self.print_job, sent=sent)


def _open_worker(paths: ProjectPaths, work: RowWork | None = None) -> None:
    global _worker_project, _worker_task
    interrupts.ignored()  # Ctrl-C reaches every process in the terminal's group: the main one answers it
    _worker_project = Project.open(paths.content, paths.layouts, paths.clinic)
    _worker_task = (work or RenderWork(paths.forms)).start(_worker_project)
    settle_for_packets()


def settle_for_packets() -> None:
    """Move what the worker made to start (the project, fonts, modules) out of the garbage collector's way:
    it lives as long as the process, and each collection would otherwise walk it again; then collect as a
    process that makes packets should (`RENDER_GC_THRESHOLD`). The benchmarks call it after their warm-up."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*RENDER_GC_THRESHOLD)


# The garbage collector's thresholds while packets are made. A packet's boxes, pages and structure elements are
# a few thousand objects alive at once; at Python's default (700) the young generation is walked ~4 times a
# packet, through all of them. At 20,000 it is walked about once: 13.4 -> 12.2 ms of CPU a warm packet (medians,
# four alternating rounds of 150 packets), for a few MB more between collections.
RENDER_GC_THRESHOLD = (20_000, 10, 10)


@contextmanager
def _collecting_for_packets():
    """`RENDER_GC_THRESHOLD` in this process while its rows are made here; the thresholds it had after."""
    before = gc.get_threshold()
    gc.set_threshold(*RENDER_GC_THRESHOLD)
    try:
        yield
    finally:
        gc.set_threshold(*before)


def _run_task(item):
    return _worker_task(item)


@dataclass(frozen=True)
class Rendered:
    row: RosterRow
    pdf: bytes | None
    failure: Finding | None = None
    project_wide: bool = False  # the content, a layout or the profile is at fault: every row would fail
    fragment: object | None = None  # its share of the print job (printjob.Fragment), when the run makes one


def render_row(row: RosterRow, project: Project | None = None, forms: bool = True,
               print_job: bool = False, sent: set[bytes] | None = None) -> Rendered:
    """Render one packet (and, with `print_job`, its share of the print job, without the shared objects in
    `sent`, which this process sent the job before: `printjob.fragment_of`); a problem with it comes back as a
    finding, not an exception."""
    project = project or _worker_project
    try:
        with one_patient():  # nothing of this patient's stays in a cache for the next one
            layout = project.layouts.load(row.layout)
            patient = Patient.from_values(row.name, row.preferred_name)
            document = packet_document(project, patient, row.appointment, row.documents, row.language)
            with one_patient(shown_values(patient, row.appointment, document.language)):
                pdf = render_checked(project, document, layout, "packet", forms)
    except HandoutsError as exc:
        return Rendered(row, None, exc.finding, _is_project_wide(exc))
    if not print_job:
        return Rendered(row, pdf)
    from .printjob import fragment_of  # only a run with a print job needs it

    # From the objects the writer handed over with the packet (pdf.objects): the packet is never read back.
    return Rendered(row, pdf, fragment=fragment_of(pdf, sent))


def _is_project_wide(exc: HandoutsError) -> bool:
    if isinstance(exc, UnsupportedCharacterError):
        return exc.finding.source not in PATIENT_SOURCES
    return isinstance(exc, (ContentError, LayoutError, ProfileError))


IN_FLIGHT = 16  # packets a worker may render ahead of the one being written


class _Pool(multiprocessing.pool.Pool):
    """The standard pool, whose worker handler wakes only when a worker exits or the pool changes state.

    The standard one also wakes whenever a result waits in its result pipe, and a result waits there until the
    result handler has read it: the worker handler went round its loop (join the exited workers, poll each
    sentinel) about 6,000 times for 1,000 packets, a third of this process's CPU. It only needs to notice a
    worker that ended (its sentinel) and the pool closing or ending (the change notifier, which `close`,
    `terminate` and an emptied task cache all wake); a result is the result handler's business."""

    def _get_sentinels(self):
        return [self._change_notifier._reader]


def render_rows(rows: list, project: Project, paths: ProjectPaths, jobs: int,
                work: RowWork | None = None) -> Iterator:
    """Each row rendered (or, given `work`, what it does with each item), in roster order; with `jobs` > 1, in
    that many worker processes."""
    work = work or RenderWork(paths.forms)
    if jobs <= 1:
        task = work.start(project)
        with _collecting_for_packets():
            for row in rows:
                yield task(row)
        return
    context = multiprocessing.get_context("fork" if hasattr(os, "fork") else "spawn")
    # Workers are born ignoring Ctrl-C (no window before their initializer runs); this process answers it.
    with interrupts.ignored_while():
        pool = _Pool(jobs, initializer=_open_worker, initargs=(paths, work), context=context)
    # The workers run at most IN_FLIGHT packets a worker ahead of the one this process is writing: results
    # waiting for it would otherwise pile up in its memory (a long roster, a slow disk, the print job).
    window, stopped = threading.Semaphore(IN_FLIGHT * jobs), threading.Event()

    def handed_out():
        # The pool's task thread takes rows from here: it waits for room, and computes nothing.
        for row in rows:
            while not window.acquire(timeout=0.1):
                if stopped.is_set():
                    return
            if stopped.is_set():
                return
            yield row

    try:
        for rendered in pool.imap(_run_task, handed_out(), chunksize=4):
            window.release()
            yield rendered
    finally:
        stopped.set()  # a run that stops early must not leave the task thread waiting for room
        _wind_down(pool)


def _wind_down(pool) -> None:
    """End the pool once its workers have finished the rows they were handed (a second at most): never kill a
    worker, which may be handing back a result, holding the result queue's lock; the pool's own end
    (`terminate`) would then wait for that lock forever. A second Ctrl-C stops waiting."""
    pool.close()
    try:
        pool.join()
    except KeyboardInterrupt:
        pool.terminate()
        raise


def run_batch(project: Project, paths: ProjectPaths, planned: list[tuple[RosterRow, Path]], *, jobs: int,
              strict: bool = False, progress: Callable[[int], None] = lambda n: None,
              written: Callable[[Rendered, Path], None] = lambda rendered, path: None,
              result: BatchResult | None = None, work: RowWork | None = None) -> BatchResult:
    """Render and write the planned packets.

    A row that fails to render becomes a problem. A failure that is not the
    row's (the content, a layout, the disk) stops the run at once: `stopped`
    says why. Ctrl-C stops it too (`interrupted`). With `strict`, packets go to
    a staging folder and move into place only when every one of them was made;
    otherwise nothing is written. `written` hears of each packet (as `work`
    rendered it: its row, and its share of the print job when the run makes
    one) as soon as its file is there (the print job joins it meanwhile); the result's `written`
    lists every packet file this run put in place, however it ended (pass
    `result` to have it filled in place, even if a second Ctrl-C cuts the
    run's end short).
    """
    result = BatchResult() if result is None else result
    if not planned:
        return result
    targets = {row.number: path for row, path in planned}
    out_dir = planned[0][1].parent
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=out_dir)) if strict else None
    except OSError as exc:
        result.stopped = Finding(f"cannot write there ({exc.strerror})", str(out_dir), rule="output-unwritable")
        return result
    staged: list[tuple[RosterRow, Path]] = []
    renders = render_rows([row for row, _ in planned], project, paths, jobs, work)
    try:
        for rendered in renders:
            row = rendered.row
            if rendered.failure is not None:
                if rendered.project_wide:
                    result.stopped = rendered.failure
                    break
                result.problems.append(RowProblem(row.number, row.patient_id, "packet",
                                                  f"the packet could not be made ({rendered.failure.rule}); "
                                                  "check this row's values"))
            else:
                target = targets[row.number] if staging is None else staging / f"{len(staged)}.pdf"
                done = staged if staging else result.written
                try:
                    # Recorded the moment it has its name, before a Ctrl-C can come between.
                    write_atomically(target, rendered.pdf, placed=lambda: done.append((row, target)))
                    written(rendered, target)
                except OutputError as exc:  # a full disk, a folder that stopped taking files
                    result.stopped = exc.finding
                    break
            progress(1)
        if staging is not None and not result.problems and result.stopped is None:
            for row, staged_path in staged:
                with interrupts.held():
                    os.replace(staged_path, targets[row.number])
                    result.written.append((row, targets[row.number]))
    except KeyboardInterrupt:
        result.interrupted = True
    except OSError as exc:  # a staged packet that cannot take its place
        result.stopped = Finding(f"cannot write the file ({exc.strerror})", str(out_dir), rule="output-write-failed",
                                 hint="check that the disk has room")
    finally:
        renders.close()  # the worker pool ends here, however the run ended
        if staging is not None:
            shutil.rmtree(staging, ignore_errors=True)
    return result
