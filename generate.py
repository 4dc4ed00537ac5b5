#!/usr/bin/env python3
"""Build every document in every layout into output/ (or run any `handouts` command).

    python generate.py              # same as: handouts build
    python generate.py list         # any handouts command works too
"""

import sys

# Before handouts is imported: on an older Python its code would fail with a SyntaxError, not this line.
# Keep this file readable by Python 3.9 (no newer syntax above or below).
if sys.version_info < (3, 10):
    sys.exit("handouts needs Python 3.10 or newer")

from handouts.cli import run  # noqa: E402

if __name__ == "__main__":
    run(sys.argv[1:] or ["build"])
