"""A short day's mood figures pooled into its week: masks that cancel over the pooled days only.

A day whose anonymous answers fall short of a figure's k rule (the mean from
K, the distribution from K_DISTRIBUTION) keeps that figure masked. Once its
week is over, each holder reveals one share of that section's self-masks
summed over every such day of the week (the aggregation core's
`reveal_pool`), so only the pooled total opens (`open_pool`), under the same
rule on the pooled counts, and only where the pooled answers are no more
than the week's signed placeholders and at least K different members left
one. Every machine works the pool out alike from what opened: the week's
days whose list is agreed, whose counts opened and add up, and whose figure
did not open alone. A day is released alone or in the week's pool, never
both (the core refuses the second).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, timedelta
from typing import NamedTuple

from huddle_tui.aggregation.contribution import Contribution
from huddle_tui.aggregation.layout import opens, plausible
from huddle_tui.aggregation.unmask import DayList, DayTotals, PoolReveal, open_day, open_pool
from huddle_tui.config.team import TeamConfig
from huddle_tui.errors import CorruptRecord
from huddle_tui.model.ids import named_id
from huddle_tui.rules.privacy import K
from huddle_tui.storage.folder import FolderStore
from huddle_tui.totals.cutoff import week_days as week_days
from huddle_tui.totals.cutoff import week_over as week_over
from huddle_tui.totals.records import LAYOUT, DayRecords, Trusted, read_day

POOL_REVEAL = "poolreveal"
POOLED = ("mood_mean", "mood_counts")
"""The sections a short day pools into its week (the counts always open on a day of K contributors)."""
Placeholders = Callable[[date], frozenset[str]]
"""The members who left a signed placeholder on a day (folded names)."""


class OpenedDay(NamedTuple):
    """One day of a week as a reader opens it: its agreed list, the contributions it names, what opened."""

    records: DayRecords
    day_list: DayList
    listed: dict[str, Contribution]
    totals: DayTotals
    placeholders: frozenset[str]

    @property
    def counts(self) -> dict[str, int] | None:
        """The day's opened counts when they add up (None: not open, or not honest)."""
        counts = self.totals.sections.get("counts")
        if counts is None or not plausible(counts, len(self.day_list.survivors)) \
                or counts["answers"] > len(self.placeholders):
            return None
        return counts


def pool_id(member: str, day: date, section: str) -> str:
    """The id of `member`'s pooled reveal of `section` for `day`'s week."""
    return named_id(POOL_REVEAL, member, week_days_key(day), section)


def week_days_key(day: date) -> str:
    """The week's Monday, naming its pooled reveals."""
    return (day - timedelta(days=day.weekday())).isoformat()


def open_week(store: FolderStore, team: TeamConfig, day: date, trusted: Trusted,
              placeholders: Placeholders) -> dict[str, OpenedDay] | None:
    """Each day of the week with an agreed list, opened (None: a day's counts may still open: wait)."""
    out = {}
    for d in week_days(team, day):
        records = read_day(store, team, d.isoformat(), trusted)
        agreed = records.agreed()
        if len(agreed) != 1:
            continue
        day_list = agreed[0]
        roster = records.roster_of(day_list)
        if roster is None:
            continue
        listed = records.listed(day_list)
        totals = open_day(day_list, listed, roster, records.reveals_for(day_list), LAYOUT)
        if len(day_list.survivors) >= K and "counts" not in totals.sections:
            return None  # its counts open once enough holders reveal: the pool waits for them
        out[d.isoformat()] = OpenedDay(records, day_list, listed, totals, placeholders(d))
    return out


def pool_of(section: str, week: Mapping[str, OpenedDay]) -> list[str]:
    """The days of the week `section` is pooled over: counts open and honest, the section not open alone."""
    return sorted(d for d, opened in week.items()
                  if opened.counts is not None and not opens(section, opened.counts))


def pooled_counts(days: list[str], week: Mapping[str, OpenedDay]) -> dict[str, int] | None:
    """The pooled days' counts together, when the pool meets the k rule on placeholders (else None)."""
    total: dict[str, int] = {}
    members: set[str] = set()
    placeholders = 0
    for d in days:
        counts = week[d].counts
        if counts is None:
            return None
        for lane, value in counts.items():
            total[lane] = total.get(lane, 0) + value
        members |= week[d].placeholders
        placeholders += len(week[d].placeholders)
    if len(members) < K or total.get("answers", 0) > placeholders:
        return None
    return total


def wanted(days: list[str], week: Mapping[str, OpenedDay]) -> tuple[tuple[str, str], ...]:
    """The pool as pooled reveals name it: (day, list digest) of each day."""
    return tuple(sorted((d, week[d].day_list.digest) for d in days))


class WeekFigures(NamedTuple):
    """A week's pooled mood figures, as a day that fell short may show them."""

    days: int
    answers: int
    mean: float | None
    distribution: dict[int, int] | None


def week_figures(store: FolderStore, team: TeamConfig, day: date, today: date, trusted: Trusted,
                 placeholders: Placeholders) -> WeekFigures | None:
    """The pooled figures of `day`'s week that include `day` (None: none open, or not yet)."""
    if not week_over(team, day, today):
        return None
    week = open_week(store, team, day, trusted, placeholders)
    if week is None:
        return None
    names = [m.name for m in team.members]
    opened: dict[str, tuple[dict[str, int], list[str], int]] = {}  # section: lanes, days, answers
    for section in POOLED:
        days = pool_of(section, week)
        counts = pooled_counts(days, week)
        if day.isoformat() not in days or counts is None or len(days) < 2 or not opens(section, counts):
            continue
        history = store.read_ids(POOL_REVEAL, week_days_key(day), [pool_id(n, day, section) for n in names])
        reveals = []
        for record in history.live(POOL_REVEAL):
            member = trusted(record)
            if member is None or record.id != pool_id(member, day, section):
                continue
            try:
                reveals.append(PoolReveal.from_payload(record.payload))
            except CorruptRecord:
                continue
        lanes = open_pool(section, [(week[d].day_list, week[d].totals) for d in days],
                          [r for r in reveals if r.section == section and r.days == wanted(days, week)])
        if lanes is not None:
            opened[section] = (lanes, days, counts["answers"])
    if not opened:
        return None
    mean = distribution = None
    _, days, answers = opened.get("mood_mean") or opened["mood_counts"]
    if "mood_mean" in opened:
        mean = round(opened["mood_mean"][0]["mood_sum"] / answers, 2)
    if "mood_counts" in opened and opened["mood_counts"][2] == answers:  # shown beside the same answers
        lanes = opened["mood_counts"][0]
        distribution = {m: lanes[f"mood_{m}"] for m in range(1, 6) if lanes[f"mood_{m}"]}
    return WeekFigures(len(days), answers, mean, distribution)
