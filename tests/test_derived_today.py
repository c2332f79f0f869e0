"""The lobby's kept reading of a day and its kept plan (storage/derived.py) equal a fresh read.

Journal.today keeps what it read in the folder's cache and answers from it while
the stamps of every folder it came from are unchanged; the app paints its
first frame from the same record. Whatever is written in between — check-ins
by name and placeholders, huddles and extra rounds, handoffs, away ranges,
edits, deletions, two machines writing one version, conflicted copies,
damaged files — with time passing or not (only settled folders are trusted),
both must say what a whole-history read without any cache says.
"""

from __future__ import annotations

import shutil
import tempfile
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from huddle_tui.config.team import SPEAKING_ORDERS
from huddle_tui.model.checkin import CheckIn
from huddle_tui.model.huddle import Plan, Today
from huddle_tui.model.ids import named_id
from huddle_tui.rules.rotation import handoffs_in, held_huddles, plan_for
from huddle_tui.storage import derived
from huddle_tui.storage.cache import cache_for, close_all
from huddle_tui.storage.envelope import Record
from tests.storekit import age, kept_answer, put_answer
from tests.test_plan_bounded import (
    DAMAGE,
    DATES,
    HANDOFF,
    HOT,
    HUDDLE,
    LAST,
    LATER,
    MEMBERS,
    NAMES,
    World,
)

# The queried days, and the days most writes land on: what the lobby shows must move with them.
NEAR = [LAST, date(2026, 3, 9), date(2026, 3, 2), HOT[-5]]
NEAR_DAYS = st.one_of(st.sampled_from(NEAR), DATES)
CHECKIN = st.tuples(st.just("checkin"), st.sampled_from(NEAR), st.sampled_from(NAMES[:5]),
                    st.sampled_from(["team", "withheld"]), st.booleans())
HUDDLE_NEAR = st.tuples(st.just("huddle"), NEAR_DAYS, st.sampled_from(NAMES[:5]),
                        st.permutations(NAMES[:5]).map(tuple), st.sampled_from([1, 1, 2]))
HANDOFF_NEAR = st.tuples(st.just("handoff"), NEAR_DAYS, st.sampled_from(NAMES), st.booleans())
AWAY_NEAR = st.tuples(st.just("away"), NEAR_DAYS, st.sampled_from(NAMES[:5]), st.integers(0, 20))
# Each write, then whether an hour passes (every folder settled: the kept record may be used next).
OPS = st.lists(st.tuples(st.one_of(HUDDLE, HUDDLE_NEAR, HANDOFF, HANDOFF_NEAR, AWAY_NEAR, LATER, CHECKIN,
                                   CHECKIN, CHECKIN, DAMAGE), st.booleans()), min_size=2, max_size=40)


def truth(world: World, day: date) -> Today:
    """What a plain whole-folder read says of the day: no index, no kept record."""
    everything = world.full().read()
    team = world.journal.roster()
    plan = plan_for(team, day, held_huddles(everything, day), handoffs_in(everything))
    iso = day.isoformat()
    named = frozenset(c.member.casefold() for c in world.journal.checkins(everything)
                      if c.date == iso and c.member and c.visibility in ("team", "withheld"))
    rounds = sum(1 for r in everything.live("huddle") if r.date == iso)
    return Today(plan, named, rounds)


def kept(world: World, day: date) -> Today | None:
    """What the app's first frame would paint from (HuddleApp.kept_today's reading), if anything."""
    index_dir = world.journal.shared.index_dir
    assert index_dir is not None
    return derived.first_frame(cache_for(index_dir, world.root), world.root, day.isoformat(), world.team)


def current(world: World, day: date) -> Today | None:
    """The kept TODAY alone, when nothing it came from has changed."""
    index_dir = world.journal.shared.index_dir
    assert index_dir is not None
    found = derived.load(cache_for(index_dir, world.root), derived.TODAY,
                         derived.key(world.root, day.isoformat(), world.team))
    return None if found is None else Today.from_payload(found)


def kept_plan(world: World, day: date) -> Plan | None:
    """The plan kept on its own (Journal.plan's derived answer), if it is current."""
    index_dir = world.journal.shared.index_dir
    assert index_dir is not None
    stamped = derived.key(world.root, day.isoformat(), world.team, ())
    found = derived.load(cache_for(index_dir, world.root), derived.PLAN, stamped)
    return None if found is None else Plan.from_payload(found)


def write_checkin(world: World, op: tuple[Any, ...]) -> Record:
    """A named check-in, or the placeholder of one kept elsewhere, as a teammate's machine writes it."""
    _, day, member, visibility, deleted = op
    checkin = CheckIn(day.isoformat(), 3, member, "ok")
    payload = (checkin.placeholder() if visibility == "withheld" else checkin).to_payload()
    rid = named_id("checkin", member, day.isoformat())
    return world.store.save("checkin", rid, day.isoformat(), payload, deleted=deleted)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ops=OPS, policy=st.sampled_from(SPEAKING_ORDERS), size=st.integers(2, len(MEMBERS)),
       days=st.lists(st.sampled_from(NEAR), min_size=1, max_size=3))
def test_the_kept_day_equals_a_fresh_read(ops: list[tuple[tuple[Any, ...], bool]], policy: str, size: int,
                                          days: list[date]) -> None:
    """After every step, Journal.today says what a fresh read says, and so does the first frame's record,
    but for check-ins made since the journal last read the day (it shows those as last seen)."""
    root = Path(tempfile.mkdtemp(prefix="huddle-today-"))
    seen: dict[date, Today] = {}
    try:
        world = World(root, policy, size)
        for op, later in [*ops, (None, True)]:
            if op is not None and op[0] == "checkin":
                write_checkin(world, op)
            elif op is not None:
                world.apply(op)
            if later:
                age(root)
            for day in days:
                want = truth(world, day)
                first_frame = kept(world, day)  # as the app opens: before anything reads the day
                if first_frame is not None:
                    if current(world, day) is not None:
                        assert first_frame == want
                    else:  # the day's check-ins changed since: the plan and rounds hold, the marks are old
                        assert (first_frame.plan, first_frame.rounds_held) == (want.plan, want.rounds_held)
                        assert first_frame.checked_in == seen[day].checked_in
                assert world.journal.today(day) == want
                seen[day] = want
                assert kept(world, day) in (None, want)  # read just now: nothing is old
                assert world.journal.today(day) == want  # again: from the kept record when settled
                assert world.journal.plan(day) == want.plan
                alone = kept_plan(world, day)
                if alone is not None:
                    assert alone == want.plan
        # The last step aged every folder and read each day: the last day read is kept (one day is).
        assert kept(world, days[-1]) == truth(world, days[-1])
    finally:
        close_all()
        shutil.rmtree(root, ignore_errors=True)


def test_a_kept_record_for_another_team_config_is_not_used(tmp_path: Path) -> None:
    """A roster change (a member added) makes the kept record stale even with no folder changed."""
    world = World(tmp_path / "shared", "fair", 3)
    world.apply(("huddle", LAST, "Ana", ("Ana", "Ben", "Chen"), 1))
    age(world.root)
    world.journal.today(LAST)
    assert kept(world, LAST) is not None
    world.team = world.team._replace(members=MEMBERS[:4])
    assert kept(world, LAST) is None


def test_a_damaged_kept_record_is_read_afresh(tmp_path: Path) -> None:
    """A kept value that is no Today, or a row damaged on disk, costs a fresh read, never a wrong lobby."""
    world = World(tmp_path / "shared", "fair", 3)
    age(world.root)
    want = world.journal.today(LAST)
    found = kept_answer(world.root, derived.TODAY)
    assert found is not None
    key, _ = found
    garbage: Any
    for garbage in ("", {}, {"order": 3}, [], {"plan": None, "named": 5}):
        put_answer(world.root, derived.TODAY, key, garbage)
        assert kept(world, LAST) is None
        assert world.journal.today(LAST) == want
    cache = cache_for(Path(str(world.journal.shared.index_dir)), world.root)
    assert cache is not None
    cache.db.execute("update answers set value = ? where name = ?", (b"\xff" + bytes(9), derived.TODAY))
    assert kept(world, LAST) is None  # its CRC says so: the cache file is made afresh
    assert world.journal.today(LAST) == want


WRITES = {
    "a check-in that day": ("checkin", LAST, "Ben", "team", False),
    "a placeholder that day": ("checkin", LAST, "Chen", "withheld", False),
    "a handoff that day": ("handoff", LAST, "Chen", True),
    "a huddle held that day": ("huddle", LAST, "Ben", ("Ben", "Ana", "Chen"), 1),
    "an older huddle that changes the rotation": ("huddle", date(2026, 1, 5), "Chen", ("Chen", "Ana"), 1),
    "an away range over that day": ("away", date(2026, 3, 2), "Ana", 10),
}


@pytest.mark.parametrize("what", sorted(WRITES))
def test_each_kind_of_write_makes_the_kept_record_stale(tmp_path: Path, what: str) -> None:
    """Kept, settled, then one write the lobby must show: the next reading shows it, from either path."""
    world = World(tmp_path / "shared", "fair", 3)
    world.apply(("huddle", date(2026, 1, 5), "Ana", ("Ana", "Ben", "Chen"), 1))
    write_checkin(world, ("checkin", date(2026, 3, 2), "Ana", "team", False))
    # Each kind's month folder already there: a write changes that folder's stamp alone.
    world.apply(("handoff", date(2026, 3, 2), "Ben", True))
    world.apply(("away", date(2026, 3, 3), "Ben", 1))
    age(world.root)
    before = world.journal.today(LAST)
    assert kept(world, LAST) == before
    op = WRITES[what]
    if op[0] == "checkin":
        write_checkin(world, op)
    else:
        world.apply(op)
    want = truth(world, LAST)
    assert want != before, "the write must change what the lobby shows"
    if op[0] == "checkin":  # the plan still holds: the first frame shows it, with the marks as last seen
        assert kept(world, LAST) == before
    else:
        assert kept(world, LAST) is None
    assert world.journal.today(LAST) == want
    age(world.root)
    assert world.journal.today(LAST) == want
    assert kept(world, LAST) == want
