"""When to offer a member a private signpost to support, and what it lists.

Plain rules on a member's own answers, as only their own machine holds them
(named, anonymous via the local key, private). The signpost is an offer, never
a score: it is shown on that member's terminal only (`huddle checkin`, `huddle
me`) and is never written where a teammate can read it, except as a nameless
mark that goes out only where k ≥ 3 members could have left it
(rules.privacy.mark_releasable) and that reports count (rules/report.py).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from typing import NamedTuple

from huddle_tui.config.team import SupportResource, TeamConfig

LOW_MOOD = 2
STREAK = 3
STALE_WORKDAYS = 5
"""A streak whose last answer is older than this many working days is no longer offered on."""
SIGNPOST_KIND = "signpost"

STREAK_REASON, ASKED_REASON, SISQ_REASON, WHO5_REASON = "streak", "asked", "sisq", "who5"
NOTICED: dict[str, str] = {
    STREAK_REASON: "your last few check-ins have been low",
    ASKED_REASON: "you said you would like some support",
    SISQ_REASON: "you have said you felt quite stressed for a couple of weeks",
    WHO5_REASON: "your wellbeing answers this fortnight were on the low side",
}
KIND_WORDS: dict[str, str] = {"eap": "Employee Assistance Programme", "peer": "peer supporter",
                              "crisis": "crisis line", "other": "support"}


class Signpost(NamedTuple):
    """Why a signpost is offered today and where support can be found."""

    reasons: tuple[str, ...]
    resources: tuple[SupportResource, ...]

    @property
    def peers(self) -> tuple[SupportResource, ...]:
        """The peer supporters a member may ask to follow up with them."""
        return tuple(r for r in self.resources if r.kind == "peer")


def low_streak(moods: Mapping[date, int], team: TeamConfig, today: date) -> int:
    """How many of the member's latest answers in a row, on working days, were low (≤ 2).

    Days off, holidays and days away neither count nor break a streak; a
    working day the member was expected and gave no answer does not break it
    either (someone struggling may skip a day), but a streak whose latest
    answer is more than STALE_WORKDAYS working days old is over.
    """
    answered = sorted((d for d in moods if d <= today and team.is_workday(d)), reverse=True)
    if not answered or _workdays_between(team, answered[0], today) > STALE_WORKDAYS:
        return 0
    run = 0
    for day in answered:
        if moods[day] > LOW_MOOD:
            break
        run += 1
    return run


def _workdays_between(team: TeamConfig, start: date, end: date) -> int:
    """Working days after `start` up to and including `end`."""
    count, day = 0, start
    while day < end:
        day += timedelta(days=1)
        count += team.is_workday(day)
    return count


def reasons_for(moods: Mapping[date, int], team: TeamConfig, today: date, *,
                asked: bool = False, measure_signals: Iterable[str] = ()) -> tuple[str, ...]:
    """Every trigger that holds today: a low streak, a request for support, a measure's cut-off."""
    found: list[str] = []
    if low_streak(moods, team, today) >= STREAK:
        found.append(STREAK_REASON)
    if asked:
        found.append(ASKED_REASON)
    found += [s for s in measure_signals if s in (SISQ_REASON, WHO5_REASON)]
    return tuple(found)


def resources(team: TeamConfig, own: Iterable[SupportResource]) -> tuple[SupportResource, ...]:
    """The team's [[support]] entries, then the member's own, each once."""
    seen: set[tuple[str, str]] = set()
    out: list[SupportResource] = []
    for r in (*team.support, *own):
        key = (r.name.casefold(), r.contact.casefold())
        if key not in seen:
            seen.add(key)
            out.append(r)
    return tuple(out)


def signpost(reasons: tuple[str, ...], found: tuple[SupportResource, ...]) -> Signpost | None:
    """The signpost to offer, or None when no trigger holds."""
    return Signpost(reasons, found) if reasons else None


def signpost_lines(post: Signpost) -> list[str]:
    """What the signpost says, in calm words: what it noticed, then where help is."""
    noticed = "; ".join(NOTICED[r] for r in post.reasons if r in NOTICED)
    lines = [f"We noticed {noticed}.",
             "That can happen to anyone. If it would help to talk to someone, these are here for you:"]
    lines += resource_lines(post.resources)
    lines.append("Only you see this. Nothing about it is shown to your team.")
    if post.peers:
        lines.append("You can ask a peer supporter to follow up with you, if and when you like.")
    return lines


def resource_lines(found: tuple[SupportResource, ...]) -> list[str]:
    """One line per support resource (raw text: callers escape it for their output)."""
    if not found:
        return ["  • your team has not listed any yet: ask your team lead or HR who to turn to"]
    return [f"  • {r.name}{_kind_label(r)}: {r.contact}" for r in found]


def _kind_label(r: SupportResource) -> str:
    """The kind in brackets after a name, unless the name already says it or the kind says nothing."""
    words = KIND_WORDS.get(r.kind)
    if r.kind == "other" or words is None or words.casefold() in r.name.casefold():
        return ""
    return f" ({words})"
