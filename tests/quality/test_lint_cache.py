"""Lint's answer kept on disk (quality/lint_cache.py): a warm lint prints exactly what a fresh one prints (the text
report, --json, the exit code), any change to what lint reads gives a fresh lint, a warm lint imports nothing
heavy, and an answer whose inputs changed while lint ran, or an entry spoiled on disk, is never read back."""

import json
import os
import shutil
import subprocess
import sys

import pytest
from conftest import DATA, REPO, run

from handouts import cli
from handouts.quality import lint_cache

HEAVY = {"reportlab", "jinja2", "markdown_it", "babel", "yaml", "pyphen", "PIL"}


@pytest.fixture
def clinic(tmp_path, monkeypatch):
    """A copy of the shipped content and layouts, with one of each lint problem added (tests/data/lint/bad.md), a
    cache folder of the test's own, and a count of the fresh lints run."""
    content, layouts = tmp_path / "content", tmp_path / "layouts"
    shutil.copytree(REPO / "content", content)
    shutil.copytree(REPO / "layouts", layouts)
    shutil.copy(DATA / "lint" / "bad.md", content / "bad.md")
    monkeypatch.setenv(lint_cache.ENVIRONMENT, str(tmp_path / "cache"))
    monkeypatch.setenv("HANDOUTS_TODAY", "2026-12-05")
    fresh = []
    real = cli._lint
    monkeypatch.setattr(cli, "_lint", lambda *args: fresh.append(args) or real(*args))
    return {"content": content, "layouts": layouts, "cache": tmp_path / "cache", "fresh": fresh}


def _lint(capsys, clinic, *options):
    code, out, err = run(capsys, "lint", "--content", str(clinic["content"]), "--layouts", str(clinic["layouts"]),
                         *options)
    return code, out, err


def _uncached(capsys, clinic, monkeypatch, *options):
    with monkeypatch.context() as patch:
        patch.setenv(lint_cache.ENVIRONMENT, "off")
        return _lint(capsys, clinic, *options)


@pytest.mark.parametrize("options", [(), ("--json",), ("--max-grade", "3"), ("--json", "--max-grade", "12")])
def test_a_warm_lint_prints_what_a_fresh_lint_prints(capsys, clinic, monkeypatch, options):
    uncached = _uncached(capsys, clinic, monkeypatch, *options)
    cold = _lint(capsys, clinic, *options)
    assert len(clinic["fresh"]) == 2 and len(list(clinic["cache"].glob("*.lint"))) == 1
    warm = _lint(capsys, clinic, *options)
    assert len(clinic["fresh"]) == 2  # read back, not linted again
    assert uncached == cold == warm
    assert warm[0] == 1 and "bad.md" in warm[1]  # findings, exit code 1
    if "--json" in options:
        assert {f["rule"] for f in json.loads(warm[1])} >= {"italics", "long-sentence", "all-caps-heading"}
    else:
        assert "status: " in warm[1] and warm[1].rstrip().endswith("layout(s).")


def _change_content(clinic):
    path = clinic["content"] / "infusion-day-checklist.md"
    path.write_text(path.read_text(encoding="utf-8") + "\nWe WILL CALL you the day before.\n", encoding="utf-8")


def _change_edition(clinic):
    path = clinic["content"] / "es" / "infusion-day-checklist.md"
    path.write_text(path.read_text(encoding="utf-8").replace("\n## ", "\n### ", 1), encoding="utf-8")


def _change_layout(clinic):
    path = clinic["layouts"] / "standard.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("body_size:", "body_size: 9 #", 1) if "body_size:" in text else text + "\n#\n",
                    encoding="utf-8")


def _change_profile(clinic):
    path = clinic["content"] / "clinic.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("sample: true", "sample: false"), encoding="utf-8")


def _add_document(clinic):
    (clinic["content"] / "new.md").write_text("---\ntitle: A NEW HANDOUT\n---\nCall us.\n", encoding="utf-8")


def _locale_folder(clinic, monkeypatch):
    """A folder of the clinic's own locale files (HANDOUTS_LOCALES), holding a copy of the shipped Spanish."""
    folder = clinic["content"].parent / "locales"
    folder.mkdir()
    shutil.copy(REPO / "handouts" / "locales" / "es.yaml", folder / "es.yaml")
    monkeypatch.setenv("HANDOUTS_LOCALES", str(folder))
    return folder / "es.yaml"


def _package_copy(clinic, monkeypatch):
    """handouts' own files as the cache sees them, in a copy that can be changed."""
    copy = clinic["content"].parent / "package"
    shutil.copytree(lint_cache._PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(lint_cache, "_PACKAGE", copy)
    return copy


@pytest.mark.parametrize("change", ["content", "edition", "layout", "profile", "new document", "locale", "option",
                                    "day", "handouts code", "handouts locale", "installed"])
def test_any_change_to_what_lint_reads_gives_a_fresh_lint(capsys, clinic, monkeypatch, change):
    locale = _locale_folder(clinic, monkeypatch)
    package = _package_copy(clinic, monkeypatch)
    _lint(capsys, clinic)
    _lint(capsys, clinic)
    assert len(clinic["fresh"]) == 1
    options = ()
    if change == "option":
        options = ("--max-grade", "3")
    elif change == "day":
        monkeypatch.setenv("HANDOUTS_TODAY", "2027-12-06")  # every review a year older
    elif change in ("locale", "handouts locale", "handouts code"):
        path = {"locale": locale, "handouts locale": package / "locales" / "en.yaml",
                "handouts code": package / "quality" / "lint.py"}[change]
        path.write_text(path.read_text(encoding="utf-8") + "\n# changed\n", encoding="utf-8")
    elif change == "installed":  # a library upgraded (or added) beside handouts
        real = lint_cache._installed
        monkeypatch.setattr(lint_cache, "_installed", lambda: [*real(), "Jinja2-9.0.dist-info"])
    else:
        {"content": _change_content, "edition": _change_edition, "layout": _change_layout,
         "profile": _change_profile, "new document": _add_document}[change](clinic)
    after = _lint(capsys, clinic, *options)
    assert len(clinic["fresh"]) == 2, "a changed input was answered from the cache"
    assert after == _uncached(capsys, clinic, monkeypatch, *options)


def test_an_answer_whose_inputs_changed_while_lint_ran_is_not_kept(capsys, clinic, monkeypatch):
    real = cli._lint

    def edited_meanwhile(*args):
        answer = real(*args)
        _change_content(clinic)  # the author saves a document while lint runs
        return answer

    monkeypatch.setattr(cli, "_lint", edited_meanwhile)
    _lint(capsys, clinic)
    assert not list(clinic["cache"].glob("*.lint"))


@pytest.mark.parametrize("spoil", ["bytes changed", "writable by others", "not json"])
def test_a_spoiled_entry_is_never_read_back(capsys, clinic, monkeypatch, spoil):
    expected = _lint(capsys, clinic)
    (entry,) = clinic["cache"].glob("*.lint")
    if spoil == "bytes changed":
        data = bytearray(entry.read_bytes())
        data[-3] ^= 1
        entry.write_bytes(bytes(data))
    elif spoil == "writable by others":
        entry.chmod(0o666)
    else:  # a valid digest over a payload that is not an answer
        lint_cache.user_cache.write(clinic["cache"], entry.name, lint_cache._MAGIC, b"[1, 2]", 64)
    assert _lint(capsys, clinic) == expected
    assert len(clinic["fresh"]) == 2


def test_too_much_to_hash_is_linted_fresh_and_kept_nowhere(capsys, clinic, monkeypatch):
    monkeypatch.setattr(lint_cache, "MAX_INPUT_FILES", 5)
    expected = _uncached(capsys, clinic, monkeypatch)
    assert _lint(capsys, clinic) == expected == _lint(capsys, clinic)
    assert len(clinic["fresh"]) == 3 and not clinic["cache"].exists()


def _lint_script(arguments: list[str], report: str, after: str = "") -> str:
    """A fresh process's program: `handouts lint` with `arguments` as a user runs it, then one JSON line with its
    exit code, what it printed and `report` (items of a dict, evaluated after `after`)."""
    return ("import contextlib, io, json, sys\n"
            "from handouts.cli import main\n"
            "out = io.StringIO()\n"
            "with contextlib.redirect_stdout(out):\n"
            "    try:\n"
            f"        main({arguments!r})\n"
            "    except SystemExit as exc:\n"
            "        code = exc.code\n"
            f"{after}"
            f"print(json.dumps({{'code': code, 'out': out.getvalue(), {report}}}))\n")


def test_a_warm_lint_imports_nothing_heavy(tmp_path):
    """In a fresh process, as a user runs it: the second lint of the same content reads its answer without YAML,
    Jinja2, markdown-it, ReportLab, Babel or the hyphenation dictionaries, and prints what the first printed."""
    script = _lint_script(["lint"], "'libraries': sorted({n.split('.')[0] for n in sys.modules})")
    environment = {**os.environ, lint_cache.ENVIRONMENT: str(tmp_path / "cache"), "HANDOUTS_TODAY": "2026-12-05"}
    runs = [json.loads(subprocess.run([sys.executable, "-c", script], cwd=REPO, env=environment, capture_output=True,
                                      text=True, timeout=120, check=True).stdout) for _ in range(2)]
    assert set(runs[0]["libraries"]) >= HEAVY - {"PIL", "pyphen"}  # the first lints
    assert not set(runs[1]["libraries"]) & HEAVY, sorted(set(runs[1]["libraries"]) & HEAVY)
    assert (runs[1]["code"], runs[1]["out"]) == (runs[0]["code"], runs[0]["out"])
    assert "finding(s) in" in runs[1]["out"]


@pytest.mark.parametrize("options", [(), ("--json",)])
def test_a_cold_lint_prints_what_a_warm_one_prints_as_a_user_runs_it(tmp_path, options):
    """`python -m handouts lint` on the shipped sample clinic, each a fresh process as a user starts it (its
    collector paused, its documents filled and parsed once a run, its objects frozen at exit): cold
    (HANDOUTS_LINT_CACHE=off), then the run that keeps its answer, then warm, which reads it back. The same lines
    and exit code each time."""
    def lint(cache: str) -> tuple[int, str, str]:
        environment = {**os.environ, lint_cache.ENVIRONMENT: cache, "HANDOUTS_TODAY": "2026-12-05"}
        done = subprocess.run([sys.executable, "-m", "handouts", "lint", *options], cwd=REPO, env=environment,
                              capture_output=True, text=True, timeout=120, check=False)
        return done.returncode, done.stdout, done.stderr

    cold = lint("off")
    kept, warm = lint(str(tmp_path / "cache")), lint(str(tmp_path / "cache"))
    assert len(list((tmp_path / "cache").glob("*.lint"))) == 1
    assert cold == kept == warm
    code, out, err = cold
    assert code == 1 and not err  # the shipped profile is the sample's: lint says so
    rules = {f["rule"] for f in json.loads(out)} if options else {"profile-sample"}
    assert rules == {"profile-sample"} and ("clinic.yaml" in out)


# --- the sample appointment's words, kept apart from the answers (lint._sample_words) -----------------------------


def test_a_fresh_lint_after_a_content_change_reads_the_kept_words(tmp_path):
    """In fresh processes, as a user runs them: the first lint keeps the sample appointment's words and the
    hyphenation dictionaries it prepared; after a change to a document, the fresh lint reads them back, loading none
    of Babel's locale data (Babel itself is imported to check the Spanish locale file's date pattern) and parsing no
    dictionary, and prints exactly what a lint with no cache prints (the lines and the exit code)."""
    content = tmp_path / "content"
    shutil.copytree(REPO / "content", content)
    shutil.copy(DATA / "lint" / "bad.md", content / "bad.md")
    script = _lint_script(["lint", "--content", str(content), "--clinic", str(content / "clinic.yaml")],
                          "'babel': sorted(getattr(sys.modules.get('babel.localedata'), '_cache', {})), "
                          "'parsed': sorted(hyphenation.loaded()), 'given': sorted(hyphenation._given)",
                          "from handouts.text import hyphenation\n")

    def lint(cache: str) -> dict:
        environment = {**os.environ, lint_cache.ENVIRONMENT: cache, "HANDOUTS_TODAY": "2026-12-05"}
        return json.loads(subprocess.run([sys.executable, "-c", script], cwd=REPO, env=environment,
                                         capture_output=True, text=True, timeout=120, check=True).stdout)

    cache = str(tmp_path / "cache")
    first = lint(cache)
    assert first["babel"] and len(list((tmp_path / "cache").glob("*.words"))) == 2  # English and Spanish
    assert first["parsed"] == ["en_US", "es"] and len(list((tmp_path / "cache").glob("*.hyph"))) == 1
    _change_content({"content": content})
    after = lint(cache)
    assert after["babel"] == [], "the kept words were not read back"
    assert (after["parsed"], after["given"]) == ([], ["en_US", "es"]), "the kept dictionaries were not read back"
    uncached = lint("off")
    assert uncached["babel"] and uncached["parsed"] == ["en_US", "es"] and not uncached["given"]
    assert (after["code"], after["out"]) == (uncached["code"], uncached["out"])
    assert after["out"] != first["out"]  # the change is linted: a fresh lint, not the kept answer


@pytest.mark.parametrize("change", ["handouts locale", "handouts code", "locale", "installed", "python"])
def test_the_words_are_kept_by_all_they_are_made_of(clinic, monkeypatch, change):
    """The words' key (`Key.setup`) changes with handouts' files, the locale folders, the installed distributions
    (a new Babel) and Python, and not with the clinic's content, layouts, options or the day."""
    locale = _locale_folder(clinic, monkeypatch)
    package = _package_copy(clinic, monkeypatch)

    def setup(options=None):
        return lint_cache.key(clinic["content"], clinic["layouts"], None, options or {"json": False}).setup

    before = setup()
    _change_content(clinic)
    _change_layout(clinic)
    assert setup({"json": True, "today": "2027-01-01"}) == before
    if change in ("locale", "handouts locale", "handouts code"):
        path = {"locale": locale, "handouts locale": package / "locales" / "en.yaml",
                "handouts code": package / "load" / "languages.py"}[change]
        path.write_text(path.read_text(encoding="utf-8") + "\n# changed\n", encoding="utf-8")
    elif change == "installed":
        real = lint_cache._installed
        monkeypatch.setattr(lint_cache, "_installed", lambda: [*real(), "babel-9.0.dist-info"])
    else:
        monkeypatch.setattr(lint_cache.sys, "version", sys.version + " (another build)")
    assert setup() != before


def test_the_kept_words_are_babels_and_spoiled_ones_are_made_again(tmp_path, monkeypatch):
    """What is kept is what Babel gives for the fixed sample dates; an entry spoiled on disk, or a different setup,
    is never read: the words are made again."""
    from handouts.load.dates import in_words
    from handouts.quality import lint

    monkeypatch.setenv(lint_cache.ENVIRONMENT, str(tmp_path / "cache"))
    for language in ("en-US", "es-US"):
        expected = (in_words(lint.SAMPLE_APPOINTMENT, language), in_words(lint.SAMPLE_EARLIER, language))
        assert lint._sample_words(language, "a" * 64) == expected
        assert lint_cache.words("a" * 64, language) == expected
        assert lint_cache.words("b" * 64, language) is None and lint_cache.words("", language) is None
    lint_cache.store_words("a" * 64, "en-US", ("Someday", "Another day"))  # as if a different Babel had made them
    assert lint._sample_words("en-US", "a" * 64) == ("Someday", "Another day")  # read back as kept ...
    (entry,) = [path for path in (tmp_path / "cache").glob("*.words") if b"Someday" in path.read_bytes()]
    data = bytearray(entry.read_bytes())
    data[-3] ^= 1
    entry.write_bytes(bytes(data))
    assert lint._sample_words("en-US", "a" * 64) == (in_words(lint.SAMPLE_APPOINTMENT, "en-US"),
                                                     in_words(lint.SAMPLE_EARLIER, "en-US"))  # ... not spoiled


def test_kept_dictionaries_are_read_back_only_whole_and_by_their_setup(tmp_path, monkeypatch):
    monkeypatch.setenv(lint_cache.ENVIRONMENT, str(tmp_path / "cache"))
    prepared = {"en_US": {"ab": "a1b"}}
    lint_cache.store_dictionaries("a" * 64, prepared)
    assert lint_cache.dictionaries("a" * 64) == prepared
    assert lint_cache.dictionaries("b" * 64) == {} and lint_cache.dictionaries("") == {}
    (entry,) = (tmp_path / "cache").glob("*.hyph")
    data = bytearray(entry.read_bytes())
    data[-2] ^= 1
    entry.write_bytes(bytes(data))
    assert lint_cache.dictionaries("a" * 64) == {}
    monkeypatch.setenv(lint_cache.ENVIRONMENT, "off")
    lint_cache.store_dictionaries("c" * 64, prepared)
    assert lint_cache.dictionaries("c" * 64) == {}
