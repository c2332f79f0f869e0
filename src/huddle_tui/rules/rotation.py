"""Who facilitates and in what order people speak, computed from the records alone.

Every machine that reads the same records gets the same answer: nothing here
depends on the local clock, the machine or the order files were read in.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import NamedTuple

from huddle_tui.config.team import Member, TeamConfig
from huddle_tui.model.huddle import Handoff

FIRST_WEEK = timedelta(days=7)
FAIR_WINDOW = 10


class Held(NamedTuple):
    """What rotation needs of a past huddle: its date, facilitator and speaking order."""

    date: str
    facilitator: str
    order: tuple[str, ...]


class Plan(NamedTuple):
    """Today's facilitator and speaking order, and why the facilitator is who it is."""

    date: str
    facilitator: str | None
    order: tuple[str, ...]
    reason: str
    handoff: Handoff | None = None


def speakers(team: TeamConfig, day: date) -> list[Member]:
    """Members expected at the huddle on `day`: joined and not away, in roster order."""
    return [m for m in team.members if m.is_expected(day)]


def can_facilitate(member: Member, day: date) -> bool:
    """Facilitators are present and past their first week on the team."""
    if member.is_away(day):
        return False
    return member.joined is None or member.joined + FIRST_WEEK <= day


def pick_facilitator(team: TeamConfig, day: date, huddles: list[Held]) -> Member | None:
    """The eligible member who facilitated least recently (never counts as longest ago)."""
    last: dict[str, str] = {}
    iso = day.isoformat()
    for h in huddles:
        if h.date < iso:
            key = h.facilitator.casefold()
            if h.date > last.get(key, ""):
                last[key] = h.date
    eligible = [m for m in team.members if can_facilitate(m, day)]
    if not eligible:
        return None
    # min() keeps the first of equals, so ties go by roster order.
    return min(eligible, key=lambda m: last.get(m.name.casefold(), ""))


def speaking_order(team: TeamConfig, day: date, facilitator: str | None,
                   huddles: list[Held]) -> list[str]:
    """The order for `day` under the team's policy, the facilitator first or last."""
    names = [m.name for m in speakers(team, day) if m.name != facilitator]
    policy = team.speaking_order
    if policy == "random":
        import random

        # A string seed is hashed with SHA-512 by random itself: the same on every machine.
        random.Random(f"{team.name}\x1f{day.isoformat()}").shuffle(names)
    elif policy == "fair":
        names = _fair(names, day, huddles)
    if facilitator is None:
        return names
    return [facilitator, *names] if team.facilitator_position == "first" else [*names, facilitator]


def _fair(names: list[str], day: date, huddles: list[Held]) -> list[str]:
    """Whoever spoke early lately speaks later: sort by mean recent position, latest first."""
    iso = day.isoformat()
    recent = sorted((h for h in huddles if h.date < iso and h.order), key=lambda h: h.date)
    recent = recent[-FAIR_WINDOW:]
    positions: dict[str, list[float]] = {}
    for h in recent:
        span = max(len(h.order) - 1, 1)
        for i, name in enumerate(h.order):
            positions.setdefault(name.casefold(), []).append(i / span)

    def score(name: str) -> float:
        """Mean relative position (0 first, 1 last); 0.5 with no history."""
        seen = positions.get(name.casefold())
        return sum(seen) / len(seen) if seen else 0.5

    # Highest score (spoke late lately) goes first; sorted() is stable, so ties keep roster order.
    return sorted(names, key=lambda n: -score(n))


def plan_for(team: TeamConfig, day: date, huddles: list[Held],
             handoffs: list[Handoff]) -> Plan:
    """Today's plan: a huddle already held wins, then a handoff, then the rotation."""
    iso = day.isoformat()
    held = next((h for h in huddles if h.date == iso), None)
    if held is not None and held.facilitator:
        return Plan(iso, held.facilitator, held.order, "held")
    handoff = next((h for h in handoffs if h.date == iso), None)
    if handoff is not None and team.member(handoff.to_member) is not None:
        name = team.member(handoff.to_member).name  # type: ignore[union-attr]
        return Plan(iso, name, tuple(speaking_order(team, day, name, huddles)),
                    "handoff", handoff)
    chosen = pick_facilitator(team, day, huddles)
    name = chosen.name if chosen else None
    return Plan(iso, name, tuple(speaking_order(team, day, name, huddles)), "rotation")
