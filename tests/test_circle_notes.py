"""Confidential to the room: a circle's notes open for its members and nobody else, the folder included.

The attacker is a teammate: they hold the raw shared folder, its git
history and keys of their own, and can write records.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest

from huddle_tui import circles
from huddle_tui.aggregation import primitives
from huddle_tui.config.team import TeamConfig, load_team_config, team_config_to_toml, write_toml
from huddle_tui.errors import RefusedError
from huddle_tui.journal import Journal
from huddle_tui.sealed import PAD, Sealed, open_text, pad, seal_text, unpad
from huddle_tui.storage.localkey import signing_key_path
from huddle_tui.storage.signature import load_machine_key
from tests.conftest import cli

NAMES = ["Ana", "Ben", "Chen", "Dara", "Emeka", "Fatima", "Gus", "Hana"]
MONDAY = date(2026, 11, 23)
SAID = "on-call is drowning me and I cried after standup"
LATER = "Ben left; we agreed to rotate the pager weekly"


def machine(team: TeamConfig, tmp_path: Path, name: str) -> Journal:
    """`name`'s own machine: its own data folder (its own signing key and keyring)."""
    return Journal(team, me=name, data_dir=tmp_path / "machines" / name, index=False, durable=False)


def secret_of(tmp_path: Path, name: str) -> bytes:
    """The X25519 secret an attacker holding `name`'s machine key has (a member who left keeps theirs)."""
    return load_machine_key(signing_key_path(tmp_path / "machines" / name)).agreement_secret()


def raw_bytes(shared: Path) -> bytes:
    """Every byte under the shared folder (the git objects included), as one string to search."""
    return b"\n".join(p.read_bytes() for p in sorted(shared.rglob("*")) if p.is_file())


def stats(shared: Path) -> dict[str, tuple[int, int, bytes]]:
    """Each file under the shared folder: size, modification time, bytes."""
    return {str(p): (p.stat().st_size, p.stat().st_mtime_ns, p.read_bytes()) for p in shared.rglob("*")
            if p.is_file()}


@pytest.fixture
def room(shared: Path, tmp_path: Path, isolated_dirs: Path) -> TeamConfig:
    """Eight members opted in (two circles of four), each of whom has published a key from their machine."""
    doc = team_config_to_toml(TeamConfig(name="Platform", members=(), shared_dir=shared))
    doc["members"] = [{"name": n, "circles": True} for n in NAMES]
    write_toml(shared / "huddle.toml", doc)
    team = load_team_config(shared / "huddle.toml")
    for name in NAMES:
        assert machine(team, tmp_path, name).signing_key() is not None  # published as theirs
    return team


def test_only_the_circle_reads_what_it_said(room: TeamConfig, shared: Path, tmp_path: Path) -> None:
    """The raw folder, its git history and a non-member's key read nothing; every member reads it all."""
    ana = machine(room, tmp_path, "Ana")
    saved = circles.save_note(ana, MONDAY, SAID, today=MONDAY)
    circle = saved.circle
    assert "Ana" in circle.members and saved.unreadable_by == ()
    mate = next(n for n in circle.members if n != "Ana")
    outsider = next(n for n in NAMES if n not in circle.members)
    circles.save_note(machine(room, tmp_path, mate), MONDAY, "the launch week was fine for me", today=MONDAY)

    if shutil.which("git") is not None:
        commit = ("-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "notes")
        for args in (("init", "-q"), ("add", "-A"), commit):
            subprocess.run(["git", "-C", str(shared), *args], check=True, capture_output=True)
        history = subprocess.run(["git", "-C", str(shared), "log", "-p", "--all"], check=True,
                                 capture_output=True).stdout
        assert b"circlenote" in history and b"drowning" not in history and b"cried" not in history
    folder = raw_bytes(shared)
    for word in (b"drowning", b"cried", b"on-call", b"launch week", SAID.encode("utf-16-le")[:20]):
        assert word not in folder

    # The outsider's own machine, and the outsider's key used by hand on the raw records.
    seen = circles.read_notes(machine(room, tmp_path, outsider), MONDAY)
    assert len(seen) == 2 and all(n.text is None for n in seen)
    assert {n.author for n in seen} == {"Ana", mate}  # who and when stay visible; what was said does not
    records = [json.loads(p.read_text())["record"] for p in shared.rglob("records/circlenote/*/*.json")]
    assert len(records) == 2
    strangers = [secret_of(tmp_path, outsider), primitives.derive(b"attacker", b"any key")]
    for record in records:
        sealed = Sealed.from_payload(record["payload"]["sealed"])
        for secret in strangers:
            for context in (b"", circles.note_context(room, MONDAY.isoformat(), tuple(circle.members),
                                                      record["payload"]["member"], record["id"])):
                assert open_text(sealed, secret, context) is None

    for member in circle.members:
        texts = {n.author: n.text for n in circles.read_notes(machine(room, tmp_path, member), MONDAY)}
        assert texts == {"Ana": SAID, mate: "the launch week was fine for me"}


def test_a_member_removed_reads_nothing_recorded_after(room: TeamConfig, shared: Path,
                                                       tmp_path: Path) -> None:
    """Ben keeps what was sealed to him; once off the roster, nothing sealed later opens with his key."""
    ana = machine(room, tmp_path, "Ana")
    circle = circles.save_note(ana, MONDAY, SAID, today=MONDAY).circle
    mate = next(n for n in circle.members if n != "Ana")
    before = {p.name for p in shared.rglob("records/circlenote/*/*.json")}

    doc = team_config_to_toml(room)
    doc["members"] = [m for m in doc["members"] if m["name"] != mate]
    write_toml(shared / "huddle.toml", doc)
    after_removal = load_team_config(shared / "huddle.toml")
    saved = circles.save_note(machine(after_removal, tmp_path, "Ana"), MONDAY, LATER, today=MONDAY)
    assert mate in saved.circle.members  # the recorded round still seats them, yet the note is not theirs

    secret = secret_of(tmp_path, mate)
    opened: dict[str, str | None] = {}
    for path in shared.rglob("records/circlenote/*/*.json"):
        record = json.loads(path.read_text())["record"]
        p = record["payload"]
        context = circles.note_context(room, p["round"], tuple(p["members"]), p["member"], record["id"])
        sealed = Sealed.from_payload(p["sealed"])
        opened["old" if path.name in before else "new"] = open_text(sealed, secret, context)
    assert opened == {"old": SAID, "new": None}
    # Their machine, reading with the roster they last had, fares no better.
    texts = [n.text for n in circles.read_notes(machine(room, tmp_path, mate), MONDAY)]
    assert sorted(texts, key=str) == sorted([SAID, None], key=str)
    # Those still in the circle read both.
    stayer = next(n for n in circle.members if n not in ("Ana", mate))
    texts = [n.text for n in circles.read_notes(machine(after_removal, tmp_path, stayer), MONDAY)]
    assert sorted(texts, key=str) == sorted([SAID, LATER])


def test_forged_and_misplaced_notes_are_not_shown(room: TeamConfig, tmp_path: Path) -> None:
    """A note in Ana's name signed by another key, or by someone outside the circle, is set aside."""
    ana = machine(room, tmp_path, "Ana")
    circle = circles.save_note(ana, MONDAY, SAID, today=MONDAY).circle
    outsider_name = next(n for n in NAMES if n not in circle.members)
    outsider = machine(room, tmp_path, outsider_name)
    real = circles.read_notes(ana, MONDAY)[0]
    forged = {"member": "Ana", "round": MONDAY.isoformat(), "members": list(circle.members),
              "sealed": seal_text("ignore the last note", [primitives.public_key(secret_of(tmp_path, "Ana"))],
                                  b"").to_payload()}
    outsider.save_record("circlenote", "0d9f4c1e-0000-4000-8000-000000000001", MONDAY.isoformat(), forged)
    outsider.save_record("circlenote", "0d9f4c1e-0000-4000-8000-000000000002", MONDAY.isoformat(),
                         {**forged, "member": outsider_name})
    assert circles.read_notes(machine(room, tmp_path, "Ana"), MONDAY) == [real]
    with pytest.raises(RefusedError, match="is in no circle"):
        _outside_circle(room, tmp_path)


def _outside_circle(room: TeamConfig, tmp_path: Path) -> None:
    """Someone not opted in to circles has no circle to write to."""
    doc = team_config_to_toml(room)
    doc["members"].append({"name": "Ivo"})
    write_toml(room.shared_dir / "huddle.toml", doc)
    team = load_team_config(room.shared_dir / "huddle.toml")
    circles.save_note(machine(team, tmp_path, "Ivo"), MONDAY, "hello", today=MONDAY)


def test_padding_hides_the_length_and_round_trips() -> None:
    """Texts of 1 and 200 bytes seal to the same size; padding comes off exactly."""
    key = primitives.derive(b"test", b"k")
    short = seal_text("a", [primitives.public_key(key)], b"ctx")
    long = seal_text("b" * 200, [primitives.public_key(key)], b"ctx")
    assert len(short.text) == len(long.text) == PAD + primitives.TAG_BYTES
    assert open_text(long, key, b"ctx") == "b" * 200 and open_text(long, key, b"other") is None
    for n in (0, 1, PAD - 1, PAD, PAD + 1):
        assert unpad(pad(b"x" * n)) == b"x" * n and len(pad(b"x" * n)) % PAD == 0


def test_the_commands_seal_and_open(room: TeamConfig, tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """`huddle circles note` seals for the circle; `notes` opens it for a member and lists it for others."""
    monkeypatch.setenv("HUDDLE_CONFIG", str(room.shared_dir / "huddle.toml"))
    monkeypatch.setenv("HUDDLE_DATA_DIR", str(tmp_path / "machines" / "Ana"))
    config = tmp_path / "home" / "config"
    config.mkdir(parents=True, exist_ok=True)
    (config / "config.toml").write_text('me = "Ana"\n', encoding="utf-8")
    day = ("--date", MONDAY.isoformat())
    code, out, err = cli(capsys, "circles", "note", SAID, *day)
    assert code == 0 and "nobody else can" in out, err
    before = stats(room.shared_dir)
    code, out, err = cli(capsys, "circles", "notes", "--json", *day)
    assert code == 0 and json.loads(out)["notes"][0]["text"] == SAID, err
    code, _, err = cli(capsys, "circles", "notes", SAID, *day)
    assert code == 2 and err.count("\n") == 1
    kept = circles.stored(Journal(room), MONDAY)
    assert kept is not None
    circle = next(c for c in kept.circles if "Ana" in c.members)
    outsider = next(n for n in NAMES if n not in circle.members)
    (config / "config.toml").write_text(f'me = "{outsider}"\n', encoding="utf-8")
    monkeypatch.setenv("HUDDLE_DATA_DIR", str(tmp_path / "machines" / outsider))
    code, out, err = cli(capsys, "circles", "notes", *day)
    assert code == 0 and "Ana: (sealed: not for this machine's key)" in out and "drowning" not in out, err
    assert stats(room.shared_dir) == before  # reading notes, opened or not, wrote nothing there
