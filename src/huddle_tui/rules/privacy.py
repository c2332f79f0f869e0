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
docs/privacy.md states what this protects against and what it cannot.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from huddle_tui.config.team import TeamConfig
from huddle_tui.model.checkin import CheckIn

K = 3


def candidates(team: TeamConfig, day: date, checkins: Iterable[CheckIn]) -> int:
    """How many members could have given an anonymous answer dated `day`, given the named records."""
    iso = day.isoformat()
    same_day = [c for c in checkins if c.date == iso and c.member]
    withheld = {c.member.casefold() for c in same_day if c.withheld and c.member}
    if withheld:
        return len(withheld)
    named = {c.member.casefold() for c in same_day if c.member}
    return sum(1 for m in team.expected(day) if m.name.casefold() not in named)


def releasable(team: TeamConfig, day: date, checkins: Iterable[CheckIn]) -> bool:
    """Whether anonymous answers dated `day` may be released: at least K members could have given them."""
    return candidates(team, day, checkins) >= K


def shown_count(count: int) -> int | None:
    """A count of anonymous answers as outputs may show it: None (hidden) below K."""
    return count if count >= K else None
