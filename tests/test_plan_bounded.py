"""The plan and the day's summary read only the months they need, and equal a whole-history answer.

Journal.plan reads huddles and handoffs month by month back from the day
until older records can no longer change the answer; Journal.summary reads
the day's month. Whatever history was written before — huddles in any month
and year, extra rounds, handoffs (to anyone, on any date), edits, deletions,
two machines writing the same version, sync tools' conflicted copies, damaged
files, away records — both must say exactly what rotation.plan_for and
summary.build say over a plain read of the whole folder.
"""

from __future__ import annotations

import shutil
import tempfile
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from huddle_tui import demo
from huddle_tui.config.team import SPEAKING_ORDERS, AwayRange, Member, TeamConfig
from huddle_tui.journal import Journal
from huddle_tui.model.huddle import Away, Handoff, Huddle
from huddle_tui.model.ids import named_id, random_id
from huddle_tui.rules.rotation import Held, handoffs_in, held_huddles, plan_for, settled
from huddle_tui.rules.summary import build
from huddle_tui.storage import envelope
from huddle_tui.storage.envelope import Record
from huddle_tui.storage.folder import FolderStore

FIRST, LAST = date(2024, 11, 20), date(2026, 3, 10)
# Mostly a few dates in each of many months (so months hold several huddles, and the answer
# often needs several of them), sometimes any date from FIRST to LAST.
HOT = [date(2024, 12, 2), date(2025, 1, 6), date(2025, 3, 3), date(2025, 6, 2), date(2025, 9, 1),
       date(2025, 10, 6), date(2025, 10, 20), date(2025, 11, 3), date(2025, 11, 17), date(2025, 12, 1),
       date(2025, 12, 15), date(2025, 12, 31), date(2026, 1, 2), date(2026, 1, 5), date(2026, 1, 19),
       date(2026, 2, 2), date(2026, 2, 16), date(2026, 2, 27), date(2026, 3, 2), date(2026, 3, 9)]
DATES = st.one_of(st.sampled_from(HOT), st.sampled_from(HOT), st.dates(FIRST, LAST))
MEMBERS = (Member("Ana"), Member("Ben"), Member("Chen", joined=date(2025, 6, 2)),
           Member("Dara", away=(AwayRange(date(2025, 12, 20), date(2026, 1, 9)),)),
           Member("Emeka", joined=date(2026, 2, 20)))
NAMES = [m.name for m in MEMBERS] + ["ana", "BEN", "Zed", ""]
FACILITATORS = st.one_of(st.sampled_from(NAMES[:5]), st.sampled_from(NAMES))
ORDERS = st.one_of(st.permutations(NAMES[:5]).map(tuple),
                   st.lists(st.sampled_from(NAMES[:-1]), max_size=5, unique=True).map(tuple))

HUDDLE = st.tuples(st.just("huddle"), DATES, FACILITATORS, ORDERS, st.sampled_from([1, 1, 1, 2, 3]))
HANDOFF = st.tuples(st.just("handoff"), DATES, st.sampled_from(NAMES), st.booleans())
AWAY = st.tuples(st.just("away"), DATES, st.sampled_from(NAMES[:5]), st.integers(0, 20))
# An operation on a record written earlier (picked by index): edit, delete, or a conflict.
LATER = st.tuples(st.sampled_from(["edit", "delete", "same-version", "syncthing", "dropbox"]),
                  st.integers(0, 10_000), st.sampled_from(NAMES), ORDERS)
DAMAGE = st.tuples(st.just("damage"), DATES, st.sampled_from(["huddle", "handoff"]))
OPS = st.lists(st.one_of(HUDDLE, HUDDLE, HUDDLE, HANDOFF, AWAY, LATER, LATER, DAMAGE), max_size=80)
LONG = st.lists(st.one_of(HUDDLE, HUDDLE, HUDDLE, LATER), min_size=20, max_size=80)


class World:
    """One team's shared folder, written through the store the way machines and sync tools do."""

    def __init__(self, root: Path, policy: str, size: int) -> None:
        """An empty shared folder, a journal over it (with its index) and a clock."""
        self.root = root
        self.clock = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)
        self.team = TeamConfig(name="Platform", members=MEMBERS[:size], shared_dir=root,
                               speaking_order=policy)
        self.journal = Journal(self.team, now=self.tick, durable=False, private_root=root / "private")
        self.store = self.journal.shared
        self.written: list[Record] = []
        self.copies = 0

    def tick(self) -> datetime:
        """The clock, a second on at every write (two machines may share a second, see below)."""
        self.clock += timedelta(seconds=1)
        return self.clock

    def apply(self, op: tuple[Any, ...]) -> None:
        """Carry out one generated operation."""
        what = op[0]
        if what == "huddle":
            _, day, facilitator, order, round_no = op
            rid = named_id("huddle", self.team.name, day.isoformat()) if round_no == 1 else random_id()
            huddle = Huddle(day.isoformat(), facilitator, order, round=round_no)
            self.written.append(self.store.save("huddle", rid, huddle.date, huddle.to_payload()))
        elif what == "handoff":
            _, day, taker, named = op
            rid = named_id("handoff", self.team.name, day.isoformat()) if named else random_id()
            payload = Handoff(day.isoformat(), "Ana", taker, "call").to_payload()
            self.written.append(self.store.save("handoff", rid, day.isoformat(), payload))
        elif what == "away":
            _, day, member, days = op
            away = Away(member, day.isoformat(), (day + timedelta(days=days)).isoformat())
            self.store.save("away", random_id(), day.isoformat(), away.to_payload())
        elif what == "damage":
            _, day, kind = op
            folder = self.store.records_dir / kind / day.isoformat()[:7]
            folder.mkdir(parents=True, exist_ok=True)
            (folder / f"{random_id()}.1.0badf00d.json").write_bytes(b'{"checksum":"sha256:00')
        elif self.written:
            self._later(op)

    def _later(self, op: tuple[Any, ...]) -> None:
        """Edit, delete or conflict with a record written before (its date and month never change)."""
        what, pick, name, order = op
        old = self.written[pick % len(self.written)]
        payload = ({**old.payload, "facilitator": name, "order": list(order)} if old.kind == "huddle"
                   else {**old.payload, "to": name})
        if what in ("edit", "delete"):
            self.written.append(self.store.save(old.kind, old.id, old.date, payload,
                                                deleted=what == "delete"))
        elif what == "same-version":
            # Another machine wrote the same version with other content, in the same second or not.
            stamp = old.written_at if pick % 2 else self.tick().strftime("%Y-%m-%dT%H:%M:%S.%fZ")
            record, data = envelope.encode(old.kind, old.id, old.version, old.date, stamp, payload,
                                           deleted=pick % 3 == 0)
            self.store.write(record, data)
            self.written.append(record)
        else:
            self.copies += 1
            source = self.store.target(old)
            stem = source.name[: -len(".json")]
            name = (f"{stem}.sync-conflict-20260310-0900{self.copies:02d}-DEV.json" if what == "syncthing"
                    else f"{stem} (Ben's conflicted copy 2026-03-{self.copies % 28 + 1:02d}).json")
            shutil.copyfile(source, source.with_name(name))

    def full(self) -> FolderStore:
        """The same folder read whole, without the index: the truth to compare with."""
        return FolderStore(self.root)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ops=st.one_of(OPS, LONG), policy=st.sampled_from(SPEAKING_ORDERS), size=st.integers(2, len(MEMBERS)),
       days=st.lists(DATES, min_size=1, max_size=5))
def test_plan_and_summary_equal_a_whole_history_read(ops: list[tuple[Any, ...]], policy: str, size: int,
                                                      days: list[date]) -> None:
    """After any history, plan(day) and summary(day) equal the answers from every record.

    Small rosters let the fair order's last rounds decide how far back to read; larger ones,
    the members still to be found.
    """
    root = Path(tempfile.mkdtemp(prefix="huddle-plan-"))
    try:
        world = World(root, policy, size)
        for op in ops:
            world.apply(op)
        truth = world.full()
        everything = truth.read()
        team = world.journal.roster()
        for day in [*days, LAST]:
            want = plan_for(team, day, held_huddles(everything, day), handoffs_in(everything))
            assert world.journal.plan(day) == want
            assert world.journal.plan(day) == want  # again, through the index it just wrote
            upcoming = team.next_workday(day)
            nxt = plan_for(team, upcoming, held_huddles(everything, upcoming), handoffs_in(everything))
            assert world.journal.summary(day) == build(team, day, everything, nxt.facilitator)
            assert truth.read(since=day.isoformat(), until=day.isoformat()).records == {
                rid: r for rid, r in everything.records.items() if r.date == day.isoformat()}
    finally:
        shutil.rmtree(root, ignore_errors=True)


def test_a_big_team_plan_reads_months_not_years(tmp_path: Path) -> None:
    """With more members than a 60-day window holds, the plan reads the months it needs, not years."""
    today = date(2026, 11, 26)
    members = tuple(Member(f"M{n:02d}") for n in range(45))
    team = TeamConfig(name="Big", members=members, shared_dir=tmp_path, speaking_order="fair")
    journal = Journal(team, durable=False, private_root=tmp_path / "private")
    held: list[Held] = []
    for day in demo.workdays(today - timedelta(days=730), today - timedelta(days=1)):
        plan = plan_for(team, day, held, [])
        assert plan.facilitator is not None
        held.append(Held(day.isoformat(), plan.facilitator, plan.order))
        journal.save_huddle(Huddle(day.isoformat(), plan.facilitator, plan.order))
    read = journal.shared.read_back(("huddle", "handoff"), today.isoformat(),
                                    lambda h: settled(team, today, h))
    assert min(r.date for r in read.records.values()) >= "2026-08-01"  # ~45 workdays a turn
    assert journal.plan(today) == plan_for(team, today, held, [])
