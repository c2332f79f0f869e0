"""Each scripted command does what its --help says, for people and for scripts."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from huddle_tui import paths
from huddle_tui.config.team import TeamConfig, load_team_config
from huddle_tui.config.user import load_user_config
from huddle_tui.storage.folder import FolderStore
from tests.conftest import cli, run_huddle

COMMANDS = ("init", "checkin", "next", "summary", "export", "doctor", "demo")


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help(capsys: pytest.CaptureFixture[str], command: str) -> None:
    """`huddle COMMAND --help` exits 0 and lists exit codes."""
    code, out, _ = cli(capsys, command, "--help")
    assert code == 0 and "usage: huddle " + command in out and "exit codes" in out


def test_python_dash_m_works() -> None:
    """`python -m huddle_tui` is the same command."""
    result = run_huddle("--version")
    assert result.returncode == 0 and "huddle-tui" in result.stdout


def test_init_with_flags_writes_both_configs(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Flags alone: no prompt; the team config in the shared folder, me and shared in the user config."""
    shared = tmp_path / "team-share"
    code, _, err = cli(capsys, "init", "--team", "Platform", "--members", "Ana, Ben,Chen",
                         "--shared", str(shared), "--me", "Ben")
    assert code == 0, err
    team = load_team_config(shared / "huddle.toml")
    assert [m.name for m in team.members] == ["Ana", "Ben", "Chen"]
    user = load_user_config()
    assert user.me == "Ben" and user.shared == shared.resolve()
    code, _, err = cli(capsys, "init", "--team", "Other", "--members", "X", "--shared", str(shared))
    assert code == 2 and "--force" in err
    code, _, _ = cli(capsys, "init", "--team", "Other", "--members", "X", "--shared", str(shared), "--force")
    assert code == 0 and load_team_config(shared / "huddle.toml").name == "Other"


def test_a_teammate_joins_an_existing_team(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`init --shared DIR --me NAME` on a folder with a team config writes only the user config."""
    shared = tmp_path / "share"
    cli(capsys, "init", "--team", "Platform", "--members", "Ana,Ben", "--shared", str(shared), "--me", "Ana")
    before = (shared / "huddle.toml").read_bytes()
    paths.user_config_file().unlink()
    code, out, err = cli(capsys, "init", "--shared", str(shared), "--me", "ben")
    assert code == 0 and "Joined Platform as Ben" in out, err
    assert (shared / "huddle.toml").read_bytes() == before
    assert load_user_config().me == "Ben"
    code, _, err = cli(capsys, "init", "--shared", str(shared), "--me", "Zed", "--force")
    assert code == 2 and "not on Platform's roster" in err


def test_init_never_prompts_without_a_terminal(tmp_path: Path) -> None:
    """With stdin not a terminal, a missing flag is an error, not a hung prompt."""
    result = run_huddle("init", "--members", "Ana", "--shared", str(tmp_path / "s"), stdin="")
    assert result.returncode == 2 and "--team is required" in result.stderr


def test_checkin_then_again_is_a_new_version(team: TeamConfig, capsys: pytest.CaptureFixture[str]) -> None:
    """The second check-in of a member on a date replaces the first: one record, version 2."""
    config = str(team.path)
    code, out, _ = cli(capsys, "checkin", "--config", config, "--member", "Ana", "--mood", "4",
                       "--status", "shipping", "--blocker", "waiting on review", "--date", "2026-11-26")
    assert code == 0 and "Saved Ana's check-in" in out
    code, out, _ = cli(capsys, "checkin", "--config", config, "--member", "ana", "--mood", "2",
                       "--date", "2026-11-26", "--json")
    result = json.loads(out)
    assert code == 0 and result["version"] == 2
    live = FolderStore(team.shared_dir).read().live("checkin")
    assert len(live) == 1 and live[0].payload["mood"] == 2 and live[0].payload["member"] == "Ana"


def test_checkin_private_stays_on_this_machine(team: TeamConfig, capsys: pytest.CaptureFixture[str]) -> None:
    """--private writes under the user data dir only."""
    code, out, _ = cli(capsys, "checkin", "--config", str(team.path), "--member", "Ben", "--mood", "1",
                       "--private")
    assert code == 0 and "on this machine only" in out
    shared = [json.loads(f.read_text())["record"]["payload"] for f in team.shared_dir.rglob("*.json")]
    assert shared == [{"member": "Ben", "source": "cli", "visibility": "withheld"}]  # who, never what
    assert list(paths.private_dir().rglob("*.json"))


def test_checkin_from_json_lines_reports_each_line(team: TeamConfig) -> None:
    """Bots send JSON Lines; each line is saved or refused with a reason; exit 5 when partly done."""
    lines = "\n".join([
        json.dumps({"member": "Ana", "mood": 4, "status": "ok", "blockers": ["CI red"]}),
        json.dumps({"member": "Zed", "mood": 3}),
        "not json",
        json.dumps({"member": "Ben", "mood": 6}),
        json.dumps({"member": "Chen", "mood": 2, "anonymous": True, "date": "2026-11-25"}),
    ]) + "\n"
    result = run_huddle("checkin", "--config", str(team.path), "--from-json", "-", "--json", stdin=lines)
    assert result.returncode == 5, result.stderr
    reports = [json.loads(x) for x in result.stdout.splitlines()]
    assert [r["saved"] for r in reports] == [True, False, False, False, True]
    assert "unknown member" in reports[1]["message"] and "1 to 5" in reports[3]["message"]
    live = FolderStore(team.shared_dir).read().live("checkin")
    assert sorted(r.payload["visibility"] for r in live) == ["team", "withheld"]  # Chen's answer waits


def test_next_json_for_bots(team: TeamConfig, capsys: pytest.CaptureFixture[str]) -> None:
    """`huddle next --json` has date, facilitator and order; --handoff is recorded."""
    code, out, _ = cli(capsys, "next", "--config", str(team.path), "--date", "2026-11-26", "--json")
    plan = json.loads(out)
    assert code == 0 and plan["date"] == "2026-11-26" and plan["facilitator"] == "Ana"
    assert sorted(plan["order"]) == ["Ana", "Ben", "Chen", "Dara", "Emeka"]
    code, out, _ = cli(capsys, "next", "--config", str(team.path), "--date", "2026-11-26",
                       "--handoff", "Chen", "--reason", "Ana is out", "--json")
    plan = json.loads(out)
    assert code == 0 and plan["facilitator"] == "Chen" and plan["handoff"]["reason"] == "Ana is out"
    code, _, err = cli(capsys, "next", "--config", str(team.path), "--handoff", "Nobody")
    assert code == 2 and "unknown member" in err


def test_next_confirm_moves_the_rotation(team: TeamConfig, capsys: pytest.CaptureFixture[str]) -> None:
    """Bots that never open the app can record the huddle as held."""
    cli(capsys, "next", "--config", str(team.path), "--date", "2026-11-26", "--confirm")
    _, out, _ = cli(capsys, "next", "--config", str(team.path), "--date", "2026-11-27", "--json")
    assert json.loads(out)["facilitator"] == "Ben"


def seed_day(team: TeamConfig, capsys: pytest.CaptureFixture[str]) -> None:
    """Three named check-ins and one anonymous one on 2026-11-26."""
    for name, mood in (("Ana", 4), ("Ben", 5), ("Chen", 2)):
        cli(capsys, "checkin", "--config", str(team.path), "--member", name, "--mood", str(mood),
            "--status", f"{name} status", "--date", "2026-11-26")
    cli(capsys, "checkin", "--config", str(team.path), "--member", "Dara", "--mood", "1", "--anonymous",
        "--concern", "workload is too much", "--date", "2026-11-26")


def test_summary_formats(team: TeamConfig, capsys: pytest.CaptureFixture[str]) -> None:
    """text, markdown and json agree; a lone anonymous answer is held back, not subtractable."""
    seed_day(team, capsys)
    base = ("summary", "--config", str(team.path), "--date", "2026-11-26")
    code, text, _ = cli(capsys, *base)
    assert code == 0 and "Check-ins: 4 of 5 expected\n" in text and "anonymous" not in text
    assert "Moods given by name: 5 great ×1, 4 good ×1, 2 low ×1" in text
    assert "struggling" not in text and "workload is too much" not in text  # Dara's answer waits
    _, md, _ = cli(capsys, *base, "--format", "markdown")
    assert md.startswith("## Platform")
    _, js, _ = cli(capsys, *base, "--format", "json")
    data = json.loads(js)
    assert data["mood_distribution"] == {"1": 0, "2": 1, "3": 0, "4": 1, "5": 1}
    assert data["anonymous_mood_distribution"] is None and data["anonymous_checkins"] is None
    assert "Dara" not in js and '"1":1' not in js


def test_summary_shows_anonymous_answers_apart_once_three_could_have_given_them(
        team: TeamConfig, capsys: pytest.CaptureFixture[str]) -> None:
    """Three anonymous answers: their own distribution, never mixed with the named ones.

    They wait on this machine until a write releases them (`huddle sync` here;
    a check-in or the app would too): the summary, a read, shows them only after.
    """
    for name, mood in (("Ana", 4), ("Ben", 5)):
        cli(capsys, "checkin", "--config", str(team.path), "--member", name, "--mood", str(mood),
            "--date", "2026-11-26")
    for name, mood in (("Chen", 1), ("Dara", 2), ("Emeka", 2)):
        cli(capsys, "checkin", "--config", str(team.path), "--member", name, "--mood", str(mood),
            "--anonymous", "--date", "2026-11-26")
    code, js, _ = cli(capsys, "summary", "--config", str(team.path), "--date", "2026-11-26", "--json")
    assert code == 0 and json.loads(js)["anonymous_checkins"] is None  # still held: a read releases nothing
    assert cli(capsys, "sync", "--config", str(team.path))[0] == 0
    code, js, _ = cli(capsys, "summary", "--config", str(team.path), "--date", "2026-11-26", "--json")
    data = json.loads(js)
    assert code == 0 and data["answered"] == 5 and data["anonymous_checkins"] == 3
    assert data["anonymous_mood_distribution"] == {"1": 1, "2": 2, "3": 0, "4": 0, "5": 0}
    assert data["mood_distribution"] is None  # two named answers: below 3, so not shown


def test_summary_hides_moods_under_three_answers(team: TeamConfig,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    """Two answers: no distribution, no per-person moods."""
    for name in ("Ana", "Ben"):
        cli(capsys, "checkin", "--config", str(team.path), "--member", name, "--mood", "2",
            "--date", "2026-11-26")
    _, js, _ = cli(capsys, "summary", "--config", str(team.path), "--date", "2026-11-26", "--json")
    data = json.loads(js)
    assert data["mood_distribution"] is None and data["moods_by_member"] is None


def test_export_jsonl_and_csv(team: TeamConfig, capsys: pytest.CaptureFixture[str]) -> None:
    """Every record, merged, as JSON Lines or CSV; --since filters by date."""
    seed_day(team, capsys)
    cli(capsys, "checkin", "--config", str(team.path), "--member", "Ana", "--mood", "3",
        "--status", "=HYPERLINK(\"x\")", "--date", "2026-11-20")
    code, out, _ = cli(capsys, "export", "--config", str(team.path))
    rows = [json.loads(x) for x in out.splitlines()]
    assert code == 0 and len(rows) == 5 and {r["kind"] for r in rows} == {"checkin"}
    assert rows[0]["date"] == "2026-11-20"
    code, out, _ = cli(capsys, "export", "--config", str(team.path), "--since", "2026-11-26")
    assert len(out.splitlines()) == 4
    code, out, _ = cli(capsys, "export", "--config", str(team.path), "--format", "csv")
    table = list(csv.DictReader(io.StringIO(out)))
    assert len(table) == 5 and any(r["status"] == "'=HYPERLINK(\"x\")" for r in table)


def test_doctor_reports_and_json(team: TeamConfig, capsys: pytest.CaptureFixture[str]) -> None:
    """doctor checks the config and folders; --json counts corrupt files."""
    seed_day(team, capsys)
    bad = team.shared_dir / "records" / "checkin" / "2026-11" / "broken.json"
    bad.write_bytes(b"{\"checksum\":")
    code, out, _ = cli(capsys, "doctor", "--config", str(team.path), "--json")
    report = json.loads(out)
    assert code == 0 and report["corrupt"] == 1 and report["records"] == 4
    assert bad.exists()
    code, out, _ = cli(capsys, "doctor", "--config", str(team.path))
    assert "[warn] corrupt files: 1 set aside" in out and "[ok  ] shared folder" in out


def test_demo_writes_a_usable_team(tmp_path: Path) -> None:
    """`huddle demo --no-tui` writes history and a huddle.toml any command can point at."""
    folder = tmp_path / "demo"
    result = run_huddle("demo", "--members", "6", "--years", "0.1", "--shared", str(folder), "--no-tui")
    assert result.returncode == 0, result.stderr
    team = load_team_config(folder / "huddle.toml")
    assert len(team.members) == 6
    history = FolderStore(folder).read()
    kinds = {r.kind for r in history.records.values()}
    assert {"checkin", "huddle"} <= kinds and not history.problems
    moods = {r.payload["mood"] for r in history.live("checkin") if "mood" in r.payload}
    assert len(moods) >= 3
    again = run_huddle("demo", "--shared", str(folder), "--no-tui", "--json")
    counts = json.loads(again.stdout)
    assert again.returncode == 0 and counts["records"]["checkin"] == len(history.live("checkin")) + sum(
        1 for r in history.records.values() if r.kind == "checkin" and r.deleted)
    assert "already holds a demo team" in again.stderr
    nxt = run_huddle("next", "--json", env={"HUDDLE_CONFIG": str(folder / "huddle.toml")})
    assert nxt.returncode == 0 and json.loads(nxt.stdout)["facilitator"] in {m.name for m in team.members}


def test_no_command_opens_the_app_inline_when_asked(team: TeamConfig, monkeypatch: pytest.MonkeyPatch,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    """`huddle --inline --theme X` hands both to the app (which Textual runs below the prompt)."""
    import huddle_tui.tui.app as tui_app

    seen: dict[str, object] = {}

    def fake_run_app(team_config: TeamConfig, user: object, *, theme: str | None, inline: bool,
                     stage: bool) -> int:
        """Record how the app would have been started."""
        seen.update(team=team_config.name, theme=theme, inline=inline, stage=stage)
        return 0

    monkeypatch.setattr(tui_app, "run_app", fake_run_app)
    monkeypatch.setenv("TERM", "xterm-256color")  # TERM=dumb would mean plain mode
    code, _, _ = cli(capsys, "--inline", "--theme", "huddle-light", "--config", str(team.path))
    assert code == 0 and seen == {"team": "Platform", "theme": "huddle-light", "inline": True, "stage": False}
    code, _, _ = cli(capsys, "--stage", "--config", str(team.path))
    assert code == 0 and seen == {"team": "Platform", "theme": None, "inline": False, "stage": True}
