"""Run every benchmark and print each figure beside its target.

    python benchmarks/run.py            # all of them
    python benchmarks/run.py cli store  # only bench_cli.py and bench_store.py
    python benchmarks/run.py --runs 5   # fewer repetitions

Exit code 1 when a figure misses its target.
"""

from __future__ import annotations

import argparse
import importlib
import shutil
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.harness import Bench, Figure


def main() -> int:
    """Discover bench_*.py modules, run their `measure`, print the table."""
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("only", nargs="*", help="benchmark names (bench_NAME.py)")
    parser.add_argument("--runs", type=int, default=9, help="repetitions per paired figure")
    parser.add_argument("--keep", action="store_true", help="keep the scratch folder")
    args = parser.parse_args()
    names = sorted(p.stem[len("bench_"):] for p in Path(__file__).parent.glob("bench_*.py"))
    chosen = [n for n in names if not args.only or n in args.only]
    bench = Bench.create(args.runs)
    figures: list[Figure] = []
    try:
        for name in chosen:
            print(f"… {name}", file=sys.stderr, flush=True)
            module = importlib.import_module(f"benchmarks.bench_{name}")
            for fig in module.measure(bench):
                figures.append(fig)
                _row(fig)
    finally:
        if not args.keep:
            shutil.rmtree(bench.work, ignore_errors=True)
    missed = [f for f in figures if not f.ok]
    print(f"\n{len(figures) - len(missed)} of {len(figures)} figures meet their targets")
    return 1 if missed else 0


def _row(fig: Figure) -> None:
    """One figure: name, value, target, verdict, and what it was compared with."""
    sign = "≥" if fig.higher else "≤"
    verdict = "ok  " if fig.ok else "MISS"
    print(f"{verdict} {fig.name:<52} {fig.value:8.3f}{fig.unit}  target {sign} {fig.target:g}{fig.unit}"
          f"  {fig.note}", flush=True)


if __name__ == "__main__":
    raise SystemExit(main())
