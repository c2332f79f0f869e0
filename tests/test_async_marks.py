"""Summaries and reports mark async check-ins: counted, named only where given by name."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from huddle_tui.config.team import TeamConfig, load_team_config
from huddle_tui.journal import Journal
from huddle_tui.model.checkin import CheckIn, Visibility
from tests.conftest import cli

DAY = "2026-03-02"  # a Monday; the team's huddle is at 09:30 UTC


def at(hour: int, minute: int) -> datetime:
    """An instant on DAY."""
    return datetime(2026, 3, 2, hour, minute, tzinfo=UTC)


def stopped(moment: datetime) -> Callable[[], datetime]:
    """A clock that always reads `moment`: the machine's own time when it saves."""
    return lambda: moment


@pytest.fixture
def day_team(team: TeamConfig, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> TeamConfig:
    """The five-person team with a huddle at 09:30 UTC; Ana and Chen (privately) in before it, Ben after."""
    assert team.path is not None
    team.path.write_text(team.path.read_text().replace(
        "[team]\n", '[team]\ntimezone = "UTC"\nhuddle_at = "09:30"\n'))
    monkeypatch.setenv("HUDDLE_CONFIG", str(team.path))
    found = load_team_config(team.path)
    given: list[tuple[str, datetime, Visibility]] = [("Ana", at(8, 0), "team"), ("Chen", at(7, 0), "private"),
                                                      ("Ben", at(9, 45), "team")]
    for name, when, visibility in given:
        home = tmp_path / name
        Journal(found, me=name, data_dir=home, private_root=home / "private", now=stopped(when),
                durable=False).save_checkin(CheckIn(DAY, 4, name, f"{name} says", visibility=visibility))
    return found


def test_the_summary_marks_async_checkins(day_team: TeamConfig, capsys: pytest.CaptureFixture[str]) -> None:
    """Text, Markdown and JSON: two async (Ana by name, Chen's placeholder only counted), Ben not."""
    code, out, err = cli(capsys, "summary", "--date", DAY)
    assert code == 0, err
    assert "Check-ins: 3 of 5 expected (2 async)" in out
    assert "  Ana (async): Ana says" in out and "  Ben: Ben says" in out
    assert "Chen" not in out  # a private answer: counted, never named
    code, out, err = cli(capsys, "summary", "--date", DAY, "--format", "markdown")
    assert code == 0 and "- Ana (async): Ana says" in out
    code, out, err = cli(capsys, "summary", "--date", DAY, "--json")
    data = json.loads(out)
    assert code == 0 and data["async"] == ["Ana"] and data["async_checkins"] == 2 and data["answered"] == 3


def test_the_report_counts_async_checkins(day_team: TeamConfig, capsys: pytest.CaptureFixture[str]) -> None:
    """Every format of the report says how many of the check-ins submitted were async."""
    window = ("--since", DAY, "--until", DAY, "--by", "week")
    code, out, err = cli(capsys, "report", *window)
    assert code == 0, err
    assert "3 of 5 expected check-ins, 2 async, 1 working days" in out
    code, out, _ = cli(capsys, "report", *window, "--json")
    period = json.loads(out)["periods"][0]
    assert (period["submitted"], period["async_checkins"]) == (3, 2)
    code, out, _ = cli(capsys, "report", *window, "--format", "csv")
    row = next(csv.DictReader(io.StringIO(out)))
    assert row["async_checkins"] == "2"
