"""`huddle pairs` through the real command: config, records, agreement between machines, met and skip."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from huddle_tui.config.team import load_team_config, team_config_to_toml, write_toml
from huddle_tui.journal import Journal
from huddle_tui.pairs import this_round
from huddle_tui.rules.pair_figures import round_id
from huddle_tui.storage.envelope import encode
from huddle_tui.storage.folder import FolderStore
from tests.conftest import cli

NAMES = ["Ana", "Ben", "Chen", "Dara", "Emeka", "Fatima", "Gus"]
MONDAY = date(2026, 11, 23)


def write_team(shared: Path, extra: str = "", opted: list[str] = NAMES) -> Path:
    """A huddle.toml with the given members opted in to pairs."""
    members = "".join(f'\n[[members]]\nname = "{n}"\npairs = {"true" if n in opted else "false"}\n'
                      for n in NAMES)
    path = shared / "huddle.toml"
    path.write_text(f'[team]\nname = "Platform"\n{extra}\n{members}', encoding="utf-8")
    return path


def history(journal: Journal, weeks: int) -> None:
    """Earlier weekly rounds, each made by the same rule a machine would use."""
    for i in range(weeks, 0, -1):
        this_round(journal, "buddy", MONDAY - timedelta(weeks=i), today=MONDAY, save=True)


@pytest.mark.parametrize(("toml", "message"), [
    ("[pairs]\ncooldown_weeks = -1", "pairs.cooldown_weeks (line 4): expected a whole number of weeks"),
    ("[pairs]\ncooldown_weeks = \"six\"", "pairs.cooldown_weeks (line 4): expected a whole number"),
    ("[pairs]\ngroup_size = 4", "pairs.group_size (line 4): expected 2 (pairs) or 3 (trios), got 4"),
    ("[pairs]\ncadence = \"daily\"", "pairs.cadence (line 4): expected one of weekly, biweekly"),
    ("[pairs]\ncolor = 1", "pairs.color (line 4): unknown key"),
])
def test_bad_pairs_settings_are_one_line(shared: Path, capsys: pytest.CaptureFixture[str],
                                         toml: str, message: str) -> None:
    """Exit 3 and one line naming the file, the key and its line."""
    path = write_team(shared, toml)
    code, out, err = cli(capsys, "pairs", "--config", str(path))
    assert code == 3 and out == ""
    assert err.count("\n") == 1 and message in err, err


def test_bad_interests_are_one_line(shared: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A member's interests must be a list of short words."""
    path = write_team(shared)
    path.write_text(path.read_text() + 'interests = "climbing"\n', encoding="utf-8")
    code, _, err = cli(capsys, "pairs", "--config", str(path))
    assert code == 3 and "members[6].interests" in err and "expected a list of words" in err


def test_settings_survive_a_write_and_read(shared: Path) -> None:
    """[pairs] and each member's pairs and interests round-trip through huddle.toml."""
    path = write_team(shared, "[pairs]\ncadence = \"biweekly\"\ncooldown_weeks = 8\ngroup_size = 3\n")
    path.write_text(path.read_text() + 'interests = ["jazz", "go"]\n', encoding="utf-8")
    team = load_team_config(path)
    assert team.pairs.cadence == "biweekly" and team.pairs.cooldown_weeks == 8 and team.pairs.group_size == 3
    assert team.members[-1].interests == ("jazz", "go") and team.members[0].pairs
    write_toml(shared / "again.toml", team_config_to_toml(team))
    again = load_team_config(shared / "again.toml")
    assert again.pairs == team.pairs and again.members == team.members


def test_away_and_not_opted_in_are_left_out(shared: Path) -> None:
    """Gus did not opt in; Fatima is away all week; Emeka joins next month: five are paired."""
    path = write_team(shared, opted=NAMES[:-1])
    text = path.read_text().replace('name = "Fatima"\n', 'name = "Fatima"\naway = [{from = 2026-11-23, '
                                    'to = 2026-11-29}]\n')
    text = text.replace('name = "Emeka"\n', 'name = "Emeka"\njoined = 2026-12-15\n')
    path.write_text(text, encoding="utf-8")
    journal = Journal(load_team_config(path), index=False, durable=False)
    view = this_round(journal, "buddy", MONDAY + timedelta(days=2), today=MONDAY, save=True)
    placed = sorted(n for g in view.round.groups for n in g)
    assert placed == ["Ana", "Ben", "Chen", "Dara"] and view.saved


def _run(home: Path, config: Path, *args: str, hashseed: str) -> subprocess.Popen[str]:
    """`huddle pairs …` as another machine: its own config, data and cache dirs."""
    env = {**os.environ, "HUDDLE_CONFIG": str(config), "PYTHONHASHSEED": hashseed,
           **{var: str(home / sub) for var, sub in (("HUDDLE_CONFIG_DIR", "config"),
                                                    ("HUDDLE_DATA_DIR", "data"),
                                                    ("HUDDLE_CACHE_DIR", "cache"))}}
    return subprocess.Popen([sys.executable, "-m", "huddle_tui", *args], env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def _both(tmp_path: Path, config: Path, *args: str) -> list[dict[str, Any]]:
    """`huddle pairs ARGS --json` on two machines at once (homes and hash seeds of their own)."""
    procs = [_run(tmp_path / f"home{i}", config, "pairs", *args, "--json", hashseed=str(i)) for i in (1, 2)]
    outs = []
    for p in procs:
        out, err = p.communicate(timeout=120)
        assert p.returncode == 0, err
        outs.append(json.loads(out))
    return outs


def test_two_machines_making_the_round_at_once_agree(shared: Path, tmp_path: Path) -> None:
    """Two processes, own homes and hash seeds: shown unsaved, then made at once: same pairs, one file."""
    path = write_team(shared, "[pairs]\ncooldown_weeks = 3\n")
    history(Journal(load_team_config(path), index=False, durable=False), 6)
    day = MONDAY.isoformat()
    shown = _both(tmp_path, path, "--date", day)
    assert shown[0]["groups"] == shown[1]["groups"] and not any(s["saved"] for s in shown)
    rid = round_id(load_team_config(path), "buddy", MONDAY)
    assert not list((shared / "records" / "pairs" / "2026-11").glob(rid + ".*"))  # showing saved nothing
    outs = _both(tmp_path, path, "make", "--date", day)
    assert outs[0]["groups"] == outs[1]["groups"] == shown[0]["groups"] and len(outs[0]["groups"]) == 3
    assert sum(len(g) == 3 for g in outs[0]["groups"]) == 1  # seven people: exactly one trio
    files = list((shared / "records" / "pairs" / "2026-11").glob(rid + ".*"))
    assert len(files) == 1  # the same bytes under the same name
    # A third machine, later, reads the record instead of computing anew.
    third = _run(tmp_path / "home3", path, "pairs", "--date", day, hashseed="3")
    out, _ = third.communicate(timeout=120)
    assert all(" + ".join(g) in out for g in outs[0]["groups"]) and "not saved yet" not in out


def test_met_and_skip_are_records_of_their_own(shared: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Each member's mark is their own record; skip makes the pair free again next week."""
    path = write_team(shared, "[pairs]\ncooldown_weeks = 4\n", opted=["Ana", "Ben"])
    day = MONDAY.isoformat()
    assert cli(capsys, "pairs", "--config", str(path), "--date", day)[0] == 0
    code, out, _ = cli(capsys, "pairs", "skip", "--member", "Ana", "--config", str(path), "--date", day)
    assert code == 0 and "Ana + Ben  (skip)" in out
    next_week = (MONDAY + timedelta(weeks=1)).isoformat()
    code, out, _ = cli(capsys, "pairs", "--json", "--config", str(path), "--date", next_week)
    assert json.loads(out)["cooldown_kept"] == 4  # the skipped meeting is not a meeting
    code, _, err = cli(capsys, "pairs", "met", "--member", "Gus", "--config", str(path), "--date", day)
    assert code != 0 and err.count("\n") == 1 and "Gus is in no group" in err
    code, _, err = cli(capsys, "pairs", "met", "--config", str(path), "--date", day)
    assert code == 2 and "--member is required" in err


def test_a_hostile_round_record_is_set_aside(shared: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A round naming someone twice is not read as the answer: the round is made afresh."""
    path = write_team(shared, opted=["Ana", "Ben"])
    team = load_team_config(path)
    rid = round_id(team, "buddy", MONDAY)
    record, data = encode("pairs", rid, 1, MONDAY.isoformat(), MONDAY.isoformat(),
                          {"track": "buddy", "groups": [["Ana", "Ana"]], "cooldown": 0})
    FolderStore(shared, durable=False).write(record, data)
    code, out, err = cli(capsys, "pairs", "--json", "--config", str(path), "--date", MONDAY.isoformat())
    assert code == 0 and json.loads(out)["groups"] == [["Ana", "Ben"]], err


def test_post_queues_one_escaped_chat_message(shared: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """--post puts the round in the outbox once per chat endpoint; names cannot ping anyone."""
    from huddle_tui.sync.outbox import Outbox

    path = write_team(shared, opted=["Ana", "Ben"])
    doc = team_config_to_toml(load_team_config(path))
    doc["members"][0]["name"] = "@here"
    doc["endpoints"] = [{"url": "https://chat.invalid/hook", "format": "discord"}]
    write_toml(path, doc)
    for _ in range(2):
        code, _, err = cli(capsys, "pairs", "--post", "--config", str(path), "--date", MONDAY.isoformat())
        assert code == 0, err
    with Outbox() as outbox:
        items = outbox.items()
    assert len(items) == 1
    body = json.loads(items[0].body)
    assert "@\u200bhere + Ben" in body["content"] and body["allowed_mentions"] == {"parse": []}


def test_huddle_me_shows_my_buddies_this_week(shared: Path, capsys: pytest.CaptureFixture[str],
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """`huddle me` names who I am grouped with this week once the round is recorded; never makes it itself."""
    config = write_team(shared)
    monkeypatch.setenv("HUDDLE_CONFIG", str(config))
    (Path.cwd() / "home" / "config").mkdir(parents=True, exist_ok=True)
    (Path.cwd() / "home" / "config" / "config.toml").write_text('me = "Ana"\n')
    code, out, err = cli(capsys, "me", "--json")
    assert code == 0, err
    assert json.loads(out)["buddies"] == []  # no round yet, and `huddle me` does not make one
    assert not list(shared.rglob("records/pairs/*/*.json"))
    code, out, err = cli(capsys, "pairs", "--json")
    assert code == 0 and json.loads(out)["saved"] is False, err  # showing it does not make it either
    code, out, _ = cli(capsys, "me", "--json")
    assert json.loads(out)["buddies"] == []
    code, out, err = cli(capsys, "pairs", "make", "--json")
    assert code == 0, err
    groups = json.loads(out)["groups"]
    mine = next(g for g in groups if "Ana" in g)
    code, out, err = cli(capsys, "me", "--json")
    assert json.loads(out)["buddies"] == [{"kind": "buddy", "with": [n for n in mine if n != "Ana"]}]
    code, out, err = cli(capsys, "me")
    assert f"Your buddy this week: {', '.join(n for n in mine if n != 'Ana')}" in out


def test_people_who_opt_in_later_in_the_week_are_paired(shared: Path,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    """A round with nobody to pair is not kept (nor is an older version's): opting in later pairs people."""
    day = MONDAY.isoformat()
    path = write_team(shared, opted=["Ana"])
    code, out, _ = cli(capsys, "pairs", "--json", "--config", str(path), "--date", day)
    assert code == 0 and json.loads(out)["groups"] == []
    assert not list((shared / "records").glob("pairs/*/*"))  # nothing kept
    store = FolderStore(shared)  # … as an older version did: an empty round, version 1
    team = load_team_config(path)
    record, data = encode("pairs", round_id(team, "buddy", MONDAY), 1, day, day,
                          {"track": "buddy", "monday": day, "groups": [], "cooldown": 0})
    store.write(record, data, anonymous=True)
    path = write_team(shared, opted=["Ana", "Ben", "Chen"])
    code, out, _ = cli(capsys, "pairs", "make", "--json", "--config", str(path), "--date", day)
    assert code == 0 and sorted(n for g in json.loads(out)["groups"] for n in g) == ["Ana", "Ben", "Chen"]
    code, again, _ = cli(capsys, "pairs", "--json", "--config", str(path), "--date", day)
    assert json.loads(again)["groups"] == json.loads(out)["groups"]
    kept = Journal(load_team_config(path)).shared.read(("pairs",)).records[round_id(team, "buddy", MONDAY)]
    assert kept.version == 2 and len(kept.payload["groups"]) == 1
