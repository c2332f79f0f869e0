"""A second check-in the same day changes only what it names: flags, bot lines, and who may change whose."""

from __future__ import annotations

import json

import pytest

from huddle_tui.config.team import TeamConfig
from huddle_tui.journal import Journal
from huddle_tui.model.checkin import Change, CheckIn, Concern
from tests.conftest import cli

DAY = "2026-11-26"  # a Thursday


def named(team: TeamConfig, member: str) -> dict[str, object]:
    """The member's named check-in for DAY as the shared folder holds it now."""
    (record,) = [r for r in Journal(team).read(("checkin",)).live("checkin")
                 if r.payload.get("member") == member and r.date == DAY]
    return record.payload


def test_a_second_checkin_keeps_the_concern_and_status_it_does_not_name(
        team: TeamConfig, capsys: pytest.CaptureFixture[str]) -> None:
    """`--mood 3` after `--concern "flaky CI"` keeps the concern, the status and says so."""
    code, _, err = cli(capsys, "checkin", "--config", str(team.path), "--member", "Ana", "--mood", "2",
                       "--status", "fighting the build", "--concern", "flaky CI", "--date", DAY)
    assert code == 0, err
    code, out, err = cli(capsys, "checkin", "--config", str(team.path), "--member", "Ana", "--mood", "3",
                         "--date", DAY)
    assert code == 0, err
    assert "version 2" in out and "Kept from the earlier version: status, 1 concern, shared by name." in out
    payload = named(team, "Ana")
    assert payload["mood"] == 3 and payload["status"] == "fighting the build"
    assert [c["text"] for c in payload["concerns"]] == ["flaky CI"]  # type: ignore[attr-defined]


def test_no_concerns_clears_them_and_a_new_concern_replaces_only_concerns(
        team: TeamConfig, capsys: pytest.CaptureFixture[str]) -> None:
    """Each kind is a field: --concern replaces concerns (blockers stay), --no-concerns removes them."""
    base = ("checkin", "--config", str(team.path), "--member", "Ana", "--date", DAY)
    assert cli(capsys, *base, "--mood", "4", "--concern", "old", "--blocker", "review")[0] == 0
    assert cli(capsys, *base, "--concern", "new")[0] == 0  # no mood: the earlier one is kept
    payload = named(team, "Ana")
    assert payload["mood"] == 4
    assert sorted((c["kind"], c["text"]) for c in payload["concerns"]) == [  # type: ignore[attr-defined]
        ("blocker", "review"), ("concern", "new")]
    assert cli(capsys, *base, "--no-concerns", "--status", "")[0] == 0
    payload = named(team, "Ana")
    assert [c["kind"] for c in payload["concerns"]] == ["blocker"]  # type: ignore[attr-defined]
    assert payload["status"] == ""
    code, _, err = cli(capsys, *base, "--concern", "x", "--no-concerns")
    assert code == 2 and "contradict" in err


def test_a_first_checkin_still_needs_a_mood(team: TeamConfig, capsys: pytest.CaptureFixture[str]) -> None:
    """Nothing to keep yet: --concern alone is the usual one-line usage error."""
    code, _, err = cli(capsys, "checkin", "--config", str(team.path), "--member", "Ana",
                       "--concern", "x", "--date", DAY)
    assert code == 2 and "--mood is required" in err and err.count("\n") == 1


def test_a_second_checkin_keeps_its_visibility_unless_told(team: TeamConfig,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    """A private answer changed with --mood stays private: a second check-in never unmasks the first."""
    base = ("checkin", "--config", str(team.path), "--member", "Ana", "--date", DAY)
    assert cli(capsys, *base, "--mood", "2", "--private", "--status", "rough")[0] == 0
    code, out, _ = cli(capsys, *base, "--mood", "3", "--json")
    assert code == 0 and json.loads(out)["visibility"] == "private"
    assert named(team, "Ana")["visibility"] == "withheld"


def test_bot_lines_change_only_the_fields_they_carry(team: TeamConfig, capsys: pytest.CaptureFixture[str],
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """A bot's mood-only line keeps the status and blockers; "blockers": [] clears them."""
    import io

    lines = [{"member": "Ben", "mood": 4, "status": "release day", "blockers": ["waiting on review"],
              "date": DAY},
             {"member": "Ben", "mood": 2, "date": DAY},
             {"member": "Ben", "blockers": [], "date": DAY},
             {"member": "Chen", "status": "no mood yet", "date": DAY}]
    monkeypatch.setattr("sys.stdin", io.StringIO("\n".join(json.dumps(x) for x in lines) + "\n"))
    code, out, err = cli(capsys, "checkin", "--config", str(team.path), "--from-json", "-")
    assert code == 5, (out, err)  # partial: Chen's first line has no mood
    assert "line 2: saved team check-in for 2026-11-26, kept status, 1 blocker, shared by name" in out
    assert "line 4: refused: mood is required for the day's first check-in" in err
    payload = named(team, "Ben")
    assert (payload["mood"], payload["status"], payload["concerns"], payload["source"]) == (
        2, "release day", [], "bot")


def test_someone_elses_own_checkin_is_still_refused(team: TeamConfig) -> None:
    """Keyed for Ben by Ana, over Ben's own check-in: refused, as _check_proxy says; Ben's answer stands."""
    bens = Journal(team, me="Ben", private_root=team.shared_dir.parent / "ben",
                   data_dir=team.shared_dir.parent / "ben-data")
    bens.save_checkin(CheckIn(DAY, 4, "Ben", "mine", (Concern.new("mine too"),)))
    anas = Journal(team, me="Ana", private_root=team.shared_dir.parent / "ana",
                   data_dir=team.shared_dir.parent / "ana-data")
    from huddle_tui.errors import RefusedError

    with pytest.raises(RefusedError, match="checked in themselves"):
        anas.change_checkin("Ben", DAY, Change(mood=1), "cli")
    assert named(team, "Ben")["mood"] == 4
