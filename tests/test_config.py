"""The team and user configs: read strictly, found in the documented order, errors in one line."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from huddle_tui import paths
from huddle_tui.config.team import TeamConfig, load_team_config, team_config_to_toml, write_toml
from huddle_tui.config.user import UserConfig, load_team, load_user_config, locate_team_config
from huddle_tui.errors import ConfigError
from tests.conftest import run_huddle

FULL = """\
[team]
name = "Platform"
round_minutes = 7.5
speaking_order = "fair"
facilitator_position = "last"
theme = "huddle-high-contrast"

[privacy]
mood = "anonymous"

[[members]]
name = "Ana"
handle = "ana"
timezone = "Europe/Lisbon"
joined = 2024-01-08
away = [{from = 2026-07-01, to = 2026-07-14}]

[[members]]
name = "Ben"

[[endpoints]]
url = "https://huddle.example.org/api"
token_env = "HUDDLE_TOKEN"

[[support]]
name = "Employee Assistance Programme"
contact = "0800 123 456"
"""


def write(tmp_path: Path, text: str, name: str = "huddle.toml") -> Path:
    """Write a config file and return its path."""
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_full_config_reads_into_typed_fields(tmp_path: Path) -> None:
    """Every documented key lands in its typed field."""
    cfg = load_team_config(write(tmp_path, FULL))
    assert cfg.name == "Platform"
    assert cfg.round_minutes == 7.5 and cfg.round_seconds == 450
    assert (cfg.speaking_order, cfg.facilitator_position, cfg.mood_privacy) == ("fair", "last", "anonymous")
    ana = cfg.members[0]
    assert ana.handle == "ana" and ana.joined == date(2024, 1, 8)
    assert ana.is_away(date(2026, 7, 3)) and not ana.is_away(date(2026, 7, 15))
    assert cfg.endpoints[0].token_env == "HUDDLE_TOKEN"
    assert cfg.support[0].contact == "0800 123 456"
    assert cfg.shared_dir == tmp_path.resolve()
    assert cfg.member("ANA") is ana and cfg.member("ana") is ana


def test_config_survives_a_write_and_read(tmp_path: Path) -> None:
    """What tomli-w writes, tomllib reads back as the same config."""
    cfg = load_team_config(write(tmp_path, FULL))
    out = tmp_path / "again" / "huddle.toml"
    write_toml(out, team_config_to_toml(cfg))
    again = load_team_config(out)
    assert again._replace(shared_dir=cfg.shared_dir, path=cfg.path, endpoints=cfg.endpoints) == cfg


@pytest.mark.parametrize(("text", "expected"), [
    ('[team]\nname = "X"\nround_minutes = \n', "TOML syntax error"),
    ('[team]\nname = "X"\ncolour = "red"\n', "team.colour (line 3): unknown key"),
    ('[team]\nname = "X"\nround_minutes = "five"\n', "team.round_minutes (line 3): expected a number"),
    ('[team]\nname = "X"\nround_minutes = 0.5\n', "expected 1 to 60 minutes, got 0.5"),
    ('[team]\nname = "X"\nround_minutes = 90\n', "expected 1 to 60 minutes, got 90"),
    ('[team]\nname = "X"\n[[members]]\nname = "Ana"\n[[members]]\nname = "ana"\n',
     "members[1].name (line 6): duplicate member 'ana'"),
    ('[team]\nname = "X"\nspeaking_order = "loudest"\n', "expected one of random, roster, fair"),
    ('[team]\nname = "X"\n[[members]]\nname = "Ana"\njoined = "last week"\n', "expected a date"),
    ('[team]\nname = "X"\n[[members]]\nname = "Ana"\naway = [{from = 2026-02-01, to = 2026-01-01}]\n',
     "ends (2026-01-01) before it starts"),
    ('[team]\nname = ""\n', "team.name (line 2): expected a non-empty string"),
    ('[team]\nname = "X"\n[[endpoints]]\nurl = "ftp://x"\n', "expected an http:// or https:// URL"),
    ('[team]\nname = "X"\n[[endpoints]]\nurl = "https://u:p@x.org"\n', "credentials do not belong"),
    ('members = 3\n[team]\nname = "X"\n', "members (line 1): expected an array"),
])
def test_bad_config_names_file_and_key(tmp_path: Path, text: str, expected: str) -> None:
    """Each kind of mistake gives one line naming the file, the key and what was expected."""
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as err:
        load_team_config(path)
    assert str(path) in err.value.message
    assert expected in err.value.message
    assert "\n" not in err.value.message


def test_toml_syntax_error_says_where(tmp_path: Path) -> None:
    """tomllib's line and column come through."""
    with pytest.raises(ConfigError, match=r"line 3"):
        load_team_config(write(tmp_path, '[team]\nname = "X"\n= oops\n'))


def test_bad_config_exits_3_with_one_line_and_no_traceback(tmp_path: Path) -> None:
    """The CLI prints the error in one line on stderr and exits 3."""
    path = write(tmp_path, '[team]\nname = "X"\nround_minutes = 99\n')
    result = run_huddle("next", "--config", str(path))
    assert result.returncode == 3
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert str(path) in result.stderr and "round_minutes" in result.stderr


def test_config_discovery_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """--config, then HUDDLE_CONFIG, then ./huddle.toml, then the user's shared folder."""
    explicit = write(tmp_path, '[team]\nname = "A"\n', "a.toml")
    env = write(tmp_path, '[team]\nname = "B"\n', "b.toml")
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    write(cwd, '[team]\nname = "C"\n')
    shared = tmp_path / "share"
    shared.mkdir()
    write(shared, '[team]\nname = "D"\n')
    user = UserConfig(shared=shared)
    assert locate_team_config(str(explicit), user, {"HUDDLE_CONFIG": str(env)}, cwd) == explicit
    assert locate_team_config(None, user, {"HUDDLE_CONFIG": str(env)}, cwd) == env
    assert locate_team_config(None, user, {}, cwd) == cwd / "huddle.toml"
    assert locate_team_config(None, user, {}, tmp_path) == shared / "huddle.toml"


def test_nothing_configured_uses_a_local_folder_for_one_person(tmp_path: Path) -> None:
    """With no config anywhere, a folder under the user data dir is the shared folder."""
    team = load_team(None, UserConfig(me="Sam"))
    assert team.shared_dir == paths.default_shared_dir()
    assert [m.name for m in team.members] == ["Sam"]


def test_user_shared_folder_without_team_config_is_an_error(tmp_path: Path) -> None:
    """Pointing at a folder with no huddle.toml says to run init there."""
    with pytest.raises(ConfigError, match="huddle init"):
        locate_team_config(None, UserConfig(shared=tmp_path / "nowhere", path=tmp_path / "c.toml"), {},
                           tmp_path)


def test_user_config_reads_and_rejects_unknown_keys(tmp_path: Path) -> None:
    """The user config is strict too."""
    good = write(tmp_path, 'me = "Ana"\nshared = "/srv/team"\nbell = true\n', "config.toml")
    user = load_user_config(good)
    assert (user.me, user.shared, user.bell) == ("Ana", Path("/srv/team"), True)
    bad = write(tmp_path, 'me = "Ana"\nnickname = "A"\n', "bad.toml")
    with pytest.raises(ConfigError, match="nickname"):
        load_user_config(bad)


def test_default_team_is_a_team_config() -> None:
    """The embedded default is a real TeamConfig with sane settings."""
    team = load_team(None, UserConfig(me="Sam"))
    assert isinstance(team, TeamConfig)
    assert team.round_minutes == 5.0 and team.speaking_order == "random"


def test_two_endpoints_with_one_name_are_a_config_error(tmp_path: Path) -> None:
    """A second "api" would share the first one's outbox queue: refused, naming the key and line."""
    path = tmp_path / "huddle.toml"
    endpoint = '[[endpoints]]\nname = "{}"\nurl = "{}"\n\n'
    base = '[team]\nname = "P"\n\n[[members]]\nname = "Ana"\n\n'
    path.write_text(base + endpoint.format("api", "https://a.example") + endpoint.format("API", "http://b.invalid"))
    with pytest.raises(ConfigError, match=r"endpoints\[1\]\.name \(line 12\): same name as endpoints\[0\]"):
        load_team_config(path)
    path.write_text(base + '[[endpoints]]\nurl = "https://a.example"\n\n[[endpoints]]\nurl = "https://a.example"\n')
    with pytest.raises(ConfigError, match=r"endpoints\[1\]\.url.*same format and URL as endpoints\[0\]"):
        load_team_config(path)
