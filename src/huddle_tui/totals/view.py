"""What a reader opens of a day's anonymous totals, and what it may show of them.

The totals of a day are computed by every reader from the files (the
aggregation core's `open_day`): the agreed list's contributions summed, the
absent members' masks and the listed members' summed self-masks taken out
with the shares revealed. What opened is shown only under the k rule on
signed placeholders (rules/privacy.py): the mean from K anonymous answers,
the distribution from K_DISTRIBUTION; and never when the counts claim more
anonymous answers than members who left a signed placeholder that day (some
contribution is not honest: flagged, nothing shown). A contribution the list
does not name — late, or another version — is never summed.
"""

from __future__ import annotations

from datetime import date
from typing import Any, NamedTuple

from huddle_tui.aggregation.layout import plausible
from huddle_tui.aggregation.unmask import open_day
from huddle_tui.config.team import TeamConfig
from huddle_tui.rules.privacy import K_DISTRIBUTION, K
from huddle_tui.storage.folder import FolderStore
from huddle_tui.totals.records import LAYOUT, Trusted, read_day
from huddle_tui.totals.steps import closed
from huddle_tui.totals.week import Placeholders, week_figures

COLLECTING, OPENING, OPEN, FEW, FLAGGED, NONE = "collecting", "opening", "open", "too few", "flagged", "none"
"""A day's totals: still taking contributions; waiting for its list and reveals; opened; opened with too
few anonymous answers to show any figure; not adding up (not shown); nothing contributed."""


class DayView(NamedTuple):
    """A day's anonymous totals as they may be shown."""

    state: str
    contributions: int = 0
    answers: int | None = None
    mean: float | None = None
    distribution: dict[int, int] | None = None
    week: dict[str, Any] | None = None

    def to_payload(self) -> dict[str, Any]:
        """The view as kept in the folder's cache (storage/derived.py)."""
        return {"state": self.state, "contributions": self.contributions, "answers": self.answers,
                "mean": self.mean, "distribution": self.distribution, "week": self.week}

    @classmethod
    def from_payload(cls, payload: dict[str, Any]) -> DayView:
        """A kept view back (KeyError or TypeError when it is not one: it is opened afresh)."""
        distribution = payload["distribution"]
        return cls(str(payload["state"]), int(payload["contributions"]), payload["answers"], payload["mean"],
                   {int(k): int(v) for k, v in distribution.items()} if distribution is not None else None,
                   payload["week"])

    def as_json(self) -> dict[str, Any]:
        """The view as plain JSON data (figures the k rule hides are null)."""
        shown = {str(k): v for k, v in self.distribution.items()} if self.distribution else None
        return {"state": self.state, "contributions": self.contributions, "answers": self.answers,
                "mean": self.mean, "distribution": shown, "week": self.week}


def day_view(store: FolderStore, team: TeamConfig, day: date, today: date, trusted: Trusted,
             placeholders: Placeholders) -> DayView:
    """Open `day`'s totals from the folder (reading only) and keep what the k rule allows."""
    if not closed(team, day, today):
        return DayView(COLLECTING)
    records = read_day(store, team, day.isoformat(), trusted)
    if not records.contributions:
        return DayView(NONE)
    agreed = records.agreed()
    if len(agreed) != 1:
        return DayView(OPENING)
    day_list = agreed[0]
    roster = records.roster_of(day_list)
    if roster is None:
        return DayView(OPENING)
    totals = open_day(day_list, records.listed(day_list), roster, records.reveals_for(day_list), LAYOUT)
    listed = len(day_list.survivors)
    counts = totals.sections.get("counts")
    if counts is None:
        return DayView(OPENING, listed)
    answers = counts["answers"]
    if not plausible(counts, listed) or answers > len(placeholders(day)):
        return DayView(FLAGGED, listed)
    if answers < K:
        return DayView(FEW, listed, answers, week=_week(store, team, day, today, trusted, placeholders))
    mean = None
    opened = totals.sections.get("mood_mean")
    if opened is not None:
        mean = round(opened["mood_sum"] / answers, 2)
    distribution = None
    counted = totals.sections.get("mood_counts")
    if counted is not None and answers >= K_DISTRIBUTION:
        distribution = {m: counted[f"mood_{m}"] for m in range(1, 6) if counted[f"mood_{m}"]}
    week = None if distribution is not None else _week(store, team, day, today, trusted, placeholders)
    if mean is None and distribution is None:
        return DayView(OPENING, listed, answers, week=week)
    return DayView(OPEN, listed, answers, mean, distribution, week)


def _week(store: FolderStore, team: TeamConfig, day: date, today: date, trusted: Trusted,
          placeholders: Placeholders) -> dict[str, Any] | None:
    """The pooled figures of the day's week that include it, as JSON (None: none open)."""
    found = week_figures(store, team, day, today, trusted, placeholders)
    if found is None:
        return None
    shown = {str(k): v for k, v in found.distribution.items()} if found.distribution else None
    return {"days": found.days, "answers": found.answers, "mean": found.mean, "distribution": shown}
