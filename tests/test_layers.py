"""The stages stay layered: a module imports only from its own stage, from an earlier one, or from the shared base.

    load -> text -> render -> pipeline -> quality -> batch -> mail -> approve -> console -> cli -> __main__

`load` reads and checks the inputs (content, layouts, profile, roster, locale files); `text` fills and parses
the Markdown and measures reading level; `render` lays out and draws the PDF; `pipeline` runs those three for
one document or packet; `quality` checks PDFs and content; `batch` makes many files; `mail` sends them;
`approve` signs documents off; `console` (the front-desk web console) and `cli` (the command line) are the two
faces, and `handouts serve` starts the console from the command line. The base (`errors`, `model`, `files`, `clock`,
`interrupts`, and the package's own `__init__`) may be imported by every stage and imports nothing of the
stages. Imports inside functions count the same as those at the top of a file: moving an import into a
function does not make a later stage's code any less a dependency.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import handouts

PACKAGE = Path(handouts.__file__).parent
# "": the package itself (handouts/__init__.py, __version__).
BASE = ("", "errors", "model", "files", "clock", "interrupts", "caches")
STAGES = ("load", "text", "render", "pipeline", "quality", "batch", "mail", "approve", "console", "cli", "__main__")


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported(source: str, module: str, is_package: bool = False) -> list[tuple[int, str]]:
    """(line, module) for every import of a `handouts` module in `source`, wherever it stands in the file."""
    package = module.split(".") if is_package else module.split(".")[:-1]
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = package[:len(package) - node.level + 1] if node.level else []
            target = ".".join(base + ([node.module] if node.module else []))
            # `from .. import pipeline` imports a module; `from .errors import X` imports names from one.
            found += [(node.lineno, f"{target}.{alias.name}") if node.module is None else (node.lineno, target)
                      for alias in node.names]
    return [(line, name) for line, name in found if name == "handouts" or name.startswith("handouts.")]


def stage_of(module: str) -> str:
    """'handouts.load.roster' -> 'load'; 'handouts.errors' -> 'errors'; 'handouts.__version__' -> ''."""
    parts = module.split(".")
    if len(parts) < 2:
        return ""
    name = parts[1]
    known = (PACKAGE / name).is_dir() or (PACKAGE / f"{name}.py").is_file()
    return name if known else ""  # a name from handouts/__init__.py


def modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def allowed(stage: str, target: str) -> bool:
    if target in BASE or target == stage:
        return True
    if stage in BASE:
        return False
    return target in STAGES and STAGES.index(target) < STAGES.index(stage)


def test_every_module_has_a_place():
    unplaced = {stage_of(module_name(path)) for path in modules()} - set(BASE) - set(STAGES)
    assert not unplaced, f"add {sorted(unplaced)} to BASE or STAGES in this test, where it belongs"


def test_imports_inside_functions_are_found():
    source = "from ..errors import X\n\ndef f():\n    from ..render.pdf import render_pdf\n    import handouts.cli\n"
    assert imported(source, "handouts.load.thing") == [
        (1, "handouts.errors"), (4, "handouts.render.pdf"), (5, "handouts.cli")]
    assert imported("from .. import pipeline\n", "handouts.batch.run") == [(1, "handouts.pipeline")]
    assert imported("from . import editorial\n", "handouts.quality", is_package=True) == [
        (1, "handouts.quality.editorial")]


@pytest.mark.parametrize("path", modules(), ids=lambda path: str(path.relative_to(PACKAGE.parent)))
def test_no_module_imports_from_a_later_stage(path):
    module = module_name(path)
    stage = stage_of(module)
    wrong = [f"line {line}: {target} ({stage_of(target)})"
             for line, target in imported(path.read_text(encoding="utf-8"), module, path.name == "__init__.py")
             if not allowed(stage, stage_of(target))]
    assert not wrong, f"{module} ({stage or 'package'}) imports from a later stage: {'; '.join(wrong)}"
