"""Secure aggregation: making a contribution, and opening a day cold, at 12 and 200 members.

Targets from issue 26: making one ≤ 50 ms at 12 members and ≤ 500 ms at
200 (it runs off the screen's thread); opening a 200-member day ≤ 1 s cold.
A day here has 75% of its members contributing (9 of 12, 150 of 200) and
the rest absent, so their day keys are rebuilt and their masks taken out
of every listed contribution — the costly case — and its texts open, so
the text vector is unmasked too. "Cold" parses every contribution from its
JSON and starts with no cached Lagrange weights; signature checks are the
storage layer's and are not counted. Figures are medians of `runs`
(absolute seconds on this machine: the targets are absolute).
"""

from __future__ import annotations

import json
import os
import statistics
import time
from collections.abc import Callable

from tests.aggkit import DAY, Team, names, team

from benchmarks.harness import Bench, Figure
from huddle_tui.aggregation import shamir
from huddle_tui.aggregation.contribution import Contribution, contribute
from huddle_tui.aggregation.dcnet import Text, TextLayout
from huddle_tui.aggregation.layout import Answer
from huddle_tui.aggregation.unmask import DayList, Reveal, open_day

LAYOUT = TextLayout()
TARGETS_MAKE = {12: 0.050, 200: 0.500}
TARGET_OPEN_S = 1.0


def timed(run: Callable[[], object], runs: int) -> tuple[float, float, float]:
    """Median, least and greatest seconds of `runs` calls."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times), min(times), max(times)


def opened_day(n: int) -> tuple[Team, DayList]:
    """A day of `n` members, three quarters contributing (three with a text), fully revealed."""
    t_ = team(names(n), layout=LAYOUT, label=f"bench {n}")
    for i, m in enumerate(names(n)[:n * 3 // 4]):
        texts = (Text(2, f"concern {i}".encode()),) if i < 3 else ()
        t_.contribute(m, DAY, Answer(mood=i % 5 + 1, texts=texts), os.urandom)
    day_list = t_.propose(DAY)
    holders = names(n)[:day_list.threshold]
    t_.endorse(holders, day_list)
    t_.reveal(holders, day_list)
    t_.reveal(holders, day_list, t_.open(day_list).sections["counts"])
    return t_, day_list


def measure(bench: Bench) -> list[Figure]:
    """Making a contribution at 12 and 200 members, and opening a day cold at each."""
    runs = max(bench.runs, 5)
    return [figure for n in (12, 200) for figure in figures_at(n, runs)]


def figures_at(n: int, runs: int) -> list[Figure]:
    """The two figures for a team of `n`."""
    t_, day_list = opened_day(n)
    me = names(n)[-1]
    machine = t_.machines[me]

    def make() -> Contribution:
        """One member's contribution with an answer and a text."""
        return contribute(me, DAY, Answer(mood=2, texts=(Text(1, b"blocked"),)), t_.batches,
                          machine.seeds[DAY], machine.key, LAYOUT, os.urandom)

    files = {m: json.dumps(c.to_payload()) for m, c in t_.contributions[DAY].items()}
    reveal_files = [json.dumps(r.to_payload()) for r in t_.reveals[DAY]]

    def open_cold() -> object:
        """Parse the day's contributions and reveals, then open it, with no cached weights."""
        shamir.lagrange_at_zero.cache_clear()
        shamir.x_of.cache_clear()
        contributions = {m: Contribution.from_payload(json.loads(f), LAYOUT) for m, f in files.items()}
        reveals = [Reveal.from_payload(json.loads(f), day_list) for f in reveal_files]
        opened = open_day(day_list, contributions, t_.batches, reveals, LAYOUT)
        assert opened.texts is not None and not opened.faults
        return opened

    make_s = timed(make, runs)
    open_s = timed(open_cold, runs)
    absent = n - len(day_list.survivors)
    return [Figure(f"make a contribution ({n} members)", make_s[0], TARGETS_MAKE[n], unit=" s",
                   note=f"min {make_s[1] * 1000:.0f} ms, max {make_s[2] * 1000:.0f} ms"),
            Figure(f"open a day cold ({n} members, {absent} absent)", open_s[0], TARGET_OPEN_S, unit=" s",
                   note=f"min {open_s[1] * 1000:.0f} ms, max {open_s[2] * 1000:.0f} ms")]
