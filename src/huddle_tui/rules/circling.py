"""Who sits in which peer circle this round, who facilitates it and in what order people speak.

The same on every machine: the answer depends only on the people taking part
(names and groups), the round's Monday, the team's settings and the earlier
rounds — never on the machine, the clock, the order files were read in or
Python's salted hash. Every number is an integer and every tie is broken by
SHA-256 of the team, the round and the names.

The method, and why. Buddies (rules/pairing.py) are a maximum-weight
matching, which networkx solves exactly (Edmonds' blossom algorithm). Circles
of 4 to 6 are not a matching: splitting people into groups of given sizes so
that the summed weight inside the groups is best is a graph partition problem
(NP-hard in general), and networkx has no fixed-size partition (its
Kernighan–Lin is a randomised bisection). An integer-programming solver
(OR-Tools, PuLP with CBC) would be a heavy dependency whose answer, among
equal optima, can differ between versions and platforms — and two machines
that disagree show two teams two different circles. So this is a small
optimisation of our own, checked where it can be:

- Sizes first: the fewest-surprise split of n people into circles of 4 to 6
  whose average is nearest the team's `size` (balanced: sizes differ by at
  most one). Every count from 8 on splits so; 4 to 6 make one circle, and
  seven make 4 + 3 (one circle of 7 would seat everyone with everyone every
  week, so nobody could be kept apart); fewer than 3 make none.
- Each pair inside a circle costs: a large amount when they shared a circle
  within the cooldown, growing with the square of how recent it was (two
  stale repeats are better than one fresh one); a smaller amount when they
  share a `group` (a role, a project, a site), so circles mix groups; a
  little more the more recently they met even outside the cooldown, so
  rotation keeps turning; and a hash below one week's worth, so equal
  choices are made alike everywhere. Repeats outweigh mixing, mixing
  outweighs freshness.
- Up to EXHAUSTIVE_UP_TO people, every split is tried: the best is exact.
  Beyond, a greedy start (each person, in a hashed order, into the circle
  where they cost least) is improved by swapping two people between circles
  while a swap lowers the cost (the Kernighan–Lin move, with each person's
  cost to each circle kept up to date so a swap is weighed in constant time),
  from a few hashed starts; the cheapest wins. The simulation in
  tests/test_circling.py measures what this gives over a year (docs/circles.md).

Facilitation rotates inside each circle: whoever facilitated least recently
(never counts as longest ago), then whoever facilitated fewest times, then a
hash. The facilitator opens; the others speak in a hashed order.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from datetime import date
from fractions import Fraction
from itertools import combinations
from typing import NamedTuple

from huddle_tui.model.circles import Circle, PastCircles

MIN_SIZE, MAX_SIZE = 4, 6
SMALLEST = 3  # three people still make a circle (a week with many away); two do not
GAP_CAP_WEEKS = 52
REPEAT_UNIT = 1_000_000  # per (cooldown + 1 - weeks since they met)², inside the cooldown
GROUP_UNIT = 6_000  # two of the same group in one circle: worth 30 weeks of freshness
FRESH_UNIT = 200  # per week short of GAP_CAP_WEEKS since the pair last met
TIEBREAK = 100
EXHAUSTIVE_UP_TO = 10
STARTS = 6


class Person(NamedTuple):
    """Someone taking part in a round: their name and their group, if the team gives one."""

    name: str
    group: str | None = None


class Formation(NamedTuple):
    """A round's circles (names in name order) and the cooldown they keep (below the team's: relaxed)."""

    circles: tuple[tuple[str, ...], ...]
    cooldown: int


def _hash(*parts: str) -> int:
    """A number every machine derives alike from text (Python's hash() is salted per process)."""
    digest = hashlib.sha256("\x1f".join(parts).encode()).digest()
    return int.from_bytes(digest[:8], "big")


def circle_sizes(n: int, size: int) -> list[int]:
    """How n people split into circles: 4 to 6 each (7 make 4 + 3), averaging nearest `size`."""
    if n < SMALLEST:
        return []
    if n <= MAX_SIZE:
        return [n]
    if n < 2 * MIN_SIZE:
        return [MIN_SIZE, n - MIN_SIZE]
    low, high = -(-n // MAX_SIZE), n // MIN_SIZE
    count = min(range(low, high + 1), key=lambda k: (abs(Fraction(n, k) - size), k))
    small, extra = divmod(n, count)
    return [small + 1] * extra + [small] * (count - extra)


def last_shared(rounds: Iterable[PastCircles], before: date) -> dict[frozenset[str], date]:
    """When each pair (casefolded names) last sat in one circle before `before`."""
    last: dict[frozenset[str], date] = {}
    for r in rounds:
        if r.monday >= before:
            continue
        for circle in r.circles:
            for a, b in combinations([n.casefold() for n in circle], 2):
                pair = frozenset((a, b))
                if last.get(pair, date.min) < r.monday:
                    last[pair] = r.monday
    return last


class _Costs:
    """Every pair's cost for one round, over people numbered in name order."""

    def __init__(self, people: Sequence[Person], history: Iterable[PastCircles], monday: date,
                 cooldown: int, salt: str) -> None:
        """Weigh every pair once."""
        self.people = sorted(people, key=lambda p: (p.name.casefold(), p.name))
        self.keys = [p.name.casefold() for p in self.people]
        n = len(self.people)
        met = last_shared(history, monday)
        self.gap = [[0] * n for _ in range(n)]
        self.cost = [[0] * n for _ in range(n)]
        for i, j in combinations(range(n), 2):
            when = met.get(frozenset((self.keys[i], self.keys[j])))
            gap = 1 << 30 if when is None else (monday - when).days // 7
            cost = FRESH_UNIT * max(0, GAP_CAP_WEEKS - gap)
            cost += _hash(salt, self.keys[i], self.keys[j]) % TIEBREAK
            if gap <= cooldown:
                cost += REPEAT_UNIT * (cooldown + 1 - gap) ** 2
            gi, gj = self.people[i].group, self.people[j].group
            if gi is not None and gj is not None and gi.casefold() == gj.casefold():
                cost += GROUP_UNIT
            self.gap[i][j] = self.gap[j][i] = gap
            self.cost[i][j] = self.cost[j][i] = cost

    def total(self, circles: Iterable[Sequence[int]]) -> int:
        """The summed cost of every pair inside the circles."""
        return sum(self.cost[i][j] for c in circles for i, j in combinations(c, 2))


def _exhaustive(costs: _Costs, sizes: list[int]) -> list[list[int]]:
    """The cheapest split into circles of these sizes, trying every one (small rounds only).

    Each split is met once: the lowest-numbered person left always opens
    the next circle, which may be of any size still wanted.
    """
    best: tuple[int, list[list[int]]] | None = None

    def place(left: list[int], todo: list[int], done: list[list[int]], spent: int) -> None:
        """Fill the next circle with the first person left and every choice of the rest."""
        nonlocal best
        if best is not None and spent >= best[0]:
            return
        if not todo:
            best = (spent, [list(c) for c in done])
            return
        first, rest = left[0], left[1:]
        for size in sorted(set(todo), reverse=True):
            later = list(todo)
            later.remove(size)
            for others in combinations(rest, size - 1):
                circle = [first, *others]
                added = sum(costs.cost[a][b] for a, b in combinations(circle, 2))
                remaining = [p for p in rest if p not in others]
                place(remaining, later, [*done, circle], spent + added)

    place(list(range(len(costs.keys))), sorted(sizes, reverse=True), [], 0)
    assert best is not None
    return best[1]


def _local(costs: _Costs, sizes: list[int], salt: str, start: int) -> list[list[int]]:
    """A greedy split from a hashed order, improved by swaps between circles until none helps."""
    n = len(costs.keys)
    order = sorted(range(n), key=lambda i: (_hash(salt, "start", str(start), costs.keys[i]), i))
    circles: list[list[int]] = [[] for _ in sizes]
    where = [0] * n
    to = [[0] * len(sizes) for _ in range(n)]  # to[i][c]: what i costs with everyone in circle c
    for i in order:
        open_ = [c for c in range(len(sizes)) if len(circles[c]) < sizes[c]]
        c = min(open_, key=lambda c: (to[i][c], c))
        circles[c].append(i)
        where[i] = c
        for k in range(n):
            to[k][c] += costs.cost[k][i] if k != i else 0
    improved = True
    while improved:
        improved = False
        for i in range(n):
            for j in range(i + 1, n):
                a, b = where[i], where[j]
                if a == b:
                    continue
                pair = costs.cost[i][j]
                delta = (to[i][b] - pair) + (to[j][a] - pair) - to[i][a] - to[j][b]
                if delta < 0:
                    circles[a].remove(i)
                    circles[b].remove(j)
                    circles[a].append(j)
                    circles[b].append(i)
                    where[i], where[j] = b, a
                    for k in range(n):
                        row = costs.cost[k]
                        to[k][a] += row[j] - row[i]
                        to[k][b] += row[i] - row[j]
                    improved = True
    return circles


def form(people: Sequence[Person], history: Iterable[PastCircles], monday: date, *,
         cooldown_weeks: int, size: int = 5, salt: str = "") -> Formation:
    """This round's circles, keeping people who shared one recently apart while any split can."""
    past = list(history)
    sizes = circle_sizes(len(people), size)
    if not sizes:
        return Formation((), cooldown_weeks)
    costs = _Costs(people, past, monday, cooldown_weeks, salt)
    if len(people) <= EXHAUSTIVE_UP_TO:
        found = _exhaustive(costs, sizes)
    else:
        tries = [_local(costs, sizes, salt, s) for s in range(STARTS)]
        found = min(tries, key=lambda t: (costs.total(t), sorted(sorted(c) for c in t)))
    gaps = [costs.gap[i][j] for c in found for i, j in combinations(c, 2)]
    kept = min(cooldown_weeks, min(gaps) - 1) if gaps else cooldown_weeks
    named = [tuple(sorted((costs.people[i].name for i in c), key=lambda n: (n.casefold(), n))) for c in found]
    return Formation(tuple(sorted(named, key=lambda c: [n.casefold() for n in c])), max(kept, 0))


def facilitation(rounds: Iterable[PastCircles], before: date) -> tuple[dict[str, date], dict[str, int]]:
    """When each member (casefolded) last facilitated a circle before `before`, and how many times."""
    last: dict[str, date] = {}
    count: dict[str, int] = {}
    for r in rounds:
        if r.monday >= before:
            continue
        for name in r.facilitators:
            key = name.casefold()
            count[key] = count.get(key, 0) + 1
            last[key] = max(last.get(key, date.min), r.monday)
    return last, count


def seat(circles: Iterable[tuple[str, ...]], history: Iterable[PastCircles], monday: date,
         salt: str = "") -> tuple[Circle, ...]:
    """Each circle with its facilitator (least recent, then fewest times, then a hash) and order."""
    last, count = facilitation(history, monday)
    out = []
    for members in circles:
        lead = min(members, key=lambda n: (last.get(n.casefold(), date.min), count.get(n.casefold(), 0),
                                           _hash(salt, "lead", n.casefold()), n))
        rest = sorted((n for n in members if n != lead),
                      key=lambda n: (_hash(salt, "order", n.casefold()), n))
        out.append(Circle(tuple(members), lead, (lead, *rest)))
    return tuple(out)
