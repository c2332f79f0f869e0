"""Signed records, tried by a hostile teammate: several homes on one shared folder, each its own key.

Ben has his own machine and key, the app's flags, and write access to the
raw folder. Whatever he does, nothing shows or counts as Ana's unless a key
Ana's machine trusts as hers signed it, and an anonymous answer is released
only with three signed placeholders of roster members.
"""

from __future__ import annotations

import time
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from huddle_tui.config.team import TeamConfig, with_members
from huddle_tui.errors import RefusedError
from huddle_tui.journal import Journal
from huddle_tui.model.checkin import CheckIn
from huddle_tui.model.ids import named_id, random_id
from huddle_tui.rules.privacy import candidates, releasable
from huddle_tui.storage import envelope
from huddle_tui.storage.fileio import write_atomic
from huddle_tui.storage.signature import SigningKey, fingerprint, id_for_key, new_seed
from huddle_tui.sync import wire

DAY = "2026-12-07"  # a Monday



def home(team: TeamConfig, tmp_path: Path, who: str, machine: str = "") -> Journal:
    """A teammate's own machine: its own data folder (keys, private records), no shared cache."""
    folder = tmp_path / f"home-{who}{machine}"
    return Journal(team, me=who, data_dir=folder, private_root=folder / "private", index=False,
                   now=on_the_day)


def on_the_day(started: float = time.monotonic()) -> datetime:
    """A clock that starts at DAY's morning and runs on, whatever day the suite runs on.

    A key is published dated the day it is made, and an unsigned record is
    refused only from that date on: with the real clock, DAY falls before
    every key once the calendar moves past it.
    """
    return datetime.fromisoformat(f"{DAY}T09:00:00+00:00") + timedelta(seconds=time.monotonic() - started)


def plant(shared: Path, kind: str, rid: str, payload: dict[str, object], *, version: int = 1,
          key: SigningKey | None = None, deleted: bool = False, day: str = DAY) -> None:
    """Write a record file straight into the folder, as anyone with write access can."""
    record, data = envelope.encode(kind, rid, version, day, f"{day}T09:00:00.000000Z", payload, deleted,
                                   key=key)
    target = shared / "records" / kind / day[:7] / record.file_name()
    target.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(target, data, durable=False)


def mood_of(journal: Journal, member: str) -> tuple[int | None, str | None] | None:
    """The mood a machine shows for a member that day, and who keyed it (None: no check-in shown)."""
    for c in journal.checkins(journal.read(("checkin",), since=DAY)):
        if c.member == member and c.date == DAY:
            return c.mood, c.keyed_by
    return None


@pytest.fixture
def homes(team: TeamConfig, tmp_path: Path) -> dict[str, Journal]:
    """Ana, Ben and Chen each check in by name from their own machine: their keys are published."""
    out = {}
    for who, mood in (("Ana", 4), ("Ben", 3), ("Chen", 5)):
        out[who] = home(team, tmp_path, who)
        out[who].save_checkin(CheckIn(DAY, mood, who, "fine"))
    for journal in out.values():  # everyone has seen everyone's first key
        journal.authorship()
    return out


def test_bens_forgeries_never_show_as_anas_on_anas_machine_or_chens(homes: dict[str, Journal]) -> None:
    """The app's flags and raw files alike: Ana's own check-in stands on every machine."""
    ana, ben, chen = homes["Ana"], homes["Ben"], homes["Chen"]
    shared = ana.team.shared_dir
    rid = named_id("checkin", "Ana", DAY)
    with pytest.raises(RefusedError, match="themselves"):
        ben.save_checkin(CheckIn(DAY, 1, "Ana", "I hate this team"))
    with pytest.raises(RefusedError, match="by name only"):
        ben.save_checkin(CheckIn(DAY, 1, "Ana", "", visibility="private"))
    ben_key = ben.signing_key()
    assert ben_key is not None
    # Raw files: unsigned, signed by Ben as if by Ana, Ben's tombstone, a version Ben marks as his.
    plant(shared, "checkin", rid, {"member": "Ana", "mood": 1, "status": "forged"}, version=7)
    plant(shared, "checkin", rid, {"member": "Ana", "mood": 1, "status": "forged"}, version=8, key=ben_key)
    plant(shared, "checkin", rid, {"member": "Ana"}, version=9, key=ben_key, deleted=True)
    plant(shared, "checkin", rid, {"member": "Ana", "mood": 1, "status": "x", "keyed_by": "Ben"},
          version=10, key=ben_key)
    # A key of Ben's own published as Ana's: pinned elsewhere already, so it only waits.
    fake = SigningKey(new_seed())
    plant(shared, "key", named_id("key", fake.public), {"member": "Ana", "key": fake.public}, key=fake)
    plant(shared, "checkin", rid, {"member": "Ana", "mood": 1, "status": "forged"}, version=11, key=fake)
    for journal in (ana, chen):
        assert mood_of(journal, "Ana") == (4, None)
        problems = "\n".join(p.reason for p in journal.read(("checkin",), since=DAY).problems)
        assert "after their key" in problems and "not marked as keyed" in problems and "waiting" in problems
    assert ana.current("Ana", DAY).checkin is not None
    key = ana.signing_key()
    assert key is not None
    assert ana.save_checkin(CheckIn(DAY, 2, "Ana", "still me")).answer.signer == key.public


def test_a_check_in_keyed_for_someone_else_says_so_and_yields_to_theirs(homes: dict[str, Journal],
                                                                       team: TeamConfig,
                                                                       tmp_path: Path) -> None:
    """The facilitator keys Dara's mood: shown as keyed by Ben; Dara's own answer then replaces it."""
    ben = homes["Ben"]
    ben.save_checkin(CheckIn(DAY, 2, "Dara", "keyed in the round"))
    assert mood_of(homes["Chen"], "Dara") == (2, "Ben")
    from huddle_tui.rules.summary import render_text

    assert "Dara (keyed by Ben)" in render_text(homes["Chen"].summary(date.fromisoformat(DAY)))
    dara = home(team, tmp_path, "Dara")
    dara.save_checkin(CheckIn(DAY, 5, "Dara", "my own"))
    homes["Chen"].authorship()
    assert mood_of(homes["Chen"], "Dara") == (5, None)
    with pytest.raises(RefusedError):
        ben.amend_checkin("Dara", DAY, mood=1)
    assert mood_of(homes["Chen"], "Dara") == (5, None)


def test_forged_placeholders_and_ghosts_never_release_an_anonymous_answer(team: TeamConfig,
                                                                         tmp_path: Path) -> None:
    """Ben leaves placeholders for Chen, Dara and a ghost: Ana's anonymous answer stays held."""
    ana, ben = home(team, tmp_path, "Ana"), home(team, tmp_path, "Ben")
    ana.save_checkin(CheckIn(DAY, 1, "Ana", "thinking of quitting", visibility="anonymous"))
    ben.save_checkin(CheckIn(DAY, 3, "Ben", "ok"))
    shared = team.shared_dir
    ben_key = ben.signing_key()
    for name in ("Chen", "Dara", "Zed"):
        plant(shared, "checkin", named_id("checkin", name, DAY), {"member": name, "visibility": "withheld"},
              key=ben_key)
        plant(shared, "checkin", named_id("checkin", name, DAY) [:-1] + "0",
              {"member": name, "visibility": "withheld"})
    # Three forged anonymous answers would make the day "6 of 5" if they counted.
    for _ in range(3):
        one = SigningKey(new_seed())
        plant(shared, "checkin", id_for_key(one.public), {"visibility": "anonymous", "mood": 1}, key=one)
    for journal in (ana, ben):
        day = journal.read(("checkin",), since=DAY)
        checkins = journal.checkins(day)
        assert candidates(journal.roster(), envelope_date(), checkins) == 1  # Ana's own placeholder only
        assert not releasable(journal.roster(), envelope_date(), checkins)
    later = home(team, tmp_path, "Ana")
    assert later.release_pending() == 0
    assert "thinking of quitting" not in journal_text(ben)
    summary = ben.summary(envelope_date())  # 2 of 5, never "5 of 5": the forged 1s count for nothing
    assert summary.answered == 2 and summary.not_adding_up and summary.anonymous_count == 0


def envelope_date() -> date:
    """DAY as a date."""
    return date.fromisoformat(DAY)


def journal_text(journal: Journal) -> str:
    """Everything a machine shows of the day's records, as text."""
    return "\n".join(envelope.dumps(r.payload) for r in journal.read(("checkin", "concern")).live())


def test_a_new_key_waits_until_confirmed_and_a_linked_machine_needs_no_confirming(
        homes: dict[str, Journal], team: TeamConfig, tmp_path: Path) -> None:
    """Ana's new laptop: its records wait on Chen's machine until he confirms its fingerprint."""
    chen = homes["Chen"]
    laptop = home(team, tmp_path, "Ana", "-laptop")
    laptop.save_checkin(CheckIn("2026-12-08", 2, "Ana", "from the laptop"))
    waiting = chen.authorship()
    laptop_key = laptop.signing_key()
    assert laptop_key is not None and waiting is not None
    assert [c.key for c in waiting.waiting["ana"]] == [laptop_key.public]
    assert not any(c.member == "Ana" for c in chen.checkins(chen.read(("checkin",), since="2026-12-08")))
    ring = chen.keyring()
    ring.pin("Ana", waiting.waiting["ana"][0].key)
    ring.save()  # as `huddle keys confirm` does, in another process
    assert any(c.mood == 2 and c.member == "Ana" for c in chen.checkins(chen.read(("checkin",),
                                                                                 since="2026-12-08")))
    # A third machine, linked by the first: trusted on Ben's machine without a word from Ben.
    desktop = home(team, tmp_path, "Ana", "-desktop")
    key = desktop.signing_key()
    assert key is not None
    homes["Ana"].link_key(key.public, "desktop")
    desktop.save_checkin(CheckIn("2026-12-09", 5, "Ana", "desktop"))
    ben = homes["Ben"]
    trust = ben.authorship()
    assert trust is not None and trust.member_of(key.public) == "Ana"
    assert fingerprint(key.public).count(" ") == 5


def test_only_the_author_changes_an_anonymous_record(team: TeamConfig, tmp_path: Path) -> None:
    """A released anonymous answer's id is its one-time key's: Ben's tombstone or edit is set aside."""
    ana = home(team, tmp_path, "Ana")
    ana.save_checkin(CheckIn(DAY, 3, "Ana", "ok"))
    released = SigningKey(new_seed())
    rid = id_for_key(released.public)
    plant(team.shared_dir, "checkin", rid, {"visibility": "anonymous", "mood": 2}, key=released)
    ben = SigningKey(new_seed())
    plant(team.shared_dir, "checkin", rid, {}, version=2, key=ben, deleted=True)
    plant(team.shared_dir, "checkin", rid, {"visibility": "anonymous", "mood": 5}, version=3)
    record = ana.read(("checkin",), since=DAY).records[rid]
    assert record.version == 1 and record.payload["mood"] == 2


def test_a_signed_record_travels_over_the_wire_whole_and_a_changed_one_is_refused() -> None:
    """The API carries signer and signature; a byte changed on the way fails verification."""
    key = SigningKey(new_seed())
    record, data = envelope.encode("checkin", random_id(), 1, DAY, "t", {"member": "Ana", "mood": 4}, key=key)
    obj = wire.to_wire(record)
    again, same = wire.from_wire(obj)
    assert (again, same) == (record, data)
    with pytest.raises(envelope.CorruptRecord):
        wire.from_wire({**obj, "payload": {"member": "Ana", "mood": 1},
                        "checksum": envelope.encode("checkin", record.id, 1, DAY, "t",
                                                    {"member": "Ana", "mood": 1},
                                                    signed=(key.public, record.signature))[0].checksum})


ACTIONS = st.lists(st.tuples(st.sampled_from(["unsigned", "ben-as-member", "ben-keyed", "tombstone",
                                              "fake-key", "placeholder"]),
                             st.sampled_from(["Ana", "Chen", "Dara", "Zed"]),
                             st.integers(min_value=1, max_value=20)), max_size=8)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ACTIONS, st.lists(st.sampled_from(["Ana", "Ben", "Chen", "Dara", "Emeka"]), min_size=1,
                         max_size=5, unique=True))
def test_no_forgery_is_ever_shown_as_another_members(tmp_path_factory: pytest.TempPathFactory,
                                                      actions: list[tuple[str, str, int]],
                                                      honest: list[str]) -> None:
    """Any mix of forgeries over any set of honest members: each shown check-in is its signer's.

    The one thing trust on first use cannot stop is left out: a first key published for a member
    who has none yet is pinned on sight (`huddle keys` shows its fingerprint to compare).
    """
    root = tmp_path_factory.mktemp("team")
    (root / "shared").mkdir()
    team = with_members(TeamConfig(name="Platform", members=(), shared_dir=root / "shared"),
                        ["Ana", "Ben", "Chen", "Dara", "Emeka"])
    machines = {who: home(team, root, who) for who in {*honest, "Ben", "Chen"}}
    for machine in machines.values():
        machine.signing_key()  # each machine's key is published with its first use
    for who in honest:
        machines[who].save_checkin(CheckIn(DAY, 4, who, "own"))
    machines["Chen"].authorship()  # Chen's machine has seen the honest members' first keys
    first_keys: set[str] = set()  # members with no key of their own whose first key Ben published
    ben_key = machines["Ben"].signing_key()
    assert ben_key is not None
    for action, name, version in actions:
        rid = named_id("checkin", name, DAY)
        payload: dict[str, object] = {"member": name, "mood": 1, "status": "forged"}
        if action == "unsigned":
            plant(team.shared_dir, "checkin", rid, payload, version=version)
        elif action == "ben-as-member":
            plant(team.shared_dir, "checkin", rid, payload, version=version, key=ben_key)
        elif action == "ben-keyed":
            plant(team.shared_dir, "checkin", rid, {**payload, "keyed_by": "Ben"}, version=version,
                  key=ben_key)
        elif action == "tombstone":
            plant(team.shared_dir, "checkin", rid, {"member": name}, version=version, key=ben_key,
                  deleted=True)
        elif action == "fake-key":
            if name not in machines:
                first_keys.add(name)
            fake = SigningKey(new_seed())
            plant(team.shared_dir, "key", named_id("key", fake.public), {"member": name, "key": fake.public},
                  key=fake)
            plant(team.shared_dir, "checkin", rid, payload, version=version, key=fake)
        else:
            plant(team.shared_dir, "checkin", rid, {"member": name, "visibility": "withheld"},
                  version=version, key=ben_key)
    chen = machines["Chen"]
    checkins = chen.checkins(chen.read(("checkin",), since=DAY))
    for c in checkins:
        if c.member in honest:
            assert (c.mood, c.keyed_by) == (4, None)  # the member's own stands
        elif c.member is not None and c.member not in first_keys:
            assert c.keyed_by == "Ben" and not c.withheld  # only ever shown as keyed by Ben
    assert candidates(team, envelope_date(), checkins) <= len(honest)


def test_three_signed_placeholders_release_the_answers_in_a_later_session(team: TeamConfig,
                                                                          tmp_path: Path) -> None:
    """Ana, Ben and Chen answer anonymously on their own machines; each later session releases its own."""
    for who in ("Ana", "Ben", "Chen"):
        home(team, tmp_path, who).save_checkin(CheckIn(DAY, 2, who, "tired", visibility="anonymous"))
    assert sum(home(team, tmp_path, who).release_pending() for who in ("Ana", "Ben", "Chen")) == 3
    reader = home(team, tmp_path, "Dara")
    day = reader.checkins(reader.read(("checkin",), since=DAY))
    assert candidates(team, envelope_date(), day) == 3 and releasable(team, envelope_date(), day)
    summary = reader.summary(envelope_date())
    assert summary.anonymous_count == 3


def test_a_follow_up_is_closed_by_its_owner_on_their_own_machine(team: TeamConfig, tmp_path: Path) -> None:
    """Ana asks Ben for support; Ben closes the follow-up from his machine: everyone sees it done."""
    from huddle_tui.followups import close, team_followups
    from huddle_tui.model.checkin import Concern, FollowUp

    ana, ben, chen = (home(team, tmp_path, who) for who in ("Ana", "Ben", "Chen"))
    concern = Concern.new("can we pair on the release?", "support", "team", FollowUp("Ben"))
    ana.save_concern(concern, DAY, "Ana")
    chen.authorship()
    _, record = close(ben, concern.id[:8], envelope_date())
    assert record.payload.get("keyed_by") == "Ben"
    assert [(i.id, i.state) for i in team_followups(chen, envelope_date())] == [(concern.id, "done")]


def test_a_ghost_added_to_huddle_toml_counts_for_nothing_until_confirmed(team: TeamConfig,
                                                                         tmp_path: Path) -> None:
    """Ben adds two members to the roster, with keys and placeholders: Chen's machine holds their keys."""
    from huddle_tui.config.team import Member

    chen = home(team, tmp_path, "Chen")
    chen.save_checkin(CheckIn(DAY, 3, "Chen", "ok"))
    chen.authorship()  # Chen's machine has looked at the roster as it was
    ana = home(team, tmp_path, "Ana")
    ana.save_checkin(CheckIn(DAY, 1, "Ana", "thinking of quitting", visibility="anonymous"))
    grown = team._replace(members=(*team.members, Member("Gus"), Member("Hal")))
    for ghost in ("Gus", "Hal"):  # Ben's doing: a key each, and a placeholder each, all signed
        key = SigningKey(new_seed())
        plant(team.shared_dir, "key", named_id("key", key.public), {"member": ghost, "key": key.public},
              key=key)
        plant(team.shared_dir, "checkin", named_id("checkin", ghost, DAY),
              {"member": ghost, "visibility": "withheld"}, key=key)
    seen = home(grown, tmp_path, "Chen")
    trust = seen.authorship()
    assert trust is not None and trust.added == ["gus", "hal"] and set(trust.waiting) == {"gus", "hal"}
    checkins = seen.checkins(seen.read(("checkin",), since=DAY))
    assert candidates(grown, envelope_date(), checkins) == 1
    later = home(grown, tmp_path, "Ana")
    assert later.release_pending() == 0  # Ana's own machine has never seen the ghosts either


def test_only_a_strict_base64url_signature_of_the_exact_body_verifies() -> None:
    """Every other spelling of a signature or key is refused, the keys decoded once or not yet."""
    from huddle_tui.storage.signature import verify

    key = SigningKey(new_seed())
    body = b'{"kind":"checkin"}'
    sig = key.sign(body)
    assert verify(key.public, sig, body) and verify(key.public, sig, body)  # decoded, then cached
    assert not verify(key.public, sig, body + b" ")
    for bad in (sig[:-1] + "+", sig[:-1] + "/", sig[:-2] + "==", sig[:40] + " " + sig[41:], sig[:-1],
                sig + "A", "é" * 86, ""):
        assert not verify(key.public, bad, body), bad
    for bad_key in (key.public[:-1] + "/", key.public[:-1], key.public + "A", "é" * 43):
        assert not verify(bad_key, sig, body), bad_key
