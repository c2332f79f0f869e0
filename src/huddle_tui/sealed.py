"""What a room records, sealed to the keys of the people in it: nobody else, the folder included, reads it.

A circle's note goes to the shared folder, git and the endpoint like any
record; anyone can see that it exists, who wrote it, for which circle and
when — never what it says. It is sealed as age or libsodium's sealed boxes
do for many recipients, from the primitives the aggregation package already
uses (aggregation/primitives.py, aggregation/keys.py), nothing new:

- the text, padded to a multiple of PAD bytes (ISO/IEC 7816-4, as libsodium's
  sodium_pad) so its length says little, is encrypted once under a fresh
  random content key with XChaCha20-Poly1305;
- the content key is sealed to each recipient's X25519 key from a fresh
  ephemeral X25519 key (keys.seal_to: key agreement hashed with both public
  keys, then XChaCha20-Poly1305), one small box per recipient key;
- every box and the text are bound, as associated data, to the record they
  belong to (team, round, circle, author, record id): nothing can be moved
  into another record and opened there.

A recipient key is a member's trusted signing key (Ed25519, pinned or
confirmed as rules/authorship.py says) turned into its X25519 form by
libsodium's documented conversion (storage/signature.agreement_public).
Using one key pair for Ed25519 signatures and X25519 key agreement is
analysed as safe (Thormarker, "On using the same key pair for Ed25519 and
an X25519 based KEM", 2021) and is what age does for ssh-ed25519 keys; it
means a sealed note needs no second key published, trusted and confirmed,
and a key nobody trusts as a member's is never sealed to. Who may read is
fixed when the note is written: the circle's members on the roster then,
each by every key this machine trusts as theirs. A member removed from the
roster later keeps what was sealed to them, and nothing after.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping
from typing import Any, NamedTuple

from huddle_tui.aggregation import primitives
from huddle_tui.aggregation.keys import ShareKey, open_from, seal_to
from huddle_tui.errors import CorruptRecord
from huddle_tui.storage.signature import b64, unb64

PAD = 256
MAX_TEXT_BYTES = 4096
MAX_RECIPIENTS = 64  # 6 members with up to ten machines each, and room to spare
WRAPPED_BYTES = primitives.KEY_BYTES + primitives.TAG_BYTES
Random = Callable[[int], bytes]


class Sealed(NamedTuple):
    """A text sealed to some X25519 keys: the ephemeral key, two nonces, one box per key, the text."""

    ephemeral: bytes
    key_nonce: bytes
    nonce: bytes
    boxes: Mapping[str, bytes]  # recipient's X25519 public key (base64url) -> the content key sealed to it
    text: bytes

    def to_payload(self) -> dict[str, Any]:
        """The sealed text as record data."""
        return {"ephemeral": b64(self.ephemeral), "key_nonce": b64(self.key_nonce), "nonce": b64(self.nonce),
                "boxes": {k: b64(v) for k, v in sorted(self.boxes.items())}, "text": b64(self.text)}

    @classmethod
    def from_payload(cls, data: Any) -> Sealed:
        """Read it back from record data (CorruptRecord when any part is malformed)."""
        try:
            boxes = data["boxes"]
            if boxes.__class__ is not dict or not 1 <= len(boxes) <= MAX_RECIPIENTS:
                raise ValueError("boxes")
            for recipient in boxes:
                _sized(recipient, primitives.KEY_BYTES)
            found = cls(_sized(data["ephemeral"], primitives.KEY_BYTES),
                        _sized(data["key_nonce"], primitives.NONCE_BYTES),
                        _sized(data["nonce"], primitives.NONCE_BYTES),
                        {str(k): _sized(v, WRAPPED_BYTES) for k, v in boxes.items()},
                        unb64(_text(data["text"])))
        except (KeyError, TypeError, ValueError) as exc:
            raise CorruptRecord(f"a sealed text that cannot be read: {exc}") from None
        body = len(found.text) - primitives.TAG_BYTES
        if body <= 0 or body % PAD or body > MAX_TEXT_BYTES + PAD:
            raise CorruptRecord("a sealed text of the wrong length")
        return found


def _text(value: Any) -> str:
    """A string, or TypeError."""
    if value.__class__ is not str:
        raise TypeError("expected base64url text")
    return str(value)


def _sized(value: Any, size: int) -> bytes:
    """Base64url text of exactly `size` bytes, or ValueError."""
    raw = unb64(_text(value))
    if len(raw) != size:
        raise ValueError(f"expected {size} bytes")
    return raw


def pad(message: bytes) -> bytes:
    """ISO/IEC 7816-4 padding to a multiple of PAD: 0x80, then zeros."""
    padded = message + b"\x80"
    return padded + b"\x00" * (-len(padded) % PAD)


def unpad(padded: bytes) -> bytes:
    """The message pad() was given (ValueError when the padding is not its)."""
    end = padded.rstrip(b"\x00")
    if not end.endswith(b"\x80") or len(padded) % PAD:
        raise ValueError("bad padding")
    return end[:-1]


def seal_text(text: str, recipients: Iterable[bytes], context: bytes, rand: Random = os.urandom) -> Sealed:
    """`text` sealed so that the holder of any of the X25519 keys `recipients` (and nobody else) opens it."""
    message = text.encode("utf-8")
    if len(message) > MAX_TEXT_BYTES:
        raise ValueError(f"at most {MAX_TEXT_BYTES} bytes of text")
    keys = sorted(set(recipients))
    if not keys or len(keys) > MAX_RECIPIENTS:
        raise ValueError(f"1 to {MAX_RECIPIENTS} recipient keys")
    content = rand(primitives.KEY_BYTES)
    key_nonce, nonce = rand(primitives.NONCE_BYTES), rand(primitives.NONCE_BYTES)
    ephemeral = ShareKey.new(rand)
    boxes = {b64(r): seal_to(ephemeral, r, key_nonce, content, context) for r in keys}
    body = primitives.seal(content, nonce, pad(message), context)
    return Sealed(ephemeral.public, key_nonce, nonce, boxes, body)


def open_text(sealed: Sealed, secret: bytes, context: bytes) -> str | None:
    """The text, for the holder of the X25519 `secret` it was sealed to; None for anyone else."""
    me = ShareKey(secret, primitives.public_key(secret))
    box = sealed.boxes.get(b64(me.public))
    if box is None:
        return None
    try:
        content = open_from(me, sealed.ephemeral, sealed.key_nonce, box, context)
        return unpad(primitives.unseal(content, sealed.nonce, sealed.text, context)).decode("utf-8")
    except ValueError:  # altered, moved from another record, or not for this key after all
        return None


def recipient_keys(members: Iterable[str], trusted: Mapping[str, str], roster: Iterable[str],
                   to_x25519: Callable[[str], bytes | None]) -> tuple[list[bytes], list[str]]:
    """The X25519 keys of every trusted key of each member still on the roster; members with none.

    `trusted` maps a signing key to the folded member it is trusted for
    (rules/authorship.py); `members` are display names, `roster` folded names.
    """
    on_roster = set(roster)
    keys: list[bytes] = []
    missing: list[str] = []
    for name in members:
        folded = name.casefold()
        if folded not in on_roster:
            continue
        converted = (to_x25519(signer) for signer, member in sorted(trusted.items()) if member == folded)
        theirs = [k for k in converted if k is not None]
        if theirs:
            keys += theirs
        else:
            missing.append(name)
    return keys, missing
