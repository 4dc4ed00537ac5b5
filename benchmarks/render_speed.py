#!/usr/bin/env python3
"""Milliseconds per PDF for each document in each layout, tagged vs untagged.

    python benchmarks/render_speed.py [--repeat N]

Runs in one process after a warm-up, like a batch would, alternating tagged
and untagged runs so that machine noise hits both alike, and reports the
fastest run of each (the least disturbed). Prints a table and the
tagged/untagged ratio (the aim is at most 1.25).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from handouts.pipeline import creation_time, load_document
from handouts.load.project import Project
from handouts.render.pdf import RenderOptions, render_pdf


def time_renders(document, layout, variants, repeat: int) -> list[float]:
    """Fastest milliseconds per variant, runs interleaved."""
    for options in variants:
        render_pdf(document, layout, options)  # warm-up: fonts, caches
    best = [float("inf")] * len(variants)
    for _ in range(repeat):
        for i, options in enumerate(variants):
            start = time.perf_counter()
            render_pdf(document, layout, options)
            best[i] = min(best[i], time.perf_counter() - start)
    return [b * 1000 for b in best]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    project = Project.open(ROOT / "content", ROOT / "layouts")
    tagged = RenderOptions(created=creation_time(), tagged=True)
    untagged = RenderOptions(created=creation_time(), tagged=False)
    print(f"{'document':<26} {'layout':<12} {'tagged ms':>10} {'untagged ms':>12} {'ratio':>6}")
    ratios = []
    for name in project.content.names():
        document = load_document(project, name)
        for layout_name in project.layouts.names():
            layout = project.layouts.load(layout_name)
            t, u = time_renders(document, layout, (tagged, untagged), args.repeat)
            ratios.append(t / u)
            print(f"{name:<26} {layout_name:<12} {t:>10.1f} {u:>12.1f} {t / u:>6.2f}")
    print(f"median tagged/untagged ratio: {statistics.median(ratios):.2f} (aim: <= 1.25)")


if __name__ == "__main__":
    main()
