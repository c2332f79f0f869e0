"""The org report's k ≥ 3 rule against a subtraction attacker who also knows their own team.

The attacker reads the whole report and knows every figure of their own
team (they see its summaries). For each figure — signpost counts included —
they subtract the teams shown, and their own, from the org total: what is
left must rest on at least 3 people, or on nobody; otherwise they have
learnt something of fewer than 3. A team whose records name nobody (only
anonymous answers or signpost marks) rests on at least one person.
"""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from huddle_tui.server.orgreport import FEWER, MOODS, Answer, K, build_report, team_figures

DAYS = ["2026-11-02", "2026-11-03", "2026-11-10", "2026-11-17", "2026-11-24"]


@st.composite
def orgs_over(draw: st.DrawFn, days: list[str], teams: int, people: tuple[int, int], per_person: int,
              signposts: int) -> list[Answer]:
    """Up to `teams` teams of `people` (min, max) each: check-ins on some of `days`, moods, signposts."""
    answers = []
    for t in range(draw(st.integers(1, teams))):
        for p in range(draw(st.integers(*people))):
            for day in draw(st.lists(st.sampled_from(days), min_size=1, max_size=per_person, unique=True)):
                answers.append(Answer(f"team{t}", day, f"p{t}-{p}", draw(st.sampled_from(MOODS))))
        for day in draw(st.lists(st.sampled_from(days), max_size=signposts)):
            answers.append(Answer(f"team{t}", day, None, None, signpost=True))
    return answers


def organisations() -> st.SearchStrategy[list[Answer]]:
    """Teams of 0 to 8 people (some tiny), each checking in on some days with some mood, and signposts."""
    return orgs_over(DAYS, 6, (0, 8), 3, 4)


def numbers(figures: dict[str, Any]) -> list[int]:
    """A figures object flattened to its numbers, in a fixed order."""
    return [figures["participants"], figures["checkins"], figures["weekly_coverage"]["weeks_with_3_or_more"],
            *figures["mood_distribution"].values(), figures["signposts"]]


@settings(max_examples=150, deadline=None)
@given(organisations())
def test_no_reader_can_subtract_their_way_to_fewer_than_3_people(answers: list[Answer]) -> None:
    """Shown teams are exact; for every attacker team, the residue is empty or rests on ≥ 3 people."""
    report = build_report(answers, DAYS[0], DAYS[-1])
    truth = {t: team_figures([a for a in answers if a.team == t]) for t in {a.team for a in answers}}
    assert set(report["teams"]) == set(truth)
    for team, shown in report["teams"].items():
        if shown != FEWER:
            assert shown["participants"] >= K
            assert numbers(shown) == numbers(truth[team].as_json(1))
    if report["org"] == FEWER:
        return
    hidden = [t for t, shown in report["teams"].items() if shown == FEWER]
    for attacker in truth:
        residue_people = sum(truth[t].people for t in hidden if t != attacker)
        visible = [numbers(s) for s in report["teams"].values() if s != FEWER]
        org = numbers(report["org"])
        own = numbers(truth[attacker].as_json(1)) if attacker in hidden else [0] * len(org)
        columns = list(zip(*visible, strict=True)) if visible else [()] * len(org)
        residue = [o - sum(col) - mine for o, col, mine in zip(org, columns, own, strict=True)]
        assert residue[0] == residue_people  # the attacker's subtraction finds the hidden people …
        assert residue[-1] == sum(truth[t].signposts for t in hidden if t != attacker)  # … and signposts
        resting_on = sum(max(truth[t].people, 1) for t in hidden if t != attacker)
        assert not any(residue) or resting_on >= K, (attacker, hidden, report)


def test_a_small_team_is_hidden_with_two_others_and_a_lone_team_hides_the_org() -> None:
    """Teams of 2, 5, 4 and 9: hiding the 2 with the 4 alone lets the 4 subtract, so the 5 goes too."""
    sizes = (("a", 2), ("b", 5), ("c", 4), ("d", 9))
    answers = [Answer(t, "2026-11-24", f"{t}{i}", 3) for t, n in sizes for i in range(n)]
    report = build_report(answers, "2026-11-23", "2026-11-24")
    assert [t for t, shown in report["teams"].items() if shown == FEWER] == ["a", "b", "c"]
    assert report["teams"]["d"]["participants"] == 9
    assert report["org"]["participants"] == 18  # a's week rests on 2 people: it counts nowhere
    lone = build_report(answers[:2], "2026-11-23", "2026-11-24")
    assert lone == {**lone, "teams": {"a": FEWER}, "org": FEWER}


def test_signposts_are_counted_shown_and_hidden_with_their_teams_figures() -> None:
    """A signpost adds no person: it counts only in a week of 3 or more people, and hidden ones only sum."""
    sizes = (("a", 2, 1), ("b", 5, 1), ("c", 4, 0), ("d", 9, 2))
    answers = [Answer(t, "2026-11-24", f"{t}{i}", 3) for t, n, _ in sizes for i in range(n)]
    answers += [Answer(t, "2026-11-24", None, None, signpost=True)
                for t, _, marks in sizes for _ in range(marks)]
    report = build_report(answers, "2026-11-23", "2026-11-24")
    assert [t for t, shown in report["teams"].items() if shown == FEWER] == ["a", "b", "c"]
    assert report["teams"]["d"]["signposts"] == 2
    assert report["org"]["signposts"] == 3  # b's and d's; a's week (2 people) counts nowhere
    assert report["org"]["checkins"] == 18  # a signpost is not a check-in
    marks_only = build_report([*answers, Answer("e", "2026-11-24", None, None, signpost=True)],
                              "2026-11-23", "2026-11-24")
    assert [t for t, shown in marks_only["teams"].items() if shown == FEWER] == ["a", "b", "c", "e"]
    assert marks_only["org"]["signposts"] == 3  # e's mark rests on nobody named: it counts nowhere


SPAN = [f"2026-11-{d:02d}" for d in range(2, 30)]  # four whole weeks, Monday 2 to Sunday 29 November


@st.composite
def windows(draw: st.DrawFn) -> tuple[str, str, str, str]:
    """Two nested windows of days, (outer from, outer to, inner from, inner to)."""
    a, b, c, d = sorted(draw(st.lists(st.integers(0, len(SPAN) - 1), min_size=4, max_size=4)))
    return SPAN[a], SPAN[d], SPAN[b], SPAN[c]


def busy_organisations() -> st.SearchStrategy[list[Answer]]:
    """Teams of 1 to 6 people checking in on any days of the span, and signposts."""
    return orgs_over(SPAN, 3, (1, 6), 6, 3)


def answers_figures(figures: dict[str, Any]) -> list[int]:
    """The figures that count answers (check-ins, moods, signposts): what two windows' difference isolates."""
    return [figures["checkins"], *figures["mood_distribution"].values(), figures["signposts"]]


@settings(max_examples=200, deadline=None)
@given(busy_organisations(), windows())
def test_two_windows_never_differ_by_the_answers_of_fewer_than_3_people(
        answers: list[Answer], span: tuple[str, str, str, str]) -> None:
    """The reader asks for two nested windows and subtracts: what differs rests on ≥ 3 people, or nobody."""
    outer, inner = build_report(answers, span[0], span[1]), build_report(answers, span[2], span[3])
    only_outer = {d for d in SPAN if outer["from"] <= d <= outer["to"]} - {
        d for d in SPAN if inner["from"] <= d <= inner["to"]}
    scopes = [(t, outer["teams"][t], inner["teams"].get(t, FEWER)) for t in outer["teams"]]
    for team, big, small in [*scopes, (None, outer["org"], inner["org"])]:
        if big == FEWER or small == FEWER:
            continue
        diff = [x - y for x, y in zip(answers_figures(big), answers_figures(small), strict=True)]
        people = {a.member for a in answers if a.day in only_outer and a.member and team in (None, a.team)}
        assert not any(diff) or len(people) >= K, (team, span, outer["from"], outer["to"], diff, people)
