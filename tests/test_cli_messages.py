"""Small CLI messages that say what happened: a mistyped folder, what --confirm recorded, dates, me."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from huddle_tui import paths
from huddle_tui.config.team import TeamConfig, write_toml
from huddle_tui.config.user import UserConfig, user_config_to_toml
from tests.conftest import cli


def test_joining_a_mistyped_folder_names_the_missing_file(tmp_path: Path,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    """`init --shared /typo --me Ben` says there is no huddle.toml there, not which flags a new team needs."""
    typo = tmp_path / "typo"
    code, _, err = cli(capsys, "init", "--shared", str(typo), "--me", "Ben")
    assert code == 2 and f"no huddle.toml in {typo}" in err and "--team is required" not in err


def test_next_confirm_says_what_it_recorded(team: TeamConfig, capsys: pytest.CaptureFixture[str]) -> None:
    """Text mode names the date and facilitator recorded; a second --confirm says nothing was."""
    code, out, err = cli(capsys, "next", "--config", str(team.path), "--date", "2026-11-26", "--confirm")
    assert code == 0, err
    assert "Recorded: the huddle of 2026-11-26 held, facilitated by Ana" in out
    _, out, _ = cli(capsys, "next", "--config", str(team.path), "--date", "2026-11-26", "--confirm")
    assert "Nothing recorded: the huddle of 2026-11-26 is already recorded as held." in out
    _, out, _ = cli(capsys, "next", "--config", str(team.path), "--date", "2026-11-28", "--confirm")
    assert "Nothing recorded: no huddle on 2026-11-28." in out


@pytest.mark.parametrize("command", ["next", "summary", "checkin"])
def test_date_words_are_in_the_help(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    """--date accepts today / yesterday / tomorrow, and --help says so."""
    code, out, _ = cli(capsys, command, "--help")
    assert code == 0 and "today, yesterday or tomorrow" in " ".join(out.split())


def test_doctor_checks_that_me_names_a_member(team: TeamConfig, capsys: pytest.CaptureFixture[str]) -> None:
    """A `me` not on the roster is a FAIL line with what to do; a member is ok."""
    write_toml(paths.user_config_file(), user_config_to_toml(UserConfig(me="Zed")), private=True)
    code, out, _ = cli(capsys, "doctor", "--config", str(team.path))
    assert code != 0 and "[FAIL] me: 'Zed' is not on Platform's roster" in out
    write_toml(paths.user_config_file(), user_config_to_toml(UserConfig(me="ben")), private=True)
    code, out, _ = cli(capsys, "doctor", "--config", str(team.path), "--json")
    me = next(c for c in json.loads(out)["checks"] if c["name"] == "me")
    assert me["ok"] and me["detail"] == "Ben"


def test_next_confirm_does_not_call_the_day_it_records_already_held(
        team: TeamConfig, capsys: pytest.CaptureFixture[str]) -> None:
    """The plan line after --confirm says the day was recorded now; only a second --confirm finds it held."""
    _, out, _ = cli(capsys, "next", "--config", str(team.path), "--date", "2026-11-26", "--confirm")
    assert "(held: recorded now)" in out and "already held" not in out
    _, out, _ = cli(capsys, "next", "--config", str(team.path), "--date", "2026-11-26", "--confirm")
    assert "(huddle already held)" in out


def test_the_pairs_line_says_these_pairs_did_not_meet(shared: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    """Not "No pair met in the last 6 weeks", which reads as if nobody met at all."""
    path = shared / "huddle.toml"
    path.write_text('[team]\nname = "Platform"\n' + "".join(
        f'[[members]]\nname = "{n}"\npairs = true\n' for n in ("Ana", "Ben", "Chen", "Dara")),
        encoding="utf-8")
    code, out, err = cli(capsys, "pairs", "--config", str(path), "--date", "2026-11-23")
    assert code == 0, err
    assert "None of these pairs has met in the last 6 weeks." in out and "No pair met" not in out
