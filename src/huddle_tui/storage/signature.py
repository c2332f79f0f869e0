"""Ed25519 signatures over record bodies: who wrote a record, provable to anyone holding the file.

A shared folder lets every teammate write any file, so a record's claim to
be a member's is worth only the signature of a key that member holds. Each
machine has its own signing key (kept in its data folder, 0600, never
synced); records it writes carry the key's public half in their body and a
signature over the body's exact bytes beside it (envelope.py). Anonymous
records get a one-time key instead, derived from this machine's anonymity
secret and bound to the record's id, so only the machine that made one can
change it and nothing links it to anyone.

PyNaCl (libsodium) does the cryptography: it verifies about twice as fast
as `cryptography` here, and a cold read verifies every file once. Both cost
~16 ms to import, so it is imported on the first signature made or checked,
never by a read that the index answers.
"""

from __future__ import annotations

import binascii
import os
import re
from pathlib import Path
from typing import Any

from huddle_tui.model.ids import as_uuid

PUBLIC_CHARS = 43  # an Ed25519 public key (32 bytes) in unpadded base64url
SIGNATURE_CHARS = 86  # an Ed25519 signature (64 bytes) in unpadded base64url
SEED_BYTES = 32
_B64URL = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
_TO_STANDARD = bytes.maketrans(b"-_", b"+/")
_TO_URL = bytes.maketrans(b"+/", b"-_")
_NOT_URL = re.compile(rb"[+/=]")  # the standard alphabet's own characters, and padding: not base64url
_nacl: Any = None  # nacl.bindings once a signature is made or checked
# Signers' public keys as bytes, by their text: a history has a few signers and many records.
_KEYS: dict[str, bytes] = {}
# The last of a signature's 86 characters carries its 512th and 511th bits and four unused ones,
# which must be zero: only these four characters end one. Any other last character would decode to
# the same bytes, so a file changed there would verify unchanged (checked before decoding: cheap).
_SIGNATURE_LAST = frozenset("AQgw")
_KEYS_KEPT = 4096  # one-time keys of anonymous records are many: the cache is emptied past this


def _bindings() -> Any:
    """libsodium's bindings, imported on first use."""
    global _nacl
    if _nacl is None:
        import nacl.bindings

        _nacl = nacl.bindings
    return _nacl


def b64(data: bytes) -> str:
    """Unpadded base64url: what keys and signatures look like in a record.

    base64.urlsafe_b64encode's own steps, by binascii: a check-in signs once,
    and importing base64 (with struct) cost more than the signature.
    """
    return binascii.b2a_base64(data, newline=False).translate(_TO_URL).rstrip(b"=").decode("ascii")


def unb64(text: str) -> bytes:
    """The bytes of unpadded base64url text (ValueError when it is not)."""
    if not set(text) <= _B64URL:
        raise ValueError("not base64url")
    import base64

    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def is_public_key(text: object) -> bool:
    """Whether a value is shaped like a public key in a record (43 base64url characters).

    A key already verified against (the same few signers, file after file) is one.
    """
    if text.__class__ is not str:
        return False
    assert isinstance(text, str)
    return text in _KEYS or (len(text) == PUBLIC_CHARS and set(text) <= _B64URL)


def _strict_unb64(text: str) -> bytes:
    """unb64() at C speed, for the many signatures a cold read checks (ValueError when not base64url).

    binascii's strict mode refuses any character outside the alphabet (the
    lenient decoders skip them), once the URL-safe characters are mapped to
    the standard ones and those are refused where they stand in `text`.
    """
    raw = text.encode("ascii")  # UnicodeEncodeError is a ValueError
    if _NOT_URL.search(raw) is not None:
        raise ValueError("not base64url")
    return binascii.a2b_base64(raw.translate(_TO_STANDARD) + b"=" * (-len(raw) % 4), strict_mode=True)


def verify(public: str, signature: str, body: bytes) -> bool:
    """Whether `signature` is `public`'s Ed25519 signature of exactly `body`.

    A cold read verifies every file: each signer's key is decoded once, and
    the signature with binascii, so that little but libsodium's own check
    (~50–70 µs) is left per file.
    """
    key = _KEYS.get(public)
    try:
        if key is None:
            key = _strict_unb64(public)
            if b64(key) != public:  # the one spelling of these bytes: no other text is the same key
                return False
            if len(key) != 32:
                return False
            if len(_KEYS) >= _KEYS_KEPT:
                _KEYS.clear()
            _KEYS[public] = key
        if signature[-1:] not in _SIGNATURE_LAST:  # its unused low bits set: another text, same bytes
            return False
        sig = _strict_unb64(signature)
    except ValueError:
        return False
    if len(sig) != 64:
        return False
    nacl = _bindings()
    try:
        nacl.crypto_sign_open(sig + body, key)
    except Exception:  # nacl.exceptions.BadSignatureError, or a key that is no curve point
        return False
    return True


def verify_all(signed: list[tuple[str, str, bytes]]) -> list[bool]:
    """verify() of each (public, signature, body), in order: a cold read's folder, on its own thread.

    libsodium runs without the GIL (cffi releases it), so this thread checks
    one folder's signatures while the reading thread parses the next.
    """
    return [verify(public, signature, body) for public, signature, body in signed]


class SigningKey:
    """An Ed25519 key pair that signs record bodies."""

    def __init__(self, seed: bytes) -> None:
        """The key pair a 32-byte seed determines (the same seed, the same key, on any machine)."""
        if len(seed) != SEED_BYTES:
            raise ValueError("an Ed25519 seed is 32 bytes")
        public, secret = _bindings().crypto_sign_seed_keypair(seed)
        self._secret = secret
        self.public = b64(public)

    def sign(self, body: bytes) -> str:
        """The signature of `body`, as a record carries it."""
        signed = _bindings().crypto_sign(body, self._secret)
        return b64(signed[:64])

    def agreement_secret(self) -> bytes:
        """This key's X25519 secret, for opening what was sealed to `agreement_public(self.public)`.

        libsodium's documented conversion (crypto_sign_ed25519_sk_to_curve25519):
        a member's sealed records then need no second key to publish, pin and
        confirm, and trust in the signing key is trust in the sealing key.
        """
        return bytes(_bindings().crypto_sign_ed25519_sk_to_curve25519(self._secret))

    def __repr__(self) -> str:
        """Name the public half only: a secret never reaches a log or a traceback."""
        return f"SigningKey(public={self.public!r})"


def agreement_public(public: str) -> bytes | None:
    """The X25519 public key of a member's Ed25519 key (crypto_sign_ed25519_pk_to_curve25519), or None."""
    try:
        return bytes(_bindings().crypto_sign_ed25519_pk_to_curve25519(_strict_unb64(public)))
    except Exception:  # not 32 bytes, or not a point on the curve: nobody can be sealed to it
        return None


def fingerprint(public: str) -> str:
    """A key's fingerprint as people read it aloud on a call: 30 digits in six groups of five.

    Like Signal's safety numbers: digits survive a bad line better than hex,
    and 30 of them (about 100 bits) are more than anyone can forge a match for.
    """
    import hashlib

    digest = hashlib.sha256(b"huddle key fingerprint\x1f" + public.encode("ascii")).digest()
    groups = [int.from_bytes(digest[i:i + 5], "big") % 100000 for i in range(0, 30, 5)]
    return " ".join(f"{g:05d}" for g in groups)


def anonymous_key(secret: bytes, material: str) -> SigningKey:
    """A one-time key for one anonymous record, derived from this machine's anonymity secret.

    The same member, date and secret give the same key, so a second anonymous
    check-in signs its new version with the key of the first; without the
    secret nobody can derive it, or tell whose it is.
    """
    import hashlib
    import hmac

    seed = hmac.new(secret, b"huddle record key\x1f" + material.encode(), hashlib.sha256).digest()
    return SigningKey(seed)


def id_for_key(public: str) -> str:
    """The record id an anonymous record signed by `public` must have (a UUID 4 derived from the key).

    Binding the id to the key means no one but the key's holder can write any
    version of that record, not even a "first" version before the real one.
    """
    import hashlib

    digest = hashlib.sha256(b"huddle anonymous record\x1f" + public.encode("ascii")).digest()
    return as_uuid(digest, 4)


def new_seed() -> bytes:
    """A fresh random seed for a machine's signing key."""
    return os.urandom(SEED_BYTES)


def load_machine_key(path: Path) -> SigningKey:
    """This machine's signing key, kept at `path` (0600 in a 0700 folder) and made on first use."""
    from huddle_tui.storage.localkey import kept_secret

    return SigningKey(kept_secret(path)[:SEED_BYTES])
