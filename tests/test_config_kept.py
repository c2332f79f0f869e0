"""A TOML config is parsed once per change: the kept parse always equals tomllib's."""

from __future__ import annotations

import marshal
import tomllib
from datetime import date
from pathlib import Path

import tomli_w

from huddle_tui.config.team import TeamConfig, load_team_config, team_config_to_toml, with_members
from huddle_tui.config.toml_reader import kept_parse
from huddle_tui.paths import cache_dir


def big_config(folder: Path, members: int = 200) -> Path:
    """A team config with `members` members, some away and joining on dates (TOML dates)."""
    team = with_members(TeamConfig(name="Big", members=(), shared_dir=folder),
                        [f"Member{i}" for i in range(members)])
    path = folder / "huddle.toml"
    doc = team_config_to_toml(team)
    doc["members"].append({"name": "Late", "joined": date(2026, 11, 30)})
    text = tomli_w.dumps(doc)
    path.write_text(text)
    return path


def kept_files() -> list[Path]:
    """The kept parses in the user's cache."""
    return sorted((cache_dir() / "toml").glob("*.marshal"))


def test_the_kept_parse_equals_tomllib_and_is_used(tmp_path: Path) -> None:
    """Twice the same answer, once parsed; the second answer comes from the kept file."""
    path = big_config(tmp_path)
    text = path.read_text()
    assert kept_parse(path, text) == tomllib.loads(text)
    [kept] = kept_files()
    stored_text, frozen = marshal.loads(kept.read_bytes())
    frozen["team"]["name"] = "From the cache"
    kept.write_bytes(marshal.dumps((stored_text, frozen)))
    assert kept_parse(path, text)["team"]["name"] == "From the cache"  # proof that it is used
    assert load_team_config(path).name == "From the cache"


def test_changed_text_or_a_damaged_entry_is_parsed_afresh(tmp_path: Path) -> None:
    """The text read now decides: an edit, or garbage in the cache, gives tomllib's answer."""
    path = big_config(tmp_path)
    load_team_config(path)
    path.write_text(path.read_text().replace('name = "Big"', 'name = "Renamed"'))
    assert load_team_config(path).name == "Renamed"
    [kept] = kept_files()
    for garbage in (b"", b"\x00garbage", marshal.dumps(("x", 1)), marshal.dumps((path.read_text(), ("bad",))),
                    marshal.dumps((path.read_text(), {"members": [("nope", "2026-01-01")]}))):
        kept.write_bytes(garbage)
        assert load_team_config(path).name == "Renamed"
    assert load_team_config(path).members[-1].joined is not None


def test_a_small_file_is_kept_too_and_a_syntax_error_is_one_line(tmp_path: Path) -> None:
    """Even a three-line config is kept; broken TOML is a ConfigError naming the file, never kept."""
    import pytest

    from huddle_tui.errors import ConfigError

    path = tmp_path / "huddle.toml"
    path.write_text('[team]\nname = "Small"\n')
    assert load_team_config(path).name == "Small"
    assert len(kept_files()) == 1
    path.write_text('[team]\nname = "Small\n')
    with pytest.raises(ConfigError, match="TOML syntax error"):
        load_team_config(path)
