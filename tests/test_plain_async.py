"""Plain mode's async lane: the lobby says who checked in before the round, their turns are read out."""

from __future__ import annotations

import sys
import threading
from pathlib import Path

import pytest

if sys.platform == "win32":
    pytest.skip("pseudo-terminals are POSIX", allow_module_level=True)

from huddle_tui.config.team import TeamConfig
from huddle_tui.journal import Journal
from huddle_tui.model.huddle import Huddle
from huddle_tui.plain.session import LOBBY_KEYS, ROUND_KEYS, SUMMARY_KEYS, PlainSession
from tests.fakeclock import FakeClock
from tests.test_plain_pty import HANG_S, Terminal, terminal
from tests.tui.conftest import DAY, fixed_now
from tests.tui.test_async_round import CHEN_SAYS, DARA_SAYS, check_in_ahead

__all__ = ["terminal"]  # the pseudo-terminal fixture, used by name


def test_a_plain_round_with_two_async_members(team: TeamConfig, terminal: Terminal, tmp_path: Path) -> None:
    """Chen's turn says what he said, Dara's only that she checked in; both 10 s, recorded async."""
    check_in_ahead(team, tmp_path)
    clock = FakeClock()
    order = Journal(team).plan(DAY).order
    source = open(terminal.slave, encoding="utf-8", closefd=False)  # noqa: SIM115  # closed with the pty
    out = open(terminal.slave, "w", encoding="utf-8", closefd=False)  # noqa: SIM115
    journal = Journal(team, me="Ben", now=fixed_now, durable=False)  # the facilitator's machine signs
    session = PlainSession(team, journal, today=DAY, clock=clock, source=source, out=out, poll_s=0.02)
    codes: list[int] = []
    thread = threading.Thread(target=lambda: codes.append(session.run()), daemon=True)
    thread.start()

    lobby = terminal.expect_until(LOBBY_KEYS)
    assert "Round 5:00 · 5 speakers (2 async) · 1:33 a turn to start with" in lobby
    for name in ("Chen", "Dara"):
        assert f"{name}: in the room, checked in (async)" in lobby
    terminal.type("")
    terminal.expect_until(ROUND_KEYS)
    for _ in order:  # Enter alone: next, turn after turn
        terminal.type("")
    said = terminal.expect_until(SUMMARY_KEYS)
    for name in ("Chen", "Dara"):
        at = said.index(f"{name} speaking, 10 seconds: async check-in, read it out")
        assert said[at + 1] == (f"Chen said: mood 4 good; status: {CHEN_SAYS}; blocker: schema review"
                                if name == "Chen" else "Dara checked in (not shown by name)")
    assert not any("10 seconds" in line for line in said if line.startswith(("Ana ", "Ben ", "Emeka ")))
    assert not any(DARA_SAYS in line for line in said)
    terminal.type("q")
    terminal.expect("Bye.")
    thread.join(HANG_S)
    assert codes == [0]

    history = Journal(team).read()
    (held,) = [Huddle.from_payload(DAY.isoformat(), r.payload) for r in history.live("huddle")]
    turns = {t.speaker: t for t in held.turns}
    assert {n for n, t in turns.items() if t.asynchronous} == {"Chen", "Dara"}
    assert all(turns[n].timebox_s == 10.0 and not turns[n].skipped for n in ("Chen", "Dara"))
