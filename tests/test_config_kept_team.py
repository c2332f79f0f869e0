"""A huddle.toml is checked once per change: the kept TeamConfig always equals a fresh check."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from huddle_tui.config import kept_team
from huddle_tui.config.team import _check_team_config, load_team_config
from huddle_tui.errors import ConfigError
from huddle_tui.storage.stamps import fingerprint
from tests.storekit import cache_of, kept_answer, put_answer
from tests.test_config_kept import big_config

RICH = """
[team]
name = "Rich"
holidays = [2026-12-24, 2026-12-25, 2026-12-31]
workdays = ["mon", "tue", "thu"]
[measures]
who5 = true
sisq = true
[pairs]
cadence = "biweekly"
[circles]
size = 6
cooldown_weeks = 3
[[members]]
name = "Ana"
circles = true
group = "ops"
handle = "ana"
joined = 2025-01-02
pairs = true
interests = ["tea", "chess"]
away = [{ from = 2026-01-01, to = 2026-01-05 }]
[[members]]
name = "Ben"
[[endpoints]]
url = "https://example.org/api"
token_file = "token.txt"
name = "api"
[[support]]
name = "EAP"
contact = "+1 555"
kind = "eap"
"""


def kept(path: Path) -> tuple[str, Any] | None:
    """The team config kept in the cache of the folder the file sits in: (key, value)."""
    return kept_answer(path.parent.resolve(), kept_team.TEAM)


@pytest.mark.parametrize("text", ["big", RICH])
def test_the_kept_config_equals_a_fresh_check_and_is_used(tmp_path: Path, text: str) -> None:
    """Twice the same TeamConfig; the second comes from the kept file (proved by changing it)."""
    path = big_config(tmp_path) if text == "big" else tmp_path / "huddle.toml"
    if text != "big":
        path.write_text(text)
    fresh = _check_team_config(path, path.read_text())
    assert load_team_config(path) == fresh
    again = load_team_config(path)
    assert again == fresh and type(again.members[0]) is type(fresh.members[0])
    assert fingerprint(again) == fingerprint(load_team_config(path))  # the same in every process
    found = kept(path)
    assert found is not None
    key, (frozen, print_) = found
    frozen = ("n", "TeamConfig", ("From the cache", *frozen[2][1:]))
    put_answer(path.parent.resolve(), kept_team.TEAM, key, (frozen, print_))
    assert load_team_config(path).name == "From the cache"


def test_an_edit_a_move_or_a_damaged_entry_is_checked_afresh(tmp_path: Path) -> None:
    """The text and the path read now decide; garbage in the cache gives the fresh answer."""
    path = big_config(tmp_path)
    load_team_config(path)
    path.write_text(path.read_text().replace('name = "Big"', 'name = "Renamed"'))
    assert load_team_config(path).name == "Renamed"
    moved = tmp_path / "moved"
    moved.mkdir()
    (moved / "huddle.toml").write_text(path.read_text())
    assert load_team_config(moved / "huddle.toml").shared_dir == moved.resolve()
    found = kept(path)
    assert found is not None
    key, (frozen, print_) = found
    for garbage in ("", (b"\x00garbage", print_), (frozen[:2], print_), (frozen, None),
                    (("n", "Nope", ()), "")):
        put_answer(path.parent.resolve(), kept_team.TEAM, key, garbage)
        assert load_team_config(path).name == "Renamed"
        assert load_team_config(path).members[-1].joined == date(2026, 11, 30)
    cache_of(path.parent.resolve()).db.execute("update answers set crc = crc + 1")  # damaged on disk
    assert load_team_config(path).name == "Renamed"  # read afresh; the damaged file is removed …
    assert load_team_config(path).name == "Renamed"
    assert kept(path) is not None  # … and made afresh, the config kept in it again


def test_new_checking_code_checks_afresh(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An upgrade (another code stamp) never gets a config checked by the old code."""
    path = big_config(tmp_path)
    load_team_config(path)
    calls: list[Path] = []

    def counting(where: Path, text: str) -> object:
        """Count fresh checks."""
        calls.append(where)
        return _check_team_config(where, text)

    monkeypatch.setattr("huddle_tui.config.team._check_team_config", counting)
    load_team_config(path)
    assert calls == []
    monkeypatch.setattr(kept_team, "_code_stamp", lambda: ("another version",))
    load_team_config(path)
    assert calls == [path]


def test_a_bad_config_is_one_line_and_never_kept(tmp_path: Path) -> None:
    """A duplicate member is a ConfigError every time, from the cache or not."""
    path = tmp_path / "huddle.toml"
    path.write_text('[team]\nname = "T"\n[[members]]\nname = "Ana"\n[[members]]\nname = "ana"\n')
    for _ in range(2):
        with pytest.raises(ConfigError, match="duplicate member"):
            load_team_config(path)
    assert kept(path) is None


def test_the_code_stamp_is_the_same_before_and_after_a_fingerprint_is_computed() -> None:
    """storage/canonical.py is stamped by its file even before it is imported (only a miss imports it).

    Were it stamped only once imported, a process that computed a fingerprint
    would keep configs that no later process could use.
    """
    import subprocess
    import sys

    code = ("import sys\n"
            "from huddle_tui.config import kept_team\n"
            "before = kept_team._code_stamp()\n"
            "assert 'huddle_tui.storage.canonical' not in sys.modules\n"
            "import huddle_tui.storage.canonical\n"
            "print(before == kept_team._code_stamp() and None not in before)\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "True"
