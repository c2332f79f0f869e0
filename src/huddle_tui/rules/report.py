"""The impact report: every figure `huddle report`, the History screen and the lobby show, defined once.

Figures are computed per period (a week, month or quarter, clipped to the
report's dates) from the shared folder's records only.

Anonymous answers and differencing: a reader may hold many reports (other
--since/--until/--by) and subtract them. So an anonymous answer enters a
figure only as part of a whole *release unit*: one date whose anonymous
answers the privacy rule releases (at least K members could have given them)
and that has at least K anonymous answers. Periods are unions of whole
dates, so any two reports differ by whole units, and a difference of two
figures is at most what the day's own summary already shows: a distribution
of K or more answers that K or more members could have given. Anonymous
answers of any other date are left out of every mood figure.

Signposts shown and validated measures answered are *marks* (rules/privacy.py):
a date's marks count whole, and only where at least K members could have
left them (mark_releasable, judged again here whatever wrote them). The
signpost count is shown only from K up, a measure's aggregate only from K
answers; docs/privacy.md says what a difference of two reports can show.
Buddy and coffee rounds are named records: their figures count the rounds
whose Monday falls in a period. So are peer circles' and debriefs' sessions
(rules/session_figures.py): a session counts in the period holding its date
(a circle's is its round's Monday); what was left after it is counted from K.
"""

from __future__ import annotations

import bisect
import itertools
import math
from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from functools import partial
from operator import attrgetter, itemgetter
from typing import Any, NamedTuple

from huddle_tui.config.team import TeamConfig
from huddle_tui.model.checkin import WITHHELD, CheckIn
from huddle_tui.model.pairs import TRACKS, PastRound
from huddle_tui.rules import measures as m
from huddle_tui.rules.async_lane import async_members
from huddle_tui.rules.followups import FollowUpItem as Followed
from huddle_tui.rules.followups import from_records
from huddle_tui.rules.pair_figures import PairStats, RoundFacts, round_facts, rounds_from, stats_of
from huddle_tui.rules.privacy import K, mark_releasable, releasable, shown_count
from huddle_tui.rules.session_figures import (
    SESSION_KINDS,
    SessionFact,
    SessionStats,
    fact_from_json,
    fact_to_json,
    session_facts,
    session_stats,
)
from huddle_tui.rules.support import SIGNPOST_KIND
from huddle_tui.storage.envelope import Record
from huddle_tui.storage.folder import History

BY = ("week", "month", "quarter")
LOW_MOOD = 2
STREAK_DAYS = 3
PAIR_KINDS = ("pairs", "pairmark")
REPORT_KINDS = ("checkin", "huddle", "concern", SIGNPOST_KIND, m.MEASURE_KIND, *PAIR_KINDS, *SESSION_KINDS)
NOT_COLLECTED = "not collected"


class FollowUpItem(NamedTuple):
    """A concern someone follows up: when it was raised, who owns it, and whether it is closed."""

    opened: str
    owner: str
    closed: bool
    closed_on: str | None = None
    kind: str = "concern"
    text: str = ""


class Day(NamedTuple):
    """What the report reads of one date: who checked in, named moods, the released units."""

    date: str
    submitted: frozenset[str]
    named: tuple[tuple[str, int], ...]
    anonymous: tuple[int, ...]
    signposts: int = 0  # marks of signposts shown, counted only where the date releases marks
    measures: tuple[m.Answer, ...] = ()  # anonymous measure answers, likewise
    asynchronous: frozenset[str] = frozenset()  # of submitted, who checked in before the round
    opened: tuple[m.Sums, ...] = ()  # the measures' opened totals of the day, in a team of totals mode
    # In a team of totals mode, the day's anonymous moods as its totals opened them: their sum and
    # how many, and their counts per mood 1-5 when the distribution opened too (else empty).
    totals_moods: tuple[int, int] = (0, 0)
    totals_counts: tuple[int, ...] = ()
    totals_takeaways: int = 0  # takeaways left after circles with no name that the day's totals opened


TurnRow = tuple[str, float, float, bool, bool, bool]
"""A turn as the report reads it: a Turn's fields (model/huddle.py) in a plain tuple, in its order:
speaker, timebox_s, spoken_s, skipped, late, asynchronous."""


class Held(NamedTuple):
    """A huddle as the report reads it: when, who facilitated, its round, and its turns as plain tuples.

    Plain because a 200-member team's 90 days hold 12,000 turns: making each a
    Turn again from the kept facts cost as much as adding them all up, and
    the figures read a turn by position. Its fields are in the order the
    folder's cache keeps them (data_to_json).
    """

    date: str
    facilitator: str
    round_s: float
    round: int
    turns: tuple[TurnRow, ...]


class Data(NamedTuple):
    """A team's history as the report reads it, per date (the only input of every figure)."""

    team: TeamConfig
    days: dict[str, Day]
    huddles: tuple[Held, ...]
    followups: tuple[FollowUpItem, ...]
    first: date | None
    calendar: dict[date, tuple[str, ...]]
    away: dict[str, set[date]]
    open_dates: tuple[str, ...]
    pair_rounds: dict[str, tuple[PastRound, ...]]
    pair_facts: dict[str, tuple[RoundFacts, ...]]
    measured: frozenset[str]
    marked: tuple[str, ...]  # the dates with counted marks, in order
    sessions: tuple[SessionFact, ...] = ()  # peer circles and debriefs held, by date
    still_open: tuple[FollowUpItem, ...] = ()  # the follow-ups not closed, in order (open_dates are theirs)


class Period(NamedTuple):
    """One row of the report: every figure for the dates from start to end inclusive."""

    label: str
    start: str
    end: str
    working_days: int
    expected: int
    submitted: int
    participation: float | None
    coverage: float | None
    coverage_target: float
    weeks_at_target: int
    weeks: int
    mood_answers: int
    mood_mean: float | None
    mood_distribution: dict[int, int] | None
    named_answers: int
    anonymous_answers: int
    low_mood_streaks: int
    huddles: int
    mean_length_s: float | None
    round_s: float | None
    overtime_huddles: int
    overtime_s: float
    facilitation: dict[str, int]
    facilitation_spread: int | None
    airtime: dict[str, float]
    airtime_gini: float | None
    followups_opened: int
    followups_closed: int
    followups_open: int
    followups_oldest_open_days: int | None
    signposts: int | None
    # A key of `huddle report --json` and --format csv that scripts read (docs/report.md): kept as
    # published, not derived from K; tests/test_k_once.py fails if K and the name part ways.
    signposts_fewer_than_3: bool
    measures: dict[str, m.Aggregate | None] | None
    pairs: dict[str, PairStats] | None
    # Added later, so with defaults: scripts reading CSV by name get two more columns at the end.
    timed_huddles: int = 0  # of `huddles`, those that ran a timed round (a confirmed-only one did not)
    partial: bool = False  # the report ends before the period's last working day: not comparable yet
    async_checkins: int = 0  # of `submitted`, those given before the day's round (rules/async_lane.py)
    sessions: SessionStats | None = None  # circles and debriefs (None: none held and nobody opted in)


class Report(NamedTuple):
    """A whole report: its dates, the periods, the trend towards the coverage target, what changed."""

    team: str
    since: str
    until: str
    by: str
    target: float
    periods: tuple[Period, ...]
    coverage_change: float | None
    changes: tuple[str, ...]
    open_followups: tuple[FollowUpItem, ...]
    asked_since: str = ""  # the --since asked for, when the team started later (the report starts then)


# ---------------------------------------------------------------- reading


def read_data(team: TeamConfig, history: History) -> Data:
    """Turn a history into per-date facts, deciding each date's release unit once.

    One pass over the records, reading payloads (validated when read) as they
    are; typed check-ins are built only for dates whose release rule is judged.
    """
    names = {m.name.casefold(): m.name for m in team.members}
    names.update((m.handle.casefold(), m.name) for m in team.members if m.handle)
    by_day: dict[str, list[dict[str, Any]]] = {}
    day_records: dict[str, list[Record]] = {}  # each date's check-ins and huddles, for the async rule
    held: list[Held] = []
    followed: list[Record] = []
    paired: list[Record] = []
    gathered: list[Record] = []
    signs: dict[str, int] = {}
    answers: dict[str, list[m.Answer]] = {}
    for r in history.records.values():
        if r.deleted:
            continue
        if r.kind == "checkin":
            by_day.setdefault(r.date, []).append(r.payload)
            day_records.setdefault(r.date, []).append(r)
            followed.append(r)
        elif r.kind == "huddle":
            held.append(_huddle(r.date, r.payload))
            day_records.setdefault(r.date, []).append(r)
        elif r.kind == "concern":
            followed.append(r)
        elif r.kind in PAIR_KINDS:
            paired.append(r)
        elif r.kind in SESSION_KINDS:
            gathered.append(r)
        elif "member" in r.payload:
            continue  # a mark is nameless: a named one is nobody's to count
        elif r.kind == SIGNPOST_KIND:
            signs[r.date] = signs.get(r.date, 0) + 1
        elif r.kind == m.MEASURE_KIND and (answer := m.Answer.from_payload(r.date, r.payload)) is not None:
            answers.setdefault(r.date, []).append(answer)
    days: dict[str, Day] = {}
    for iso, payloads in by_day.items():
        submitted: set[str] = set()
        named: list[tuple[str, int]] = []
        anonymous: list[dict[str, Any]] = []
        for p in payloads:
            visibility, member = p.get("visibility", "team"), p.get("member")
            if visibility == "private":
                continue
            if member is None or visibility == "anonymous":
                anonymous.append(p)
                continue
            name = names.get(str(member).casefold(), str(member))
            submitted.add(name)
            if visibility != WITHHELD:
                mood = p.get("mood")
                named.append((name, int(mood if mood is not None else 3)))
        moods: tuple[int, ...] = ()
        day = date.fromisoformat(iso)
        checkins = [CheckIn.from_payload(iso, p) for p in payloads] if (
            len(anonymous) >= K or iso in signs or iso in answers) else []
        if len(anonymous) >= K and releasable(team, day, checkins):
            moods = tuple(sorted(int(p["mood"]) for p in anonymous if p.get("mood") is not None))
        marked = (iso in signs or iso in answers) and mark_releasable(day, checkins)
        ahead = async_members(team, day, day_records.get(iso, ()))
        days[iso] = Day(iso, frozenset(submitted), tuple(sorted(named)), moods,
                        signs.get(iso, 0) if marked else 0,
                        tuple(sorted(answers.get(iso, ()))) if marked else (),
                        frozenset(n for n in submitted if n.casefold() in ahead))
    huddles = tuple(sorted(held, key=lambda h: (h.date, h.round)))
    dated = [*days, *(h.date for h in huddles)]
    first = date.fromisoformat(min(dated)) if dated else None
    rounds = {track: tuple(found) for track, found in rounds_from(team, paired).items()}
    return facts(team, days, huddles, followups_of(from_records(followed)), first, rounds,
                 session_facts(gathered))


def facts(team: TeamConfig, days: dict[str, Day], huddles: tuple[Held, ...],
          followups: tuple[FollowUpItem, ...], first: date | None,
          pair_rounds: dict[str, tuple[PastRound, ...]], sessions: tuple[SessionFact, ...] = (),
          measured: frozenset[str] = frozenset()) -> Data:
    """The report's input, with what every period looks up (open follow-ups, round facts) worked out once.

    `measured` adds measures answered on dates not in `days` (earlier months' heads, see head_of).
    """
    cooldown = team.pairs.cooldown_weeks
    marked = tuple(sorted(iso for iso, d in days.items() if d.signposts or d.measures or d.opened))
    still_open = tuple(itertools.filterfalse(_closed, followups))  # thousands, in a long history
    return Data(team, days, huddles, followups, first, {}, {}, tuple(map(_opened, still_open)),
                pair_rounds,
                {t: round_facts(pair_rounds.get(t, ()), cooldown) for t in TRACKS},
                team.measures | measured | {a.measure for iso in marked for a in days[iso].measures}
                | {o[0] for iso in marked for o in days[iso].opened}, marked, sessions, still_open)


_closed, _opened = attrgetter("closed"), attrgetter("opened")  # of a FollowUpItem


class Opened(NamedTuple):
    """What one date's totals opened, as the report adds it up (totals/view.py's DayView)."""

    signposts: int
    measures: tuple[m.Sums, ...]
    moods: tuple[int, int] = (0, 0)  # the opened moods' sum, and how many (0 when no mean opened)
    counts: tuple[int, ...] = ()  # per mood 1-5, when the distribution opened
    takeaways: int = 0  # anonymous takeaways opened (each from one of at least K authors)


def with_totals(data: Data, opened: Mapping[str, Opened]) -> Data:
    """The facts with each date's opened anonymous totals added: moods, signposts shown, measures' sums.

    In a team whose anonymous answers go only to its totals, no answer and no
    mark is a file of its own: a date's are what its totals opened, each
    under its k rule (totals/view.py), and a period adds up whole dates.
    """
    days = dict(data.days)
    for iso, got in opened.items():
        day = days.get(iso)
        if day is not None:
            days[iso] = day._replace(signposts=day.signposts + got.signposts, opened=got.measures,
                                     totals_moods=got.moods, totals_counts=got.counts,
                                     totals_takeaways=got.takeaways)
    return facts(data.team, days, data.huddles, data.followups, data.first, data.pair_rounds, data.sessions,
                 data.measured)


def _huddle(day: str, p: dict[str, Any]) -> Held:
    """The parts of a huddle record the report reads (turns: speaker, timebox, spoken, skipped)."""
    turns = tuple((str(t.get("speaker", "")), float(t.get("timebox_s", 0)), float(t.get("spoken_s", 0)),
                   bool(t.get("skipped", False)), False, False)
                  for t in p.get("turns", ()) if isinstance(t, dict))
    return Held(day, str(p.get("facilitator", "")), float(p.get("round_s", 300.0)), int(p.get("round", 1)),
                turns)


def followups_of(items: Iterable[Followed]) -> tuple[FollowUpItem, ...]:
    """Every follow-up, open or closed, as rules/followups.py reads them: the lobby's list agrees."""
    return tuple(sorted(FollowUpItem(i.date, i.owner, not i.is_open, None, i.kind, i.text) for i in items))


def data_to_json(data: Data) -> dict[str, Any]:
    """The per-date facts as plain data for the folder's cache (storage/derived.py keeps it with marshal).

    Kept in the shapes the facts hold them in (tuples, frozensets, strings,
    numbers), so reading a month back builds few objects: a month of a
    200-member team holds thousands of names and turns.
    """
    return {"days": [(d.date, d.submitted, d.named, d.anonymous, d.signposts,
                      tuple((a.measure, a.items) for a in d.measures), d.asynchronous)
                     for d in data.days.values()],
            "pairs": [(track, r.monday.isoformat(), r.groups, r.skipped, r.met)
                      for track, found in data.pair_rounds.items() for r in found],
            "huddles": [tuple(h) for h in data.huddles],
            "followups": [tuple(f) for f in data.followups],
            "sessions": [fact_to_json(f) for f in data.sessions],
            "first": data.first.isoformat() if data.first else None,
            "measured": sorted(data.measured)}


def data_from_json(team: TeamConfig, kept: dict[str, Any]) -> Data:
    """The per-date facts back from data_to_json's (KeyError, TypeError or ValueError when damaged).

    The kept value is this machine's own, checked by its CRC, in the shapes
    data_to_json gave it: only the named tuples are made again.
    """
    days = {}
    for iso, submitted, named, anonymous, signs, answers, ahead in kept["days"]:
        given = tuple(m.Answer(measure, date.fromisoformat(iso), items) for measure, items in answers)
        days[iso] = Day(iso, submitted, named, anonymous, signs, given, ahead)
    rounds: dict[str, list[PastRound]] = {t: [] for t in TRACKS}
    for track, monday, groups, skipped, met in kept["pairs"]:
        rounds[track].append(PastRound(date.fromisoformat(monday), groups, skipped, met))
    huddles = tuple(map(partial(tuple.__new__, Held), kept["huddles"]))  # Held._make, without a Python call
    followups = tuple(map(partial(tuple.__new__, FollowUpItem), kept["followups"]))
    first = date.fromisoformat(kept["first"]) if kept["first"] else None
    return facts(team, days, huddles, followups, first, {t: tuple(r) for t, r in rounds.items()},
                 tuple(fact_from_json(f) for f in kept["sessions"]), frozenset(kept["measured"]))


def merged(team: TeamConfig, pieces: Iterable[Data]) -> Data:
    """One history's facts from its months' (read_data over each month alone gives the same as over all).

    Every record the facts come from is judged within its own date (a day's
    release unit, its concerns), so months add up without crossing. A piece
    may be a month's head (head_of): the facts of a report that starts later.
    """
    days: dict[str, Day] = {}
    huddles: list[Held] = []
    followups: list[FollowUpItem] = []
    rounds: dict[str, list[PastRound]] = {t: [] for t in TRACKS}
    firsts = []
    sessions: list[SessionFact] = []
    measured: set[str] = set()
    for piece in pieces:
        days.update(piece.days)
        huddles += piece.huddles
        sessions += piece.sessions
        followups += piece.followups
        measured |= piece.measured
        for track, found in piece.pair_rounds.items():
            rounds.setdefault(track, []).extend(found)
        if piece.first is not None:
            firsts.append(piece.first)
    return facts(team, dict(sorted(days.items())), tuple(sorted(huddles, key=lambda h: (h.date, h.round))),
                 tuple(sorted(followups)), min(firsts, default=None),
                 {t: tuple(sorted(r, key=lambda r: r.monday)) for t, r in rounds.items()},
                 tuple(sorted(sessions, key=lambda f: (f.date, f.kind, f.event, f.members))),
                 frozenset(measured))


def head_of(data: Data) -> Data:
    """A month's facts as a report that starts in a later month needs them, whatever its window.

    No days and no huddles (no period of that report holds them). Its open
    follow-ups (every period counts those open at its end; a closed one
    counts only in the period it was opened in) without their text, which
    no report shows (five years of a 200-member team leave thousands
    open, and a 30-day report reads them all), its first date (where the
    team starts), its buddy rounds (one a week at most: later rounds' repeats
    and gaps look back at them), the measures answered (each period names
    every measure ever answered) and its last session (a period says
    nothing of circles only when none was ever held; a session before the
    report's first date is never counted).
    """
    still_open = tuple(f._replace(text="") for f in data.followups if not f.closed)
    return facts(data.team, {}, (), still_open, data.first, data.pair_rounds, data.sessions[-1:],
                 data.measured)


def joined(pieces: Iterable[dict[str, Any]], since: str = "") -> dict[str, Any]:
    """Months' kept facts (data_to_json's, whole or heads) as one: data_from_json of it is merged()'s.

    Joined as plain data and read back once, a report's window and the heads
    before it make their named tuples and round facts once, not once a month.
    Days and huddles dated before `since` are left out (no period of a report
    from `since` holds them; the measures they answered stay named).
    """
    days: list[Any] = []
    huddles: list[Any] = []
    followups: list[Any] = []
    pairs: list[Any] = []
    sessions: list[Any] = []
    firsts: list[str] = []
    measured: set[str] = set()
    for piece in pieces:
        days += piece["days"]
        huddles += piece["huddles"]
        followups += piece["followups"]
        pairs += piece["pairs"]
        sessions += piece["sessions"]
        measured.update(piece["measured"])
        if piece["first"] is not None:
            firsts.append(piece["first"])
    days = sorted((d for d in days if d[0] >= since), key=lambda d: d[0])
    huddles = sorted((h for h in huddles if h[0] >= since), key=lambda h: (h[0], h[3]))
    return {"days": days, "huddles": huddles,
            "followups": sorted(followups), "pairs": sorted(pairs, key=lambda r: r[1]),
            "sessions": sorted(sessions, key=lambda f: (f[1], f[0], f[2], tuple(f[4]))),
            "first": min(firsts, default=None), "measured": sorted(measured)}


# ---------------------------------------------------------------- periods


def period_start(day: date, by: str) -> date:
    """The first date of the week (Monday), month or quarter holding `day`."""
    if by == "week":
        return day - timedelta(days=day.weekday())
    if by == "month":
        return day.replace(day=1)
    return day.replace(month=(day.month - 1) // 3 * 3 + 1, day=1)


def next_start(start: date, by: str) -> date:
    """The first date of the next period."""
    if by == "week":
        return start + timedelta(days=7)
    months = 1 if by == "month" else 3
    month = start.month - 1 + months
    return date(start.year + month // 12, month % 12 + 1, 1)


def label_of(start: date, by: str) -> str:
    """A period's name: 2026-W07, 2026-02 or 2026-Q1."""
    if by == "week":
        year, week, _ = start.isocalendar()
        return f"{year}-W{week:02d}"
    if by == "month":
        return f"{start:%Y-%m}"
    return f"{start.year}-Q{(start.month - 1) // 3 + 1}"


def spans(since: date, until: date, by: str) -> list[tuple[str, date, date]]:
    """The periods from since to until, each clipped to those dates."""
    out = []
    start = period_start(since, by)
    while start <= until:
        end = next_start(start, by) - timedelta(days=1)
        out.append((label_of(start, by), max(start, since), min(end, until)))
        start = end + timedelta(days=1)
    return out


def dates(start: date, end: date) -> list[date]:
    """Every date from start to end inclusive."""
    return [start + timedelta(days=i) for i in range((end - start).days + 1)]


# ---------------------------------------------------------------- figures


def expected_on(data: Data, day: date) -> tuple[str, ...]:
    """Who is expected to check in on `day` (nobody on a day off), worked out once per date."""
    names = data.calendar.get(day)
    if names is None:
        team = data.team
        if not data.away:  # the away ranges as dates, so each date asks a set, not every range
            for m in team.members:
                data.away[m.name] = {r.start + timedelta(days=i) for r in m.away
                                     for i in range((r.end - r.start).days + 1)}
        names = data.calendar[day] = tuple(
            m.name for m in team.members if m.has_joined(day) and day not in data.away[m.name]
        ) if team.is_workday(day) else ()
    return names


def plan_calendar(data: Data, start: date, end: date) -> None:
    """Work out who is expected on every date from start to end at once (what expected_on gives).

    Only the away ranges that overlap those dates are spread into dates: a
    roster of years keeps thousands of ranges, and a report of 30 days
    should not pay for every day of them.
    """
    team = data.team
    off: dict[date, set[str]] = {}
    for member in team.members:
        for r in member.away:
            if r.end < start or r.start > end:  # most ranges of a long roster are outside the report
                continue
            lo, hi = max(r.start, start), min(r.end, end)
            for i in range((hi - lo).days + 1):
                off.setdefault(lo + timedelta(days=i), set()).add(member.name)
    joined = [(member.name, member.joined) for member in team.members]  # Member.has_joined, unrolled
    joins = sorted(since for _, since in joined if since is not None)
    teams: dict[int, tuple[str, ...]] = {}  # who is on the team, by how many have joined by then
    for day in dates(start, end):
        if day in data.calendar:
            continue
        if not team.is_workday(day):
            data.calendar[day] = ()
            continue
        so_far = bisect.bisect_right(joins, day)
        on_team = teams.get(so_far)
        if on_team is None:
            on_team = teams[so_far] = tuple(name for name, since in joined if since is None or since <= day)
        away = off.get(day)
        data.calendar[day] = tuple(itertools.filterfalse(away.__contains__, on_team)) if away else on_team


def participation(data: Data, start: date, end: date) -> tuple[int, int, int]:
    """Working days, check-ins expected (members expected that day) and submitted by them."""
    working, expected, submitted = 0, 0, 0
    for day in dates(start, end):
        members = expected_on(data, day)
        if not members:
            continue
        working += 1
        expected += len(members)
        got = data.days.get(day.isoformat())
        if got is not None:
            submitted += sum(map(got.submitted.__contains__, members))
    return working, expected, submitted


def async_checkins(data: Data, start: date, end: date) -> int:
    """Of the check-ins `participation` counts as submitted, those given before the day's round."""
    given = 0
    for day in dates(start, end):
        got = data.days.get(day.isoformat())
        if got is not None and got.asynchronous:
            given += sum(map(got.asynchronous.__contains__, expected_on(data, day)))
    return given


def weekly_coverage(data: Data, start: date, end: date) -> list[tuple[int, int]]:
    """Per week (clipped): members expected at least once, and of them those with a check-in."""
    out = []
    for _, a, b in spans(start, end, "week"):
        expected: set[str] = set()
        covered: set[str] = set()
        for day in dates(a, b):  # each date's 200 names added in C, not made into a set first
            names = expected_on(data, day)
            expected.update(names)
            got = data.days.get(day.isoformat())
            if got is not None:
                covered.update(got.submitted.intersection(names))
        if expected:
            out.append((len(expected), len(covered)))
    return out


def coverage(weeks: list[tuple[int, int]]) -> float | None:
    """The share of expected member-weeks with at least one check-in."""
    expected = sum(e for e, _ in weeks)
    return sum(c for _, c in weeks) / expected if expected else None


def moods(data: Data, start: date, end: date) -> tuple[list[int], list[int]]:
    """Named moods, and the anonymous ones of whole release units, dated in the period."""
    named: list[int] = []
    anonymous: list[int] = []
    for day in dates(start, end):
        got = data.days.get(day.isoformat())
        if got is not None:
            named += map(_mood, got.named)
            anonymous += got.anonymous
    return named, anonymous


_mood = itemgetter(1)  # of a (name, mood) pair


class Totals(NamedTuple):
    """The period's anonymous moods that only a day's totals hold: their sum, how many, and their
    counts per mood when every such day opened its distribution (else None)."""

    total: int
    answers: int
    counts: dict[int, int] | None


def totals_moods(data: Data, start: date, end: date) -> Totals:
    """The opened totals' moods of the period's dates (a team of totals mode; zeros elsewhere)."""
    total = answers = 0
    counts: dict[int, int] | None = dict.fromkeys(range(1, 6), 0)
    for day in dates(start, end):
        got = data.days.get(day.isoformat())
        if got is None or not got.totals_moods[1]:
            continue
        total += got.totals_moods[0]
        answers += got.totals_moods[1]
        if counts is not None and len(got.totals_counts) == 5:
            for mood, n in zip(range(1, 6), got.totals_counts, strict=True):
                counts[mood] += n
        else:
            counts = None  # a day that opened only its mean: no distribution covers every answer
    return Totals(total, answers, counts)


def distribution(values: list[int]) -> dict[int, int] | None:
    """Counts per mood 1-5 (None for no answers)."""
    if not values:
        return None
    return {m: values.count(m) for m in range(1, 6)}


def low_mood_streaks(data: Data, start: date, end: date) -> int:
    """Runs of STREAK_DAYS or more consecutive named check-ins at mood LOW_MOOD or below, per member.

    A member's run grows with each low check-in, in order, and ends at a
    higher one. A day's pairs are sorted by (name, mood), so a member's
    higher check-in, if any, is their last of the day: the low ones are
    counted first, and one dict of the day says whose run ends, instead of a
    Python step for each of 200 members' check-ins every day.
    """
    runs: dict[str, int] = {}  # the members whose run is under way
    streaks = 0
    for day in dates(start, end):
        got = data.days.get(day.isoformat())
        if got is None:
            continue
        for member in [member for member, mood in got.named if mood <= LOW_MOOD]:
            runs[member] = run = runs.get(member, 0) + 1
            if run == STREAK_DAYS:
                streaks += 1
        if runs:
            highest = dict(got.named)  # each member's last pair of the day: their highest mood
            for member in [member for member in runs if highest.get(member, 0) > LOW_MOOD]:
                del runs[member]
    return streaks


def gini(values: list[float]) -> float | None:
    """The Gini coefficient: 0 when everyone has the same, towards 1 when one has it all.

    Its definition sums |a − b| over every pair (n² terms: 40,000 for 200
    members, for every period of a report); over the values sorted, the same
    sum is Σ (2i − n − 1)·xᵢ, so it costs a sort.
    """
    n, total = len(values), math.fsum(values)
    if n == 0 or total <= 0:
        return None
    diffs = 2 * math.fsum((2 * i - n + 1) * x for i, x in enumerate(sorted(values)))
    return diffs / (2 * n * total)


def huddles_in(data: Data, start: date, end: date) -> list[Held]:
    """The huddles held in the period (every round; data.huddles is in date order)."""
    lo = bisect.bisect_left(data.huddles, start.isoformat(), key=lambda h: h.date)
    hi = bisect.bisect_right(data.huddles, end.isoformat(), key=lambda h: h.date)
    return list(data.huddles[lo:hi])


def timed(held: list[Held]) -> list[Held]:
    """The huddles that ran a round with turns: one recorded by `huddle next --confirm` only was held,
    but timed nothing, and as a 0-second round it would pull every length and airtime figure down."""
    return [h for h in held if h.turns]


def team_start(data: Data) -> date | None:
    """Where the team starts: its first record, or the earliest `joined` when that is earlier.

    A report that starts before it would fill weeks with "0% of 30 expected"
    for a team that was not using huddle yet.
    """
    joined = [m.joined for m in data.team.members if m.joined is not None]
    found = [d for d in (data.first, min(joined, default=None)) if d is not None]
    return min(found, default=None)


def is_partial(data: Data, end: date, until: date, by: str) -> bool:
    """Whether a period clipped at `until` still has working days to come (the current week, say)."""
    natural = next_start(period_start(end, by), by) - timedelta(days=1)
    return any(data.team.is_workday(d) for d in dates(until + timedelta(days=1), natural)) if (
        end == until and natural > until) else False


def length_s(h: Held) -> float:
    """How long a round's speaking took."""
    spoken: float = sum(map(_spoken, h.turns))  # the turns in order, as a generator's sum adds them
    return spoken


_spoken = itemgetter(2)  # a TurnRow's spoken_s


def facilitation(data: Data, start: date, end: date, held: list[Held]) -> dict[str, int]:
    """Times each member facilitated, zero for members on the team in the period who never did."""
    on_team = set(itertools.chain.from_iterable(expected_on(data, d) for d in dates(start, end)))
    members = [m.name for m in data.team.members]
    counts = {name: 0 for name in members if name in on_team}
    names = dict(zip(map(str.casefold, members), members, strict=True))  # casefolded: the last of equals wins
    for h in held:
        name = names.get(h.facilitator.casefold(), h.facilitator)
        counts[name] = counts.get(name, 0) + 1
    return counts


def airtime(held: list[Held]) -> tuple[dict[str, float], dict[str, float]]:
    """Each speaker's seconds spoken and share of their timebox used."""
    spoken: dict[str, float] = {}
    boxed: dict[str, float] = {}
    for h in held:  # a turn unpacked, not read by name: 90 days of a 200-member team are 18,000 turns
        for speaker, timebox_s, spoken_s, skipped, _, _ in h.turns:
            if skipped:
                continue
            spoken[speaker] = spoken.get(speaker, 0.0) + spoken_s
            boxed[speaker] = boxed.get(speaker, 0.0) + timebox_s
    return spoken, {k: spoken[k] / boxed[k] for k in spoken if boxed[k] > 0}


def followup_figures(data: Data, start: date, end: date) -> tuple[int, int, int, int | None]:
    """Follow-ups opened in the period, of them closed, open at its end, and the oldest's age (days)."""
    a, b = start.isoformat(), end.isoformat()
    lo = bisect.bisect_left(data.followups, a, key=lambda f: f.opened)
    hi = bisect.bisect_right(data.followups, b, key=lambda f: f.opened)
    opened = data.followups[lo:hi]
    still_open = bisect.bisect_right(data.open_dates, b)
    oldest = data.open_dates[0] if still_open else None
    return (len(opened), sum(1 for f in opened if f.closed), still_open,
            (end - date.fromisoformat(oldest)).days if oldest else None)


def marked_days(data: Data, start: date, end: date) -> list[Day]:
    """The period's dates that hold counted marks."""
    lo = bisect.bisect_left(data.marked, start.isoformat())
    hi = bisect.bisect_right(data.marked, end.isoformat())
    return [data.days[iso] for iso in data.marked[lo:hi]]


def signposts(data: Data, start: date, end: date) -> int:
    """Signposts shown in the period: the counted marks of its dates, each date whole (before shown_count)."""
    return sum(d.signposts for d in marked_days(data, start, end))


def measures(data: Data, start: date, end: date) -> dict[str, m.Aggregate | None] | None:
    """Each collected measure's team aggregate (None below K answers); None when the team collects none."""
    if not data.measured:
        return None
    days = marked_days(data, start, end)
    answers = [a for d in days for a in d.measures]
    found = m.measure_aggregates(answers, start, end, sums=[o for d in days for o in d.opened])
    return {k: v for k, v in found.items() if k in data.measured}


def pairs(data: Data, start: date, end: date) -> dict[str, PairStats] | None:
    """Each track's buddy figures for the rounds starting in the period; None when nobody takes part."""
    if not any(data.pair_facts.values()) and not any(member.pairs for member in data.team.members):
        return None
    out = {}
    for track, found in data.pair_facts.items():
        lo = bisect.bisect_left(found, start, key=lambda f: f.monday)
        hi = bisect.bisect_right(found, end, key=lambda f: f.monday)
        out[track] = stats_of(found[lo:hi])
    return out


def circles_and_debriefs(data: Data, start: date, end: date) -> SessionStats | None:
    """The period's circles and debriefs; None when none was ever held and nobody opted in to circles."""
    if not data.sessions and not any(member.circles for member in data.team.members):
        return None
    lo, hi = start.isoformat(), end.isoformat()
    # Only a team of totals mode has takeaways left with no name (and the scan costs a weekly report
    # of years a pass over every date per week).
    anonymous = sum(d.totals_takeaways for iso, d in data.days.items() if lo <= iso <= hi) \
        if data.team.in_totals else 0
    return session_stats((f for f in data.sessions if lo <= f.date <= hi), data.team.target_weekly_coverage,
                         anonymous)


def period(data: Data, label: str, start: date, end: date, partial: bool = False) -> Period:
    """Every figure of one period (`partial`: it is cut short by the report's end, see is_partial)."""
    working, expected, submitted = participation(data, start, end)
    weeks = weekly_coverage(data, start, end)
    target = data.team.target_weekly_coverage
    named, anonymous = moods(data, start, end)
    answers = named + anonymous
    pooled = totals_moods(data, start, end)
    spread = distribution(answers)
    if pooled.answers:  # the totals' answers join it only when their distribution opened on every day
        known, more = spread or {}, pooled.counts
        spread = None if more is None else {k: known.get(k, 0) + more[k] for k in range(1, 6)}
    how_many = len(answers) + pooled.answers
    held = huddles_in(data, start, end)
    rounds = timed(held)
    lengths = [length_s(h) for h in rounds]
    counts = facilitation(data, start, end, held)
    spoken, shares = airtime(rounds)
    opened, closed, still_open, oldest = followup_figures(data, start, end)
    return Period(
        label=label, start=start.isoformat(), end=end.isoformat(), working_days=working,
        expected=expected, submitted=submitted,
        participation=submitted / expected if expected else None,
        coverage=coverage(weeks), coverage_target=target,
        weeks_at_target=sum(1 for e, c in weeks if c / e >= target), weeks=len(weeks),
        mood_answers=how_many, mood_mean=(sum(answers) + pooled.total) / how_many if how_many else None,
        mood_distribution=spread, named_answers=len(named),
        anonymous_answers=len(anonymous) + pooled.answers,
        low_mood_streaks=low_mood_streaks(data, start, end),
        huddles=len(held), mean_length_s=sum(lengths) / len(lengths) if lengths else None,
        round_s=rounds[-1].round_s if rounds else None,
        overtime_huddles=sum(1 for h, s in zip(rounds, lengths, strict=True) if s > h.round_s),
        overtime_s=sum(max(0.0, s - h.round_s) for h, s in zip(rounds, lengths, strict=True)),
        facilitation=counts,
        facilitation_spread=max(counts.values()) - min(counts.values()) if counts else None,
        airtime=shares, airtime_gini=gini(list(spoken.values())),
        followups_opened=opened, followups_closed=closed, followups_open=still_open,
        followups_oldest_open_days=oldest,
        signposts=shown_count(shown := signposts(data, start, end)), signposts_fewer_than_3=shown < K,
        measures=measures(data, start, end), pairs=pairs(data, start, end),
        timed_huddles=len(rounds), partial=partial, async_checkins=async_checkins(data, start, end),
        sessions=circles_and_debriefs(data, start, end),
    )


def what_changed(periods: list[Period]) -> list[str]:
    """One sentence each for the periods where participation and mood moved most.

    Whole periods only (a partial one, the week still under way, has not
    finished moving), and only a change that shows in the figures as written:
    "from 3.6 to 3.6" is no headline.
    """
    out = []
    whole = [p for p in periods if not p.partial]
    for field, fmt in (("participation", "{:.0%}"), ("mood_mean", "{:.1f}")):
        values = [(p, getattr(p, field)) for p in whole]
        moves = [(abs(vb - va), a, va, b, vb) for (a, va), (b, vb) in itertools.pairwise(values)
                 if va is not None and vb is not None and fmt.format(va) != fmt.format(vb)]
        if not moves:
            continue
        _, a, va, b, vb = max(moves, key=lambda m: m[0])
        name = "Participation" if field == "participation" else "Mood"
        way = "rose" if vb > va else "fell"
        out.append(f"{name} {way} most in {b.label}: from {fmt.format(va)} in {a.label} "
                   f"to {fmt.format(vb)}.")
    return out


def build(data: Data, since: date, until: date, by: str, asked_since: date | None = None) -> Report:
    """The report for since..until, one period per week, month or quarter (`asked_since`: see Report)."""
    if since <= until:
        plan_calendar(data, since, until)
    last = until.isoformat()
    periods = [period(data, label, a, b, is_partial(data, b, until, by))
               for label, a, b in spans(since, until, by)] if since <= until else []
    measured = [p.coverage for p in periods if p.coverage is not None and not p.partial]  # whole periods
    return Report(team=data.team.name, since=since.isoformat(), until=until.isoformat(), by=by,
                  target=data.team.target_weekly_coverage, periods=tuple(periods),
                  coverage_change=measured[-1] - measured[0] if len(measured) > 1 else None,
                  changes=tuple(what_changed(periods)),
                  open_followups=data.still_open[:bisect.bisect_right(data.open_dates, last)],
                  asked_since=asked_since.isoformat() if asked_since is not None else "")


class Glance(NamedTuple):
    """What the lobby shows at a glance: this week's coverage, four weeks' participation, open follow-ups."""

    coverage: float | None
    target: float
    participation: tuple[float | None, ...]
    labels: tuple[str, ...]
    open_followups: int


def glance_since(today: date) -> date:
    """The first date the lobby's glance shows figures for: this week's Monday and 3 weeks before."""
    return period_start(today, "week") - timedelta(days=21)


def glance(data: Data, today: date) -> Glance:
    """The lobby's figures: the same functions as the report's, for this week and the 3 before it.

    `data` needs the days from glance_since(today) on, and every follow-up.
    """
    week = build(data, glance_since(today), today, "week")
    last = week.periods[-1] if week.periods else None
    return Glance(last.coverage if last else None, data.team.target_weekly_coverage,
                  tuple(p.participation for p in week.periods), tuple(p.label for p in week.periods),
                  last.followups_open if last else 0)


def as_json(report: Report) -> dict[str, Any]:
    """The report as JSON data (docs/report.md describes every key)."""
    return {
        "team": report.team, "since": report.since, "until": report.until, "by": report.by,
        "asked_since": report.asked_since or None,
        "target_weekly_coverage": report.target, "coverage_change": _num(report.coverage_change),
        "what_changed": list(report.changes),
        "periods": [period_json(p) for p in report.periods],
        "open_followups": [{"opened": f.opened, "owner": f.owner, "kind": f.kind,
                            "age_days": (date.fromisoformat(report.until)
                                         - date.fromisoformat(f.opened)).days}
                           for f in report.open_followups],
    }


def period_json(p: Period) -> dict[str, Any]:
    """One period as JSON data: numbers rounded as every format shows them."""
    out: dict[str, Any] = {}
    for key, value in p._asdict().items():
        if key == "mood_distribution":
            value = {str(k): v for k, v in value.items()} if value else None
        elif key in ("measures", "pairs"):
            value = None if value is None else {k: v if v is None else _figures(v) for k, v in value.items()}
        elif key == "sessions":
            value = None if value is None else {k: list(v) if isinstance(v, tuple) else _num(v)
                                                for k, v in value._asdict().items()}
        elif isinstance(value, dict):
            value = {k: _num(v) for k, v in value.items()}
        out[key] = _num(value)
    return out


def _figures(value: m.Aggregate | PairStats) -> dict[str, Any]:
    """One measure's aggregate or one track's pair figures as JSON data (the measure's name is its key)."""
    return {k: _num(v) for k, v in value._asdict().items() if k != "measure"}


def _num(value: Any) -> Any:
    """A float rounded to 3 places (the same in JSON, CSV and text), anything else as it is."""
    return round(value, 3) if isinstance(value, float) else value
