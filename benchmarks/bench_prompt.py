"""`huddle prompt`, warm: what a shell prompt pays on every command line.

Timed as a whole command (the `huddle` console script: interpreter start,
imports, reading the kept answer, printing) against `python -c pass`, in
turn (A B A B …), on a demo team's history once the answer is kept (nudge.py).
The demo's config names no huddle time and the benchmark's user config no
member, so the figure runs on a copy of the config beside it with
`huddle_at = "23:59"` (the segment is shown all day) and its own user dirs
whose config makes a member who has not checked in today `me`; the other
figures' config, dirs and history are left as they were. Two figures: the
command the shell lines of `huddle prompt --init SHELL` run (Python itself,
as the README's bash, zsh and starship lines do) and the `huddle` script
pip writes, which imports `re` before anything of ours. The default run
measures 12×5; `run.py prompt` measures 12×5 and 200×5.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from benchmarks.harness import Bench, Demo, Figure, paired_runs, timer

TARGET = 1.5
SIZES = ((12, 5.0), (200, 5.0))


def measure(bench: Bench) -> list[Figure]:
    """The warm prompt on a 12-member, 5-year history."""
    return figures(bench, bench.demo(12, 5))


def measure_named(bench: Bench) -> list[Figure]:
    """Named (`run.py prompt`): at 12×5 and 200×5."""
    return [fig for members, years in SIZES for fig in figures(bench, bench.demo(members, years))]


def figures(bench: Bench, demo: Demo) -> list[Figure]:
    """Median ratios (with min and max) of a warm prompt to `python -c pass`: as the shell lines run it
    (`huddle prompt --init SHELL`: Python itself) and as the `huddle` script pip writes."""
    env = prompt_env(bench, demo)
    script = bench.huddle("prompt")
    first = subprocess.run(script, env=env, capture_output=True, text=True, check=True)
    time.sleep(3.2)  # what the first read wrote (this machine's keyring) settles: then the answer is kept
    subprocess.run(script, env=env, capture_output=True, check=True)
    kept = Path(env["XDG_CACHE_HOME"]) / "huddle-tui" / "prompt.marshal"
    if not kept.is_file():
        raise SystemExit(f"{demo.size}: huddle prompt kept no answer")
    shown = "segment shown" if first.stdout.strip() else "nothing to show today"
    floor = [sys.executable, "-c", "pass"]
    out = []
    for name, command in ((f"huddle prompt, warm, as the shell lines run it ({demo.size})", shell_command()),
                          (f"huddle prompt, warm, the huddle script ({demo.size})", script)):
        p = paired_runs(timer(command, env), timer(floor, env), bench.runs)
        out.append(p.figure(name, TARGET, f'vs python -c "pass" ({p.a * 1000:.1f} ms / '
                                          f"{p.b * 1000:.1f} ms); {shown}"))
    return out


def shell_command() -> list[str]:
    """What `huddle prompt --init bash` (zsh, starship) puts in the prompt, with this Python."""
    import shlex

    from huddle_tui.commands.prompt import ENTRY

    return [sys.executable, *shlex.split(ENTRY)]


def prompt_env(bench: Bench, demo: Demo) -> dict[str, str]:
    """The benchmark's environment with the prompt's own config copy and user dirs (see the module)."""
    base = bench.work / f"prompt-{demo.size}"
    config = demo.folder / "huddle-prompt.toml"
    text = demo.config.read_text(encoding="utf-8")
    config.write_text(text.replace("[team]\n", '[team]\nhuddle_at = "23:59"\n', 1), encoding="utf-8")
    user = base / "config" / "huddle-tui" / "config.toml"
    user.parent.mkdir(parents=True, exist_ok=True)
    user.write_text(f'me = "{free_member(demo, config)}"\n', encoding="utf-8")
    return {**bench.env, "HUDDLE_CONFIG": str(config), "XDG_CONFIG_HOME": str(base / "config"),
            "XDG_DATA_HOME": str(base / "data"), "XDG_CACHE_HOME": str(base / "cache")}


def free_member(demo: Demo, config: Path) -> str:
    """A member expected today who has not checked in (the last member when there is none)."""
    from huddle_tui.config.team import load_team_config
    from huddle_tui.storage.folder import FolderStore

    team = load_team_config(config)
    today = team.today()
    history = FolderStore(demo.folder).read(("checkin",), since=today.isoformat())
    done = {str(r.payload.get("member", "")).casefold() for r in history.records.values()
            if r.date == today.isoformat()}
    free = [m.name for m in team.expected(today) if m.name.casefold() not in done]
    return free[0] if free else team.members[-1].name
