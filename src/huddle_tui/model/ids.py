"""Record ids: stable ones every machine derives alike, random ones that say nothing.

Named records get ids derived from what they are about, so a second check-in
by the same member on the same date is a new version of the same record on
every machine; anonymous ones get random ids and carry no author.
"""

from __future__ import annotations

import os

_NAMESPACE = bytes.fromhex("8c0b3f7e2d5e4f559a376f1f4a1c2b10")


def as_uuid(raw: bytes, version: int) -> str:
    """Format 16 bytes as an RFC 4122 UUID string of `version` (uuid itself is slow to import)."""
    b = bytearray(raw[:16])
    b[6] = (b[6] & 0x0F) | (version << 4)
    b[8] = (b[8] & 0x3F) | 0x80
    h = b.hex()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def named_id(kind: str, *parts: str) -> str:
    """A stable id (UUID 5) every machine derives alike, e.g. one check-in per member per date."""
    import hashlib  # only writers need ids; reading `huddle next` stays free of OpenSSL

    name = "\x1f".join((kind, *(p.casefold() for p in parts))).encode()
    return as_uuid(hashlib.sha1(_NAMESPACE + name).digest(), 5)


def random_id() -> str:
    """A fresh random id (UUID 4) that says nothing about who made it."""
    return as_uuid(os.urandom(16), 4)
