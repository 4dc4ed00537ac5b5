"""Compiled templates kept on disk (text/template_cache.py): a template read back fills exactly as one compiled,
a changed document or a changed handouts is compiled again, nothing of a patient is ever kept, and an entry this
user did not write alone is never read."""

import os
import subprocess
import sys
from datetime import datetime

import pytest
from conftest import REPO

from handouts.load.project import Patient, Project
from handouts.pipeline import load_document
from handouts.text import fill as fill_module
from handouts.text import template_cache

PATIENT = Patient.from_values("Zofia Quennell-Abara", "Zofia")  # fictional
WHEN = datetime(2026, 12, 3, 9, 30)


@pytest.fixture
def cache(tmp_path, monkeypatch):
    """A cache folder of the test's own, and no template compiled in this process yet."""
    folder = tmp_path / "cache"
    monkeypatch.setenv(template_cache.ENVIRONMENT, str(folder))
    fill_module._template.cache_clear()
    fill_module._SHAPES.clear()  # nor any fill kept (a kept fill needs no template)
    yield folder
    fill_module._template.cache_clear()


def _every_document(project: Project):
    """Each document, part and edition of the shipped content, for the test patient: the model a page is made of."""
    names = [*project.content.names(), "_packet", "_email"]
    extra = {"documents": [{"title": "A handout", "anchor": "a-handout"}]}
    return [load_document(project, name, PATIENT, WHEN, language, **extra)
            for name in names for language in (None, "es")]


def _filled(monkeypatch, setting: str, project: Project):
    monkeypatch.setenv(template_cache.ENVIRONMENT, setting)
    fill_module._template.cache_clear()
    fill_module._SHAPES.clear()  # no fill kept from before: each one compiles or reads its template
    return _every_document(project)


def test_a_template_read_back_fills_as_one_compiled(cache, monkeypatch, project):
    uncached = _filled(monkeypatch, "off", project)
    cold = _filled(monkeypatch, str(cache), project)  # compiled, and kept
    kept = sorted(cache.glob("*.jinja"))
    assert len(kept) >= 6
    compiled = []
    monkeypatch.setattr(fill_module._ENV, "compile", lambda *a, **k: compiled.append(a) or pytest.fail("compiled"))
    warm = _filled(monkeypatch, str(cache), project)  # read back, none compiled
    assert not compiled
    assert uncached == cold == warm


def test_a_changed_document_is_compiled_again(cache, make_project):
    body = "---\ntitle: A handout\n---\nCall {{ clinic.phone }} {word}.\n"
    project = make_project(doc=body.format(word="today"))
    assert "today" in str(load_document(project, "doc").blocks)
    fill_module._template.cache_clear()
    changed = make_project(doc=body.format(word="tomorrow"))
    text = str(load_document(changed, "doc").blocks)
    assert "tomorrow" in text and "today" not in text
    assert len(list(cache.glob("*.jinja"))) == 2


def test_a_new_handouts_or_jinja_is_a_new_key(cache, make_project, monkeypatch):
    project = make_project(doc="---\ntitle: A handout\n---\nCall {{ clinic.phone }}.\n")
    load_document(project, "doc")
    body = project.content.load("doc").body
    assert template_cache.load(body) is not None
    monkeypatch.setattr(template_cache, "_salt", lambda: b"another fill.py")
    assert template_cache.load(body) is None


def test_the_cache_holds_no_patient_value(cache, project):
    _every_document(project)
    kept = b"".join(p.read_bytes() for p in cache.iterdir())
    assert kept
    for value in ("Zofia", "Quennell", "Abara"):
        for encoding in ("utf-8", "utf-16-le", "utf-16-be"):
            assert value.encode(encoding) not in kept


@pytest.mark.parametrize("spoil", ["entry writable by others", "folder writable by others", "bytes changed",
                                   "a link"])
def test_an_entry_not_this_users_alone_is_never_read(cache, make_project, spoil):
    project = make_project(doc="---\ntitle: A handout\n---\nCall {{ clinic.phone }}.\n")
    expected = load_document(project, "doc")
    body = project.content.load("doc").body
    [entry] = cache.glob("*.jinja")
    if spoil == "entry writable by others":
        entry.chmod(0o666)
    elif spoil == "folder writable by others":
        cache.chmod(0o777)
    elif spoil == "bytes changed":
        data = bytearray(entry.read_bytes())
        data[-1] ^= 1
        entry.write_bytes(bytes(data))
    else:
        target = cache.parent / "elsewhere.jinja"
        entry.rename(target)
        entry.symlink_to(target)
    assert template_cache.load(body) is None
    fill_module._template.cache_clear()
    assert load_document(project, "doc") == expected  # compiled again, as if there were no cache


def test_a_cache_that_cannot_be_written_is_no_cache(tmp_path, monkeypatch, make_project):
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder")
    monkeypatch.setenv(template_cache.ENVIRONMENT, str(blocked / "cache"))
    fill_module._template.cache_clear()
    project = make_project(doc="---\ntitle: A handout\n---\nCall {{ clinic.phone }}.\n")
    assert "555" in str(load_document(project, "doc").blocks)


def test_without_a_home_folder_there_is_no_cache(monkeypatch, make_project):
    """A service account with no home folder (and no XDG_CACHE_HOME, or a relative one) fills without a cache."""
    monkeypatch.delenv(template_cache.ENVIRONMENT, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/cache")

    def no_home():
        raise RuntimeError("Could not determine home directory.")

    monkeypatch.setattr(template_cache.Path, "home", staticmethod(no_home))
    assert template_cache.folder() is None
    fill_module._template.cache_clear()
    project = make_project(doc="---\ntitle: A handout\n---\nCall {{ clinic.phone }}.\n")
    assert "555" in str(load_document(project, "doc").blocks)
    assert not (project.content.folder.parent / "relative").exists()


def _build(out, setting: str) -> bytes:
    environment = {**os.environ, template_cache.ENVIRONMENT: setting}
    subprocess.run([sys.executable, "-m", "handouts", "build", "infusion-day-checklist", "--layout", "large-print",
                    "--patient-name", PATIENT.name, "--appointment", "2026-12-03 09:30", "--out", str(out)],
                   cwd=REPO, env=environment, capture_output=True, check=True, timeout=120)
    return (out / "personalized" / "large-print" / "infusion-day-checklist.pdf").read_bytes()


def test_a_pdf_built_warm_is_byte_identical_to_one_built_without_a_cache(tmp_path):
    folder = tmp_path / "cache"
    uncached = _build(tmp_path / "off", "off")
    cold = _build(tmp_path / "cold", str(folder))
    assert list(folder.glob("*.jinja"))
    warm = _build(tmp_path / "warm", str(folder))
    assert uncached == cold == warm
