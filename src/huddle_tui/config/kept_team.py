"""The checked TeamConfig of a huddle.toml, kept in its shared folder's cache while its text is the same.

Every command reads the team config. Even with its TOML parse kept
(toml_reader.kept_parse), a 200-member config is checked and converted
member by member on every command, several times what the command's own
work costs. So the converted TeamConfig is kept too, as an answer of the
cache of the folder the file sits in (storage/cache.py), in marshal's types,
and used only when the text read now, the paths it was read by and the code
that checked it are all the same as when it was kept: they are its key.
Anything else (another text, a moved file, an upgrade, a damaged row)
checks the file afresh. The cache is only a speed-up.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

from huddle_tui.storage.stamps import fingerprint, remember_fingerprint

TEAM = "team"  # the answer's name in the cache
# The modules whose code checks a config or computes its kept fingerprint: a change to any of them
# checks every config afresh.
CHECKERS = ("huddle_tui.config.team", "huddle_tui.config.pairs", "huddle_tui.config.circles",
            "huddle_tui.config.theme_name",
            "huddle_tui.config.toml_reader", "huddle_tui.text", "huddle_tui.model.teamday",
            "huddle_tui.storage.stamps", "huddle_tui.storage.canonical", __name__)
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
    from huddle_tui.storage import derived
    from huddle_tui.storage.cache import cache_for

    folder = path.parent.resolve()
    cache = cache_for(paths.index_dir(), folder)
    key = derived.Key([_code_stamp(), str(path), str(path.resolve()), str(folder), text], True)
    named: Types = {t.__name__: t for t in types}
    kind: type[_T] = types[0]
    kept = derived.load(cache, TEAM, key)
    try:
        frozen, print_ = kept
        team = thaw(frozen, named)
        if isinstance(team, kind) and isinstance(print_, str):
            remember_fingerprint(team, print_)
            return team
    except (ValueError, TypeError, KeyError, IndexError):
        pass
    team = check(path, text)
    frozen = freeze(team, named)
    if frozen is not None and thaw(frozen, named) == team:  # only what comes back whole is kept
        print_ = fingerprint(team)  # canonical (stamps.py): what any process computes for an equal team
        remember_fingerprint(team, print_)
        derived.keep(cache, TEAM, key, (frozen, print_))
    return team


def _code_stamp() -> list[Any]:
    """The version and the checking code's files as installed: a change to either checks afresh."""
    from huddle_tui import __version__

    stamp: list[Any] = [__version__]
    for name in CHECKERS:
        try:
            st = os.stat(_source(name))
            stamp += [st.st_size, st.st_mtime_ns]
        except (OSError, TypeError, KeyError, IndexError):
            stamp.append(None)
    return stamp


def _source(name: str) -> str:
    """A checking module's file, whether or not it is imported yet.

    storage/canonical.py is imported only when a fingerprint is computed (and
    model/teamday.py may not be yet); a module's file is found under huddle_tui's
    folder by its name, so the stamp is the same either way.
    """
    module = sys.modules.get(name)
    if module is not None:
        return str(module.__file__)
    root, *parts = name.split(".")
    return os.path.join(sys.modules[root].__path__[0], *parts[:-1], f"{parts[-1]}.py")


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
                value.pairs, tuple(_freeze(i, types) for i in value.interests), value.circles, value.group)
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
        _, name, handle, timezone, joined, away, pairs, interests, circles, group = value
        span = types["AwayRange"]
        return _new(types["Member"], (name, handle, timezone, None if joined is None else _day(joined),
                                      tuple([_new(span, (_day(a), _day(b))) for a, b in away]),
                                      pairs, tuple(interests), circles, group))
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
