"""Signposts shown, validated measures and buddy pairs in the report, against histories worked by hand."""

from __future__ import annotations

from datetime import date

import pytest

from huddle_tui.config.team import Member, TeamConfig
from huddle_tui.rules import measures as m
from huddle_tui.rules.pair_figures import PairStats
from huddle_tui.rules.report import as_json, build, data_from_json, data_to_json, read_data
from huddle_tui.rules.report_format import render_csv, render_text
from tests.reportkit import Folder, away, team_of

NAMES = ("Ana", "Ben", "Chen", "Dara", "Emeka")
MON, TUE, WED, THU, FRI = (f"2026-11-0{d}" for d in range(2, 7))
MON2, TUE2 = "2026-11-09", "2026-11-10"


def d(iso: str) -> date:
    """A date from its ISO text."""
    return date.fromisoformat(iso)


def marked_fortnight() -> Folder:
    """Marks on dates with 3, 1 and 0 members who checked in from their own terminal.

    MON: Ana, Ben, Chen by command, Dara keyed in the round: 3 candidates.
    TUE: Ana by command, the others keyed in the round: 1 candidate.
    WED: Ana and Ben anonymous (placeholders), Chen by name: 3 candidates.
    THU: nobody checked in. MON2: Ana, Ben, Chen by command: 3 candidates.
    """
    f = Folder()
    for name in ("Ana", "Ben", "Chen"):
        f.named(MON, name, 3)
        f.named(MON2, name, 3)
    f.named(MON, "Dara", 4, source="tui")
    f.named(TUE, "Ana", 2)
    for name in ("Ben", "Chen", "Dara", "Emeka"):
        f.named(TUE, name, 4, source="tui")
    f.anonymous(WED, "Ana", 2)
    f.anonymous(WED, "Ben", 3)
    f.named(WED, "Chen", 4)
    f.signpost(MON, 2)
    f.signpost(TUE)  # one candidate: an older version released it; it counts nowhere
    f.signpost(WED)
    f.signpost(THU)  # nobody checked in that day
    f.signpost(MON2)
    f._add("signpost", MON, {"member": "Ana"})  # a named mark is nobody's to count
    return f


def test_signposts_count_whole_dates_with_three_candidates_and_show_from_three() -> None:
    """Week 45: MON 2 + WED 1 = 3 shown; TUE and THU never count; week 46 has 1: "fewer than 3"."""
    team = team_of(*(Member(n) for n in NAMES))
    data = read_data(team, marked_fortnight().history)
    first, second = build(data, d(MON), d(TUE2), "week").periods
    assert (first.signposts, first.signposts_fewer_than_3) == (3, False)
    assert (second.signposts, second.signposts_fewer_than_3) == (None, True)
    (monday,) = build(data, d(MON), d(MON), "week").periods
    assert (monday.signposts, monday.signposts_fewer_than_3) == (None, True)  # 2 of them
    (tue_to_fri,) = build(data, d(TUE), d(FRI), "week").periods
    assert tue_to_fri.signposts is None  # WED's 1: TUE's and THU's are left out
    (month,) = build(data, d(MON), d(TUE2), "month").periods
    assert month.signposts == 4
    report = build(data, d(MON), d(TUE2), "week")
    text = render_text(report)
    assert "signposts:          3 shown" in text and "signposts:          fewer than 3" in text
    assert as_json(report)["periods"][1]["signposts"] is None
    assert as_json(report)["periods"][1]["signposts_fewer_than_3"] is True
    header, row1, row2 = render_csv(report).splitlines()
    cols = header.split(",")
    assert row1.split(",")[cols.index("signposts")] == "3"
    assert row2.split(",")[cols.index("signposts")] == ""
    assert row2.split(",")[cols.index("signposts_fewer_than_3")] == "True"


def test_measures_aggregate_released_answers_from_three_never_per_person() -> None:
    """SISQ 5, 4, 1 on MON: mean 3.3, 2 at 4-5; two WHO-5 answers: fewer than 3; week 46: none."""
    team = team_of(*(Member(n) for n in NAMES), measures=frozenset({m.SISQ, m.WHO5}))
    f = marked_fortnight()
    for answer in (5, 4, 1):
        f.measure(MON, m.SISQ, answer)
    f.measure(TUE, m.SISQ, 5)  # one candidate: never counted
    f.measure(WED, m.WHO5, 3, 3, 3, 3, 3)  # 60
    f.measure(WED, m.WHO5, 2, 2, 2, 2, 2)  # 40
    f.measure(WED, m.SISQ, 9)  # not a SISQ answer: set aside
    f._add("measure", MON, {"measure": m.SISQ, "items": [1], "member": "Ana"})  # named: not counted
    data = read_data(team, f.history)
    first, second = build(data, d(MON), d(TUE2), "week").periods
    assert first.measures == {m.SISQ: m.Aggregate(m.SISQ, 3, 3.3, 2), m.WHO5: None}
    assert second.measures == {m.SISQ: None, m.WHO5: None}  # a period with no answers
    report = build(data, d(MON), d(TUE2), "week")
    assert as_json(report)["periods"][0]["measures"] == {
        "sisq": {"answers": 3, "mean": 3.3, "past_cutoff": 2}, "who5": None}
    text = render_text(report)
    assert ("stress (SISQ) mean 3.3 of 1–5 from 3 answers, 2 at 4–5; WHO-5 fewer than 3 answers" in text)
    header, row1, _ = render_csv(report).splitlines()
    cells = dict(zip(header.split(","), row1.split(","), strict=True))
    assert (cells["sisq_answers"], cells["sisq_mean"], cells["sisq_past_cutoff"]) == ("3", "3.3", "2")
    assert (cells["who5_answers"], cells["measures_collected"]) == ("", "True")
    (month,) = build(data, d(MON), d(TUE2), "month").periods
    assert month.measures is not None and month.measures[m.WHO5] is None


def test_measures_are_not_collected_where_the_team_never_opted_in() -> None:
    """No measures in huddle.toml and no answers: "not collected", null, and an empty CSV cell."""
    team = team_of(*(Member(n) for n in NAMES))
    report = build(read_data(team, marked_fortnight().history), d(MON), d(FRI), "week")
    (p,) = report.periods
    assert p.measures is None and as_json(report)["periods"][0]["measures"] is None
    assert "validated measures: not collected" in render_text(report)
    assert "measures_collected" in render_csv(report).splitlines()[0]


def buddy_month() -> tuple[Folder, TeamConfig]:
    """Five buddy rounds of Ana, Ben, Chen and Dara (cooldown 6); Dara is away the week of 23 Nov."""
    team = team_of(*(Member(n, pairs=True) for n in ("Ana", "Ben", "Chen")),
                   Member("Dara", pairs=True, away=away("2026-11-23", "2026-11-27")), Member("Emeka"))
    f = Folder()
    f.pairs(team, "2026-11-02", ("Ana", "Ben"), ("Chen", "Dara"), marks={"Ana": "met", "Chen": "skip"})
    f.pairs(team, "2026-11-09", ("Ana", "Chen"), ("Ben", "Dara"))
    f.pairs(team, "2026-11-16", ("Ana", "Ben"), ("Chen", "Dara"), marks={"Ben": "met"})
    f.pairs(team, "2026-11-23", ("Ana", "Ben", "Chen"))
    f.pairs(team, "2026-11-30", ("Ana", "Dara"), ("Ben", "Chen"))
    f._add("pairs", "2026-11-16", {"track": "buddy", "groups": [["Ana", "Emeka"]], "cooldown": 6})  # stray id
    return f, team


def test_pair_figures_per_week_and_month_worked_by_hand() -> None:
    """Repeats: Ana+Ben on 16 Nov (met 2 Nov); Ana+Ben and Ana+Chen in the trio; Ben+Chen on 30 Nov.

    Chen+Dara on 16 Nov is no repeat: Chen skipped their 2 Nov meeting. Marked groups: Ana+Ben on
    2 Nov (met), Chen+Dara on 2 Nov (skipped), Ana+Ben on 16 Nov (met): 2 of 3. Dara's gap: grouped
    16 Nov, away the next week, grouped 30 Nov: 2 weeks.
    """
    f, team = buddy_month()
    data = read_data(team, f.history)
    (nov,) = build(data, d("2026-11-01"), d("2026-11-30"), "month").periods
    assert nov.pairs is not None
    assert nov.pairs["buddy"]._replace(share_met=None) == PairStats(5, 9, None, 4, 2)
    assert nov.pairs["buddy"].share_met == pytest.approx(2 / 3)
    assert nov.pairs["coffee"] == PairStats(0, 0, None, 0, 0)
    weeks = build(data, d("2026-11-02"), d("2026-12-06"), "week").periods
    assert [p.pairs["buddy"] if p.pairs else None for p in weeks] == [
        PairStats(1, 2, 0.5, 0, 0), PairStats(1, 2, None, 0, 1), PairStats(1, 2, 1.0, 1, 1),
        PairStats(1, 1, None, 2, 1), PairStats(1, 2, None, 1, 2)]
    report = build(data, d("2026-11-30"), d("2026-12-06"), "week")
    assert "buddies:            2 pairs in 1 round, none marked met or skipped, 1 repeat within the " \
           "cooldown, longest gap 2 weeks" in render_text(report)
    assert as_json(report)["periods"][0]["pairs"]["buddy"] == {
        "rounds": 1, "pairs_made": 2, "share_met": None, "repeats_within_cooldown": 1, "longest_gap_weeks": 2}
    header, row = render_csv(report).splitlines()
    cells = dict(zip(header.split(","), row.split(","), strict=True))
    assert (cells["buddy_pairs_made"], cells["buddy_repeats_within_cooldown"], cells["coffee_rounds"]) == (
        "2", "1", "0")


def test_a_team_with_nobody_opted_in_has_no_pair_figures() -> None:
    """No member takes part and no round was ever made: "nobody opted in", null, empty cells."""
    team = team_of(*(Member(n) for n in NAMES))
    report = build(read_data(team, Folder().history), d(MON), d(FRI), "week")
    assert report.periods[0].pairs is None
    assert as_json(report)["periods"][0]["pairs"] is None
    assert "buddies:            nobody opted in" in render_text(report)
    header, row = render_csv(report).splitlines()
    assert dict(zip(header.split(","), row.split(","), strict=True))["buddy_pairs_made"] == ""


def test_the_kept_facts_round_trip_the_new_figures() -> None:
    """What the report keeps beside the index gives the same figures as a fresh read."""
    f, team = buddy_month()
    f2 = marked_fortnight()
    for record in f2.history.records.values():
        f.history.add(record)
    for answer in (5, 4, 1):
        f.measure(MON, m.SISQ, answer)
    measured = team._replace(measures=frozenset({m.SISQ}))
    fresh = read_data(measured, f.history)
    kept = data_from_json(measured, data_to_json(fresh))
    for by in ("week", "month"):
        assert build(kept, d(MON), d("2026-12-06"), by) == build(fresh, d(MON), d("2026-12-06"), by)
