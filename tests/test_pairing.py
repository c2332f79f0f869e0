"""Buddy pairs: nobody left out, one trio for an odd count, no repeat within the cooldown when avoidable."""

from __future__ import annotations

import random
from datetime import date, timedelta
from itertools import combinations

from hypothesis import given, settings
from hypothesis import strategies as st

from huddle_tui.model.pairs import PastRound
from huddle_tui.rules.pair_figures import pair_stats
from huddle_tui.rules.pairing import (
    Candidate,
    choose,
    last_met,
    round_monday,
    thirds_needed,
)

START = date(2026, 1, 5)
BRUTE_UP_TO = 9


def groupings(people: list[str]) -> list[list[tuple[str, ...]]]:
    """Every way to split people into pairs, with one trio when the count is odd."""
    if not people:
        return [[]]
    if len(people) == 3:
        return [[tuple(people)]]
    first, rest = people[0], people[1:]
    out: list[list[tuple[str, ...]]] = []
    for i, other in enumerate(rest):
        remaining = rest[:i] + rest[i + 1:]
        for tail in groupings(remaining):
            out.append([(first, other), *tail])
    if len(people) % 2:
        for a, b in combinations(rest, 2):
            remaining = [p for p in rest if p not in (a, b)]
            for tail in groupings(remaining):
                if all(len(g) == 2 for g in tail):
                    out.append([(first, a, b), *tail])
    return out


def best_level(people: list[str], history: list[PastRound], monday: date, cooldown: int) -> int:
    """The longest cooldown (≤ the team's) some grouping keeps, by trying every grouping."""
    met = last_met(history, monday)

    def gap(a: str, b: str) -> int:
        """Weeks since a and b last met (huge when never)."""
        when = met.get(frozenset((a.casefold(), b.casefold())))
        return 1 << 30 if when is None else (monday - when).days // 7

    best = -1
    for grouping in groupings(people):
        worst = min(gap(a, b) for g in grouping for a, b in combinations(g, 2))
        best = max(best, min(cooldown, worst - 1))
    return best


def simulate(n: int, weeks: int, cooldown: int, seed: int, *, opt_out: float = 0.1,
             away: float = 0.1, brute: bool = True) -> list[PastRound]:
    """A team of n over `weeks` weekly rounds with random opt-outs and away weeks, checked every round."""
    rng = random.Random(seed)
    roster = [f"M{i:02d}" for i in range(n)]
    opted = [m for m in roster if rng.random() >= opt_out] or roster[:2]
    history: list[PastRound] = []
    monday = START
    for _ in range(weeks):
        present = [m for m in opted if rng.random() >= away]
        people = [Candidate(m, frozenset(rng.sample(["go", "tea", "run", "jazz"], 1))) for m in present]
        found = choose(people, history, monday, cooldown_weeks=cooldown, salt=f"t{seed}")
        check_round(present, found.groups)
        met = last_met(history, monday)
        for g in found.groups:  # the cooldown the round says it keeps, it keeps
            for a, b in combinations(g, 2):
                when = met.get(frozenset((a.casefold(), b.casefold())))
                assert when is None or (monday - when).days // 7 > found.cooldown
        if brute and 2 <= len(present) <= BRUTE_UP_TO:
            assert found.cooldown == best_level(present, history, monday, cooldown)
        skipped = frozenset(m.casefold() for m in present if rng.random() < 0.05)
        history.append(PastRound(monday, found.groups, skipped))
        monday += timedelta(days=7)
    return history


def check_round(present: list[str], groups: tuple[tuple[str, ...], ...]) -> None:
    """Everyone present is in exactly one group; pairs only, and exactly one trio for an odd count."""
    placed = [n for g in groups for n in g]
    if len(present) < 2:
        assert groups == ()
        return
    assert sorted(placed) == sorted(present)
    trios = [g for g in groups if len(g) == 3]
    assert all(len(g) in (2, 3) for g in groups)
    assert len(trios) == len(present) % 2


@settings(max_examples=12, deadline=None)
@given(n=st.integers(4, 30), cooldown=st.integers(0, 12), seed=st.integers(0, 10_000),
       weeks=st.integers(1, 52))
def test_random_teams_over_a_year(n: int, cooldown: int, seed: int, weeks: int) -> None:
    """Any team from 4 to 30 over up to 52 weeks: everyone paired, cooldown kept whenever it can be."""
    simulate(n, weeks, cooldown, seed)


def test_fixed_sweep_of_team_sizes() -> None:
    """4 to 30 members, 52 weeks each, the same seeds every run (brute force up to 9 members)."""
    for n in (4, 5, 6, 7, 9, 12, 17, 30):
        simulate(n, 52, 6, seed=n)


def test_big_enough_teams_never_repeat_within_the_cooldown() -> None:
    """With room for fresh pairs (and nobody away), no pair meets twice within 6 weeks all year."""
    for n in (16, 30):
        history = simulate(n, 52, 6, seed=3, opt_out=0, away=0, brute=False)
        assert pair_stats(history, 6).repeats_within_cooldown == 0


def test_small_teams_relax_the_cooldown_step_by_step() -> None:
    """Five people cannot keep 6 weeks apart: the round keeps the longest cooldown that exists."""
    people = [Candidate(n) for n in "ABCDE"]
    history: list[PastRound] = []
    monday = START
    kept = []
    for _ in range(10):
        found = choose(people, history, monday, cooldown_weeks=6)
        kept.append(found.cooldown)
        history.append(PastRound(monday, found.groups))
        monday += timedelta(days=7)
    assert kept[0] == 6 and min(kept) >= 0 and any(k < 6 for k in kept)


def test_a_skipped_meeting_does_not_count_as_met() -> None:
    """Ana and Ben skipped last week: they may be paired again at once; Chen and Dara may not."""
    monday = START + timedelta(days=7)
    past = [PastRound(START, (("Ana", "Ben"), ("Chen", "Dara")), frozenset({"ana"}))]
    met = last_met(past, monday)
    assert frozenset(("ana", "ben")) not in met and met[frozenset(("chen", "dara"))] == START
    found = choose([Candidate(n) for n in ("Ana", "Ben", "Chen", "Dara")], past, monday, cooldown_weeks=4)
    assert found.cooldown == 4 and ("Chen", "Dara") not in found.groups


def test_same_people_in_any_order_give_the_same_groups() -> None:
    """The roster's order (and the order records were read in) changes nothing."""
    names = [f"P{i}" for i in range(11)]
    history = simulate(11, 8, 3, seed=5, brute=False)
    a = choose([Candidate(n) for n in names], history, START + timedelta(weeks=8), cooldown_weeks=3, salt="x")
    b = choose([Candidate(n) for n in reversed(names)], list(reversed(history)),
               START + timedelta(weeks=8), cooldown_weeks=3, salt="x")
    assert a == b


def test_shared_interests_and_time_zones_weigh_in() -> None:
    """With no history, the two climbers pair up, and so do the two on the same side of the world."""
    people = [Candidate("Ana", frozenset({"climbing"}), 1.0), Candidate("Ben", frozenset(), -8.0),
              Candidate("Chen", frozenset({"climbing"}), 1.0), Candidate("Dara", frozenset(), -8.0)]
    assert choose(people, [], START, cooldown_weeks=2).groups == (("Ana", "Chen"), ("Ben", "Dara"))


def test_trios_when_the_team_asks_for_them() -> None:
    """group_size 3: trios, with pairs only where the count does not divide."""
    for n, sizes in ((6, [3, 3]), (7, [2, 2, 3]), (8, [2, 3, 3]), (4, [2, 2])):
        assert thirds_needed(n, 3) == sizes.count(3)
        found = choose([Candidate(f"P{i}") for i in range(n)], [], START, cooldown_weeks=2, group_size=3)
        assert sorted(len(g) for g in found.groups) == sizes


def test_biweekly_rounds_start_on_every_other_monday() -> None:
    """Both weeks of a biweekly round map to its first Monday; a weekly one to its own."""
    first = round_monday(date(2026, 11, 25), "biweekly")
    assert first.weekday() == 0 and round_monday(first + timedelta(days=10), "biweekly") == first
    assert round_monday(first + timedelta(days=14), "biweekly") == first + timedelta(days=14)
    assert round_monday(date(2026, 11, 29), "weekly") == date(2026, 11, 23)


def test_pair_stats_by_hand() -> None:
    """Four rounds worked by hand: 6 groups, 2 of 3 marked met, one repeat within 2 weeks, gap 4."""
    w1, w2, w3 = START, START + timedelta(weeks=1), START + timedelta(weeks=2)
    rounds = [
        PastRound(w1, (("A", "B"), ("C", "D")), met=frozenset({"a"})),
        PastRound(w2, (("A", "C"), ("B", "D")), skipped=frozenset({"b"})),
        PastRound(w3, (("A", "B"),), met=frozenset({"b"})),
        PastRound(START + timedelta(weeks=5), (("C", "D"),)),
    ]
    found = pair_stats(rounds, cooldown_weeks=2)
    assert found.rounds == 4 and found.pairs_made == 6
    assert found.share_met == 2 / 3  # marked: (A,B) w1 met, (B,D) skipped, (A,B) w3 met
    assert found.repeats_within_cooldown == 1  # A+B again two weeks after they met; C+D after five
    assert found.longest_gap_weeks == 4  # C and D: grouped in weeks 1 and 2, then not until week 6


def test_a_big_rounds_sparse_graph_still_pairs_everyone() -> None:
    """100 people whose best partners form three odd cliques (one interest each): the thinned graph
    a big round is matched on still has a perfect matching, so it never falls back to all pairs."""
    from huddle_tui.rules.pairing import _perfect, _Round, _sparse

    hobbies = ("go", "tea", "jazz")
    people = [Candidate(f"P{i:03d}", frozenset({hobbies[i % 3]})) for i in range(100)]
    state = _Round(people, [], START, "salt")
    edges = [(a, b, state.weight[frozenset((a, b))]) for a, b in combinations(state.keys, 2)]
    assert _perfect(state.keys, _sparse(edges, "salt")) is not None
