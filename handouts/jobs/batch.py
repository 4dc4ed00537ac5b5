"""Packets for every row of a roster: render in parallel, write safely, report."""

from __future__ import annotations

import multiprocessing
import os
import shutil
import signal
import tempfile
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

from ..errors import (
    ContentError,
    Finding,
    HandoutsError,
    InputError,
    LayoutError,
    ProfileError,
    UnsupportedCharacterError,
)
from ..load.languages import language_name, primary
from ..load.project import Patient, Project
from ..load.roster import Roster, RosterRow, RowProblem, RowRules, patient_key
from ..render.fonts import FontSet
from .atomic import STAGING_PREFIX, interrupts_held, remove_leftovers, write_atomically
from .build import render_checked
from .editions import usable_editions
from .filenames import PACKET_NAME, collision_key, packet_filename
from .manifest import MANIFEST
from .outputs import FOLDER, MEMBER, Output, check_folder, check_print_job, check_writes, inputs_of, \
    partial_print_job
from .packet import packet_document


@dataclass(frozen=True)
class ProjectPaths:
    """What a worker process needs to open the project itself."""

    content: Path
    layouts: Path
    clinic: Path | None
    forms: bool = True


@dataclass(frozen=True)
class Selection:
    """Which rows a run is for: an appointment day, some patient ids, never appointments before `today`; and
    which editions their languages may use (`jobs.editions`)."""

    today: date
    day: date | None = None
    ids: tuple[str, ...] = ()
    allow_draft: bool = False  # --allow-draft: editions not approved (or no longer) may be used too
    fallback_to_english: bool = False  # --fallback-to-english: a row whose edition cannot be used gets English
    parts: tuple[str, ...] = ()  # parts used in a row's language where they have an edition: `send`'s email


def select_rows(rows: list[RosterRow], selection: Selection) -> tuple[list[RosterRow], list[str]]:
    """The rows selected, and one note per kind of row left out (row numbers only, never values).

    Ids are compared without letter case (`--id a1` selects A1). A patient with a series of infusions (several
    rows, see RosterRow.series) gets one packet: for the first appointment the selection leaves (the first
    upcoming one, or the one on `--date`); the series' other rows are accounted for in a note.
    """
    wanted = {patient_key(i) for i in selection.ids}
    candidates, past, other_day, other_id = [], [], [], []
    for row in rows:
        if row.appointment.date() < selection.today:
            past.append(row.number)
        elif selection.day and row.appointment.date() != selection.day:
            other_day.append(row.number)
        elif wanted and row.patient_key not in wanted:
            other_id.append(row.number)
        else:
            candidates.append(row)
    first: dict[tuple, RosterRow] = {}  # the patient (id and the rows of its series) -> the row chosen
    for row in candidates:
        patient = _patient(row)
        if patient not in first or (row.appointment, row.number) < (first[patient].appointment, first[patient].number):
            first[patient] = row
    chosen = [row for row in candidates if first[_patient(row)] is row]
    rest = [row for row in candidates if first[_patient(row)] is not row]
    notes = []
    if past:
        notes.append(f"skipped {len(past)} row(s) whose appointment has passed ({_numbers(past)})")
    if other_day:
        notes.append(f"left out {len(other_day)} row(s) with appointments on other days")
    if other_id:
        notes.append(f"left out {len(other_id)} row(s) with other patient ids")
    if rest:
        kind = "later" if all(row.appointment >= first[_patient(row)].appointment for row in rest) else "other"
        notes.append(f"left out {len(rest)} {kind} infusion(s) of a series ({_numbers([r.number for r in rest])}): "
                     "a patient gets one packet, for the first appointment chosen")
    unknown = [i for i in selection.ids if patient_key(i) not in {row.patient_key for row in rows}]
    if unknown:
        notes.append(f"{len(unknown)} of the ids asked for are not in the roster (or their rows have problems)")
    return chosen, notes


def _patient(row: RosterRow) -> tuple:
    """Whose row it is: rows are one patient's only when the roster found them one series."""
    return (row.patient_key, row.series_rows or (row.number,))


def _numbers(numbers: list[int], most: int = 10) -> str:
    shown = ", ".join(str(n) for n in numbers[:most])
    return "rows " + shown + (f" and {len(numbers) - most} more" if len(numbers) > most else "")


@dataclass
class BatchPlan:
    """A roster read once and checked, with a path for every selected good row."""

    planned: list[tuple[RosterRow, Path]]
    problems: list[RowProblem]
    total: int  # rows to account for: planned and problems
    notes: list[str] = field(default_factory=list)  # rows left out on purpose
    print_job: Path | None = None  # where this run's print job goes (a run for some ids: not the day's)


def read_roster(project: Project, roster: Path, selection: Selection) -> tuple[list[RosterRow], list[RowProblem],
                                                                               list[str]]:
    """The roster read once and checked, as the clinic profile says it is laid out; then the selection."""
    rules = row_rules(project)
    read = Roster(roster, project.roster_format).read(rules)
    rows, notes = select_rows(read.rows, selection)
    rows, fallback = fall_back(project, rows, rules.language)
    rows, refused, signed = usable_editions(project, rows, rules.language, selection)
    return rows, read.problems + refused, notes + fallback + signed


# The parts a packet (and its email) needs in the patient's language besides the chosen documents.
PACKET_PARTS = ("_packet",)


def fall_back(project: Project, rows: list[RosterRow], default: str) -> tuple[list[RosterRow], list[str]]:
    """Rows whose language lacks an edition of one of their documents (or of the packet opening) get the whole
    packet in `default` (English), with one note per language and document: never a silent mix, and never a
    mix at all, since a packet is tagged with one language."""
    missing: dict[tuple[str, str], list[int]] = {}
    out = []
    for row in rows:
        if primary(row.language) == primary(default):
            out.append(row)
            continue
        lacking = [name for name in (*PACKET_PARTS, *row.documents)
                   if not project.content.has_edition(name, row.language)]
        for name in lacking:
            missing.setdefault((row.language, name), []).append(row.number)
        out.append(replace(row, language=default) if lacking else row)
    notes = [f"no {language_name(language)} ({language}) edition of '{name}': {len(numbers)} row(s) get their "
             f"packet in {language_name(default)} instead ({_numbers(numbers)}); translate it into "
             f"{primary(language)}/{name}.md" for (language, name), numbers in missing.items()]
    return out, notes


def plan_batch(project: Project, roster: Path, out_dir: Path, selection: Selection, print_job: Path | None = None,
               names_in_files: bool = False, clinic: Path | None = None) -> BatchPlan:
    """Check every place the run will write, with the roster read and checked: before anything is rendered.

    A run for some patients only (`selection.ids`) writes its print job under its own name (see
    partial_print_job), never over the day's job."""
    check_folder(out_dir)
    job = None
    if print_job is not None:
        job = partial_print_job(print_job, selection.ids) if selection.ids else Path(print_job)
        check_print_job(job)
    rows, problems, notes = read_roster(project, roster, selection)
    planned, clashes = plan_files(rows, out_dir, names_in_files)
    check_writes(run_outputs(out_dir, planned, job),
                 inputs_of(roster, project.content.folder, project.layouts.folder, clinic))
    if job is not None:
        remove_leftovers(job.parent)
    remove_leftovers(out_dir)
    problems = sorted(problems + clashes, key=lambda p: p.number)
    return BatchPlan(planned, problems, len(planned) + len(problems), notes, job)


def run_outputs(out_dir: Path, planned: list[tuple[RosterRow, Path]], print_job: Path | None) -> list[Output]:
    """Every place a packets run writes: the folder, each packet, the manifest, the print job."""
    outputs = [Output(Path(out_dir), "the packets folder", "output", FOLDER, PACKET_NAME)]
    if print_job is not None:
        outputs.append(Output(Path(print_job), "the print job", "print-job"))
    outputs.append(Output(Path(out_dir) / MANIFEST, f"the list of packets ({MANIFEST})", "output"))
    outputs += [Output(path, f"the packet for row {row.number}", "output", MEMBER, shown=False)
                for row, path in planned]
    return outputs


@dataclass
class BatchResult:
    written: list[tuple[RosterRow, Path]] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)
    stopped: Finding | None = None  # why the run stopped early, if it did
    interrupted: bool = False  # Ctrl-C: what was written until then is in `written`


def row_rules(project: Project) -> RowRules:
    fonts = {name: FontSet(project.layouts.load(name).typeface) for name in project.layouts.names()}
    languages = {project.content.load(name).language for name in project.content.names()}

    def uncovered(text: str) -> list[str]:
        return list(dict.fromkeys(ch for f in fonts.values() for ch in f.uncovered(text)))

    default = sorted(languages)[0] if languages else "en-US"
    editions = tuple(tag for tag in project.content.languages() if primary(tag) != primary(default))
    return RowRules(tuple(project.layouts.names()), tuple(project.content.names()), default, uncovered, editions)


# -- rendering, in this process or in workers ------------------------------
_worker_project: Project | None = None
PATIENT_SOURCES = ("patient name", "preferred name")


def _ignore_interrupts() -> None:
    # Ctrl-C reaches every process in the terminal's group: the main process alone answers it.
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _open_worker(paths: ProjectPaths) -> None:
    global _worker_project
    _ignore_interrupts()
    _worker_project = Project.open(paths.content, paths.layouts, paths.clinic, paths.forms)


@dataclass(frozen=True)
class Rendered:
    row: RosterRow
    pdf: bytes | None
    failure: Finding | None = None
    project_wide: bool = False  # the content, a layout or the profile is at fault: every row would fail


def render_row(row: RosterRow, project: Project | None = None) -> Rendered:
    """Render one packet; a problem with it comes back as a finding, not an exception."""
    project = project or _worker_project
    try:
        layout = project.layouts.load(row.layout)
        patient = Patient.from_values(row.name, row.preferred_name)
        document = packet_document(project, patient, row.appointment, row.documents, row.language)
        return Rendered(row, render_checked(project, document, layout, "packet"))
    except HandoutsError as exc:
        return Rendered(row, None, exc.finding, _is_project_wide(exc))


def _is_project_wide(exc: HandoutsError) -> bool:
    if isinstance(exc, UnsupportedCharacterError):
        return exc.finding.source not in PATIENT_SOURCES
    return isinstance(exc, (ContentError, LayoutError, ProfileError))


IN_FLIGHT = 16  # packets a worker may render ahead of the one being written


def render_rows(rows: list[RosterRow], project: Project, paths: ProjectPaths, jobs: int) -> Iterator[Rendered]:
    """Each row rendered, in roster order."""
    if jobs <= 1:
        for row in rows:
            yield render_row(row, project)
        return
    context = multiprocessing.get_context("fork" if hasattr(os, "fork") else "spawn")
    # Workers are born ignoring Ctrl-C (no window before their initializer runs); this process answers it.
    answer = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        pool = context.Pool(jobs, initializer=_open_worker, initargs=(paths,))
    finally:
        signal.signal(signal.SIGINT, answer)
    # The workers run at most IN_FLIGHT packets a worker ahead of the one this process is writing: results
    # waiting for it would otherwise pile up in its memory (a long roster, a slow disk, the print job).
    window, stopped = threading.Semaphore(IN_FLIGHT * jobs), threading.Event()

    def handed_out():
        # The pool's task thread takes rows from here: it waits for room, and computes nothing.
        for row in rows:
            while not window.acquire(timeout=0.1):
                if stopped.is_set():
                    return
            yield row

    with pool:
        try:
            for rendered in pool.imap(render_row, handed_out(), chunksize=4):
                window.release()
                yield rendered
        finally:
            stopped.set()  # a run that stops early must not leave the task thread waiting for room


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
              strict: bool = False, progress: Callable[[int], None] = lambda n: None,
              written: Callable[[RosterRow, Path], None] = lambda row, path: None,
              result: BatchResult | None = None) -> BatchResult:
    """Render and write the planned packets.

    A row that fails to render becomes a problem. A failure that is not the
    row's (the content, a layout, the disk) stops the run at once: `stopped`
    says why. Ctrl-C stops it too (`interrupted`). With `strict`, packets go to
    a staging folder and move into place only when every one of them was made;
    otherwise nothing is written. `written` hears of each packet as soon as its
    file is there (the print job joins it meanwhile); the result's `written`
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
    renders = render_rows([row for row, _ in planned], project, paths, jobs)
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
                    written(row, target)
                except InputError as exc:
                    result.stopped = exc.finding
                    break
            progress(1)
        if staging is not None and not result.problems and result.stopped is None:
            for row, staged_path in staged:
                with interrupts_held():
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
