"""PIL's image module is run when first read, not when ReportLab is imported (render/_lazy_pil.py): nothing
behaves otherwise, ReportLab still draws a bitmap, and a PIL already imported is left as it is."""

import subprocess
import sys

from conftest import REPO

_DRAW_A_BITMAP = """
import io, sys
import handouts.render._reportlab
module = sys.modules["PIL.Image"]
print(type(module).__name__, "PIL._imaging" in sys.modules)
from PIL import Image
picture = io.BytesIO()
Image.new("RGB", (3, 2), (200, 30, 40)).save(picture, "PNG")
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas
out = io.BytesIO()
canvas = Canvas(out)
canvas.drawImage(ImageReader(io.BytesIO(picture.getvalue())), 10, 10, 30, 20)
canvas.save()
print(type(sys.modules["PIL.Image"]).__name__, sys.modules["PIL.Image"] is module, Image.Image.__name__,
      b"/Subtype /Image" in out.getvalue())
"""


def _python(script: str) -> list[str]:
    result = subprocess.run([sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True, timeout=60,
                            check=False)
    assert result.returncode == 0, result.stderr
    return result.stdout.split()


def test_pil_image_runs_when_first_read_and_reportlab_draws_a_bitmap():
    before_and_after = _python(_DRAW_A_BITMAP)
    # Imported with ReportLab, not run; once read, the real module in the same place, and the bitmap is drawn.
    assert before_and_after == ["_LazyModule", "False", "module", "True", "Image", "True"]


def test_a_pil_image_imported_before_is_left_as_it_is():
    lines = _python("import sys\nfrom PIL import Image\nreal = sys.modules['PIL.Image']\n"
                    "import handouts.render._reportlab\n"
                    "import PIL\n"
                    "print(sys.modules['PIL.Image'] is real, PIL.Image is real, type(real).__name__)")
    assert lines == ["True", "True", "module"]
