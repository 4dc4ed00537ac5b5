#!/usr/bin/env python3
"""Where a warm packet's time goes: a stage timer, or cProfile, over a batch's worth of packets in one process.

    python benchmarks/stages.py [--packets 200] [--profile] [--top 25] [--cpu]

What one `handouts packets` worker does for each row (`batch.workers.render_row`), warm (20 packets first),
over fictional patients with distinct names, layouts in turn (standard, large-print, extra-large), every
third row in Spanish, every document. Without `--profile`, a timer wraps each stage (no profiler distortion)
and the shares are of the whole loop's wall clock; the garbage collector's time is inside the stage it
interrupts, and is also reported on its own (gc callbacks). With `--profile`: cProfile, the top functions by
cumulative and by own time. With `--cpu`: the median CPU time a packet, without timers, the garbage
collector frozen after the warm-up as in a worker.
"""

from __future__ import annotations

import argparse
import gc
import statistics
import time
from collections import defaultdict
from datetime import datetime

from _common import print_profile, profiled, LAYOUTS, ROOT, ensure_root_path, fictional_name, machine

ensure_root_path()

from handouts.batch import workers  # noqa: E402
from handouts.load.project import Project  # noqa: E402
from handouts.load.roster import RosterRow  # noqa: E402
from handouts.render import _reportlab, assembly, draw, pdf, tagging  # noqa: E402

WARM = 20


def rows(count: int, documents: tuple[str, ...]) -> list[RosterRow]:
    out = []
    for i in range(count):
        name, preferred = fictional_name(i)
        language = "es-US" if i % 3 == 2 else "en-US"
        out.append(RosterRow(i + 2, f"P{i:06d}", name, preferred, datetime(2026, 12, 1 + i % 28, 9, 30),
                             LAYOUTS[i % len(LAYOUTS)], documents, "", language))
    return out


class Stages:
    """Wall-clock seconds by stage; a stage inside another is taken out of the outer one."""

    def __init__(self):
        self.spent: dict[str, float] = defaultdict(float)
        self._stack: list[list] = []

    def wrap(self, owner, name: str, stage: str) -> None:
        original = getattr(owner, name)

        def timed(*args, **kwargs):
            frame = [stage, time.perf_counter(), 0.0]  # stage, start, time of stages inside
            self._stack.append(frame)
            try:
                return original(*args, **kwargs)
            finally:
                self._stack.pop()
                took = time.perf_counter() - frame[1]
                self.spent[stage] += took - frame[2]
                if self._stack:
                    self._stack[-1][2] += took

        setattr(owner, name, timed)


def timed_run(project: Project, batch: list[RosterRow]) -> None:
    stages = Stages()
    stages.wrap(workers, "packet_document", "fill + parse (packet_document)")
    stages.wrap(pdf, "_laid_out", "compose and plan (boxes, the patient's line breaks, page count)")
    stages.wrap(pdf._Laid, "pages", "place the pages (by the plan; from a kept file, up to its last patient page)")
    stages.wrap(draw.PageDrawer, "page", "draw the pages, rendered whole (PageDrawer.page)")
    stages.wrap(draw.PageDrawer, "patient_page", "draw the pages that show the patient (from a kept file)")
    stages.wrap(_reportlab, "made_holes", "the patient's own objects (page streams, fonts, title, XMP)")
    stages.wrap(_reportlab, "file_from_parts", "the file joined from a kept file's objects and its own")
    stages.wrap(assembly, "keep", "a file kept (the first packet of a key)")
    stages.wrap(tagging.Tagger, "write", "structure tree (Tagger.write)")
    stages.wrap(_reportlab, "save", "PDF writer (_reportlab.save)")
    stages.wrap(pdf, "_document_digest", "file ID (document digest)")
    collected = [0.0, 0]

    def on_gc(phase, info, started=[0.0]):
        if phase == "start":
            started[0] = time.perf_counter()
        else:
            collected[0] += time.perf_counter() - started[0]
            collected[1] += 1

    gc.callbacks.append(on_gc)
    start = time.perf_counter()
    for row in batch:
        assert workers.render_row(row, project).pdf
    total = time.perf_counter() - start
    gc.callbacks.remove(on_gc)
    count = len(batch)
    print(f"{count} packets, {total / count * 1000:.2f} ms a packet (wall clock, stage timers on)\n")
    print(f"{'share':>6} {'ms/packet':>9}  stage")
    rest = total - sum(stages.spent.values())
    for stage, spent in sorted([*stages.spent.items(), ("the rest (render_checked's checks, metadata, "
                                                         "canvas, form fields, keys, glue)", rest)],
                               key=lambda item: -item[1]):
        print(f"{spent / total:6.1%} {spent / count * 1000:9.3f}  {stage}")
    print(f"\ngarbage collection (inside the stages above): {collected[0] / total:.1%}, "
          f"{collected[0] / count * 1000:.3f} ms a packet, {collected[1]} collections")


def profiled_run(project: Project, batch: list[RosterRow], top: int) -> None:
    stats, total = profiled(lambda row: workers.render_row(row, project), batch)
    count = len(batch)
    print(f"{total / count * 1000:.2f} ms a packet under cProfile (its overhead included), {count} packets")
    print_profile(stats, total, count, top)


def cpu_run(project: Project, batch: list[RosterRow]) -> None:
    """CPU time a packet, no timers: the garbage collector settled after the warm-up, as a worker does."""
    spent = []
    for row in batch:
        start = time.process_time()
        assert workers.render_row(row, project).pdf
        spent.append(time.process_time() - start)
    print(f"{len(batch)} packets, CPU a packet: median {statistics.median(spent) * 1000:.2f} ms, "
          f"mean {statistics.mean(spent) * 1000:.2f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--packets", type=int, default=200)
    parser.add_argument("--profile", action="store_true", help="cProfile instead of the stage timers")
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--cpu", action="store_true", help="instead: the CPU median a packet, no timers")
    args = parser.parse_args()
    project = Project.open(ROOT / "content", ROOT / "layouts")
    documents = tuple(project.content.names())
    batch = rows(WARM + args.packets, documents)
    for row in batch[:WARM]:
        workers.render_row(row, project)
    workers.settle_for_packets()  # as a worker does after its start
    print(machine())
    if args.cpu:
        cpu_run(project, batch[WARM:])
    else:
        (profiled_run(project, batch[WARM:], args.top) if args.profile else timed_run(project, batch[WARM:]))


if __name__ == "__main__":
    main()
