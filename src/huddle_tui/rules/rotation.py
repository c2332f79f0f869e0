"""Who facilitates and in what order people speak, computed from the records alone.

Every machine that reads the same records gets the same answer: nothing here
depends on the local clock, the machine or the order files were read in.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any, NamedTuple

from huddle_tui.config.team import Member, TeamConfig
from huddle_tui.model.huddle import Handoff, Plan
from huddle_tui.storage.folder import History

FAIR_WINDOW = 10


class Held(NamedTuple):
    """What rotation needs of a past huddle: its date, facilitator and speaking order."""

    date: str
    facilitator: str
    order: tuple[str, ...]
    round: int = 1


def held_huddles(history: History, day: date) -> list[Held]:
    """Past huddles as rotation sees them: every round held, and a past handoff with no huddle.

    A handoff for a date with no huddle record still counts as facilitating
    that day (the huddle was run without the app).
    """
    huddles = [Held(r.date, str(r.payload.get("facilitator", "")),
                    tuple(str(x) for x in r.payload.get("order", ())), int(r.payload.get("round", 1)))
               for r in history.live("huddle")]
    held = {h.date for h in huddles}
    iso = day.isoformat()
    huddles += [Held(r.date, str(r.payload.get("to", "")), ())
                for r in history.live("handoff") if r.date not in held and r.date < iso]
    return huddles


def handoffs_in(history: History) -> list[Handoff]:
    """Every live handoff in a history."""
    return [Handoff.from_payload(r.date, r.payload) for r in history.live("handoff")]


def pick_facilitator(team: TeamConfig, day: date, huddles: list[Held]) -> Member | None:
    """The eligible member next in the team's rotation, ties going by roster order.

    "least-recent": whoever facilitated longest ago (never counts as longest
    ago). "fewest": whoever facilitated fewest times in the last
    `rotation_window_weeks` weeks, then least recently, so someone back from
    a week away catches up instead of staying a turn behind for good.
    """
    last: dict[str, str] = {}
    days: set[tuple[str, str]] = set()  # (date, facilitator): a day's second round is not a second turn
    iso = day.isoformat()
    since = window_start(team, day)
    for h in huddles:
        if h.date < iso:
            key = h.facilitator.casefold()
            if h.date > last.get(key, ""):
                last[key] = h.date
            if h.date >= since:
                days.add((h.date, key))
    eligible = [m for m in team.members if team.can_facilitate(m, day)]
    if not eligible:
        return None
    counts: dict[str, int] = {}
    for _, key in days:
        counts[key] = counts.get(key, 0) + 1
    fewest = team.rotation == "fewest"
    # min() keeps the first of equals, so ties go by roster order.
    return min(eligible, key=lambda m: (counts.get(m.name.casefold(), 0) if fewest else 0,
                                        last.get(m.name.casefold(), "")))


def window_start(team: TeamConfig, day: date) -> str:
    """The first date the "fewest" rotation counts (the window ends the day before `day`)."""
    return (day - timedelta(weeks=team.rotation_window_weeks)).isoformat()


def still_counted(team: TeamConfig, day: date, huddles: list[Held]) -> list[Held]:
    """The huddles plan_for can still be decided by on `day` or later, in their order.

    Each facilitator's latest, every one from the "fewest" window's start on,
    and the last FAIR_WINDOW with a speaking order: plan_for for any date from
    `day` on gives the same answer from these (and any huddles added later)
    as from all of them, so whoever adds a day's huddle at a time (the demo)
    keeps a team's worth of them instead of the whole history.
    """
    iso, since = day.isoformat(), window_start(team, day)
    keep: set[int] = set()
    latest: dict[str, int] = {}  # by facilitator, of those before the window
    for i, h in enumerate(huddles):
        if h.date >= since:
            keep.add(i)
            continue
        key = h.facilitator.casefold()
        if key not in latest or h.date > huddles[latest[key]].date:
            latest[key] = i
    keep.update(latest.values())
    # _fair's last rounds: a stable sort by date, as it sorts, keeps ties in list order.
    ordered = sorted((i for i, h in enumerate(huddles) if h.date < iso and h.order),
                     key=lambda i: huddles[i].date)
    keep.update(ordered[-FAIR_WINDOW:])
    return [huddles[i] for i in sorted(keep)]


def speaking_order(team: TeamConfig, day: date, facilitator: str | None,
                   huddles: list[Held]) -> list[str]:
    """The order for `day` under the team's policy, the facilitator first or last."""
    names = [m.name for m in team.expected(day) if m.name != facilitator]
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


def settled(team: TeamConfig, day: date, history: History) -> bool:
    """Whether records older than `history`'s can no longer change plan_for's answer for `day`.

    `history` must hold whole months, from `day`'s back to some month M. Older
    records are dated before every record in it, so they cannot change a
    huddle held on `day`, a handoff for `day`, a member's latest facilitation
    once one is found, nor the last FAIR_WINDOW ordered rounds once that many
    are found. The one eligible member still missing (if only one) is the one
    who facilitated longest ago whatever older months say. Reading back month
    by month until this holds gives exactly the plan of the whole history.
    """
    iso = day.isoformat()
    # What held_huddles would say, without building each round's speaking order: this runs
    # after every month read, and a big team's orders are long.
    huddles = history.live("huddle")
    held = {r.date for r in huddles}
    found: set[str] = set()
    ordered = 0
    for r in huddles:
        facilitator = str(r.payload.get("facilitator", ""))
        if r.date == iso and facilitator:
            return True  # held: the day's own rounds decide everything
        if r.date < iso:
            found.add(facilitator.casefold())
            ordered += _any(r.payload.get("order", ()))
    if team.speaking_order == "fair" and ordered < FAIR_WINDOW:
        return False
    if team.rotation == "fewest" and not any(r.date < window_start(team, day)
                                             for r in (*huddles, *history.live("handoff"))):
        return False  # months are read whole from the newest, so an older record means the window is all in
    found.update(str(r.payload.get("to", "")).casefold() for r in history.live("handoff")
                 if r.date not in held and r.date < iso)
    missing = 0
    for m in team.members:
        if m.name.casefold() not in found and team.can_facilitate(m, day):
            missing += 1
            if missing > 1:
                return False
    return True


def _any(items: Any) -> bool:
    """Whether iterating `items` yields anything (as a non-empty tuple(...) of them would be)."""
    for _ in items:
        return True
    return False


def plan_for(team: TeamConfig, day: date, huddles: list[Held],
             handoffs: list[Handoff]) -> Plan:
    """Today's plan: a huddle already held wins, then a handoff, then the rotation."""
    iso = day.isoformat()
    held = min((h for h in huddles if h.date == iso and h.facilitator), key=lambda h: h.round,
               default=None)
    if held is not None:
        return Plan(iso, held.facilitator, held.order, "held")
    handoff = next((h for h in handoffs if h.date == iso), None)
    taker = team.member(handoff.to_member) if handoff is not None else None
    if taker is not None and handoff is not None and team.is_workday(day) and taker.is_expected(day):
        return Plan(iso, taker.name, tuple(speaking_order(team, day, taker.name, huddles)),
                    "handoff", handoff)
    chosen = pick_facilitator(team, day, huddles)
    name = chosen.name if chosen else None
    return Plan(iso, name, tuple(speaking_order(team, day, name, huddles)), "rotation")
