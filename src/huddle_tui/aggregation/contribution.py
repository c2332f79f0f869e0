"""A member's masked contribution for one day: their answer (or zeros) hidden by masks that cancel in the sum.

For each section, member u writes

    y_u = x_u + r_u + Σ_v ±m_uv

where x_u is the answer's section (layout.py), r_u a fresh self-mask and
m_uv the pairwise mask from the day keys of u and v (the sign is + when
u's day key sorts below v's, so m_uv and m_vu cancel in the sum). Every
member who checks in writes one, of one size: a named or private check-in
writes zeros, and a masked zero looks like any masked answer.

The self-masks are Shamir-shared, sealed to each holder's share key, in
the contribution itself, so the day can be opened without its author. A
numeric section's self-mask is a field element shared as it is (shares of
several members add up, so only the day's sum of self-masks, or a pooled
week's, is ever rebuilt); the text section's is a PRG stream from a shared
seed, and so is the takeaway section's (its own seed: opening the texts
opens nothing of the takeaways). A replacement (a member changing their answer before the day opens)
is a new contribution with new self-masks: the day's list names exactly
one of them, and no self-mask of another is ever revealed, so the
difference of two versions stays masked.

A contribution written before the takeaway section existed reads back with
`takeaways` None and six sealed self-mask shares instead of seven; it sums
with the others in every section but that one.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from huddle_tui.aggregation import dcnet, primitives, wire
from huddle_tui.aggregation.dcnet import TextLayout
from huddle_tui.aggregation.keys import DayKeys, ShareKey, open_from, seal_to, threshold
from huddle_tui.aggregation.layout import (
    BEFORE_TAKEAWAYS,
    NUMERIC,
    SECTIONS,
    TAKEAWAY_LAYOUT,
    TAKEAWAYS,
    TEXTS,
    Answer,
    lanes_of,
    pack,
)
from huddle_tui.aggregation.shamir import (
    ELEMENT_BYTES,
    PRIME,
    Random,
    element,
    from_bytes,
    random_element,
    split,
    to_bytes,
)
from huddle_tui.errors import CorruptRecord
from huddle_tui.storage.signature import b64


def sealed_masks_bytes(sections: tuple[str, ...] = SECTIONS) -> int:
    """The size of one holder's sealed shares of a contribution's self-masks (one per section)."""
    return len(sections) * ELEMENT_BYTES + primitives.TAG_BYTES


SEALED_MASKS_BYTES = sealed_masks_bytes()
_NUMERIC_STREAM = 64 * len(NUMERIC)


def keys_digest(day: str, roster: Mapping[str, DayKeys]) -> str:
    """What names the day's key roster: its members and their day keys (every contribution masks with it)."""
    lines = [f"{m}={b64(roster[m].days[day])}" for m in sorted(roster)]
    return hashlib.sha256("\n".join([day, *lines]).encode()).hexdigest()


def pair_masks(day: str, secret: bytes, mine: bytes, theirs: bytes,
               layout: TextLayout) -> tuple[list[int], int]:
    """The pairwise masks two members' day keys give for `day`: one per numeric section, and the text one.

    One key agreement per pair and day; either member (or anyone who
    rebuilt either's day key) derives the same masks.
    """
    key = primitives.pair_key(b"huddle-mask", secret, mine, theirs)
    return numeric_masks(key, day), text_mask(key, day, layout)


def numeric_masks(key: bytes, day: str) -> list[int]:
    """The pair's masks of the numeric sections, from the pair's key (a short PRG stream)."""
    data = primitives.stream(primitives.derive(b"huddle-mask-num", key, day.encode()), _NUMERIC_STREAM)
    return [element(data[i:i + 64]) for i in range(0, _NUMERIC_STREAM, 64)]


def text_mask(key: bytes, day: str, layout: TextLayout) -> int:
    """The pair's mask of the text section (a reader derives it only when the day's texts open)."""
    data = primitives.stream(primitives.derive(b"huddle-mask-text", key, day.encode()), layout.size)
    return int.from_bytes(data, "little")


def text_self_mask(seed: int, day: str, layout: TextLayout) -> int:
    """The text section's self-mask: a PRG stream from the (shared) seed."""
    seed_bytes = primitives.derive(b"huddle-self-text", to_bytes(seed), day.encode())
    data = primitives.stream(seed_bytes, layout.size)
    return int.from_bytes(data, "little")


def takeaway_mask(key: bytes, day: str) -> int:
    """The pair's mask of the takeaway section (derived only when the day's takeaways open)."""
    data = primitives.stream(primitives.derive(b"huddle-mask-takeaway", key, day.encode()),
                             TAKEAWAY_LAYOUT.size)
    return int.from_bytes(data, "little")


def takeaway_self_mask(seed: int, day: str) -> int:
    """The takeaway section's self-mask: a PRG stream from its own (shared) seed."""
    seed_bytes = primitives.derive(b"huddle-self-takeaway", to_bytes(seed), day.encode())
    return int.from_bytes(primitives.stream(seed_bytes, TAKEAWAY_LAYOUT.size), "little")


def sign(mine: bytes, theirs: bytes) -> int:
    """+1 when my day key sorts below theirs, else −1: the pair's two masks cancel."""
    return 1 if mine < theirs else -1


@dataclass(frozen=True)
class Contribution:
    """One member's masked contribution for one day, with every holder's sealed shares of its self-masks."""

    member: str
    day: str
    keys: str
    holders: tuple[str, ...]
    threshold: int
    numeric: tuple[int, ...]
    texts: bytes
    share_key: bytes
    nonce: bytes
    shares: Mapping[str, bytes]
    takeaways: bytes | None = None
    """The masked takeaway vector (None: written before the section existed)."""

    @property
    def sections(self) -> tuple[str, ...]:
        """The sections this contribution carries, in the order its sealed shares hold their self-masks."""
        return SECTIONS if self.takeaways is not None else BEFORE_TAKEAWAYS

    @cached_property
    def digest(self) -> str:
        """What names this contribution (this version of it) in the day's list."""
        body = json.dumps(self.to_payload(), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(body.encode()).hexdigest()

    def self_mask_shares(self, me: str, key: ShareKey) -> dict[str, int]:
        """`me`'s shares of this contribution's self-masks, by section (ValueError when not mine)."""
        opened = open_from(key, self.share_key, self.nonce, self.shares[me],
                           wire.context("masks", self.member, me, self.day))
        return {section: from_bytes(opened[i * ELEMENT_BYTES:(i + 1) * ELEMENT_BYTES])
                for i, section in enumerate(self.sections)}

    def to_payload(self) -> dict[str, Any]:
        """The contribution as record data, for the caller to sign (one size for all of a day's roster).

        The sealed shares are one base64 string, in the holders' order: one
        decode per contribution, not one per holder, keeps a cold read fast.
        """
        payload: dict[str, Any] = {
            "member": self.member,
            "day": self.day,
            "keys": self.keys,
            "holders": list(self.holders),
            "threshold": self.threshold,
            "numeric": [wire.write_element(v) for v in self.numeric],
            "texts": b64(self.texts),
            "share_key": b64(self.share_key),
            "nonce": b64(self.nonce),
            "shares": b64(b"".join(self.shares[m] for m in self.holders)),
        }
        if self.takeaways is not None:
            payload["takeaways"] = b64(self.takeaways)
        return payload

    @classmethod
    def from_payload(cls, payload: Mapping[str, Any], layout: TextLayout) -> Contribution:
        """A contribution read back from a record (CorruptRecord when any part is malformed)."""
        try:
            holders = tuple(wire.name(m) for m in payload["holders"])
            numeric = tuple(wire.element(v) for v in payload["numeric"])
            takeaways = None
            if "takeaways" in payload:
                takeaways = wire.sized(payload["takeaways"], TAKEAWAY_LAYOUT.size)
            size = sealed_masks_bytes(SECTIONS if takeaways is not None else BEFORE_TAKEAWAYS)
            blob = wire.sized(payload["shares"], len(holders) * size)
            shares = {m: blob[i * size:(i + 1) * size] for i, m in enumerate(holders)}
            keys = payload["keys"]
            if keys.__class__ is not str or len(keys) != 64:
                raise ValueError("keys digest")
            made = cls(wire.name(payload["member"]), wire.iso_day(payload["day"]), keys, holders,
                       wire.whole(payload["threshold"]), numeric,
                       wire.sized(payload["texts"], layout.size), wire.x25519_key(payload["share_key"]),
                       wire.sized(payload["nonce"], primitives.NONCE_BYTES), shares, takeaways)
        except wire.MALFORMED as exc:
            raise CorruptRecord(f"contribution: {exc}") from exc
        if (len(numeric) != len(NUMERIC) or list(holders) != sorted(set(holders))
                or set(shares) != set(holders) or made.member not in holders
                or made.threshold != threshold(len(holders))):
            raise CorruptRecord("contribution: sections, holders or threshold do not fit")
        return made


def contribute(member: str, day: str, answer: Answer, roster: Mapping[str, DayKeys], seed: int, key: ShareKey,
               layout: TextLayout, rand: Random) -> Contribution:
    """`member`'s masked contribution for `day`: `answer` (an empty Answer for a named or private check-in).

    `roster` is the day's key roster: every member whose published day keys
    cover `day` (`member` among them), as this machine trusts them; `seed`
    is `member`'s seed for the day, `key` their share key. Costs one key
    agreement and one PRG stream per teammate.
    """
    if member not in roster or any(day not in keys.days for keys in roster.values()):
        raise ValueError("the roster must hold this member and every member's key for the day")
    secret = primitives.day_secret(seed)
    mine = primitives.public_key(secret)
    if roster[member].days[day] != mine or roster[member].share_key != key.public:
        raise ValueError("the seed or share key is not the one this member published")
    lanes = lanes_of(answer)
    numeric = [pack(lanes[section]) for section in NUMERIC]
    texts = dcnet.encode(answer.texts, layout, rand)
    takeaways = dcnet.encode((answer.takeaway,) if answer.takeaway is not None else (), TAKEAWAY_LAYOUT, rand)
    self_masks = {section: random_element(rand) for section in SECTIONS}
    numeric = [(x + self_masks[s]) % PRIME for x, s in zip(numeric, NUMERIC, strict=True)]
    texts += text_self_mask(self_masks[TEXTS], day, layout)
    takeaways += takeaway_self_mask(self_masks[TAKEAWAYS], day)
    for other, keys in roster.items():
        if other == member:
            continue
        theirs = keys.days[day]
        pair = primitives.pair_key(b"huddle-mask", secret, mine, theirs)
        s = sign(mine, theirs)
        numeric = [(y + s * m) % PRIME for y, m in zip(numeric, numeric_masks(pair, day), strict=True)]
        texts += s * text_mask(pair, day, layout)
        takeaways += s * takeaway_mask(pair, day)
    holders = tuple(sorted(roster))
    t = threshold(len(holders))
    split_masks = {section: split(self_masks[section], t, holders, rand) for section in SECTIONS}
    nonce = rand(primitives.NONCE_BYTES)
    shares = {}
    for holder in holders:
        message = b"".join(to_bytes(split_masks[section][holder]) for section in SECTIONS)
        shares[holder] = seal_to(key, roster[holder].share_key, nonce, message,
                                 wire.context("masks", member, holder, day))
    return Contribution(member, day, keys_digest(day, roster), holders, t, tuple(numeric),
                        (texts % layout.modulus).to_bytes(layout.size, "little"), key.public, nonce, shares,
                        (takeaways % TAKEAWAY_LAYOUT.modulus).to_bytes(TAKEAWAY_LAYOUT.size, "little"))

