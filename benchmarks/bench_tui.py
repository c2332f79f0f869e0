"""The app's lobby paints about as fast as a bare Textual app, and a mood key paints within a frame.

All three figures come from ../shared/bench/first_paint.py in a real
pseudo-terminal, on a 12-member, 5-year demo history:
- the lobby's first paint ÷ bare_textual.py's (A B A B in one run), target
  ≤ 1.2. The lobby is painted when it shows who facilitates today
  ("Facilitator: <name>", the name `huddle next --json` gives), not merely
  its title: that line is what people open the lobby for. It is measured
  once nothing has been written to the folder for RACY_NS (3 s): a folder
  changed more lately than that cannot be trusted unread (storage/stamps.py),
  so a lobby opened right after a save (say, this run's save benchmark) reads
  today's records before it shows the facilitator, which is a different
  moment from the one this figure is about;
- resident memory at that paint ÷ the bare app's, target ≤ 1.5;
- a mood key's effect on screen, median milliseconds, target ≤ 16 (one frame at 60 Hz).
  The app opens straight into the round for this one: HUDDLE_TUI_START=round.
"""

from __future__ import annotations

import ast
import json
import re
import subprocess
import sys

from benchmarks.harness import SHARED, Bench, Demo, Figure, wait_until_settled

FIRST_PAINT = SHARED / "bench" / "first_paint.py"
BARE = SHARED / "bench" / "bare_textual.py"
TARGET, RSS_TARGET, KEY_TARGET = 1.2, 1.5, 16.0


def first_paint(bench: Bench, env: dict[str, str], *args: str) -> dict[str, str]:
    """Run first_paint.py with `args`; return its 'name value' lines as a dict."""
    done = subprocess.run([sys.executable, str(FIRST_PAINT), "-n", str(bench.runs), *args],
                          env=env, capture_output=True, text=True, check=True, timeout=900)
    return {m.group(1): m.group(2) for m in re.finditer(r"^(\w+) (.+)$", done.stdout, re.MULTILINE)}


def measure(bench: Bench) -> list[Figure]:
    """Lobby first paint and memory against the bare app; mood key to paint in the round."""
    demo = bench.demo(12, 5)
    lobby, rss = lobby_figures(bench, demo)
    huddle = bench.huddle("--config", str(demo.config))
    key = first_paint(bench, {**bench.env, "HUDDLE_TUI_START": "round"}, "--marker", "Now speaking",
                      "--key", "4", "--marker2", mood_shown(demo), "--", *huddle)
    return [lobby, rss,
            Figure("mood key to paint in the round (median)", float(key["key_median_s"]) * 1000, KEY_TARGET,
                   unit=" ms", note=f"runs {key.get('key_to_paint_s', '?')}")]


def mood_shown(demo: Demo) -> str:
    """What the round shows once key 4 gave the speaker's mood: by name, or (the demo's anonymous
    mode) only that it was noted. In that mode a speaker who already gave a mood shows it before the
    key too, so the figure then counts some runs whose marker was already on screen."""
    from huddle_tui.config.team import load_team_config

    named = load_team_config(demo.config).mood_privacy == "named"
    return "mood 4 good" if named else "mood noted anonymously"


def lobby_figures(bench: Bench, demo: Demo) -> tuple[Figure, Figure]:
    """The lobby's first paint of today's facilitator, and its memory then, against the bare app."""
    huddle = bench.huddle("--config", str(demo.config))
    env = {**bench.env, "HUDDLE_CONFIG": str(demo.config)}
    plan = subprocess.run(bench.huddle("next", "--json"), env=env, check=True, capture_output=True,
                          text=True)  # also warms the index
    wait_until_settled(demo.folder)
    marker = f"Facilitator: {json.loads(plan.stdout)['facilitator'] or 'nobody eligible today'}"
    lobby = first_paint(bench, bench.env, "--vs", f"{sys.executable} {BARE}",
                        "--vs-marker", "BARE-TEXTUAL-READY", "--marker", marker, "--", *huddle)
    ratios = [float(r) for r in ast.literal_eval(lobby.get("ratio_A_over_B", "[]"))]
    paint = Figure(f"lobby first paint of today's facilitator ÷ bare Textual ({demo.size})",
                   float(lobby["median_ratio"]), TARGET, low=min(ratios, default=None),
                   high=max(ratios, default=None),
                   note=f"'{marker}', median {float(lobby['median_s']) * 1000:.0f} ms")
    rss = Figure(f"lobby RSS at that paint ÷ bare Textual ({demo.size})",
                 float(lobby["median_rss_ratio"]), RSS_TARGET,
                 note=f"lobby MiB {lobby.get('rss_at_first_paint_mib', '?')}")
    return paint, rss
