"""What the shared folder says of past buddy and coffee rounds, and the report's figures about them.

One pass over a track's rounds, oldest first, gives each round's facts
(groups, marks, repeats within the cooldown, the longest gap it ended);
any date range's figures are then sums and maxima over the rounds whose
Monday falls in it. Earlier rounds, even before the range, still count as
earlier meetings (for repeats) and earlier groupings (for gaps). Plain
Python: `huddle pairs`, the impact report and tests compute them alike.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from itertools import combinations
from typing import NamedTuple

from huddle_tui.config.team import TeamConfig
from huddle_tui.model.ids import named_id
from huddle_tui.model.pairs import TRACKS, PairMark, PairRound, PastRound
from huddle_tui.storage.envelope import Record


def round_id(team: TeamConfig, track: str, monday: date) -> str:
    """The round's record id, the same on every machine."""
    return named_id("pairs", team.name, track, monday.isoformat())


def rounds_from(team: TeamConfig, records: Iterable[Record]) -> dict[str, list[PastRound]]:
    """Each track's rounds with their marks, from `pairs` and `pairmark` records (live ones only).

    A round under any id but its own is nobody's answer and is left out.
    """
    marks: dict[tuple[str, str], dict[str, str]] = {}
    rounds: list[Record] = []
    for r in records:
        if r.deleted:
            continue
        if r.kind == "pairmark":
            mark = PairMark.from_payload(r.date, r.payload)
            marks.setdefault((mark.track, r.date), {})[mark.member.casefold()] = mark.mark
        elif r.kind == "pairs":
            rounds.append(r)
    out: dict[str, list[PastRound]] = {t: [] for t in TRACKS}
    for r in sorted(rounds, key=lambda r: (r.date, r.id)):
        found = PairRound.from_payload(r.date, r.payload)
        monday = date.fromisoformat(r.date)
        if r.id != round_id(team, found.track, monday):
            continue
        said = marks.get((found.track, r.date), {})
        out[found.track].append(PastRound(monday, found.groups,
                                          frozenset(k for k, v in said.items() if v == "skip"),
                                          frozenset(k for k, v in said.items() if v == "met")))
    return out


class RoundFacts(NamedTuple):
    """One round as the figures count it."""

    monday: date
    groups: int
    marked: int  # groups with any mark
    met: int  # of those, marked met by someone and skipped by none
    repeats: int  # pairs grouped again within the cooldown of their last meeting
    longest_gap_weeks: int  # the most weeks since someone in it was last grouped (0: none before)


def round_facts(rounds: Iterable[PastRound], cooldown_weeks: int) -> tuple[RoundFacts, ...]:
    """Every round's facts, oldest first, in one pass (a skipped meeting is no meeting)."""
    last: dict[frozenset[str], date] = {}
    seen: dict[str, date] = {}
    out = []
    for r in sorted(rounds, key=lambda r: r.monday):
        marked = met = repeats = gap = 0
        for g in r.groups:
            keys = [n.casefold() for n in g]
            if any(k in r.met or k in r.skipped for k in keys):
                marked += 1
                met += not any(k in r.skipped for k in keys) and any(k in r.met for k in keys)
            for a, b in combinations(keys, 2):
                when = last.get(frozenset((a, b)))
                if when is not None and when < r.monday and (r.monday - when).days // 7 <= cooldown_weeks:
                    repeats += 1
            for k in keys:
                if k in seen and seen[k] < r.monday:
                    gap = max(gap, (r.monday - seen[k]).days // 7)
        for g in r.groups:
            keys = [n.casefold() for n in g]
            for a, b in combinations(keys, 2):
                if a not in r.skipped and b not in r.skipped:
                    last[frozenset((a, b))] = r.monday
            for k in keys:
                seen[k] = r.monday
        out.append(RoundFacts(r.monday, len(r.groups), marked, met, repeats, gap))
    return tuple(out)


class PairStats(NamedTuple):
    """What a report says of the buddy (or coffee) rounds in a period."""

    rounds: int
    pairs_made: int  # groups: a trio is one
    share_met: float | None  # of the groups with any mark, those marked met by someone and skipped by none
    repeats_within_cooldown: int  # pairs grouped again within the cooldown of their last meeting
    longest_gap_weeks: int  # the most weeks between two rounds a person was grouped in, ending in the period


def stats_of(facts: Iterable[RoundFacts]) -> PairStats:
    """The figures of some rounds' facts."""
    chosen = list(facts)
    marked = sum(f.marked for f in chosen)
    return PairStats(len(chosen), sum(f.groups for f in chosen),
                     sum(f.met for f in chosen) / marked if marked else None,
                     sum(f.repeats for f in chosen), max((f.longest_gap_weeks for f in chosen), default=0))


def pair_stats(rounds: Iterable[PastRound], cooldown_weeks: int, *, since: date | None = None,
               until: date | None = None) -> PairStats:
    """Pairs made, share met, repeats within the cooldown, longest gap, for rounds from since to until."""
    return stats_of(f for f in round_facts(rounds, cooldown_weeks)
                    if (since is None or f.monday >= since) and (until is None or f.monday <= until))
