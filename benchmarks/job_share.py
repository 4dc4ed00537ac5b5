#!/usr/bin/env python3
"""One packet's share of the print job (`printjob.fragment_of`), as a worker makes it right after rendering the
packet: the CPU time of that call alone, over `--packets` warm packets (after 20 unmeasured), one fictional
patient each, layouts in turn, every third in Spanish, every document; the shared objects sent once a run and a
kept plan's entries as one group once the job holds them, as in a worker (`printjob.SentToJob`)."""

from __future__ import annotations

import argparse
import statistics
import time
from datetime import datetime

from _common import LAYOUTS, ensure_root_path, fictional_name, machine

ensure_root_path()

from handouts.batch.printjob import SentToJob, fragment_of  # noqa: E402
from handouts.batch.workers import render_row  # noqa: E402
from handouts.load.project import Project  # noqa: E402
from handouts.load.roster import RosterRow  # noqa: E402

WARM = 20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--packets", type=int, default=200, help="measured packets (default 200)")
    args = parser.parse_args()
    from _common import ROOT

    project = Project.open(ROOT / "content", ROOT / "layouts")
    documents = tuple(project.content.names())
    sent = SentToJob()  # as a worker's (RenderWork.start)
    times = []
    for i in range(WARM + args.packets):
        name, preferred = fictional_name(i)
        row = RosterRow(i + 2, f"P{i}", name, preferred, datetime(2026, 12, 3, 9, 30), LAYOUTS[i % len(LAYOUTS)],
                        documents, "", "es" if i % 3 == 2 else "en")
        pdf = render_row(row, project).pdf
        start = time.process_time()
        fragment_of(pdf, sent)
        if i >= WARM:
            times.append(time.process_time() - start)
    quartiles = statistics.quantiles(times, n=4)
    print(f"machine: {machine()}")
    print(f"the print job's share of a packet (fragment_of), CPU over {args.packets} warm packets: median "
          f"{statistics.median(times) * 1e3:.2f} ms (quartiles {quartiles[0] * 1e3:.2f} – {quartiles[2] * 1e3:.2f})")


if __name__ == "__main__":
    main()
