"""Themes are data: TOML files that become `textual.theme.Theme` objects.

The shipped ones live in the `huddle_tui.themes` package (the repository's
`themes/` folder); a person adds their own in `paths.user_themes_dir()`, where
a file may also replace a shipped theme of the same name. A broken file is
reported by name and skipped, never a crash.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from importlib import resources
from pathlib import Path
from typing import Any, NamedTuple

from textual.color import Color, ColorParseError
from textual.theme import Theme

from huddle_tui import paths

DEFAULT_THEME = "huddle-dark"
COLOURS = ("primary", "secondary", "warning", "error", "success", "accent", "foreground",
           "background", "surface", "panel", "boost")
KEYS = {"name", "dark", "luminosity_spread", "text_alpha", "variables", *COLOURS}


class ThemeLoadResult(NamedTuple):
    """Themes that loaded, and (file, problem) for each that did not."""

    loaded: list[Theme]
    failed: list[tuple[str, str]]


class ThemeError(ValueError):
    """A theme file that cannot become a Theme; the message says why in one line."""


def parse_theme(text: str) -> Theme:
    """Turn one theme file's text into a Theme, checking every key and colour."""
    try:
        data: dict[str, Any] = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ThemeError(f"TOML syntax error: {exc}") from None
    unknown = sorted(set(data) - KEYS)
    if unknown:
        raise ThemeError(f"unknown key {unknown[0]!r} (known: {', '.join(sorted(KEYS))})")
    name, primary = data.get("name"), data.get("primary")
    if not isinstance(name, str) or not name.strip():
        raise ThemeError("name: expected a non-empty string")
    if primary is None:
        raise ThemeError("primary: a theme needs a primary colour")
    colours = {key: _colour(key, data[key]) if data.get(key) is not None else None for key in COLOURS}
    dark = data.get("dark", True)
    if not isinstance(dark, bool):
        raise ThemeError("dark: expected true or false")
    variables = data.get("variables", {})
    if not isinstance(variables, dict) or not all(isinstance(v, str) for v in variables.values()):
        raise ThemeError("variables: expected a table of strings")
    spread = data.get("luminosity_spread", 0.15)
    alpha = data.get("text_alpha", 0.95)
    if not all(isinstance(x, int | float) and not isinstance(x, bool) for x in (spread, alpha)):
        raise ThemeError("luminosity_spread and text_alpha: expected numbers")
    return Theme(name=name.strip(), primary=colours["primary"] or "", secondary=colours["secondary"],
                 warning=colours["warning"], error=colours["error"], success=colours["success"],
                 accent=colours["accent"], foreground=colours["foreground"],
                 background=colours["background"], surface=colours["surface"], panel=colours["panel"],
                 boost=colours["boost"], dark=dark, luminosity_spread=float(spread),
                 text_alpha=float(alpha), variables=dict(variables))


def _colour(key: str, value: object) -> str:
    """Check one colour value is something Textual can parse."""
    if not isinstance(value, str):
        raise ThemeError(f"{key}: expected a colour string like \"#4EA1FF\"")
    try:
        Color.parse(value)
    except ColorParseError:
        raise ThemeError(f"{key}: not a colour: {value!r}") from None
    return value


def _shipped() -> Iterable[tuple[str, str]]:
    """(file name, text) of every theme that ships inside the package."""
    folder = resources.files("huddle_tui.themes")
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".toml"):
            yield entry.name, entry.read_text("utf-8")


def _user(folder: Path) -> Iterable[tuple[str, str]]:
    """(path, text or problem) of every theme file the user added."""
    if not folder.is_dir():
        return
    for path in sorted(folder.glob("*.toml")):
        try:
            yield str(path), path.read_text("utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            yield str(path), f"\x00{exc}"


def load_themes(user_dir: Path | None = None) -> ThemeLoadResult:
    """Every shipped theme, then the user's (a user theme replaces a shipped one of its name)."""
    result = ThemeLoadResult([], [])
    by_name: dict[str, Theme] = {}
    sources = [*_shipped(), *_user(user_dir or paths.user_themes_dir())]
    for source, text in sources:
        if text.startswith("\x00"):
            result.failed.append((source, f"cannot be read ({text[1:]})"))
            continue
        try:
            theme = parse_theme(text)
        except ThemeError as exc:
            result.failed.append((source, str(exc)))
            continue
        by_name[theme.name] = theme
    result.loaded.extend(by_name.values())
    return result
