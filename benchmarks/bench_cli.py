"""Scripted commands start fast: `huddle next --json`, `huddle checkin` and `huddle summary --date D`.

Each is timed as a whole command (interpreter start, imports, reading and
writing) against the same Python starting and importing json, in turn
(A B A B …), on a demo team's history with a warm index. The commands get
the demo's last working day as --date, so that a demo generated on another
day is measured the same way.
"""

from __future__ import annotations

import itertools
import subprocess
import sys

from benchmarks.harness import Bench, Demo, Figure, paired_runs, wall

TARGET = 3.0


def measure(bench: Bench) -> list[Figure]:
    """The three commands on a 12-member, 5-year demo history."""
    return figures(bench, bench.demo(12, 5))


def figures(bench: Bench, demo: Demo) -> list[Figure]:
    """Median wall-time ratios (with min and max) of each command to the floor."""
    env = {**bench.env, "HUDDLE_CONFIG": str(demo.config)}
    floor = [sys.executable, "-c", "import json"]
    moods = itertools.cycle("12345")
    day, previous = demo.day.isoformat(), demo.previous.isoformat()
    wall(bench.huddle("next", "--json", "--date", day), env)  # builds the index: the figures are warm
    # A check-in is measured as its member runs it: on their own machine, which signs it (a machine
    # with no member signs nothing, and a check-in nobody would be shown is refused).
    own = {**env, "XDG_CONFIG_HOME": str(bench.work / "cli-member-config"),
           "XDG_DATA_HOME": str(bench.work / "cli-member-data")}
    subprocess.run(bench.huddle("init", "--shared", str(demo.folder), "--me", demo.member, "--force"),
                   env=own, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def baseline() -> float:
        """The floor: the same Python starting and importing json."""
        return wall(floor, env)

    commands = {
        f"huddle next --json ({demo.size})":
            lambda: wall(bench.huddle("next", "--json", "--date", day), env),
        f"huddle checkin ({demo.size})":
            lambda: wall(bench.huddle("checkin", "--member", demo.member, "--mood", next(moods),
                                      "--status", "benchmarking", "--date", day), own),
        f"huddle summary --date D ({demo.size})":
            lambda: wall(bench.huddle("summary", "--date", previous), env),
    }
    out = []
    for name, command in commands.items():
        p = paired_runs(command, baseline, bench.runs)
        out.append(p.figure(name, TARGET, f'vs python -c "import json" ({p.a * 1000:.0f} ms / '
                                          f'{p.b * 1000:.0f} ms)'))
    return out
