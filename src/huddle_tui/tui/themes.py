"""Themes are data: TOML files that become `textual.theme.Theme` objects.

The shipped ones live in the `huddle_tui.themes` package (the repository's
`themes/` folder); a person adds their own in `paths.user_themes_dir()`, where
a file may also replace a shipped theme of the same name. A broken file is
reported by name and skipped, never a crash. A theme is wanted by name only
(config/theme_name.py), and every theme file is read as a regular file
without blocking: a FIFO in a themes folder is skipped as broken, never waited on.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any, NamedTuple

from textual.color import Color, ColorParseError
from textual.theme import Theme

from huddle_tui import paths
from huddle_tui.config.theme_name import theme_name_problem
from huddle_tui.config.toml_reader import TomlReader, kind_of, syntax_error
from huddle_tui.errors import ConfigError
from huddle_tui.storage.fileio import read_regular

DEFAULT_THEME = "huddle-dark"
COLOURS = ("primary", "secondary", "warning", "error", "success", "accent", "foreground",
           "background", "surface", "panel", "boost")
KEYS = {"name", "dark", "luminosity_spread", "text_alpha", "variables", *COLOURS}


class ThemeLoadResult(NamedTuple):
    """Themes that loaded, and (file, problem) for each that did not."""

    loaded: list[Theme]
    failed: list[tuple[str, str]]


ThemeError = ConfigError
"""A theme file that cannot become a Theme: the one-line error names the file, key and line."""


def parse_theme(text: str, source: str = "theme", data: dict[str, Any] | None = None) -> Theme:
    """Turn one theme file's text (or its parse, when given) into a Theme, checked as strictly as configs."""
    r = TomlReader(Path(source), text)
    if data is None:
        import tomllib

        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise syntax_error(source, text, exc) from None
    r.table(data, "", KEYS)
    name = r.need_str(data, "name", "").strip()
    if data.get("primary") is None:
        raise r.fail("primary", "a theme needs a primary colour")
    colours = {key: _colour(r, key, data) for key in COLOURS}
    dark = r.bool_(data, "dark", "", True)
    variables = r.table(data.get("variables", {}), "variables", set(data.get("variables", {}) or ()))
    for key, value in variables.items():
        if not isinstance(value, str):
            raise r.fail(f"variables.{key}", f"expected a string, got {kind_of(value)}")
    spread, alpha = _number(r, data, "luminosity_spread", 0.15), _number(r, data, "text_alpha", 0.95)
    return Theme(name=name, primary=colours["primary"] or "", secondary=colours["secondary"],
                 warning=colours["warning"], error=colours["error"], success=colours["success"],
                 accent=colours["accent"], foreground=colours["foreground"],
                 background=colours["background"], surface=colours["surface"], panel=colours["panel"],
                 boost=colours["boost"], dark=dark, luminosity_spread=spread, text_alpha=alpha,
                 variables=dict(variables))


def _colour(r: TomlReader, key: str, data: dict[str, Any]) -> str | None:
    """One colour value, checked to be something Textual can parse."""
    value = r.str_(data, key, "")
    if value is None:
        return None
    try:
        Color.parse(value)
    except ColorParseError:
        raise r.fail(key, f"not a colour: {value!r}") from None
    return value


def _number(r: TomlReader, data: dict[str, Any], key: str, default: float) -> float:
    """A number (not a boolean), or the default when absent."""
    value = data.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise r.fail(key, f"expected a number, got {kind_of(value)}")
    return float(value)


def _shipped_dir() -> Path:
    """The folder of the themes that ship inside the package (a plain folder: the package is installed)."""
    from importlib import import_module

    return Path(next(iter(import_module("huddle_tui.themes").__path__)))


def _read(path: Path) -> str:
    """A theme file's text, read only as a regular file and never blocking (OSError otherwise)."""
    return read_regular(path).decode("utf-8")


def _shipped() -> Iterable[tuple[str, str]]:
    """(file name, text or problem) of every theme that ships inside the package."""
    for entry in sorted(_shipped_dir().glob("*.toml"), key=lambda e: e.name):
        try:
            yield entry.name, _read(entry)
        except (OSError, UnicodeDecodeError) as exc:
            yield entry.name, f"\x00{exc}"


def _user(folder: Path) -> Iterable[tuple[str, str]]:
    """(path, text or problem) of every theme file the user added."""
    if not folder.is_dir():
        return
    for path in sorted(folder.glob("*.toml")):
        try:
            yield str(path), _read(path)
        except (OSError, UnicodeDecodeError) as exc:
            yield str(path), f"\x00{exc}"


def quick_theme(name: str, user_dir: Path | None = None) -> Theme | None:
    """The named shipped theme alone, when no user theme could replace it; else None.

    Parsing every theme file costs the first paint a few milliseconds, so the
    app starts with just the one it shows (its parse kept like the configs')
    and registers the rest right after.
    """
    from huddle_tui.config.toml_reader import kept_parse

    if theme_name_problem(name) is not None:
        return None  # not a name: never a file to open
    folder = user_dir or paths.user_themes_dir()
    if folder.is_dir() and any(folder.glob("*.toml")):
        return None
    entry = _shipped_dir() / f"{name}.toml"
    try:
        text = _read(entry)
        theme = parse_theme(text, entry.name, kept_parse(entry, text))
    except (OSError, UnicodeDecodeError, ConfigError):
        return None
    return theme if theme.name == name else None


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
            theme = parse_theme(text, source)
        except ConfigError as exc:
            result.failed.append((source, exc.message.removeprefix(f"{source}: ")))
            continue
        by_name[theme.name] = theme
    result.loaded.extend(by_name.values())
    return result
