"""Duplicate keys in a record's JSON: `{"mood":5,"mood":1}` is a damaged record, not the last value.

Python's json keeps the last of two equal keys without a word, so a file
could show one reader one value and another reader (any other JSON library)
the other. A body with a key twice, in the envelope or at any depth of the
payload, is refused like a checksum that does not match.

The check runs on every cold read, so it is in two steps. Every string in
the text, key or value, has two unescaped quotes, and a quote inside a string
is escaped with one more (``\\"``), so the body holds at least twice as many
``"`` as it has strings, however it is spaced. A repeated key drops a pair,
and with it at least its key, from the parsed data: when the parsed data
still holds exactly half as many strings (keys and string values) as the body
holds quotes, nothing was dropped. That is every body this app writes whose
text holds no quote; only for the others is the body parsed again with a hook
that sees every pair.
"""

from __future__ import annotations

import json
from operator import countOf
from typing import Any

from huddle_tui.errors import CorruptRecord


def refuse_duplicate_keys(body: bytes, obj: Any, braces: int = -1, strings: int = -1) -> None:
    """Raise CorruptRecord if the JSON text `body`, parsed as `obj`, names a key twice in one object.

    `braces` is how many ``{`` the body holds, and `strings` how many strings
    `obj` holds (shape()), when the caller has counted them already.
    """
    if strings < 0:
        strings = strings_in(obj, body.count(b"{") if braces < 0 else braces)
    if body.count(b'"') == 2 * strings:
        return
    repeated = _first_repeat(body)
    if repeated is not None:
        raise CorruptRecord(f"duplicate key {repeated[:40]!r} in the record's JSON")


def strings_in(obj: Any, braces: int = -1) -> int:
    """How many strings parsed JSON data holds, keys and values, all depths together.

    A record whose body has two ``{`` (`braces`), the envelope's and the
    payload's, holds no other object, and its count needs no walk. (A string
    in a list is left out there: a count too low only takes the slow way.)
    """
    if braces == 2 and obj.__class__ is dict:
        payload = obj.get("payload")
        if payload.__class__ is dict:
            return (len(obj) + len(payload) + countOf(map(type, obj.values()), str)
                    + countOf(map(type, payload.values()), str))
    return shape(obj)[0]


def shape(obj: Any, deepest: int = 1 << 30) -> tuple[int, int]:
    """How many strings JSON data holds (keys and values) and how many containers deep it nests.

    One walk, a level at a time, answers both: a record with nested objects
    needs both (its duplicate keys and its depth), and each walk of a big
    payload (a round of 200 turns) costs as much as parsing it. The walk stops
    once the depth passes `deepest` (the count is then partial).
    """
    count = 0
    depth = 0
    level = [obj]
    while level and depth <= deepest:
        depth += 1
        below = []
        for value in level:
            if value.__class__ is dict:
                count += len(value)
                value = value.values()
            elif value.__class__ is not list:
                count += value.__class__ is str
                continue
            for item in value:
                kind = item.__class__
                if kind is str:
                    count += 1
                elif kind is dict or kind is list:
                    below.append(item)
        level = below
    return count, depth


class _Repeated(Exception):
    """A key seen twice in one object (carries the key)."""


def _pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """An object from its pairs, or _Repeated if two of them share a key."""
    made = dict(pairs)
    if len(made) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise _Repeated(key)
            seen.add(key)
    return made


def _first_repeat(body: bytes) -> str | None:
    """The first key found twice in one object of `body` (already known to be valid JSON), or None."""
    try:
        json.loads(body, object_pairs_hook=_pairs)
    except _Repeated as found:
        return str(found.args[0])
    return None
