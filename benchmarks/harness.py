"""What every benchmark shares: figures with targets, paired timing, demo folders.

Machines here are shared and noisy, so a figure is never an absolute time: it
is a ratio to a floor measured in the same run, with the two commands run in
turn (A B A B …) so that drift hits both alike.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"


@dataclass
class Figure:
    """One measured figure beside its target (lower is better unless `higher` is set)."""

    name: str
    value: float
    target: float
    unit: str = "×"
    note: str = ""
    higher: bool = False

    @property
    def ok(self) -> bool:
        """Whether the figure meets its target."""
        return self.value >= self.target if self.higher else self.value <= self.target


@dataclass
class Bench:
    """Run-wide state: a scratch folder, the environment, and demo folders made once."""

    work: Path
    runs: int = 9
    env: dict[str, str] = field(default_factory=dict)
    _demos: dict[tuple[int, float], Path] = field(default_factory=dict)

    @classmethod
    def create(cls, runs: int) -> Bench:
        """A bench with isolated config, data and cache dirs under a temp folder."""
        work = Path(tempfile.mkdtemp(prefix="huddle-bench-"))
        env = {**os.environ,
               "HUDDLE_CONFIG_DIR": str(work / "config"), "HUDDLE_DATA_DIR": str(work / "data"),
               "HUDDLE_CACHE_DIR": str(work / "cache")}
        env.pop("HUDDLE_CONFIG", None)
        return cls(work=work, runs=runs, env=env)

    def demo(self, members: int, years: float) -> Path:
        """A `huddle demo` folder of this size, made once per run; returns its huddle.toml."""
        key = (members, years)
        if key not in self._demos:
            folder = self.work / f"demo-{members}x{years:g}"
            subprocess.run([sys.executable, "-m", "huddle_tui", "demo", "--members", str(members),
                            "--years", str(years), "--shared", str(folder), "--no-tui"],
                           env=self.env, check=True, capture_output=True)
            self._demos[key] = folder / "huddle.toml"
        return self._demos[key]

    def huddle(self, *args: str) -> list[str]:
        """`huddle ARGS` as people run it: the console script beside this Python, else -m."""
        script = Path(sys.executable).with_name("huddle")
        if script.exists():
            return [str(script), *args]
        return [sys.executable, "-m", "huddle_tui", *args]


def wall(cmd: Sequence[str], env: dict[str, str]) -> float:
    """Wall-clock seconds of one run of `cmd` (which must succeed)."""
    start = time.perf_counter()
    subprocess.run(cmd, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def paired(a: Callable[[], float], b: Callable[[], float], runs: int) -> tuple[float, float, float]:
    """Run a and b in turn `runs` times; return (median a, median b, median of a/b ratios)."""
    a(), b()  # warm the file cache and the interpreter's bytecode cache
    xs, ys = [], []
    for _ in range(runs):
        xs.append(a())
        ys.append(b())
    ratios = [x / y for x, y in zip(xs, ys, strict=True)]
    return statistics.median(xs), statistics.median(ys), statistics.median(ratios)
