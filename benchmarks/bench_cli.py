"""Scripted commands start fast: `huddle next --json` and `huddle checkin` vs `python -c "import json"`."""

from __future__ import annotations

import itertools
import sys

from benchmarks.harness import Bench, Figure, paired, wall

TARGET = 3.0


def measure(bench: Bench) -> list[Figure]:
    """Median wall-time ratios on a 12-member, 5-year demo history (index warm)."""
    config = bench.demo(12, 5)
    env = {**bench.env, "HUDDLE_CONFIG": str(config)}
    floor = [sys.executable, "-c", "import json"]
    moods = itertools.cycle("12345")

    def next_json() -> float:
        """One `huddle next --json`."""
        return wall(bench.huddle("next", "--json"), env)

    def checkin() -> float:
        """One `huddle checkin` (a new version of Ana's check-in each time)."""
        return wall(bench.huddle("checkin", "--member", "Ana", "--mood", next(moods),
                                 "--status", "benchmarking"), env)

    def baseline() -> float:
        """The floor: the same Python starting and importing json."""
        return wall(floor, env)

    figures = []
    for name, fn in (("huddle next --json (12 members, 5 years)", next_json),
                     ("huddle checkin (12 members, 5 years)", checkin)):
        a, b, ratio = paired(fn, baseline, bench.runs)
        figures.append(Figure(name, ratio, TARGET,
                              note=f'vs python -c "import json" ({a * 1000:.0f} ms / {b * 1000:.0f} ms)'))
    return figures
