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

`lint` is measured twice over: **warm**, its answer kept in a folder of the benchmark's own by the unmeasured run
(`HANDOUTS_LINT_CACHE`: what a lint of unchanged content costs), and **cold**, with that cache off
(`HANDOUTS_LINT_CACHE=off`: the whole work, nothing kept), and **after a content change**: the cache on, a copy of
the shipped content with a blank line added to one document before each run, so no answer is kept for it (what
a lint after editing a document costs: what lint keeps apart from its answers, such as the sample appointment's
words, is read back).
"""

from __future__ import annotations

import argparse
import compileall
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

from _common import ROOT, machine

LINT = ["lint"]
CHANGED = ["lint", "--content", "{changed}", "--clinic", "{changed}/clinic.yaml"]  # a copy, edited before each run
BUILD = ["build", "infusion-day-checklist", "--layout", "large-print"]
# label, command, lint's answers kept (else off), templates kept (else off)
RUNS = (
    ("handouts --help", ["--help"], True, True),
    ("handouts lint, warm (its answer kept)", LINT, True, True),
    ("handouts lint, cold (HANDOUTS_LINT_CACHE=off)", LINT, False, True),
    ("handouts lint, after a content change (its answer not kept)", CHANGED, True, True),
    ("handouts build (one document, one layout)", BUILD, True, True),
    ("handouts lint, cold, templates not cached", LINT, False, False),
    ("handouts build (one document, one layout), templates not cached", BUILD, True, False),
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    print(f"machine: {machine()}")
    compileall.compile_dir(ROOT / "handouts", quiet=1)
    with tempfile.TemporaryDirectory() as out:
        shutil.copytree(ROOT / "content", os.path.join(out, "changed"))
        for label, command, answers, templates in RUNS:
            caches = {"HANDOUTS_LINT_CACHE": os.path.join(out, "lint") if answers else "off",
                      "HANDOUTS_TEMPLATE_CACHE": os.path.join(out, "templates") if templates else "off"}
            _measure(label, command, out, caches, args.runs)


def _measure(label: str, command: list[str], out: str, caches: dict[str, str], runs: int) -> None:
    extra = ["--out", out] if command[0] == "build" else []
    environment = {**os.environ, **caches}
    changed = os.path.join(out, "changed")
    command = [part.format(changed=changed) for part in command]
    times, cpu = [], []
    for run in range(runs + 1):
        if changed in command:  # a new key each run: the answer is never read back
            with open(os.path.join(changed, "infusion-day-checklist.md"), "a", encoding="utf-8") as document:
                document.write("\n")
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
