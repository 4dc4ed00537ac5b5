#!/usr/bin/env python3
"""Packets benchmark: a synthetic roster, then ms per packet, packets/s and peak memory.

    python benchmarks/packets.py [--rows 1000] [--big-rows 10000] [--skip-big]

Writes a fictional roster with mixed layouts to a temporary folder and runs
`handouts packets` on it as a user would (a fresh process each time):

- --jobs 1 on a large-print-only roster: milliseconds per large-print packet;
- --jobs 2 on the mixed roster: packets per second;
- peak resident memory of the run (the largest process), at --rows and --big-rows,
  with --print-job (the print job is streamed: memory should not grow with rows).
"""

from __future__ import annotations

import argparse
import csv
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LAYOUTS = ("standard", "large-print", "extra-large")
FIRST = ("Ana", "Jack", "Zoë", "Minh", "Eleni", "Dmitri", "Grace", "Omar", "Lucía", "Noah")
LAST = ("Smith", "Nguyễn", "Ångström", "Papadopoulou", "Ivanov", "García", "O'Brien", "Kowalski")


def write_roster(path: Path, rows: int, layout: str | None = None) -> None:
    with open(path, "w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(["patient_id", "name", "preferred_name", "appointment", "layout"])
        for i in range(rows):
            first, last = FIRST[i % len(FIRST)], LAST[(i // len(FIRST)) % len(LAST)]
            day, minute = 1 + i % 28, (i * 15) % (9 * 60)
            out.writerow([f"P{i:06d}", f"{first} {last}", first,
                          f"2026-12-{day:02d} {8 + minute // 60:02d}:{minute % 60:02d}",
                          layout or LAYOUTS[i % 3]])


def run(roster: Path, out: Path, jobs: int, *extra: str) -> tuple[float, int]:
    """Seconds for the whole command, and the peak RSS in MB of its largest process."""
    start = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-m", "handouts", "packets", str(roster), "--out", str(out),
                                "--jobs", str(jobs), "--quiet", *extra], cwd=ROOT, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE)
    # wait4 gives this run's own usage: the largest of the command and the workers it waited for.
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - start
    if status != 0:
        sys.exit(f"packets failed: {process.stderr.read().decode().strip()}")
    return seconds, usage.ru_maxrss // 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1000)
    parser.add_argument("--big-rows", type=int, default=10000)
    parser.add_argument("--skip-big", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        large = tmp / "large.csv"
        mixed = tmp / "mixed.csv"
        write_roster(large, args.rows, "large-print")
        write_roster(mixed, args.rows, None)
        seconds, rss = run(large, tmp / "out1", jobs=1)
        print(f"{args.rows} large-print packets, --jobs 1: {seconds * 1000 / args.rows:.1f} ms per packet "
              f"({seconds:.1f} s), peak RSS {rss} MB")
        seconds, rss = run(mixed, tmp / "out2", jobs=2)
        print(f"{args.rows} mixed packets, --jobs 2: {args.rows / seconds:.0f} packets/s "
              f"({seconds:.1f} s), peak RSS {rss} MB")
        seconds, rss = run(mixed, tmp / "out4", 2, "--print-job", str(tmp / "job.pdf"))
        print(f"{args.rows} mixed packets and a print job, --jobs 2: {seconds:.1f} s, peak RSS {rss} MB "
              f"(print job {(tmp / 'job.pdf').stat().st_size / 2**20:.0f} MB)")
        if not args.skip_big:
            big = tmp / "big.csv"
            write_roster(big, args.big_rows, None)
            seconds, rss = run(big, tmp / "out3", 2, "--print-job", str(tmp / "big-job.pdf"))
            print(f"{args.big_rows} mixed packets and a print job, --jobs 2: {args.big_rows / seconds:.0f} "
                  f"packets/s ({seconds:.1f} s), peak RSS {rss} MB "
                  f"(print job {(tmp / 'big-job.pdf').stat().st_size / 2**20:.0f} MB)")


if __name__ == "__main__":
    main()
