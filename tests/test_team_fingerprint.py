"""The team config's fingerprint is one key in every process, whatever PYTHONHASHSEED says.

Caches keyed on it (derived answers, report months) only ever hit across
runs if it is: a frozenset's repr, which an earlier key was made of, follows
hash order and so changed from run to run.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from huddle_tui.config.team import AwayRange, TeamConfig, load_team_config
from huddle_tui.storage.canonical import canonical_json
from huddle_tui.storage.derived import team_checksum
from huddle_tui.storage.stamps import fingerprint

SEEDS = ("0", "1", "2", "3", "4", "5")

# Every field that holds a set (holidays, measures) with several items, so their hash order varies,
# and members with away ranges, interests, endpoints, support and pairs besides.
CONFIG = """
[team]
name = "Seeds"
holidays = [2026-12-24, 2026-12-25, 2026-12-26, 2026-12-31, 2027-01-01, 2026-04-03, 2026-05-01]
workdays = ["mon", "tue", "wed", "thu"]
[measures]
who5 = true
sisq = true
[pairs]
cadence = "biweekly"
[[members]]
name = "Ana"
handle = "ana"
joined = 2025-01-02
pairs = true
interests = ["tea", "chess", "climbing"]
away = [{ from = 2026-01-01, to = 2026-01-05 }, { from = 2026-08-01, to = 2026-08-14 }]
[[members]]
name = "Ben"
timezone = "Europe/Berlin"
[[members]]
name = "Chen"
[[endpoints]]
url = "https://example.org/api"
token_file = "token.txt"
name = "api"
[[endpoints]]
url = "https://chat.example.org/hook"
format = "slack"
token_env = "CHAT_TOKEN"
[[support]]
name = "EAP"
contact = "+1 555"
kind = "eap"
"""

# What each process prints: the key of the config as loaded (kept or checked afresh), of an
# equal copy nobody named (computed), and of the roster with away ranges from the folder added.
SCRIPT = """
import json, sys
from datetime import date
from pathlib import Path
from huddle_tui.config.team import AwayRange, load_team_config
from huddle_tui.storage.derived import team_checksum
from huddle_tui.storage.stamps import fingerprint

team = load_team_config(Path(sys.argv[1]))
roster = team.with_away({"ben": [AwayRange(date(2026, 3, 2), date(2026, 3, 6))]})
print(json.dumps([fingerprint(team), fingerprint(team._replace()), team_checksum(roster),
                  [*team.measures, *map(str, team.holidays)]]))
"""


def write_config(folder: Path) -> Path:
    """The config above in `folder`'s huddle.toml."""
    path = folder / "huddle.toml"
    path.write_text(CONFIG, encoding="utf-8")
    return path


def keys_in(path: Path, seed: str) -> list[object]:
    """Run SCRIPT in a fresh interpreter under PYTHONHASHSEED=`seed` (sharing this test's cache dir)."""
    result = subprocess.run([sys.executable, "-c", SCRIPT, str(path)], capture_output=True, text=True,
                            env={**os.environ, "PYTHONHASHSEED": seed}, timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    found: list[object] = json.loads(result.stdout)
    return found


def test_every_hash_seed_gives_one_key(tmp_path: Path) -> None:
    """Six processes, six hash seeds: one key for the loaded config, its copy and the roster.

    The first process checks the config and keeps it with its key; the others
    read that key back, so it must also equal what each of them computes for
    an equal copy. At least two seeds iterate a set in different orders, or
    the test would prove nothing.
    """
    path = write_config(tmp_path)
    runs = [keys_in(path, seed) for seed in SEEDS]
    assert len({tuple(run[:3]) for run in runs}) == 1, runs
    kept, copied, roster, _ = runs[0]
    assert kept == copied != roster
    assert len({json.dumps(run[3]) for run in runs}) > 1  # the sets' order differed between the seeds
    team = load_team_config(path)  # and this process, with its own seed, agrees
    assert [fingerprint(team), team_checksum(team.with_away(
        {"ben": [AwayRange(date(2026, 3, 2), date(2026, 3, 6))]}))] == [kept, roster]


def test_a_different_config_is_a_different_key(tmp_path: Path) -> None:
    """A set written in another order is the same key; any change to what it holds is another."""
    team = load_team_config(write_config(tmp_path))
    same = team._replace(holidays=frozenset(sorted(team.holidays, reverse=True)),
                         measures=frozenset(reversed(sorted(team.measures))))
    assert fingerprint(same) == fingerprint(team)
    changed = [
        team._replace(holidays=team.holidays | {date(2026, 11, 11)}),
        team._replace(measures=frozenset({"who5"})),
        team._replace(holidays=frozenset(), workdays=team.workdays),
        team._replace(members=(team.members[0]._replace(away=team.members[0].away[:1]), *team.members[1:])),
        team._replace(endpoints=team.endpoints[:1]),
        team._replace(shared_dir=tmp_path / "elsewhere"),
        team._replace(round_minutes=5.5),
    ]
    keys = {fingerprint(t) for t in changed}
    assert len(keys) == len(changed) and fingerprint(team) not in keys


def test_sets_and_dates_are_tagged_and_unknown_types_refused() -> None:
    """A set is never the list of its items, a date never its ISO text, and an object with no
    canonical form is refused rather than written as something that could differ between runs."""
    assert canonical_json(frozenset({"b", "a"})) == '{"$set":["a","b"]}'
    assert canonical_json(frozenset({"b", "a"})) != canonical_json(("a", "b"))
    assert canonical_json(date(2026, 1, 2)) != canonical_json("2026-01-02")
    base = TeamConfig(name="T", members=(), shared_dir=Path("/shared"))
    assert fingerprint(base) != fingerprint(base._replace(path=Path("/shared")))
    with pytest.raises(TypeError, match="no canonical JSON for a object"):
        canonical_json(base._replace(theme=object()))  # type: ignore[arg-type]
