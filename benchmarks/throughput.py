#!/usr/bin/env python3
"""Throughput benchmark: `handouts packets` on a fictional roster, as a user runs it.

    python benchmarks/throughput.py [--rows 1000] [--big-rows 10000] [--skip-big]

- packets per second for --rows mixed-layout rows with --jobs 1 and --jobs 2
  (wall clock of the whole command, start-up included);
- peak resident memory of the parent process and of the largest worker, at
  --rows and at --big-rows, with --print-job (the print job is streamed, so
  neither should grow with the roster).
"""

from __future__ import annotations

import argparse
import csv
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LAYOUTS = ("standard", "large-print", "extra-large")
FIRST = ("Ana", "Jack", "Zoë", "Minh", "Eleni", "Dmitri", "Grace", "Omar", "Lucía", "Noah")
LAST = ("Smith", "Nguyễn", "Ångström", "Papadopoulou", "Ivanov", "García", "O'Brien", "Kowalski")

# Runs the CLI in this process, then reports its own peak memory and its workers' (the children it reaped).
MEASURED_RUN = """
import json, resource, sys
from handouts.cli import main
code = 0
try:
    main(sys.argv[1:])
except SystemExit as end:
    code = end.code or 0
mb = lambda who: resource.getrusage(who).ru_maxrss // 1024
print(json.dumps({"code": code, "parent_mb": mb(resource.RUSAGE_SELF), "worker_mb": mb(resource.RUSAGE_CHILDREN)}),
      file=sys.stderr)
"""


def write_roster(path: Path, rows: int) -> None:
    """Fictional patients, mixed layouts, appointments spread over December (all in the future)."""
    with open(path, "w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(["patient_id", "name", "preferred_name", "appointment", "layout"])
        for i in range(rows):
            first, last = FIRST[i % len(FIRST)], LAST[(i // len(FIRST)) % len(LAST)]
            day, minute = 1 + i % 28, (i * 15) % (9 * 60)
            out.writerow([f"P{i:06d}", f"{first} {last}", first,
                          f"2026-12-{day:02d} {8 + minute // 60:02d}:{minute % 60:02d}", LAYOUTS[i % 3]])


def run(roster: Path, out: Path, jobs: int, *extra: str) -> dict:
    """Seconds for the whole command, and the peak RSS (MB) of the parent and of its largest worker."""
    start = time.perf_counter()
    result = subprocess.run([sys.executable, "-c", MEASURED_RUN, "packets", str(roster), "--out", str(out),
                             "--jobs", str(jobs), "--quiet", "--allow-draft", "--today", "2026-11-24", *extra],
                            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    seconds = time.perf_counter() - start
    report = json.loads(result.stderr.strip().splitlines()[-1])
    if report["code"] != 0:
        sys.exit(f"packets failed:\n{result.stderr}")
    return {**report, "seconds": seconds}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1000)
    parser.add_argument("--big-rows", type=int, default=10000)
    parser.add_argument("--skip-big", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        roster = tmp / "roster.csv"
        write_roster(roster, args.rows)
        for jobs in (1, 2):
            run(roster, tmp / f"warm{jobs}", jobs)  # the first run also warms the disk cache
            measured = run(roster, tmp / f"out{jobs}", jobs)
            print(f"{args.rows} mixed packets, --jobs {jobs}: {args.rows / measured['seconds']:.0f} packets/s "
                  f"({measured['seconds']:.1f} s, wall clock, start-up included)")
        sizes = [args.rows] + ([] if args.skip_big else [args.big_rows])
        for rows in sizes:
            write_roster(roster, rows)
            job = tmp / f"job{rows}.pdf"
            measured = run(roster, tmp / f"big{rows}", 2, "--print-job", str(job))
            print(f"{rows} mixed packets and a print job, --jobs 2: {rows / measured['seconds']:.0f} packets/s "
                  f"({measured['seconds']:.1f} s); peak RSS parent {measured['parent_mb']} MB, "
                  f"largest worker {measured['worker_mb']} MB (print job {job.stat().st_size / 2**20:.0f} MB)")


if __name__ == "__main__":
    main()
