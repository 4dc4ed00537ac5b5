"""End to end through the command line, the way staff use it."""

import gc
import json
import os
import re
import shutil
import subprocess
import sys

import pytest
from conftest import DATA, REPO, run
from pdfread import normalized, reader, text


@pytest.fixture
def sample_args():
    return ["--content", str(DATA), "--layouts", str(REPO / "layouts")]


def test_build_one_layout_prints_a_table(capsys, tmp_path, sample_args):
    code, out, err = run(capsys, "build", "sample", "--layout", "large-print", "--out", str(tmp_path), *sample_args)
    assert code == 0, err
    pdf = tmp_path / "large-print" / "sample.pdf"
    assert pdf.exists()
    assert str(pdf) in out and "pages" in out
    assert "Sample handout for tests" in text(pdf)


def test_build_personalized(capsys, tmp_path, sample_args):
    code, _, err = run(capsys, "build", "sample", "--layout", "standard", "--out", str(tmp_path),
                       "--patient-name", "Zoë Ångström", "--preferred-name", "Zoë",
                       "--appointment", "2026-12-03T09:30", *sample_args)
    assert code == 0, err
    extracted = normalized(text(tmp_path / "personalized" / "standard" / "sample.pdf"))
    assert "Prepared for Zoë." in extracted
    assert "Thursday, December 3, 2026 at 9:30 AM" in extracted
    assert not any("Zo" in p.name for p in tmp_path.rglob("*"))  # no names in file names


def test_a_personalized_build_never_replaces_the_blank_handouts(capsys, tmp_path, sample_args):
    code, _, _ = run(capsys, "build", "sample", "--layout", "standard", "--out", str(tmp_path), *sample_args)
    blank = (tmp_path / "standard" / "sample.pdf").read_bytes()
    code, _, err = run(capsys, "build", "sample", "sample", "--layout", "standard", "--out", str(tmp_path),
                       "--patient-name", "Zoë Ångström", *sample_args)
    assert code == 0, err
    assert (tmp_path / "standard" / "sample.pdf").read_bytes() == blank
    assert "Zoë" not in normalized(text(tmp_path / "standard" / "sample.pdf"))
    assert "Zoë" in normalized(text(tmp_path / "personalized" / "standard" / "sample.pdf"))


@pytest.mark.parametrize("args,message", [
    (["build", "nope"], "unknown document 'nope'; choose one of: sample"),
    (["build", "--layout", "tiny"], "unknown layout 'tiny'; choose one of: extra-large, large-print, standard"),
    (["build", "--appointment", "2026-02-30 09:00"], "--appointment: is not a real date"),
    (["build", "--appointment", "next tuesday"], "is not a date and time like 2026-12-03 09:30"),
    (["build", "--clinic", "/nonexistent/clinic.yaml"], "clinic profile not found"),
])
def test_user_mistakes_get_one_line_and_exit_2(capsys, tmp_path, sample_args, args, message):
    code, out, err = run(capsys, *args, "--out", str(tmp_path), *sample_args)
    assert code == 2
    assert message in err
    assert len(err.strip().splitlines()) == 1
    assert "Traceback" not in err
    assert not list(tmp_path.rglob("*.pdf"))


def test_missing_placeholder_writes_nothing(capsys, tmp_path, make_project):
    content = make_project(a_good="---\ntitle: Good\n---\nFine.\n",
                           bad="---\ntitle: Bad\n---\nHello {{ patient.name }}\n").content.folder
    code, _, err = run(capsys, "build", "--out", str(tmp_path / "out"), "--content", str(content),
                       "--layouts", str(REPO / "layouts"))
    assert code == 2 and "bad.md:4: placeholder has no value" in err
    assert "--patient-name" in err  # the CLI's hint names its flags; the library's cannot
    assert not (tmp_path / "out").exists()  # not even the good document: no partial set


def test_list_shows_titles(capsys, sample_args):
    code, out, _ = run(capsys, "list", *sample_args)
    assert code == 0
    assert "sample" in out and "Sample handout for tests" in out and "large-print" in out


def test_help_has_examples(capsys):
    for command in ("build", "list", "check"):
        code, out, _ = run(capsys, command, "--help")
        assert code == 0 and "Example" in out


def test_check_passes_ours_and_fails_a_plain_pdf(capsys, tmp_path, sample_args):
    run(capsys, "build", "sample", "--layout", "standard", "--out", str(tmp_path), *sample_args)
    ours = tmp_path / "standard" / "sample.pdf"
    from reportlab.pdfgen.canvas import Canvas

    plain = tmp_path / "plain.pdf"
    canvas = Canvas(str(plain))
    canvas.drawString(72, 720, "untagged")
    canvas.save()
    code, out, _ = run(capsys, "check", str(ours))
    assert code == 0 and out.startswith("PASS")
    code, out, _ = run(capsys, "check", str(ours), str(plain))
    assert code == 1
    assert "FAIL" in out and "structure tree" in out and "1 passed, 1 failed" in out
    code, out, _ = run(capsys, "check", "--json", str(plain))
    report = json.loads(out)
    assert code == 1 and report[0]["passed"] is False and report[0]["failures"]
    assert set(report[0]["measured"]) >= {"smallest_size_pt", "grade"}
    failure = report[0]["failures"][0]
    assert failure["source"] == str(plain) and failure["rule"].startswith("PDFUA1-")
    assert failure["message"] and failure["detail"]  # plain words, and the validator's own


def test_check_reports_unreadable_file(capsys, tmp_path):
    junk = tmp_path / "junk.pdf"
    junk.write_text("not a pdf")
    code, out, _ = run(capsys, "check", str(junk))
    assert code == 1 and "not a readable PDF" in out


def test_generate_py_builds_everything(tmp_path):
    result = subprocess.run([sys.executable, str(REPO / "generate.py"), "build", "--out", str(tmp_path)],
                            cwd=REPO, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    pdfs = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*.pdf"))
    documents = sorted(p.stem for p in (REPO / "content").glob("*.md") if not p.stem.startswith("_"))
    assert pdfs == sorted(f"{layout}/{doc}.pdf" for layout in ("extra-large", "large-print", "standard")
                          for doc in documents)
    assert all(len(reader(tmp_path / p).pages) >= 1 for p in pdfs)
    for layout in ("large-print", "extra-large"):
        check = subprocess.run([sys.executable, "-m", "handouts", "check", "--class", layout, "--max-grade", "6",
                                *map(str, sorted((tmp_path / layout).glob("*.pdf")))],
                               cwd=REPO, capture_output=True, text=True, timeout=300)
        assert check.returncode == 0, check.stdout
        assert check.stdout.count("PASS") == len(documents)


@pytest.mark.parametrize("flag", ["-V", "--version"])
def test_version(capsys, flag):
    import handouts

    code, out, _ = run(capsys, flag)
    assert code == 0 and out == f"handouts, version {handouts.__version__}\n"


# The entry points a user may start on any Python: they must parse on 3.9 and say what is needed.
ENTRY_FILES = ("generate.py", "handouts/__main__.py", "handouts/__init__.py")
# Runs an entry point as if this Python were 3.9 (the check reads sys.version_info), and says on stdout whether
# the command line was imported.
AS_PYTHON_39 = """
import runpy, sys
sys.version_info, sys.argv[1:] = (3, 9, 18, "final", 0), ["list"]
try:
    {start}
finally:
    print("handouts.cli" in sys.modules)
"""


@pytest.mark.parametrize("path", ENTRY_FILES)
def test_entry_files_parse_on_python_3_9(path):
    import ast

    ast.parse((REPO / path).read_text(encoding="utf-8"), path, feature_version=(3, 9))


@pytest.mark.parametrize("start", ["runpy.run_path('generate.py', run_name='__main__')",
                                   "runpy.run_module('handouts', run_name='__main__', alter_sys=True)"])
def test_an_old_python_gets_one_line_not_a_traceback(start):
    result = subprocess.run([sys.executable, "-c", AS_PYTHON_39.format(start=start)], cwd=REPO,
                            capture_output=True, text=True, timeout=60)
    assert (result.returncode, result.stdout, result.stderr) == (1, "False\n", "handouts needs Python 3.10 or newer\n")


def test_lint_shipped_content_is_clean_once_the_profile_is_real(capsys, tmp_path):
    code, out, _ = run(capsys, "lint", "--json", "--content", str(REPO / "content"), "--layouts",
                       str(REPO / "layouts"))
    assert code == 1 and {f["rule"] for f in json.loads(out)} == {"profile-sample"}  # only the sample profile
    content = tmp_path / "content"
    shutil.copytree(REPO / "content", content)
    shutil.copy(DATA / "clinic_send.yaml", content / "clinic.yaml")  # a filled-in (fictional) clinic
    code, out, _ = run(capsys, "lint", "--content", str(content), "--layouts", str(REPO / "layouts"))
    assert code == 0 and "0 finding(s)" in out


@pytest.fixture
def lint_bad_content(make_project):
    """A content folder holding tests/data/lint/bad.md: one of each lint problem."""
    return make_project(bad=(DATA / "lint" / "bad.md").read_text(encoding="utf-8")).content.folder


def test_lint_reports_file_and_line(capsys, lint_bad_content):
    code, out, _ = run(capsys, "lint", "--content", str(lint_bad_content), "--layouts", str(REPO / "layouts"))
    assert code == 1
    assert re.search(r"bad\.md:\d+: ", out)


def test_lint_json_gives_each_finding_as_fields(capsys, lint_bad_content):
    content = lint_bad_content
    code, out, _ = run(capsys, "lint", "--json", "--content", str(content), "--layouts", str(REPO / "layouts"))
    # The test clinic profile is a sample one: its findings are about clinic.yaml; the rest about bad.md.
    findings = [f for f in json.loads(out) if not f["source"].endswith("clinic.yaml")]
    assert code == 1 and findings
    assert all(f["source"] == str(content / "bad.md") and f["rule"] and f["message"] for f in findings)
    assert {"rule": "long-sentence", "line": 11} in [{"rule": f["rule"], "line": f["line"]} for f in findings]


@pytest.mark.parametrize("args,flag", [
    (["list", "--content", "{tmp}/missing"], "pass --content DIR"),
    (["list", "--layouts", "{tmp}/missing"], "pass --layouts DIR"),
    (["build", "sample", "--out", "{tmp}/a-file/out"], "choose another --out folder"),
])
def test_the_cli_tells_which_flag_to_use(capsys, tmp_path, sample_args, args, flag):
    """The library's hint names no flag; the CLI line does. Later options win, so args override sample_args."""
    (tmp_path / "a-file").write_text("x")
    command, *options = [arg.format(tmp=tmp_path) for arg in args]
    code, _, err = run(capsys, command, *sample_args, *options)
    assert code == 2 and err.startswith("error: ") and flag in err
    assert len(err.strip().splitlines()) == 1


def _loaded_by(args: list[str]) -> dict:
    """The heavy libraries and the handouts stages a fresh Python has loaded after running the CLI with `args`."""
    script = (
        "import contextlib, io, json, sys\n"
        "from handouts.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):\n"
        "    try:\n"
        f"        main({args!r})\n"
        "    except SystemExit as exc:\n"
        "        assert exc.code in (None, 0, 1), exc.code\n"
        "names = [name.split('.') for name in sys.modules]\n"
        "print(json.dumps({'libraries': sorted({n[0] for n in names}),\n"
        "                  'stages': sorted({n[1] for n in names if n[0] == 'handouts' and len(n) > 1}),\n"
        "                  'pil_ran': 'PIL._imaging' in sys.modules,\n"
        "                  'hyphenation': 'handouts.text.hyphenation' in sys.modules}))\n"
    )
    result = subprocess.run([sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True, timeout=60,
                            check=False)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


# Not needed to show help: the pipeline, and the libraries every stage loads (YAML, dates, email).
PIPELINE = {"reportlab", "pypdf", "pdfminer", "page", "pikepdf", "jinja2", "markdown_it", "yaml", "babel", "pyphen",
            "PIL", "starlette", "uvicorn", "sqlite3", "smtplib", "multiprocessing", "concurrent", "email"}


@pytest.mark.parametrize("args", [["--help"], ["build", "--help"], ["packets", "--help"], ["lint", "--help"],
                                  ["send", "--help"], ["serve", "--help"]])
def test_help_imports_no_pipeline(args):
    """`--help` answers without loading any stage: no YAML, renderer, PDF reader, validator or template engine."""
    loaded = _loaded_by(args)
    assert not set(loaded["libraries"]) & PIPELINE, sorted(set(loaded["libraries"]) & PIPELINE)
    assert set(loaded["stages"]) <= {"cli", "errors", "clock", "load"}, loaded["stages"]  # load: its print_rules


def test_build_and_lint_load_only_what_they_use(tmp_path):
    """A document is built without the batch and mail stages, PDF readers, validator, SQLite or the console;
    lint loads the hyphenation dictionaries, build never does; neither runs PIL's image module (ReportLab imports
    it, for bitmaps handouts never draws: render/_lazy_pil.py)."""
    build = _loaded_by(["build", "infusion-day-checklist", "--layout", "large-print", "--out", str(tmp_path)])
    assert (tmp_path / "large-print" / "infusion-day-checklist.pdf").is_file()
    unused = {"pypdf", "pikepdf", "page", "pyphen", "starlette", "uvicorn", "sqlite3", "smtplib", "multiprocessing",
              "concurrent", "babel", "difflib"}
    assert not set(build["libraries"]) & unused, sorted(set(build["libraries"]) & unused)
    assert not build["hyphenation"]
    assert not set(build["stages"]) & {"mail", "console", "quality", "approve"}, build["stages"]
    assert "reportlab" in build["libraries"] and not build["pil_ran"]
    lint = _loaded_by(["lint"])
    assert not lint["pil_ran"]
    assert lint["hyphenation"] and not set(lint["libraries"]) & {"pypdf", "pikepdf", "starlette", "sqlite3", "pyphen",
                                                                 "difflib"}  # difflib: only for a profile's mistake
    assert not set(lint["stages"]) & {"batch", "mail", "console"}, lint["stages"]


def test_the_suite_catches_a_patient_value_in_any_output(capsys, sample_args):
    """The guard in conftest.run: a value given as a patient's must never come back in a message."""
    with pytest.raises(AssertionError, match="patient values"):
        run(capsys, "build", "Zelda", "--patient-name", "Zelda", *sample_args)  # 'unknown document Zelda'


@pytest.mark.parametrize("setup, flag", [("empty-content", "--content"), ("empty-layouts", "--layouts"),
                                         ("include", None)])
def test_bad_projects_exit_2_with_one_line(capsys, tmp_path, setup, flag):
    content, layouts = tmp_path / "content", tmp_path / "layouts"
    content.mkdir()
    layouts.mkdir()
    shutil.copy(DATA / "clinic.yaml", content / "clinic.yaml")
    if setup != "empty-content":
        body = "{% include 'x.md' %}\n" if setup == "include" else "Hello.\n"
        (content / "doc.md").write_text(f"---\ntitle: A handout\n---\n{body}")
    if setup != "empty-layouts":
        shutil.copy(REPO / "layouts" / "standard.yaml", layouts / "standard.yaml")
    code, _, err = run(capsys, "build", "--content", str(content), "--layouts", str(layouts),
                       "--out", str(tmp_path / "out"))
    assert code == 2 and len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert (flag or "not allowed") in err
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("enabled", [True, False])
def test_lint_leaves_the_garbage_collector_as_it_found_it(capsys, enabled):
    """lint pauses the cyclic collector while it runs (cli._collector_paused); in a process that goes on after it
    (these tests, the console), the collector is as it was, whether lint found problems or not."""
    was = gc.isenabled()
    (gc.enable if enabled else gc.disable)()
    try:
        code, out, _ = run(capsys, "lint", "--content", str(REPO / "content"), "--layouts", str(REPO / "layouts"))
        assert code == 1 and "profile" in out  # the sample profile: a finding, exit code 1
        assert gc.isenabled() is enabled
    finally:
        (gc.enable if was else gc.disable)()


def test_the_program_ends_with_its_objects_frozen_and_its_exit_code():
    """`run` (the console script, python -m handouts, generate.py) is `main` in a process that ends with it: its exit
    code comes through, and what it made is frozen, out of the last collection at exit."""
    script = ("import gc, sys\nfrom handouts.cli import run\ntry:\n    run(['lint', '--json'])\n"
              "except SystemExit as exc:\n    print(exc.code, gc.get_freeze_count() > 1000, file=sys.stderr)\n")
    done = subprocess.run([sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True, timeout=120,
                          check=False, env={**os.environ, "HANDOUTS_LINT_CACHE": "off"})
    assert done.stderr == "1 True\n" and json.loads(done.stdout)
