"""The release rule for anonymous answers: k-anonymity with k = 3, judged against what teammates see.

A teammate sees every named record of a day: who answered by name (and
what), and who left a placeholder (checked in, answer withheld: anonymous
or private). An anonymous answer for that day could therefore only have
come from a member with a placeholder — or, for answers written before
placeholders existed, from an expected member with no named answer. Those
members are its *candidates*. An anonymous answer is released (written to
the shared folder, shown, exported, posted) only where it has at least K
candidates; until then it stays on its author's machine. Outputs add two
rules of their own: a count of anonymous answers, and a distribution of
them, is shown only from K answers up; and anonymous and named answers are
never mixed in one distribution, so no one can subtract the named ones.

*Marks* (a signpost shown, a validated measure answered) say nothing of a
check-in's answer, and no placeholder says who left one. A measure is
answered only in the check-in form, right after its check-in is saved; a
signpost is shown after a check-in at one's own terminal, or by `huddle me`.
Their candidates are the members who checked in that day from their own
terminal: each of them could have left the mark. A check-in keyed on the
round's shared screen (source ROUND_SOURCE) shows its member did not use the
form that day, so it is no candidate. (A member may also run `huddle me`
without checking in: counting only those who checked in keeps the
candidates to members no teammate can rule out.) A mark is released, and
counted, only where at least K members are candidates.
docs/privacy.md states what this protects against and what it cannot.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from huddle_tui.config.team import TeamConfig
from huddle_tui.model.checkin import WITHHELD, CheckIn

K = 3
"""k of the k-anonymity rule, the one place it is set: answers, marks, counts and means from K up.

Everything that holds back or hides a figure below it, in rules/ and server/,
and every word about it ("fewer than 3") is derived from it. The published
keys that name it (`signposts_fewer_than_3`, `weeks_with_3_or_more`) stay as
scripts read them; tests/test_k_once.py holds them, and the rest, to K.
"""
K_DISTRIBUTION = 5
"""The stricter threshold distributions will need: means from 3 answers, distributions from 5.

A distribution says more than a mean (how many gave each answer, down to a
lone low mood), so, as the field does, it needs more answers before it is
shown. Not used yet: mood distributions are still shown from K
(rules/insights.py) until the aggregation work moves them to this.
"""
FEWER = f"fewer than {K}"
"""How outputs say a figure is hidden below K; the org report's answer for a hidden team or org too."""
ROUND_SOURCE = "tui"
"""The source of a check-in keyed on the round's shared screen (Journal.amend_checkin)."""


def candidates(team: TeamConfig, day: date, checkins: Iterable[CheckIn]) -> int:
    """How many members could have given an anonymous answer dated `day`: placeholders on the roster.

    Only a placeholder can make a member a candidate, and only one its member
    signed counts (the reader sets every other aside: rules/authorship.py):
    an absentee is no candidate, since nothing says they answered.
    """
    return len(placeholder_members(team, day, checkins))


def placeholder_members(team: TeamConfig, day: date, checkins: Iterable[CheckIn]) -> frozenset[str]:
    """The members (folded names) who left a placeholder of their own dated `day`: `candidates`' members."""
    iso = day.isoformat()
    roster = {m.name.casefold() for m in team.members}
    return frozenset(c.member.casefold() for c in checkins if c.date == iso and c.member and c.withheld
                     and c.keyed_by is None and c.member.casefold() in roster)


def adds_up(day: date, checkins: Iterable[CheckIn]) -> bool:
    """Whether a day's anonymous answers are no more than its placeholders (else some are forged)."""
    iso = day.isoformat()
    same_day = [c for c in checkins if c.date == iso]
    anonymous = sum(1 for c in same_day if c.member is None or c.visibility == "anonymous")
    placeholders = len({c.member.casefold() for c in same_day if c.member and c.withheld})
    return anonymous <= placeholders


def releasable(team: TeamConfig, day: date, checkins: Iterable[CheckIn]) -> bool:
    """Whether anonymous answers dated `day` may be released: K members could have given them, and
    they add up (no more answers than placeholders: a day that does not add up shows none)."""
    checkins = list(checkins)
    return candidates(team, day, checkins) >= K and adds_up(day, checkins)


def concern_candidates(team: TeamConfig, day: date, checkins: Iterable[CheckIn]) -> int:
    """How many members could have raised an anonymous concern dated `day`: those who checked in
    themselves that day (by name or not), on the roster; never an absentee."""
    iso = day.isoformat()
    roster = {m.name.casefold() for m in team.members}
    return len({c.member.casefold() for c in checkins if c.date == iso and c.member
                and c.keyed_by is None and c.member.casefold() in roster})


def shown_count(count: int) -> int | None:
    """A count of anonymous answers as outputs may show it: None (hidden) below K."""
    return count if count >= K else None


def mark_candidates(day: date, checkins: Iterable[CheckIn]) -> int:
    """How many members could have left a mark dated `day`: those who checked in from their own terminal.

    Named answers and placeholders alike count (anonymous and private look
    the same); a check-in keyed on the round's shared screen does not.
    """
    iso = day.isoformat()
    return len({c.member.casefold() for c in checkins if c.date == iso and c.member and c.keyed_by is None
                and c.visibility in ("team", WITHHELD) and c.source != ROUND_SOURCE})


def mark_releasable(day: date, checkins: Iterable[CheckIn]) -> bool:
    """Whether marks dated `day` may go to the shared folder and be counted: at least K candidates."""
    return mark_candidates(day, checkins) >= K
