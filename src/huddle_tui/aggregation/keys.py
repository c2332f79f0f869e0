"""Each member's key material: a share key, and day keys published ahead in batches with their seeds' shares.

- The **share key** (X25519) receives the shares teammates send: a
  contribution's self-mask shares and a batch's day-seed shares are sealed
  to each holder's share key (primitives.directed_key, XChaCha20-Poly1305).
- A **day key** (X25519) masks one day only. Its secret comes from a seed
  (a field element), and the seed is Shamir-shared among the team when the
  key is published, ahead of the day, so that if its member never
  contributes that day, t teammates can rebuild it and take the member's
  pairwise masks out of the day's sum. Rebuilding one day's key says
  nothing about any other day's: each is fresh.

A batch (`DayKeys`) is published as a record signed by its member's
signing key (the caller signs `to_payload()`), before the first day it
covers; a reader uses only batches whose signature it trusts.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple

from huddle_tui.aggregation import primitives, wire
from huddle_tui.aggregation.shamir import (
    ELEMENT_BYTES,
    Random,
    from_bytes,
    random_element,
    split,
    to_bytes,
)
from huddle_tui.errors import CorruptRecord
from huddle_tui.storage.signature import b64

SEALED_SEED_BYTES = ELEMENT_BYTES + primitives.TAG_BYTES


def threshold(holders: int) -> int:
    """t for a day with `holders` members holding shares: more than two thirds of them.

    With t > 2n/3, two conflicting lists of a day cannot both gather t
    honest endorsements unless more than a third of the team colludes
    (docs/aggregation.md, "The threshold"); n − t members may drop out.
    """
    if holders < 1:
        raise ValueError("a day needs at least one member with a day key")
    return holders * 2 // 3 + 1


class ShareKey(NamedTuple):
    """A member's X25519 key pair for receiving shares (the secret stays on their machine)."""

    secret: bytes
    public: bytes

    @classmethod
    def new(cls, rand: Random) -> ShareKey:
        """A fresh share key."""
        secret = rand(primitives.KEY_BYTES)
        return cls(secret, primitives.public_key(secret))

    def __repr__(self) -> str:
        """Name the public half only: a secret never reaches a log."""
        return f"ShareKey(public={b64(self.public)!r})"


def seal_to(sender: ShareKey, recipient: bytes, nonce: bytes, message: bytes, context: bytes) -> bytes:
    """`message` sealed from `sender` to the holder of the share key `recipient`."""
    key = primitives.directed_key(b"huddle-shares", sender.secret, recipient, sender.public, recipient)
    return primitives.seal(key, nonce, message, context)


def open_from(me: ShareKey, sender: bytes, nonce: bytes, sealed: bytes, context: bytes) -> bytes:
    """A message `sender` sealed to `me` (ValueError when it is not for me or was altered)."""
    key = primitives.directed_key(b"huddle-shares", me.secret, sender, sender, me.public)
    return primitives.unseal(key, nonce, sealed, context)


@dataclass(frozen=True)
class DayKeys:
    """A member's published day keys for some days, with every holder's sealed share of each day's seed."""

    member: str
    share_key: bytes
    threshold: int
    nonce: bytes
    days: Mapping[str, bytes]
    shares: Mapping[str, Mapping[str, bytes]]

    @property
    def holders(self) -> tuple[str, ...]:
        """The members who hold a share of these days' seeds."""
        first = next(iter(self.shares.values()), {})
        return tuple(sorted(first))

    def seed_share(self, day: str, me: str, key: ShareKey) -> int:
        """`me`'s share of this member's seed for `day` (KeyError when I hold none)."""
        sealed = self.shares[day][me]
        context = wire.context("seed", self.member, me, day)
        opened = open_from(key, self.share_key, self.nonce, sealed, context)
        return from_bytes(opened)

    def to_payload(self) -> dict[str, Any]:
        """The batch as record data, for the caller to sign and publish."""
        return {
            "member": self.member,
            "share_key": b64(self.share_key),
            "threshold": self.threshold,
            "nonce": b64(self.nonce),
            "days": {day: b64(key) for day, key in sorted(self.days.items())},
            "shares": {day: {m: b64(s) for m, s in sorted(by.items())}
                       for day, by in sorted(self.shares.items())},
        }

    @classmethod
    def from_payload(cls, payload: Mapping[str, Any]) -> DayKeys:
        """A batch read back from a record (CorruptRecord when any part is malformed)."""
        try:
            member = wire.name(payload["member"])
            threshold_ = wire.whole(payload["threshold"])
            share_key = wire.x25519_key(payload["share_key"])
            nonce = wire.sized(payload["nonce"], primitives.NONCE_BYTES)
            days = {wire.iso_day(d): wire.x25519_key(k) for d, k in wire.items(payload["days"])}
            shares = {wire.iso_day(d): {wire.name(m): wire.sized(s, SEALED_SEED_BYTES)
                                        for m, s in wire.items(by)}
                      for d, by in wire.items(payload["shares"])}
        except wire.MALFORMED as exc:
            raise CorruptRecord(f"day keys: {exc}") from exc
        holder_sets = {frozenset(by) for by in shares.values()}
        if set(shares) != set(days) or len(holder_sets) != 1 or member not in next(iter(holder_sets)):
            raise CorruptRecord("day keys: every day must be shared among the same holders, its member one")
        if threshold_ != threshold(len(next(iter(holder_sets)))):
            raise CorruptRecord("day keys: a threshold that does not fit the holders")
        return cls(member, share_key, threshold_, nonce, days, shares)


def make_day_keys(member: str, key: ShareKey, days: Iterable[str], holders: Mapping[str, bytes],
                  rand: Random) -> tuple[dict[str, int], DayKeys]:
    """Fresh day keys for `days`: the seeds this machine keeps, and the batch it publishes.

    `holders` maps each teammate to their published share key; the member
    is a holder too. Each day's seed is split so that threshold(holders)
    of them rebuild it.
    """
    holders = {**holders, member: key.public}
    t = threshold(len(holders))
    nonce = rand(primitives.NONCE_BYTES)
    seeds: dict[str, int] = {}
    publics: dict[str, bytes] = {}
    shares: dict[str, dict[str, bytes]] = {}
    for day in sorted(set(days)):
        seed = seeds[day] = random_element(rand)
        publics[day] = primitives.public_key(primitives.day_secret(seed))
        shares[day] = {holder: seal_to(key, holders[holder], nonce, to_bytes(share),
                                       wire.context("seed", member, holder, day))
                       for holder, share in split(seed, t, holders, rand).items()}
    return seeds, DayKeys(member, key.public, t, nonce, publics, shares)
