"""The checked TeamConfig of a huddle.toml, kept in the user's cache while the file's text is the same.

Every command reads the team config. Even with its TOML parse kept
(toml_reader.kept_parse), a 200-member config is checked and converted
member by member on every command, several times what the command's own
work costs. So the converted TeamConfig is kept too, in marshal's types, and
used only when the text read now, the paths it was read by and the code that
checked it are all the same as when it was kept. Anything else (another
text, a moved file, an upgrade, a damaged entry) checks the file afresh. The
cache is only a speed-up: deleting it changes nothing but time.
"""

from __future__ import annotations

import marshal
import os
import sys
import zlib
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

from huddle_tui.storage.stamps import checksum, fingerprint, remember_fingerprint

KEPT_FORMAT = 1
_MAGIC = f"huddle-team {KEPT_FORMAT} py{sys.version_info[0]}.{sys.version_info[1]}\n".encode()
# The modules whose code checks a config or computes its kept fingerprint: a change to any of them
# checks every config afresh.
CHECKERS = ("huddle_tui.config.team", "huddle_tui.config.pairs", "huddle_tui.config.toml_reader",
            "huddle_tui.text", "huddle_tui.storage.stamps", "huddle_tui.storage.canonical", __name__)
_new = tuple.__new__
_day = date.fromordinal
_T = TypeVar("_T")
Types = dict[str, Any]


def load(path: Path, text: str, check: Callable[[Path, str], _T], types: tuple[type[Any], ...]) -> _T:
    """What `check(path, text)` gives, from the cache when it was kept for exactly this.

    `types` are the NamedTuple classes a config is made of (its own first);
    "Member" and "AwayRange" among them are kept as flat rows.
    """
    from huddle_tui import paths

    resolved = path.resolve()
    where = paths.cache_dir() / "team" / f"{checksum(str(resolved))}.marshal"
    wanted = (_code_stamp(), str(path), str(resolved), str(path.parent.resolve()), text)
    named: Types = {t.__name__: t for t in types}
    kind: type[_T] = types[0]
    try:
        team, print_ = _read(where, wanted, named, kind)
    except (OSError, ValueError, EOFError, TypeError, KeyError, IndexError):
        pass
    else:
        remember_fingerprint(team, print_)
        return team
    team = check(path, text)
    frozen = freeze(team, named)
    if frozen is not None and thaw(frozen, named) == team:  # only what comes back whole is kept
        print_ = fingerprint(team)  # canonical (stamps.py): what any process computes for an equal team
        remember_fingerprint(team, print_)
        blob = marshal.dumps((wanted, frozen, print_))
        from huddle_tui.storage.fileio import write_atomic

        try:
            where.parent.mkdir(parents=True, exist_ok=True)
            write_atomic(where, _MAGIC + zlib.crc32(blob).to_bytes(4, "big") + blob, durable=False,
                         mode=0o600)
        except (OSError, ValueError):
            pass
    return team


def _read(where: Path, wanted: tuple[Any, ...], types: Types, kind: type[_T]) -> tuple[_T, str]:
    """The kept config and its fingerprint when kept for `wanted` (KeyError when not)."""
    with open(where, "rb") as f:
        data = f.read()
    head = len(_MAGIC)
    blob = memoryview(data)[head + 4:]
    if not data.startswith(_MAGIC) or zlib.crc32(blob) != int.from_bytes(data[head:head + 4], "big"):
        raise KeyError(where)
    kept, frozen, print_ = marshal.loads(blob)
    if kept != wanted or not isinstance(print_, str):
        raise KeyError(where)
    team = thaw(frozen, types)
    if not isinstance(team, kind):
        raise TypeError("not a team config")
    return team, print_


def _code_stamp() -> tuple[Any, ...]:
    """The version and the checking code's files as installed: a change to either checks afresh."""
    from huddle_tui import __version__

    stamp: list[Any] = [__version__]
    for name in CHECKERS:
        try:
            st = os.stat(_source(name))
            stamp += [st.st_size, st.st_mtime_ns]
        except (OSError, TypeError, KeyError, IndexError):
            stamp.append(None)
    return tuple(stamp)


def _source(name: str) -> str:
    """A checking module's file, whether or not it is imported yet.

    storage/canonical.py is imported only when a fingerprint is computed; its
    file is found beside its package's, so the stamp is the same either way.
    """
    module = sys.modules.get(name)
    if module is not None:
        return str(module.__file__)
    package, _, leaf = name.rpartition(".")
    return os.path.join(sys.modules[package].__path__[0], f"{leaf}.py")


def freeze(value: Any, types: Types) -> Any:
    """A config value in marshal's types, tagged so thaw() can rebuild it (None for anything else).

    Members, the bulk of a big team's config, are flat rows; every other value
    is a (tag, …) tuple. Sets are sorted, so the kept bytes are the same in
    every process (a frozenset's order is not).
    """
    try:
        return _freeze(value, types)
    except TypeError:
        return None


def _freeze(value: Any, types: Types) -> Any:
    """freeze()'s walk: TypeError on a value it cannot keep."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    kind = type(value)
    if kind is types.get("Member"):
        return ("m", value.name, value.handle, value.timezone,
                None if value.joined is None else _ordinal(value.joined),
                tuple((_ordinal(a.start), _ordinal(a.end)) for a in value.away),
                value.pairs, tuple(_freeze(i, types) for i in value.interests))
    if kind is types.get(kind.__name__):
        return ("n", kind.__name__, tuple(_freeze(v, types) for v in value))
    if kind is tuple:
        return ("t", tuple(_freeze(v, types) for v in value))
    if kind is frozenset:
        return ("s", tuple(sorted((_freeze(v, types) for v in value), key=repr)))
    if kind is date:
        return ("d", _ordinal(value))
    if isinstance(value, Path) and kind is type(Path()):
        return ("p", str(value))
    raise TypeError(f"cannot keep a {type(value).__name__}")


def _ordinal(day: Any) -> int:
    """A plain date's ordinal (a datetime is not kept: it would come back a date)."""
    if type(day) is not date:
        raise TypeError("not a plain date")
    return int(day.toordinal())


def thaw(value: Any, types: Types) -> Any:
    """freeze() undone (TypeError, ValueError or KeyError on anything it could not have given)."""
    if value.__class__ is not tuple:
        return value
    tag = value[0]
    if tag == "m":
        _, name, handle, timezone, joined, away, pairs, interests = value
        span = types["AwayRange"]
        return _new(types["Member"], (name, handle, timezone, None if joined is None else _day(joined),
                                      tuple([_new(span, (_day(a), _day(b))) for a, b in away]),
                                      pairs, tuple(interests)))
    if tag == "n":
        kind = types[value[1]]
        if len(value[2]) != len(kind._fields):
            raise ValueError(f"{value[1]} kept with other fields")
        return _new(kind, tuple([thaw(v, types) for v in value[2]]))
    if tag == "t":
        return tuple([thaw(v, types) for v in value[1]])
    if tag == "s":
        return frozenset(thaw(v, types) for v in value[1])
    if tag == "d":
        return _day(value[1])
    if tag == "p":
        return Path(value[1])
    raise ValueError(f"unknown tag {tag!r}")
