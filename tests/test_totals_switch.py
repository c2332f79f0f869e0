"""A team made before the totals switches with one line, and keeps what its members said before.

Anonymous answers given as records (released once enough could have given them)
stay readable, and count in the day's summary, after `[privacy] anonymous =
"totals"` is added; a new team gets the totals from `huddle init`.
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
    """Released anonymous records count the same after the switch; new teams start on totals."""
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
    text = config.read_text(encoding="utf-8")
    switched = text.replace("[privacy]\n", '[privacy]\nanonymous = "totals"\n', 1) if "[privacy]\n" in text \
        else text + '\n[privacy]\nanonymous = "totals"\n'
    config.write_text(switched, encoding="utf-8")
    ok(homes["Ana"], "doctor")  # the switched config is a valid one
    assert anonymous_figures() == before

    fresh = tmp_path / "fresh"
    ok(home(tmp_path, "new"), "init", "--team", "New", "--members", "Eve,Fay,Gus", "--shared", str(fresh),
       "--me", "Eve")
    assert 'anonymous = "totals"' in (fresh / "huddle.toml").read_text(encoding="utf-8")
