"""python -m handouts: the same as the handouts command."""

import sys

# Before the CLI is imported: on an older Python its code would fail with a SyntaxError, not this line.
# Keep this file (and handouts/__init__.py) readable by Python 3.9.
if sys.version_info < (3, 10):
    sys.exit("handouts needs Python 3.10 or newer")

from .cli import run  # noqa: E402

run()
