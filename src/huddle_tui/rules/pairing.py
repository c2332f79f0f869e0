"""Who meets whom this week: buddy pairs and virtual-coffee groups, the same on every machine.

The choice depends only on the people taking part (names, interests, UTC
offsets), the round's Monday, the team's settings and the earlier rounds,
never on the machine, the clock or the order files were read in: every
machine that reads the same records computes the same groups.

A pair's weight grows with the weeks since its two people last met (a
skipped meeting does not count), with shared interests and with the working
hours their time zones share. Pairs that met within the cooldown are left out
of the graph while a grouping without them exists; otherwise the cooldown is
relaxed a week at a time, down to none, so nobody present is ever left out.
The groups are found by maximum-weight matching: networkx's blossom algorithm
(`max_weight_matching`), a well-kept, exact implementation of Edmonds' method
for general graphs. A greedy or random pick is what gives the "same person 3
times in 5 weeks" that users of other tools complain of. networkx takes
~250 ms to import, so it is imported only when a round has no record yet.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from itertools import combinations
from typing import TYPE_CHECKING, NamedTuple

from huddle_tui.model.pairs import PastRound

if TYPE_CHECKING:
    import networkx as nx

EPOCH_MONDAY = date(1970, 1, 5)
GAP_CAP_WEEKS = 52  # beyond a year apart, every pair weighs the same: "long ago" is enough
GAP_UNIT = 1000  # a week more apart outweighs anything else a pair has going for it
INTEREST_UNIT = 150
MAX_INTERESTS = 3
OVERLAP_UNIT = 40  # per shared working hour, 9:00-17:00 local
TIEBREAK = 100  # a hash of (team, round, pair), so equal pairs are chosen alike everywhere
SPARSE_FROM = 48  # larger rounds keep only each person's best edges (a perfect matching stays likely)
SPARSE_EDGES = 8
SPARSE_DRAWN = 4
EXHAUSTIVE_UP_TO = 16  # odd rounds this small try every trio before relaxing the cooldown


class Candidate(NamedTuple):
    """Someone taking part in a round: their name, interests and UTC offset in hours (if known)."""

    name: str
    interests: frozenset[str] = frozenset()
    utc_offset: float | None = None


class Grouping(NamedTuple):
    """A round's groups and the cooldown (in weeks) they keep: below the team's means it was relaxed."""

    groups: tuple[tuple[str, ...], ...]
    cooldown: int


def round_monday(day: date, cadence: str) -> date:
    """The Monday a round that covers `day` starts on (every week, or every other week)."""
    monday = day - timedelta(days=day.weekday())
    if cadence == "biweekly" and ((monday - EPOCH_MONDAY).days // 7) % 2:
        monday -= timedelta(days=7)
    return monday


def last_met(rounds: Iterable[PastRound], before: date) -> dict[frozenset[str], date]:
    """When each pair (casefolded names) was last grouped before `before`, skipped meetings left out."""
    last: dict[frozenset[str], date] = {}
    for r in rounds:
        if r.monday >= before:
            continue
        for group in r.groups:
            keys = [n.casefold() for n in group]
            for a, b in combinations(keys, 2):
                if a in r.skipped or b in r.skipped:
                    continue
                pair = frozenset((a, b))
                if last.get(pair, date.min) < r.monday:
                    last[pair] = r.monday
    return last


def _hash(*parts: str) -> int:
    """A number every machine derives alike from text (Python's hash() is salted per process)."""
    digest = hashlib.sha256("\x1f".join(parts).encode()).digest()
    return int.from_bytes(digest[:8], "big")


def _overlap_hours(a: float | None, b: float | None) -> int:
    """Working hours (9:00-17:00 local) two UTC offsets share; 8 when either is unknown."""
    if a is None or b is None:
        return 8
    shift = abs(a - b) % 24
    shift = min(shift, 24 - shift)
    return max(0, int(8 - shift))


class _Round:
    """One round's weights and the graphs the matching runs on."""

    def __init__(self, people: Sequence[Candidate], history: Iterable[PastRound], monday: date,
                 salt: str) -> None:
        """Weigh every pair once."""
        self.people = sorted(people, key=lambda c: (c.name.casefold(), c.name))
        self.by_key = {c.name.casefold(): c for c in self.people}
        self.keys = list(self.by_key)
        met = last_met(history, monday)
        self.gap: dict[frozenset[str], int] = {}
        self.weight: dict[frozenset[str], int] = {}
        for a, b in combinations(self.keys, 2):
            pair = frozenset((a, b))
            when = met.get(pair)
            gap = GAP_CAP_WEEKS if when is None else min(GAP_CAP_WEEKS, (monday - when).days // 7)
            ca, cb = self.by_key[a], self.by_key[b]
            shared = min(MAX_INTERESTS, len(ca.interests & cb.interests))
            self.gap[pair] = (monday - when).days // 7 if when is not None else 1 << 30
            self.weight[pair] = (gap * GAP_UNIT + shared * INTEREST_UNIT
                                 + _overlap_hours(ca.utc_offset, cb.utc_offset) * OVERLAP_UNIT
                                 + _hash(salt, *sorted((a, b))) % TIEBREAK)
        self.salt = salt

    def allowed(self, a: str, b: str, level: int) -> bool:
        """Whether a and b may meet while a cooldown of `level` weeks holds."""
        return self.gap[frozenset((a, b))] > level

    def match(self, keys: Sequence[str], level: int) -> list[tuple[str, str]] | None:
        """A maximum-weight perfect matching of `keys` on the allowed pairs, or None if none exists."""
        if len(keys) % 2:
            return None
        if not keys:
            return []
        edges = [(a, b, self.weight[frozenset((a, b))]) for a, b in combinations(keys, 2)
                 if self.allowed(a, b, level)]
        if len(keys) >= SPARSE_FROM:
            found = _perfect(keys, _sparse(edges, self.salt))
            if found is not None:
                return found
        return _perfect(keys, edges)

    def attach(self, thirds: Sequence[str], pairs: list[tuple[str, str]],
               level: int) -> list[tuple[str, ...]] | None:
        """Each of `thirds` joined to a different pair it may meet both of, at the greatest weight."""
        if not thirds:
            return [tuple(p) for p in pairs]
        import networkx as nx

        graph: nx.Graph[tuple[str, object]] = nx.Graph()
        graph.add_nodes_from([("t", c) for c in thirds] + [("p", i) for i in range(len(pairs))])
        for c in thirds:
            for i, (a, b) in enumerate(pairs):
                if self.allowed(c, a, level) and self.allowed(c, b, level):
                    w = self.weight[frozenset((c, a))] + self.weight[frozenset((c, b))]
                    graph.add_edge(("t", c), ("p", i), weight=w)
        chosen = nx.max_weight_matching(graph, maxcardinality=True)
        if len(chosen) < len(thirds):
            return None
        joined: dict[int, str] = {}
        for u, v in chosen:
            third, pair = (u, v) if u[0] == "t" else (v, u)
            joined[int(pair[1])] = str(third[1])
        return [(a, b, joined[i]) if i in joined else (a, b) for i, (a, b) in enumerate(pairs)]

    def at_level(self, thirds_count: int, order: list[str], level: int) -> list[tuple[str, ...]] | None:
        """Groups keeping a cooldown of `level` weeks, or None if there are none to be found."""
        if thirds_count == 0:
            pairs = self.match(self.keys, level)
            return None if pairs is None else [tuple(p) for p in pairs]
        small = len(self.keys) <= EXHAUSTIVE_UP_TO
        tries = [order[i:i + thirds_count] for i in range(0, len(order) - thirds_count + 1)]
        for thirds in tries if small else tries[:2]:
            rest = [k for k in self.keys if k not in thirds]
            pairs = self.match(rest, level)
            if pairs is None:
                continue
            groups = self.attach(thirds, pairs, level)
            if groups is not None:
                return groups
        if thirds_count == 1 and small:
            return self._any_trio(level)
        return None

    def _any_trio(self, level: int) -> list[tuple[str, ...]] | None:
        """Every allowed trio in turn, with a perfect matching of the others (small rounds only)."""
        best: tuple[int, list[tuple[str, ...]]] | None = None
        for trio in combinations(self.keys, 3):
            if not all(self.allowed(x, y, level) for x, y in combinations(trio, 2)):
                continue
            pairs = self.match([k for k in self.keys if k not in trio], level)
            if pairs is None:
                continue
            groups: list[tuple[str, ...]] = [*pairs, trio]
            total = self.total(groups)
            if best is None or total > best[0]:
                best = (total, groups)
        return None if best is None else best[1]

    def total(self, groups: Iterable[tuple[str, ...]]) -> int:
        """The summed weight of every pair inside the groups."""
        return sum(self.weight[frozenset(p)] for g in groups for p in combinations(g, 2))


def _sparse(edges: list[tuple[str, str, int]], salt: str) -> list[tuple[str, str, int]]:
    """Each person's heaviest edges plus a few drawn by hash: a big round matches far faster.

    The heaviest alone can split people into cliques of odd size (everyone's
    best partners share one interest), which have no perfect matching; the
    drawn ones tie the graph together like a random graph, which has one.
    """
    best: dict[str, list[tuple[int, int, str, str]]] = {}
    for a, b, w in edges:
        drawn = _hash(salt, "edge", a, b)
        best.setdefault(a, []).append((w, drawn, a, b))
        best.setdefault(b, []).append((w, drawn, a, b))
    keep: set[tuple[str, str]] = set()
    for options in best.values():
        options.sort(key=lambda e: (-e[0], e[2], e[3]))
        keep.update((a, b) for _, _, a, b in options[:SPARSE_EDGES])
        options.sort(key=lambda e: (e[1], e[2], e[3]))
        keep.update((a, b) for _, _, a, b in options[:SPARSE_DRAWN])
    return [e for e in edges if (e[0], e[1]) in keep]


def _perfect(keys: Sequence[str], edges: list[tuple[str, str, int]]) -> list[tuple[str, str]] | None:
    """networkx's maximum-weight matching over `edges`, if it pairs everyone in `keys`."""
    import networkx as nx

    graph: nx.Graph[str] = nx.Graph()
    graph.add_nodes_from(keys)  # in sorted order: the same graph, so the same answer, everywhere
    graph.add_weighted_edges_from(edges)
    chosen = nx.max_weight_matching(graph, maxcardinality=True)
    if 2 * len(chosen) < len(keys):
        return None
    return sorted((min(a, b), max(a, b)) for a, b in chosen)


def thirds_needed(n: int, group_size: int) -> int:
    """How many people join a pair to make a trio: one for an odd count, or as many as fit for trios."""
    if n < 2:
        return 0
    if group_size == 2:
        return n % 2
    if n == 4:
        return 0
    return {0: n // 3, 1: (n - 4) // 3, 2: (n - 2) // 3}[n % 3]


def choose(people: Sequence[Candidate], history: Iterable[PastRound], monday: date, *,
           cooldown_weeks: int, group_size: int = 2, salt: str = "") -> Grouping:
    """This round's groups: pairs (and trios as needed), keeping the cooldown if any grouping can."""
    past = list(history)
    if len(people) < 2:
        return Grouping((), cooldown_weeks)
    state = _Round(people, past, monday, salt)
    if len(people) == 3:
        trio = tuple(state.keys)
        return Grouping((_names(state, trio),), _kept(state, [trio], cooldown_weeks))
    thirds = thirds_needed(len(people), group_size)
    order = _third_order(state, past, monday)
    for level in range(cooldown_weeks, -1, -1):
        groups = state.at_level(thirds, order, level)
        if groups is not None:
            named = tuple(sorted((_names(state, g) for g in groups), key=lambda g: [n.casefold() for n in g]))
            return Grouping(named, level)
    raise AssertionError("with no cooldown every grouping is allowed")  # pragma: no cover


def _kept(state: _Round, groups: list[tuple[str, ...]], cooldown: int) -> int:
    """The cooldown a fixed grouping keeps (for three people, who can only meet as one trio)."""
    gaps = [state.gap[frozenset(p)] for g in groups for p in combinations(g, 2)]
    return min(cooldown, min(gaps) - 1) if gaps else cooldown


def _third_order(state: _Round, history: list[PastRound], monday: date) -> list[str]:
    """Who joins a pair first: whoever was in a trio least recently, then a hash of the round."""
    last: dict[str, date] = {}
    for r in history:
        if r.monday < monday:
            for g in r.groups:
                if len(g) > 2:
                    for n in g:
                        last[n.casefold()] = max(last.get(n.casefold(), date.min), r.monday)
    return sorted(state.keys, key=lambda k: (last.get(k, date.min), _hash(state.salt, "third", k)))


def _names(state: _Round, keys: tuple[str, ...]) -> tuple[str, ...]:
    """A group's roster names, in name order."""
    return tuple(sorted((state.by_key[k].name for k in keys), key=str.casefold))
