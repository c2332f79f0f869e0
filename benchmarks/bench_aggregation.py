"""Secure aggregation: making a contribution, opening a day cold, and warm, at 12 and 200 members.

Targets from issue 26: making one ≤ 50 ms at 12 members and ≤ 500 ms at
200 (it runs off the screen's thread); opening a 200-member day ≤ 1 s cold;
warm, no slower than the day's summary.
A day here has 75% of its members contributing (9 of 12, 150 of 200) and
the rest absent, so their day keys are rebuilt and their masks taken out
of every listed contribution — the costly case — and its texts open, so
the text vector is unmasked too. "Cold" parses every contribution from its
JSON and starts with no cached Lagrange weights; signature checks are the
storage layer's and are not counted. Figures are medians of `runs`
(absolute seconds on this machine: the targets are absolute).

"Warm" is what a member's machine does when `huddle summary` shows a day
that opened earlier: a fresh process, the opened totals kept in its cache
(storage/derived.py) since an earlier read, over a real shared folder of
signed records (totals_day.py). Two ratios, each paired in turn with its
floor in the same run: `Journal.totals_view(day)` in a fresh process over
`Journal.summary(day)` of the same folder under `anonymous = "records"`
(the day's summary without the totals: the issue's "the day's summary
today"), both the call alone after the same imports; and the whole
`huddle summary --json` of the totals team over the same command on the
records team (start-up included: what the warm totals add to the command).
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable

from tests.aggkit import DAY, Team, names, team

from benchmarks.harness import Bench, Figure, paired_runs, wall
from benchmarks.totals_day import TotalsDay
from benchmarks.totals_day import opened_day as opened_folder
from huddle_tui.aggregation import shamir
from huddle_tui.aggregation.contribution import Contribution, contribute
from huddle_tui.aggregation.dcnet import Text, TextLayout
from huddle_tui.aggregation.layout import Answer
from huddle_tui.aggregation.unmask import DayList, Reveal, open_day
from huddle_tui.storage.stamps import RACY_NS

LAYOUT = TextLayout()
TARGETS_MAKE = {12: 0.050, 200: 0.500}
TARGET_OPEN_S = 1.0
TARGET_WARM = 1.0  # the warm open ÷ the day's summary: no slower
TARGET_WARM_COMMAND = 2.0  # so the command that shows both costs at most twice the summary alone


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
    """Making a contribution at 12 and 200 members, opening a day cold at each, and warm."""
    runs = max(bench.runs, 5)
    figures = [figure for n in (12, 200) for figure in figures_at(n, runs)]
    return figures + [figure for n in (12, 200) for figure in warm_at(bench, n, runs)]


CALL = """
import sys, time
from datetime import date
from huddle_tui.config.user import load_team, load_user_config, who_am_i
from huddle_tui.journal import open_journal
user = load_user_config()
team = load_team(sys.argv[1], user)
journal = open_journal(team, me=who_am_i(user, team))
day = date.fromisoformat(sys.argv[2])
start = time.perf_counter()
getattr(journal, sys.argv[3])(day)
print(time.perf_counter() - start, "huddle_tui.aggregation.unmask" in sys.modules)
"""
"""One journal call timed in a fresh process, after the imports and the journal every command makes."""


def call_s(day: TotalsDay, config: str, method: str) -> float:
    """Seconds of `Journal.<method>(day)` in a fresh process on the reader's machine."""
    done = subprocess.run([sys.executable, "-c", CALL, config, day.day.isoformat(), method], env=day.env,
                          check=True, capture_output=True, text=True)
    seconds, opened = done.stdout.split()[-2:]
    assert method != "totals_view" or opened == "False", "the kept view was not used: the day was opened"
    return float(seconds)


def warm_at(bench: Bench, n: int, runs: int) -> list[Figure]:
    """The day's totals opened warm at `n` members, each paired with the day's summary alone."""
    day = opened_folder(bench, n)
    totals, records = str(day.config), str(day.records_config)
    iso = day.day.isoformat()
    for _ in range(2):  # opens the day; then, its reader's keyring settled too, keeps what opened
        shown = subprocess.run(bench.huddle("--config", totals, "summary", "--date", iso, "--json"),
                               env=day.env, check=True, capture_output=True, text=True)
        time.sleep(RACY_NS / 1e9 + 0.1)
    opened = json.loads(shown.stdout)["anonymous_totals"]
    assert opened is not None and opened["state"] == "open", opened
    view = paired_runs(lambda: call_s(day, totals, "totals_view"), lambda: call_s(day, records, "summary"),
                       runs)

    def command(config: str) -> Callable[[], float]:
        """`huddle summary --json` of the day as its reader runs it."""
        return lambda: wall(bench.huddle("--config", config, "summary", "--date", iso, "--json"), day.env)

    whole = paired_runs(command(totals), command(records), runs)
    return [view.figure(f"open a day warm ({n} members) ÷ its summary alone", TARGET_WARM,
                        note=f"medians {view.a * 1000:.1f} ms vs {view.b * 1000:.1f} ms, fresh processes"),
            whole.figure(f"`huddle summary` with warm totals ({n} members) ÷ without", TARGET_WARM_COMMAND,
                         note=f"medians {whole.a * 1000:.0f} ms vs {whole.b * 1000:.0f} ms")]


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
