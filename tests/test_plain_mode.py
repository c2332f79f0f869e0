"""Plain mode's words and its time milestones; `huddle --plain` and TERM=dumb load no UI library.

The whole huddle through a pseudo-terminal is in test_plain_pty.py.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from huddle_tui.config.team import TeamConfig
from huddle_tui.plain.announce import TurnClock, milestones, spoken
from huddle_tui.rules.roundclock import PulseRound
from tests.fakeclock import FakeClock


@pytest.mark.parametrize(("argv", "term"), [([], "dumb"), (["--plain"], "xterm-256color")])
def test_plain_mode_without_textual(team: TeamConfig, argv: list[str], term: str) -> None:
    """`huddle --plain`, or `huddle` with TERM=dumb, is plain mode, and it never imports textual or rich."""
    code = (
        "import sys, io, contextlib\n"
        "from huddle_tui.cli import main\n"
        "out = io.StringIO()\n"
        f"with contextlib.redirect_stdout(out): rc = main({argv!r})\n"
        "heavy = [m for m in ('textual', 'rich') if m in sys.modules]\n"
        "print(__import__('json').dumps([rc, heavy, out.getvalue()]))\n"
    )
    env = {**os.environ, "HUDDLE_CONFIG": str(team.path), "TERM": term}
    result = subprocess.run([sys.executable, "-c", code], input="q\n", capture_output=True, text=True,
                            env=env, timeout=120)
    rc, heavy, said = json.loads(result.stdout)
    assert (rc, heavy) == (0, []), result.stderr
    assert said.startswith("Lobby · Platform") and said.endswith("Bye.\n")


@pytest.mark.parametrize(("seconds", "words"), [(60, "1 minute"), (75, "1 minute 15 seconds"),
                                                (45, "45 seconds"), (0.2, "1 second"), (120, "2 minutes")])
def test_time_in_words(seconds: float, words: str) -> None:
    """Times are said as a person would say them, rounded up like the countdown."""
    assert spoken(seconds) == words


def test_a_turn_is_announced_at_milestones_not_every_second() -> None:
    """A five-minute turn looked at every tenth of a second says a handful of lines, each once."""
    clock = FakeClock()
    pulse = PulseRound(["Chen"], 300.0, clock)
    pulse.start()
    turn = TurnClock()
    turn.start(pulse.index, pulse.view())
    said = []
    for _ in range(3600):  # six minutes
        clock.step(0.1)
        line = turn.due(pulse.view())
        if line:
            said.append(line)
    assert said == ["4 minutes left", "3 minutes left", "2 minutes left", "wrap up, 1 minute left",
                    "30 seconds left", "Chen over time", "Chen over by 0:30", "Chen over by 1:00"]
    assert [m for _, m in milestones(60.0)] == ["30 seconds left", "wrap up, 12 seconds left"]


def test_a_jump_past_several_milestones_says_only_the_latest() -> None:
    """A laptop that slept through two minutes does not read out each of them."""
    clock = FakeClock()
    pulse = PulseRound(["Chen"], 300.0, clock)
    pulse.start()
    turn = TurnClock()
    turn.start(pulse.index, pulse.view())
    clock.step(245.0)
    assert turn.due(pulse.view()) == "wrap up, 1 minute left"  # passed 4, 3 and 2 minutes left too
    assert turn.due(pulse.view()) is None


def test_the_plain_package_imports_no_ui() -> None:
    """Every module of plain mode is free of textual and rich (the import linter holds it too)."""
    from tests.test_import_hygiene import UI_ONLY, imported_modules

    src = Path(__file__).resolve().parent.parent / "src" / "huddle_tui" / "plain"
    assert {p.name: imported_modules(p) & set(UI_ONLY) for p in src.glob("*.py")} == {
        p.name: set() for p in src.glob("*.py")}
