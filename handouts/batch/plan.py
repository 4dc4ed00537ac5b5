"""What a run is for: the roster read once and checked, the rows chosen, and where each packet goes."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from ..errors import rows_text
from ..files.atomic import remove_leftovers
from ..files.names import PACKET_NAME, collision_key, packet_filename
from ..files.outputs import (
    FOLDER,
    MEMBER,
    Output,
    check_folder,
    check_print_job,
    check_writes,
    inputs_of,
    partial_print_job,
)
from ..load.languages import primary
from ..load.project import Project
from ..load.roster import Roster, RosterRow, RowProblem, RowRules, patient_key
from ..render.fonts import FontSet
from .editions import choose_languages
from .manifest import MANIFEST


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
    which editions their languages may use (`batch.editions`)."""

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
        notes.append(f"skipped {len(past)} row(s) whose appointment has passed ({rows_text(past)})")
    if other_day:
        notes.append(f"left out {len(other_day)} row(s) with appointments on other days")
    if other_id:
        notes.append(f"left out {len(other_id)} row(s) with other patient ids")
    if rest:
        kind = "later" if all(row.appointment >= first[_patient(row)].appointment for row in rest) else "other"
        notes.append(f"left out {len(rest)} {kind} infusion(s) of a series ({rows_text([r.number for r in rest])}): "
                     "a patient gets one packet, for the first appointment chosen")
    unknown = [i for i in selection.ids if patient_key(i) not in {row.patient_key for row in rows}]
    if unknown:
        notes.append(f"{len(unknown)} of the ids asked for are not in the roster (or their rows have problems)")
    return chosen, notes


def _patient(row: RosterRow) -> tuple:
    """Whose row it is: rows are one patient's only when the roster found them one series."""
    return (row.patient_key, row.series_rows or (row.number,))


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
    rows, refused, languages = choose_languages(project, rows, rules.language, selection)
    return rows, read.problems + refused, notes + languages


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


def row_rules(project: Project) -> RowRules:
    fonts = {name: FontSet(project.layouts.load(name).typeface) for name in project.layouts.names()}
    languages = {project.content.load(name).language for name in project.content.names()}

    def uncovered(text: str) -> list[str]:
        return list(dict.fromkeys(ch for f in fonts.values() for ch in f.uncovered(text)))

    default = sorted(languages)[0] if languages else "en-US"
    editions = tuple(tag for tag in project.content.languages() if primary(tag) != primary(default))
    return RowRules(tuple(project.layouts.names()), tuple(project.content.names()), default, uncovered, editions)


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
