"""Every place huddle-tui reads or writes on this machine, in one module.

Tests (and people with unusual set-ups) move all of them at once with the
environment variables HUDDLE_CONFIG_DIR, HUDDLE_DATA_DIR and HUDDLE_CACHE_DIR:
that is the one seam the test suite uses.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

APP_NAME = "huddle-tui"
TEAM_CONFIG_NAME = "huddle.toml"


def _override(var: str) -> Path | None:
    """Return the directory an environment variable forces, if any."""
    value = os.environ.get(var)
    return Path(value).expanduser() if value else None


def _xdg(var: str, default: str) -> Path | None:
    """The XDG base directory platformdirs would give on Linux and the BSDs, without importing it.

    platformdirs (with tempfile and shutil) costs every command more than
    reading its records; elsewhere, or with no absolute home, it decides.
    """
    if sys.platform in ("win32", "darwin", "cygwin", "ios", "android"):
        return None
    base = os.environ.get(var, "")
    if not os.path.isabs(base):
        home = os.environ.get("HOME", "")
        if not os.path.isabs(home):
            return None
        base = os.path.join(home, default)
    return Path(base) / APP_NAME


def _platform(name: str) -> Path:
    """The platform's own user directory for huddle-tui, from platformdirs."""
    import platformdirs

    path: Path = getattr(platformdirs, name)(APP_NAME, appauthor=False)
    return path


def config_dir() -> Path:
    """Where the user config and the user's own themes live."""
    forced = _override("HUDDLE_CONFIG_DIR")
    if forced is not None:
        return forced
    return _xdg("XDG_CONFIG_HOME", ".config") or _platform("user_config_path")


def data_dir() -> Path:
    """Where this machine keeps what must survive: private records, the outbox."""
    forced = _override("HUDDLE_DATA_DIR")
    if forced is not None:
        return forced
    return _xdg("XDG_DATA_HOME", ".local/share") or _platform("user_data_path")


def summaries_dir() -> Path:
    """Where a saved Markdown summary goes by default: Documents/huddle if there is one, else data.

    Never the folder the app was started from, which is often a source checkout.
    """
    forced = _override("HUDDLE_DATA_DIR")
    if forced is not None:
        return forced / "summaries"
    from platformdirs import user_documents_path

    documents = user_documents_path()
    if documents.is_dir() and documents != Path.home():
        return documents / "huddle"
    return data_dir() / "summaries"


def cache_dir() -> Path:
    """Where speed-ups live that are always safe to delete (the history index)."""
    forced = _override("HUDDLE_CACHE_DIR")
    if forced is not None:
        return forced
    return _xdg("XDG_CACHE_HOME", ".cache") or _platform("user_cache_path")


def user_config_file() -> Path:
    """The user config: who I am and where my team's shared folder is."""
    return config_dir() / "config.toml"


def user_themes_dir() -> Path:
    """Themes the user adds on top of the shipped ones."""
    return config_dir() / "themes"


def default_shared_dir() -> Path:
    """The shared folder used when nothing is configured: a local one to try the app."""
    return data_dir() / "shared"


def demo_dir() -> Path:
    """Where `huddle demo` makes its team when no --shared is given."""
    return data_dir() / "demo"


def demo_user_config_file(folder: Path) -> Path:
    """The user config `huddle demo` writes for the member you are in the demo, inside its own folder."""
    return folder / "user" / "config.toml"


def private_dir() -> Path:
    """Private records: kept on this machine only, never synced."""
    return data_dir() / "private"


def outbox_file() -> Path:
    """The HTTP outbox database (local disk only: SQLite does not belong on a share)."""
    return data_dir() / "outbox.sqlite3"


def index_dir() -> Path:
    """History indexes, one per shared folder."""
    return cache_dir() / "index"
