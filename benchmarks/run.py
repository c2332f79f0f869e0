"""Run every benchmark and print each figure beside its target.

    python benchmarks/run.py            # all of them, on a 12-member, 5-year history
    python benchmarks/run.py cli store  # only bench_cli.py and bench_store.py
    python benchmarks/run.py pg         # the many-team server on PostgreSQL (only when named)
    python benchmarks/run.py demo       # `huddle demo` at 200 members × 1 year (only when named; 3 pairs)
    python benchmarks/run.py --runs 5   # fewer repetitions
    python benchmarks/run.py --sizes    # the scaling table: 12×5, 50×10 and 200×5
    python benchmarks/run.py --sizes --scripted  # its commands and saving alone, 12×5 and 200×5

Every figure is the median of paired ratios to a floor measured in the same
run, printed with the least and greatest ratio (min/median/max). Demo
histories are generated once into --cache and reused by later runs.
Exit code 1 when a figure misses its target.
"""

from __future__ import annotations

import argparse
import importlib
import os
import shutil
import sys
from collections.abc import Iterable
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.harness import Bench, Figure


def _default_cache() -> Path:
    """Where generated demo histories are kept between runs: the user's cache dir."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "huddle-tui-bench"


def main() -> int:
    """Discover bench_*.py modules (or the scaling table), run them, print the table."""
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("only", nargs="*", help="benchmark names (bench_NAME.py)")
    parser.add_argument("--runs", type=int, help="repetitions per paired figure (default 9; "
                        "a slow figure run only when named takes fewer)")
    parser.add_argument("--sizes", action="store_true",
                        help="the scaling table at 12×5, 50×10 and 200×5 (members × years)")
    parser.add_argument("--scripted", action="store_true",
                        help="with --sizes: the scripted commands and saving only, at 12×5 and 200×5")
    parser.add_argument("--cache", type=Path, default=_default_cache(),
                        help="where demo histories are generated once and kept (default: %(default)s)")
    parser.add_argument("--keep", action="store_true", help="keep the scratch folder")
    args = parser.parse_args()
    bench = Bench.create(args.runs, args.cache)
    figures: list[Figure] = []
    print(f"huddle-tui benchmarks, {date.today()}, {_machine()}, Python {sys.version.split()[0]}",
          flush=True)
    try:
        for fig in _sizes(bench, args.scripted) if args.sizes else _modules(bench, args.only):
            figures.append(fig)
            _row(fig)
    finally:
        if not args.keep:
            shutil.rmtree(bench.work, ignore_errors=True)
    missed = [f for f in figures if not f.ok]
    print(f"\n{len(figures) - len(missed)} of {len(figures)} figures meet their targets")
    return 1 if missed else 0


def _modules(bench: Bench, only: list[str]) -> Iterable[Figure]:
    """The figures of each chosen bench_*.py module, in name order (an OPT_IN module only when named)."""
    names = sorted(p.stem[len("bench_"):] for p in Path(__file__).parent.glob("bench_*.py"))
    unknown = sorted(set(only) - set(names))
    if unknown:
        raise SystemExit(f"no benchmark {', '.join(unknown)} (there are: {', '.join(names)})")
    for name in (n for n in names if not only or n in only):
        module = importlib.import_module(f"benchmarks.bench_{name}")
        if getattr(module, "OPT_IN", False) and name not in only:
            print(f"… {name} skipped: it runs only when named (run.py {name})", file=sys.stderr, flush=True)
            continue
        print(f"… {name}", file=sys.stderr, flush=True)
        # A module may measure more when named (its slow figures) than in the default run.
        measure = getattr(module, "measure_named", module.measure) if name in only else module.measure
        yield from measure(bench)


def _sizes(bench: Bench, scripted: bool = False) -> Iterable[Figure]:
    """The scaling table's figures, size by size (the scripted commands' alone, at two sizes)."""
    from benchmarks import sizes

    yield from sizes.measure(bench, sizes.SCRIPTED, scripted=True) if scripted else sizes.measure(bench)


def _machine() -> str:
    """CPUs and CPU model, for the record of a run."""
    model = "unknown CPU"
    try:
        with open("/proc/cpuinfo") as f:
            model = next((line.split(":", 1)[1].strip() for line in f if line.startswith("model name")),
                         model)
    except OSError:
        pass
    return f"{os.cpu_count()} CPUs ({model})"


def _row(fig: Figure) -> None:
    """One figure: verdict, name, min/median/max, target, and what it was compared with."""
    sign = "≥" if fig.higher else "≤"
    verdict = "ok  " if fig.ok else "MISS"
    spread = f"{'':7}{fig.value:6.2f}{'':7}"
    if fig.low is not None and fig.high is not None:
        spread = f"{fig.low:6.2f}/{fig.value:6.2f}/{fig.high:6.2f}"
    print(f"{verdict} {fig.name:<66} {spread}{fig.unit}  target {sign} {fig.target:g}{fig.unit}  {fig.note}",
          flush=True)


if __name__ == "__main__":
    raise SystemExit(main())
