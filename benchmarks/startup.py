#!/usr/bin/env python3
"""Start-up benchmark: the wall clock of small commands, as a user runs them.

    python benchmarks/startup.py [--runs 10]

`handouts --help`, `handouts lint` (the shipped content: two documents, their Spanish editions, three
layouts) and `handouts build` of one document in one layout (the checklist, large print), each a fresh
process; best and median of --runs, by the wall clock and by the CPU time (user + system) of the child
process, which other work on a shared machine disturbs less. Bytecode is compiled first (as `pip install`
does): a checkout run with PYTHONDONTWRITEBYTECODE would otherwise compile every module of handouts on
every start. Compiled templates are kept in a folder of the benchmark's own, filled by one unmeasured run of
each command (as any earlier run fills the user's); `lint` and `build` are then measured once more with the
cache off (`HANDOUTS_TEMPLATE_CACHE=off`: every template compiled, as on the first run after a change).
"""

from __future__ import annotations

import argparse
import compileall
import os
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
UNCACHED = ("handouts lint", "handouts build (one document, one layout)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    print(f"machine: {machine()}")
    compileall.compile_dir(ROOT / "handouts", quiet=1)
    with tempfile.TemporaryDirectory() as out:
        cache = os.path.join(out, "templates")
        for label, command in COMMANDS.items():
            _measure(label, command, out, cache, args.runs)
        for label in UNCACHED:
            _measure(f"{label}, templates not cached", COMMANDS[label], out, "off", args.runs)


def _measure(label: str, command: list[str], out: str, cache: str, runs: int) -> None:
    extra = ["--out", out] if command[0] == "build" else []
    environment = {**os.environ, "HANDOUTS_TEMPLATE_CACHE": cache}
    times, cpu = [], []
    for run in range(runs + 1):
        before = _children_cpu()
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "handouts", *command, *extra], cwd=ROOT, env=environment,
                       capture_output=True, check=False)
        if run:  # the first fills the cache
            times.append(time.perf_counter() - start)
            cpu.append(_children_cpu() - before)
    print(f"{label}: best {min(times):.3f} s, median {statistics.median(times):.3f} s; CPU best "
          f"{min(cpu):.3f} s, median {statistics.median(cpu):.3f} s ({runs} runs)")


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


if __name__ == "__main__":
    main()
