"""`huddle report --since all --format json` on a 12-member, 5-year history, against parsing each record.

Both sides are whole commands timed by wall clock, in turn (A B A B …): the
report (to /dev/null) and `python3 ../shared/bench/json_floor.py FOLDER`.
Warm leaves the history index in place; cold deletes it before each report.

Targets: cold ≤ 2.0 (a cold read plus the figures); warm ≤ 0.5 (with the
index no record file is parsed; the figures are one pass over the records);
peak memory of the warm report ≤ 200 MiB (the largest of the runs' maxrss).

A report's window (issue 28): `huddle report --since 30d` and `--since 90d`
as people run them (text, to /dev/null), the cache warm from an earlier run
and the folder settled, against `python -c "import json"` (≤ 5), at 12×5
and, when named (`run.py report`), at 200×5; and the same command at 200×5
against 12×5, in turn (≤ 1.5: a report costs what its window holds, not
what the history holds).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time

from benchmarks.harness import SHARED, Bench, Demo, Figure, paired_runs, timer, wall

FLOOR = SHARED / "bench" / "json_floor.py"
WARM, COLD, PEAK_MIB = 0.5, 2.0, 200.0
WINDOW_FLOOR, WINDOW_SCALE = 5.0, 1.5  # a window's report ÷ python -c "import json"; 200×5 ÷ 12×5
WINDOWS = ("30d", "90d")
# A fresh interpreter runs the command, so its children's peak is the command's alone.
_PEAK = ("import resource, subprocess, sys; subprocess.run(sys.argv[1:], check=True, "
         "stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL); "
         "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")


def measure(bench: Bench) -> list[Figure]:
    """Cold, warm and peak memory on the 12-member, 5-year demo; its 30- and 90-day reports."""
    small = bench.demo(12, 5)
    return [*figures(bench, small), *window_figures(bench, small)]


def measure_named(bench: Bench) -> list[Figure]:
    """Named (`run.py report`): also the windowed reports at 200×5, and 200×5 ÷ 12×5."""
    small, big = bench.demo(12, 5), bench.demo(200, 5)
    return [*figures(bench, small), *window_figures(bench, small), *window_figures(bench, big),
            *scale_figures(bench, small, big)]


def window_report(bench: Bench, demo: Demo, window: str) -> tuple[list[str], dict[str, str]]:
    """`huddle report --since WINDOW` and its environment, its cache warm and its folder settled."""
    env = {**bench.env, "HUDDLE_CONFIG": str(demo.config)}
    report = bench.huddle("report", "--since", window)
    subprocess.run(report, env=env, check=True, stdout=subprocess.DEVNULL)  # a cold read, at 200×5 minutes
    time.sleep(3.2)  # what the first run wrote (this machine's keyring) settles: then every answer is kept
    subprocess.run(report, env=env, check=True, stdout=subprocess.DEVNULL)
    return report, env


def window_figures(bench: Bench, demo: Demo) -> list[Figure]:
    """Each window's report ÷ python -c "import json", paired."""
    out = []
    for window in WINDOWS:
        report, env = window_report(bench, demo, window)
        floor = [sys.executable, "-c", "import json"]
        p = paired_runs(timer(report, env), timer(floor, env), bench.runs)
        out.append(p.figure(f"report {window} ÷ python -c import json ({demo.size})", WINDOW_FLOOR,
                            f'vs python -c "import json" ({p.a * 1000:.0f} ms / {p.b * 1000:.0f} ms)'))
    return out


def scale_figures(bench: Bench, small: Demo, big: Demo) -> list[Figure]:
    """Each window's report at the big history ÷ at the small one, run in turn."""
    out = []
    for window in WINDOWS:
        (a, a_env), (b, b_env) = window_report(bench, big, window), window_report(bench, small, window)
        p = paired_runs(timer(a, a_env), timer(b, b_env), bench.runs)
        out.append(p.figure(f"report {window}, {big.members}×{big.years:g} ÷ {small.members}×{small.years:g}",
                            WINDOW_SCALE, f"({p.a * 1000:.0f} ms / {p.b * 1000:.0f} ms)"))
    return out


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
