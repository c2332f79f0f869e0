"""Reading aggregation records back: every value checked for its type and size, since the folder is untrusted.

Each reader turns a payload's base64url text back into bytes and field
elements here; anything malformed is a ValueError or TypeError, which the
record classes turn into CorruptRecord naming the record.
"""

from __future__ import annotations

import binascii
from datetime import date
from typing import Any

from huddle_tui.aggregation import primitives
from huddle_tui.aggregation.shamir import ELEMENT_BYTES, from_bytes, to_bytes
from huddle_tui.storage.signature import b64

_TO_STANDARD = str.maketrans("-_", "+/")
MALFORMED = (KeyError, TypeError, ValueError, AttributeError)
"""What reading a malformed payload raises."""


def items(value: Any) -> list[tuple[Any, Any]]:
    """A JSON object's items (TypeError when it is not one)."""
    if not isinstance(value, dict):
        raise TypeError("an object was expected")
    return list(value.items())


def sized(value: Any, size: int) -> bytes:
    """Base64url text of exactly `size` bytes.

    Decoded by binascii with strict validation rather than by checking each
    character in Python: a contribution's sealed shares are tens of KB.
    """
    if value.__class__ is not str:
        raise TypeError("base64url text was expected")
    if not value.isascii() or "+" in value or "/" in value or "=" in value:
        raise ValueError("not base64url")
    try:
        data = binascii.a2b_base64((value.translate(_TO_STANDARD) + "=" * (-len(value) % 4)).encode(),
                                   strict_mode=True)
    except binascii.Error as exc:
        raise ValueError("not base64url") from exc
    if len(data) != size:
        raise ValueError(f"{size} bytes were expected")
    return data


def x25519_key(value: Any) -> bytes:
    """A usable X25519 public key in base64url."""
    data = sized(value, primitives.KEY_BYTES)
    if not primitives.valid_public_key(data):
        raise ValueError("not a usable X25519 public key")
    return data


def iso_day(value: Any) -> str:
    """An ISO date, as records date things."""
    if value.__class__ is not str:
        raise TypeError("a date was expected")
    return date.fromisoformat(value).isoformat()


def name(value: Any) -> str:
    """A member's name."""
    if value.__class__ is not str or not value:
        raise TypeError("a member's name was expected")
    return str(value)


def whole(value: Any) -> int:
    """A JSON integer (never a boolean)."""
    if value.__class__ is not int:
        raise TypeError("a whole number was expected")
    return int(value)


def element(value: Any) -> int:
    """A field element written as base64url."""
    return from_bytes(sized(value, ELEMENT_BYTES))


def write_element(value: int) -> str:
    """A field element as base64url (43 characters)."""
    return b64(to_bytes(value))


def context(kind: str, *parts: str) -> bytes:
    """What a sealed share belongs to, bound in as associated data so it cannot be moved elsewhere."""
    return "\x1f".join(("huddle aggregation", kind, *parts)).encode()
