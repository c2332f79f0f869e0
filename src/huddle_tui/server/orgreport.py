"""The org report: per team and for the whole org, participation, weekly coverage, moods, signposts, k ≥ 3.

The unit of the k rule is a person: a team whose figures rest on fewer
than 3 people who checked in shows as "fewer than 3". Hiding that team is
not enough, because the org figures are sums: anyone can subtract the
teams shown from the org total, and a member of a team also knows their
own team's figures. So the hidden teams are widened (complementary
suppression) until, for a reader outside them or inside any one of them,
what is left after subtracting rests on at least 3 people; when no team is
left to add, the org figures are hidden too. Never a record, never a name.

Signposts are the anonymous marks a member's machine leaves when it showed
them a private signpost (rules/support.py): no member, released only where
k ≥ 3 members could have left them (journal.release_pending). They add no
person, so a team's signpost count is shown, hidden and summed exactly as
its other figures are: only beside 3 or more people, never subtractable to
fewer.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import date
from typing import Any, NamedTuple

from huddle_tui.rules.org_report import FEWER as FEWER  # the word both sides use

K = 3
MOODS = (1, 2, 3, 4, 5)


class Answer(NamedTuple):
    """What the report reads of one check-in (team, day, who if named, mood if given) or signpost mark."""

    team: str
    day: str
    member: str | None
    mood: int | None
    signpost: bool = False


class Figures(NamedTuple):
    """One team's (or the org's) figures over the report's window."""

    people: int
    checkins: int
    weeks_covered: int
    moods: tuple[int, ...]
    signposts: int

    def as_json(self, weeks: int) -> dict[str, Any]:
        """The figures as the API answers them."""
        return {"participants": self.people, "checkins": self.checkins,
                "weekly_coverage": {"weeks_with_3_or_more": self.weeks_covered, "weeks": weeks},
                "mood_distribution": {str(m): n for m, n in zip(MOODS, self.moods, strict=True)},
                "signposts": self.signposts}


def team_figures(answers: list[Answer]) -> Figures:
    """Figures of one team's check-ins and signpost marks."""
    marks = sum(1 for a in answers if a.signpost)
    answers = [a for a in answers if not a.signpost]
    people = {a.member for a in answers if a.member}
    by_week: dict[tuple[int, int], set[str]] = {}
    for a in answers:
        if a.member:
            year, week, _ = date.fromisoformat(a.day).isocalendar()
            by_week.setdefault((year, week), set()).add(a.member)
    moods = Counter(a.mood for a in answers if a.mood in MOODS)
    return Figures(len(people), len(answers), sum(1 for who in by_week.values() if len(who) >= K),
                   tuple(moods.get(m, 0) for m in MOODS), marks)


def add(figures: Iterable[Figures]) -> Figures:
    """The sum of teams' figures (people in different teams are different people)."""
    people = checkins = weeks = marks = 0
    moods = [0] * len(MOODS)
    for f in figures:
        people, checkins, weeks = people + f.people, checkins + f.checkins, weeks + f.weeks_covered
        moods = [a + b for a, b in zip(moods, f.moods, strict=True)]
        marks += f.signposts
    return Figures(people, checkins, weeks, tuple(moods), marks)


def safe(hidden: set[str], people: dict[str, int]) -> bool:
    """Whether what the hidden teams add up to rests on ≥ K people for every reader.

    A reader outside them sees the sum of all hidden teams; a member of one
    of them can take their own team away too. Nothing hidden is safe.
    """
    total = sum(people[t] for t in hidden)
    if total == 0:
        return True
    return total >= K and all(total - people[t] == 0 or total - people[t] >= K for t in hidden)


def suppress(people: dict[str, int]) -> tuple[set[str], bool]:
    """The teams to hide and whether the org figures must be hidden too."""
    hidden = {t for t, n in people.items() if n < K}
    candidates = sorted((n, t) for t, n in people.items() if n >= K)
    while not safe(hidden, people) and candidates:
        hidden.add(candidates.pop(0)[1])
    shown_org = safe(hidden, people) and sum(people.values()) >= K
    return hidden, not shown_org


def build_report(answers: Iterable[Answer], start: str, end: str) -> dict[str, Any]:
    """The report over days start..end (inclusive): every team's figures or FEWER, and the org's."""
    by_team: dict[str, list[Answer]] = {}
    for a in answers:
        by_team.setdefault(a.team, []).append(a)
    figures = {t: team_figures(rows) for t, rows in by_team.items()}
    # A team whose records name nobody (anonymous answers or signposts only) counts as one person:
    # at least one, maybe only one.
    hidden, org_hidden = suppress({t: max(f.people, 1) for t, f in figures.items()})
    first, last = date.fromisoformat(start), date.fromisoformat(end)
    mondays = (last.toordinal() - last.weekday()) - (first.toordinal() - first.weekday())
    weeks = max(1, mondays // 7 + 1)  # the ISO weeks the range touches, counted without a loop
    teams = {t: FEWER if t in hidden else f.as_json(weeks) for t, f in sorted(figures.items())}
    org = FEWER if org_hidden else add(figures.values()).as_json(weeks)
    return {"from": start, "to": end, "k": K, "teams": teams, "org": org}
