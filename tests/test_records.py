"""Records survive serialise → parse unchanged, and anonymous ones carry no trace of their author."""

from __future__ import annotations

import getpass
import json
import os
import socket
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from huddle_tui.config.team import TeamConfig
from huddle_tui.journal import Journal
from huddle_tui.model.checkin import CheckIn, Concern, FollowUp
from huddle_tui.model.huddle import Handoff, Huddle, Turn
from huddle_tui.model.ids import named_id, random_id
from huddle_tui.storage import envelope
from huddle_tui.storage.localkey import anonymity_key

text = st.text(max_size=40)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-10**9, 10**9) | text,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(text, inner, max_size=4),
    max_leaves=12,
)
days = st.dates(date(1970, 1, 1), date(9998, 12, 31)).map(lambda d: d.isoformat())


@given(kind=st.sampled_from(envelope.KINDS), version=st.integers(1, 10**6), day=days,
       payload=st.dictionaries(text, json_values, max_size=6), deleted=st.booleans())
def test_envelope_round_trip(kind: str, version: int, day: str, payload: dict[str, object],
                             deleted: bool) -> None:
    """encode → decode gives back the same record, checksum included."""
    record, data = envelope.encode(kind, random_id(), version, day, "2026-01-01T00:00:00Z", payload, deleted)
    assert envelope.decode(data) == record
    assert record.payload == payload


concerns = st.builds(Concern, text=text, kind=st.sampled_from(("blocker", "concern", "support")),
                     visibility=st.just("team"),
                     followup=st.none() | st.builds(FollowUp, owner=text.filter(bool),
                                                    state=st.sampled_from(("open", "done"))),
                     id=st.uuids().map(str))


@given(day=days, mood=st.integers(1, 5), member=text.filter(bool), status=text,
       items=st.lists(concerns, max_size=3))
def test_checkin_payload_round_trip(day: str, mood: int, member: str, status: str,
                                    items: list[Concern]) -> None:
    """A check-in through its payload and a file comes back equal."""
    checkin = CheckIn(day, mood, member, status, tuple(items), "team", "cli")
    _, data = envelope.encode("checkin", random_id(), 1, day, "t", checkin.to_payload())
    assert CheckIn.from_payload(day, envelope.decode(data).payload) == checkin


@given(day=days, speakers=st.lists(text.filter(bool), min_size=1, max_size=5, unique=True))
def test_huddle_and_handoff_round_trip(day: str, speakers: list[str]) -> None:
    """Huddles (with turns) and handoffs come back equal."""
    turns = tuple(Turn(s, 60.0, 30.5, i == 0, i == 1) for i, s in enumerate(speakers))
    huddle = Huddle(day, speakers[0], tuple(speakers), turns, 300.0, "a", "b")
    assert Huddle.from_payload(day, json.loads(json.dumps(huddle.to_payload()))) == huddle
    handoff = Handoff(day, speakers[0], speakers[-1], "on a call")
    assert Handoff.from_payload(day, handoff.to_payload()) == handoff


def test_named_ids_are_stable_and_case_blind() -> None:
    """Every machine derives the same id for the same member and date."""
    assert named_id("checkin", "Ana", "2026-11-26") == named_id("checkin", "ana", "2026-11-26")
    assert named_id("checkin", "Ana", "2026-11-26") != named_id("checkin", "Ana", "2026-11-27")
    assert random_id() != random_id()
    assert len(named_id("x")) == 36 and named_id("x")[14] == "5" and random_id()[14] == "4"


def two_others_withheld(journal: Journal) -> None:
    """Ana and Ben check in privately, so a third withheld answer that day has 3 candidates."""
    for name in ("Ana", "Ben"):
        journal.save_checkin(CheckIn("2026-11-26", 3, name, visibility="private"))


def test_a_lone_anonymous_answer_waits_on_its_authors_machine(team: TeamConfig, shared: Path) -> None:
    """With fewer than 3 members who could have given it, the answer stays here until there are 3."""
    journal = Journal(team)
    saved = journal.save_checkin(CheckIn("2026-11-26", 1, "Dara", "awful", visibility="anonymous"))
    assert saved.held_back
    shared_text = " ".join(p.read_text() for p in shared.rglob("*.json"))
    assert '"mood"' not in shared_text and "awful" not in shared_text
    journal.save_checkin(CheckIn("2026-11-26", 4, "Ana", visibility="private"))
    assert "awful" not in " ".join(p.read_text() for p in shared.rglob("*.json"))
    journal.save_checkin(CheckIn("2026-11-26", 4, "Ben", visibility="anonymous"))  # the third
    assert "awful" not in " ".join(p.read_text() for p in shared.rglob("*.json"))  # not in this session
    assert Journal(team).release_pending() == 2  # a later session releases both
    answers = [r.payload for r in journal.read().live("checkin") if r.payload["visibility"] == "anonymous"]
    assert sorted(a["mood"] for a in answers) == [1, 4] and all("member" not in a for a in answers)
    assert not [r for r in journal.private.read().live("checkin") if r.payload.get("pending")]


def test_anonymous_checkin_carries_no_trace_of_its_author(team: TeamConfig, shared: Path) -> None:
    """No name, handle, user or host name in the file or its name; no time finer than the date."""
    clock = datetime(2026, 11, 26, 9, 17, 42, tzinfo=UTC)
    journal = Journal(team, now=lambda: clock)
    two_others_withheld(journal)
    saved = journal.save_checkin(CheckIn("2026-11-26", 2, "Chen", "rough week",
                                         (Concern.new("deadline", "concern", "anonymous"),),
                                         "anonymous"))
    placeholder = list(saved.shared)
    assert saved.held_back and len(placeholder) == 1
    assert Journal(team, now=lambda: clock).release_pending() == 1  # a later session
    released = journal.read().records[saved.answer.id]
    files = [journal.shared.target(released)]
    assert placeholder[0].payload == {"member": "Chen", "source": "cli", "visibility": "withheld"}
    raw = files[0].read_bytes().decode()
    forbidden = ["Chen", "chen", getpass.getuser(), socket.gethostname(), "09:17", "T09"]
    for word in forbidden:
        assert word not in raw and word not in files[0].name, word
    record = envelope.decode(files[0].read_bytes())
    assert record.written_at == "2026-11-26" and "member" not in record.payload
    midnight = datetime(2026, 11, 26, tzinfo=UTC).timestamp()
    assert os.stat(files[0]).st_mtime == midnight


def test_second_anonymous_checkin_same_day_is_a_new_version(team: TeamConfig, shared: Path) -> None:
    """Re-checking in anonymously replaces the first answer instead of counting twice."""
    journal = Journal(team)
    two_others_withheld(journal)
    first = journal.save_checkin(CheckIn("2026-11-26", 2, "Chen", visibility="anonymous"))
    second = journal.save_checkin(CheckIn("2026-11-26", 4, "Chen", visibility="anonymous"))
    assert first.answer.id == second.answer.id and second.answer.version == 2
    Journal(team).release_pending()
    live = journal.read().live("checkin")
    assert [r.payload.get("mood") for r in live if r.payload["visibility"] == "anonymous"] == [4]


def test_private_checkin_never_touches_the_shared_folder(team: TeamConfig, shared: Path) -> None:
    """--private stays in this machine's data dir: the shared folder holds only who checked in."""
    journal = Journal(team)
    saved = journal.save_checkin(CheckIn("2026-11-26", 1, "Dara", "not okay", visibility="private"))
    shared_text = " ".join(p.read_text() for p in shared.rglob("*.json"))
    assert "not okay" not in shared_text and '"mood"' not in shared_text
    assert [r.payload["visibility"] for r in saved.shared] == ["withheld"]
    assert saved.private and journal.private.read().live("checkin")[0].payload["status"] == "not okay"


def test_mixed_visibility_concerns_are_split(team: TeamConfig, shared: Path) -> None:
    """A named check-in's anonymous concern is saved apart with no name; its private one stays here."""
    journal = Journal(team)
    checkin = CheckIn("2026-11-26", 3, "Ben", "fine", (
        Concern.new("CI is red", "blocker", "team"),
        Concern.new("my manager worries me", "concern", "anonymous"),
        Concern.new("health stuff", "support", "private"),
    ))
    saved = journal.save_checkin(checkin)
    shared_text = " ".join(p.read_text() for p in shared.rglob("*.json"))
    assert "CI is red" in shared_text and "health stuff" not in shared_text
    assert "my manager worries me" not in shared_text  # anonymous: it waits like an answer
    assert [r.kind for r in saved.private] == ["concern", "concern"]
    for name in ("Ana", "Chen", "Dara"):  # three withheld answers that day: 3 candidates
        journal.save_checkin(CheckIn("2026-11-26", 3, name, visibility="private"))
    assert Journal(team).release_pending() == 1  # a later session
    anon = [r for r in journal.read(("concern",)).live() if "member" not in r.payload]
    assert [r.payload["text"] for r in anon] == ["my manager worries me"]
    assert "Ben" not in json.dumps(anon[0].payload) and anon[0].written_at == "2026-11-26"


def test_anonymous_ids_come_from_a_key_kept_on_this_machine(team: TeamConfig, isolated_dirs: Path) -> None:
    """Same member and day, same id; another day or member, another; the key is made once."""
    journal = Journal(team)
    a = journal._anonymous_id("Ana", "2026-11-26")
    assert a == Journal(team)._anonymous_id("ana", "2026-11-26")
    assert a != journal._anonymous_id("Ana", "2026-11-27") != journal._anonymous_id("Ben", "2026-11-26")
    key = isolated_dirs / "data" / "anonymous.key"
    assert len(key.read_bytes()) == 32
    key.unlink()
    assert journal._anonymous_id("Ana", "2026-11-26") != a


def test_the_local_key_is_created_once_under_contention(tmp_path: Path) -> None:
    """Many threads creating the key at once all end up with the same one."""
    folder = tmp_path / "k"
    with ThreadPoolExecutor(8) as pool:
        keys = set(pool.map(lambda _: anonymity_key(folder), range(32)))
    assert len(keys) == 1 and not [p for p in folder.iterdir() if p.name.endswith(".tmp")]
