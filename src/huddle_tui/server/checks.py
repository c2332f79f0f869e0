"""Checks on what a client sends, made before anything is parsed further or stored.

Each guards against a way Python's own parsing lets bad input through to a
500: `json` accepts NaN and Infinity, turns 1e400 into inf and recurses once
per nesting level (deep enough, RecursionError); `str.isdigit()` is true for
"²", which `int()` refuses; and a date shaped NNNN-NN-NN may be on no
calendar (2026-02-30), so turning it into a timestamp later fails.

A record is also held to what every store can keep and every reader accepts,
so both stores answer a request alike and neither keeps what clients would
set aside: a version fits PostgreSQL's integer column, no string holds U+0000
(PostgreSQL's text cannot), and the payload passes the rules each reader
applies to a record it reads from a folder (storage/validate.py), a private
one included (a shared copy of it is never read).
"""

from __future__ import annotations

import json
import math
import re
from datetime import date
from typing import Any

from huddle_tui.storage import validate
from huddle_tui.storage.envelope import Record

# A record nests about four levels (envelope, payload, a list, an item): 32 leaves room
# for payloads of later kinds and stays far below the interpreter's recursion limit.
MAX_DEPTH = 32
MAX_VERSION = 2**31 - 1  # PostgreSQL's integer; no record is edited two billion times
FIRST_YEAR, LAST_YEAR = 1970, 9998  # file times before 1970 or in year 9999 are not portable
_DIGITS = re.compile(r"[0-9]{1,15}\Z")  # ASCII only, and short enough to stay cheap
_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})\Z")
# A JSON string (skipped whole, so brackets inside it do not count) or one bracket.
_STRING_OR_BRACKET = re.compile(rb'"[^"\\]*+(?:\\.[^"\\]*+)*+"|[\[\]{}]', re.DOTALL)


class BadInput(ValueError):
    """Input the server refuses; the message is one line saying why."""


def whole_number(text: str | None, low: int, high: int) -> int | None:
    """`text` as an int from `low` to `high`, or None (ASCII digits only: "²" or "٣" are not numbers here)."""
    if text is None or not _DIGITS.match(text):
        return None
    value = int(text)
    return value if low <= value <= high else None


def is_calendar_date(text: object) -> bool:
    """Whether `text` is YYYY-MM-DD naming a real day from 1970 to 9998 (2026-02-30 is not one)."""
    match = _DATE.match(text) if isinstance(text, str) else None
    if match is None:
        return False
    year, month, day = (int(part) for part in match.groups())
    if not FIRST_YEAR <= year <= LAST_YEAR:
        return False
    try:
        date(year, month, day)
    except ValueError:
        return False
    return True


def nests_deeper_than(raw: bytes, limit: int) -> bool:
    """Whether JSON text nests arrays and objects more than `limit` deep, found without parsing it."""
    if raw.count(b"[") + raw.count(b"{") <= limit:
        return False  # the common case: too few brackets to be that deep, decided in C
    depth = 0
    for match in _STRING_OR_BRACKET.finditer(raw):
        token = match.group()
        if token in (b"[", b"{"):
            depth += 1
            if depth > limit:
                return True
        elif token in (b"]", b"}"):
            depth -= 1
    return False


def _refuse_constant(name: str) -> Any:
    """json's hook for NaN, Infinity and -Infinity: none of them is JSON."""
    raise BadInput(f"the body is not valid JSON ({name} is not a JSON number)")


def _finite_float(text: str) -> float:
    """json's hook for numbers with a fraction or exponent: 1e400 would become inf."""
    value = float(text)
    if not math.isfinite(value):
        raise BadInput(f"the body is not valid JSON ({text[:20]} is too large a number)")
    return value


def parse_json(raw: bytes, max_depth: int = MAX_DEPTH) -> Any:
    """Strict JSON from UTF-8 bytes: no NaN or Infinity, no overflowing numbers, bounded nesting."""
    if nests_deeper_than(raw, max_depth):
        raise BadInput(f"the body nests arrays and objects more than {max_depth} deep")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise BadInput("the body is not UTF-8 text") from None
    try:
        return json.loads(text, parse_constant=_refuse_constant, parse_float=_finite_float)
    except BadInput:
        raise
    except json.JSONDecodeError as exc:
        raise BadInput(f"the body is not valid JSON ({exc.msg} at character {exc.pos})") from None
    except RecursionError:  # not reached after the depth check; kept as a second line of defence
        raise BadInput(f"the body nests arrays and objects more than {max_depth} deep") from None
    except ValueError:  # an integer over Python's 4,300-digit limit
        raise BadInput("the body is not valid JSON (a number has too many digits)") from None


def nul_at(value: Any, where: str = "") -> str | None:
    """Where in parsed JSON the first string (or key) holding U+0000 is, as a dotted path, or None."""
    if isinstance(value, str):
        return (where or "the body") if "\x00" in value else None
    items: Any = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) \
        else ()
    for key, item in items:
        path = f"{where}.{key}" if where else str(key)
        if isinstance(key, str) and "\x00" in key:
            return f"a key in {where or 'the body'}"
        found = nul_at(item, path)
        if found is not None:
            return found
    return None


def body_refusal(raw: bytes, obj: Any) -> str | None:
    """Why a parsed PUT body holds what no store keeps (U+0000 in a string), naming where; else None."""
    if b"\\u0000" not in raw:  # JSON text can carry U+0000 only as this escape
        return None
    where = nul_at(obj)
    return None if where is None else f"{where} holds U+0000, which no text field may"


def record_refusal(record: Record) -> str | None:
    """Why no store keeps a well-formed record, or every reader sets it aside (naming the field); or None."""
    if record.version > MAX_VERSION:
        return f"version must be a whole number from 1 to {MAX_VERSION}"
    if record.payload.get("visibility") == "private":
        return "payload.visibility: a private record never leaves its machine"
    if not record.deleted:  # a tombstone's payload is never read
        reason = validate.problem(record.kind, record.payload)
        if reason is not None:
            return f"payload: {reason}"
    return None
