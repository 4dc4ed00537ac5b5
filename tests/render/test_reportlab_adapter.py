"""ReportLab stays behind one adapter, pinned to the releases it was tested with, and changed only while a
document is written: importing handouts changes nothing of ReportLab, and after a render everything it
changed is back, by identity."""

import ast
import io
import json
import re
import subprocess
import sys
import threading
from importlib.metadata import version

import pytest
from conftest import REPO
from reportlab import rl_config
from reportlab.pdfbase import pdfdoc, ttfonts
from reportlab.pdfbase.pdfdoc import PDFArray, PDFDictionary, PDFStream
from reportlab.pdfgen.canvas import Canvas

from handouts.load.typefaces import FALLBACK
from handouts.render import _reportlab

PACKAGE = REPO / "handouts"
ADAPTER = PACKAGE / "render" / "_reportlab.py"
# Internal ReportLab names the adapter wraps; no other module may touch them.
INTERNALS = re.compile(r"\._[A-Za-z]|__NoDefault__|__InternalName__|idToObjectNumberAndVersion|getSubsetInternalName"
                       r"|splitString|makeSubset|charToGlyph|rl_config|makeToUnicodeCMap")
# ... except where a line uses the adapter, or its own private names.
ADAPTER_USE = re.compile(r"\bself\._|\b_reportlab\.|\._(?:open|page|canv|reportlab\b)")


def _modules():
    return [path for path in PACKAGE.rglob("*.py") if path != ADAPTER]


def contract_breaks(font_path) -> list[str]:
    """What this ReportLab lacks of the adapter's `CONTRACT` (checked on real objects); empty when all is there."""
    canv = Canvas(io.BytesIO())
    font = ttfonts.TTFont("HandoutsContractProbe", str(font_path))
    subjects = {"Canvas": canv, "PDFDocument": canv._doc if hasattr(canv, "_doc") else None,
                "PDFPage": pdfdoc.PDFPage(), "ttfonts": ttfonts, "TTFont": font, "TTFontFace": font.face,
                "rl_config": rl_config, "PDFStream": PDFStream, "pdfdoc": pdfdoc, "PDFDictionary": PDFDictionary,
                "PDFArray": PDFArray,
                "PDFCatalog": pdfdoc.PDFCatalog}
    timestamp = getattr(subjects["PDFDocument"], "_timeStamp", None)
    missing = [f"{where}.{name} ({purpose})" for where, name, purpose in _reportlab.CONTRACT
               if not hasattr(subjects[where], name)]
    if timestamp is not None and not all(hasattr(timestamp, key) for key in ("t", "lt", "YMDhms", "dhh", "dmm")):
        missing.append("PDFDocument._timeStamp fields t, lt, YMDhms, dhh, dmm (creation dates)")
    return missing


def test_the_adapter_finds_everything_it_relies_on():
    breaks = contract_breaks(FALLBACK[1])
    assert not breaks, (
        f"ReportLab {version('reportlab')} no longer has what handouts/render/_reportlab.py relies on: "
        f"{'; '.join(breaks)}. Adapt the adapter before widening the pin in pyproject.toml."
    )


def _release(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", text)[:2])


def test_installed_reportlab_is_within_the_pin_and_the_pin_matches_the_adapter():
    # The dependency line as written (tomllib is 3.11+; the project supports 3.10).
    pin = re.search(r'"(reportlab[^"]*)"', (REPO / "pyproject.toml").read_text()).group(1)
    assert pin.endswith(_reportlab.TESTED_RELEASES), f"pyproject pins {pin}, the adapter was tested with " \
                                                     f"{_reportlab.TESTED_RELEASES}"
    low, high = re.match(r">=([\d.]+),<([\d.]+)", _reportlab.TESTED_RELEASES).groups()
    assert _release(low) <= _release(version("reportlab")) < _release(high)


def _imports(tree: ast.AST) -> list[str]:
    """Every module a source imports: import statements, and import_module / __import__ of a literal name."""
    names = [node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and not node.level]
    names += [alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names]
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant):
            called = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            if called in ("import_module", "__import__") and isinstance(node.args[0].value, str):
                names.append(node.args[0].value)
    return names


def test_only_the_adapter_imports_reportlab():
    offenders = [str(path.relative_to(REPO)) for path in _modules()
                 if any(name.split(".")[0] == "reportlab" for name in _imports(ast.parse(path.read_text("utf-8"))))]
    assert not offenders, f"only handouts/render/_reportlab.py may import reportlab; these do: {offenders}"


def test_the_import_guard_sees_every_way_of_importing():
    seen = _imports(ast.parse("import reportlab.pdfgen\nfrom reportlab.lib import colors\n"
                              "importlib.import_module('reportlab.pdfbase')\n__import__('reportlab')\n"))
    assert [name.split(".")[0] for name in seen].count("reportlab") == 4


def test_no_module_but_the_adapter_touches_reportlab_internals():
    offenders = []
    for path in _modules():
        if "reportlab" not in path.read_text(encoding="utf-8") and path.parent != PACKAGE / "render":
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            code = line.split("#", 1)[0]
            if INTERNALS.search(code) and not ADAPTER_USE.search(code):
                offenders.append(f"{path.relative_to(REPO)}:{number}: {line.strip()}")
    assert not offenders, "\n".join(offenders)


# -- changed only while a document is written ------------------------------------------------------------------

# Run in a fresh process: ReportLab's state (every loaded ReportLab module, the classes they define, the Flate
# filter object, the registered faces) by identity before handouts is imported, after a first render, and
# after more renders in other layouts and scripts; prints what changed between them.
STATE = """
import inspect, json, sys
from datetime import datetime
import reportlab.pdfgen.canvas, reportlab.lib.colors, reportlab.lib.rl_accel
from reportlab import rl_config
from reportlab.pdfbase import pdfdoc, pdfmetrics, ttfonts

def state():
    owners = {}
    for module_name, module in list(sys.modules.items()):
        if module_name.split(".")[0] != "reportlab" or module is None:
            continue
        owners[module_name] = module
        for name, value in vars(module).items():
            if inspect.isclass(value) and value.__module__ == module_name:
                owners[module_name + "." + name] = value
    owners["the Flate filter object pdfdoc.PDFZCompress"] = pdfdoc.PDFZCompress
    for font_name in pdfmetrics.getRegisteredFontNames():
        font = pdfmetrics.getFont(font_name)
        if hasattr(font, "face"):
            owners[font_name + ".face"] = font.face
    return {owner_name: dict(vars(owner)) for owner_name, owner in owners.items()}

# ReportLab's own working state, changed by ReportLab itself: a face's read position in its font file.
OWN = {"_pos"}

# Names whose value is not the very object it was, for owners there before (a face registered since is
# compared the next time); a submodule's name added to its package by an import is no change.
def changed(before, after):
    found = []
    for owner, held in before.items():
        now = after.get(owner, {})
        for key in held.keys() | now.keys():
            if key in OWN or (key not in held and inspect.ismodule(now[key])):
                continue
            if held.get(key, held) is not now.get(key, now):
                found.append(owner + "." + key)
    return sorted(found)

pristine = state()
from handouts.load.project import Patient, Project
from handouts.pipeline import packet_document, render_checked
project = Project.open("content", "layouts")

def packet(name, layout):
    document = packet_document(project, Patient.from_values(name), datetime(2026, 12, 3, 9, 30),
                               ("infusion-day-checklist", "fibromyalgia-ketamine"))
    return render_checked(project, document, project.layouts.load(layout), "packet")

packet("Jack Smith", "large-print")
first = state()
packet("Nguyễn Thị Minh Khai", "extra-large")
packet("Дмитрий Иванов", "standard")
print(json.dumps({"first render": changed(pristine, first), "later renders": changed(first, state())}))
"""


def test_after_renders_reportlab_holds_what_it_held_before_handouts_was_imported():
    result = subprocess.run([sys.executable, "-c", STATE], cwd=REPO, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    changed = json.loads(result.stdout)
    assert changed == {"first render": [], "later renders": []}, (
        f"ReportLab left changed after a render (a patch not undone, or a new one outside the adapter): {changed}")


def test_every_patch_is_in_place_while_writing_and_undone_after_by_identity():
    patches = _reportlab._patches()
    before = [(p.owner, p.name, p.name in vars(p.owner), vars(p.owner).get(p.name)) for p in patches]
    for patch, (_, _, _, held) in zip(patches, before):
        if callable(held):  # ReportLab's own code, not a change left over from an earlier render
            assert held.__module__.startswith("reportlab."), f"{patch.where} is {held.__module__}'s before writing"
    with _reportlab.writing():
        inside = [(p.where, getattr(p.owner, p.name)) for p in patches]
        for (where, value), (owner, name, _, held) in zip(inside, before):
            assert value is not held, f"{where} is not changed while writing"
    for owner, name, own, held in before:
        assert (name in vars(owner)) == own and vars(owner).get(name) is held, f"{owner}.{name} not restored"


def test_patches_are_undone_when_writing_fails():
    from reportlab import rl_config

    original = rl_config.useA85
    with pytest.raises(ZeroDivisionError):
        with _reportlab.writing():
            assert rl_config.useA85 == 0
            1 / 0
    assert rl_config.useA85 is original


def test_importing_handouts_changes_nothing_in_reportlab():
    code = (
        "import sys\n"
        "from reportlab import rl_config; from reportlab.pdfbase import pdfdoc, ttfonts\n"
        "def state(): return (rl_config.useA85, ttfonts.makeToUnicodeCMap, ttfonts.SUBSETN,\n"
        "    pdfdoc.PDFStream.format, pdfdoc.PDFDictionary.format, pdfdoc.PDFArray.format,\n"
        "    vars(pdfdoc.PDFZCompress).copy(), ttfonts.TTFontFace.makeSubset)\n"
        "before = state()\n"
        "import handouts.render.pdf, handouts.pipeline, handouts.cli\n"
        "assert state() == before, 'changed at import'\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_each_patch_names_an_attribute_of_the_contract():
    contracted = {name for _, name, _ in _reportlab.CONTRACT}
    for patch in _reportlab._patches():
        assert patch.name in contracted or patch.where == "pdfdoc.PDFZCompress.encode", \
            f"{patch.where} is not in CONTRACT"
        assert patch.why, f"{patch.where} does not say why"


def test_renders_in_threads_are_each_their_own(project):
    """Saves in two threads never share a subset-tag sequence or see each other's changes half undone."""
    from datetime import datetime

    from handouts.load.project import Patient
    from handouts.pipeline import packet_document, render_checked

    names = ["Nguyễn Thị Minh Khai", "Zoë Ångström", "Дмитрий Иванов", "Ann Alpha"]
    layout = project.layouts.load("large-print")

    def packet(name):
        document = packet_document(project, Patient.from_values(name), datetime(2026, 12, 3, 9, 30),
                                   ("infusion-day-checklist",))
        return render_checked(project, document, layout, "packet")

    alone = {name: packet(name) for name in names}
    results, errors = {}, []

    def run(name):
        try:
            for _ in range(3):
                results.setdefault(name, set()).add(packet(name))
        except Exception as error:  # reported below, with the name of the thread's patient
            errors.append((name, error))

    threads = [threading.Thread(target=run, args=(name,)) for name in names]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    for name in names:
        assert results[name] == {alone[name]}, f"{name}: a render in a thread differs from one alone"


def test_shown_page_traits_tell_pages_apart_by_what_their_dictionaries_hold():
    """A shown page's traits (what a kept file's page must hold as the page drawn for a packet does): the same for
    two pages drawn alike, another for another page size, for a graphics state used, and for an object no trait
    describes (equal to nothing, not even itself)."""
    canv = Canvas(io.BytesIO(), pagesize=(612, 792))
    for _ in range(2):
        canv.drawString(72, 72, "a")
        canv.showPage()
    canv.setPageSize((612, 1008))
    canv.showPage()
    canv.setFillAlpha(0.5)
    canv.drawString(72, 72, "a")
    canv.showPage()
    first, second, taller, translucent = (_reportlab.shown_page_traits(canv, index) for index in range(4))
    assert first == second and first != taller and first != translucent
    assert first[-3:] == (612, 792, 1)  # its width, height and compression, as they are
    canv._doc.Pages.pages[1].Trans = object()
    assert _reportlab.shown_page_traits(canv, 1) != _reportlab.shown_page_traits(canv, 1)
