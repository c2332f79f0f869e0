"""An attacker who holds many reports (other --since, --until, --by) and subtracts them.

The attacker knows every named mood (they are in the folder by name) and
reads each period's published mood distribution. Subtracting the named
moods leaves the period's anonymous answers; subtracting a nested period's
leaves the anonymous answers of the dates between. The report is safe when
every such difference is empty or holds at least K answers that K members
could have given: nothing narrows an answer down to fewer than K people.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from huddle_tui.config.team import Member
from huddle_tui.rules.privacy import K
from huddle_tui.rules.report import BY, as_json, build, read_data
from tests.reportkit import Folder, team_of

NAMES = ("Ana", "Ben", "Chen", "Dara", "Emeka")
START = date(2026, 11, 2)  # a Monday
DAYS = [START + timedelta(days=i) for i in range(14) if (START + timedelta(days=i)).weekday() < 5]
Choice = tuple[str, int]  # ("none" | "named" | "anonymous" | "legacy", mood)

choices = st.tuples(st.sampled_from(("none", "named", "anonymous", "anonymous", "legacy")),
                    st.integers(1, 5))
histories = st.lists(st.lists(choices, min_size=len(NAMES), max_size=len(NAMES)),
                     min_size=len(DAYS), max_size=len(DAYS))
reports = st.lists(st.tuples(st.integers(0, len(DAYS) - 1), st.integers(0, len(DAYS) - 1),
                             st.sampled_from(BY)), min_size=2, max_size=6)


def folder_of(history: list[list[Choice]]) -> tuple[Folder, dict[str, Counter[int]]]:
    """The records of a generated history, and each date's named moods as the attacker knows them."""
    f = Folder()
    named: dict[str, Counter[int]] = {}
    for day, row in zip(DAYS, history, strict=True):
        iso = day.isoformat()
        named[iso] = Counter()
        for name, (how, mood) in zip(NAMES, row, strict=True):
            if how == "named":
                f.named(iso, name, mood)
                named[iso][mood] += 1
            elif how in ("anonymous", "legacy"):  # legacy: written before placeholders existed
                f.anonymous(iso, name, mood, placeholder=how == "anonymous")
    return f, named


def anonymous_seen(periods: list[dict[str, object]], named: dict[str, Counter[int]]
                   ) -> list[tuple[str, str, Counter[int]]]:
    """Each published period's anonymous answers: its distribution minus the named moods in its dates."""
    out = []
    for p in periods:
        total = Counter({int(k): v for k, v in (p["mood_distribution"] or {}).items()})  # type: ignore[attr-defined]
        for iso, moods in named.items():
            if str(p["start"]) <= iso <= str(p["end"]):
                total.subtract(moods)
        assert all(v >= 0 for v in total.values())
        out.append((str(p["start"]), str(p["end"]), +total))
    return out


def leaks(seen: list[tuple[str, str, Counter[int]]]) -> list[Counter[int]]:
    """Every non-empty difference the attacker can form that holds fewer than K answers."""
    found = [c for _, _, c in seen if 0 < c.total() < K]
    for a_start, a_end, a in seen:
        for b_start, b_end, b in seen:
            if a_start <= b_start and b_end <= a_end and (a_start, a_end) != (b_start, b_end):
                diff = a.copy()
                diff.subtract(b)
                if 0 < (+diff).total() < K:
                    found.append(+diff)
    return found


@settings(max_examples=60, deadline=None)
@given(histories, reports)
def test_no_two_reports_narrow_an_anonymous_answer_below_k(history: list[list[Choice]],
                                                          asked: list[tuple[int, int, str]]) -> None:
    """Across any reports asked of the same folder, no subtraction leaves fewer than K answers."""
    f, named = folder_of(history)
    data = read_data(team_of(*(Member(n) for n in NAMES)), f.history)
    periods: list[dict[str, object]] = []
    for i, j, by in asked:
        since, until = DAYS[min(i, j)], DAYS[max(i, j)]
        periods += as_json(build(data, since, until, by))["periods"]
        periods += as_json(build(data, since, since, by))["periods"]  # and each single day
    assert leaks(anonymous_seen(periods, named)) == []


def test_the_attacker_finds_a_naive_reports_leak() -> None:
    """The attacker is real: pooling every anonymous answer by period gives a lone answer away."""
    f, named = folder_of([[("anonymous", 1), ("anonymous", 4), ("anonymous", 4), ("named", 3), ("none", 3)],
                          [("anonymous", 2), ("none", 3), ("named", 5), ("named", 5), ("named", 5)]]
                         + [[("none", 3)] * 5] * (len(DAYS) - 2))
    anonymous = {"2026-11-02": Counter({1: 1, 4: 2}), "2026-11-03": Counter({2: 1})}

    def naive(start: str, end: str) -> dict[str, object]:
        """A period's distribution with every anonymous answer in it, as a careless report would."""
        total: Counter[int] = Counter()
        for iso in named:
            if start <= iso <= end:
                total.update(named[iso])
                total.update(anonymous.get(iso, Counter()))
        return {"start": start, "end": end, "mood_distribution": {str(k): v for k, v in total.items()}}

    careless = [naive("2026-11-02", "2026-11-03"), naive("2026-11-02", "2026-11-02")]
    assert leaks(anonymous_seen(careless, named)) == [Counter({2: 1})]
    data = read_data(team_of(*(Member(n) for n in NAMES)), f.history)
    ours = [p for d in ("2026-11-03", "2026-11-02") for p in as_json(build(
        data, DAYS[0], date.fromisoformat(d), "week"))["periods"]]
    assert leaks(anonymous_seen(ours, named)) == []
    assert ours[0]["anonymous_answers"] == 3  # the first day's three answers are a whole unit
