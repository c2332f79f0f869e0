"""The canonical JSON of a config value, and the one fingerprint computed from it.

Caches keyed on the team config (derived answers, report months, the kept
TeamConfig) must find the same key in every process. A repr does not give
it: a frozenset's repr follows hash order, which changes with PYTHONHASHSEED,
so three runs gave three keys. Here a value is written as JSON with sorted
keys and no spaces, every set as its items sorted and every non-JSON type
tagged, and the key is that text's SHA-256. Only imported when a key is
computed (storage/stamps.py remembers keys), so json and hashlib stay off the
lobby's first frame.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date, datetime
from pathlib import PurePath
from typing import Any


def canonical_fingerprint(value: object) -> str:
    """The SHA-256 (hex) of the value's canonical JSON: equal for an equal config in every run."""
    return hashlib.sha256(canonical_json(value).encode("utf-8")).hexdigest()


def canonical_json(value: object) -> str:
    """One JSON text for one value, whatever the hash seed (TypeError for a type it cannot write).

    A tuple, NamedTuples included, is the list of its items, written by json's
    C encoder: a NamedTuple's type fixes what each position holds, and equal
    configs are equal tuples. _tagged() writes the rest.
    """
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False,
                      default=_tagged)


def _tagged(value: Any) -> object:
    """A set, date, datetime or path as JSON data: sets sorted by their items' canonical JSON, all tagged.

    The tags keep a date apart from its ISO text and a set apart from a list
    (a config holds no dicts to confuse them with). Anything else is a
    TypeError rather than a key that might differ between runs.
    """
    if isinstance(value, frozenset | set):
        return {"$set": sorted(value, key=canonical_json)}
    if isinstance(value, datetime):
        return {"$datetime": value.isoformat()}
    if isinstance(value, date):
        return {"$date": value.isoformat()}
    if isinstance(value, PurePath):
        return {"$path": str(value)}
    raise TypeError(f"no canonical JSON for a {type(value).__name__}")
