"""The `handouts` command line: a thin layer over the pipeline.

Every stage (load, the pipeline, batch, mail, the console: YAML, ReportLab,
pypdf, pikepdf, the validator, Jinja2, markdown-it, Starlette) is imported
inside the command that needs it, so `handouts --help` answers at once and a
command loads only what it uses (tests/test_cli.py checks which). Errors come
from the library as findings; only this layer names its own flags.
"""

from __future__ import annotations

import contextlib
import gc
import json
import os
import sys
from dataclasses import replace
from datetime import date
from pathlib import Path

import click

from .clock import today
from .errors import Finding, HandoutsError, InputError, internal_error_log, terminal_safe
from .load.print_rules import CLASSES

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}

# The library's hints cannot name flags; for these rules the CLI says what to do in its own terms.
FLAG_HINTS = {
    "content-folder-missing": "run in the clinic folder, or pass --content DIR (or --home DIR)",
    "layouts-folder-missing": "run in the clinic folder, or pass --layouts DIR (or --home DIR)",
    "home-missing": "pass --home DIR (or set HANDOUTS_HOME) with a folder handouts init made",
    "home-not-clinic-folder": "pass --home DIR (or set HANDOUTS_HOME) with a folder handouts init made, "
                              "or make one: handouts init DIR",
    "content-folder-empty": "add a document, or pass --content DIR",
    "ledger-unusable": "choose another --ledger FILE",
    "layouts-folder-empty": "add a layout, or pass --layouts DIR",
    "output-unwritable": "choose another --out folder",
    "print-job-unwritable": "choose another place for --print-job FILE",
    "print-job-overwrites-input": "choose another --print-job FILE",
    "print-job-not-pdf": "name the --print-job FILE with .pdf at the end",
    "output-overwrites-input": "choose another --out folder",
    "ledger-unwritable": "choose another --ledger FILE",
    "ledger-overwrites-input": "choose another --ledger FILE",
    "outbox-overwrites-input": "choose another --outbox folder",
    "ledger-export-unwritable": "choose another --export-ledger FILE",
    "ledger-export-overwrites-input": "choose another --export-ledger FILE",
    "ledger-export-exists": "choose another --export-ledger FILE, or pass --force to replace it",
    "placeholder-empty": "give the value (e.g. --patient-name, --appointment, clinic profile) "
                         "or wrap it in {% if ... %}",
    "sender-missing": "pass --from ADDRESS, or add 'from: ...' under 'mail:' (or 'email: ...') in the clinic profile",
    "sender-invalid": "pass --from ADDRESS (one plain address), or fix 'mail: from' or 'email' in the clinic profile",
    "ledger-missing": "send first, or name the ledger with --ledger FILE",
    "rate-invalid": "pass --rate like 30/min",
    "smtp-server-invalid": "pass --smtp HOST or HOST:PORT, e.g. mail.clinic.org:587",
    "port-unavailable": "choose another --port, or leave --port out: the console takes a free one",
    "allow-draft-smtp": "approve the documents (handouts approve) and send without --allow-draft, or pass --drafts "
                        "(instead of --smtp) to write drafts",
}
# For these rules the library's hint stands, and the CLI adds the flag that is the other way out.
FLAG_ALTERNATIVES = {
    "document-draft": "or pass --allow-draft",
}


def with_flags(finding: Finding) -> Finding:
    """The finding as a command-line user acts on it: its hint names the flag to use."""
    if finding.rule in FLAG_HINTS:
        return replace(finding, hint=FLAG_HINTS[finding.rule])
    if finding.rule in FLAG_ALTERNATIVES:
        hint = "; ".join(filter(None, [finding.hint, FLAG_ALTERNATIVES[finding.rule]]))
        return replace(finding, hint=hint)
    return finding


MANIFEST = "manifest.csv"


def _cpus() -> int:
    """The CPUs this process may run on."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def _jobs_option(command):
    """--jobs N: at most the number of CPUs (more processes only wait for each other), with a note."""

    def capped(ctx, param, value):
        cpus = _cpus()
        if value is not None and value > cpus:
            click.echo(f"Note: --jobs {value} is more than the {cpus} CPU(s) here; using {cpus}.")
        return min(value or cpus, cpus)

    return click.option("--jobs", type=click.IntRange(min=1), default=None, show_default="CPUs", callback=capped,
                        help="Render in this many processes (at most the number of CPUs).")(command)


def _date_option(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter("give a date like 2026-12-01") from None


def _selection_options(command):
    """--date, --id and --today: which rows of the roster a run is for."""
    command = click.option("--today", callback=lambda ctx, param, value: _date_option(value) or today(),
                           metavar="YYYY-MM-DD",
                           help="Appointments before this day are skipped (default: today, or HANDOUTS_TODAY)."
                           )(command)
    command = click.option("--id", "ids", multiple=True, metavar="ID",
                           help="Only this patient_id; repeat for several.")(command)
    command = click.option("--date", "day", callback=lambda ctx, param, value: _date_option(value),
                           metavar="YYYY-MM-DD", help="Only appointments on this day.")(command)
    return command


def _fallback_option(command):
    return click.option("--fallback-to-english", "fallback_to_english", is_flag=True,
                        help="A row whose language's edition may not be used (a draft, changed since approved, "
                             "older than the English) gets its packet in English, with a note; "
                             "without it such a row is refused.")(command)


def _forms_option(command):
    return click.option("--no-forms", "forms", is_flag=True, flag_value=False, default=True,
                        help="Print-only: draw checkboxes and lines to write on instead of fillable fields.")(command)


def _open_project(content_dir: Path, layouts_dir: Path, clinic_file: Path | None):
    from .load.project import Project

    return Project.open(content_dir, layouts_dir, clinic_file)


def home_of(ctx: click.Context | None = None):
    """The clinic folder of this run: --home, else HANDOUTS_HOME, else the current folder or its nearest parent
    holding clinic.yaml (else none: the current folder, as in the tool's repository). Found when a command first
    needs it, so --help and commands that need no folder never look."""
    root = (ctx or click.get_current_context()).find_root()
    if "home" not in root.meta:
        from .load.home import find_home

        root.meta["home"] = find_home(root.params.get("home"))
    return root.meta["home"]


def _from_home(where):
    """An option's default, from the clinic folder: `where(home)`; a value given on the command line wins."""
    return lambda ctx, param, value: where(home_of(ctx)) if value is None else value


def _content_option(command):
    return click.option("--content", "content_dir", type=click.Path(path_type=Path),
                        callback=_from_home(lambda home: home.content), show_default="content in the clinic folder",
                        help="Folder with the Markdown documents.")(command)


def _project_options(command):
    command = _content_option(command)
    command = click.option("--layouts", "layouts_dir", type=click.Path(path_type=Path),
                           callback=_from_home(lambda home: home.layouts),
                           show_default="layouts in the clinic folder",
                           help="Folder with the layout YAML files.")(command)
    return command


def _clinic_option(command):
    return click.option("--clinic", "clinic_file", type=click.Path(path_type=Path),
                        callback=_from_home(lambda home: home.profile),
                        show_default="clinic.yaml in the clinic folder, else in the content folder",
                        help="Clinic profile YAML.")(command)


@click.group(context_settings=CONTEXT)
@click.option("--home", type=click.Path(path_type=Path), metavar="DIR",
              help="The clinic folder (default: HANDOUTS_HOME, else the current folder or its nearest parent "
                   "holding clinic.yaml): its content, layouts, clinic.yaml and output are every command's defaults.")
@click.version_option(None, "-V", "--version", package_name="handouts")
def cli(home):
    """Make large-print, accessible PDF handouts from the clinic's content.

    Commands run in a clinic folder (handouts init DIR writes one), or in any
    folder inside it; --home DIR or HANDOUTS_HOME names it from anywhere.
    Without one, content, layouts and output are those of the current folder.

    \b
    Examples:
      handouts init clinic
      handouts list
      handouts build --layout large-print
      handouts build infusion-day-checklist --patient-name "Jack Smith" --appointment "2026-12-03 09:30"
      handouts packets roster.csv --print-job print-today.pdf
      handouts check output/large-print/*.pdf --class large-print
      handouts lint
      handouts approve infusion-day-checklist --by "Dr. A. Reviewer"
    """


@cli.command()
@click.argument("folder", metavar="DIR", type=click.Path(path_type=Path))
def init(folder: Path):
    """Write a new clinic folder DIR, to fill in.

    It holds the sample clinic profile (clinic.yaml), the shipped documents and
    their Spanish editions (content/), the layouts, an output/ folder, a
    .gitignore that keeps patient files out of version control, and README.txt
    with the next steps. DIR must be new, or an empty folder: init never writes
    over anything. Then run handouts in DIR (or any folder inside it): every
    command finds the clinic folder there.

    \b
    Examples:
      handouts init clinic
      cd clinic && handouts lint
    """
    from .files.clinic_folder import write_clinic_folder
    from .load.home import shipped_sample

    content, layouts = shipped_sample()
    write_clinic_folder(folder, content, layouts)
    click.echo(terminal_safe(f"Wrote the clinic folder {folder}: clinic.yaml (a SAMPLE profile), content/ (the "
                             "documents and their Spanish editions, not yet approved), layouts/, output/, .gitignore "
                             "and README.txt."))
    click.echo(terminal_safe(f"Next: fill in {Path(folder) / 'clinic.yaml'}, have the documents approved "
                             "(handouts approve), then work in the folder: see README.txt."))


@cli.command("list")
@_clinic_option
@_project_options
def list_command(clinic_file: Path | None, content_dir: Path, layouts_dir: Path):
    """List the documents and layouts with their titles.

    \b
    Example:
      handouts list --content content --layouts layouts
    """
    project = _open_project(content_dir, layouts_dir, clinic_file)
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
@click.option("--out", "out_dir", type=click.Path(path_type=Path), callback=_from_home(lambda home: home.output),
              show_default="output in the clinic folder", help="Folder for the PDFs (one subfolder per layout).")
@_clinic_option
@click.option("--patient-name", help="Personalize for this patient (not used in file names).")
@click.option("--preferred-name", help="What the patient likes to be called (default: the name).")
@click.option("--appointment", help='Appointment time, "YYYY-MM-DD HH:MM".')
@_forms_option
@_project_options
def build(documents, layouts, out_dir, clinic_file, patient_name, preferred_name, appointment, forms,
          content_dir, layouts_dir):
    """Build PDFs: every DOCUMENT (default: all) in every --layout (default: all).

    \b
    Examples:
      handouts build
      handouts build fibromyalgia-ketamine --layout large-print --out printouts
      handouts build infusion-day-checklist --patient-name "Jack Smith" --appointment "2026-12-03 09:30"
    """
    from .batch.documents import build_files

    project = _open_project(content_dir, layouts_dir, clinic_file)
    if preferred_name and not patient_name:
        raise InputError("a preferred name needs the patient's name", source="--preferred-name",
                         rule="preferred-name-alone", hint="add --patient-name")
    patient = _patient(patient_name, preferred_name)
    when = None
    if appointment:
        from .load.dates import parse_appointment

        try:
            when = parse_appointment(appointment)
        except ValueError as exc:
            raise InputError(str(exc), source="--appointment", rule="appointment-invalid") from None
    _print_table(build_files(project, documents, layouts, out_dir, patient, when, forms))
    _warn_if_not_for_patients(project, documents)


def _patient(name: str | None, preferred: str | None):
    from .load.project import Patient

    return Patient.from_values(name, preferred) if name is not None else None


def _warn_if_not_for_patients(project, documents=()) -> None:
    """A visible line when the clinic profile still holds sample details, or documents are drafts."""
    from .load.profile import sample_fields

    fields = sample_fields(project.clinic)
    if fields:
        _say(f"WARNING: SAMPLE clinic details, not for patients ({', '.join(fields)}): "
             "replace them in the clinic profile.")
    drafts = [name for name in (documents or project.content.names()) if not project.content.load(name).approved]
    if drafts:
        _say(f"WARNING: draft, not yet approved: {', '.join(drafts)}.")


@cli.command()
@click.argument("pdfs", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print a JSON report instead of text.")
@click.option("--class", "layout_class", type=click.Choice(CLASSES),
              help="Expected print class: sets the smallest text size and the margins.")
@click.option("--max-grade", type=float, default=6.0, show_default=True,
              help="Highest Flesch-Kincaid reading grade allowed.")
@click.option("--archive", is_flag=True, help="Also check PDF/A-2a, for a copy filed in the patient record.")
def check(pdfs, as_json, layout_class, max_grade, archive):
    """Check PDFs (any PDF, not only ours): PDF/UA-1, print size, italics, margins, reading level.

    Exits 1 if any file fails.

    \b
    Examples:
      handouts check output/large-print/*.pdf --class large-print
      handouts check --json handout.pdf > report.json
      handouts check --archive output/packets/P001_2026-12-03.pdf
    """
    from .quality.check import check_pdf

    reports = [check_pdf(path, layout_class, max_grade, archive) for path in pdfs]
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
    from .text.readability import FORMULAS

    m = report.figures
    formula = FORMULAS[m["readability_formula"]]
    summary = (f"smallest text {m['smallest_size_pt']:g} pt; faces {', '.join(m['faces']) or 'none'}; "
               + (f"{formula.title} ease {m['reading_ease']:.0f} ({m.get('language')}), "
                  if formula.scale == "ease" else f"grade {m['grade']:.1f}, reading ease {m['reading_ease']:.0f}, ")
               + f"{m['average_sentence_length']:.1f} words a sentence")
    if m["pages_read"] < m["pages"] or m["text_cut"]:
        summary += f" (size, margins and reading level from the first {m['pages_read']} of {m['pages']} pages)"
    if report.passed:
        standards = "PDF/UA-1 and PDF/A-2a" if report.figures.get("archive") else "PDF/UA-1"
        click.echo(f"PASS  {report.path}: {standards} with no failures; {summary}")
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
@_clinic_option
@_project_options
def lint(as_json, max_grade, clinic_file, content_dir, layouts_dir):
    """Check content and layouts without rendering: reading level, long sentences,
    all caps, italics, skipped headings, broken links, large-print layout rules,
    translations against their English source, and sign-off.

    Lists the sign-off of every document, part and edition ("status: ..."), then
    one line per finding (file:line: what to do); exits 1 if there is any. A
    document changed since it was approved is a finding: review it and run
    handouts approve. The answer is kept (in the user's cache folder), so a
    lint of unchanged files prints it again at once; HANDOUTS_LINT_CACHE=off
    lints afresh every time.

    \b
    Examples:
      handouts lint
      handouts lint --max-grade 8 --content my-content
      handouts lint --json > findings.json
    """
    with _collector_paused():
        answer = _lint_answer(as_json, max_grade, clinic_file, content_dir, layouts_dir)
    for line in answer.lines:
        click.echo(line)
    if answer.code:
        sys.exit(answer.code)


@contextlib.contextmanager
def _collector_paused():
    """No cyclic garbage collection while a short command runs: everything a lint makes (the modules it imports,
    the documents it parses) lives until it ends, so the collector's passes over it free next to nothing and cost
    some 8 % of a fresh lint's CPU (measured: 304 -> 281 ms). Reference counting still frees what is dropped; the
    collector is enabled again as it was when the command ends, however it ends."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def _lint_answer(as_json, max_grade, clinic_file, content_dir, layouts_dir):
    """Lint's answer: the kept one if nothing it reads changed, else a fresh lint's (kept for the next)."""
    from .quality import lint_cache

    try:  # the day the sign-off lines count review ages from; a malformed HANDOUTS_TODAY: lint says so, fresh
        options = lint_cache.enabled() and {"json": as_json, "max_grade": max_grade, "today": today().isoformat()}
    except InputError:
        options = None
    key = options and lint_cache.key(content_dir, layouts_dir, clinic_file, options)
    answer = lint_cache.load(key) if key else None
    if answer is None:
        answer = _lint(as_json, max_grade, clinic_file, content_dir, layouts_dir, key.setup if key else "")
        # kept only if nothing lint reads changed while it ran
        if key and lint_cache.unchanged(key, content_dir, layouts_dir, clinic_file):
            lint_cache.store(key, answer)
    return answer


def _lint(as_json, max_grade, clinic_file, content_dir, layouts_dir, setup=""):
    """A fresh lint: the lines it prints and its exit code (`setup`: `lint_cache.Key.setup`, for what a fresh lint
    keeps apart from its answer)."""
    from .quality.lint import LintRun, document_statuses, lint_project, lint_warnings
    from .quality.lint_cache import Answer

    project = _open_project(content_dir, layouts_dir, clinic_file)
    run = LintRun(project, setup)  # each document filled and parsed once, for the findings and the warnings
    findings = lint_project(project, max_grade, run)
    if as_json:
        lines = [json.dumps([f.to_dict() for f in findings], indent=2, ensure_ascii=False)]
    else:
        # sign-off and warnings: shown, never a failure
        lines = [*(f"status: {status}" for status in document_statuses(project)),
                 *(f"warning: {warning}" for warning in lint_warnings(project, run=run)),
                 *(str(finding) for finding in findings),
                 f"{len(findings)} finding(s) in {len(project.content.names())} document(s) "
                 f"and {len(project.layouts.names())} layout(s)."]
    run.keep()
    return Answer(tuple(lines), 1 if findings else 0)


@cli.command()
@click.argument("documents", metavar="DOC...", nargs=-1)
@click.option("--by", "reviewer", required=True, metavar="NAME", help="The clinician who reviewed the text.")
@click.option("--language", metavar="LANG", help="Approve the editions in this language (e.g. es), not the English.")
@click.option("--all", "every", is_flag=True, help="Every document and part (in --language, if given).")
@_content_option
def approve(documents, reviewer, language, every, content_dir):
    """Record that NAME reviewed DOC and approved it for patients.

    Writes status: approved, reviewed_by, reviewed_on (today) and
    approved_sha256 (the hash of the title and text) into each document's front
    matter, and changes nothing else in the file. An edition (--language es)
    also records the hash of its English source (source_sha256). A document
    whose text changes afterwards counts as a draft again, and so does an
    edition whose English source changes: packets and send refuse it, and lint
    says which, until it is reviewed and approved again.

    \b
    Examples:
      handouts approve infusion-day-checklist --by "Dr. A. Reviewer"
      handouts approve --all --by "Dr. A. Reviewer"
      handouts approve _packet infusion-day-checklist --language es --by "Dra. B. Revisora"
    """
    from .approve import approve as approve_all
    from .approve import chosen
    from .load.content import ContentLibrary

    if bool(documents) == every:
        raise click.UsageError("name the documents to approve, or pass --all (not both)")
    library = ContentLibrary(content_dir)
    items = chosen(library, list(documents), language, every)
    for approval in approve_all(library, items, reviewer, today()):
        click.echo(terminal_safe(f"Approved {approval.label} ({approval.path}): by {reviewer.strip()} on "
                                 f"{today().isoformat()}, text sha256 {approval.sha256[:12]}…"))


@cli.command()
@click.argument("roster_file", metavar="ROSTER.csv", type=click.Path(path_type=Path))
@click.option("--out", "out_dir", type=click.Path(path_type=Path),
              callback=_from_home(lambda home: home.output / "packets"),
              show_default="output/packets in the clinic folder", help="Folder for the packets.")
@click.option("--print-job", type=click.Path(path_type=Path),
              help="Also write one PDF of all packets for the printer (with --id: FILE-<ids>.pdf, beside it).")
@_jobs_option
@click.option("--strict", is_flag=True, help="Check every row first; write nothing if any row is bad.")
@click.option("--names-in-filenames", is_flag=True, help="Add the patient's name to file names (off by default).")
@click.option("--quiet", is_flag=True, help="No progress bar.")
@_clinic_option
@click.option("--allow-draft", is_flag=True, help="Use documents not yet approved (status: draft).")
@_fallback_option
@_forms_option
@_selection_options
@_project_options
def packets(roster_file, out_dir, print_job, jobs, strict, names_in_filenames, quiet, clinic_file, allow_draft,
            fallback_to_english, forms, day, ids, today, content_dir, layouts_dir):
    """Make a personalized packet for every patient in ROSTER.csv.

    Columns: patient_id, name, appointment ("YYYY-MM-DD HH:MM") required;
    preferred_name, layout, documents (separated by ;), email, language optional.
    Rows are numbered as in a spreadsheet (the header is row 1). Bad rows are
    reported and skipped (exit 1); the rest are written. manifest.csv lists
    every packet in the --out folder.

    \b
    Examples:
      handouts packets roster.csv
      handouts packets roster.csv --out packets --print-job print-today.pdf
      handouts packets roster.csv --id P0042 --print-job print-today.pdf   # print job: print-today-P0042.pdf
      handouts packets roster.csv --strict --jobs 1
    """
    from .batch.plan import ProjectPaths, Selection
    from .batch.run import RunOptions, prepare_packets, refuse_strictly, write_packets

    project = _open_project(content_dir, layouts_dir, clinic_file)
    options = RunOptions(ProjectPaths(content_dir, layouts_dir, clinic_file, forms),
                         Selection(today, day, ids, allow_draft, fallback_to_english), jobs, strict,
                         names_in_filenames, allow_draft)
    packets = prepare_packets(project, roster_file, out_dir, print_job, options)
    _notes(packets.notes)
    if not packets.plan.total:
        _say("No row of the roster is chosen (see the notes above): nothing was written, and nothing removed.")
        sys.exit(1)
    if strict and packets.plan.problems:
        _report_rows(packets.plan.problems, "error")
        _say(f"{len(packets.plan.problems)} bad row(s); nothing written (--strict).")
        _removed_print_job(refuse_strictly(packets))
        sys.exit(1)
    with _progress(packets.plan.total, "Packets", quiet) as progress:
        run = write_packets(project, packets, options, progress)
    _report_packets(packets, run, strict)


def _report_packets(packets, run, strict: bool) -> None:
    """The summary of a packets run, however it ended, and its exit code."""
    _removed_print_job(run.removed_print_job)
    if run.pages is not None:
        click.echo(f"Print job: {packets.print_job} ({run.pages} pages, packets start on odd pages).")
    click.echo(f"Wrote {len(run.result.written)} packet(s) to {packets.out_dir}.")
    if run.withdrawn:
        click.echo(f"Removed {run.withdrawn} earlier packet(s) of these patients for another appointment: "
                   "out of date.")
    if run.listed is not None:
        click.echo(f"List of the {run.listed} packet(s) in the folder: {packets.out_dir / MANIFEST}.")
    _report_rows(run.problems, "failed")
    if run.unlisted is not None:
        _say(f"The list of packets ({MANIFEST}) could not be written: {run.unlisted.message}.")
    if run.result.interrupted:
        _say(f"Interrupted: {run.unwritten} packet(s) not written; run the same command again for them.")
        sys.exit(130)
    if run.result.stopped is not None:
        _say(f"Stopped: {run.unwritten} packet(s) not written" + (" (--strict: none were)" if strict else "") + ".")
        raise HandoutsError(findings=[run.result.stopped, *([run.unlisted] if run.unlisted else [])])
    if run.unlisted is not None:
        raise HandoutsError(findings=[run.unlisted])
    if run.problems:
        _say(f"{len(run.problems)} row(s) failed" + ("; nothing written (--strict)" if strict else "")
             + "; fix them and run again.")
        sys.exit(1)


@contextlib.contextmanager
def _progress(total: int, label: str, quiet: bool):
    """A progress bar on a terminal, for more than 5 rows; the callback that moves it."""
    show = not quiet and total > 5 and sys.stderr.isatty()
    with open(os.devnull, "w") as hidden, \
            click.progressbar(length=total, label=label, file=sys.stderr if show else hidden) as bar:
        yield bar.update


def _notes(notes) -> None:
    for note in notes:
        click.echo(f"Note: {note}.")


def _report_rows(problems, label: str) -> None:
    for problem in problems:
        _say(f"  {label}: {problem}")


def _removed_print_job(print_job) -> None:
    if print_job:
        _say(f"Removed the earlier print job {print_job}: it no longer matches the packets.")


def _say(text: str) -> None:
    """One line on stderr, with nothing in it that could drive the terminal."""
    click.echo(terminal_safe(text), err=True)


def _print_table(files) -> None:
    width = max([len("file")] + [len(str(f.path)) for f in files])
    click.echo(f"{'file':<{width}}  pages      size")
    for f in files:
        click.echo(f"{str(f.path):<{width}}  {f.pages:>5}  {f.size / 1024:>6.1f} KB")


@cli.command()
@click.argument("roster_file", metavar="ROSTER.csv", required=False, type=click.Path(path_type=Path))
@click.option("--outbox", type=click.Path(path_type=Path),
              show_default="'mail: outbox' in the clinic profile, else output/outbox in the clinic folder",
              help="Folder for the drafts (.eml files), when not sending through a mail server.")
@click.option("--smtp", "smtp_server", metavar="HOST[:PORT]",
              help="Send through this mail server (default: 'mail: server' in the clinic profile; with neither, "
                   "drafts).")
@click.option("--drafts", is_flag=True, help="Write drafts to --outbox even though the clinic profile names a mail "
                                             "server.")
@click.option("--smtp-tls/--smtp-starttls", "smtp_tls", default=None,
              help="Implicit TLS (port 465), or STARTTLS (port 587) (default: 'mail: security' in the clinic "
                   "profile, else STARTTLS).")
@click.option("--smtp-ca-file", type=click.Path(path_type=Path, exists=True, dir_okay=False),
              help="Trust this certificate authority (the clinic's own) for the mail server (default: 'mail: "
                   "ca_file' in the clinic profile).")
@click.option("--smtp-user", metavar="NAME",
              help="Log in as NAME (default: 'mail: user' in the clinic profile); the password comes from "
                   "HANDOUTS_SMTP_PASSWORD, else the system keyring, else a prompt.")
@click.option("--from", "sender", metavar="ADDRESS",
              help="Sender address (default: 'mail: from' in the clinic profile, else its email).")
@click.option("--dry-run", is_flag=True, help="Show the review and check every packet; send and record nothing.")
@click.option("--yes", "confirmed", is_flag=True, help="Send without asking (for scripts): the review is still shown.")
@click.option("--resend", multiple=True, metavar="ID",
              help="Deliver only this patient_id, again; repeat for several.")
@click.option("--allow-shared-address", is_flag=True, help="Send to an address more than one row has (a family).")
@click.option("--ledger", "ledger_file", type=click.Path(path_type=Path),
              show_default="'mail: ledger' in the clinic profile, else output/send-ledger.sqlite3 in the clinic "
                           "folder", help="The delivery ledger (SQLite, readable by you alone).")
@click.option("--status", is_flag=False, flag_value="", default=None, metavar="[ID]",
              help="Print each patient's deliveries from the ledger (or every record of ID), and stop.")
@click.option("--export-ledger", type=click.Path(path_type=Path), metavar="FILE.csv",
              help="Write the ledger as CSV, and stop.")
@click.option("--force", is_flag=True, help="Let --export-ledger replace an existing file.")
@click.option("--rate", metavar="N/min",
              help="At most N deliveries a minute, e.g. 30/min (default: 'mail: rate' in the clinic profile).")
@_jobs_option
@click.option("--quiet", is_flag=True, help="No progress bar.")
@_clinic_option
@click.option("--allow-draft", is_flag=True,
              help="Use documents not yet approved, in drafts (.eml) to review only: refused with a mail server "
                   "(add --drafts).")
@_fallback_option
@_selection_options
@_project_options
def send(roster_file, dry_run, confirmed, resend, allow_shared_address, status, export_ledger, force, jobs, quiet,
         clinic_file, allow_draft, fallback_to_english, day, ids, today, content_dir, layouts_dir, **mail):
    """Email each patient in ROSTER.csv their packet: as drafts in the outbox, or through the mail server.

    The mail settings come from the mail: section of the clinic profile (see
    clinic set-up); an option given here wins. With no mail server there or
    in --smtp, send writes drafts (.eml) in the outbox.

    First it shows who gets what (row, id, name, appointment, language, print
    size, address, state) and asks before anything goes; --yes answers for
    scripts. Every delivery is recorded in the --ledger: a patient gets their
    packet once (a series of infusions is one email; a changed appointment
    gets a new email that says it replaces the first). Rows without a valid
    address, rows that share one, and packets that do not show their patient's
    name are reported and never sent (exit 1).

    \b
    Examples:
      handouts send roster.csv --dry-run
      handouts send roster.csv                                  # as the clinic profile's mail: says
      handouts send roster.csv --drafts                         # drafts in output/outbox, whatever it says
      handouts send roster.csv --smtp mail.clinic.org --smtp-user frontdesk --rate 30/min
      handouts send roster.csv --resend P0042                   # that patient only, again
      handouts send --status
      handouts send --status P0042
      handouts send --export-ledger deliveries.csv
    """
    from .batch.plan import ProjectPaths, Selection
    from .mail.session import SendOptions, ledger_report, open_send

    if status is not None or export_ledger:
        _, ledger_file = _mail_settings(_profile_mail(clinic_file, content_dir), mail)
        inputs = _inputs(roster_file, content_dir, layouts_dir, clinic_file)
        for line in ledger_report(ledger_file, status, export_ledger, inputs, force):
            click.echo(line)
        return
    if roster_file is None:
        raise click.UsageError("give the roster: handouts send ROSTER.csv")
    if mail["drafts"] and mail["smtp_server"]:
        raise click.UsageError("--drafts writes drafts and --smtp sends: give one of them")
    project = _open_project(content_dir, layouts_dir, clinic_file)
    settings, ledger_file = _mail_settings(_profile_mail(project.clinic), mail)
    options = SendOptions(ProjectPaths(content_dir, layouts_dir, clinic_file), Selection(today, day, ids,
                          fallback_to_english=fallback_to_english), ledger_file, jobs, frozenset(resend),
                          allow_shared_address, allow_draft)
    ask = lambda user: click.prompt(f"Password for {user}", hide_input=True, err=True)  # noqa: E731
    with open_send(project, roster_file, settings, options, dry_run=dry_run, password=ask) as session:
        _notes(session.notes)
        _show_review(session.lines, session.transport, settings.outbox, full=sys.stdout.isatty())
        if not dry_run:
            _confirm(session.due, session.transport.name, confirmed)
        with _progress(session.plan.total, "Emails", quiet) as progress:
            result = session.run(progress)
    _report_send(session.plan, result, session.transport.name, dry_run)




def _profile_mail(clinic, content_dir: Path | None = None):
    """The clinic profile's mail settings: of the profile read (a dict), or read from its file; none when there is
    no profile there (--status needs only the ledger)."""
    from .load.profile import MailProfile, mail_profile, read_profile

    if isinstance(clinic, dict):
        return mail_profile(clinic)
    path = Path(clinic or Path(content_dir) / "clinic.yaml")
    return mail_profile(read_profile(path)[0]) if path.is_file() else MailProfile()


def _mail_settings(mail, given: dict):
    """(MailSettings, the ledger) for send: each option given on the command line, else the clinic profile's
    'mail:' setting, else the default in the clinic folder. --drafts leaves the mail server out."""
    from .mail.ledger import LEDGER
    from .mail.session import MailSettings

    home = home_of()
    server = None if given["drafts"] else given["smtp_server"] or mail.address
    ca_file = given["smtp_ca_file"]
    if server and ca_file is None and mail.ca_file is not None:
        mail.check_ca_file()  # a missing file is named at its line in the profile, when it is needed
        ca_file = mail.ca_file
    tls = mail.security == "tls" if given["smtp_tls"] is None else given["smtp_tls"]
    settings = MailSettings(given["outbox"] or mail.outbox or home.output / "outbox", server, tls, ca_file,
                            given["smtp_user"] or mail.user, given["sender"] or mail.sender, given["rate"] or mail.rate)
    return settings, given["ledger_file"] or mail.ledger or home.output / LEDGER


@cli.command()
@click.option("--port", type=click.IntRange(0, 65535), default=0, show_default="a free port",
              help="Listen on this port of 127.0.0.1 (the console never listens on another address).")
@click.option("--no-browser", "open_browser", is_flag=True, flag_value=False, default=True,
              help="Print the link only; do not open the browser.")
@click.option("--out", "out_dir", type=click.Path(path_type=Path), callback=_from_home(lambda home: home.output),
              show_default="output in the clinic folder",
              help="Folder for packets/, outbox/, the ledger and the print job.")
@_clinic_option
@_forms_option
@_project_options
def serve(port, open_browser, out_dir, clinic_file, forms, content_dir, layouts_dir):
    """Open the front-desk console: a page in the browser to check the roster, see each patient's packet,
    make the packets and the print job, and send the emails after a confirmation.

    It listens on 127.0.0.1 only and prints one line, Open http://127.0.0.1:PORT/?token=...; the link works
    once, in one browser (a new one each time the console starts). Ctrl-C stops it.

    \b
    Examples:
      handouts serve
      handouts serve --port 8765 --no-browser
    """
    from .console.serve import serve as run_console
    from .console.state import ConsoleConfig

    run_console(ConsoleConfig(content_dir, layouts_dir, clinic_file, out_dir, forms), port, open_browser,
                announce=click.echo)


def _inputs(roster, content, layouts, clinic):
    from .files.outputs import inputs_of

    return inputs_of(roster, content, layouts, clinic)


def _show_review(lines, transport, outbox, full: bool) -> None:
    """Who gets what, one block a row. Names and addresses only when a person looks (standard output is a
    terminal, also for --dry-run): piped into a log or a file, the review shows ids and masked addresses."""
    from .load.dates import in_words
    from .load.languages import language_name
    from .mail.review import ALREADY, REFUSED
    from .load.roster import is_safe_id
    from .mail.send import mask

    done_word = "drafted" if transport.name == "drafts" else "sent"
    where = f"as drafts in {outbox}" if transport.name == "drafts" else f"by email through {transport.host}"
    click.echo(f"Review: who gets what, {where}:")
    for line in lines:
        who = line.patient_id if is_safe_id(line.patient_id) else "patient_id not shown"
        state = f"already {done_word}" if line.state == ALREADY else line.state
        if line.earlier is not None:
            state += f" (this email replaces the one for {in_words(line.earlier)})"
        if line.state == REFUSED or line.reason:
            state += f": {line.reason}"
        click.echo(terminal_safe(f"  row {line.number}, {who}: {state}"))
        if line.row is None:
            continue
        row = line.row
        if full:
            click.echo(terminal_safe(f"      {row.name}  ->  {line.recipient}"))
        else:
            click.echo(terminal_safe(f"      to {mask(line.recipient)} (names and addresses show at a terminal)"))
        click.echo(terminal_safe(f"      {in_words(row.appointment)}; {language_name(row.language)}; "
                                 f"{row.layout.replace('-', ' ')}"))


def _confirm(due, transport_name: str, confirmed: bool) -> None:
    """Ask before anything goes; without a terminal, only --yes answers."""
    if not due or confirmed:
        return
    patients = len({line.patient_id.casefold() for line in due})
    verb = "Draft" if transport_name == "drafts" else "Send"
    question = f"{verb} {len(due)} email(s) to {patients} patient(s)?"
    if not sys.stdin.isatty():
        raise InputError(f"{len(due)} email(s) wait for a yes, and there is no terminal to ask at; nothing was sent",
                         source="send", rule="send-not-confirmed",
                         hint="run it at a terminal to answer, or add --yes once the review above is right")
    if not click.confirm(question, default=False):
        click.echo("Nothing sent: not confirmed.")
        sys.exit(1)


def _report_send(plan, result, transport_name: str, dry_run: bool) -> None:
    from .load.roster import is_safe_id
    from .mail.send import summary_line

    done_word = "drafted" if transport_name == "drafts" else "sent"
    for preview in result.previews:
        who = f"patient_id {preview.patient_id}" if is_safe_id(preview.patient_id) else "patient_id not shown"
        click.echo(terminal_safe(f"row {preview.number} ({who}): to {preview.masked}, packet PDF "
                                 f"{preview.size / 1024:.0f} KB"))
    problems = sorted(plan.problems + result.failed, key=lambda p: p.number)
    _report_rows(problems, "failed")
    if result.waiting:
        click.echo(f"Not asked this time: {len(result.waiting)} row(s) (only the --resend ids go).")
    if dry_run:
        click.echo("Dry run, nothing sent or recorded: "
                   + summary_line(len(result.previews), len(result.skipped), problems, done_word, "ready"))
    else:
        click.echo(summary_line(len(result.done), len(result.skipped), problems, done_word))
    if result.stopped is not None:
        _say("Stopped: the rows not listed above were not delivered; run the same command again when it is fixed.")
        raise HandoutsError(findings=[result.stopped])
    if result.interrupted:
        _say("Interrupted: every message handed over is in the ledger; run the same command again for the rest.")
        sys.exit(130)
    if problems:
        sys.exit(1)


def run(argv=None) -> None:
    """The `handouts` program, in a process of its own that ends when it returns (the console script,
    `python -m handouts`, generate.py): `main`, then what the command made is left for the process's end.

    As a process ends, Python's collector looks for cycles once more among every object still alive: every
    module the command imported, everything it read. For a short command that is most of what it made (some 10 %
    of a fresh lint's CPU, 30 of 300 ms, measured), and none of it needs the collector to be freed: `gc.freeze`
    sets it aside. Nothing the command must finish is left to the collector: files are closed by `with`,
    the standard streams are flushed and `atexit` handlers (`weakref.finalize`) still run."""
    try:
        main(argv)
    finally:
        gc.freeze()


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
        log = internal_error_log()  # where it happened, never the message: it may hold a patient's value
        click.echo(f"internal error: something went wrong inside handouts; details in {log}", err=True)
        sys.exit(70)
