"""What every benchmark shares: figures with targets, paired timing, demo folders.

Machines here are shared and noisy, so a figure is never an absolute time: it
is a ratio to a floor measured in the same run, with the two commands run in
turn (A B A B …) so that drift hits both alike; a figure gives the median of
those ratios with their min and max.

Commands run as a user runs them: only XDG_CONFIG_HOME, XDG_DATA_HOME and
XDG_CACHE_HOME point at the run's scratch folder (huddle finds its dirs the
way it does on a user's machine; HUDDLE_*_DIR, the test suite's seam, is
never set). Demo teams are generated once into a cache folder and reused by
later runs: each run works on its own hard-linked copy (record files are
immutable, so a run's writes never reach the cache).
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
# The test suite's seam: a user never has these set, so benchmarks never do.
_TEST_DIRS = ("HUDDLE_CONFIG_DIR", "HUDDLE_DATA_DIR", "HUDDLE_CACHE_DIR", "HUDDLE_CONFIG")


@dataclass
class Figure:
    """One measured figure beside its target (lower is better unless `higher` is set).

    `low` and `high` are the least and greatest of the paired ratios whose
    median is `value`, when the figure is such a median.
    """

    name: str
    value: float
    target: float
    unit: str = "×"
    note: str = ""
    higher: bool = False
    low: float | None = None
    high: float | None = None

    @property
    def ok(self) -> bool:
        """Whether the figure meets its target."""
        return self.value >= self.target if self.higher else self.value <= self.target


@dataclass
class Demo:
    """A run's copy of a `huddle demo` team, and the dates and member the figures use."""

    config: Path
    members: int
    years: float
    today: date  # the day the history was generated up to (the demo checks in two people that day)
    day: date  # the last working day up to `today`: check-ins and saves go there, in a month with history
    previous: date  # the working day before `day`: a whole day, for `summary --date`
    member: str  # expected on `day` and free to check in there from the command line
    records: int

    @property
    def folder(self) -> Path:
        """The demo's shared folder."""
        return self.config.parent

    @property
    def size(self) -> str:
        """'12×5y': members × years, for figure names."""
        return f"{self.members}×{self.years:g}y"


@dataclass
class Bench:
    """Run-wide state: a scratch folder, the environment, and demo folders made once."""

    work: Path
    runs: int = 9
    asked_runs: int | None = None  # --runs as given (None: each figure's default, `runs` for most)
    env: dict[str, str] = field(default_factory=dict)
    cache: Path | None = None
    _demos: dict[tuple[int, float], Demo] = field(default_factory=dict)

    @classmethod
    def create(cls, runs: int | None, cache: Path | None = None) -> Bench:
        """A bench whose XDG config, data and cache dirs are under a temp folder (runs None: 9)."""
        work = Path(tempfile.mkdtemp(prefix="huddle-bench-"))
        env = {k: v for k, v in os.environ.items() if k not in _TEST_DIRS}
        env.update(XDG_CONFIG_HOME=str(work / "xdg-config"), XDG_DATA_HOME=str(work / "xdg-data"),
                   XDG_CACHE_HOME=str(work / "xdg-cache"))
        return cls(work=work, runs=runs or 9, asked_runs=runs, env=env, cache=cache)

    @property
    def index_dir(self) -> Path:
        """Where huddle keeps its history index under this run's XDG cache dir."""
        return Path(self.env["XDG_CACHE_HOME"]) / "huddle-tui" / "index"

    def demo(self, members: int, years: float) -> Demo:
        """This run's copy of a `huddle demo` team of this size (generated once into the cache)."""
        key = (members, years)
        if key not in self._demos:
            source = self._generated(members, years)
            meta = json.loads((source / "demo.json").read_text())
            folder = self.work / f"demo-{members}x{years:g}"
            # Hard links: the run's writes create new files and never change a record in the cache.
            shutil.copytree(source / "shared", folder, copy_function=_link_or_copy)
            config = folder / "huddle.toml"
            config.unlink()
            shutil.copy2(source / "shared" / "huddle.toml", config)
            self._demos[key] = _demo_facts(config, members, years, date.fromisoformat(meta["today"]))
        return self._demos[key]

    def _generated(self, members: int, years: float) -> Path:
        """The cached demo of this size for this huddle's generator, made now if missing."""
        def generate(scratch: Path) -> dict[str, object]:
            """`huddle demo` into the scratch folder; the facts kept beside it."""
            subprocess.run([sys.executable, "-m", "huddle_tui", "demo", "--members", str(members),
                            "--years", str(years), "--shared", str(scratch / "shared"), "--no-tui"],
                           env=self.env, check=True, capture_output=True)
            return {"members": members, "years": years, "today": date.today().isoformat()}

        target = self.made_once(f"demo-{members}x{years:g}-{_generator_tag()}", "demo.json",
                                f"a {members}-member, {years:g}-year demo", generate)
        wait_until_settled(target / "shared")  # measured as a history people open, not one just made
        return target

    def made_once(self, name: str, marker: str, what: str, make: Callable[[Path], dict[str, object]]) -> Path:
        """The cache folder `name`, made by `make(scratch)` the first time (its facts and time in `marker`).

        Made in a scratch folder beside it and moved into place whole, so a
        run stopped midway leaves nothing that looks made; when two runs make
        it at once, the first to finish wins.
        """
        base = self.cache or (self.work / "demo-cache")
        target = base / name
        if (target / marker).exists():
            return target
        base.mkdir(parents=True, exist_ok=True)
        scratch = Path(tempfile.mkdtemp(prefix=".making-", dir=base))
        print(f"… making {what} into {target}", file=sys.stderr, flush=True)
        start = time.perf_counter()
        facts = make(scratch)
        (scratch / marker).write_text(json.dumps({**facts, "seconds": round(time.perf_counter() - start, 1)}))
        try:
            os.replace(scratch, target)
        except OSError:  # another run made it first
            shutil.rmtree(scratch, ignore_errors=True)
        return target

    def huddle(self, *args: str) -> list[str]:
        """`huddle ARGS` as people run it: the console script beside this Python, else -m."""
        script = Path(sys.executable).with_name("huddle")
        if script.exists():
            return [str(script), *args]
        return [sys.executable, "-m", "huddle_tui", *args]


@contextmanager
def environment(env: dict[str, str]) -> Iterator[None]:
    """This process's environment is `env` meanwhile (here and in what it forks), then as it was."""
    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update(env)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


def wait_until_settled(folder: Path) -> None:
    """Sleep until no folder of the history has changed for RACY_NS.

    A folder changed more lately than that cannot be trusted unread
    (storage/stamps.py): right after a save, or after the demo is made, a
    command reads what it would otherwise answer from kept data. Figures are
    of the usual moment, a history nobody wrote to in the last 3 s.
    """
    from huddle_tui.storage.stamps import RACY_NS

    newest = max(os.stat(root).st_mtime_ns for root, _, _ in os.walk(folder / "records"))
    time.sleep(max(0.0, (newest + RACY_NS) / 1e9 - time.time()) + 0.1)


def _link_or_copy(src: str, dst: str) -> None:
    """Hard-link a file (a copy where links are not possible, e.g. across file systems)."""
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)


def _generator_tag() -> str:
    """Names the demo generator under test, so a changed generator makes its demos anew."""
    spec = importlib.util.find_spec("huddle_tui.demo")
    origin = spec.origin if spec is not None else None
    source = Path(origin).read_bytes() if origin else b""
    return hashlib.sha256(source).hexdigest()[:12]


def _demo_facts(config: Path, members: int, years: float, today: date) -> Demo:
    """The dates and the member the figures use in a demo generated up to `today`."""
    from huddle_tui.config.team import load_team_config
    from huddle_tui.storage.folder import FolderStore

    team = load_team_config(config)
    day = today
    while not team.is_workday(day):
        day -= timedelta(days=1)
    previous = day - timedelta(days=1)
    while not team.is_workday(previous):
        previous -= timedelta(days=1)
    # Whoever already checked in that day may have done so anonymously (then only their own
    # machine could check in again): pick someone expected who has not.
    history = FolderStore(config.parent).read(("checkin",), since=day.isoformat())
    done = {str(r.payload.get("member", "")).casefold() for r in history.records.values()
            if r.date == day.isoformat()}
    free = [m.name for m in team.expected(day) if m.name.casefold() not in done]
    if not free:
        raise SystemExit(f"{config}: nobody left to check in on {day}")
    records = sum(len(files) for _, _, files in os.walk(config.parent / "records"))
    return Demo(config, members, years, today, day, previous, free[-1], records)


def wall(cmd: Sequence[str], env: dict[str, str]) -> float:
    """Wall-clock seconds of one run of `cmd` (which must succeed)."""
    start = time.perf_counter()
    subprocess.run(cmd, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def timer(cmd: Sequence[str], env: dict[str, str]) -> Callable[[], float]:
    """A function timing one run of `cmd` (for paired_runs)."""
    return lambda: wall(cmd, env)


@dataclass
class Paired:
    """Paired timings of a and b: each one's median seconds and every a/b ratio."""

    a: float
    b: float
    ratios: list[float]

    @property
    def ratio(self) -> float:
        """The median of the ratios."""
        return statistics.median(self.ratios)

    def figure(self, name: str, target: float, note: str = "") -> Figure:
        """The figure these ratios make: median, min and max."""
        return Figure(name, self.ratio, target, note=note, low=min(self.ratios), high=max(self.ratios))


def paired_runs(a: Callable[[], float], b: Callable[[], float], runs: int, *, warm_up: bool = True) -> Paired:
    """Run a and b in turn `runs` times (after one untimed round): medians and every ratio."""
    if warm_up:
        a(), b()  # warm the file cache and the interpreter's bytecode cache
    xs, ys = [], []
    for _ in range(runs):
        xs.append(a())
        ys.append(b())
    ratios = [x / y for x, y in zip(xs, ys, strict=True)]
    return Paired(statistics.median(xs), statistics.median(ys), ratios)


def paired(a: Callable[[], float], b: Callable[[], float], runs: int) -> tuple[float, float, float]:
    """Run a and b in turn `runs` times; return (median a, median b, median of a/b ratios)."""
    p = paired_runs(a, b, runs)
    return p.a, p.b, p.ratio
