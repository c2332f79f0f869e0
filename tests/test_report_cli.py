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
from tests.storekit import drop_answer, kept_answer, put_answer

WINDOW = ("--since", "2026-11-02", "--until", "2026-11-06", "--by", "week", "--format", "json")


def settle_folders(shared: Path) -> None:
    """Date every folder an hour back, as if nothing were written lately (kept answers need that)."""
    past = time.time() - 3600
    for folder, _, _ in os.walk(shared / "records"):
        os.utime(folder, (past, past))


def submitted(capsys: pytest.CaptureFixture[str], since: str = "2026-11-02") -> int:
    """The one week's submitted check-ins (from the first record's date, with `all`)."""
    code, out, err = cli(capsys, "report", "--since", since, *WINDOW[2:])
    assert code == 0, err
    return int(json.loads(out)["periods"][0]["submitted"])


@pytest.mark.parametrize("name", ["all", "2026-11"])
def test_kept_facts_are_used_only_while_nothing_changed(team: TeamConfig, isolated_dirs: Path,
                                                         capsys: pytest.CaptureFixture[str],
                                                         monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    """A kept answer (whole or a month's) is reused, a damaged one read afresh, a new record counted."""
    monkeypatch.setenv("HUDDLE_CONFIG", str(team.path))
    since = "all" if name == "all" else "2026-11-02"  # a report from a date reads only its months
    f = Folder()
    f.named("2026-11-02", "Ana", 4)
    f.write_to(team.shared_dir)
    settle_folders(team.shared_dir)
    assert submitted(capsys, since) == 1
    found = kept_answer(team.shared_dir, f"report/{name}")
    assert found is not None
    key, doc = found

    def keep(days: list[object]) -> None:
        """Put these days in the kept answer (and, for a month's, drop the whole history's kept above it)."""
        doc["days"] = days
        put_answer(team.shared_dir, f"report/{name}", key, doc)
        if name != "all":
            drop_answer(team.shared_dir, "report/all")

    keep([["2026-11-02"]])  # damaged, with a key that still matches
    assert submitted(capsys, since) == 1
    keep([("2026-11-02", frozenset(("Ana", "Ben", "Dara")), (), (), 0, (), frozenset())])  # used …
    assert submitted(capsys, since) == 3
    g = Folder()
    g.named("2026-11-03", "Chen", 3)
    g.write_to(team.shared_dir)  # … only until a folder it came from changes
    assert submitted(capsys, since) == 2  # Ana on Monday, Chen on Tuesday: read afresh


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
    found = kept_answer(team.shared_dir, "report/2026-10")
    assert found is not None
    key, doc = found
    doc["days"] = [("2026-10-30", frozenset(("Ana", "Ben")), (), (), 0, (), frozenset())]  # marks October's
    put_answer(team.shared_dir, "report/2026-10", key, doc)
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


def week_json(capsys: pytest.CaptureFixture[str]) -> dict[str, object]:
    """The one week's period as JSON."""
    code, out, err = cli(capsys, "report", *WINDOW)
    assert code == 0, err
    period: dict[str, object] = json.loads(out)["periods"][0]
    return period


def test_a_mark_or_round_written_later_changes_the_kept_figures(
        team: TeamConfig, isolated_dirs: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Each new signpost, measure answer or pair mark, even in a month folder kept before, is counted."""
    Path(str(team.path)).write_text(Path(str(team.path)).read_text() + "\n[measures]\nsisq = true\n")
    monkeypatch.setenv("HUDDLE_CONFIG", str(team.path))
    from huddle_tui.config.team import load_team_config

    team = load_team_config(Path(str(team.path)))
    f = Folder()
    for name in ("Ana", "Ben", "Chen"):
        f.named("2026-11-02", name, 3)
    f.signpost("2026-11-02", 3)
    for answer in (1, 2, 3):
        f.measure("2026-11-02", "sisq", answer)
    f.pairs(team, "2026-11-02", ("Ana", "Ben"), ("Chen", "Dara"))
    f.write_to(team.shared_dir)
    settle_folders(team.shared_dir)
    first = week_json(capsys)
    assert first["signposts"] == 3 and first["measures"] == {"sisq": {"answers": 3, "mean": 2.0,
                                                                       "past_cutoff": 0}}
    assert first["pairs"]["buddy"]["share_met"] is None  # type: ignore[index]
    assert kept_answer(team.shared_dir, "report/2026-11") is not None  # kept
    later = Folder()
    later.signpost("2026-11-02")
    later.write_to(team.shared_dir)
    assert week_json(capsys)["signposts"] == 4
    settle_folders(team.shared_dir)
    assert week_json(capsys)["signposts"] == 4  # kept again
    later = Folder()
    later.measure("2026-11-02", "sisq", 5)
    later.write_to(team.shared_dir)
    assert week_json(capsys)["measures"] == {"sisq": {"answers": 4, "mean": 2.8, "past_cutoff": 1}}
    settle_folders(team.shared_dir)
    week_json(capsys)
    later = Folder()
    later._add("pairmark", "2026-11-02", {"track": "buddy", "member": "Ana", "mark": "met"})
    later.write_to(team.shared_dir)
    assert week_json(capsys)["pairs"]["buddy"]["share_met"] == 1.0  # type: ignore[index]


def test_a_long_first_read_says_how_far_it_has_got(team: TeamConfig, isolated_dirs: Path,
                                                    capsys: pytest.CaptureFixture[str],
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """With a person watching (stderr a terminal), months never read are counted off as they are read."""
    import sys

    monkeypatch.setenv("HUDDLE_CONFIG", str(team.path))
    f = Folder()
    for month in range(1, 9):
        f.named(f"2026-{month:02d}-06", "Ana", 4)
    f.write_to(team.shared_dir)
    settle_folders(team.shared_dir)
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    code, out, err = cli(capsys, "report", "--since", "all", "--format", "json")
    assert code == 0 and json.loads(out)["periods"]
    assert "reading the history: 0/8 months" in err and err.endswith("reading the history: 8/8 months\n")
    code, _, err = cli(capsys, "report", "--since", "all", "--format", "json")
    assert code == 0 and err == ""  # kept now: nothing to announce
