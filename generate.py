#!/usr/bin/env python3
"""Build every document in every layout into output/ (or run any `handouts` command).

    python generate.py              # same as: handouts build
    python generate.py list         # any handouts command works too
"""

import sys

from handouts.cli import main

if __name__ == "__main__":
    main(sys.argv[1:] or ["build"])
