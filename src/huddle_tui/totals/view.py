"""What a reader opens of a day's anonymous totals, and what it may show of them.

The totals of a day are computed by every reader from the files (the
aggregation core's `open_day`): the agreed list's contributions summed, the
absent members' masks and the listed members' summed self-masks taken out
with the shares revealed. What opened is shown only under the k rule on
signed placeholders (rules/privacy.py): the mean from K anonymous answers,
the distribution from K_DISTRIBUTION; and never when the counts claim more
anonymous answers than members who left a signed placeholder that day (some
contribution is not honest: flagged, nothing shown). Beside the moods, each
other figure opens under its own rule (`extras_of`): the anonymous concerns
once K members wrote one, the takeaways left anonymously once K members
left one, a measure from K answers, signposts from K. A contribution the
list does not name — late, or another version — is never summed.
"""

from __future__ import annotations

from datetime import date
from typing import Any, NamedTuple

from huddle_tui.aggregation.layout import TAKEAWAYS, TEXTS, opens, plausible
from huddle_tui.aggregation.unmask import DayTotals, open_day
from huddle_tui.config.team import TeamConfig
from huddle_tui.rules.measures import WHO5_ITEMS, who5_score
from huddle_tui.rules.privacy import K_DISTRIBUTION, K
from huddle_tui.storage.folder import FolderStore
from huddle_tui.totals.answer import concern_of
from huddle_tui.totals.cutoff import closed
from huddle_tui.totals.dayview import COLLECTING, FEW, FLAGGED, NONE, OPEN, OPENING, DayView
from huddle_tui.totals.records import LAYOUT, Trusted, read_day
from huddle_tui.totals.week import Placeholders, week_figures

__all__ = ["COLLECTING", "FEW", "FLAGGED", "NONE", "OPEN", "OPENING", "DayView", "day_view", "extras_of"]


class Extras(NamedTuple):
    """What opened beside the moods: texts, measures, signposts (DayView's fields of the same names)."""

    texts: tuple[tuple[str, str], ...] | None
    texts_lost: int
    texts_sealed: bool
    measures: dict[str, dict[str, Any]] | None
    signposts: int | None
    takeaways: tuple[str, ...] | None = None
    takeaways_lost: int = 0
    takeaways_sealed: bool = False


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
    contributions = records.listed(day_list)
    extras = extras_of(totals, counts, any(c.takeaways is None for c in contributions.values()))
    if answers < K:
        week = _week(store, team, day, today, trusted, placeholders)
        return DayView(FEW, listed, answers, None, None, week, **extras._asdict())
    mean = mood_sum = None
    opened = totals.sections.get("mood_mean")
    if opened is not None:
        mood_sum = int(opened["mood_sum"])
        mean = round(mood_sum / answers, 2)
    distribution = None
    counted = totals.sections.get("mood_counts")
    if counted is not None and answers >= K_DISTRIBUTION:
        distribution = {m: counted[f"mood_{m}"] for m in range(1, 6) if counted[f"mood_{m}"]}
    week = None if distribution is not None else _week(store, team, day, today, trusted, placeholders)
    if mean is None and distribution is None:
        return DayView(OPENING, listed, answers, None, None, week, **extras._asdict())
    return DayView(OPEN, listed, answers, mean, distribution, week, mood_sum=mood_sum, **extras._asdict())


def extras_of(totals: DayTotals, counts: dict[str, int], older: bool = False) -> Extras:
    """The texts, measures and signposts a day's opened totals may show, each under its own k rule.

    Texts from K members who wrote one, in an order that says nothing of
    their slots or authors (sorted); those that landed in one slot with
    another are counted as lost. Takeaways the same, from K members who left
    one (`older`: a listed contribution from before the takeaway section,
    so they never open). A measure from K answers; signposts from K.
    """
    texts: tuple[tuple[str, str], ...] | None = None
    lost = 0
    sealed = counts["texts"] > 0 and not opens(TEXTS, counts)
    if totals.texts is not None and opens(TEXTS, counts):
        texts = tuple(sorted(concern_of(t) for t in totals.texts.texts))
        lost = max(0, counts["texts"] - len(texts))
    measures: dict[str, dict[str, Any]] = {}
    sisq = totals.sections.get("sisq")
    if sisq is not None and counts["sisq"] >= K:
        n = counts["sisq"]
        measures["sisq"] = {"answers": n, "mean": round(sisq["sisq_sum"] / n, 1),
                            "past_cutoff": sisq["sisq_high"], "sum": sisq["sisq_sum"]}
    who5 = totals.sections.get("who5")
    if who5 is not None and counts["who5"] >= K:
        n = counts["who5"]
        items = [who5[f"who5_item_{i}"] for i in range(1, len(WHO5_ITEMS) + 1)]
        measures["who5"] = {"answers": n, "mean": round(who5_score(items) / n, 1),
                            "past_cutoff": who5["who5_low"], "sum": who5_score(items),
                            "items": [round(v / n, 2) for v in items]}
    signposts = counts["signposts"] if counts["signposts"] >= K else None
    takeaways: tuple[str, ...] | None = None
    takeaways_lost = 0
    if totals.takeaways is not None and opens(TAKEAWAYS, counts):
        takeaways = tuple(sorted(t.body.decode("utf-8", errors="replace") for t in totals.takeaways.texts))
        takeaways_lost = max(0, counts["takeaway_authors"] - len(takeaways))
    takeaways_sealed = counts["takeaway_authors"] > 0 and (older or not opens(TAKEAWAYS, counts))
    return Extras(texts, lost, sealed, measures or None, signposts, takeaways, takeaways_lost,
                  takeaways_sealed)


def _week(store: FolderStore, team: TeamConfig, day: date, today: date, trusted: Trusted,
          placeholders: Placeholders) -> dict[str, Any] | None:
    """The pooled figures of the day's week that include it, as JSON (None: none open)."""
    found = week_figures(store, team, day, today, trusted, placeholders)
    if found is None:
        return None
    shown = {str(k): v for k, v in found.distribution.items()} if found.distribution else None
    return {"days": found.days, "answers": found.answers, "mean": found.mean, "distribution": shown}
