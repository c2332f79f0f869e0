"""A six-person team's first ten working days, each teammate on their own machine, one shared folder.

Every member runs `huddle` in their own home (config, data and cache dirs),
as on six laptops; the shared folder is one directory. What a new team met
in its first fortnight is asserted where it shows: the report starts with
the team, marks the week under way as partial and keeps it out of the
headlines, writes no headline for a change that shows as zero, and counts a
confirmed-only huddle as held but not as a 0-second round; a second
check-in keeps what it does not name; `next --confirm` says it recorded the
day; a merge conflict in huddle.toml is named as one.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

from huddle_tui.config.team import load_team_config
from huddle_tui.journal import Journal
from huddle_tui.model.huddle import Huddle, Turn
from tests.conftest import run_huddle

NAMES = ("Ana", "Ben", "Chen", "Dara", "Emeka", "Fatima")
FIRST = date(2026, 11, 23)  # a Monday
DAYS = [FIRST + timedelta(days=i) for i in (0, 1, 2, 3, 4, 7, 8, 9, 10, 11)]  # ten working days
UNTIL = "2026-12-09"  # the Wednesday after: its week is under way
MOODS = {"Ana": 4, "Ben": 3, "Chen": 4, "Dara": 3, "Emeka": 4, "Fatima": 3}


def homes(tmp_path: Path) -> dict[str, dict[str, str]]:
    """Each teammate's machine: its own config, data and cache dirs."""
    return {n: {"HUDDLE_CONFIG_DIR": str(tmp_path / n / "config"),
                "HUDDLE_DATA_DIR": str(tmp_path / n / "data"),
                "HUDDLE_CACHE_DIR": str(tmp_path / n / "cache")} for n in NAMES}


def huddle(env: dict[str, str], *args: str, stdin: str | None = None) -> tuple[int, str, str]:
    """Run one `huddle` command on one machine."""
    done = run_huddle(*args, env=env, stdin=stdin)
    return done.returncode, done.stdout, done.stderr


def ten_days(tmp_path: Path) -> tuple[Path, dict[str, dict[str, str]]]:
    """The team set up, then ten days: everyone checks in from their own machine, most days a huddle."""
    shared, env = tmp_path / "shared", homes(tmp_path)
    code, _, err = huddle(env["Ana"], "init", "--team", "Platform", "--members", ",".join(NAMES),
                          "--shared", str(shared), "--me", "Ana")
    assert code == 0, err
    for name in NAMES[1:]:
        code, _, err = huddle(env[name], "init", "--shared", str(shared), "--me", name)
        assert code == 0, err
    for name in NAMES:  # each their own days, as their own bot (a git hook) would send them
        lines = [{"member": name, "mood": MOODS[name] - (i % 2 if name == "Dara" else 0),
                  "date": day.isoformat()} for i, day in enumerate(DAYS) if not (name == "Emeka" and i >= 8)]
        code, out, err = huddle(env[name], "checkin", "--from-json", "-",
                                stdin="".join(json.dumps(x) + "\n" for x in lines))
        assert code == 0, (out, err)
    return shared, env


def test_a_teams_first_fortnight(tmp_path: Path) -> None:
    """The report, a second check-in, `next --confirm` and a merge conflict, as the team met them."""
    shared, env = ten_days(tmp_path)
    # Day 1: Fatima names a concern, then changes only her mood: the concern stays.
    day1 = DAYS[0].isoformat()
    code, _, err = huddle(env["Fatima"], "checkin", "--mood", "2", "--concern", "flaky CI", "--date", day1)
    assert code == 0, err
    code, out, err = huddle(env["Fatima"], "checkin", "--mood", "3", "--date", day1)
    assert code == 0 and "Kept from the earlier version: 1 concern" in out, (out, err)
    # Huddles: most days recorded with `next --confirm` (no round timed), one round run in the app.
    for day in DAYS[1:6]:
        code, out, err = huddle(env["Ana"], "next", "--date", day.isoformat(), "--confirm")
        assert code == 0, err
        assert "(held: recorded now)" in out and "already held" not in out and "Recorded:" in out
    _, out, _ = huddle(env["Ana"], "next", "--date", DAYS[1].isoformat(), "--confirm")
    assert "(huddle already held)" in out and "Nothing recorded" in out
    team = load_team_config(shared / "huddle.toml")
    chen = Journal(team, me="Chen", durable=False, private_root=tmp_path / "Chen" / "data" / "private",
                   data_dir=tmp_path / "Chen" / "data", index=False)
    turns = tuple(Turn(n, 50.0, 45.0 + i) for i, n in enumerate(NAMES))
    chen.save_huddle(Huddle(DAYS[6].isoformat(), "Chen", NAMES, turns, 300.0, "t", "t"))

    code, text, err = huddle(env["Ben"], "report", "--by", "week", "--format", "markdown", "--until", UNTIL)
    assert code == 0, err
    sections = [line for line in text.splitlines() if line.startswith("## ")]
    assert sections == ["## 2026-W48 (2026-11-23 to 2026-11-29)", "## 2026-W49 (2026-11-30 to 2026-12-06)",
                        "## 2026-W50 (2026-12-07 to 2026-12-09, partial)"]
    assert "Starts 2026-11-23, when the team started (asked from 2026-09-11)." in text
    assert "change over the report +0 points." in text  # W50, under way, is not "-100 points"
    assert "(0 of" not in text.split("## 2026-W50")[0]  # no week before the team, none empty
    assert "from 0%" not in text and "W50:" not in text  # the week under way is no headline
    for sentence in (line for line in text.splitlines() if "most in" in line):
        before = sentence.split(" from ")[1].split(" in ")[0]
        after = sentence.rsplit(" to ", 1)[1].rstrip(".")
        assert before != after, sentence  # no "from 3.6 … to 3.6"
    assert "**huddles**: 4 held (4 recorded as held without a timed round)\n" in text  # W48: no "7 s"
    assert "2 held (1 recorded as held without a timed round), mean 285 s of a 300 s round" in text
    assert "mean 0 s" not in text

    code, out, err = huddle(env["Dara"], "report", "--by", "week", "--json", "--until", UNTIL)
    report = json.loads(out)
    assert [(p["label"], p["partial"], p["huddles"], p["timed_huddles"]) for p in report["periods"]] == [
        ("2026-W48", False, 4, 0), ("2026-W49", False, 2, 1), ("2026-W50", True, 0, 0)]
    w48 = report["periods"][0]
    assert (w48["mean_length_s"], w48["airtime_gini"], w48["participation"]) == (None, None, 1.0)
    assert report["periods"][1]["mean_length_s"] == 285.0 and report["periods"][1]["airtime_gini"] < 0.05

    code, out, err = huddle(env["Ana"], "summary", "--date", day1, "--json")
    assert [c["text"] for c in json.loads(out)["concerns"]] == ["flaky CI"]

    # A git merge left in huddle.toml: every command names it, exit 3.
    toml = shared / "huddle.toml"
    good = toml.read_text(encoding="utf-8")
    toml.write_text(good.replace('[[members]]\nname = "Fatima"',
                                 '<<<<<<< HEAD\n[[members]]\nname = "Fatima"\n=======\n>>>>>>> b', 1),
                    encoding="utf-8")
    line = toml.read_text(encoding="utf-8").splitlines().index("<<<<<<< HEAD") + 1
    for who, command in (("Ben", "report"), ("Chen", "next")):
        code, out, err = huddle(env[who], command)
        assert code == 3 and out == ""
        assert err.strip().endswith(f"huddle.toml has unresolved merge conflict markers at line {line}: "
                                    "resolve them (git mergetool) and save"), err

