"""The `handouts` command line: a thin layer over the pipeline.

The pipeline (ReportLab, pypdf, pikepdf, the validator, Jinja2, markdown-it) is
imported inside each command, so `handouts --help` answers at once. Errors
come from the library as findings; only this layer names its own flags.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import traceback
from dataclasses import replace
from datetime import date
from pathlib import Path

import click

from .errors import Finding, HandoutsError, InputError, terminal_safe
from .load.dates import parse_appointment
from .load.layouts import CLASSES
from .load.project import Patient, Project

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}

# The library's hints cannot name flags; for these rules the CLI says what to do in its own terms.
FLAG_HINTS = {
    "content-folder-missing": "run from the project folder or pass --content DIR",
    "layouts-folder-missing": "run from the project folder or pass --layouts DIR",
    "content-folder-empty": "add a document, or pass --content DIR",
    "layouts-folder-empty": "add a layout, or pass --layouts DIR",
    "output-unwritable": "choose another --out folder",
    "print-job-unwritable": "choose another place for --print-job FILE",
    "print-job-overwrites-input": "choose another --print-job FILE",
    "print-job-not-pdf": "name the --print-job FILE with .pdf at the end",
    "placeholder-empty": "give the value (e.g. --patient-name, --appointment, clinic profile) "
                         "or wrap it in {% if ... %}",
}


def with_flags(finding: Finding) -> Finding:
    """The finding as a command-line user acts on it: its hint names the flag to use."""
    return replace(finding, hint=FLAG_HINTS[finding.rule]) if finding.rule in FLAG_HINTS else finding


MANIFEST = "manifest.csv"


def _date_option(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter("give a date like 2026-12-01") from None


def _selection_options(command):
    """--date, --id and --today: which rows of the roster a run is for."""
    command = click.option("--today", callback=lambda ctx, param, value: _date_option(value) or date.today(),
                           envvar="HANDOUTS_TODAY", metavar="YYYY-MM-DD",
                           help="Appointments before this day are skipped (default: today).")(command)
    command = click.option("--id", "ids", multiple=True, metavar="ID",
                           help="Only this patient_id; repeat for several.")(command)
    command = click.option("--date", "day", callback=lambda ctx, param, value: _date_option(value),
                           metavar="YYYY-MM-DD", help="Only appointments on this day.")(command)
    return command


def _project_options(command):
    command = click.option("--content", "content_dir", type=click.Path(path_type=Path), default="content",
                           show_default=True, help="Folder with the Markdown documents and clinic.yaml.")(command)
    command = click.option("--layouts", "layouts_dir", type=click.Path(path_type=Path), default="layouts",
                           show_default=True, help="Folder with the layout YAML files.")(command)
    return command


@click.group(context_settings=CONTEXT)
@click.version_option(package_name="handouts")
def cli():
    """Make large-print, accessible PDF handouts from the clinic's content.

    \b
    Examples:
      handouts list
      handouts build --layout large-print
      handouts build infusion-day-checklist --patient-name "Jack Smith" --appointment "2026-12-03 09:30"
      handouts packets roster.csv --print-job print-today.pdf
      handouts check output/large-print/*.pdf --class large-print
      handouts lint
    """


@cli.command("list")
@_project_options
def list_command(content_dir: Path, layouts_dir: Path):
    """List the documents and layouts with their titles.

    \b
    Example:
      handouts list --content content --layouts layouts
    """
    project = Project.open(content_dir, layouts_dir)
    click.echo("Documents:")
    for name in project.content.names():
        source = project.content.load(name)
        click.echo(f"  {name:<28} {source.kind:<10} {source.title}")
    click.echo("Layouts:")
    for name in project.layouts.names():
        layout = project.layouts.load(name)
        click.echo(f"  {name:<28} {layout.layout_class:<12} body {layout.body_size:g} pt")


@cli.command()
@click.argument("documents", nargs=-1)
@click.option("--layout", "layouts", multiple=True, help="Layout name; repeat for several (default: all).")
@click.option("--out", "out_dir", type=click.Path(path_type=Path), default="output", show_default=True,
              help="Folder for the PDFs (one subfolder per layout).")
@click.option("--clinic", "clinic_file", type=click.Path(path_type=Path),
              help="Clinic profile YAML (default: clinic.yaml in the content folder).")
@click.option("--patient-name", help="Personalize for this patient (not used in file names).")
@click.option("--preferred-name", help="What the patient likes to be called (default: the name).")
@click.option("--appointment", help='Appointment time, "YYYY-MM-DD HH:MM".')
@_project_options
def build(documents, layouts, out_dir, clinic_file, patient_name, preferred_name, appointment,
          content_dir, layouts_dir):
    """Build PDFs: every DOCUMENT (default: all) in every --layout (default: all).

    \b
    Examples:
      handouts build
      handouts build fibromyalgia-ketamine --layout large-print --out printouts
      handouts build infusion-day-checklist --patient-name "Jack Smith" --appointment "2026-12-03 09:30"
    """
    from .jobs.build import build_files

    project = Project.open(content_dir, layouts_dir, clinic_file)
    if preferred_name and not patient_name:
        raise InputError("a preferred name needs the patient's name", source="--preferred-name",
                         rule="preferred-name-alone", hint="add --patient-name")
    patient = Patient.from_values(patient_name, preferred_name) if patient_name is not None else None
    when = None
    if appointment:
        try:
            when = parse_appointment(appointment)
        except ValueError as exc:
            raise InputError(str(exc), source="--appointment", rule="appointment-invalid") from None
    _print_table(build_files(project, documents, layouts, out_dir, patient, when))


@cli.command()
@click.argument("pdfs", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print a JSON report instead of text.")
@click.option("--class", "layout_class", type=click.Choice(CLASSES),
              help="Expected print class: sets the smallest text size and the margins.")
@click.option("--max-grade", type=float, default=6.0, show_default=True,
              help="Highest Flesch-Kincaid reading grade allowed.")
def check(pdfs, as_json, layout_class, max_grade):
    """Check PDFs (any PDF, not only ours): PDF/UA-1, print size, italics, margins, reading level.

    Exits 1 if any file fails.

    \b
    Examples:
      handouts check output/large-print/*.pdf --class large-print
      handouts check --json handout.pdf > report.json
    """
    from .quality.check import check_pdf

    reports = [check_pdf(path, layout_class, max_grade) for path in pdfs]
    if as_json:
        click.echo(json.dumps([r.to_dict() for r in reports], indent=2))
    else:
        for report in reports:
            _print_report(report)
        failed = sum(not r.passed for r in reports)
        click.echo(f"{len(reports) - failed} passed, {failed} failed")
    if any(not r.passed for r in reports):
        sys.exit(1)


def _print_report(report) -> None:
    if report.error:
        click.echo(f"FAIL  {report.path}: {report.error}")
        return
    m = report.figures
    summary = (f"smallest text {m['smallest_size_pt']:g} pt; faces {', '.join(m['faces']) or 'none'}; "
               f"grade {m['grade']:.1f}, reading ease {m['reading_ease']:.0f}, "
               f"{m['average_sentence_length']:.1f} words a sentence")
    if m["pages_read"] < m["pages"] or m["text_cut"]:
        summary += f" (size, margins and reading level from the first {m['pages_read']} of {m['pages']} pages)"
    if report.passed:
        click.echo(f"PASS  {report.path}: PDF/UA-1 with no failures; {summary}")
        return
    click.echo(f"FAIL  {report.path}: {len(report.findings)} failure(s); {summary}")
    for finding in report.findings:
        hint = f"; {finding.hint}" if finding.hint else ""
        detail = f" ({finding.detail})" if finding.detail else ""
        click.echo(f"      {finding.rule}: {finding.message}{hint}{detail}")


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print the findings as JSON instead of text.")
@click.option("--max-grade", type=float, default=6.0, show_default=True,
              help="Highest Flesch-Kincaid reading grade allowed.")
@_project_options
def lint(as_json, max_grade, content_dir, layouts_dir):
    """Check content and layouts without rendering: reading level, long sentences,
    all caps, italics, skipped headings, broken links, large-print layout rules.

    Prints one line per finding (file:line: what to do); exits 1 if there is any.

    \b
    Examples:
      handouts lint
      handouts lint --max-grade 8 --content my-content
      handouts lint --json > findings.json
    """
    from .quality.lint import lint_project

    project = Project.open(content_dir, layouts_dir)
    findings = lint_project(project, max_grade)
    if as_json:
        click.echo(json.dumps([f.to_dict() for f in findings], indent=2, ensure_ascii=False))
    else:
        for finding in findings:
            click.echo(str(finding))
        click.echo(f"{len(findings)} finding(s) in {len(project.content.names())} document(s) "
                   f"and {len(project.layouts.names())} layout(s).")
    if findings:
        sys.exit(1)


@cli.command()
@click.argument("roster_file", metavar="ROSTER.csv", type=click.Path(path_type=Path))
@click.option("--out", "out_dir", type=click.Path(path_type=Path), default="output/packets", show_default=True,
              help="Folder for the packets.")
@click.option("--print-job", type=click.Path(path_type=Path), help="Also write one PDF of all packets for the printer.")
@click.option("--jobs", type=click.IntRange(min=1), default=os.cpu_count() or 1, show_default="CPUs",
              help="Render in this many processes.")
@click.option("--strict", is_flag=True, help="Check every row first; write nothing if any row is bad.")
@click.option("--names-in-filenames", is_flag=True, help="Add the patient's name to file names (off by default).")
@click.option("--quiet", is_flag=True, help="No progress bar.")
@click.option("--clinic", "clinic_file", type=click.Path(path_type=Path), help="Clinic profile YAML.")
@_selection_options
@_project_options
def packets(roster_file, out_dir, print_job, jobs, strict, names_in_filenames, quiet, clinic_file, day, ids, today,
            content_dir, layouts_dir):
    """Make a personalized packet for every patient in ROSTER.csv.

    Columns: patient_id, name, appointment ("YYYY-MM-DD HH:MM") required;
    preferred_name, layout, documents (separated by ;), email, language optional.
    Rows are numbered as in a spreadsheet (the header is row 1). Bad rows are
    reported and skipped (exit 1); the rest are written.

    \b
    Examples:
      handouts packets roster.csv
      handouts packets roster.csv --out packets --print-job print-today.pdf
      handouts packets roster.csv --strict --jobs 1
    """
    from .jobs.batch import ProjectPaths, Selection, plan_batch, run_batch, write_manifest
    from .jobs.outputs import remove_stale
    from .jobs.printjob import write_print_job

    project = Project.open(content_dir, layouts_dir, clinic_file)
    plan = plan_batch(project, roster_file, out_dir, Selection(today, day, ids), print_job, names_in_filenames)
    for note in plan.notes:
        click.echo(f"Note: {note}.")
    if strict and plan.problems:
        _report_rows(plan.problems, "error")
        _say(f"{len(plan.problems)} bad row(s); nothing written (--strict).")
        _drop_stale_print_job(print_job, remove_stale)
        sys.exit(1)
    show = not quiet and plan.total > 5 and sys.stderr.isatty()
    with open(os.devnull, "w") as hidden, \
            click.progressbar(length=plan.total, label="Packets", file=sys.stderr if show else hidden) as bar:
        bar.update(len(plan.problems))
        result = run_batch(project, ProjectPaths(content_dir, layouts_dir, clinic_file), plan.planned, jobs=jobs,
                           strict=strict, progress=bar.update)
    problems = sorted(plan.problems + result.problems, key=lambda p: p.number)
    complete = result.stopped is None and not (strict and problems)
    if print_job and result.written and complete:
        pages = write_print_job([(f"{row.patient_id} ({row.appointment:%Y-%m-%d %H:%M})", path)
                                 for row, path in result.written], print_job)
        click.echo(f"Print job: {print_job} ({pages} pages, packets start on odd pages).")
    elif print_job:
        _drop_stale_print_job(print_job, remove_stale)
    click.echo(f"Wrote {len(result.written)} packet(s) to {out_dir}.")
    if result.written:
        try:
            write_manifest(result.written, out_dir / MANIFEST)
            click.echo(f"List of what was written: {out_dir / MANIFEST}.")
        except HandoutsError as exc:  # the packets are there; only their list is missing
            _say(f"The list of packets ({MANIFEST}) could not be written: {exc.finding.message}.")
    _report_rows(problems, "failed")
    if result.stopped is not None:
        unwritten = len(plan.planned) - len(result.written)
        _say(f"Stopped: {unwritten} packet(s) not written" + (" (--strict: none were)" if strict else "") + ".")
        raise HandoutsError(findings=[result.stopped])
    if problems:
        _say(f"{len(problems)} row(s) failed" + ("; nothing written (--strict)" if strict else "")
             + "; fix them and run again.")
        sys.exit(1)


def _report_rows(problems, label: str) -> None:
    for problem in problems:
        _say(f"  {label}: {problem}")


def _drop_stale_print_job(print_job, remove_stale) -> None:
    if print_job and remove_stale(print_job):
        _say(f"Removed the earlier print job {print_job}: it no longer matches the packets.")


def _say(text: str) -> None:
    """One line on stderr, with nothing in it that could drive the terminal."""
    click.echo(terminal_safe(text), err=True)


def _print_table(files) -> None:
    width = max([len("file")] + [len(str(f.path)) for f in files])
    click.echo(f"{'file':<{width}}  pages      size")
    for f in files:
        click.echo(f"{str(f.path):<{width}}  {f.pages:>5}  {f.size / 1024:>6.1f} KB")


def main(argv=None) -> None:
    """Run the CLI; user mistakes become one line and exit code 2, never a traceback."""
    try:
        cli.main(args=argv, prog_name="handouts", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except HandoutsError as exc:
        for finding in exc.findings:
            _say(f"error: {with_flags(finding)}")
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        click.echo("Interrupted; no partial files were left.", err=True)
        sys.exit(130)
    except Exception:  # a bug, not a user mistake: keep the details, show one line
        with tempfile.NamedTemporaryFile("w", prefix="handouts-error-", suffix=".log", delete=False) as log:
            traceback.print_exc(file=log)
        click.echo(f"internal error: something went wrong inside handouts; details in {log.name}", err=True)
        sys.exit(70)
