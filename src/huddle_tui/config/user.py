"""The user config (who I am, where my team's shared folder is) and finding the team config."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any, NamedTuple

from huddle_tui import paths
from huddle_tui.config.team import Member, TeamConfig, _drop_none, load_team_config
from huddle_tui.config.toml_reader import TomlReader, parse_toml
from huddle_tui.errors import ConfigError


class UserConfig(NamedTuple):
    """This person's own settings, kept in the user config dir."""

    me: str | None = None
    shared: Path | None = None
    theme: str | None = None
    bell: bool = False
    path: Path | None = None


USER_KEYS = {"me", "shared", "theme", "bell"}


def load_user_config(path: Path | None = None) -> UserConfig:
    """Read the user config, or return an empty one when there is none yet."""
    path = path or paths.user_config_file()
    if not path.exists():
        return UserConfig(path=path)
    data, text = parse_toml(path)
    r = TomlReader(path, text)
    r.table(data, "", USER_KEYS)
    shared = r.str_(data, "shared", "")
    return UserConfig(
        me=r.str_(data, "me", ""),
        shared=Path(shared).expanduser() if shared else None,
        theme=r.str_(data, "theme", ""),
        bell=r.bool_(data, "bell", "", False),
        path=path,
    )


# ---------------------------------------------------------------- finding


def locate_team_config(explicit: str | None, user: UserConfig,
                       environ: Mapping[str, str] | None = None,
                       cwd: Path | None = None) -> Path | None:
    """Find huddle.toml: --config, then HUDDLE_CONFIG, ./huddle.toml, the user's shared folder."""
    env = os.environ if environ is None else environ
    if explicit:
        return Path(explicit).expanduser()
    if env.get("HUDDLE_CONFIG"):
        return Path(env["HUDDLE_CONFIG"]).expanduser()
    here = (cwd or Path.cwd()) / paths.TEAM_CONFIG_NAME
    if here.is_file():
        return here
    if user.shared is not None:
        candidate = user.shared / paths.TEAM_CONFIG_NAME
        if not candidate.is_file():
            raise ConfigError(f"{user.path}: shared: {user.shared} has no {paths.TEAM_CONFIG_NAME}"
                              " (run `huddle init` there)")
        return candidate
    fallback = paths.default_shared_dir() / paths.TEAM_CONFIG_NAME
    return fallback if fallback.is_file() else None


def default_team_config(user: UserConfig) -> TeamConfig:
    """The embedded team used with nothing configured: just me, in a local folder."""
    me = user.me or _login_name()
    return TeamConfig(name="My team", members=(Member(me),), shared_dir=paths.default_shared_dir())


def _login_name() -> str:
    """A name for the person at this terminal when they have not given one."""
    import getpass

    try:
        return getpass.getuser() or "me"
    except Exception:  # getpass raises various errors where no user database exists
        return "me"


def load_team(explicit: str | None = None, user: UserConfig | None = None) -> TeamConfig:
    """Load the team config the way every command does."""
    user = user if user is not None else load_user_config()
    found = locate_team_config(explicit, user)
    return load_team_config(found) if found is not None else default_team_config(user)


def user_config_to_toml(user: UserConfig) -> dict[str, Any]:
    """Turn a UserConfig into its TOML document."""
    return _drop_none({"me": user.me, "shared": str(user.shared) if user.shared else None,
                       "theme": user.theme, "bell": user.bell})
