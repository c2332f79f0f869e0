"""Reading five years of history, cold and warm, and saving into it, against the JSON floor.

On a `huddle demo --members 12 --years 5` folder (~14k record files), each
figure is a median ratio from paired runs (A B A B …) measured in the same
breath:

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
  (saves into both folders alternate in one process, medians of ~100 each), into
  the 5-year folder and into an empty one with the same huddle.toml. Wall
  time of the whole `huddle checkin` command on the 5-year folder is
  bench_cli.py's figure.
"""

from __future__ import annotations

import shutil
import subprocess
import sys

from benchmarks.harness import SHARED, Bench, Figure, paired

FLOOR = SHARED / "bench" / "json_floor.py"
COLD, WARM, SAVE = 1.5, 0.3, 1.2

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
import statistics, sys, time
from datetime import date
from pathlib import Path
from huddle_tui.config.team import load_team_config
from huddle_tui.journal import Journal
from huddle_tui.model.checkin import CheckIn
journals = [Journal(load_team_config(Path(arg))) for arg in sys.argv[1:3]]
times = ([], [])
for i in range(int(sys.argv[3])):
    for side, journal in enumerate(journals):
        checkin = CheckIn(date=date.today().isoformat(), mood=1 + i % 5, member="Ana",
                          status="benchmarking", concerns=(), visibility="team", source="cli")
        start = time.perf_counter()
        journal.save_checkin(checkin)
        times[side].append(time.perf_counter() - start)
print(statistics.median(times[0]), statistics.median(times[1]))
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
    config = bench.demo(12, 5)
    folder = config.parent
    index = bench.work / "store-index"
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

    figures = []
    a, b, ratio = paired(cold, floor, bench.runs)
    figures.append(Figure("read all history cold (no index), 12×5y", ratio, COLD,
                          note=f"vs json_floor.py ({a * 1000:.0f} ms / {b * 1000:.0f} ms)"))
    read()
    a, b, ratio = paired(read, floor, bench.runs)
    figures.append(Figure("read all history warm (index, no change), 12×5y", ratio, WARM,
                          note=f"vs json_floor.py ({a * 1000:.0f} ms / {b * 1000:.0f} ms)"))
    empty = bench.work / "store-empty"
    empty.mkdir(exist_ok=True)
    shutil.copy(config, empty / config.name)

    # One process saves into both folders in turn, so fsync's noise and the process's own
    # warm-up fall on both alike; a figure from separate processes swung by ±15%.
    out = subprocess.run([sys.executable, "-c", _SAVE, str(config), str(empty / config.name),
                          str(max(bench.runs, 9) * 11)], env=env, check=True, capture_output=True,
                         text=True).stdout.split()
    a, b = float(out[0]), float(out[1])
    figures.append(Figure("save one check-in: 5 years of history vs none", a / b, SAVE,
                          note=f"({a * 1000:.2f} ms / {b * 1000:.2f} ms median, durable, interleaved)"))
    return figures
