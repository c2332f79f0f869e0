"""The org report: per team and for the whole org, participation, weekly coverage, moods, signposts, k ≥ 3.

The unit of the k rule is a person: a team whose figures rest on fewer
than 3 people who checked in shows as "fewer than 3". Hiding that team is
not enough, because the org figures are sums: anyone can subtract the
teams shown from the org total, and a member of a team also knows their
own team's figures. So the hidden teams are widened (complementary
suppression) until, for a reader outside them or inside any one of them,
what is left after subtracting rests on at least 3 people; when no team is
left to add, the org figures are hidden too. Never a record, never a name.

A reader may also ask for two windows and subtract: Monday to Wednesday
less Monday to Tuesday is Wednesday alone, perhaps one person's mood. So a
report covers whole ISO weeks (from is moved back to its Monday, to on to
its Sunday), and a team's week is its release unit: its answers count only
if 3 or more named people checked in that week, whole or not at all. Two
windows then differ by whole units, each resting on 3 or more people.

Signposts are the anonymous marks a member's machine leaves when it showed
them a private signpost (rules/support.py): no member, released only where
k ≥ 3 members could have left them (journal.release_pending). They add no
person, so a team's signpost count is shown, hidden and summed exactly as
its other figures are: only beside 3 or more people, never subtractable to
fewer.

A team whose anonymous answers go only to its totals has neither anonymous
answers nor signpost marks as records: its anonymous moods and signposts
are what each day's totals opened (orgtotals.py), counted in their week
like any other, and its anonymous records from its first contribution on
count nowhere (`with_totals`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any, NamedTuple

from huddle_tui.rules.privacy import FEWER as FEWER  # the word both sides use
from huddle_tui.rules.privacy import K as K  # the org report's k is the team's

if TYPE_CHECKING:
    from huddle_tui.server.orgtotals import TeamTotals

MOODS = (1, 2, 3, 4, 5)


class Answer(NamedTuple):
    """What the report reads of one check-in (team, day, who if named, mood if given) or signpost mark.

    `total`: an anonymous mood a day's opened totals hold (no check-in of its own: the placeholder is).
    """

    team: str
    day: str
    member: str | None
    mood: int | None
    signpost: bool = False
    total: bool = False


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


class Week:
    """One team's week, the release unit: who checked in by name, and the counts of its answers."""

    def __init__(self) -> None:
        """Nothing counted yet."""
        self.people: set[str] = set()
        self.checkins = self.marks = 0
        self.moods = [0] * len(MOODS)


class Tally:
    """One team's figures, gathered week by week as its answers stream past without keeping them.

    A year of an organisation's records then costs memory by people and
    weeks, not by records.
    """

    def __init__(self) -> None:
        """No week yet."""
        self.weeks: dict[tuple[int, int], Week] = {}

    def add(self, a: Answer, week: tuple[int, int]) -> None:
        """Count one check-in or signpost mark in its week (`week`: its day's ISO year and week)."""
        unit = self.weeks.get(week)
        if unit is None:
            unit = self.weeks[week] = Week()
        if a.signpost:
            unit.marks += 1
            return
        if a.total:
            if a.mood in MOODS:
                unit.moods[a.mood - 1] += 1
            return
        unit.checkins += 1
        if a.member:
            unit.people.add(a.member)
        if a.mood in MOODS:
            unit.moods[a.mood - 1] += 1

    def figures(self) -> Figures:
        """The team's figures from its weeks in which 3 or more people checked in (the others: nothing)."""
        released = [w for w in self.weeks.values() if len(w.people) >= K]
        people = set().union(*(w.people for w in released))
        moods = [sum(w.moods[i] for w in released) for i in range(len(MOODS))]
        return Figures(len(people), sum(w.checkins for w in released), len(released), tuple(moods),
                       sum(w.marks for w in released))


def iso_week(day: str, known: dict[str, tuple[int, int]]) -> tuple[int, int]:
    """A day's ISO (year, week), remembered in `known`: a report meets each day many times."""
    week = known.get(day)
    if week is None:
        year, number, _ = date.fromisoformat(day).isocalendar()
        week = known[day] = (year, number)
    return week


def tally(answers: Iterable[Answer]) -> dict[str, Figures]:
    """Every team's figures from its check-ins and signpost marks, in one pass."""
    teams: dict[str, Tally] = {}
    weeks: dict[str, tuple[int, int]] = {}
    for a in answers:
        team = teams.get(a.team)
        if team is None:
            team = teams[a.team] = Tally()
        team.add(a, iso_week(a.day, weeks))
    return {t: counted.figures() for t, counted in teams.items()}


def with_totals(answers: Iterable[Answer], totals: Mapping[str, TeamTotals]) -> Iterator[Answer]:
    """The answers, with each totals-mode team's anonymous figures taken from its opened totals.

    From the team's first contribution on, an anonymous check-in or a
    signpost mark of its records counts nowhere (none is written in that
    mode: it is forged or stale); each opened day adds its distribution's
    moods and its signposts instead, which its totals showed only under
    their k rules. A day that did not open adds nothing.
    """
    for a in answers:
        team = totals.get(a.team)
        if team is not None and a.day >= team.since and (a.member is None or a.signpost):
            continue
        yield a
    for name, team in totals.items():
        for day, opened in team.days.items():
            for mood, count in zip(MOODS, opened.moods, strict=False):
                yield from (Answer(name, day, None, mood, total=True) for _ in range(count))
            yield from (Answer(name, day, None, None, signpost=True) for _ in range(opened.signposts))


def team_figures(answers: list[Answer]) -> Figures:
    """Figures of one team's check-ins and signpost marks."""
    return tally(answers).get(answers[0].team if answers else "", Tally().figures())


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


def week_window(start: date, end: date) -> tuple[date, date]:
    """The whole ISO weeks a range of days touches: from its first Monday to its last Sunday."""
    return start - timedelta(days=start.weekday()), end + timedelta(days=6 - end.weekday())


def build_report(answers: Iterable[Answer], start: str, end: str,
                 totals: Mapping[str, TeamTotals] | None = None) -> dict[str, Any]:
    """The report over the whole weeks days start..end touch: every team's figures or FEWER, and the org's.

    `totals`: the teams whose anonymous answers go only to their totals, with what those opened.
    """
    first, last = week_window(date.fromisoformat(start), date.fromisoformat(end))
    start, end = first.isoformat(), last.isoformat()
    figures = tally(a for a in with_totals(answers, totals or {}) if start <= a.day <= end)
    # A team whose records name nobody (anonymous answers or signposts only) counts as one person:
    # at least one, maybe only one.
    hidden, org_hidden = suppress({t: max(f.people, 1) for t, f in figures.items()})
    weeks = (last - first).days // 7 + 1
    teams = {t: FEWER if t in hidden else f.as_json(weeks) for t, f in sorted(figures.items())}
    org = FEWER if org_hidden else add(figures.values()).as_json(weeks)
    return {"from": start, "to": end, "k": K, "teams": teams, "org": org}
