"""A demo team with years of synthetic but realistic history, for trying and benchmarking.

Moods drift week by week around each person's baseline, with team-wide crunch
periods; people skip days, take holidays (away ranges in the config), join
part-way, raise concerns and blockers with follow-ups, and now and then hand
the facilitator role over. The same seed gives the same folder.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from huddle_tui import paths
from huddle_tui.config.team import AwayRange, Member, TeamConfig, team_config_to_toml, write_toml
from huddle_tui.model.checkin import CheckIn, Concern, FollowUp
from huddle_tui.model.huddle import Handoff, Huddle, Turn
from huddle_tui.model.ids import named_id, random_id
from huddle_tui.rules.rotation import Held, plan_for, still_counted
from huddle_tui.storage.batch import HistoryWriter, remove_unfinished

NAMES = ["Ana", "Ben", "Chen", "Dara", "Emeka", "Fatima", "Gus", "Hana", "Ilya", "Jo",
         "Kofi", "Lena", "Mateo", "Nia", "Omar", "Priya", "Quinn", "Rosa", "Sami", "Tariq",
         "Uma", "Viktor", "Wen", "Yusuf"]
ZONES = ["Europe/Lisbon", "Europe/Berlin", "America/New_York", "Asia/Kolkata", "Africa/Lagos"]
STATUSES = ["finishing the release notes", "pairing on the flaky test", "reviewing PRs",
            "on call, quiet night", "migrating the billing job", "writing the design doc",
            "fixing the login bug", "onboarding the new hire", "planning next sprint",
            "deep in the search rewrite", "catching up after leave", "chasing a memory leak"]
CONCERNS = [("blocker", "waiting on access to the staging database"),
            ("blocker", "CI is red on main and nobody owns it"),
            ("concern", "too many meetings this week to get real work done"),
            ("concern", "the deadline feels unrealistic"),
            ("support", "could use a second pair of eyes on the migration"),
            ("support", "would like to talk through the on-call load"),
            ("concern", "unclear priorities between the two projects")]
Progress = Callable[[int, int], None]


def workdays(start: date, end: date) -> list[date]:
    """Monday-to-Friday dates from start to end inclusive."""
    out, day = [], start
    while day <= end:
        if day.weekday() < 5:
            out.append(day)
        day += timedelta(days=1)
    return out


def make_team(folder: Path, members: int, years: float, today: date, rng: random.Random) -> TeamConfig:
    """A roster with time zones, holidays and a few people who joined part-way."""
    start = today - timedelta(days=round(365 * years))
    roster = []
    for i in range(members):
        joined = None
        if i >= 3 and rng.random() < 0.3:
            joined = start + timedelta(days=rng.randrange(30, max(31, (today - start).days - 20)))
        away = []
        year = start
        while year < today + timedelta(days=60):
            first = year + timedelta(days=rng.randrange(20, 340))
            away.append(AwayRange(first, first + timedelta(days=rng.choice((4, 6, 11, 13)))))
            year += timedelta(days=365)
        roster.append(Member(NAMES[i % len(NAMES)] + ("" if i < len(NAMES) else str(i // len(NAMES))),
                             handle=NAMES[i % len(NAMES)].lower() + (str(i) if i >= len(NAMES) else ""),
                             timezone=ZONES[i % len(ZONES)], joined=joined, away=tuple(away)))
    return TeamConfig(name="Demo team", members=tuple(roster), shared_dir=folder.resolve(),
                      path=(folder / paths.TEAM_CONFIG_NAME).resolve())


def generate(folder: Path, members: int = 8, years: float = 1.0, seed: int = 7,
             today: date | None = None, progress: Progress | None = None) -> TeamConfig:
    """Write a demo team's huddle.toml and its history into `folder`."""
    rng = random.Random(seed)
    today = today or date.today()
    team = make_team(folder, members, years, today, rng)
    remove_unfinished(folder)  # what a crashed run left
    clock = [datetime.now(UTC)]
    with HistoryWriter(folder, now=lambda: clock[0]) as store:
        _history(store, team, years, today, rng, clock, progress)
        # The config goes in just before the history appears whole: a crash between the two
        # leaves a team with no history, which `huddle demo` makes again, never half a history.
        write_toml(folder / paths.TEAM_CONFIG_NAME, team_config_to_toml(team))
    return team


def _history(store: HistoryWriter, team: TeamConfig, years: float, today: date, rng: random.Random,
             clock: list[datetime], progress: Progress | None) -> None:
    """Every working day's check-ins and huddle, from `years` ago to today."""
    days = workdays(today - timedelta(days=round(365 * years)), today)
    baseline = {m.name: rng.uniform(3.0, 4.2) for m in team.members}
    drift = dict.fromkeys(baseline, 0.0)
    huddles: list[Held] = []
    handoffs: list[Handoff] = []
    for n, day in enumerate(days):
        iso = day.isoformat()
        week = day.toordinal() // 7
        wave = 0.5 * math.sin(week / 6.0) - (0.6 if week % 13 in (11, 12) else 0.0)
        clock[0] = datetime(day.year, day.month, day.day, 8, 45, tzinfo=UTC)
        is_today = day == today
        present = team.expected(day)
        for i, m in enumerate(present):
            if is_today and i >= 2:
                break
            if day.weekday() == 0:
                drift[m.name] = 0.7 * drift[m.name] + rng.gauss(0, 0.35)
            if rng.random() < 0.08:
                continue
            mood = round(baseline[m.name] + drift[m.name] + wave + rng.gauss(0, 0.45))
            _save_checkin(store, rng, m.name, iso, max(1, min(5, mood)), team, anonymous_ok=not is_today)
            clock[0] += timedelta(seconds=rng.randrange(5, 90))
        if not is_today and present:
            _save_huddle(store, rng, team, day, huddles, handoffs)
        if progress is not None:
            progress(n + 1, len(days))


def _save_checkin(store: HistoryWriter, rng: random.Random, member: str, iso: str, mood: int,
                  team: TeamConfig, anonymous_ok: bool = True) -> None:
    """One synthetic check-in, sometimes anonymous, sometimes with a concern."""
    concerns: list[Concern] = []
    if rng.random() < 0.12 or (mood <= 2 and rng.random() < 0.5):
        kind, text = rng.choice(CONCERNS)
        owner = rng.choice(team.members).name if rng.random() < 0.4 else None
        concerns.append(Concern.new(text, kind, "team",
                                FollowUp(owner, rng.choice(("open", "done"))) if owner else None))
    # Today's are named: a demo anonymous answer has no machine that could change it later.
    anonymous = rng.random() < 0.05 and anonymous_ok
    checkin = CheckIn(date=iso, mood=mood, member=member, status=rng.choice(STATUSES),
                      concerns=tuple(concerns), visibility="anonymous" if anonymous else "team",
                      source="demo")
    named = checkin.placeholder() if anonymous else checkin
    # Every demo record is written once: version 1, without listing a month folder per file.
    store.save("checkin", named_id("checkin", member, iso), iso, named.to_payload(), version=1)
    if anonymous:  # the answer itself, with no author and an id nothing links to the member
        store.save("checkin", random_id(), iso, checkin.to_payload(), anonymous=True, version=1)


def _save_huddle(store: HistoryWriter, rng: random.Random, team: TeamConfig, day: date,
                 huddles: list[Held], handoffs: list[Handoff]) -> None:
    """One held huddle, following the rotation (and now and then a handoff)."""
    iso = day.isoformat()
    huddles[:] = still_counted(team, day, huddles)  # a day's plan costs the team, not the history
    plan = plan_for(team, day, huddles, handoffs)
    if plan.facilitator is None:
        return
    if rng.random() < 0.04 and len(plan.order) > 2:
        other = rng.choice([n for n in plan.order if n != plan.facilitator])
        handoff = Handoff(iso, plan.facilitator, other, rng.choice(
            ("on a customer call", "feeling under the weather", "wants to practise facilitating")))
        handoffs.append(handoff)
        store.save("handoff", named_id("handoff", team.name, iso), iso, handoff.to_payload(), version=1)
        plan = plan_for(team, day, huddles, handoffs)
    left = team.round_seconds
    turns = []
    for i, speaker in enumerate(plan.order):
        box = left / (len(plan.order) - i)
        skipped = rng.random() < 0.03
        spoken = 0.0 if skipped else max(10.0, rng.gauss(box * 0.9, box * 0.25))
        turns.append(Turn(speaker, box, round(spoken, 1), skipped))
        left = max(0.0, left - spoken)
    huddle = Huddle(iso, plan.facilitator or "", plan.order, tuple(turns), team.round_seconds,
                    f"{iso}T09:00:00Z", f"{iso}T09:0{min(9, int(sum(t.spoken_s for t in turns) // 60))}:00Z")
    huddles.append(Held(iso, huddle.facilitator, huddle.order))
    store.save("huddle", named_id("huddle", team.name, iso), iso, huddle.to_payload(), version=1)
