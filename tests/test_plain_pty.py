"""Plain mode: a whole huddle through a pseudo-terminal, one line per event, no screen control at all.

The session runs in a thread on the slave side of a real pty (line discipline
and all, as a screen reader's terminal would give it); the test types keys and
Enter on the master side and reads every line back. The round's clock is a
FakeClock the test moves, so time milestones are said without waiting for them.
"""

from __future__ import annotations

import os
import re
import select
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

if sys.platform == "win32":
    pytest.skip("pseudo-terminals are POSIX", allow_module_level=True)
import pty
import termios

from huddle_tui.config.team import TeamConfig
from huddle_tui.errors import UsageError
from huddle_tui.followups import team_followups
from huddle_tui.journal import Journal
from huddle_tui.model.huddle import Huddle
from huddle_tui.plain.session import (
    CONCERN_QUESTION,
    KIND_QUESTION,
    LOBBY_KEYS,
    OWNER_QUESTION,
    ROUND_KEYS,
    SHARE_QUESTION,
    SUMMARY_KEYS,
    TOTALS_REFUSAL,
    PlainSession,
)
from huddle_tui.text import clean_text
from tests.fakeclock import FakeClock
from tests.tui.conftest import DAY, fixed_now

# Cursor movement, erasing, scrolling regions, alternate screen, cursor show/hide: any CSI or OSC,
# any ESC sequence at all, and a bare carriage return that would draw over a line.
SCREEN_CONTROL = re.compile(r"\x1b|\x9b|\r(?!\n)|\x08|\x0c")
MOOD_QUESTION = ("Mood: 1 struggling · 2 low · 3 okay · 4 good · 5 great. "
                 "Type a number, or Enter to leave it as it is.")
HANG_S = 30.0  # a guard against a hang, not a timing assertion


class Terminal:
    """The master side of a pty: type lines, read lines."""

    def __init__(self) -> None:
        """Open a pty with echo off (the typed keys are not the session's output)."""
        self.master, self.slave = pty.openpty()
        attrs = termios.tcgetattr(self.slave)
        attrs[3] &= ~termios.ECHO
        termios.tcsetattr(self.slave, termios.TCSANOW, attrs)
        self.raw = b""
        self.lines: list[str] = []
        self.seen = 0

    def type(self, keys: str) -> None:
        """Type `keys` then Enter."""
        os.write(self.master, keys.encode() + b"\n")

    def _pump(self, wait_s: float) -> None:
        """Read whatever the session wrote within `wait_s`."""
        ready, _, _ = select.select([self.master], [], [], wait_s)
        if ready:
            try:
                self.raw += os.read(self.master, 65536)
            except OSError:  # the slave side closed
                return
            text = self.raw.decode("utf-8", errors="replace")
            self.lines = text.split("\r\n")[:-1]

    def expect(self, *wanted: str) -> None:
        """The next lines the session writes are exactly `wanted`, in this order."""
        loop_until = self.seen + len(wanted)
        for _ in range(int(HANG_S / 0.05)):
            if len(self.lines) >= loop_until:
                break
            self._pump(0.05)
        assert self.lines[self.seen:loop_until] == list(wanted)
        self.seen = loop_until

    def expect_until(self, last: str) -> list[str]:
        """Every line up to and including `last`."""
        for _ in range(int(HANG_S / 0.05)):
            if last in self.lines[self.seen:]:
                break
            self._pump(0.05)
        end = self.lines.index(last, self.seen) + 1
        got, self.seen = self.lines[self.seen:end], end
        return got


@pytest.fixture
def terminal() -> Iterator[Terminal]:
    """A pseudo-terminal, closed afterwards."""
    term = Terminal()
    yield term
    for fd in (term.master, term.slave):
        try:
            os.close(fd)
        except OSError:
            pass


def start(team: TeamConfig, terminal: Terminal, clock: FakeClock) -> tuple[threading.Thread, list[int]]:
    """Run a plain session on the pty's slave side, in a thread."""
    source = open(terminal.slave, encoding="utf-8", closefd=False)  # noqa: SIM115  # closed with the pty
    out = open(terminal.slave, "w", encoding="utf-8", closefd=False)  # noqa: SIM115
    journal = Journal(team, now=fixed_now, durable=False)
    session = PlainSession(team, journal, today=DAY, clock=clock, source=source, out=out, poll_s=0.02)
    codes: list[int] = []
    thread = threading.Thread(target=lambda: codes.append(session.run()), daemon=True)
    thread.start()
    return thread, codes


def test_a_whole_huddle_by_keys_through_a_pty(team: TeamConfig, terminal: Terminal) -> None:
    """Lobby, a round with every key and time milestone, the summary: each event one line, in order."""
    clock = FakeClock()
    order = Journal(team).plan(DAY).order
    a, b, c, d, e = order
    thread, codes = start(team, terminal, clock)
    terminal.expect("Lobby · Platform · Monday 2 March 2026",
                    f"Facilitator: {a} (by rotation)",
                    "Round 5:00 · 5 speakers · 1:00 a turn to start with",
                    f"{a}: in the room, facilitator", f"{b}: in the room", f"{c}: in the room",
                    f"{d}: in the room", f"{e}: in the room", LOBBY_KEYS)
    terminal.type("f")
    terminal.expect("No open follow-ups.")
    terminal.type(f"p {e}")
    terminal.expect(f"{e}: remote", "Round 5:00 · 5 speakers · 1:00 a turn to start with")
    terminal.type(f"p {e}")
    terminal.expect(f"{e}: away", "Round 5:00 · 4 speakers · 1:15 a turn to start with")
    terminal.type("")
    terminal.expect(f"Round 1 started · facilitator {a} · 4 speakers", ROUND_KEYS)
    terminal.expect(f"{a} speaking, 1 minute 15 seconds")
    clock.step(16.0)
    terminal.expect("1 minute left")
    clock.step(29.0)
    terminal.expect("30 seconds left")
    terminal.type("4")
    terminal.expect(f"mood 4 good for {a}, saved")
    clock.step(16.0)
    terminal.expect("wrap up, 15 seconds left")
    clock.step(14.0)
    terminal.expect(f"{a} over time")
    clock.step(30.0)
    terminal.expect(f"{a} over by 0:30")
    terminal.type("")
    terminal.expect(f"{a} done, 1:45; next {b}", f"{b} speaking, 1 minute 5 seconds")
    terminal.type("s")
    terminal.expect(f"{b} skipped (absent); next {c}", f"{c} speaking, 1 minute 38 seconds")
    terminal.type("p")
    terminal.expect("paused, 1:38 left")
    clock.step(100.0)  # paused: no time passes for the round, nothing is said
    terminal.type("p")
    terminal.expect("resumed, 1:38 left")
    clock.step(10.0)
    terminal.type("+")
    terminal.expect(f"30 seconds more for {c}, 1:58 left")
    terminal.type("t")
    terminal.expect(f"Status of {c}: type it, then Enter.")
    terminal.type("pairing on the release")
    terminal.expect(f"status kept for {c}: it is saved once a mood (1-5) is given")
    terminal.type("3")
    terminal.expect(f"mood 3 okay for {c}, saved")
    terminal.type("c")
    terminal.expect(CONCERN_QUESTION)
    terminal.type("CI is red")
    terminal.expect(KIND_QUESTION)
    terminal.type("")
    terminal.expect(SHARE_QUESTION)
    terminal.type("")
    terminal.expect(OWNER_QUESTION)
    terminal.type(b.upper())
    terminal.expect(f"concern saved for {c}, follow-up by {b}")
    terminal.type("c")
    terminal.expect(CONCERN_QUESTION)
    terminal.type("the build is slow")
    terminal.expect(KIND_QUESTION)
    terminal.type("b")
    terminal.expect(SHARE_QUESTION)
    terminal.type("a")
    terminal.expect(OWNER_QUESTION)
    terminal.type("")
    terminal.expect("Anonymous blocker noted: it is shown in no one's turn.")  # no name said
    terminal.type("x")
    terminal.expect("No key 'x' in the round; ? lists the keys.")
    terminal.type("")
    terminal.expect(f"{c} done, 0:10; next {d}", f"{d} speaking, 3 minutes 5 seconds")
    terminal.type("b")
    terminal.expect(f"{c} speaking again, 1:58 left")
    clock.step(5.0)
    terminal.type("")
    terminal.expect(f"{c} done, 0:15; next {d}", f"{d} speaking, 3 minutes 5 seconds")
    clock.step(20.0)  # 2:45 left: "3 minutes left" fell in the turn's first seconds, so nothing is said
    terminal.type("5")
    terminal.expect(f"mood 5 great for {d}, saved")
    terminal.type("")
    terminal.expect(f"{d} done, 0:20; that was the last turn. Round over.", "Summary")
    summary = terminal.expect_until(SUMMARY_KEYS)
    assert summary[0] == "Platform — huddle 2026-03-02" and f"Facilitator: {a}" in summary
    assert any("CI is red" in line for line in summary)
    terminal.type("c")
    markdown = terminal.expect_until("End of the Markdown summary.")
    assert markdown[0] == "Markdown summary:" and markdown[1] == "## Platform — huddle 2026-03-02"
    terminal.type("f")
    terminal.expect(f"1. {b}: concern: CI is red", "Which follow-up is done? Type its number, then Enter.")
    terminal.type("2")
    terminal.expect("No follow-up number '2'; nothing changed.")
    terminal.type("f 1")
    terminal.expect(f"Follow-up done: {b}: CI is red")
    terminal.type("f")
    terminal.expect("No open follow-ups.")
    terminal.type("q")
    terminal.expect("Bye.")
    thread.join(HANG_S)
    assert codes == [0]

    assert not SCREEN_CONTROL.search(terminal.raw.decode("utf-8")), "a screen-control sequence was written"

    history = Journal(team).read()
    (held,) = [Huddle.from_payload(DAY.isoformat(), r.payload) for r in history.live("huddle")]
    turns = {t.speaker: t for t in held.turns}
    assert held.ended_at is not None and held.facilitator == a
    assert (turns[a].spoken_s, turns[a].timebox_s) == (105.0, 75.0)
    assert turns[b].skipped and turns[e].skipped
    assert turns[c].spoken_s == 15.0 and turns[d].spoken_s == 20.0
    checkins = {ci.member: (ci.mood, ci.status) for ci in Journal(team).checkins(history)}
    assert checkins == {a: (4, ""), c: (3, "pairing on the release"), d: (5, "")}
    followups = [(i.owner, i.text, i.is_open) for i in team_followups(Journal(team), DAY)]
    assert followups == [(b, "CI is red", False)]
    shared = [r.payload for r in history.live("concern")]
    assert [(p["text"], p["member"]) for p in shared] == [("CI is red", c)]  # the anonymous one waits here


def test_the_lobby_hands_the_role_over_and_says_the_history(team: TeamConfig, terminal: Terminal) -> None:
    """h hands the role over for a reason (recorded; the day planned again); i says the history as lines."""
    plan = Journal(team).plan(DAY)
    first, other = plan.facilitator, plan.order[2]
    thread, codes = start(team, terminal, FakeClock())
    terminal.expect_until(LOBBY_KEYS)
    terminal.type("h")
    names = ", ".join(n for n in plan.order if n != first)
    terminal.expect(f"Who facilitates today instead? Type the name, then Enter: {names}.")
    terminal.type("Nobody")
    terminal.expect("'Nobody' cannot take the role today.")
    terminal.type(f"h {other.lower()}")
    terminal.expect(f"Why does {other} facilitate today? Type the reason, then Enter.")
    terminal.type("")
    terminal.expect("No reason given; nothing changed.")
    terminal.type(f"h {other}")
    terminal.expect(f"Why does {other} facilitate today? Type the reason, then Enter.")
    terminal.type("x" * 201)
    with pytest.raises(UsageError) as refused:
        clean_text("x" * 201, "reason", 200, allow_empty=False)
    terminal.expect(f"Not handed over: {refused.value.message}")
    assert Journal(team).plan(DAY).facilitator == first
    terminal.type(f"h {other}")
    terminal.expect(f"Why does {other} facilitate today? Type the reason, then Enter.")
    terminal.type(f"{first} is presenting")
    terminal.expect(f"Facilitator: {other} (handed over)")
    now = Journal(team).plan(DAY)
    assert (now.facilitator, now.reason) == (other, "handoff")
    terminal.expect("Speaking order: " + ", ".join(now.order))
    terminal.type("i")
    history = terminal.expect_until("End of the history. " + LOBBY_KEYS)
    assert history[0] == "History" and len(history) > 3
    assert history[1].startswith("Impact report: Platform, ")
    assert not any(line.strip() == "" for line in history)
    terminal.type("")
    terminal.expect(f"Round 1 started · facilitator {other} · 5 speakers", ROUND_KEYS,
                    f"{now.order[0]} speaking, 1 minute")
    terminal.type("q")
    terminal.expect("Quit during the round? Moods and statuses given so far are saved; the round's timings "
                    "are not. Type y then Enter to quit.")
    terminal.type("y")
    terminal.expect("Bye.")
    thread.join(HANG_S)
    assert codes == [0]
    assert not SCREEN_CONTROL.search(terminal.raw.decode("utf-8"))


def test_the_end_of_input_leaves_the_lobby_calmly(team: TeamConfig, terminal: Terminal) -> None:
    """Closing the terminal in the lobby quits with code 0 and saves nothing."""
    thread, codes = start(team, terminal, FakeClock())
    terminal.expect_until(LOBBY_KEYS)
    terminal.type("q")
    terminal.expect("Bye.")
    thread.join(HANG_S)
    assert codes == [0]
    assert not list(Journal(team).read().live("huddle"))


def test_the_checkin_questions_one_at_a_time(team: TeamConfig, terminal: Terminal) -> None:
    """`huddle checkin` with TERM=dumb asks each question on a line of its own and saves the answers."""
    env = {**os.environ, "HUDDLE_CONFIG": str(team.path), "TERM": "dumb"}
    env.pop("COLUMNS", None)
    config = Path(env["HUDDLE_CONFIG_DIR"])  # the test's own (tests/conftest.py): Ana is at this terminal
    config.mkdir(parents=True, exist_ok=True)
    (config / "config.toml").write_text('me = "Ana"\n', encoding="utf-8")
    proc = subprocess.Popen([sys.executable, "-m", "huddle_tui", "checkin"],
                            stdin=terminal.slave, stdout=terminal.slave, stderr=terminal.slave, env=env)
    try:
        terminal.expect(MOOD_QUESTION)
        terminal.type("7")
        terminal.expect("mood must be a whole number from 1 to 5, got 7", MOOD_QUESTION)
        terminal.type("2")
        terminal.expect("Status: one line on how things are going, or Enter to leave it as it is.")
        terminal.type("release week")
        terminal.expect("A concern, blocker or support to raise: one line, or Enter for none.")
        terminal.type("waiting on review")
        terminal.expect("Is it c a concern, b a blocker or s support? Enter for a concern.")
        terminal.type("b")
        terminal.expect("Share it: n named, a anonymous, p private. Enter for the team's way (team).")
        terminal.type("n")
        assert proc.wait(HANG_S) == 0
    finally:
        proc.kill()
    checkins = Journal(team).checkins(Journal(team).read())
    assert [(c.member, c.mood, c.status, [(x.kind, x.text) for x in c.concerns]) for c in checkins] == [
        ("Ana", 2, "release week", [("blocker", "waiting on review")])]
    assert not SCREEN_CONTROL.search(terminal.raw.decode("utf-8"))


def test_an_anonymous_concern_of_a_totals_team_is_not_saved(team: TeamConfig, terminal: Terminal) -> None:
    """As in the app: keyed in the round it would be this machine's file, so it is refused in one line."""
    totals_team = team._replace(anonymous="totals")
    thread, codes = start(totals_team, terminal, FakeClock())
    terminal.expect_until(LOBBY_KEYS)
    terminal.type("")
    terminal.expect_until(ROUND_KEYS)
    terminal.expect_until(f"{Journal(totals_team).plan(DAY).order[0]} speaking, 1 minute")
    terminal.type("c")
    terminal.expect(CONCERN_QUESTION)
    terminal.type("nobody reviews my PRs")
    terminal.expect(KIND_QUESTION)
    terminal.type("")
    terminal.expect(SHARE_QUESTION)
    terminal.type("a")
    terminal.expect(TOTALS_REFUSAL)
    terminal.type("q")
    terminal.expect("Quit during the round? Moods and statuses given so far are saved; the round's timings "
                    "are not. Type y then Enter to quit.")
    terminal.type("y")
    terminal.expect("Bye.")
    thread.join(HANG_S)
    assert codes == [0]
    assert not list(Journal(totals_team).read().live("concern"))
