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
from collections.abc import Sequence
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


# ---------------------------------------------------------------- marks: signposts and measure answers

Way = str  # "none" | "named" | "round" (keyed on the shared screen) | "anonymous"
Marked = tuple[list[Way], int, list[int]]  # each member's check-in, signposts, SISQ answers that day

marked_days = st.tuples(st.lists(st.sampled_from(("none", "named", "round", "anonymous")),
                                 min_size=len(NAMES), max_size=len(NAMES)),
                        st.integers(0, 4), st.lists(st.integers(1, 5), max_size=4))


def marked_folder(history: list[Marked]) -> tuple[Folder, dict[str, tuple[int, int]]]:
    """The records of a generated history (marks on any date, as an older version or a teammate
    may have released them), and per date the (signposts, answers) that K or more could have left."""
    f = Folder()
    safe: dict[str, tuple[int, int]] = {}
    for day, (ways, signs, answers) in zip(DAYS, history, strict=True):
        iso = day.isoformat()
        for name, way in zip(NAMES, ways, strict=True):
            if way in ("named", "round"):
                f.named(iso, name, 3, source="tui" if way == "round" else "cli")
            elif way == "anonymous":
                f.anonymous(iso, name, 3)
        f.signpost(iso, signs)
        for answer in answers:
            f.measure(iso, "sisq", answer)
        could = sum(1 for w in ways if w in ("named", "anonymous"))  # checked in at their own terminal
        safe[iso] = (signs, len(answers)) if could >= K else (0, 0)
    return f, safe


Seen = tuple[str, str, int | None]  # a period's dates and its count as published (None: fewer than K)


def over_counted(seen: Sequence[Seen], safe: dict[str, int]) -> list[tuple[str, str, int]]:
    """Dates spans where the published counts prove more marks than K-candidate dates hold.

    A count shown is exact; "fewer than 3" is anything from 0 to K - 1. The attacker takes each
    period, and each nested pair's difference (the dates of the outer not in the inner), and
    works out the fewest marks those dates must hold.
    """
    def at_least(count: int | None) -> int:
        """The fewest marks a published count allows."""
        return count or 0

    def at_most(count: int | None) -> int:
        """The most marks a published count allows."""
        return K - 1 if count is None else count

    def inside(start: str, end: str, skip: tuple[str, str] | None = None) -> int:
        """Marks of K-candidate dates from start to end, leaving out a nested span."""
        return sum(n for iso, n in safe.items() if start <= iso <= end
                   and not (skip and skip[0] <= iso <= skip[1]))

    found = [(a, b, at_least(c)) for a, b, c in seen if at_least(c) > inside(a, b)]
    for a_start, a_end, a in seen:
        for b_start, b_end, b in seen:
            if a_start <= b_start and b_end <= a_end and (a_start, a_end) != (b_start, b_end):
                fewest = at_least(a) - at_most(b)
                if fewest > inside(a_start, a_end, (b_start, b_end)):
                    found.append((a_start, a_end, fewest))
    return found


@settings(max_examples=60, deadline=None)
@given(st.lists(marked_days, min_size=len(DAYS), max_size=len(DAYS)), reports)
def test_no_two_reports_count_a_mark_fewer_than_k_could_have_left(history: list[Marked],
                                                                  asked: list[tuple[int, int, str]]) -> None:
    """Signposts and measure answers count only as whole dates with K candidates, in any subtraction."""
    f, safe = marked_folder(history)
    data = read_data(team_of(*(Member(n) for n in NAMES), measures=frozenset({"sisq"})), f.history)
    periods: list[dict[str, object]] = []
    for i, j, by in asked:
        since, until = DAYS[min(i, j)], DAYS[max(i, j)]
        periods += as_json(build(data, since, until, by))["periods"]
        periods += as_json(build(data, since, since, by))["periods"]
    signs = [(str(p["start"]), str(p["end"]), p["signposts"]) for p in periods]
    assert all((p["signposts"] is None) == p["signposts_fewer_than_3"] for p in periods)
    assert over_counted(signs, {iso: s for iso, (s, _) in safe.items()}) == []  # type: ignore[arg-type]
    answers = [(str(p["start"]), str(p["end"]), (p["measures"]["sisq"] or {}).get("answers"))  # type: ignore[index]
               for p in periods]
    assert over_counted(answers, {iso: a for iso, (_, a) in safe.items()}) == []
    for p in periods:  # and never a count below K, nor an aggregate of fewer than K answers
        assert p["signposts"] is None or p["signposts"] >= K  # type: ignore[operator]
        assert (p["measures"]["sisq"] or {"answers": K})["answers"] >= K  # type: ignore[index]


def test_the_attacker_finds_a_careless_mark_count() -> None:
    """The attacker is real: counting every signpost in the folder gives away a lone day's mark."""
    ways = [["named", "named", "anonymous", "none", "none"], ["named", "round", "round", "round", "none"]]
    none: list[int] = []
    quiet = [(["none"] * 5, 0, none)] * (len(DAYS) - 2)
    f, safe = marked_folder([(ways[0], 3, none), (ways[1], 1, none), *quiet])  # the second day: one candidate
    signs = {iso: s for iso, (s, _) in safe.items()}
    careless = [(DAYS[0].isoformat(), DAYS[1].isoformat(), 4), (DAYS[0].isoformat(), DAYS[0].isoformat(), 3)]
    assert over_counted(careless, signs) == [(DAYS[0].isoformat(), DAYS[1].isoformat(), 4),  # 4 > 3 safe
                                             (DAYS[0].isoformat(), DAYS[1].isoformat(), 1)]  # minus the 3
    data = read_data(team_of(*(Member(n) for n in NAMES)), f.history)
    ours = [(str(p["start"]), str(p["end"]), p["signposts"]) for d in (DAYS[1], DAYS[0])
            for p in as_json(build(data, DAYS[0], d, "week"))["periods"]]
    assert over_counted(ours, signs) == []
    assert [c for _, _, c in ours] == [3, 3]  # the second day's mark is in no figure
