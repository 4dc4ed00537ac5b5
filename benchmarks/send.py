#!/usr/bin/env python3
"""Send benchmark: drafts per second for a fictional roster, with --jobs 1 and --jobs 2.

    python benchmarks/send.py [--rows 1000] [--runs 2]

Writes a fictional roster (one distinct name a row, the three layouts and English and Spanish in turn, an
address per row) to a temporary folder, then runs `handouts send` on it as a user would (a fresh process,
the fictional clinic of the tests, drafts into an outbox): every packet is rendered, read back and checked,
wrapped in an email and read back, and written as a draft (recorded in the ledger a batch of rows at a
time, after the drafts are synced). Each --jobs is
measured --runs times on a new outbox and ledger, and the best run is reported (the machine may be shared).
Then a re-run on the same roster shows what it costs when every row is already drafted.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import LANGUAGES, ROOT, machine, write_roster


def run(roster: Path, tmp: Path, jobs: int) -> float:
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "handouts", "send", str(roster), "--outbox", str(tmp / "outbox"),
                           "--ledger", str(tmp / "ledger.sqlite3"),
                           "--clinic", str(ROOT / "tests/data/clinic_send.yaml"),
                           "--jobs", str(jobs), "--quiet", "--yes", "--today", "2026-11-24",
                           "--allow-draft"],  # the shipped content is not approved: drafts (.eml) only
                          cwd=ROOT, capture_output=True, check=False)
    if done.returncode != 0:
        sys.exit(f"send failed: {done.stderr.decode().strip()}")
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=2, help="runs of each --jobs; the best is reported")
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 2])
    args = parser.parse_args()
    print(f"machine: {machine()}")
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        roster = tmp / "roster.csv"
        write_roster(roster, args.rows, languages=LANGUAGES, emails=True)
        for jobs in args.jobs:
            times = []
            for _ in range(args.runs):
                for old in (tmp / "outbox", tmp / "ledger.sqlite3"):
                    shutil.rmtree(old, ignore_errors=True) if old.is_dir() else old.unlink(missing_ok=True)
                times.append(run(roster, tmp, jobs))
            drafts = len(list((tmp / "outbox").glob("*.eml")))
            runs = ", ".join(f"{drafts / t:.0f}" for t in times)
            print(f"{drafts} drafts, --jobs {jobs}: {drafts / min(times):.0f} drafts/s, best of {len(times)} "
                  f"({min(times):.1f} s; every run: {runs} drafts/s)")
        seconds = run(roster, tmp, args.jobs[-1])
        print(f"re-run, all {args.rows} rows already drafted: {seconds:.1f} s")


if __name__ == "__main__":
    main()
