"""`huddle demo` makes a signed history: every reader sees all of it as its members' own.

Its synthetic members' keys are published on the history's first day and
sign everything they wrote (the facilitator the day's huddle and handoff, a
one-time key each anonymous answer); whoever runs the demo becomes one of
its members on their machine, so what they save there is trusted too.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from huddle_tui.demo import Signers, You, generate
from huddle_tui.journal import Journal
from huddle_tui.storage.signature import SigningKey, id_for_key, new_seed
from tests.conftest import run_huddle

TODAY = date(2026, 12, 7)  # a Monday


def test_a_reader_of_a_demo_sees_every_record_signed_and_trusted(tmp_path: Path) -> None:
    """A machine that never saw the demo, `me` set to one of its members: nothing set aside, nothing waits."""
    mine = SigningKey(new_seed())
    (tmp_path / "demo").mkdir()
    team = generate(tmp_path / "demo", members=5, years=0.25, today=TODAY,
                    you=You("Chen", mine, tmp_path / "runner"))
    reader = Journal(team, me="Ben", data_dir=tmp_path / "elsewhere", private_root=tmp_path / "p",
                     index=False)
    history = reader.read()
    assert history.problems == []
    assert history.records and all(r.signer for r in history.records.values())
    trust = reader.authorship()
    assert trust is not None and trust.waiting == {}
    signers = Signers(team, 7)
    for member, key in signers.keys.items():
        assert trust.member_of(key.public) == member
    assert trust.member_of(mine.public) == "Chen"  # the runner's key, linked by Chen's demo key
    for record in history.live("checkin"):
        if "member" in record.payload:  # named, or a placeholder: signed by that member's own key
            assert record.signer == signers.keys[record.payload["member"]].public
        else:  # an anonymous answer: by a one-time key its id is bound to
            assert record.id == id_for_key(record.signer)
    for record in history.live("huddle"):
        assert record.signer == signers.keys[record.payload["facilitator"]].public


def test_the_same_seed_makes_the_same_keys_and_ids(tmp_path: Path) -> None:
    """Keys and one-time keys come from the seed: two demos without a runner have the same key files and ids.

    (A concern's id inside a check-in is random, as any new concern's is.)
    """
    folders = [tmp_path / "one", tmp_path / "two"]
    for folder in folders:
        folder.mkdir()
        generate(folder, members=4, years=0.1, today=TODAY)
    keys = [sorted((p.name, p.read_bytes()) for p in (f / "records" / "key").rglob("*.json"))
            for f in folders]
    assert len(keys[0]) == 4 and keys[0] == keys[1]
    ids = [sorted(p.relative_to(f).parent.as_posix() + "/" + p.name.split(".")[0]
                  for p in (f / "records").rglob("*.json")) for f in folders]
    assert ids[0] == ids[1]


def test_huddle_demo_then_huddle_keys_shows_everyone_trusted(tmp_path: Path) -> None:
    """The runner is a demo member on their machine: keys all trusted, and their check-in is theirs."""
    folder = tmp_path / "demo"
    made = run_huddle("demo", "--members", "4", "--years", "0.1", "--shared", str(folder), "--no-tui")
    assert made.returncode == 0, made.stderr
    env = {"HUDDLE_CONFIG": str(folder / "huddle.toml")}
    keys = run_huddle("keys", "--json", env=env)
    assert keys.returncode == 0, keys.stderr
    shown = json.loads(keys.stdout)
    assert shown["me"] == "Ana" and shown["key"]
    assert all(row["trusted"] and not row["waiting"] for row in shown["members"])
    assert shown["key"] in {k["key"] for k in shown["members"][0]["trusted"]}
    assert shown["roster"] == {"added": [], "removed": []}
    day = date.today()
    while day.weekday() > 4:
        day = date.fromordinal(day.toordinal() - 1)
    saved = run_huddle("checkin", "--mood", "2", "--status", "trying the demo", "--date", day.isoformat(),
                       "--named", env=env)  # the demo runs anonymous by default: by name is a choice
    assert saved.returncode == 0, saved.stderr
    summary = run_huddle("summary", "--date", day.isoformat(), "--format", "json", env=env)
    assert "trying the demo" in summary.stdout
    doctor = run_huddle("doctor", "--json", env=env)
    assert json.loads(doctor.stdout)["corrupt"] == 0
