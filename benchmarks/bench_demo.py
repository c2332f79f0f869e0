"""`huddle demo` generating a history, against parsing every file it wrote once.

    python benchmarks/run.py demo             # 200 members × 1 year, 3 pairs (~2–3 min)
    python benchmarks/run.py demo --runs 5    # more pairs

Both sides are whole commands timed by wall clock, in turn (A B A B …):
`huddle demo --members M --years Y --shared DIR --no-tui` as a user runs it
(only the XDG variables set), into a fresh DIR each time, then `python3
../shared/bench/json_floor.py DIR` on that run's own output (its files are
still in the OS cache, as they are for anyone who opens the demo next). The
generator writes every file and then reads what its summary shows; the
floor only parses them, so the ratio says how much more than one read of
the history making it costs. Target: ≤ 8 at 200 × 1 (~43,000 files).

The 200 × 1 figure takes tens of seconds a pair, so it runs only when named
(and with 3 pairs unless --runs says otherwise). The default run measures
the same command at 12 × 1 (~2,700 files, a second or so a pair) against
the same target: there interpreter start-up weighs more on the generator
than on the floor, so the small figure is the stricter of the two (it
catches a per-file cost growing as well as a slower start).
"""

from __future__ import annotations

import itertools
import os
import shutil
import sys
from pathlib import Path

from benchmarks.harness import SHARED, Bench, Figure, paired_runs, wall

FLOOR = SHARED / "bench" / "json_floor.py"
TARGET = 8.0
NAMED = (200, 1.0)  # run.py demo
SMALL = (12, 1.0)  # every default run
NAMED_PAIRS = 3


def measure(bench: Bench) -> list[Figure]:
    """The default run's figure: a small demo, cheap enough to run every time."""
    return [figure(bench, *SMALL, runs=bench.runs)]


def measure_named(bench: Bench) -> list[Figure]:
    """`run.py demo`: the issue's size, with few pairs unless --runs asked for more."""
    return [figure(bench, *NAMED, runs=bench.asked_runs or NAMED_PAIRS, warm_up=False)]


def figure(bench: Bench, members: int, years: float, runs: int, *, warm_up: bool = True) -> Figure:
    """Whole `huddle demo` ÷ json_floor.py on its own output: median ratio with min and max."""
    made = bench.work / "demo-generated"
    numbers = itertools.count()
    last: list[Path] = []
    files: list[int] = []

    def generate() -> float:
        """One whole `huddle demo` into a fresh folder."""
        folder = made / f"run-{next(numbers)}"
        last[:] = [folder]
        return wall(bench.huddle("demo", "--members", str(members), "--years", f"{years:g}",
                                 "--shared", str(folder), "--no-tui"), bench.env)

    def floor() -> float:
        """json_floor.py on the folder just generated."""
        folder = last[0]
        seconds = wall([sys.executable, str(FLOOR), str(folder)], bench.env)
        files.append(sum(len(names) for _, _, names in os.walk(folder / "records")))
        return seconds

    try:
        p = paired_runs(generate, floor, runs, warm_up=warm_up)
    finally:
        # Removed only now: on ext4 a file made soon after many were deleted nearby costs several
        # times more kernel time (the allocator skips recently freed inodes), which would charge
        # one run's clean-up to the next run's generation.
        shutil.rmtree(made, ignore_errors=True)
    return p.figure(f"huddle demo --members {members} --years {years:g}", TARGET,
                    f"vs json_floor.py on its output ({p.a:.1f} s / {p.b:.2f} s, {files[-1]} files)")
