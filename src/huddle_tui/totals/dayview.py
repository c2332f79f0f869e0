"""A day's anonymous totals as they may be shown: what a reader opened, kept in its cache between reads.

Apart from the opening (view.py), so that showing a day's kept totals
imports no cryptography.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from huddle_tui.rules.measures import Sums

COLLECTING, OPENING, OPEN, FEW, FLAGGED, NONE = "collecting", "opening", "open", "too few", "flagged", "none"
"""A day's totals: still taking contributions; waiting for its list and reveals; opened; opened with too
few anonymous answers to show any figure; not adding up (not shown); nothing contributed."""


class DayView(NamedTuple):
    """A day's anonymous totals as they may be shown.

    Beside the mood figures: `texts`, the anonymous concerns as (kind, words)
    once K members wrote one (None: not open), `texts_lost` of them lost to
    a collision, `texts_sealed` when some were written but too few members
    wrote one for them to open; `measures`, each validated measure's team
    figures from K answers (`sum` the scores' sum, which the report adds up
    over whole days); `signposts`, how many were shown, from K;
    `takeaways`, the words of the takeaways left anonymously after circles
    and debriefs once K members left one (None: not open), sorted,
    `takeaways_lost` of them lost to a collision, `takeaways_sealed` when
    some travelled but too few for them to open (they travel again).
    """

    state: str
    contributions: int = 0
    answers: int | None = None
    mean: float | None = None
    distribution: dict[int, int] | None = None
    week: dict[str, Any] | None = None
    texts: tuple[tuple[str, str], ...] | None = None
    texts_lost: int = 0
    texts_sealed: bool = False
    measures: dict[str, dict[str, Any]] | None = None
    signposts: int | None = None
    mood_sum: int | None = None  # the opened moods' sum (with `answers`, what the report adds up)
    takeaways: tuple[str, ...] | None = None
    takeaways_lost: int = 0
    takeaways_sealed: bool = False

    def to_payload(self) -> dict[str, Any]:
        """The view as kept in the folder's cache (storage/derived.py)."""
        return {"state": self.state, "contributions": self.contributions, "answers": self.answers,
                "mean": self.mean, "distribution": self.distribution, "week": self.week,
                "texts": None if self.texts is None else [list(t) for t in self.texts],
                "texts_lost": self.texts_lost, "texts_sealed": self.texts_sealed,
                "measures": self.measures, "signposts": self.signposts, "mood_sum": self.mood_sum,
                "takeaways": None if self.takeaways is None else list(self.takeaways),
                "takeaways_lost": self.takeaways_lost, "takeaways_sealed": self.takeaways_sealed}

    @classmethod
    def from_payload(cls, payload: dict[str, Any]) -> DayView:
        """A kept view back (KeyError or TypeError when it is not one: it is opened afresh)."""
        distribution = payload["distribution"]
        texts = payload["texts"]
        takeaways = payload["takeaways"]
        return cls(str(payload["state"]), int(payload["contributions"]), payload["answers"], payload["mean"],
                   {int(k): int(v) for k, v in distribution.items()} if distribution is not None else None,
                   payload["week"],
                   None if texts is None else tuple((str(k), str(t)) for k, t in texts),
                   int(payload["texts_lost"]), bool(payload["texts_sealed"]), payload["measures"],
                   payload["signposts"], payload["mood_sum"],
                   None if takeaways is None else tuple(str(t) for t in takeaways),
                   int(payload["takeaways_lost"]), bool(payload["takeaways_sealed"]))

    def as_json(self) -> dict[str, Any]:
        """The view as plain JSON data (figures the k rule hides are null)."""
        shown = {str(k): v for k, v in self.distribution.items()} if self.distribution else None
        return {"state": self.state, "contributions": self.contributions, "answers": self.answers,
                "mean": self.mean, "distribution": shown, "week": self.week,
                "texts": None if self.texts is None else [{"kind": k, "text": t} for k, t in self.texts],
                "texts_lost": self.texts_lost, "texts_sealed": self.texts_sealed,
                "measures": self.measures, "signposts": self.signposts,
                "takeaways": None if self.takeaways is None else list(self.takeaways),
                "takeaways_lost": self.takeaways_lost, "takeaways_sealed": self.takeaways_sealed}


    def measure_sums(self) -> tuple[Sums, ...]:
        """Each opened measure as the report adds it up: measure, answers, score sum, past the cut-off."""
        return tuple((name, int(f["answers"]), int(f["sum"]), int(f["past_cutoff"]))
                     for name, f in sorted((self.measures or {}).items()))
