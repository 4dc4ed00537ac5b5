"""PIL's image module, run the first time something reads from it rather than when ReportLab is imported.

ReportLab imports `PIL.Image` at the top of `reportlab.lib.utils` (which every part of it imports), for bitmaps:
handouts draws none, and importing it costs some 8 ms of CPU at every start of `build`, `lint` and a worker.
Before ReportLab is first imported, `PIL.Image` is put in `sys.modules` through the standard library's
`importlib.util.LazyLoader` (the lazy import of the importlib documentation), and set on the `PIL` package as an
import would set it, so `from PIL import Image` finds it without reading from it. The first attribute anything
reads runs the real module, and from then on it is the real module: nothing behaves otherwise, only later. If
`PIL.Image` was imported already, it is left as it is. `tests/render/test_lazy_pil.py` checks both, and that
ReportLab still draws a bitmap.
"""

from __future__ import annotations

import importlib.util
import sys

NAME = "PIL.Image"


def install() -> None:
    if NAME in sys.modules:
        return
    spec = importlib.util.find_spec(NAME)  # imports the small PIL package itself
    if spec is None or spec.loader is None:
        return  # no PIL: ReportLab's own import says so
    spec.loader = importlib.util.LazyLoader(spec.loader)
    module = importlib.util.module_from_spec(spec)
    sys.modules[NAME] = module
    spec.loader.exec_module(module)
    setattr(sys.modules["PIL"], "Image", module)


install()
