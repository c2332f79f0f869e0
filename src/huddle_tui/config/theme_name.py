"""A theme is named, never pointed at: the one rule for a theme name in huddle.toml, config.toml and --theme.

huddle.toml sits in a folder any teammate can write. Were its `theme` a
path, a teammate could point every machine at any file on it (a FIFO that
never answers, a device that never ends). So a theme is a name, looked up
only in the shipped themes and the user's own themes folder (tui/themes.py),
and anything that looks like a path is refused with one line.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from huddle_tui.config.toml_reader import TomlReader

MAX_THEME_NAME = 64
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.+ -]*")


def theme_name_problem(name: str) -> str | None:
    """Why `name` cannot be a theme name (None when it can): a path, a separator, odd characters."""
    if "/" in name or "\\" in name or name.startswith("~") or ":" in name:
        return f"expected a theme name like huddle-dark (a shipped theme or one in your themes folder), " \
               f"not a path: {name!r}"
    if not _NAME.fullmatch(name) or ".." in name or len(name) > MAX_THEME_NAME:
        return (f"expected a theme name like huddle-dark: letters, digits, '-', '_', '.', at most "
                f"{MAX_THEME_NAME} characters, got {name!r}")
    return None


def read_theme(r: TomlReader, data: Mapping[str, Any], where: str) -> str | None:
    """The optional `theme` key of a table, checked to be a name (one line naming the key otherwise)."""
    value = r.str_(data, "theme", where)
    if value is None:
        return None
    problem = theme_name_problem(value)
    if problem is not None:
        raise r.fail(f"{where}.theme" if where else "theme", problem)
    return value
