"""A team in memory for the aggregation tests and benchmark: keys, batches, contributions, lists, reveals.

Everything the shared folder would hold is kept in plain dicts, and every
member's machine is a `Machine` with its own secrets, so a test can play
any member (or a coalition) and read exactly what the folder shows.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from huddle_tui.aggregation.contribution import Contribution, contribute
from huddle_tui.aggregation.dcnet import TextLayout
from huddle_tui.aggregation.keys import DayKeys, ShareKey, make_day_keys
from huddle_tui.aggregation.layout import Answer
from huddle_tui.aggregation.unmask import (
    DayList,
    DayTotals,
    Released,
    Reveal,
    open_day,
    propose,
    reveal,
)

DAY = "2026-11-23"
SMALL = TextLayout(slots=16, body_bytes=40)


class Stream:
    """Deterministic randomness for tests: a BLAKE2b counter stream from a label (never for real keys)."""

    def __init__(self, label: str) -> None:
        """Start the stream at `label`."""
        self.label = label.encode()
        self.counter = 0

    def __call__(self, size: int) -> bytes:
        """The next `size` bytes."""
        out = b""
        while len(out) < size:
            self.counter += 1
            out += hashlib.blake2b(self.label + self.counter.to_bytes(8, "little")).digest()
        return out[:size]


@dataclass
class Machine:
    """One member's machine: its share key, its day seeds, and what it has revealed."""

    name: str
    key: ShareKey
    seeds: dict[str, int] = field(default_factory=dict)
    released: list[Released] = field(default_factory=list)


@dataclass
class Team:
    """A team whose folder holds published batches, contributions, endorsements and reveals."""

    machines: dict[str, Machine]
    batches: dict[str, DayKeys]
    layout: TextLayout
    contributions: dict[str, dict[str, Contribution]] = field(default_factory=dict)
    endorsements: dict[str, dict[str, str]] = field(default_factory=dict)
    reveals: dict[str, list[Reveal]] = field(default_factory=dict)

    def contribute(self, member: str, day: str, answer: Answer,
                   rand: Callable[[int], bytes] | None = None) -> Contribution:
        """`member` checks in: their contribution for `day` goes to the folder (replacing any earlier one)."""
        m = self.machines[member]
        made = contribute(member, day, answer, self.batches, m.seeds[day], m.key, self.layout,
                          rand or Stream(f"contribute {member} {day} {answer}"))
        self.contributions.setdefault(day, {})[member] = made
        return made

    def propose(self, day: str) -> DayList:
        """The day's list as a reader of this folder sees it."""
        return propose(day, self.batches, self.contributions.get(day, {}).values())

    def endorse(self, members: Iterable[str], day_list: DayList) -> None:
        """`members` sign `day_list`."""
        for m in members:
            self.endorsements.setdefault(day_list.day, {})[m] = day_list.digest

    def reveal(self, members: Iterable[str], day_list: DayList,
               counts: Mapping[str, int] | None = None) -> list[Reveal]:
        """`members` reveal their shares for `day_list` (and its gated sections, given the counts)."""
        out = []
        for name in members:
            m = self.machines[name]
            r = reveal(name, m.key, day_list, self.endorsements.get(day_list.day, {}),
                       self.contributions.get(day_list.day, {}), self.batches, m.released, counts)
            m.released.append(r)
            self.reveals.setdefault(day_list.day, []).append(r)
            out.append(r)
        return out

    def open(self, day_list: DayList) -> DayTotals:
        """What any reader opens of the day from the folder."""
        return open_day(day_list, self.contributions.get(day_list.day, {}), self.batches,
                        self.reveals.get(day_list.day, []), self.layout)


def team(names: Iterable[str], days: Iterable[str] = (DAY,), layout: TextLayout = SMALL,
         label: str = "team") -> Team:
    """A team whose members each made a share key and published day keys for `days`."""
    names = list(names)
    machines = {n: Machine(n, ShareKey.new(Stream(f"{label} share key {n}"))) for n in names}
    shares = {n: m.key.public for n, m in machines.items()}
    batches = {}
    days = list(days)
    for n, m in machines.items():
        m.seeds, batches[n] = make_day_keys(n, m.key, days, shares, Stream(f"{label} day keys {n}"))
    return Team(machines, batches, layout)


def names(n: int) -> list[str]:
    """n member names."""
    return [f"m{i:03d}" for i in range(n)]
