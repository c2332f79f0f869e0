"""`huddle circles` through the real command: settings, agreement between machines, show versus make."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from huddle_tui import circles
from huddle_tui.config.team import load_team_config, team_config_to_toml, write_toml
from huddle_tui.journal import Journal
from huddle_tui.storage.envelope import encode
from huddle_tui.storage.folder import FolderStore
from tests.conftest import cli

NAMES = ["Ana", "Ben", "Chen", "Dara", "Emeka", "Fatima", "Gus", "Hana", "Ivo", "Jun", "Kofi", "Lea", "Mo"]
GROUPS = ("web", "ops", "data")
MONDAY = date(2026, 11, 23)


def write_team(shared: Path, extra: str = "", opted: list[str] = NAMES) -> Path:
    """A huddle.toml with the given members opted in to circles, each in one of three groups."""
    members = "".join(f'\n[[members]]\nname = "{n}"\ncircles = {"true" if n in opted else "false"}\n'
                      f'group = "{GROUPS[i % 3]}"\n' for i, n in enumerate(NAMES))
    path = shared / "huddle.toml"
    path.write_text(f'[team]\nname = "Platform"\n{extra}\n{members}', encoding="utf-8")
    return path


def files(shared: Path) -> dict[str, tuple[int, int, bytes]]:
    """Every file under the shared folder: size, modification time and bytes."""
    return {str(p.relative_to(shared)): (p.stat().st_size, p.stat().st_mtime_ns, p.read_bytes())
            for p in sorted(shared.rglob("*")) if p.is_file()}


@pytest.mark.parametrize(("toml", "message"), [
    ("[circles]\nsize = 7", "circles.size (line 4): expected 4, 5 or 6 people, got 7"),
    ("[circles]\nsize = true", "circles.size (line 4): expected 4, 5 or 6 people, got True"),
    ("[circles]\nminutes = 0", "circles.minutes (line 4): expected a whole number of minutes from 1 to 60"),
    ("[circles]\ncooldown_weeks = \"four\"", "circles.cooldown_weeks (line 4): expected a whole number"),
    ("[circles]\ncadence = \"daily\"", "circles.cadence (line 4): expected one of weekly, biweekly"),
    ("[circles]\nmood = 1", "circles.mood (line 4): unknown key"),
])
def test_bad_circles_settings_are_one_line(shared: Path, capsys: pytest.CaptureFixture[str],
                                           toml: str, message: str) -> None:
    """Exit 3 and one line naming the key and its line."""
    path = write_team(shared, toml)
    code, out, err = cli(capsys, "circles", "--config", str(path))
    assert code == 3 and out == ""
    assert err.count("\n") == 1 and message in err, err


def test_a_bad_group_is_one_line(shared: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A member's group is a short printable word, not a list or an empty string."""
    path = write_team(shared)
    path.write_text(path.read_text().replace('group = "web"', 'group = ["web"]', 1), encoding="utf-8")
    code, _, err = cli(capsys, "circles", "--config", str(path))
    assert code == 3 and "members[0].group" in err and err.count("\n") == 1, err


def test_settings_survive_a_write_and_read(shared: Path) -> None:
    """[circles] and each member's circles and group round-trip through huddle.toml."""
    path = write_team(shared, '[circles]\ncadence = "biweekly"\nsize = 4\nminutes = 15\ncooldown_weeks = 6\n',
                      opted=NAMES[:5])
    team = load_team_config(path)
    assert tuple(team.circles) == ("biweekly", 4, 15, 6)
    assert team.members[0].circles and not team.members[6].circles and team.members[1].group == "ops"
    write_toml(shared / "again.toml", team_config_to_toml(team))
    again = load_team_config(shared / "again.toml")
    assert again.circles == team.circles and again.members == team.members


def test_away_and_not_opted_in_are_left_out(shared: Path) -> None:
    """Mo did not opt in; Lea is away all week; Kofi joins next month: ten are seated, in two circles of 5."""
    path = write_team(shared, opted=NAMES[:-1])
    text = path.read_text().replace('name = "Lea"\n', 'name = "Lea"\naway = [{from = 2026-11-23, '
                                    'to = 2026-11-29}]\n')
    path.write_text(text.replace('name = "Kofi"\n', 'name = "Kofi"\njoined = 2026-12-15\n'), encoding="utf-8")
    journal = Journal(load_team_config(path), index=False, durable=False)
    view = circles.this_round(journal, MONDAY + timedelta(days=2), today=MONDAY, save=False)
    assert sorted(n for c in view.round.circles for n in c.members) == sorted(NAMES[:10])
    assert [len(c.members) for c in view.round.circles] == [5, 5] and not view.saved


def _run(home: Path, config: Path, *args: str, hashseed: str) -> subprocess.Popen[str]:
    """`huddle circles …` as another machine: its own HOME, XDG and huddle dirs, its own hash seed."""
    env = {**os.environ, "HUDDLE_CONFIG": str(config), "PYTHONHASHSEED": hashseed, "HOME": str(home),
           **{var: str(home / sub) for var, sub in (("HUDDLE_CONFIG_DIR", "config"),
                                                    ("HUDDLE_DATA_DIR", "data"),
                                                    ("HUDDLE_CACHE_DIR", "cache"),
                                                    ("XDG_CONFIG_HOME", "xdg-config"),
                                                    ("XDG_DATA_HOME", "xdg-data"),
                                                    ("XDG_CACHE_HOME", "xdg-cache"))}}
    return subprocess.Popen([sys.executable, "-m", "huddle_tui", "circles", *args], env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def _both(tmp_path: Path, config: Path, *args: str) -> list[str]:
    """`huddle circles ARGS` on two machines at once; their outputs."""
    procs = [_run(tmp_path / f"home{i}", config, *args, hashseed=str(i)) for i in (1, 2)]
    outs = []
    for p in procs:
        out, err = p.communicate(timeout=120)
        assert p.returncode == 0, err
        outs.append(out)
    return outs


def test_two_machines_print_the_same_circles(shared: Path, tmp_path: Path) -> None:
    """Two processes with homes and hash seeds of their own: the same circles, and nothing written.

    Then both make the round at once: the same circles again, and one file.
    """
    path = write_team(shared, "[circles]\ncooldown_weeks = 3\n")
    journal = Journal(load_team_config(path), index=False, durable=False)
    for weeks in (3, 2, 1):  # earlier rounds, so the rotation has something to keep apart
        assert circles.this_round(journal, MONDAY - timedelta(weeks=weeks), today=MONDAY, save=True).saved
    before = files(shared)
    day = MONDAY.isoformat()
    text = _both(tmp_path, path, "--date", day)
    assert text[0] == text[1] and "Circle 3: facilitated by" in text[0] and "not saved yet" in text[0]
    shown = [json.loads(out) for out in _both(tmp_path, path, "--date", day, "--json")]
    assert shown[0] == shown[1] and not shown[0]["saved"]
    assert files(shared) == before  # showing wrote nothing: same paths, bytes and times
    made = [json.loads(out) for out in _both(tmp_path, path, "make", "--date", day, "--json")]
    assert made[0]["circles"] == made[1]["circles"] == shown[0]["circles"] and made[0]["saved"]
    rid = circles.round_id(journal.team, MONDAY)
    kept = list((shared / "records" / "circles" / "2026-11").glob(rid + ".*"))
    assert len(kept) == 1  # the same bytes under the same name
    seated = sorted(n for c in made[0]["circles"] for n in c["members"])
    assert seated == sorted(NAMES) and sorted(len(c["members"]) for c in made[0]["circles"]) == [4, 4, 5]


def test_json_names_each_facilitator_and_order(shared: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Each circle: its members, a facilitator among them who speaks first, everyone once in the order."""
    path = write_team(shared)
    code, out, err = cli(capsys, "circles", "--json", "--config", str(path), "--date", MONDAY.isoformat())
    assert code == 0, err
    data: dict[str, Any] = json.loads(out)
    assert data["week"] == "2026-11-23" and data["minutes"] == 10 and data["saved"] is False
    for c in data["circles"]:
        assert c["order"][0] == c["facilitator"] and sorted(c["order"]) == sorted(c["members"])
        assert len({GROUPS[NAMES.index(n) % 3] for n in c["members"]}) == 3  # every circle mixes all groups


def test_make_records_once_and_the_next_show_reads_it(shared: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    """`make` saves the round shown; making it again says so; the next week's facilitators are others."""
    path = write_team(shared)
    args = ("--config", str(path), "--date", MONDAY.isoformat())
    _, shown, _ = cli(capsys, "circles", *args)
    code, out, err = cli(capsys, "circles", "make", *args)
    assert code == 0 and "Recorded: the round is saved" in out, err
    assert out.splitlines()[:-1] == shown.splitlines()[:-1]
    code, out, _ = cli(capsys, "circles", "make", *args)
    assert code == 0 and "Already recorded" in out
    code, out, _ = cli(capsys, "circles", *args)
    assert "not saved" not in out
    first = {c["facilitator"] for c in json.loads(cli(capsys, "circles", "--json", *args)[1])["circles"]}
    later = ("--config", str(path), "--date", (MONDAY + timedelta(weeks=1)).isoformat())
    second = {c["facilitator"] for c in json.loads(cli(capsys, "circles", "--json", *later)[1])["circles"]}
    assert first.isdisjoint(second)


def test_a_round_to_come_is_refused_and_few_people_seat_nobody(shared: Path,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    """`make` for a later week exits 2 with one line; two members opted in make no circle."""
    path = write_team(shared)
    later = (date.today() + timedelta(weeks=2)).isoformat()
    code, out, err = cli(capsys, "circles", "make", "--config", str(path), "--date", later)
    assert code == 2 and out == "" and err.count("\n") == 1 and "has not started yet" in err
    code, out, _ = cli(capsys, "circles", "--config", str(path), "--date", later)
    assert code == 0 and "a preview" in out
    assert not list(shared.rglob("records/circles/*/*"))
    code, out, err = cli(capsys, "circles", "--config", str(path), "--date", "2026-13-01")
    assert code == 2 and err.count("\n") == 1
    path = write_team(shared, opted=NAMES[:2])
    code, out, _ = cli(capsys, "circles", "make", "--config", str(path), "--date", MONDAY.isoformat())
    assert code == 0 and "nobody to seat" in out and "Nothing recorded" in out
    assert not list(shared.rglob("records/circles/*/*"))


def test_a_hostile_round_record_is_set_aside(shared: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A round whose facilitator sits in no circle of theirs is not the answer: the round is formed afresh."""
    path = write_team(shared, opted=NAMES[:4])
    team = load_team_config(path)
    day = MONDAY.isoformat()
    record, data = encode("circles", circles.round_id(team, MONDAY), 1, day, day,
                          {"circles": [{"members": ["Ana", "Ben", "Chen", "Dara"], "facilitator": "Mallory",
                                        "order": ["Ana", "Ben", "Chen", "Dara"]}], "cooldown": 0})
    FolderStore(shared, durable=False).write(record, data)
    code, out, err = cli(capsys, "circles", "--json", "--config", str(path), "--date", MONDAY.isoformat())
    assert code == 0, err
    found = json.loads(out)
    assert found["circles"][0]["facilitator"] in NAMES[:4] and found["saved"] is False
