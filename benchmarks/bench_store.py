"""Reading five years of history, cold and warm, and saving into it, against the JSON floor.

On a `huddle demo --members 12 --years 5` folder (~15k record files), each
figure is a median ratio (with its min and max) from paired runs (A B A B …)
measured in the same breath:

- read cold / floor and read warm / floor, where the floor is
  `python3 ../shared/bench/json_floor.py FOLDER`, the time to parse every
  record file once. json_floor is a subprocess that reports its own time
  (`floor_s`: from after its imports to the last file parsed). The read is
  timed the same way: a fresh `python -c` process imports FolderStore, then
  reports the time from the start of FolderStore.read to the History being
  built. Both sides leave out interpreter start and imports, which
  bench_cli.py measures for whole commands; a subprocess each, so both
  start with a cold interpreter and a warm OS file cache.
  Cold deletes the index before each run, and includes writing it again
  (the cost a user pays after the cache is cleared); warm leaves it.
- save with 5 years / save with none: a check-in saved through
  Journal.save_checkin (durable: fsync'd file and folder), timed in-process
  (saves into both folders alternate in one process, ~100 each; the figure
  is the median of the ratios of each pair), into the demo's last working
  day and into an empty folder with the same huddle.toml. Each save is the
  next member's in turn, so a check-in has a handful of versions, as in a
  real week, not a hundred (every version of one check-in is read to save it). Wall time of the
  whole `huddle checkin` command is bench_cli.py's figure.
"""

from __future__ import annotations

import shutil
import statistics
import subprocess
import sys

from benchmarks.harness import SHARED, Bench, Demo, Figure, paired_runs

FLOOR = SHARED / "bench" / "json_floor.py"
COLD, WARM, SAVE = 1.5, 0.3, 1.1

_READ = """
import sys, time
from pathlib import Path
from huddle_tui.storage.folder import FolderStore
start = time.perf_counter()
history = FolderStore(Path(sys.argv[1]), index_dir=Path(sys.argv[2])).read()
elapsed = time.perf_counter() - start
assert len(history.records) > 10000 and not history.problems
print(elapsed)
"""

_SAVE = """
import sys, time
from datetime import date
from pathlib import Path
from huddle_tui.config.team import load_team_config
from huddle_tui.errors import RefusedError
from huddle_tui.journal import Journal
from huddle_tui.model.checkin import CheckIn
teams = [load_team_config(Path(arg)) for arg in sys.argv[1:3]]
day = sys.argv[4]
members = [m.name for m in teams[0].expected(date.fromisoformat(day))]
# The facilitator's machine keys each member's mood: signed by it, as in the round. Members who
# checked in themselves that day are left out (their own answer is never replaced by another's).
journals = [Journal(team, me=members[0]) for team in teams]
free = []
for name in members:
    try:
        for journal in journals:
            journal.save_checkin(CheckIn(date=day, mood=3, member=name, status="benchmarking",
                                         concerns=(), visibility="team", source="cli"))
        free.append(name)
    except RefusedError:
        pass
members = free
for i in range(int(sys.argv[3]) + 1):
    for journal in journals:
        checkin = CheckIn(date=day, mood=1 + i % 5, member=members[i % len(members)], status="benchmarking",
                          concerns=(), visibility="team", source="cli")
        start = time.perf_counter()
        journal.save_checkin(checkin)
        if i:  # the first round only warms the index and the file cache
            print(time.perf_counter() - start)
"""


def _seconds(cmd: list[str], env: dict[str, str], key: str | None = None) -> float:
    """Run a timing script and return the seconds it reports (its last line, or the `key` line)."""
    out = subprocess.run(cmd, env=env, check=True, capture_output=True, text=True).stdout
    lines = out.strip().splitlines()
    if key is not None:
        lines = [line.split()[1] for line in lines if line.startswith(key + " ")]
    return float(lines[-1])


def measure(bench: Bench) -> list[Figure]:
    """The three figures of the issue, each a paired median ratio."""
    demo = bench.demo(12, 5)
    return [*read_figures(bench, demo), save_figure(bench, demo)]


def read_figures(bench: Bench, demo: Demo) -> list[Figure]:
    """Reading the whole history through FolderStore, cold and warm, against json_floor.py."""
    folder = demo.folder
    index = bench.work / f"store-index-{demo.size}"
    env = bench.env

    def floor() -> float:
        """json_floor.py's own time to parse every record file once."""
        return _seconds([sys.executable, str(FLOOR), str(folder)], env, "floor_s")

    def read() -> float:
        """One whole-history read in a fresh process, through the index."""
        return _seconds([sys.executable, "-c", _READ, str(folder), str(index)], env)

    def cold() -> float:
        """A read with no index (deleted first)."""
        shutil.rmtree(index, ignore_errors=True)
        return read()

    c = paired_runs(cold, floor, bench.runs)
    read()
    w = paired_runs(read, floor, bench.runs)
    return [c.figure(f"read all history cold (no index), {demo.size}", COLD,
                     f"vs json_floor.py ({c.a * 1000:.0f} ms / {c.b * 1000:.0f} ms)"),
            w.figure(f"read all history warm (index, no change), {demo.size}", WARM,
                     f"vs json_floor.py ({w.a * 1000:.0f} ms / {w.b * 1000:.0f} ms)")]


def save_figure(bench: Bench, demo: Demo) -> Figure:
    """One check-in saved with the demo's history vs with none, interleaved in one process."""
    empty = bench.work / f"store-empty-{demo.size}"
    empty.mkdir(exist_ok=True)
    shutil.copy(demo.config, empty / demo.config.name)
    saves = max(bench.runs, 9) * 11
    # One process saves into both folders in turn, so fsync's noise and the process's own
    # warm-up fall on both alike; a figure from separate processes swung by ±15%.
    out = subprocess.run([sys.executable, "-c", _SAVE, str(demo.config), str(empty / demo.config.name),
                          str(saves), demo.day.isoformat()], env=bench.env, check=True,
                         capture_output=True, text=True).stdout.split()
    times = [float(x) for x in out]
    full, none = times[0::2], times[1::2]
    ratios = [a / b for a, b in zip(full, none, strict=True)]
    a, b = statistics.median(full), statistics.median(none)
    return Figure(f"save one check-in: {demo.size} of history vs none", statistics.median(ratios), SAVE,
                  low=min(ratios), high=max(ratios),
                  note=f"({a * 1000:.2f} ms / {b * 1000:.2f} ms median, durable, interleaved)")
