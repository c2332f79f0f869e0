"""A team made before the totals switches with one line, and keeps what its members said before.

Anonymous answers given as records (released once enough could have given them)
stay readable, and count in the day's summary, after `huddle init --shared DIR
--anonymous totals` adds `[privacy] anonymous = "totals"`; a new team gets the
totals from `huddle init`.
"""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import run_huddle

DAY = "2026-12-04"
MEMBERS = ("Ana", "Ben", "Chen", "Dara", "Emeka", "Fatima")


def home(tmp_path: Path, who: str) -> dict[str, str]:
    """One teammate's machine: its own config, data and cache."""
    base = tmp_path / who
    return {"HUDDLE_CONFIG_DIR": str(base / "config"), "HUDDLE_DATA_DIR": str(base / "data"),
            "HUDDLE_CACHE_DIR": str(base / "cache")}


def ok(env: dict[str, str], *args: str) -> str:
    """Run one command on one machine; it must succeed."""
    done = run_huddle(*args, env=env)
    assert done.returncode == 0, (args, done.stdout, done.stderr)
    return done.stdout


def test_switching_to_totals_keeps_the_anonymous_records_given_before(tmp_path: Path) -> None:
    """`huddle init --shared DIR --anonymous totals` switches an older team; what it said counts the same.

    New teams start on totals; a team is not switched back by init (days not opened yet would never open).
    """
    shared = tmp_path / "shared"
    homes = {who: home(tmp_path, who) for who in MEMBERS}
    ok(homes["Ana"], "init", "--team", "Old", "--members", ",".join(MEMBERS), "--shared", str(shared),
       "--me", "Ana", "--anonymous", "records", "--timezone", "UTC")
    for who in MEMBERS[1:]:
        ok(homes[who], "init", "--shared", str(shared), "--me", who)
    for mood, who in zip("23445", MEMBERS[1:], strict=True):
        ok(homes[who], "checkin", "--mood", mood, "--anonymous", "--date", DAY)
    for who in MEMBERS[1:]:  # each machine's next session releases its held answer
        ok(homes[who], "sync")

    def anonymous_figures() -> tuple[object, object]:
        """What Ana's summary of the day says of its anonymous answers: how many, and their moods."""
        summary = json.loads(ok(homes["Ana"], "summary", "--date", DAY, "--json"))
        return summary["anonymous_checkins"], summary["anonymous_mood_distribution"]

    before = anonymous_figures()
    assert before[0] == 5 and before[1], before  # a distribution opens from 5
    config = shared / "huddle.toml"
    said = ok(homes["Ana"], "init", "--shared", str(shared), "--anonymous", "totals")
    assert "Old now keeps anonymous answers as the team's totals" in said
    assert "once 5 of the 6 members' machines have run huddle since" in said
    assert 'anonymous = "totals"' in config.read_text(encoding="utf-8")
    ok(homes["Ana"], "doctor")  # the switched config is a valid one
    assert anonymous_figures() == before
    again = ok(homes["Ben"], "init", "--shared", str(shared), "--anonymous", "totals")
    assert again == "Old already keeps anonymous answers as totals: nothing changed.\n"
    back = run_huddle("init", "--shared", str(shared), "--anonymous", "records", env=homes["Ben"])
    assert back.returncode == 2 and "does not switch a team back to records" in back.stderr
    assert len(back.stderr.strip().splitlines()) == 1

    fresh = tmp_path / "fresh"
    ok(home(tmp_path, "new"), "init", "--team", "New", "--members", "Eve,Fay,Gus", "--shared", str(fresh),
       "--me", "Eve")
    assert 'anonymous = "totals"' in (fresh / "huddle.toml").read_text(encoding="utf-8")


def test_the_switch_changes_only_its_line_and_keeps_the_file_as_written(tmp_path: Path) -> None:
    """Comments, order and [privacy]'s other keys stay; a config it cannot edit safely is left alone."""
    from huddle_tui.config.team import load_team_config, with_anonymous
    from huddle_tui.errors import ConfigError

    config = tmp_path / "huddle.toml"
    text = ('# our team\n[team]\nname = "T"  # the name\n\n[privacy]\nmood = "anonymous"  # by default\n\n'
            '[[members]]\nname = "Ana"\n')
    config.write_text(text)
    team, new = with_anonymous(config, "totals")
    assert new == text.replace('[privacy]\n', '[privacy]\nanonymous = "totals"\n')
    assert team == load_team_config(config)._replace(anonymous="totals")
    config.write_text(new.replace('"totals"', '"records"'))
    assert with_anonymous(config, "totals")[1] == new  # the line replaced, not doubled
    config.write_text('privacy = { mood = "named" }\n[team]\nname = "T"\n[[members]]\nname = "Ana"\n')
    try:
        with_anonymous(config, "totals")
    except ConfigError as exc:
        assert 'set it by hand: [privacy] anonymous = "totals"' in exc.message
    else:
        raise AssertionError("an inline privacy table was edited")
