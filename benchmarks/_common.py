"""What the benchmarks share: fictional patients, a roster writer, and the machine they ran on."""

from __future__ import annotations

import csv
import os
import platform
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LAYOUTS = ("standard", "large-print", "extra-large")

# Fictional names only. Accents and Vietnamese letters are in (as on a real roster); every character is one
# Atkinson Hyperlegible or the bundled Noto Sans subset draws.
FIRST = ("Ana", "Jack", "Zoë", "Minh", "Eleni", "Dmitri", "Grace", "Omar", "Lucía", "Noah", "Rita", "Sam", "Aiyana",
         "Bruno", "Chiara", "Dara", "Emeka", "Fatima", "Goran", "Hana", "Ines", "Jonas", "Kalani", "Leila", "Mateo",
         "Nadia", "Oskar", "Priya", "Quinn", "Rosa", "Soren", "Tamar", "Uma", "Viktor", "Wren", "Ximena", "Yusuf",
         "Zainab", "Élodie", "Åsa")
LAST = ("Smith", "Nguyễn", "Ångström", "Papadopoulou", "Ivanov", "García", "O'Brien", "Kowalski", "Okafor", "Hughes",
        "Park", "Lee", "Vale", "Brown", "Moreau", "Schmidt", "Haddad", "Kaur", "Mensah", "Tanaka", "Rossi", "Novak",
        "Silva", "Jensen", "Dubois", "Kim", "Cohen", "Fischer", "Mwangi", "Lindqvist", "Costa", "Horvat", "Aziz",
        "Walsh", "Yilmaz", "Petrov", "Baker", "Ortiz", "Murphy", "Nakamura")
# The peers get names that Atkinson Hyperlegible draws by itself (no Vietnamese), so that no one falls back
# to a second font.
PLAIN_LAST = tuple(last for last in LAST if all(ord(ch) < 0x180 for ch in last))


def fictional_name(i: int, lasts: tuple[str, ...] = LAST) -> tuple[str, str]:
    """The i-th fictional patient's (name, preferred name): distinct for every i (a middle initial, then a
    number, tells apart patients past the first and last names' combinations)."""
    first, last = FIRST[i % len(FIRST)], lasts[(i // len(FIRST)) % len(lasts)]
    combinations = len(FIRST) * len(lasts)
    initial = chr(ord("A") + (i // combinations) % 26)
    extra = f" {i // (combinations * 26) + 1}" if i >= combinations * 26 else ""
    return f"{first} {initial}. {last}{extra}", first


LANGUAGES = ("en", "es")  # the shipped content's languages: English and its Spanish editions


def write_roster(path: Path, rows: int, layouts: tuple[str, ...] = LAYOUTS, languages: tuple[str, ...] = (),
                 emails: bool = False) -> None:
    """Fictional patients, one distinct name each, layouts in turn (and `languages` in turn, a language every
    second row first: layouts and languages mix), appointments over December 2026 (all after the --today the
    benchmarks pass); with `emails`, an address each (example.org)."""
    with open(path, "w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(["patient_id", "name", "preferred_name", "appointment", "layout"]
                     + (["language"] if languages else []) + (["email"] if emails else []))
        for i in range(rows):
            name, preferred = fictional_name(i)
            day, minute = 1 + i % 28, (i * 15) % (9 * 60)
            out.writerow([f"P{i:06d}", name, preferred, f"2026-12-{day:02d} {8 + minute // 60:02d}:{minute % 60:02d}",
                          layouts[i % len(layouts)]] + ([languages[(i // 2) % len(languages)]] if languages else [])
                         + ([f"patient{i}@example.org"] if emails else []))


def machine() -> str:
    """One line: CPUs, CPU model, Python, OS."""
    model = platform.processor() or platform.machine()
    try:
        lines = subprocess.run(["lscpu"], capture_output=True, text=True, check=False).stdout.splitlines()
        model = next((line.split(":", 1)[1].strip() for line in lines if line.startswith("Model name")), model)
    except OSError:
        pass
    return (f"{os.cpu_count()} CPUs ({model}), Python {platform.python_version()}, "
            f"{platform.system()} {platform.release()}")


def ensure_root_path() -> None:
    """Import the project from this checkout even when it is not installed."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))


def print_profile(stats, total: float, count: int, top: int) -> None:
    """The `top` functions of a cProfile run by cumulative and by own time: share, ms and calls a packet."""
    from pathlib import Path

    def where(key) -> str:
        path, line, function = key
        if path == "~":
            return function  # a built-in
        parts = Path(path).parts
        short = "/".join(parts[parts.index("handouts"):] if "handouts" in parts else parts[-2:])
        return f"{short}:{line}({function})"

    for column, title in ((3, "cumulative"), (2, "own time (tottime)")):
        print(f"\nby {title}:\n{'share':>6} {'ms/packet':>9} {'calls/packet':>12}  function")
        rows = sorted(stats.stats.items(), key=lambda item: item[1][column], reverse=True)[:top]
        for key, values in rows:
            print(f"{values[column] / total:6.1%} {values[column] / count * 1000:9.3f} {values[1] / count:12.1f}  "
                  f"{where(key)}")


def profiled(run, items, clock=None):
    """cProfile of `run` over `items`: its stats and the seconds the whole loop took, profiled (by `clock`, the
    wall clock unless given)."""
    import cProfile
    import pstats
    import time

    clock = clock or time.perf_counter
    profiler = cProfile.Profile()
    start = clock()
    profiler.enable()
    for item in items:
        run(item)
    profiler.disable()
    return pstats.Stats(profiler), clock() - start
