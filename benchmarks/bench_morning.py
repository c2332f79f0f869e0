"""Huddle morning as people live it: the lobby just after a teammate checked in, and the mood key.

    python benchmarks/run.py morning

bench_tui.py opens the lobby on a history nothing has touched for a while.
On huddle morning the facilitator opens it moments after someone checked
in, which changes today's month folder: what the app kept of it no longer
matches and today's records are read again. These figures measure that
moment, in a real pseudo-terminal (../shared/bench/first_paint.py's
`run_once`), at 12×5 and 200×5:

- lobby, N after a check-in ÷ bare Textual: before each lobby run a member
  checks in from their own machine (`huddle checkin`, signed by a key of its
  own); the lobby then opens 5 s later (a real wait), or as it would 1 min
  or 10 min later: the files and folders the check-in wrote get their times
  set back by that much, which is all the app's stamps (storage/stamps.py)
  can tell of the wait. Painted when "Facilitator: NAME" shows, as in
  bench_tui.py; each run is paired with a run of bare_textual.py (A B A B),
  target ≤ 1.2 (the issue's), median of the ratios with min and max.
- lobby with no cache at all (the index deleted before each run) ÷ bare
  Textual, target ≤ 2.
- mood key to paint p50 and p95: the app opens into the round
  (HUDDLE_TUI_START=round) on a team whose moods are shown by name, and each
  run presses the next of 1…5, so every press changes what is on screen
  ("mood 4 good"); a run whose key would show what is already there (the
  speaker had that mood) is not counted, and the note says how many. Targets
  16 ms and 33 ms. The team's config is switched to named moods for these
  runs only and put back after.

It takes a few minutes (the 5 s waits), so run.py runs it only when named.
"""

from __future__ import annotations

import importlib.util
import json
import math
import os
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

from benchmarks.harness import SHARED, Bench, Demo, Figure, environment, wait_until_settled

OPT_IN = True  # run.py runs it only when named: the waits make it slow
FIRST_PAINT = SHARED / "bench" / "first_paint.py"
BARE = SHARED / "bench" / "bare_textual.py"
LOBBY_TARGET, COLD_TARGET, P50_TARGET, P95_TARGET = 1.2, 2.0, 16.0, 33.0
DELAYS = (("5 s", 5.0, True), ("1 min", 60.0, False), ("10 min", 600.0, False))
"""(name, seconds, waited for real): the longer waits are made by setting times back."""
SIZES = ((12, 5), (200, 5))
KEY_RUNS = 21
WORDS = {1: "struggling", 2: "low", 3: "okay", 4: "good", 5: "great"}


def measure(bench: Bench) -> list[Figure]:
    """Every figure at 12×5, then at 200×5."""
    tool = _first_paint()
    out: list[Figure] = []
    for members, years in SIZES:
        demo = bench.demo(members, years)
        out += lobby_figures(bench, demo, tool)
        out += key_figures(bench, demo, tool)
    return out


def _first_paint() -> ModuleType:
    """../shared/bench/first_paint.py as a module: its run_once, one run in a pseudo-terminal."""
    spec = importlib.util.spec_from_file_location("first_paint", FIRST_PAINT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def lobby_figures(bench: Bench, demo: Demo, tool: ModuleType) -> list[Figure]:
    """The lobby's first paint of today's facilitator after a check-in, and with no cache."""
    env = {**bench.env, "HUDDLE_CONFIG": str(demo.config)}
    plan = subprocess.run(bench.huddle("next", "--json"), env=env, check=True, capture_output=True,
                          text=True)  # also builds the index
    marker = f"Facilitator: {json.loads(plan.stdout)['facilitator'] or 'nobody eligible today'}"
    member = _member_home(bench, demo)
    moods = iter(range(10**6))
    lobby, bare = bench.huddle("--config", str(demo.config)), [sys.executable, str(BARE)]

    def check_in(delay: float, waited: bool) -> Callable[[], None]:
        """Before a lobby run: a member checks in, then `delay` passes (or is made to have passed)."""
        def before() -> None:
            started = time.time()
            subprocess.run(bench.huddle("checkin", "--member", demo.member, "--mood",
                                        str(1 + next(moods) % 5), "--status", "on my way",
                                        "--date", demo.day.isoformat()),
                           env=member, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            if waited:
                time.sleep(delay)
            else:
                _set_back(demo.folder, started, delay)
        return before

    def no_cache() -> None:
        """Before a lobby run: no index, no kept lobby."""
        shutil.rmtree(bench.index_dir, ignore_errors=True)

    out = []
    cases = [(f"lobby, {name} after a check-in", check_in(seconds, waited), LOBBY_TARGET)
             for name, seconds, waited in DELAYS]
    cases.append(("lobby with no cache at all", no_cache, COLD_TARGET))
    for name, before, target in cases:
        wait_until_settled(demo.folder)
        ratios, paints = [], []
        for _ in range(bench.runs):
            before()
            with environment(bench.env):
                first, _, _ = tool.run_once(lobby, marker, 100, 30, 60.0)
                floor, _, _ = tool.run_once(bare, "BARE-TEXTUAL-READY", 100, 30, 60.0)
            if first and floor:
                ratios.append(first / floor)
                paints.append(first)
        if not ratios:
            raise RuntimeError(f"{name}: the lobby never showed {marker!r}")
        out.append(Figure(f"{name} ÷ bare Textual ({demo.size})", statistics.median(ratios), target,
                          low=min(ratios), high=max(ratios),
                          note=f"'{marker}', median {statistics.median(paints) * 1000:.0f} ms"))
    subprocess.run(bench.huddle("next", "--json"), env=env, check=True, capture_output=True)  # warm again
    return out


def key_figures(bench: Bench, demo: Demo, tool: ModuleType) -> list[Figure]:
    """The mood key's paint in the round, p50 and p95, every counted press changing the screen."""
    original = demo.config.read_text()
    named = original.replace('mood = "anonymous"', 'mood = "named"')
    if named == original and 'mood = "named"' not in original:
        raise RuntimeError("the demo's config names no mood privacy to switch")
    demo.config.write_text(named)
    try:
        cmd = bench.huddle("--config", str(demo.config))
        times, unchanged = [], 0
        with environment({**bench.env, "HUDDLE_TUI_START": "round"}):
            for run in range(KEY_RUNS):
                mood = 1 + run % 5
                _, paint, _ = tool.run_once(cmd, "Now speaking", 100, 30, 20.0, str(mood),
                                            f"mood {mood} {WORDS[mood]}")
                if paint is None:
                    unchanged += 1
                else:
                    times.append(paint * 1000)
    finally:
        demo.config.write_text(original)
    if len(times) < 5:
        raise RuntimeError(f"the mood key changed the screen in {len(times)} runs of {KEY_RUNS}")
    p50, p95 = statistics.median(times), _percentile(times, 95)
    note = f"{len(times)} presses, {unchanged} not counted (the speaker had that mood)"
    return [Figure(f"mood key to paint p50 ({demo.size})", p50, P50_TARGET, unit=" ms", note=note),
            Figure(f"mood key to paint p95 ({demo.size})", p95, P95_TARGET, unit=" ms",
                   note=f"worst {max(times):.1f} ms")]


def _percentile(values: list[float], p: float) -> float:
    """The nearest-rank percentile (the value at least p% of the values are at or below)."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def _member_home(bench: Bench, demo: Demo) -> dict[str, str]:
    """The environment of the member's own machine, which checks in (and signs) as them."""
    home = {**bench.env, "HUDDLE_CONFIG": str(demo.config),
            "XDG_CONFIG_HOME": str(bench.work / f"morning-{demo.size}-config"),
            "XDG_DATA_HOME": str(bench.work / f"morning-{demo.size}-data")}
    subprocess.run(bench.huddle("init", "--shared", str(demo.folder), "--me", demo.member, "--force"),
                   env=home, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return home


def _set_back(folder: Path, since: float, seconds: float) -> None:
    """Set back by `seconds` the times of every folder changed since `since`, and of what changed in it.

    Only folders are walked (a few thousand), and the files of those that changed.
    """
    cutoff = since - 1.0  # file systems keep times coarser than time.time()
    for root, _dirs, files in os.walk(folder):
        here = Path(root)
        if here.stat().st_mtime < cutoff:
            continue
        for name in files:
            path = here / name
            st = path.stat()
            if st.st_mtime >= cutoff:
                os.utime(path, (st.st_atime - seconds, st.st_mtime - seconds))
        st = here.stat()
        os.utime(here, (st.st_atime - seconds, st.st_mtime - seconds))
