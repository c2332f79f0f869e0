"""The few libsodium operations secure aggregation is built from, each named for what it is used for.

- X25519 key agreement (crypto_scalarmult), hashed with both public keys
  as libsodium's documentation asks, for the pairwise masks and for the
  keys that carry shares from one member to another;
- XChaCha20-Poly1305 (crypto_aead_xchacha20poly1305_ietf) for the shares
  themselves, with the context they belong to as associated data;
- a ChaCha20 keystream (randombytes_buf_deterministic) as the PRG that
  expands a 32-byte seed into a mask of any length;
- BLAKE2b (hashlib, personalised) to derive seeds and keys.

Nothing here is new cryptography: each is the primitive's documented use.
PyNaCl is imported on first use, as storage/signature.py does.
"""

from __future__ import annotations

import hashlib
from typing import Any

from huddle_tui.aggregation.shamir import to_bytes

KEY_BYTES = 32
NONCE_BYTES = 24
TAG_BYTES = 16
_nacl: Any = None  # (nacl.bindings, nacl.utils) once used


def _sodium() -> Any:
    """libsodium's bindings and utils, imported on first use."""
    global _nacl
    if _nacl is None:
        import nacl.bindings
        import nacl.utils

        _nacl = (nacl.bindings, nacl.utils)
    return _nacl


def derive(purpose: bytes, *parts: bytes, size: int = KEY_BYTES) -> bytes:
    """A key or seed for one `purpose` from `parts` (BLAKE2b, personalised, parts length-prefixed)."""
    h = hashlib.blake2b(digest_size=size, person=purpose[:16])
    for part in parts:
        h.update(len(part).to_bytes(4, "little"))
        h.update(part)
    return h.digest()


def public_key(secret: bytes) -> bytes:
    """The X25519 public key of a 32-byte secret."""
    bindings, _ = _sodium()
    return bytes(bindings.crypto_scalarmult_base(secret))


def day_secret(seed: int) -> bytes:
    """A day's X25519 masking secret from its seed (a field element, so the seed can be Shamir-shared)."""
    return derive(b"huddle-day-key", to_bytes(seed))


def valid_public_key(key: bytes) -> bool:
    """Whether `key` is an X25519 public key agreement can use (32 bytes, not a low-order point)."""
    if len(key) != KEY_BYTES:
        return False
    bindings, _ = _sodium()
    try:
        bindings.crypto_scalarmult(b"\x01" * KEY_BYTES, key)
    except Exception:  # libsodium refuses a result of all zeros: a low-order point
        return False
    return True


def pair_key(purpose: bytes, secret: bytes, mine: bytes, theirs: bytes) -> bytes:
    """The key two members share (a pairwise mask's): X25519, hashed with both public keys, lower first.

    Both ends derive the same key; as libsodium's documentation asks, the
    raw X25519 output is never used as a key itself.
    """
    first, second = sorted((mine, theirs))
    return derive(purpose, _x25519(secret, theirs), first, second)


def directed_key(purpose: bytes, secret: bytes, theirs: bytes, sender: bytes, recipient: bytes) -> bytes:
    """The key for messages from `sender` to `recipient` (either end can derive it; the reverse differs)."""
    return derive(purpose, _x25519(secret, theirs), sender, recipient)


def _x25519(secret: bytes, theirs: bytes) -> bytes:
    """Raw X25519 (ValueError for a low-order public key, which libsodium refuses)."""
    bindings, _ = _sodium()
    try:
        return bytes(bindings.crypto_scalarmult(secret, theirs))
    except Exception as exc:
        raise ValueError("not a usable X25519 public key") from exc


def stream(seed: bytes, size: int) -> bytes:
    """`size` pseudorandom bytes from a 32-byte seed: the ChaCha20 keystream libsodium's PRG gives."""
    _, utils = _sodium()
    return bytes(utils.randombytes_deterministic(size, seed))


def seal(key: bytes, nonce: bytes, message: bytes, context: bytes) -> bytes:
    """`message` encrypted and authenticated under `key`, bound to `context` (XChaCha20-Poly1305)."""
    bindings, _ = _sodium()
    return bytes(bindings.crypto_aead_xchacha20poly1305_ietf_encrypt(message, context, nonce, key))


def unseal(key: bytes, nonce: bytes, sealed: bytes, context: bytes) -> bytes:
    """The message of `seal`, or ValueError when the key, the context or a byte of it is wrong."""
    bindings, _ = _sodium()
    try:
        return bytes(bindings.crypto_aead_xchacha20poly1305_ietf_decrypt(sealed, context, nonce, key))
    except Exception as exc:  # nacl.exceptions.CryptoError
        raise ValueError("the shares do not open (not for this member, or altered)") from exc
