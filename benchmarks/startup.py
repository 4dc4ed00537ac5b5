#!/usr/bin/env python3
"""Start-up benchmark: the wall clock of small commands, as a user runs them.

    python benchmarks/startup.py [--runs 10]

`handouts --help`, `handouts lint` (the shipped content: two documents, their Spanish editions, three
layouts) and `handouts build` of one document in one layout (the checklist, large print), each a fresh
process; best and median of --runs, by the wall clock and by the CPU time (user + system) of the child
process, which other work on a shared machine disturbs less. Bytecode is compiled first (as `pip install`
does): a checkout run with PYTHONDONTWRITEBYTECODE would otherwise compile every module of handouts on
every start.
"""

from __future__ import annotations

import argparse
import compileall
import resource
import statistics
import subprocess
import sys
import tempfile
import time

from _common import ROOT, machine

COMMANDS = {
    "handouts --help": ["--help"],
    "handouts lint": ["lint"],
    "handouts build (one document, one layout)": ["build", "infusion-day-checklist", "--layout", "large-print"],
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    print(f"machine: {machine()}")
    compileall.compile_dir(ROOT / "handouts", quiet=1)
    with tempfile.TemporaryDirectory() as out:
        for label, command in COMMANDS.items():
            extra = ["--out", out] if command[0] == "build" else []
            times, cpu = [], []
            for _ in range(args.runs):
                before = _children_cpu()
                start = time.perf_counter()
                subprocess.run([sys.executable, "-m", "handouts", *command, *extra], cwd=ROOT,
                               capture_output=True, check=False)
                times.append(time.perf_counter() - start)
                cpu.append(_children_cpu() - before)
            print(f"{label}: best {min(times):.3f} s, median {statistics.median(times):.3f} s; CPU best "
                  f"{min(cpu):.3f} s, median {statistics.median(cpu):.3f} s ({args.runs} runs)")


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


if __name__ == "__main__":
    main()
