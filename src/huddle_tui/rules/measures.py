"""The validated measures a team may opt into: their wording, scoring, cut-offs and team aggregates.

- Single-Item Stress Question (SISQ; Elo, Leppänen & Jahkola 2003), weekly:
  one item, answers 1 "not at all" … 5 "very much"; 4–5 in 2 or more
  consecutive weeks is the usual risk signal.
- WHO-5 Well-Being Index (WHO 1998; Topp et al. 2015), every two weeks: five
  items 0–5 about the last two weeks; raw × 4 = 0–100; ≤ 50 suggests poor
  wellbeing.

See docs/wellbeing.md. A member's answers are theirs in full on their own
machine; the team sees only aggregates of at least K answers.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from typing import Any, NamedTuple

from huddle_tui.rules.privacy import K

MEASURE_KIND = "measure"
SISQ, WHO5 = "sisq", "who5"
SISQ_QUESTION = ("Stress means a situation in which a person feels tense, restless, nervous or "
                 "anxious or is unable to sleep at night because his/her mind is troubled all the "
                 "time. Do you feel this kind of stress these days?")
SISQ_ANSWERS: dict[int, str] = {1: "not at all", 2: "only a little", 3: "to some extent",
                                4: "rather much", 5: "very much"}
SISQ_HIGH = 4
SISQ_WEEKS = 2
WHO5_INTRO = "Over the last two weeks:"
WHO5_ITEMS = ("I have felt cheerful and in good spirits",
              "I have felt calm and relaxed",
              "I have felt active and vigorous",
              "I woke up feeling fresh and rested",
              "My daily life has been filled with things that interest me")
WHO5_ANSWERS: dict[int, str] = {5: "all of the time", 4: "most of the time",
                                3: "more than half of the time", 2: "less than half of the time",
                                1: "some of the time", 0: "at no time"}
WHO5_CUTOFF = 50
EVERY_DAYS: dict[str, int] = {SISQ: 7, WHO5: 14}


class Answer(NamedTuple):
    """One measure answered on one date: SISQ one item (1–5), WHO-5 five items (0–5)."""

    measure: str
    date: date
    items: tuple[int, ...]

    def to_payload(self) -> dict[str, Any]:
        """The answer as record data (no member: the private copy adds it)."""
        return {"measure": self.measure, "items": list(self.items)}

    @classmethod
    def from_payload(cls, day: str, data: Mapping[str, Any]) -> Answer | None:
        """Read an answer back, or None when it is not a well-formed one (nothing shared is trusted)."""
        measure, items = data.get("measure"), data.get("items")
        if measure not in (SISQ, WHO5) or not isinstance(items, list):
            return None
        if not all(i.__class__ is int for i in items):
            return None
        try:
            answer = cls(str(measure), date.fromisoformat(day), tuple(items))
        except ValueError:
            return None
        return answer if valid(answer) else None


def valid(answer: Answer) -> bool:
    """Whether the items fit the measure's scale."""
    if answer.measure == SISQ:
        return len(answer.items) == 1 and answer.items[0] in SISQ_ANSWERS
    return len(answer.items) == len(WHO5_ITEMS) and all(i in WHO5_ANSWERS for i in answer.items)


def who5_score(items: Iterable[int]) -> int:
    """The WHO-5 percentage score: the raw sum (0–25) × 4."""
    return sum(items) * 4


def score(answer: Answer) -> int:
    """An answer's score: the SISQ answer itself, the WHO-5 percentage."""
    return answer.items[0] if answer.measure == SISQ else who5_score(answer.items)


def past_cutoff(answer: Answer) -> bool:
    """Whether one answer is on the risk side of its cut-off (SISQ 4–5; WHO-5 ≤ 50)."""
    return score(answer) >= SISQ_HIGH if answer.measure == SISQ else score(answer) <= WHO5_CUTOFF


def signals(answers: Iterable[Answer], today: date) -> tuple[str, ...]:
    """Which measures cross their cut-off for a member now (from that member's own answers).

    SISQ: 4–5 in each of the latest SISQ_WEEKS consecutive ISO weeks, the
    latest this week or last. WHO-5: the latest answer, within its two weeks,
    scores ≤ 50.
    """
    mine = sorted(answers, key=lambda a: a.date)
    out: list[str] = []
    weekly: dict[tuple[int, int], Answer] = {}
    for a in mine:
        if a.measure == SISQ:
            weekly[a.date.isocalendar()[:2]] = a  # the week's latest
    week = today.isocalendar()[:2]
    last_week = (today - timedelta(days=7)).isocalendar()[:2]
    start = week if week in weekly else last_week
    run, cursor = 0, date.fromisocalendar(start[0], start[1], 1)
    while cursor.isocalendar()[:2] in weekly and past_cutoff(weekly[cursor.isocalendar()[:2]]):
        run += 1
        cursor -= timedelta(days=7)
    if run >= SISQ_WEEKS:
        out.append(SISQ)
    who5 = [a for a in mine if a.measure == WHO5 and (today - a.date).days < EVERY_DAYS[WHO5]]
    if who5 and past_cutoff(who5[-1]):
        out.append(WHO5)
    return tuple(out)


def due(measures: Iterable[str], answers: Iterable[Answer], today: date) -> tuple[str, ...]:
    """The opted-in measures to ask today: SISQ once per ISO week, WHO-5 once per 14 days."""
    mine = list(answers)
    out = []
    for m in sorted(measures):
        if m == SISQ and any(a.measure == SISQ and a.date.isocalendar()[:2] == today.isocalendar()[:2]
                             for a in mine):
            continue
        if m == WHO5 and any(a.measure == WHO5 and 0 <= (today - a.date).days < EVERY_DAYS[WHO5]
                             for a in mine):
            continue
        if m in EVERY_DAYS:
            out.append(m)
    return tuple(out)


class Aggregate(NamedTuple):
    """One measure over a period for the team: how many answered, the mean, how many past the cut-off."""

    measure: str
    answers: int
    mean: float
    past_cutoff: int


Sums = tuple[str, int, int, int]
"""A measure's opened team total of a day (totals mode): measure, answers, score sum, past the cut-off."""


def measure_aggregates(answers: Iterable[Answer], start: date, end: date,
                       k: int = K, sums: Iterable[Sums] = ()) -> dict[str, Aggregate | None]:
    """Each measure's team aggregate for a period, from its anonymous records: None below k answers.

    The answers are the shared folder's anonymous `measure` records (each
    released only where k members could have given it); `sums` are the
    opened totals of days whose answers went only into the team's totals
    (their dates are the caller's to choose). A period with fewer than k of
    a measure shows nothing of it, not even a partial figure.
    """
    found: dict[str, list[int]] = {SISQ: [0, 0, 0], WHO5: [0, 0, 0]}  # answers, score sum, past cut-off
    for a in answers:
        if start <= a.date <= end and a.measure in found:
            found[a.measure][0] += 1
            found[a.measure][1] += score(a)
            found[a.measure][2] += int(past_cutoff(a))
    for measure, n, total, past in sums:
        if measure in found:
            found[measure] = [found[measure][0] + n, found[measure][1] + total, found[measure][2] + past]
    out: dict[str, Aggregate | None] = {}
    for measure, (n, total, past) in found.items():
        out[measure] = Aggregate(measure, n, round(total / n, 1), past) if n >= max(k, K) else None
    return out
