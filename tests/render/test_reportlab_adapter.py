"""ReportLab stays behind one adapter, pinned to the releases it was tested with."""

import ast
import re
import subprocess
import sys
from importlib.metadata import version

from conftest import REPO

from handouts.load.typefaces import FALLBACK
from handouts.render import _reportlab

PACKAGE = REPO / "handouts"
ADAPTER = PACKAGE / "render" / "_reportlab.py"
# Internal ReportLab names the adapter wraps; no other module may touch them.
INTERNALS = re.compile(r"\._[A-Za-z]|__NoDefault__|__InternalName__|idToObjectNumberAndVersion|getSubsetInternalName"
                       r"|splitString|makeSubset|charToGlyph|rl_config|makeToUnicodeCMap")


def _modules():
    return [path for path in PACKAGE.rglob("*.py") if path != ADAPTER]


def test_the_adapter_finds_everything_it_relies_on():
    breaks = _reportlab.contract_breaks(FALLBACK[1])
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


def test_only_the_render_stage_imports_reportlab():
    for path in PACKAGE.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        imported = [node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)]
        imported += [alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names]
        if any(name.split(".")[0] == "reportlab" for name in imported):
            assert path.parent == PACKAGE / "render", f"{path.relative_to(REPO)} imports reportlab"


def test_no_module_but_the_adapter_touches_reportlab_internals():
    offenders = []
    for path in _modules():
        if "reportlab" not in path.read_text(encoding="utf-8") and path.parent != PACKAGE / "render":
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            code = line.split("#", 1)[0]
            if INTERNALS.search(code) and not re.search(r"\bself\._|\b_reportlab\.|\._(?:open|page|canv)", code):
                offenders.append(f"{path.relative_to(REPO)}:{number}: {line.strip()}")
    assert not offenders, "\n".join(offenders)


def test_importing_handouts_patches_nothing():
    code = (
        "from reportlab import rl_config; from reportlab.pdfbase import ttfonts\n"
        "before = (rl_config.useA85, ttfonts.makeToUnicodeCMap)\n"
        "import handouts.render.pdf, handouts.pipeline, handouts.cli\n"
        "assert (rl_config.useA85, ttfonts.makeToUnicodeCMap) == before, 'patched at import'\n"
        "from handouts.render import _reportlab; _reportlab.prepare()\n"
        "assert rl_config.useA85 == 0 and ttfonts.makeToUnicodeCMap is _reportlab._to_unicode_cmap\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
