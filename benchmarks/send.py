#!/usr/bin/env python3
"""Send benchmark: drafts per second for a fictional roster, with --jobs 1 and --jobs 2.

    python benchmarks/send.py [--rows 1000] [--runs 2]
    python benchmarks/send.py --cpu [--rows 300]       # in process: a worker's CPU a draft, by stage
    python benchmarks/send.py --profile [--rows 300]   # in process: cProfile of a worker's per-row work

Writes a fictional roster (one distinct name a row, the three layouts and English and Spanish in turn, an
address per row) to a temporary folder, then runs `handouts send` on it as a user would (a fresh process,
the fictional clinic of the tests, drafts into an outbox): every packet is rendered, read back and checked,
wrapped in an email and read back, and written as a draft (recorded in the ledger a batch of rows at a
time, after the drafts are synced). Each --jobs is
measured --runs times on a new outbox and ledger, and the best run is reported (the machine may be shared), with
the CPU (user + system) a draft of that run's parent and of its workers.
Then a re-run on the same roster shows what it costs when every row is already drafted.

With `--cpu` or `--profile`, nothing is run as a command: what a worker does with each row (`DraftWork`: the
packet, its read-back, the email composed and checked, the draft's bytes) runs in this process on the same
roster, after 20 unmeasured rows and the garbage collector settled as a worker settles it. `--cpu`: the CPU
median and mean a draft (`time.process_time`, no timers inside), then the same rows again with a timer around
each stage; `--profile`: cProfile, the top functions by cumulative and by own time.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from _common import LANGUAGES, ROOT, ensure_root_path, machine, print_profile, profiled, write_roster
from throughput import measured_command

WARM = 20


def run(roster: Path, tmp: Path, jobs: int) -> tuple[float, dict]:
    """Seconds for the whole command, and its CPU: the parent's and its workers' (user + system)."""
    return measured_command("send", str(roster), "--outbox", str(tmp / "outbox"),
                            "--ledger", str(tmp / "ledger.sqlite3"),
                            "--clinic", str(ROOT / "tests/data/clinic_send.yaml"),
                            "--jobs", str(jobs), "--quiet", "--yes", "--today", "2026-11-24",
                            "--allow-draft")  # the shipped content is not approved: drafts (.eml) only


def in_process(roster: Path) -> tuple[list, object]:
    """The due rows of `roster` and a worker's per-row function, made as `handouts send` makes them."""
    ensure_root_path()
    from datetime import date

    from handouts.batch.plan import Selection
    from handouts.batch.workers import settle_for_packets
    from handouts.load.project import Project
    from handouts.mail.drafts import DraftsTransport
    from handouts.mail.message import EMAIL, letter
    from handouts.mail.send import DraftWork, plan_send

    project = Project.open(ROOT / "content", ROOT / "layouts", ROOT / "tests/data/clinic_send.yaml")
    common = letter(project, project.clinic["email"])
    plan = plan_send(project, roster, Selection(date(2026, 11, 24), allow_draft=True, parts=(EMAIL,)))
    task = DraftWork(plan.names, common, prepare=DraftsTransport.prepare).start(project)
    for outgoing in plan.outgoing[:WARM]:
        assert task(outgoing).made
    settle_for_packets()
    return plan.outgoing[WARM:], task


def cpu_run(roster: Path) -> None:
    from handouts.batch import workers
    from handouts.mail import drafts, message, send

    due, task = in_process(roster)
    spent = []
    for outgoing in due:
        start = time.process_time()
        assert task(outgoing).made
        spent.append(time.process_time() - start)
    print(f"{len(due)} drafts in process, CPU a draft: median {statistics.median(spent) * 1000:.2f} ms, "
          f"mean {statistics.mean(spent) * 1000:.2f} ms")
    stages: dict[str, float] = {}

    def timed(owner, name: str, stage: str) -> None:
        original = getattr(owner, name)

        def wrapper(*args, **kwargs):
            begin = time.process_time()
            try:
                return original(*args, **kwargs)
            finally:
                stages[stage] = stages.get(stage, 0.0) + time.process_time() - begin
        setattr(owner, name, wrapper)

    timed(send, "render_row", "the packet (render_row)")
    timed(send.NameCheck, "problem", "read-back and name check (NameCheck.problem)")
    timed(send, "compose", "the email composed and checked (compose)")
    timed(drafts, "as_bytes", "the draft's bytes (DraftsTransport.prepare)")
    del workers, message
    start = time.process_time()
    for outgoing in due:
        task(outgoing)
    total = time.process_time() - start
    print(f"\nagain with a timer around each stage: {total / len(due) * 1000:.2f} ms a draft")
    for stage, seconds in sorted(stages.items(), key=lambda item: -item[1]):
        print(f"{seconds / total:6.1%} {seconds / len(due) * 1000:7.2f} ms  {stage}")
    rest = total - sum(stages.values())
    print(f"{rest / total:6.1%} {rest / len(due) * 1000:7.2f} ms  the rest")
    check = getattr(task, "keywords", {}).get("check")
    blocks = getattr(check, "_blocks", None)
    if blocks is not None:
        read = blocks.hits + blocks.misses
        print(f"read-back text objects on the pages read now (TextBlocks): {read / (2 * len(due) + WARM):.1f} a "
              f"draft, {blocks.hits / max(read, 1):.1%} given again, {len(blocks._lines)} kept")


def profiled_run(roster: Path, top: int) -> None:
    due, task = in_process(roster)
    stats, total = profiled(task, due, time.process_time)
    print(f"{total / len(due) * 1000:.2f} ms of CPU a draft under cProfile (its overhead included), "
          f"{len(due)} drafts")
    print_profile(stats, total, len(due), top)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=2, help="runs of each --jobs; the best is reported")
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--cpu", action="store_true", help="in process: a worker's CPU a draft, by stage")
    parser.add_argument("--profile", action="store_true", help="in process: cProfile of a worker's per-row work")
    parser.add_argument("--top", type=int, default=25, help="functions listed by --profile")
    args = parser.parse_args()
    print(f"machine: {machine()}")
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        roster = tmp / "roster.csv"
        write_roster(roster, args.rows, languages=LANGUAGES, emails=True)
        if args.cpu or args.profile:
            cpu_run(roster) if args.cpu else profiled_run(roster, args.top)
            return
        for jobs in args.jobs:
            runs = []
            for _ in range(args.runs):
                for old in (tmp / "outbox", tmp / "ledger.sqlite3"):
                    shutil.rmtree(old, ignore_errors=True) if old.is_dir() else old.unlink(missing_ok=True)
                runs.append(run(roster, tmp, jobs))
            drafts = len(list((tmp / "outbox").glob("*.eml")))
            every = ", ".join(f"{drafts / t:.0f}" for t, _ in runs)
            seconds, cpu = min(runs, key=lambda measured: measured[0])
            print(f"{drafts} drafts, --jobs {jobs}: {drafts / seconds:.0f} drafts/s, best of {len(runs)} "
                  f"({seconds:.1f} s; every run: {every} drafts/s); CPU a draft in that run: "
                  f"{(cpu['parent_cpu'] + cpu['worker_cpu']) / drafts * 1000:.1f} ms (parent "
                  f"{cpu['parent_cpu'] / drafts * 1000:.1f}, workers {cpu['worker_cpu'] / drafts * 1000:.1f})")
        seconds, _ = run(roster, tmp, args.jobs[-1])
        print(f"re-run, all {args.rows} rows already drafted: {seconds:.1f} s")


if __name__ == "__main__":
    main()
