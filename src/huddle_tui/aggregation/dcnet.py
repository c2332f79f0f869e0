"""Free text as a DC-net: each text in a random slot of a fixed-width vector, collisions caught by a checksum.

Chaum's dining cryptographers, as secure aggregation carries it: a member
with an anonymous text writes it into a slot chosen at random and zeros
everywhere else; the masked sum of everyone's vectors then holds each text
in its slot, and nothing says whose it is. Two texts in one slot add up to
garbage, which the slot's checksum shows; their authors' machines see their
text missing from the day and tell them it was lost.

A slot is an integer lane of the vector (little-endian bytes, so its last
bytes are its top): kind (1 byte), length (2), body (`body_bytes`, zero
padded), checksum (8, BLAKE2b of kind and body), then 2 bytes of zeros, so
that the sum of up to 65,535 slots never carries into the next slot. The
vector is one integer modulo 2^(8 · slots · slot width), masked and summed
as a whole (contribution.py).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from typing import NamedTuple

from huddle_tui.aggregation.shamir import Random

CHECKSUM_BYTES = 8
HEADROOM_BYTES = 2
_HEAD = 3  # kind + length


class Text(NamedTuple):
    """One anonymous text: a kind (1–255, blocker, concern, … as the caller numbers them) and its bytes."""

    kind: int
    body: bytes


class TextLayout(NamedTuple):
    """How many slots a day's text vector has, and how many bytes of text each holds."""

    slots: int = 64
    body_bytes: int = 280

    @property
    def slot_bytes(self) -> int:
        """One slot's width: head, body, checksum and the zeros that stop a carry."""
        return _HEAD + self.body_bytes + CHECKSUM_BYTES + HEADROOM_BYTES

    @property
    def size(self) -> int:
        """The text vector's size in bytes."""
        return self.slots * self.slot_bytes

    @property
    def modulus(self) -> int:
        """The vector's modulus: every mask and sum of the text section is taken modulo it."""
        return 1 << (8 * self.size)


class Opened(NamedTuple):
    """A day's texts as decoded: the texts in a canonical order, and how many slots held a collision."""

    texts: tuple[Text, ...]
    collisions: int


def checksum(text: Text) -> bytes:
    """The slot checksum: a collision of two texts matches it with probability 2^-64."""
    return hashlib.blake2b(bytes([text.kind]) + text.body, digest_size=CHECKSUM_BYTES,
                           person=b"huddle-dcnet").digest()


def slot(text: Text, layout: TextLayout) -> bytes:
    """The bytes of one slot holding `text`."""
    if not 1 <= text.kind <= 255:
        raise ValueError("a text's kind is from 1 to 255")
    if len(text.body) > layout.body_bytes:
        raise ValueError(f"an anonymous text holds at most {layout.body_bytes} bytes")
    body = text.body.ljust(layout.body_bytes, b"\0")
    return (bytes([text.kind]) + len(text.body).to_bytes(2, "little") + body + checksum(text)
            + bytes(HEADROOM_BYTES))


def choose_slots(count: int, layout: TextLayout, rand: Random) -> list[int]:
    """`count` distinct slots, uniformly at random (so a member's texts never collide with each other)."""
    if count > layout.slots:
        raise ValueError("more texts than slots")
    free = list(range(layout.slots))
    chosen = []
    for _ in range(count):
        chosen.append(free.pop(_below(len(free), rand)))
    return chosen


def _below(n: int, rand: Random) -> int:
    """A uniform integer from 0 to n − 1 (rejection sampling, no modulo bias)."""
    limit = (1 << 32) - (1 << 32) % n
    while True:
        value = int.from_bytes(rand(4), "little")
        if value < limit:
            return value % n


def encode(texts: Sequence[Text], layout: TextLayout, rand: Random) -> int:
    """One member's text vector: each text in a random slot, zeros elsewhere (all zeros with no text)."""
    buffer = bytearray(layout.size)
    width = layout.slot_bytes
    for text, index in zip(texts, choose_slots(len(texts), layout, rand), strict=True):
        buffer[index * width:(index + 1) * width] = slot(text, layout)
    return int.from_bytes(buffer, "little")


def read_slot(data: bytes, layout: TextLayout) -> Text | None:
    """The text in one decoded slot, or None when it is not exactly one well-formed text (a collision)."""
    kind, length = data[0], int.from_bytes(data[1:3], "little")
    end = _HEAD + layout.body_bytes
    if kind == 0 or length > layout.body_bytes or any(data[end + CHECKSUM_BYTES:]):
        return None
    if any(data[_HEAD + length:end]):
        return None
    text = Text(kind, bytes(data[_HEAD:_HEAD + length]))
    return text if checksum(text) == data[end:end + CHECKSUM_BYTES] else None


def decode(total: int, layout: TextLayout) -> Opened:
    """The texts in a day's summed text vector, and the number of slots where texts collided.

    An empty slot is all zeros; any other slot that is not one well-formed
    text with its checksum is a collision (or a member who wrote garbage:
    the two look alike, which is the DC-net's known weakness). Texts come
    back sorted, so their order says nothing about their slots.
    """
    data = (total % layout.modulus).to_bytes(layout.size, "little")
    width = layout.slot_bytes
    texts, collisions = [], 0
    for index in range(layout.slots):
        chunk = data[index * width:(index + 1) * width]
        if not any(chunk):
            continue
        text = read_slot(chunk, layout)
        if text is None:
            collisions += 1
        else:
            texts.append(text)
    return Opened(tuple(sorted(texts)), collisions)


def to_send_again(sent: Iterable[Text], opened: Opened) -> list[Text]:
    """The texts a member sent that the opened day lacks (collided): lost, and their author's machine says so.

    (The integration reports them rather than sending them again: a second
    day's total would narrow their author; docs/aggregation.md.)
    """
    remaining = list(opened.texts)
    again = []
    for text in sent:
        if text in remaining:
            remaining.remove(text)
        else:
            again.append(text)
    return again
