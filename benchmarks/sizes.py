"""The scaling table: every user-facing figure at three team and history sizes.

    python benchmarks/run.py --sizes

Sizes are members × years of `huddle demo` history: 12×5, 50×10 and 200×5.
Each demo is generated once into the cache folder (run.py --cache) and
reused; a run works on a hard-linked copy. Per size: `huddle next --json`,
`huddle checkin`, `huddle summary --date D` (÷ python -c "import json"), the
lobby's first paint of today's facilitator (÷ a bare Textual app), the idle
lobby's CPU, `huddle export` warm and cold (÷ json_floor.py) and saving one
check-in (÷ saving with no history); last, each command's and the lobby's
figure at the biggest size ÷ at the smallest (target ≤ 1.2: cost by what is
shown, not by what is stored). The larger histories export in minutes, so their export
figures take fewer pairs.
"""

from __future__ import annotations

from collections.abc import Iterator

from benchmarks import bench_cli, bench_export, bench_idle, bench_store, bench_tui
from benchmarks.harness import Bench, Figure

SIZES: tuple[tuple[int, float], ...] = ((12, 5), (50, 10), (200, 5))
BIG = 50_000  # record files from which export figures take a third of the pairs
SCALE_TARGET = 1.2  # what a command or the lobby costs at the biggest size ÷ at the smallest


SCRIPTED = ((12, 5), (200, 5))  # --scripted: the commands and saving alone, smallest and biggest


def measure(bench: Bench, sizes: tuple[tuple[int, float], ...] = SIZES,
            scripted: bool = False) -> Iterator[Figure]:
    """Every figure of the table, size by size, as each is measured; then the biggest ÷ the smallest.

    `scripted` keeps to the scripted commands and saving (no lobby, idle or export figures).
    """
    scaled: dict[str, list[Figure]] = {}
    for members, years in sizes:
        demo = bench.demo(members, years)
        shown = [*bench_cli.figures(bench, demo)]
        if not scripted:
            shown.append(bench_tui.lobby_figures(bench, demo)[0])
        for fig in shown:
            scaled.setdefault(fig.name.replace(f"({demo.size})", "").strip(), []).append(fig)
        yield from shown
        if scripted:
            yield bench_store.save_figure(bench, demo)
            continue
        yield bench_idle.figure(bench, demo)
        runs = bench.runs if demo.records < BIG else max(3, bench.runs // 3)
        yield from bench_export.figures(bench, demo, runs)
        yield bench_store.save_figure(bench, demo)
    # Each figure is a ratio to a floor measured beside it, so two sizes' ratios compare fairly.
    for stem, figs in scaled.items():
        if len(figs) > 1:
            yield Figure(f"{stem}: {sizes[-1][0]}×{sizes[-1][1]:g}y ÷ {sizes[0][0]}×{sizes[0][1]:g}y",
                         figs[-1].value / figs[0].value, SCALE_TARGET)
