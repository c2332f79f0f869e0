"""A signature or key verifies only in its one spelling: a file changed in unused bits is damage."""

from __future__ import annotations

import base64
import string

import pytest
from hypothesis import given
from hypothesis import strategies as st

from huddle_tui.errors import CorruptRecord
from huddle_tui.storage import envelope
from huddle_tui.storage.signature import SigningKey, b64, new_seed, unb64, verify

ALPHABET = string.ascii_uppercase + string.ascii_lowercase + string.digits + "-_"


def respelled(text: str) -> str:
    """The same bytes written otherwise: the last character with its lowest (unused) bit flipped."""
    return text[:-1] + ALPHABET[ALPHABET.index(text[-1]) ^ 1]


def test_a_signature_respelled_in_its_unused_bits_is_refused() -> None:
    """Flipping bits no byte holds leaves the decoded signature equal, and the file still refused."""
    key = SigningKey(new_seed())
    record, data = envelope.encode("checkin", "a1f0c3d2-0000-5000-8000-000000000001", 1, "2026-10-30",
                                   "2026-11-26T09:00:00.000000Z", {"member": "Ana", "mood": 3}, key=key)
    assert envelope.decode(data) == record
    forged = data.replace(record.signature.encode(), respelled(record.signature).encode())
    assert forged != data
    with pytest.raises(CorruptRecord, match="signature does not match"):
        envelope.decode(forged)


def test_a_key_respelled_in_its_unused_bits_verifies_nothing() -> None:
    """A public key's other spelling names no key: nothing verifies against it."""
    key = SigningKey(new_seed())
    body = b'{"a":1}'
    signature = key.sign(body)
    assert verify(key.public, signature, body)
    assert not verify(respelled(key.public), signature, body)


@given(st.binary(max_size=96))
def test_b64_is_base64url_unpadded(data: bytes) -> None:
    """Keys and signatures are spelled as base64.urlsafe_b64encode does, padding dropped, and read back."""
    spelled = b64(data)
    assert spelled == base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")
    assert unb64(spelled) == data
