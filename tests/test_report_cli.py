"""`huddle report` from the command line: its options, bad input, and the kept per-date facts."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

from huddle_tui.config.team import TeamConfig
from tests.conftest import cli
from tests.reportkit import Folder

WINDOW = ("--since", "2026-11-02", "--until", "2026-11-06", "--by", "week", "--format", "json")


def settle_folders(shared: Path) -> None:
    """Date every folder an hour back, as if nothing were written lately (kept answers need that)."""
    past = time.time() - 3600
    for folder, _, _ in os.walk(shared / "records"):
        os.utime(folder, (past, past))


def submitted(capsys: pytest.CaptureFixture[str]) -> int:
    """The one week's submitted check-ins."""
    code, out, err = cli(capsys, "report", *WINDOW)
    assert code == 0, err
    return int(json.loads(out)["periods"][0]["submitted"])


def test_kept_facts_are_used_only_while_nothing_changed(team: TeamConfig, isolated_dirs: Path,
                                                         capsys: pytest.CaptureFixture[str],
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """A kept answer is reused, a damaged one read afresh, and a new record is always counted."""
    monkeypatch.setenv("HUDDLE_CONFIG", str(team.path))
    f = Folder()
    f.named("2026-11-02", "Ana", 4)
    f.write_to(team.shared_dir)
    settle_folders(team.shared_dir)
    assert submitted(capsys) == 1
    (kept,) = (isolated_dirs / "cache").rglob("report/2026-11.json")
    doc = json.loads(kept.read_bytes())
    doc["value"]["days"] = [["2026-11-02"]]  # damaged, with a key that still matches
    kept.write_text(json.dumps(doc))
    assert submitted(capsys) == 1
    doc["value"]["days"] = [["2026-11-02", ["Ana", "Ben", "Dara"], [], []]]  # a kept answer is used …
    kept.write_text(json.dumps(doc))
    assert submitted(capsys) == 3
    g = Folder()
    g.named("2026-11-03", "Chen", 3)
    g.write_to(team.shared_dir)  # … only until a folder it came from changes
    assert submitted(capsys) == 2  # Ana on Monday, Chen on Tuesday: read afresh


def test_a_new_record_rereads_its_month_only(team: TeamConfig, isolated_dirs: Path,
                                             capsys: pytest.CaptureFixture[str],
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """Facts are kept a month at a time: a check-in in November leaves October's kept facts in use."""
    monkeypatch.setenv("HUDDLE_CONFIG", str(team.path))
    f = Folder()
    f.named("2026-10-30", "Ana", 4)
    f.named("2026-11-02", "Ana", 4)
    f.write_to(team.shared_dir)
    settle_folders(team.shared_dir)
    october = ("--since", "2026-10-26", "--until", "2026-11-06", "--by", "month", "--format", "json")

    def counts() -> list[int]:
        """Submitted check-ins in October's and November's part of the window."""
        code, out, err = cli(capsys, "report", *october)
        assert code == 0, err
        return [int(p["submitted"]) for p in json.loads(out)["periods"]]

    assert counts() == [1, 1]
    (kept,) = (isolated_dirs / "cache").rglob("report/2026-10.json")
    doc = json.loads(kept.read_bytes())
    doc["value"]["days"] = [["2026-10-30", ["Ana", "Ben"], [], []]]  # marks October's kept facts
    kept.write_text(json.dumps(doc))
    g = Folder()
    g.named("2026-11-03", "Chen", 3)
    g.write_to(team.shared_dir)
    assert counts() == [2, 2]  # October from its kept facts, November read afresh with Chen


@pytest.mark.parametrize(("args", "says"), [
    (("--since", "yesterweek"), "not a date"),
    (("--since", "2026-12-01", "--until", "2026-11-01"), "is after --until"),
    (("--by", "year"), "invalid choice"),
    (("--format", "xml"), "invalid choice"),
])
def test_bad_input_is_one_line(team: TeamConfig, capsys: pytest.CaptureFixture[str],
                               monkeypatch: pytest.MonkeyPatch, args: tuple[str, ...], says: str) -> None:
    """Each mistake: exit 2 and one line naming it."""
    monkeypatch.setenv("HUDDLE_CONFIG", str(team.path))
    code, out, err = cli(capsys, "report", *args)
    assert code == 2 and out == ""
    assert says in err and len(err.strip().splitlines()) == 1


def test_since_days_all_and_the_target(team: TeamConfig, capsys: pytest.CaptureFixture[str],
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """30d counts back from --until; all starts at the first record; the target comes from huddle.toml."""
    text = Path(str(team.path)).read_text()
    Path(str(team.path)).write_text(text.replace("[team]\n", "[team]\ntarget_weekly_coverage = 0.75\n"))
    monkeypatch.setenv("HUDDLE_CONFIG", str(team.path))
    f = Folder()
    f.named("2026-10-01", "Ana", 4)
    f.write_to(team.shared_dir)
    code, out, _ = cli(capsys, "report", "--since", "30d", "--until", "2026-11-06", "--json")
    data = json.loads(out)
    assert code == 0 and data["since"] == "2026-10-08" and data["target_weekly_coverage"] == 0.75
    code, out, _ = cli(capsys, "report", "--since", "all", "--until", "2026-11-06", "--by", "month",
                       "--format", "json")
    data = json.loads(out)
    assert data["since"] == "2026-10-01" and [p["label"] for p in data["periods"]] == ["2026-10", "2026-11"]


def test_a_bad_target_is_a_config_error(team: TeamConfig, capsys: pytest.CaptureFixture[str],
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """A target outside 0 to 1 names the key."""
    text = Path(str(team.path)).read_text()
    Path(str(team.path)).write_text(text.replace("[team]\n", "[team]\ntarget_weekly_coverage = 60\n"))
    monkeypatch.setenv("HUDDLE_CONFIG", str(team.path))
    code, _, err = cli(capsys, "report")
    assert code == 3 and "team.target_weekly_coverage" in err
