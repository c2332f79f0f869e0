"""`huddle export` of a whole history, warm and cold, against parsing every record file once.

Both sides are whole commands timed by wall clock, in turn (A B A B …):
`huddle export` (JSON Lines to /dev/null) and `python3
../shared/bench/json_floor.py FOLDER`. Warm leaves the history index in
place; cold deletes it before each export, which then reads, verifies and
indexes every file again.

Targets: warm ≤ 1.0 (stricter than the issue's 1.2) — with the index,
export never parses a record file, so writing each record once should cost
no more than parsing each once; cold ≤ 1.8 (the issue's) — reading,
verifying (checksum and payload rules) and indexing every file, then writing.

The cold whole-history read with signatures verified (issue 24: ≤ 3.5) is
`huddle doctor --json` against the same floor: it re-reads every file
whatever the index holds, checking each one's checksum, envelope, payload
rules and Ed25519 signature (the demo history is signed, ~70 µs a file on
top of the ~25 µs of reading and parsing it), and judges whose each record is.

Peak RSS (issue 28): export reads month by month (storage/bymonth.py), so
its memory is a month's records, not the history's: the largest maxrss of
three warm exports ≤ 64 MiB, and of one with the index deleted first (which
reads and verifies every file) ≤ 64 MiB; at 12×5 in the default run and
also at 200×5 when named (`run.py export`; they were 55/68 and 556 MiB
warm when export held and sorted every record).
"""

from __future__ import annotations

import shutil
import subprocess
import sys

from benchmarks.bench_report import peak_mib
from benchmarks.harness import SHARED, Bench, Demo, Figure, paired_runs, wall

FLOOR = SHARED / "bench" / "json_floor.py"
WARM, COLD = 1.0, 1.8
VERIFIED = 3.5  # issue 24: a cold whole-history read including signature verification
PEAK_MIB = 64.0  # issue 28: memory that does not grow with the history


def measure(bench: Bench) -> list[Figure]:
    """The figures on a 12-member, 5-year demo history."""
    return figures(bench, bench.demo(12, 5))


def measure_named(bench: Bench) -> list[Figure]:
    """Named (`run.py export`): the figures at 12×5, and the peak RSS at 200×5 too."""
    return [*measure(bench), *peak_figures(bench, bench.demo(200, 5))]


def peak_figures(bench: Bench, demo: Demo) -> list[Figure]:
    """Export's peak RSS: the largest of three warm exports', and of one with the index deleted first."""
    env = {**bench.env, "HUDDLE_CONFIG": str(demo.config)}
    export = bench.huddle("export")
    subprocess.run(export, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    warm = max(peak_mib(export, env) for _ in range(3))
    shutil.rmtree(bench.index_dir, ignore_errors=True)
    cold = peak_mib(export, env)  # leaves the index made again for the figures after it
    return [Figure(f"huddle export, peak RSS, warm index ({demo.size})", warm, PEAK_MIB, unit=" MiB",
                   note=f"{demo.records} files"),
            Figure(f"huddle export, peak RSS, no index ({demo.size})", cold, PEAK_MIB, unit=" MiB")]


def figures(bench: Bench, demo: Demo, runs: int | None = None) -> list[Figure]:
    """Export warm and cold, and the verifying read, ÷ json_floor.py: median ratio with min and max."""
    env = {**bench.env, "HUDDLE_CONFIG": str(demo.config)}
    runs = runs or bench.runs
    export = bench.huddle("export")
    doctor = bench.huddle("doctor", "--json")

    def floor() -> float:
        """json_floor.py parsing every record file once, as a whole command."""
        return wall([sys.executable, str(FLOOR), str(demo.folder)], env)

    def warm() -> float:
        """One export through the index."""
        return wall(export, env)

    def cold() -> float:
        """One export after the index is deleted."""
        shutil.rmtree(bench.index_dir, ignore_errors=True)
        return wall(export, env)

    def verified() -> float:
        """`huddle doctor`: every file read again and verified, signatures included."""
        return wall(doctor, env)

    def quiet() -> None:
        """One export, output discarded (to build the index, or leave it warm)."""
        subprocess.run(export, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    quiet()  # the index, for warm
    w = paired_runs(warm, floor, runs)
    c = paired_runs(cold, floor, runs, warm_up=False)  # the warm runs warmed the file cache
    v = paired_runs(verified, floor, runs, warm_up=False)
    quiet()  # leave it warm for the figures after these
    peaks = peak_figures(bench, demo)
    return [w.figure(f"huddle export, warm index ({demo.size})", WARM,
                     f"vs json_floor.py ({w.a * 1000:.0f} ms / {w.b * 1000:.0f} ms, {demo.records} files)"),
            c.figure(f"huddle export, no index ({demo.size})", COLD,
                     f"vs json_floor.py ({c.a * 1000:.0f} ms / {c.b * 1000:.0f} ms)"),
            v.figure(f"whole-history read, signatures verified: huddle doctor ({demo.size})", VERIFIED,
                     f"vs json_floor.py ({v.a * 1000:.0f} ms / {v.b * 1000:.0f} ms)"),
            *peaks]
