"""A model of a team's week on two machines sharing a folder, its guarantees checked after every step.

Each machine has its own data dir (private folder, outbox, anonymity key) and
its own Journal over the one shared folder. The rules check members in with
any visibility, change a mood as the round's key does, hold rounds (a held
day may have another), hand the facilitator role over, record people away,
and kill a save between the outbox's note and the file (or between the file
and the queue), settling it as the next run does. After every step:

- every member has at most one live named check-in per date;
- every acknowledged answer (what the last successful save returned) is what
  the folder, or the holding machine's private folder, holds for that member
  and date, the named record being its placeholder when it is not a team one;
- no machine holds an anonymous or private answer it should not, and the
  folder holds one anonymous answer per member and date kept anonymously;
- each day's summary counts every member who checked in once ("N of M");
- the plan follows the first round held, else a handoff, and a day off has
  no facilitator;
- each machine's outbox queues exactly the shared records that machine wrote,
  all of them in the folder, and no note is left unsettled.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path
from typing import Any, NamedTuple

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from huddle_tui.config.team import Endpoint, Member, TeamConfig
from huddle_tui.errors import RefusedError
from huddle_tui.journal import Journal
from huddle_tui.model.checkin import WITHHELD, CheckIn
from huddle_tui.model.huddle import Away, Handoff, Huddle, Turn
from huddle_tui.model.ids import named_id
from huddle_tui.storage.envelope import Record, decode
from huddle_tui.storage.folder import FolderStore
from huddle_tui.sync import wire
from huddle_tui.sync.outbox import Outbox
from huddle_tui.sync.replicate import Replicator, reconcile

MEMBERS = ("Ana", "Ben", "Chen")
WORKDAYS = ("2026-03-02", "2026-03-03", "2026-03-04")  # Monday to Wednesday
SATURDAY = "2026-03-07"
DAYS = (*WORKDAYS, SATURDAY)
VISIBILITIES = ("team", "anonymous", "private")
ENDPOINT = "api"
Key = tuple[str, int, str]


class Crash(BaseException):
    """The process dies here: nothing after it runs (not an Exception, so nothing catches it)."""


class CrashingStore(FolderStore):
    """The shared folder as one machine writes it: notes what it wrote, and can die around a write."""

    def __init__(self, root: Path) -> None:
        """No fsync (the model does not pull the plug); nothing written yet."""
        super().__init__(root, durable=False)
        self.written: set[Key] = set()
        self.crash: str | None = None

    def write(self, record: Record, data: bytes, *, anonymous: bool = False) -> Path:
        """Write, unless told to die before the file (or after it, before anything else runs)."""
        when, self.crash = self.crash, None
        if when == "before":
            raise Crash
        path = super().write(record, data, anonymous=anonymous)
        self.written.add((record.id, record.version, record.checksum))
        if when == "after":
            raise Crash
        return path


class Machine:
    """One teammate's machine: its data dir, its outbox and its Journal over the shared folder."""

    def __init__(self, data: Path, team: TeamConfig) -> None:
        """Open the machine's outbox and journal."""
        self.data = data
        self.outbox = Outbox(data / "outbox.sqlite3", durable=False)
        self.journal = Journal(team, private_root=data / "private", index=False, durable=False,
                               replicator=Replicator(team, self.outbox))
        self.store = CrashingStore(team.shared_dir)
        self.journal.shared = self.store

    @contextmanager
    def active(self) -> Iterator[Journal]:
        """Run on this machine: its data dir (and so its anonymity key) is the one in use."""
        before = os.environ.get("HUDDLE_DATA_DIR")
        os.environ["HUDDLE_DATA_DIR"] = str(self.data)
        try:
            yield self.journal
        finally:
            if before is None:
                os.environ.pop("HUDDLE_DATA_DIR", None)
            else:
                os.environ["HUDDLE_DATA_DIR"] = before


class Answer(NamedTuple):
    """An acknowledged check-in: the machine that saved it, its visibility, the record returned."""

    machine: int
    visibility: str
    record: Record


class TeamWeek(RuleBasedStateMachine):
    """Three teammates, two machines, one shared folder, a week of huddles."""

    def __init__(self) -> None:
        """A fresh folder and two machines."""
        super().__init__()
        self.root = Path(tempfile.mkdtemp(prefix="huddle-week-"))
        self.team = TeamConfig(name="Platform", members=tuple(Member(n) for n in MEMBERS),
                               shared_dir=self.root / "shared", round_minutes=3,
                               endpoints=(Endpoint(url="http://127.0.0.1:9", name=ENDPOINT),))
        self.machines = [Machine(self.root / f"machine{n}", self.team) for n in range(2)]
        self.acked: dict[tuple[str, str], Answer] = {}
        self.away: set[tuple[str, str]] = set()
        self.rounds: dict[str, list[Record]] = {}
        self.handoffs: dict[str, str] = {}
        self.steps = 0

    def teardown(self) -> None:
        """Close the outboxes and remove the folders."""
        for m in self.machines:
            m.outbox.close()
        shutil.rmtree(self.root, ignore_errors=True)

    # ------------------------------------------------------------ what the model expects

    def refused(self, machine: int, member: str, day: str) -> bool:
        """A check-in is refused on a day off, for someone away, and where another machine holds it."""
        held = self.acked.get((member, day))
        elsewhere = held is not None and held.visibility != "team" and held.machine != machine
        return day not in WORKDAYS or (member, day) in self.away or elsewhere

    def text(self, what: str) -> str:
        """A status no earlier step wrote."""
        self.steps += 1
        return f"{what} {self.steps}"

    # ------------------------------------------------------------ rules

    @rule(m=st.integers(0, 1), member=st.sampled_from(MEMBERS), day=st.sampled_from(DAYS),
          visibility=st.sampled_from(VISIBILITIES), mood=st.integers(1, 5))
    def check_in(self, m: int, member: str, day: str, visibility: Any, mood: int) -> None:
        """`huddle checkin` on machine m: saved and acknowledged, or refused where the model says."""
        status = self.text("checkin")
        with self.machines[m].active() as journal:
            try:
                saved = journal.save_checkin(CheckIn(day, mood, member, status, (), visibility, "cli"))
            except RefusedError:
                assert self.refused(m, member, day)
                return
        assert not self.refused(m, member, day)
        checkin = saved.checkin
        assert (checkin.mood, checkin.status, checkin.visibility) == (mood, status, visibility)
        self.acked[(member, day)] = Answer(m, visibility, saved.answer)

    @rule(m=st.integers(0, 1), member=st.sampled_from(MEMBERS), day=st.sampled_from(DAYS),
          mood=st.integers(1, 5), with_status=st.booleans())
    def mood_key(self, m: int, member: str, day: str, mood: int, with_status: bool) -> None:
        """The round's key on machine m: only the mood (and status) change; the visibility stays."""
        status = self.text("typed") if with_status else None
        before = self.acked.get((member, day))
        with self.machines[m].active() as journal:
            try:
                saved = journal.amend_checkin(member, day, mood=mood, status=status)
            except RefusedError:
                assert self.refused(m, member, day)
                return
        assert not self.refused(m, member, day)
        visibility = before.visibility if before else "team"
        kept = before.record.payload["status"] if before else ""
        assert (saved.checkin.mood, saved.checkin.status, saved.checkin.visibility) == (
            mood, status if status is not None else kept, visibility)
        self.acked[(member, day)] = Answer(m, visibility, saved.answer)

    @rule(m=st.integers(0, 1), member=st.sampled_from(MEMBERS), day=st.sampled_from(WORKDAYS),
          mood=st.integers(1, 5), when=st.sampled_from(["before", "after"]))
    def killed_mid_save(self, m: int, member: str, day: str, mood: int, when: str) -> None:
        """A named check-in killed between the outbox's note and its file, or between the file and the queue.

        The next run of any command settles the note from the folder. Only a
        save that writes one file is killed here (a change of visibility
        writes more; tests/test_integrity_paths.py kills one of those).
        """
        held = self.acked.get((member, day))
        if (member, day) in self.away or (held is not None and held.visibility != "team"):
            return
        machine = self.machines[m]
        status = self.text("killed")
        machine.store.crash = when
        with machine.active() as journal, pytest.raises(Crash):
            journal.save_checkin(CheckIn(day, mood, member, status, (), "team", "cli"))
        assert machine.store.crash is None  # it died at the write, not before
        assert len(machine.outbox.intents()) == 1
        reconcile(machine.outbox, self.team)  # what the next run does first
        if when == "after":  # the file was durable: it is the member's answer now
            landed = machine.journal.read(("checkin",), since=day).records[named_id("checkin", member, day)]
            assert landed.payload["status"] == status
            self.acked[(member, day)] = Answer(m, "team", landed)

    @rule(m=st.integers(0, 1), day=st.sampled_from(DAYS))
    def hold_a_round(self, m: int, day: str) -> None:
        """A round started and ended on machine m: the day's first, or another on a held day."""
        held = self.rounds.setdefault(day, [])
        with self.machines[m].active() as journal:
            when = date.fromisoformat(day)
            assert journal.rounds_held(when) == len(held)
            plan = journal.plan(when)
            if plan.facilitator is None:
                assert day == SATURDAY or all((n, day) in self.away for n in MEMBERS)
                return
            if held:
                assert (plan.reason, plan.facilitator) == ("held", held[0].payload["facilitator"])
            number = len(held) + 1
            rid = journal.huddle_id(when, number)
            start = Huddle(day, plan.facilitator, plan.order, (), 180.0, f"{day}T09:00:00Z", None, number)
            journal.save_huddle(start, rid)
            turns = tuple(Turn(name, 180.0 / len(plan.order), 20.0 + i) for i, name in enumerate(plan.order))
            record = journal.save_huddle(start._replace(turns=turns, ended_at=f"{day}T09:03:00Z"), rid)
        assert record.version == 2 and (number > 1 or record.id == named_id("huddle", "Platform", day))
        held.append(record)

    @rule(m=st.integers(0, 1), day=st.sampled_from(DAYS), taker=st.sampled_from(MEMBERS))
    def hand_over(self, m: int, day: str, taker: str) -> None:
        """A handoff: refused on a day off, to someone away, or once the day's huddle is held."""
        expect_refused = day not in WORKDAYS or (taker, day) in self.away or bool(self.rounds.get(day))
        with self.machines[m].active() as journal:
            plan = journal.plan(date.fromisoformat(day))
            try:
                journal.save_handoff(Handoff(day, plan.facilitator or "", taker, "covering"))
            except RefusedError:
                assert expect_refused
                return
        assert not expect_refused
        self.handoffs[day] = taker

    @rule(m=st.integers(0, 1), member=st.sampled_from(MEMBERS), first=st.integers(0, len(DAYS) - 1),
          length=st.integers(0, 2))
    def record_away(self, m: int, member: str, first: int, length: int) -> None:
        """A member away for a few days, recorded in the shared folder."""
        start = date.fromisoformat(DAYS[first])
        end = start + timedelta(days=length)
        with self.machines[m].active() as journal:
            journal.save_away(Away(member, start.isoformat(), end.isoformat(), "leave"))
        for day in DAYS:
            if start <= date.fromisoformat(day) <= end:
                self.away.add((member, day))

    # ------------------------------------------------------------ invariants

    @invariant()
    def one_named_checkin_per_member_and_date(self) -> None:
        """At most one live named check-in (answer or placeholder) per member and date."""
        history = self.machines[0].journal.read(("checkin",))
        named = [(r.payload["member"], r.date) for r in history.live("checkin") if "member" in r.payload]
        assert len(named) == len(set(named))

    @invariant()
    def acknowledged_answers_are_what_is_held(self) -> None:
        """Each acknowledged answer is held where its visibility says, on its machine only."""
        shared = self.machines[0].journal.read(("checkin",)).records
        for member in MEMBERS:
            for day in DAYS:
                answer = self.acked.get((member, day))
                named = shared.get(named_id("checkin", member, day))
                if answer is None:
                    assert named is None or named.deleted
                elif answer.visibility == "team":
                    assert named == answer.record
                else:
                    assert named is not None and not named.deleted
                    assert named.payload["visibility"] == WITHHELD and "mood" not in named.payload
                for n, machine in enumerate(self.machines):
                    with machine.active() as journal:
                        here = journal.current(member, day)
                    mine = answer if answer is not None and answer.machine == n else None
                    want_anonymous = mine.record if mine and mine.visibility == "anonymous" else None
                    want_private = mine.record if mine and mine.visibility == "private" else None
                    assert here.anonymous == want_anonymous, (member, day, n)
                    assert here.private == want_private, (member, day, n)

    @invariant()
    def one_anonymous_answer_per_member_kept_anonymously(self) -> None:
        """The folder's live anonymous answers are exactly those acknowledged, one per member and date."""
        live = self.machines[0].journal.read(("checkin",)).live("checkin")
        waiting = [r for m in self.machines for r in m.journal.private.read(("checkin",)).live("checkin")
                   if r.payload.get("pending")]
        for day in DAYS:
            anonymous = [r for r in live if r.date == day and r.payload.get("visibility") == "anonymous"]
            held = [r for r in waiting if r.date == day]
            # Each acknowledged anonymous answer is either released or waiting on its machine (k = 3).
            assert len(anonymous) + len(held) == sum(1 for (_, d), a in self.acked.items()
                                                     if d == day and a.visibility == "anonymous")

    @invariant()
    def each_member_is_counted_once(self) -> None:
        """A day's summary: N of M counts each member who checked in once, whatever their visibility."""
        journal = self.machines[0].journal
        for day in DAYS:
            summary = journal.summary(date.fromisoformat(day))
            mine = {member: a for (member, d), a in self.acked.items() if d == day}
            assert summary.answered == len(mine)
            assert sorted(summary.checked_in) == sorted(n for n, a in mine.items() if a.visibility == "team")
            # Only released answers count as anonymous ones (none while fewer than 3 could have given them).
            assert summary.anonymous_count <= sum(1 for a in mine.values() if a.visibility == "anonymous")
            expected = 0 if day == SATURDAY else sum(1 for n in MEMBERS if (n, day) not in self.away)
            assert summary.expected == expected
            assert summary.rounds == len(self.rounds.get(day, []))

    @invariant()
    def the_plan_follows_the_first_round_then_the_handoff(self) -> None:
        """Held: the first round's facilitator; else a handoff to someone there; a day off: nobody."""
        journal = self.machines[0].journal
        for day in DAYS:
            plan = journal.plan(date.fromisoformat(day))
            held = self.rounds.get(day)
            taker = self.handoffs.get(day)
            if held:
                assert (plan.reason, plan.facilitator) == ("held", held[0].payload["facilitator"])
            elif day == SATURDAY:
                assert plan.facilitator is None and plan.order == ()
            elif taker is not None and (taker, day) not in self.away:
                assert (plan.reason, plan.facilitator) == ("handoff", taker)

    @invariant()
    def rounds_never_overwrite_rounds(self) -> None:
        """Every round held is still there, unchanged: later rounds are records of their own."""
        records = self.machines[0].journal.read(("huddle",)).records
        for held in self.rounds.values():
            for record in held:
                assert records[record.id] == record

    @invariant()
    def each_outbox_queues_exactly_what_its_machine_wrote(self) -> None:
        """Queued = written by that machine, all in the folder; no note left behind."""
        folder = FolderStore(self.team.shared_dir, durable=False)
        on_disk: set[Key] = set()
        for path in folder.records_dir.rglob("*.json") if folder.records_dir.exists() else ():
            record = decode(path.read_bytes())
            on_disk.add((record.id, record.version, record.checksum))
        written: set[Key] = set()
        for machine in self.machines:
            assert machine.outbox.intents() == []
            queued = set()
            for item in machine.outbox.items(ENDPOINT):
                record, _ = wire.from_wire(json.loads(item.body))
                queued.add((record.id, record.version, record.checksum))
            assert queued == machine.store.written
            written |= queued
        assert written == on_disk


TeamWeek.TestCase.settings = settings(max_examples=30, stateful_step_count=20, deadline=None)
test_team_week = TeamWeek.TestCase
