"""What is done once per process (pages drawn before, compressed streams, font subsets and maps, line breaks,
cleaned values) changes nothing in the bytes: a packet is the same first thing in a fresh process, after a
warm batch of other patients (other scripts, other font codes), and with every cache bypassed."""

import hashlib
import subprocess
import sys
from datetime import datetime

from conftest import REPO

from handouts.pipeline import render_checked
from handouts.pipeline import packet_document
from handouts.load.project import Patient

DOCUMENTS = ("infusion-day-checklist", "fibromyalgia-ketamine")
OTHERS = ["Zoë Ångström", "Nguyễn Thị Minh Khai", "Дмитрий Иванов", "Ελένη Π.", "Ann Alpha"]
RENDER = """
import hashlib, sys
from datetime import datetime
from handouts.pipeline import render_checked
from handouts.pipeline import packet_document
from handouts.load.project import Patient, Project
project = Project.open("content", "layouts")
document = packet_document(project, Patient.from_values("Jack Smith"), datetime(2026, 12, 3, 9, 30),
                           ("infusion-day-checklist", "fibromyalgia-ketamine"), sys.argv[2] or None)
print(hashlib.sha256(render_checked(project, document, project.layouts.load(sys.argv[1]), "packet")).hexdigest())
"""


def _packet(project, name: str, layout: str, language: str | None) -> bytes:
    document = packet_document(project, Patient.from_values(name), datetime(2026, 12, 3, 9, 30), DOCUMENTS,
                               language)
    return render_checked(project, document, project.layouts.load(layout), "packet")


def _cold(layout: str, language: str | None) -> str:
    result = subprocess.run([sys.executable, "-c", RENDER, layout, language or ""], cwd=REPO, capture_output=True,
                            text=True, check=True)
    return result.stdout.strip()


def test_a_packet_is_the_same_cold_warm_and_uncached(project, monkeypatch):
    from reportlab.pdfbase import pdfdoc

    from handouts.load import values
    from handouts.render import _reportlab, linebreak
    from handouts.render.reuse import PAGES

    for layout, language in (("large-print", None), ("standard", "es")):
        for name in OTHERS:  # warm every cache with other patients first
            _packet(project, name, layout, language)
        warm = hashlib.sha256(_packet(project, "Jack Smith", layout, language)).hexdigest()
        assert warm == _cold(layout, language)
        with monkeypatch.context() as patch:  # no memo: every page drawn, every stream compressed, every map made
            patch.setattr(pdfdoc.PDFZCompress, "encode", _reportlab.zlib_compress)
            patch.setattr(PAGES, "_most", 0)
            PAGES.clear()
            for cached in (_reportlab._cmap, linebreak._break_lines, values._clean):
                cached.cache_clear()
            uncached = {name: _packet(project, name, layout, language) for name in [*OTHERS, "Jack Smith"]}
        assert hashlib.sha256(uncached["Jack Smith"]).hexdigest() == warm
        for name in OTHERS:  # and the other way round: pages recorded for Jack, replayed for names in other scripts
            assert _packet(project, name, layout, language) == uncached[name], name


def test_pages_are_reused_across_patients(project, monkeypatch):
    from handouts.render import draw

    replayed = []
    original = draw.PageDrawer._replay
    monkeypatch.setattr(draw.PageDrawer, "_replay", lambda self, *args: replayed.append(1) or original(self, *args))
    for name in ("Ann Alpha", "Bea Beta", "Cal Gamma"):
        _packet(project, name, "extra-large", None)
    assert len(replayed) >= 10  # most of the second and third packets' pages


def test_a_replayed_page_never_carries_the_patient_it_was_recorded_for(project):
    """Names of the same length wrap the same way, so every page but those naming them is replayed: the
    pages that name a patient must name this one, and only this one."""
    from pdfread import text

    first = _packet(project, "Ann Alpha", "large-print", None)
    second = _packet(project, "Bob Omega", "large-print", None)
    shown = " ".join(text(second).split())
    assert "Bob Omega" in shown and "Ann" not in shown and "Alpha" not in shown
    assert "Ann Alpha" in " ".join(text(first).split())
