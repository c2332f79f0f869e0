"""Homes around one shared folder for the anonymous-totals tests: each member's own HOME and data dirs.

Every member's machine is a set of directories of its own (HOME, config, data,
cache) over one shared folder, with its own signing key, share key, day seeds
and private records, and a clock the test sets, so a test plays the days of
a team (keys ahead, check-ins, the morning after) on real files.
"""

from __future__ import annotations

import contextlib
import io
import json
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest

from huddle_tui.cli import main
from huddle_tui.config.team import Member, TeamConfig, team_config_to_toml, write_toml
from huddle_tui.journal import Journal
from huddle_tui.model.checkin import CheckIn, Concern
from huddle_tui.totals import steps

DAY = date(2026, 11, 23)  # a Monday, in the past whenever the suite runs
NAMES = ["Ana", "Ben", "Chen", "Dara", "Emeka"]


class Homes:
    """A team's shared folder and one home per member."""

    def __init__(self, root: Path, monkeypatch: pytest.MonkeyPatch, names: list[str] = NAMES,
                 anonymous: str = "totals") -> None:
        """Write the team's huddle.toml (anonymous answers as `anonymous`) under `root`/shared."""
        self.root = root
        self.monkeypatch = monkeypatch
        self.names = list(names)
        shared = root / "shared"
        shared.mkdir(parents=True, exist_ok=True)
        self.team = TeamConfig("Totals", tuple(Member(n) for n in names), shared.resolve(),
                               (shared / "huddle.toml").resolve(), anonymous=anonymous)
        write_toml(shared / "huddle.toml", team_config_to_toml(self.team))
        # Keys for the days the tests play only (a fortnight's each run costs seconds over a suite).
        monkeypatch.setattr(steps, "AHEAD_DAYS", 4)

    def use(self, name: str) -> None:
        """Be on `name`'s machine: its HOME, config, data and cache directories."""
        home = self.root / "homes" / name
        for var, sub in (("HOME", ""), ("HUDDLE_CONFIG_DIR", "config"), ("HUDDLE_DATA_DIR", "data"),
                         ("HUDDLE_CACHE_DIR", "cache")):
            self.monkeypatch.setenv(var, str(home / sub))

    def team_of(self, name: str) -> TeamConfig:
        """The team as `name`'s machine reads it (one shared folder here; a clone or a copy elsewhere)."""
        return self.team

    def carry(self, name: str) -> None:
        """After `name`'s machine wrote: what carries its records to the others (one folder: nothing)."""

    def journal(self, name: str, day: date, hour: int = 9) -> Journal:
        """`name`'s journal on their own machine, its clock at `hour` o'clock UTC on `day`."""
        self.use(name)
        at = datetime.combine(day, time(hour), UTC)
        return Journal(self.team_of(name), me=name, now=lambda: at, durable=False)  # the suite needs no fsync

    def keys_ahead(self, day: date = DAY - timedelta(days=3), rounds: int = 2) -> None:
        """Every machine runs `rounds` times on `day`: share keys, then day keys held by the whole team.

        Over one folder two rounds do; where records travel after each run
        (git, the endpoint), a day key made before its holders' share keys
        came is made again in a later round, and needs one more to arrive.
        """
        for _ in range(rounds):
            for name in self.names:
                self.journal(name, day).settle_totals()
                self.carry(name)

    def check_in(self, name: str, visibility: str, mood: int, day: date = DAY,
                 concerns: tuple[Concern, ...] = (), signposted: bool = False) -> Any:
        """`name` checks in on their own machine that morning; each concern keeps its own visibility."""
        saved = self.journal(name, day).save_checkin(CheckIn(day.isoformat(), mood, name, "", concerns,
                                                             visibility=visibility),  # type: ignore[arg-type]
                                                     signposted=signposted)
        self.carry(name)
        return saved

    def morning_after(self, rounds: int = 3, names: list[str] | None = None, day: date = DAY) -> None:
        """The next working day: each machine runs `rounds` times (lists, then reveals as they allow)."""
        after = self.team.next_workday(day)
        for _ in range(rounds):
            for name in names or self.names:
                self.journal(name, after).settle_totals()
                self.carry(name)

    def summary(self, name: str, day: date = DAY, fmt: str = "json") -> str:
        """`huddle summary` on `name`'s machine, as printed."""
        self.use(name)
        out = io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
            assert main(["--config", str(self.team_of(name).path), "summary", "--date", day.isoformat(),
                         "--format", fmt]) == 0
        return out.getvalue()

    def totals(self, name: str, day: date = DAY) -> dict[str, Any]:
        """The anonymous totals `huddle summary --json` shows on `name`'s machine."""
        found: dict[str, Any] = json.loads(self.summary(name, day))["anonymous_totals"]
        return found

    def files(self) -> list[Path]:
        """Every record file in the shared folder."""
        return sorted((self.team.shared_dir / "records").rglob("*.json"))


def distinct_slots(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every text the test's machines write lands in a slot of its own (slots 0, 1, 2, … in turn).

    Texts pick their slots at random, so a test's three texts collide once
    in twenty runs; a test that means to see them open takes this.
    """
    from itertools import count

    from huddle_tui.aggregation import dcnet

    taken = count()
    monkeypatch.setattr(dcnet, "choose_slots", lambda n, layout, rand: [next(taken) % layout.slots
                                                                         for _ in range(n)])
