"""Reading TOML strictly: every error is one line naming the file, the key and its line.

Config files and theme files are edited by hand; a mistake in one should say
exactly where it is, and an unknown key is a mistake (usually a typo).
"""

from __future__ import annotations

import marshal
import re
from collections.abc import Mapping
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from huddle_tui.errors import ConfigError

# tomllib is pure Python: a 200-member huddle.toml takes ~90 ms to parse, three times a bare
# interpreter's start, and importing tomllib alone (it compiles its regexes) costs more than
# reading a kept parse. So every file is parsed once per change (kept_parse), and tomllib is
# imported only then.
_TEMPORAL = {"date": date.fromisoformat, "datetime": datetime.fromisoformat, "time": time.fromisoformat}


class TomlReader:
    """Walks a parsed TOML document, checking keys and types as it goes."""

    def __init__(self, path: Path, text: str) -> None:
        """Remember the file so every error can name it (and a line, when found)."""
        self.path = path
        self.text = text

    def fail(self, key: str, problem: str) -> ConfigError:
        """Build the one-line error for `key` (a dotted path like members[1].name)."""
        line = self.line_of(key)
        where = f" (line {line})" if line else ""
        return ConfigError(f"{self.path}: {key}{where}: {problem}")

    def line_of(self, key: str) -> int | None:
        """Best-effort line of a dotted key: follow its [table] / [[array]] headers, then the key."""
        pos = 0
        parts = key.split(".")
        for part in parts[:-1]:
            name, _, index = part.partition("[")
            if index:
                headers = list(re.finditer(rf"^\s*\[\[\s*{re.escape(name)}\s*\]\]", self.text, re.M))
                n = int(index.rstrip("]"))
                if n >= len(headers):
                    return None
                pos = headers[n].end()
            else:
                header = re.compile(rf"^\s*\[\s*{re.escape(name)}\s*\]", re.M).search(self.text, pos)
                if header is not None:
                    pos = header.end()
        leaf = parts[-1].split("[", 1)[0]
        match = re.compile(rf"^\s*{re.escape(leaf)}\s*=", re.M).search(self.text, pos)
        return self.text.count("\n", 0, match.start()) + 1 if match else None

    def table(self, data: Any, where: str, allowed: set[str]) -> Mapping[str, Any]:
        """Check `data` is a table whose keys are all in `allowed`."""
        if not isinstance(data, dict):
            raise self.fail(where, f"expected a table, got {type(data).__name__}")
        for key in data:
            if key not in allowed:
                known = ", ".join(sorted(allowed))
                raise self.fail(f"{where}.{key}" if where else key, f"unknown key (known: {known})")
        return data

    def str_(self, data: Mapping[str, Any], key: str, where: str, default: str | None = None,
             choices: tuple[str, ...] | None = None) -> str | None:
        """Read an optional string, optionally one of `choices`."""
        value = data.get(key, default)
        if value is None:
            return None
        name = f"{where}.{key}" if where else key
        if not isinstance(value, str):
            raise self.fail(name, f"expected a string, got {kind_of(value)}")
        if "\x00" in value:
            raise self.fail(name, "NUL bytes are not allowed")
        if choices is not None and value not in choices:
            raise self.fail(name, f"expected one of {', '.join(choices)}, got {value!r}")
        return value

    def need_str(self, data: Mapping[str, Any], key: str, where: str) -> str:
        """Read a required, non-empty string."""
        value = self.str_(data, key, where)
        if not value or not value.strip():
            raise self.fail(f"{where}.{key}" if where else key, "expected a non-empty string")
        return value.strip()

    def bool_(self, data: Mapping[str, Any], key: str, where: str, default: bool) -> bool:
        """Read an optional boolean."""
        value = data.get(key, default)
        if not isinstance(value, bool):
            raise self.fail(f"{where}.{key}" if where else key,
                            f"expected true or false, got {kind_of(value)}")
        return value

    def date_(self, data: Mapping[str, Any], key: str, where: str) -> date | None:
        """Read an optional date (a TOML date or a YYYY-MM-DD string)."""
        value = data.get(key)
        if value is None:
            return None
        name = f"{where}.{key}"
        if isinstance(value, date) and not hasattr(value, "hour"):
            return value
        if isinstance(value, str):
            try:
                return date.fromisoformat(value)
            except ValueError:
                pass
        raise self.fail(name, f"expected a date like 2026-01-31, got {value!r}")

    def array(self, data: Mapping[str, Any], key: str, where: str) -> list[Any]:
        """Read an optional array."""
        value = data.get(key, [])
        if not isinstance(value, list):
            raise self.fail(f"{where}.{key}" if where else key, f"expected an array, got {kind_of(value)}")
        return value


def kind_of(value: Any) -> str:
    """Name a TOML value's type the way a person would."""
    return {bool: "a boolean", int: "an integer", float: "a number", str: "a string",
            list: "an array", dict: "a table"}.get(type(value), type(value).__name__)


def parse_toml(path: Path) -> tuple[dict[str, Any], str]:
    """Read and parse a TOML file, turning every failure into ConfigError."""
    text = read_text(path)
    return kept_parse(path, text), text


def read_text(path: Path) -> str:
    """A TOML file's text, every failure to read it as ConfigError.

    Read only as a regular file, never blocking: huddle.toml sits in a folder
    any teammate can write, where a FIFO in its place would hang every command.
    """
    from huddle_tui.storage.fileio import read_regular

    try:
        raw = read_regular(path)
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such file") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 text (byte {exc.start})") from None
    return text


def _loads(path: Path, text: str) -> dict[str, Any]:
    """tomllib.loads, its syntax errors as ConfigError (imported here: a kept parse never needs it)."""
    import tomllib

    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise syntax_error(str(path), text, exc) from None


_CONFLICT = re.compile(r"^(?:<{7}|={7}|>{7}|\|{7})(?: |$)", re.M)


def syntax_error(source: str, text: str, exc: Exception) -> ConfigError:
    """The one line for a file tomllib refused: a git merge left in it is named as one, with its line.

    A shared folder kept in git gets conflict markers in huddle.toml when two
    people edit it at once; "Invalid statement" would send them hunting for a
    typo instead of to the merge they have to finish.
    """
    marker = _CONFLICT.search(text)
    if marker is not None:
        line = text.count("\n", 0, marker.start()) + 1
        return ConfigError(f"{source} has unresolved merge conflict markers at line {line}: "
                           "resolve them (git mergetool) and save")
    return ConfigError(f"{source}: TOML syntax error: {exc}")


def kept_parse(path: Path, text: str) -> dict[str, Any]:
    """tomllib.loads(text), kept in the user's cache per file and reused while the text is the same.

    The cache holds the whole text beside the parse and is used only when the
    text read now equals it, so it can never answer for another file's
    content. A damaged or missing entry is parsed afresh; the cache is only
    a speed-up.
    """
    from huddle_tui import paths
    from huddle_tui.storage.stamps import checksum

    where = paths.cache_dir() / "toml" / f"{checksum(str(path.resolve()))}.marshal"
    try:
        kept_text, frozen = marshal.loads(where.read_bytes())
        if kept_text == text:
            return dict(_thaw(frozen))
    except (OSError, ValueError, EOFError, TypeError, KeyError):
        pass
    data = _loads(path, text)
    from huddle_tui.storage.fileio import PRIVATE_FILE, make_private_dir, write_atomic

    try:
        make_private_dir(where.parent)
        write_atomic(where, marshal.dumps((text, _freeze(data))), durable=False, mode=PRIVATE_FILE)
    except (OSError, ValueError):
        pass
    return data


def _freeze(value: Any) -> Any:
    """A parsed TOML value in marshal's types: dates and times as (kind, ISO text) tuples.

    tomllib gives arrays as lists and never a tuple, so a tuple always marks one.
    """
    if isinstance(value, dict):
        return {k: _freeze(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_freeze(v) for v in value]
    if isinstance(value, datetime):
        return ("datetime", value.isoformat())
    if isinstance(value, date):
        return ("date", value.isoformat())
    if isinstance(value, time):
        return ("time", value.isoformat())
    return value


def _thaw(value: Any) -> Any:
    """_freeze undone (TypeError or ValueError on anything tomllib could not have given)."""
    if isinstance(value, dict):
        return {k: _thaw(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_thaw(v) for v in value]
    if isinstance(value, tuple):
        kind, text = value
        return _TEMPORAL[kind](text)
    return value
