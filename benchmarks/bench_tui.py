"""The app's lobby paints about as fast as a bare Textual app, and a mood key paints within a frame.

All three figures come from ../shared/bench/first_paint.py in a real
pseudo-terminal, on a 12-member, 5-year demo history:
- the lobby's first paint ÷ bare_textual.py's (A B A B in one run), target ≤ 1.2;
- resident memory at first paint ÷ the bare app's, target ≤ 1.5;
- a mood key's effect on screen, median milliseconds, target ≤ 16 (one frame at 60 Hz).
  The app opens straight into the round for this one: HUDDLE_TUI_START=round.
"""

from __future__ import annotations

import re
import subprocess
import sys

from benchmarks.harness import SHARED, Bench, Figure

FIRST_PAINT = SHARED / "bench" / "first_paint.py"
BARE = SHARED / "bench" / "bare_textual.py"


def first_paint(bench: Bench, env: dict[str, str], *args: str) -> dict[str, str]:
    """Run first_paint.py with `args`; return its 'name value' lines as a dict."""
    done = subprocess.run([sys.executable, str(FIRST_PAINT), "-n", str(bench.runs), *args],
                          env=env, capture_output=True, text=True, check=True, timeout=600)
    return {m.group(1): m.group(2) for m in re.finditer(r"^(\w+) (.+)$", done.stdout, re.MULTILINE)}


def measure(bench: Bench) -> list[Figure]:
    """Lobby first paint and memory against the bare app; mood key to paint in the round."""
    config = bench.demo(12, 5)
    huddle = bench.huddle("--config", str(config))
    lobby = first_paint(bench, bench.env, "--vs", f"{sys.executable} {BARE}",
                        "--vs-marker", "BARE-TEXTUAL-READY", "--marker", "Lobby", "--", *huddle)
    key = first_paint(bench, {**bench.env, "HUDDLE_TUI_START": "round"}, "--marker", "Now speaking",
                      "--key", "4", "--marker2", "mood 4 good", "--", *huddle)
    spread = lobby.get("ratio_A_over_B", "")
    return [
        Figure("lobby first paint ÷ bare Textual (12 members, 5 years)", float(lobby["median_ratio"]),
               1.2, note=f"ratios {spread}; median {float(lobby['median_s']) * 1000:.0f} ms"),
        Figure("lobby RSS at first paint ÷ bare Textual", float(lobby["median_rss_ratio"]), 1.5,
               note=f"lobby MiB {lobby.get('rss_at_first_paint_mib', '?')}"),
        Figure("mood key to paint in the round (median)", float(key["key_median_s"]) * 1000, 16.0,
               unit=" ms", note=f"runs {key.get('key_to_paint_s', '?')}"),
    ]
