"""The user config (who I am, where my team's shared folder is, which endpoints I trust) and finding
the team config.

The team config sits in a folder any teammate can edit, so it can say where
to send, but never by itself that this machine may send a secret there: that
trust lives here, in each person's own config (see sync/trust.py).
"""

import os
from collections.abc import Mapping
from datetime import time
from pathlib import Path
from typing import Any, NamedTuple

from huddle_tui import paths
from huddle_tui.config.team import (
    ENDPOINT_FORMATS,
    Member,
    SupportResource,
    TeamConfig,
    _drop_none,
    load_team_config,
    read_support,
)
from huddle_tui.config.theme_name import read_theme
from huddle_tui.config.toml_reader import TomlReader, parse_toml
from huddle_tui.errors import ConfigError
from huddle_tui.model.teamday import parse_clock


class Approval(NamedTuple):
    """This person's consent to send a token source to one URL, in one format (see sync/trust.py).

    `ca_sha256` is the SHA-256 of the CA bundle's bytes when it was approved:
    the bundle usually sits in the shared folder, so its path alone would let
    any teammate put their own CA behind an approved endpoint.
    """

    name: str
    url: str
    format: str = "records"
    token_env: str | None = None
    token_file: str | None = None
    ca_bundle: str | None = None
    ca_sha256: str | None = None

    @property
    def binding(self) -> tuple[str, str, str | None, str | None, str | None]:
        """What the consent names in the team config: a change to any of these withdraws it.

        The CA bundle's contents are not here (they are a file's, not the
        config's): sync/trust.py compares them with `ca_sha256` each time.
        """
        return (self.url, self.format, self.token_env, self.token_file, self.ca_bundle)


class UserConfig(NamedTuple):
    """This person's own settings, kept in the user config dir."""

    me: str | None = None
    shared: Path | None = None
    theme: str | None = None
    bell: bool = False
    path: Path | None = None
    trusted: tuple[Approval, ...] = ()
    allow_http: tuple[str, ...] = ()
    support: tuple[SupportResource, ...] = ()
    git_sync: bool = False  # the app commits, pulls and pushes a git-backed shared folder in the background
    quiet_hours: str | None = None  # "19:00-08:00" on my own clock: `huddle prompt` says nothing then


USER_KEYS = {"me", "shared", "theme", "bell", "allow_http", "trusted_endpoints", "support", "git_sync",
             "quiet_hours"}
APPROVAL_KEYS = {"name", "url", "format", "token_env", "token_file", "ca_bundle", "ca_sha256"}
SHA256_HEX = frozenset("0123456789abcdef")


def load_user_config(path: Path | None = None) -> UserConfig:
    """Read the user config, or return an empty one when there is none yet.

    With no user config of one's own and no team in the default shared
    folder, the demo's is used when `huddle demo` made one (demo_stand_in):
    plain `huddle` then opens the demo as its member instead of an empty
    team of one.
    """
    path = path or demo_stand_in() or paths.user_config_file()
    if not path.exists():
        return UserConfig(path=path)
    data, text = parse_toml(path)
    r = TomlReader(path, text)
    r.table(data, "", USER_KEYS)
    shared = r.str_(data, "shared", "")
    hosts = r.array(data, "allow_http", "")
    for i, host in enumerate(hosts):
        if not isinstance(host, str) or not host.strip() or "/" in host:
            raise r.fail("allow_http", f"entry {i + 1}: expected a host name like \"intranet.example\"")
    return UserConfig(
        me=r.str_(data, "me", ""),
        shared=Path(shared).expanduser() if shared else None,
        theme=read_theme(r, data, ""),
        bell=r.bool_(data, "bell", "", False),
        path=path,
        trusted=tuple(_read_approval(r, a, i) for i, a in enumerate(r.array(data, "trusted_endpoints", ""))),
        allow_http=tuple(h.strip().lower() for h in hosts),
        support=read_support(r, data),
        git_sync=r.bool_(data, "git_sync", "", False),
        quiet_hours=_read_quiet_hours(r, data),
    )


def _read_quiet_hours(r: TomlReader, data: Mapping[str, Any]) -> str | None:
    """quiet_hours: "HH:MM-HH:MM" (it may wrap past midnight), kept as written with two-digit hours."""
    text = r.str_(data, "quiet_hours", "")
    if text is None:
        return None
    span = quiet_span(text)
    if span is None:
        raise r.fail("quiet_hours", f'expected a span of the day like "19:00-08:00", got {text!r}')
    return f"{span[0]:%H:%M}-{span[1]:%H:%M}"


def quiet_span(text: str) -> tuple[time, time] | None:
    """The start and end of a "HH:MM-HH:MM" span (two different times), or None when it is not one."""
    start, sep, end = text.strip().partition("-")
    first, last = parse_clock(start.strip()), parse_clock(end.strip())
    if not sep or first is None or last is None or first == last:
        return None
    return first, last


def demo_stand_in() -> Path | None:
    """The demo's user config, when this person has set up nothing of their own (None otherwise).

    Only the default demo folder's, in this user's own data folder (0700),
    is ever used this way, and only while there is no user config and no
    huddle.toml in the default shared folder: a shared folder can never
    stand in for anyone's user config.
    """
    if paths.user_config_file().exists():
        return None
    found = paths.demo_user_config_file(paths.demo_dir())
    if not found.is_file() or (paths.default_shared_dir() / paths.TEAM_CONFIG_NAME).exists():
        return None
    return found


def _read_approval(r: TomlReader, raw: Any, i: int) -> Approval:
    """Read one [[trusted_endpoints]] entry."""
    where = f"trusted_endpoints[{i}]"
    a = r.table(raw, where, APPROVAL_KEYS)
    digest = r.str_(a, "ca_sha256", where)
    if digest is not None:  # either case: sha256sum prints lower, PowerShell's Get-FileHash upper
        digest = digest.strip().lower()
        if len(digest) != 64 or not set(digest) <= SHA256_HEX:
            raise r.fail(f"{where}.ca_sha256", "expected the CA bundle's SHA-256 as 64 hex digits")
    return Approval(name=r.need_str(a, "name", where), url=r.need_str(a, "url", where),
                    format=r.str_(a, "format", where, "records", ENDPOINT_FORMATS) or "records",
                    token_env=r.str_(a, "token_env", where), token_file=r.str_(a, "token_file", where),
                    ca_bundle=r.str_(a, "ca_bundle", where), ca_sha256=digest)


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


def who_am_i(user: UserConfig, team: TeamConfig) -> str | None:
    """Who is at this terminal in `team`.

    `me` from the user config when it names one of the team's members; else
    the member this machine's keyring names for the team's folder (a demo
    team: `huddle demo` makes its runner one of its members there, whatever
    the user config says); else `me` as given, or the one member of a team
    of one. The keyring is local to this machine, so no teammate can set it.
    """
    if user.me and team.member(user.me) is not None:
        return user.me
    if team.path is not None:
        from huddle_tui.storage.keyring import Keyring

        here = Keyring.for_folder(team.shared_dir).me
        if here is not None and team.member(here) is not None:
            return here
    if user.me:
        return user.me
    return team.members[0].name if team.path is None and len(team.members) == 1 else None


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
    doc = _drop_none({"me": user.me, "shared": str(user.shared) if user.shared else None,
                      "theme": user.theme, "bell": user.bell})
    if user.allow_http:
        doc["allow_http"] = list(user.allow_http)
    if user.trusted:
        doc["trusted_endpoints"] = [_drop_none(a._asdict()) for a in user.trusted]
    if user.support:
        doc["support"] = [s._asdict() for s in user.support]
    if user.quiet_hours:
        doc["quiet_hours"] = user.quiet_hours
    if user.git_sync:  # only when chosen: the person turned it on, and may turn it off by deleting the line
        doc["git_sync"] = True
    return doc
