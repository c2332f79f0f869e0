"""`huddle demo` shows everything the product does, to a person with nothing set up but the demo.

The demo is made as a newcomer makes it, in a home of its own (HOME and the
XDG folders, none of huddle's test overrides): it sets up a user config for
the member they are in the demo's own folder (never theirs), so plain
`huddle`, `huddle me`, `followups --mine` and `pairs met` work as that
member; it runs in the recommended anonymous mode with released anonymous
answers, signposts, follow-ups and buddies to show; and it records its away
ranges as `huddle away` does, which `huddle away --list` shows beside
huddle.toml's.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from huddle_tui import paths
from huddle_tui.config.team import TeamConfig, load_team_config
from huddle_tui.config.user import demo_stand_in, load_team, load_user_config, who_am_i
from huddle_tui.demo import Signers
from huddle_tui.storage.cache import close_all
from huddle_tui.storage.envelope import Record, decode
from tests.conftest import cli

OVERRIDES = ("HUDDLE_CONFIG_DIR", "HUDDLE_DATA_DIR", "HUDDLE_CACHE_DIR", "HUDDLE_CONFIG")


def home_env(home: Path) -> dict[str, str]:
    """A newcomer's environment: their own HOME and XDG folders, and none of huddle's overrides."""
    env = {k: v for k, v in os.environ.items() if k not in OVERRIDES}
    env.update(HOME=str(home), XDG_CONFIG_HOME=str(home / "xdg-config"), XDG_DATA_HOME=str(home / "xdg-data"),
               XDG_CACHE_HOME=str(home / "xdg-cache"))
    return env


@pytest.fixture(scope="module")
def demo_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`huddle demo --no-tui` run once in a home of its own (half a year of eight people)."""
    home = tmp_path_factory.mktemp("newcomer")
    made = subprocess.run([sys.executable, "-m", "huddle_tui", "demo", "--years", "0.5", "--no-tui"],
                          capture_output=True, text=True, env=home_env(home), timeout=120, cwd=home)
    assert made.returncode == 0, made.stderr
    (home / "demo-stdout.txt").write_text(made.stdout, "utf-8")
    return home


@pytest.fixture
def as_newcomer(demo_home: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """This test's process in the newcomer's environment (in-process commands see what theirs would)."""
    close_all()
    for var in OVERRIDES:
        monkeypatch.delenv(var, raising=False)
    for var, value in home_env(demo_home).items():
        if var.startswith(("XDG_", "HOME")):
            monkeypatch.setenv(var, value)
    monkeypatch.chdir(demo_home)
    yield paths.demo_dir()
    close_all()


def run(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    """`huddle ARGS` in-process, which must succeed; its stdout."""
    code, out, err = cli(capsys, *args)
    assert code == 0, err
    return out


def records(folder: Path, kind: str) -> list[Record]:
    """Every record file of a kind in the demo folder, as read from disk."""
    return [decode(p.read_bytes()) for p in sorted((folder / "records" / kind).rglob("*.json"))]


def test_the_demo_sets_up_its_member_in_its_own_folder_and_plain_huddle_uses_it(as_newcomer: Path,
                                                                               demo_home: Path) -> None:
    """A user config for Ana in the demo folder (0600), none in the person's own; plain huddle uses it."""
    folder = as_newcomer
    assert folder == Path(os.environ["XDG_DATA_HOME"]) / "huddle-tui" / "demo"
    assert not paths.user_config_file().exists()  # the person's own config is never written
    own = paths.demo_user_config_file(folder)
    assert tomllib.loads(own.read_text("utf-8"))["me"] == "Ana"
    assert own.stat().st_mode & 0o777 == 0o600
    assert demo_stand_in() == own
    user = load_user_config()  # what plain `huddle` (commands/app.py) loads
    team = load_team(None, user)
    assert (team.name, who_am_i(user, team), team.shared_dir) == ("Demo team", "Ana", folder.resolve())
    assert "you are Ana in the demo" in (demo_home / "demo-stdout.txt").read_text()


def test_me_followups_mine_and_pairs_met_work_as_that_member(
        as_newcomer: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """None of them needs `me` set by hand; Ana's anonymous answers are hers in `huddle me`."""
    me = json.loads(run(capsys, "me", "--json"))
    assert me["member"] == "Ana"
    assert me["moods"] and {m["visibility"] for m in me["moods"]} == {"team"}  # Ana answered by name
    assert any(r["kind"] == "other" for r in me["resources"])  # the demo user config's own resource
    everyone = json.loads(run(capsys, "followups", "--json"))["followups"]
    assert everyone
    mine = json.loads(run(capsys, "followups", "--mine", "--json"))["followups"]
    assert mine == [f for f in everyone if "Ana" in (f["owner"], f["member"])]  # owned or raised
    said = run(capsys, "pairs", "met")
    assert "Recorded: met." in said
    shown = json.loads(run(capsys, "pairs", "--json"))
    assert shown["marks"] == {"Ana": "met"} and shown["saved"]
    marks = [r for r in records(as_newcomer, "pairmark") if r.date == shown["week"]]
    assert [r.payload["member"] for r in marks] == ["Ana"]


def test_anonymous_mode_has_released_answers_signposts_pairs_and_follow_ups_to_show(
        as_newcomer: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """k ≥ 3 on signed placeholders: anonymous totals in the report, none left out by export."""
    team = load_team_config(as_newcomer / "huddle.toml")
    assert team.mood_privacy == "anonymous"
    report = json.loads(run(capsys, "report", "--by", "month", "--format", "json"))
    periods = report["periods"]
    assert sum(p["anonymous_answers"] or 0 for p in periods) >= 3 * len(periods)
    assert any((p["signposts"] or 0) >= 3 for p in periods)
    assert any(p["pairs"]["buddy"]["rounds"] for p in periods)
    assert report["open_followups"]
    code, _, err = cli(capsys, "export", "--format", "csv")
    assert code == 0 and "left out" not in err
    signers = Signers(team, 7)
    withheld = [r for r in records(as_newcomer, "checkin") if r.payload.get("visibility") == "withheld"]
    for r in withheld:  # each placeholder signed by its own member
        assert r.signer == signers.keys[r.payload["member"]].public
    assert "Ana" not in {r.payload["member"] for r in withheld}  # no real machine's secret in the demo


def test_away_ranges_are_recorded_as_huddle_away_records_them(
        as_newcomer: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """One signed `away` record a range, by its member; none in huddle.toml; `away --list` shows them."""
    team = load_team_config(as_newcomer / "huddle.toml")
    assert all(m.away == () for m in team.members)
    kept = records(as_newcomer, "away")
    assert kept
    signers = Signers(team, 7)
    for r in kept:
        assert set(r.payload) == {"member", "from", "to", "reason"} and r.date == r.payload["from"]
        assert r.signer == signers.keys[r.payload["member"]].public
    listed = json.loads(run(capsys, "away", "--list", "--json"))
    assert sorted((a["member"], a["from"], a["to"]) for a in listed) == sorted(
        (r.payload["member"], r.payload["from"], r.payload["to"]) for r in kept)
    assert {a["kept_in"] for a in listed} == {"shared folder"}
    assert json.loads(run(capsys, "doctor", "--json"))["corrupt"] == 0


def test_away_list_shows_huddle_toml_ranges_marked_as_such(
        team: TeamConfig, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """A range written in huddle.toml and one recorded by `huddle away`, in date order, each marked."""
    assert team.path is not None
    monkeypatch.setenv("HUDDLE_CONFIG", str(team.path))
    ranged = 'name = "Ben"\naway = [{ from = 2026-03-02, to = 2026-03-06 }]\n'
    text = team.path.read_text("utf-8").replace('name = "Ben"\n', ranged, 1)
    team.path.write_text(text, "utf-8")
    assert cli(capsys, "away", "--member", "Ana", "--from", "2026-02-16", "--to", "2026-02-20",
               "--reason", "holiday")[0] == 0
    out = run(capsys, "away", "--list")
    assert out.splitlines() == ["Ana: 2026-02-16 to 2026-02-20 — holiday",
                                "Ben: 2026-03-02 to 2026-03-06 (from huddle.toml)"]
    listed = json.loads(run(capsys, "away", "--list", "--json"))
    assert [a["kept_in"] for a in listed] == ["shared folder", "huddle.toml"]
    team.path.write_text(text.replace("away = [{ from = 2026-03-02, to = 2026-03-06 }]\n", ""), "utf-8")
    (team.shared_dir / "records" / "away").rename(team.shared_dir / "away-gone")
    assert run(capsys, "away", "--list").startswith("No away ranges")


def test_a_demo_made_before_member_configs_gets_one_when_run_again(
        as_newcomer: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`huddle demo` on an existing demo with no user config writes it for this machine's member."""
    own = paths.demo_user_config_file(as_newcomer)
    kept = own.read_bytes()
    own.unlink()
    assert demo_stand_in() is None and load_user_config().me is None
    code, out, err = cli(capsys, "demo", "--no-tui")
    assert code == 0 and "already holds a demo team" in err
    assert own.read_bytes() == kept and "you are Ana in the demo" in out


def test_todays_check_ins_are_async_and_past_ones_were_given_in_the_round(
        as_newcomer: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The lobby shows the async lane on today's check-ins; the history's were keyed in its rounds."""
    from huddle_tui.journal import Journal

    team = load_team_config(as_newcomer / "huddle.toml")
    journal = Journal(team)
    today = journal.date_now()
    lobby = journal.today(today)
    if lobby.checked_in:  # a working day: today's first check-ins came before the huddle
        assert lobby.asynchronous and lobby.asynchronous <= lobby.checked_in
    report = json.loads(run(capsys, "report", "--by", "month", "--until",
                            (today - timedelta(days=1)).isoformat(), "--format", "json"))
    assert sum(p["submitted"] for p in report["periods"]) > 0
    assert all(p["async_checkins"] == 0 for p in report["periods"])
