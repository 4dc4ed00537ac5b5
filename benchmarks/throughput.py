#!/usr/bin/env python3
"""Throughput benchmark: `handouts packets` on a fictional roster, as a user runs it.

    python benchmarks/throughput.py [--rows 1000] [--big-rows 10000] [--skip-big] [--runs 2] [--jobs 2]
                                    [--no-print-job]

The roster (written to a temporary folder) has one distinct fictional patient a row (name with a middle
initial, preferred name), the layouts in turn (standard, large-print, extra-large), English and Spanish in
turn, appointments over December 2026, and no `documents` column (every packet has the opening, the
checklist and the handout).

- packets per second for --rows rows with --jobs 1 and --jobs 2, without and with --print-job: the wall
  clock of the whole command (interpreter start-up, roster checks, rendering, writing the files, the
  manifest and the print job), after one unmeasured run (disk cache, bytecode); best of --runs;
- peak resident memory (ru_maxrss) of the parent process and of the largest worker, for each of those and
  at --big-rows, with --jobs 2 and --print-job. The command runs in a child Python that calls the CLI's
  main() and then reports its own ru_maxrss (RUSAGE_SELF: the parent) and RUSAGE_CHILDREN (the largest of
  the worker processes it has reaped).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import LANGUAGES, ROOT, machine, write_roster

# Runs the CLI in this process, then reports its own peak memory and its workers' (the children it reaped).
MEASURED_RUN = """
import json, resource, sys
from handouts.cli import main
code = 0
try:
    main(sys.argv[1:])
except SystemExit as end:
    code = end.code or 0
mb = lambda who: resource.getrusage(who).ru_maxrss / 1024
cpu = lambda who: resource.getrusage(who).ru_utime + resource.getrusage(who).ru_stime
print(json.dumps({"code": code, "parent_mb": mb(resource.RUSAGE_SELF), "worker_mb": mb(resource.RUSAGE_CHILDREN),
                  "parent_cpu": cpu(resource.RUSAGE_SELF), "worker_cpu": cpu(resource.RUSAGE_CHILDREN)}),
      file=sys.stderr)
"""


def measured_command(*arguments: str) -> tuple[float, dict]:
    """`handouts` with `arguments` in a child Python (`MEASURED_RUN`): seconds for the whole command, and its report
    (exit code, peak RSS and CPU of the parent and of its workers); exits with the child's errors if it failed."""
    start = time.perf_counter()
    result = subprocess.run([sys.executable, "-c", MEASURED_RUN, *arguments], cwd=ROOT, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True, check=False)
    seconds = time.perf_counter() - start
    try:
        report = json.loads(result.stderr.strip().splitlines()[-1])
    except (IndexError, ValueError):
        sys.exit(f"{arguments[0]} did not finish:\n{result.stderr}")
    if report["code"] != 0:
        sys.exit(f"{arguments[0]} failed (exit {report['code']}):\n{result.stderr}")
    return seconds, report


def run(roster: Path, out: Path, jobs: int, *extra: str) -> dict:
    """Seconds for the whole command, and the peak RSS (MB) of the parent and of its largest worker."""
    seconds, report = measured_command("packets", str(roster), "--out", str(out), "--jobs", str(jobs), "--quiet",
                                       "--allow-draft", "--today", "2026-11-24", *extra)
    written = len(list(out.glob("*.pdf")))
    return {**report, "seconds": seconds, "written": written}


def cpu(measured: dict) -> str:
    """The CPU the run took (user + system), the parent's and its workers' (none with --jobs 1), a packet."""
    each = 1000 / measured["written"]
    return (f"CPU a packet {(measured['parent_cpu'] + measured['worker_cpu']) * each:.1f} ms (parent "
            f"{measured['parent_cpu'] * each:.1f} ms, workers {measured['worker_cpu'] * each:.1f} ms)")


def memory(measured: dict) -> str:
    workers = f"largest worker {measured['worker_mb']:.0f} MB" if measured["worker_mb"] else "no workers"
    return f"peak RSS parent {measured['parent_mb']:.0f} MB, {workers}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1000, help="rows for packets/s (default 1000)")
    parser.add_argument("--big-rows", type=int, default=10000, help="rows for the memory run (default 10000)")
    parser.add_argument("--skip-big", action="store_true", help="leave out the --big-rows run")
    parser.add_argument("--runs", type=int, default=2, help="measured runs of each; the best is reported")
    parser.add_argument("--jobs", type=int, action="append", choices=(1, 2),
                        help="measure only this --jobs (repeatable; default 1 and 2)")
    parser.add_argument("--no-print-job", action="store_true", help="leave out the runs with --print-job")
    args = parser.parse_args()
    print(f"machine: {machine()}")
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        roster = tmp / "roster.csv"
        write_roster(roster, args.rows, languages=LANGUAGES)
        for jobs in args.jobs or (1, 2):
            run(roster, tmp / f"warm{jobs}", jobs)  # not measured: disk cache, bytecode
            for extra in ((),) if args.no_print_job else ((), ("--print-job",)):
                runs = []
                for attempt in range(args.runs):
                    job = [str(tmp / f"job{jobs}-{attempt}.pdf")] if extra else []
                    runs.append(run(roster, tmp / f"out{jobs}{len(extra)}{attempt}", jobs, *extra, *job))
                best = min(runs, key=lambda measured: measured["seconds"])
                every = ", ".join(f"{m['written'] / m['seconds']:.0f}" for m in runs)
                print(f"{args.rows} packets{' and a print job' if extra else ''}, --jobs {jobs}: "
                      f"{best['written'] / best['seconds']:.0f} packets/s, best of {len(runs)} ({best['written']} "
                      f"written in {best['seconds']:.1f} s, wall clock of the whole command; every run: {every}); "
                      f"{cpu(best)}; {memory(best)}")
        for rows in [] if args.skip_big else [args.big_rows]:
            write_roster(roster, rows, languages=LANGUAGES)
            job = tmp / f"job{rows}.pdf"
            measured = run(roster, tmp / f"big{rows}", 2, "--print-job", str(job))
            print(f"{rows} packets and a print job, --jobs 2: {measured['written'] / measured['seconds']:.0f} "
                  f"packets/s ({measured['seconds']:.1f} s); {cpu(measured)}; {memory(measured)}; print job "
                  f"{job.stat().st_size / 2**20:.0f} MB")


if __name__ == "__main__":
    main()
