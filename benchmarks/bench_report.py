"""`huddle report --since all --format json` on a 12-member, 5-year history, against parsing each record.

Both sides are whole commands timed by wall clock, in turn (A B A B …): the
report (to /dev/null) and `python3 ../shared/bench/json_floor.py FOLDER`.
Warm leaves the history index in place; cold deletes it before each report.

Targets: cold ≤ 2.0 (a cold read plus the figures); warm ≤ 0.5 (with the
index no record file is parsed; the figures are one pass over the records);
peak memory of the warm report ≤ 200 MiB (the largest of the runs' maxrss).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

from benchmarks.harness import SHARED, Bench, Demo, Figure, paired_runs, wall

FLOOR = SHARED / "bench" / "json_floor.py"
WARM, COLD, PEAK_MIB = 0.5, 2.0, 200.0
# A fresh interpreter runs the command, so its children's peak is the command's alone.
_PEAK = ("import resource, subprocess, sys; subprocess.run(sys.argv[1:], check=True, "
         "stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL); "
         "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")


def measure(bench: Bench) -> list[Figure]:
    """Cold, warm and peak memory on the 12-member, 5-year demo."""
    return figures(bench, bench.demo(12, 5))


def peak_mib(cmd: list[str], env: dict[str, str]) -> float:
    """The command's peak resident memory in MiB (Linux reports ru_maxrss in KiB)."""
    done = subprocess.run([sys.executable, "-c", _PEAK, *cmd], env=env, check=True, capture_output=True,
                          text=True)
    return int(done.stdout.split()[-1]) / 1024


def figures(bench: Bench, demo: Demo, runs: int | None = None) -> list[Figure]:
    """Report warm and cold ÷ json_floor.py, and the report's peak memory."""
    env = {**bench.env, "HUDDLE_CONFIG": str(demo.config)}
    runs = runs or bench.runs
    report = bench.huddle("report", "--since", "all", "--format", "json")

    def floor() -> float:
        """json_floor.py parsing every record file once, as a whole command."""
        return wall([sys.executable, str(FLOOR), str(demo.folder)], env)

    def warm() -> float:
        """One report through the index."""
        return wall(report, env)

    def cold() -> float:
        """One report after the index is deleted."""
        shutil.rmtree(bench.index_dir, ignore_errors=True)
        return wall(report, env)

    done = subprocess.run(report, env=env, check=True, capture_output=True, text=True)  # warms the index
    periods = len(json.loads(done.stdout)["periods"])
    w = paired_runs(warm, floor, runs)
    c = paired_runs(cold, floor, runs, warm_up=False)
    subprocess.run(report, env=env, check=True, stdout=subprocess.DEVNULL)  # leave it warm
    peak = max(peak_mib(report, env) for _ in range(3))
    return [w.figure(f"huddle report --since all, warm index ({demo.size})", WARM,
                     f"vs json_floor.py ({w.a * 1000:.0f} ms / {w.b * 1000:.0f} ms, {periods} weeks)"),
            c.figure(f"huddle report --since all, no index ({demo.size})", COLD,
                     f"vs json_floor.py ({c.a * 1000:.0f} ms / {c.b * 1000:.0f} ms)"),
            Figure(f"huddle report --since all, peak memory ({demo.size})", peak, PEAK_MIB, unit=" MiB")]
