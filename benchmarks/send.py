#!/usr/bin/env python3
"""Send benchmark: drafts per second for a synthetic roster of fictional patients.

    python benchmarks/send.py [--rows 1000] [--jobs 2]

Writes a fictional roster (mixed layouts, an address per row) and a clinic
profile without sample details to a temporary folder, then runs
`handouts send` on it as a user would (a fresh process): every packet is
rendered, read back and checked, wrapped in an email and written as a draft,
with two ledger commits per row. A second run on the same roster shows what a
re-run costs when every row is already drafted.
"""

from __future__ import annotations

import argparse
import csv
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import FIRST, LAST, LAYOUTS  # the same fictional names as the other benchmarks


def write_roster(path: Path, rows: int) -> None:
    with open(path, "w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(["patient_id", "name", "preferred_name", "appointment", "layout", "email"])
        for i in range(rows):
            first, last = FIRST[i % len(FIRST)], LAST[(i // len(FIRST)) % len(LAST)]
            day, minute = 1 + i % 28, (i * 15) % (9 * 60)
            out.writerow([f"P{i:06d}", f"{first} {last} {i}", first,
                          f"2026-12-{day:02d} {8 + minute // 60:02d}:{minute % 60:02d}", LAYOUTS[i % 3],
                          f"patient{i}@example.org"])


def run(roster: Path, tmp: Path, jobs: int) -> float:
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "handouts", "send", str(roster), "--outbox", str(tmp / "outbox"),
                           "--ledger", str(tmp / "ledger.sqlite3"),
                           "--clinic", str(ROOT / "tests/data/clinic_send.yaml"),
                           "--jobs", str(jobs), "--quiet", "--today", "2026-11-24",
                           "--allow-draft"],  # the shipped content is not approved: drafts (.eml) only
                          cwd=ROOT, capture_output=True, check=False)
    if done.returncode != 0:
        sys.exit(f"send failed: {done.stderr.decode().strip()}")
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1000)
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        roster = tmp / "roster.csv"
        write_roster(roster, args.rows)
        seconds = run(roster, tmp, args.jobs)
        drafts = len(list((tmp / "outbox").glob("*.eml")))
        print(f"{drafts} drafts, --jobs {args.jobs}: {drafts / seconds:.0f} drafts/s ({seconds:.1f} s)")
        seconds = run(roster, tmp, args.jobs)
        print(f"re-run, all {args.rows} rows already drafted: {seconds:.1f} s")


if __name__ == "__main__":
    main()
