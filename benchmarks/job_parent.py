#!/usr/bin/env python3
"""What the parent spends on the print job a packet: unpickling each packet's share (`printjob.Fragment`, as a
worker hands it back through the pool) and `PrintJob.add`, the CPU time of those alone, over `--packets` warm
packets (after 20 unmeasured), one fictional patient each, layouts in turn, every third in Spanish, every document;
the shares made as in one worker (shared objects sent once a run, `printjob.KEPT_READS` on, a kept plan's entries
held and sent as one group once the job holds them: `printjob.SentToJob`). `--profile`: cProfile of the parent's
part instead."""

from __future__ import annotations

import argparse
import cProfile
import pickle
import pstats
import statistics
import tempfile
import time
from datetime import datetime
from pathlib import Path

from _common import LAYOUTS, ensure_root_path, fictional_name, machine

ensure_root_path()

from handouts.batch.printjob import PrintJob, SentToJob, fragment_of  # noqa: E402
from handouts.batch.workers import render_row  # noqa: E402
from handouts.load.project import Project  # noqa: E402
from handouts.load.roster import RosterRow  # noqa: E402

WARM = 20


def shares(count: int) -> list[bytes]:
    """Each packet's share as the pool hands it to the parent: pickled."""
    from _common import ROOT

    project = Project.open(ROOT / "content", ROOT / "layouts")
    documents = tuple(project.content.names())
    sent = SentToJob()  # as a worker's (RenderWork.start)
    made = []
    for i in range(count):
        name, preferred = fictional_name(i)
        row = RosterRow(i + 2, f"P{i}", name, preferred, datetime(2026, 12, 3, 9, 30), LAYOUTS[i % len(LAYOUTS)],
                        documents, "", "es" if i % 3 == 2 else "en")
        made.append(pickle.dumps(fragment_of(render_row(row, project).pdf, sent), pickle.HIGHEST_PROTOCOL))
    return made


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--packets", type=int, default=300, help="measured packets (default 300)")
    parser.add_argument("--profile", action="store_true", help="cProfile of the parent's part")
    args = parser.parse_args()
    pickled = shares(WARM + args.packets)
    sizes = [len(p) for p in pickled[WARM:]]
    unpickle, add = [], []
    profile = cProfile.Profile() if args.profile else None
    with tempfile.TemporaryDirectory() as folder, PrintJob(Path(folder) / "job.pdf") as job:
        for i, data in enumerate(pickled):
            if profile and i == WARM:
                profile.enable()
            start = time.process_time()
            fragment = pickle.loads(data)
            middle = time.process_time()
            job.add(f"P{i} (2026-12-03 09:30)", fragment)
            end = time.process_time()
            if i >= WARM:
                unpickle.append(middle - start)
                add.append(end - middle)
        if profile:
            profile.disable()
        job.finish()
    if profile:
        stats = pstats.Stats(profile)
        stats.sort_stats("tottime").print_stats(15)
        return
    total = [a + b for a, b in zip(unpickle, add)]
    print(f"machine: {machine()}")
    print(f"the parent's part of the print job a packet, CPU over {args.packets} warm packets (median): "
          f"unpickle {statistics.median(unpickle) * 1e3:.3f} ms, add {statistics.median(add) * 1e3:.3f} ms, "
          f"both {statistics.median(total) * 1e3:.3f} ms (mean {statistics.fmean(total) * 1e3:.3f}); "
          f"a share pickled {statistics.median(sizes) / 1024:.1f} KiB (median)")


if __name__ == "__main__":
    main()
