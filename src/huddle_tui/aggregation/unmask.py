"""Opening a day: the agreed list, the shares each member reveals (never both kinds for one member), the sum.

Anyone who reads the folder plays Bonawitz's server: the sum is computed by
each reader from the files. What a server would decide, the team decides
with signed records (docs/aggregation.md):

1. **The list.** After the day's cut-off, a member's machine proposes
   (`propose`) or adopts the day's list: the key roster (U1, every member
   with a day key for the day), and the contribution of each member who
   contributed (U3, one version each, by digest). Every member not in U3
   is *dropped*. A member endorses one list per day, by publishing it
   signed; a list counts once `agreed`: t of its holders endorsed it.
2. **Reveal** (`reveal`). For an agreed list, a holder reveals its share of
   each dropped member's day-key seed (so their pairwise masks can be taken
   out) and, for each section allowed to open, its share of the sum of the
   survivors' self-masks (the text and takeaway sections: of each
   survivor's seed of that section).
   The counts section opens first; the gated sections once the counts show
   their k rule is met. A holder refuses to reveal anything that, with
   what it revealed before, would give out both a member's day key and
   their self-mask, or the self-masks of two versions of one member's
   contribution — whatever list it is shown.
3. **Open** (`open_day`). Any reader sums the listed contributions, takes
   out the dropped members' pairwise masks and the survivors' summed
   self-masks, and reads the lanes. A contribution not in the list (late,
   or a version the list does not name) is never summed.

A section that does not open on its day is pooled with the week's other
such days (`reveal_pool`, `open_pool`): a holder reveals one share of the
self-masks summed over the pooled days, so only the pooled total opens.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, NamedTuple

from huddle_tui.aggregation import dcnet, primitives, wire
from huddle_tui.aggregation.contribution import (
    Contribution,
    keys_digest,
    numeric_masks,
    sign,
    takeaway_mask,
    takeaway_self_mask,
    text_mask,
    text_self_mask,
)
from huddle_tui.aggregation.dcnet import TextLayout
from huddle_tui.aggregation.keys import DayKeys, ShareKey, threshold
from huddle_tui.aggregation.layout import NUMERIC, TAKEAWAY_LAYOUT, TAKEAWAYS, TEXTS, opens, unpack
from huddle_tui.aggregation.shamir import ELEMENT_BYTES, PRIME, from_bytes, recover, to_bytes
from huddle_tui.errors import CorruptRecord, RefusedError
from huddle_tui.rules.privacy import K
from huddle_tui.storage.signature import b64


@dataclass(frozen=True)
class DayList:
    """A day's agreed list: its key roster and the one contribution (by digest) of each member in it."""

    day: str
    keys: str
    holders: tuple[str, ...]
    survivors: Mapping[str, str]

    @property
    def threshold(self) -> int:
        """t: how many holders must endorse the list, and reveal, for it to open."""
        return threshold(len(self.holders))

    @property
    def dropped(self) -> tuple[str, ...]:
        """Holders with a day key and no contribution in the list."""
        return tuple(m for m in self.holders if m not in self.survivors)

    @cached_property
    def digest(self) -> str:
        """What an endorsement and a reveal name."""
        body = json.dumps(self.to_payload(), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(body.encode()).hexdigest()

    def to_payload(self) -> dict[str, Any]:
        """The list as record data: signed by its member, it is their endorsement."""
        return {"day": self.day, "keys": self.keys, "holders": list(self.holders),
                "survivors": dict(sorted(self.survivors.items()))}

    @classmethod
    def from_payload(cls, payload: Mapping[str, Any]) -> DayList:
        """A list read back from an endorsement (CorruptRecord when malformed)."""
        try:
            holders = tuple(wire.name(m) for m in payload["holders"])
            survivors = {wire.name(m): _digest(d) for m, d in wire.items(payload["survivors"])}
            made = cls(wire.iso_day(payload["day"]), _digest(payload["keys"]), holders, survivors)
        except wire.MALFORMED as exc:
            raise CorruptRecord(f"day list: {exc}") from exc
        if list(holders) != sorted(set(holders)) or not set(survivors) <= set(holders):
            raise CorruptRecord("day list: survivors must be holders, holders sorted and distinct")
        return made


def _digest(value: Any) -> str:
    """A SHA-256 digest in hex."""
    if value.__class__ is not str or len(value) != 64 or not set(value) <= set("0123456789abcdef"):
        raise ValueError("a SHA-256 digest was expected")
    return str(value)


def propose(day: str, roster: Mapping[str, DayKeys], contributions: Iterable[Contribution]) -> DayList:
    """The list this machine sees for `day`: its key roster, and each contribution made for that roster.

    `contributions` holds at most one (the current version) per member. A
    contribution masked for another roster (a batch this machine had not
    seen, or one it has not) cannot cancel with the others, so it is left
    out, and its member counts as dropped.
    """
    keys = keys_digest(day, roster)
    holders = tuple(sorted(roster))
    survivors: dict[str, str] = {}
    for c in contributions:
        if c.member in survivors:
            raise ValueError(f"two contributions of {c.member} for {day}: pass the current one")
        if c.day == day and c.keys == keys and c.holders == holders and c.member in roster \
                and c.share_key == roster[c.member].share_key:
            survivors[c.member] = c.digest
    return DayList(day, keys, holders, survivors)


def agreed(day_list: DayList, endorsements: Mapping[str, str]) -> bool:
    """Whether t of the list's holders endorsed it (`endorsements`: member → the list digest they signed)."""
    digest = day_list.digest
    endorsed = sum(1 for m, d in endorsements.items() if m in day_list.holders and d == digest)
    return endorsed >= day_list.threshold


@dataclass(frozen=True)
class Reveal:
    """Shares one holder reveals for one agreed day list (a member may publish several as sections open)."""

    member: str
    day: str
    list_digest: str
    survivors: Mapping[str, str]
    seeds: Mapping[str, int] = field(default_factory=dict)
    masks: Mapping[str, int] = field(default_factory=dict)
    texts: Mapping[str, int] = field(default_factory=dict)
    takeaways: Mapping[str, int] = field(default_factory=dict)

    def to_payload(self) -> dict[str, Any]:
        """The reveal as record data, for the caller to sign and publish.

        Seed shares (one per dropped member) and text-seed and takeaway-seed
        shares (one per listed member) are each one base64 string in the
        list's order; the list itself is named by its digest. `takeaways` is
        written only once they open (a reveal read back without it has none).
        """
        payload = {"member": self.member, "day": self.day, "list": self.list_digest,
                   "seeds": b64(b"".join(to_bytes(self.seeds[m]) for m in sorted(self.seeds))),
                   "masks": {s: wire.write_element(v) for s, v in sorted(self.masks.items())},
                   "texts": b64(b"".join(to_bytes(self.texts[m]) for m in sorted(self.texts)))}
        if self.takeaways:
            payload["takeaways"] = b64(b"".join(to_bytes(self.takeaways[m]) for m in sorted(self.takeaways)))
        return payload

    @classmethod
    def from_payload(cls, payload: Mapping[str, Any], day_list: DayList) -> Reveal:
        """A reveal of `day_list` read back (CorruptRecord when malformed or for another list)."""
        try:
            masks = {str(s): wire.element(v) for s, v in wire.items(payload["masks"])}
            if not set(masks) <= set(NUMERIC):
                raise ValueError("an unknown section")
            if payload["list"] != day_list.digest or payload["day"] != day_list.day:
                raise ValueError("a reveal of another list")
            seeds = _elements(payload["seeds"], day_list.dropped)
            texts = _elements(payload["texts"], tuple(sorted(day_list.survivors)))
            takeaways = _elements(payload.get("takeaways", ""), tuple(sorted(day_list.survivors)))
            return cls(wire.name(payload["member"]), day_list.day, day_list.digest, day_list.survivors,
                       seeds, masks, texts, takeaways)
        except wire.MALFORMED as exc:
            raise CorruptRecord(f"reveal: {exc}") from exc


def _elements(value: Any, members: tuple[str, ...]) -> dict[str, int]:
    """Field elements written one after another for `members` (or none at all)."""
    if value == "":
        return {}
    blob = wire.sized(value, len(members) * ELEMENT_BYTES)
    return {m: from_bytes(blob[i * ELEMENT_BYTES:(i + 1) * ELEMENT_BYTES]) for i, m in enumerate(members)}


@dataclass(frozen=True)
class PoolReveal:
    """One holder's share of one section's self-masks summed over the pooled days of a week."""

    member: str
    section: str
    days: tuple[tuple[str, str], ...]
    share: int

    def to_payload(self) -> dict[str, Any]:
        """The pooled reveal as record data, for the caller to sign and publish."""
        return {"member": self.member, "section": self.section, "days": [list(d) for d in self.days],
                "share": wire.write_element(self.share)}

    @classmethod
    def from_payload(cls, payload: Mapping[str, Any]) -> PoolReveal:
        """A pooled reveal read back (CorruptRecord when malformed)."""
        try:
            section = payload["section"]
            if section not in NUMERIC:
                raise ValueError("an unknown section")
            days = tuple((wire.iso_day(d), _digest(h)) for d, h in payload["days"])
            return cls(wire.name(payload["member"]), str(section), days, wire.element(payload["share"]))
        except wire.MALFORMED as exc:
            raise CorruptRecord(f"pooled reveal: {exc}") from exc


Released = Reveal | PoolReveal
"""What a member has revealed before: read back from what it published (and its own record of it)."""


def check_history(day_list: DayList, history: Iterable[Released], member: str) -> None:
    """Refuse (RefusedError) a reveal for `day_list` that, with `member`'s past reveals, exposes someone.

    The rule: for each member of a day, a holder reveals shares of their
    day key (they dropped) or of their self-masks (they contributed, in one
    version) — never both, and never the self-masks of two versions. Held
    by revealing for one list per day: a reveal for another list is
    refused, naming the members it would expose.
    """
    for past in history:
        if not isinstance(past, Reveal) or past.member != member or past.day != day_list.day:
            continue
        if past.list_digest == day_list.digest:
            continue
        both = sorted(m for m in past.seeds if m in day_list.survivors)
        both += sorted(m for m in past.survivors if m not in day_list.survivors)
        versions = sorted(m for m, d in past.survivors.items() if day_list.survivors.get(m, d) != d)
        named = ", ".join(sorted(set(both + versions))) or "no one yet"
        raise RefusedError(f"already revealed for another list of {day_list.day}: this one would expose "
                           f"{named} (a member's day key and self-mask are never both revealed)")


def reveal(member: str, key: ShareKey, day_list: DayList, endorsements: Mapping[str, str],
           contributions: Mapping[str, Contribution], roster: Mapping[str, DayKeys],
           history: Iterable[Released], counts: Mapping[str, int] | None = None) -> Reveal:
    """`member`'s shares for an agreed day list: dropped members' day seeds, and the sections allowed to open.

    Without `counts`, only the counts section (when at least K members
    contributed); with the day's opened `counts`, also each gated section
    whose k rule they meet (the takeaways only when every listed
    contribution carries the section: a day mixing older contributions
    cannot open them). Refuses (RefusedError) a list that is not
    agreed, or one that conflicts with what `member` revealed before
    (`check_history`); `history` is everything this member published
    (its reveals of every day and pool).
    """
    history = list(history)
    if member not in day_list.holders:
        raise RefusedError(f"{member} holds no share of {day_list.day}")
    if not agreed(day_list, endorsements):
        raise RefusedError(f"the list of {day_list.day} is not endorsed by {day_list.threshold} members yet")
    check_history(day_list, history, member)
    day = day_list.day
    pooled = {p.section for p in history if isinstance(p, PoolReveal) and p.member == member
              and any(d == day for d, _ in p.days)}
    seeds = {v: roster[v].seed_share(day, member, key) for v in day_list.dropped}
    sections = [s for s in NUMERIC if s not in pooled and _may_open(s, day_list, counts)]
    mine = [_my_shares(contributions, day_list, m, member, key) for m in sorted(day_list.survivors)]
    masks = {s: sum(shares[s] for shares in mine) % PRIME for s in sections}
    texts: dict[str, int] = {}
    if counts is not None and opens(TEXTS, counts):
        texts = {m: shares[TEXTS] for m, shares in zip(sorted(day_list.survivors), mine, strict=True)}
    takeaways: dict[str, int] = {}
    if counts is not None and takeaways_may_open(counts, contributions, day_list):
        takeaways = {m: shares[TAKEAWAYS] for m, shares in zip(sorted(day_list.survivors), mine, strict=True)}
    return Reveal(member, day, day_list.digest, dict(day_list.survivors), seeds, masks, texts, takeaways)


def takeaways_may_open(counts: Mapping[str, int], contributions: Mapping[str, Contribution],
                       day_list: DayList) -> bool:
    """Whether a day's takeaways may open: K members left one, and every listed contribution has the section.

    A contribution written before the section existed has no takeaway
    vector: the others' pairwise takeaway masks with its member would not
    cancel, so a day listing one keeps its takeaways masked for good.
    """
    listed = [contributions.get(m) for m in day_list.survivors]
    return opens(TAKEAWAYS, counts) and all(c is not None and c.takeaways is not None for c in listed)


def _may_open(section: str, day_list: DayList, counts: Mapping[str, int] | None) -> bool:
    """Whether a numeric section opens on its own day: counts from K contributors, the rest by their gate."""
    if len(day_list.survivors) < K:
        return False
    if section == "counts":
        return True
    return counts is not None and opens(section, counts)


def _my_shares(contributions: Mapping[str, Contribution], day_list: DayList, survivor: str, member: str,
               key: ShareKey) -> dict[str, int]:
    """`member`'s shares of one listed contribution's self-masks (RefusedError: not the listed one)."""
    c = contributions.get(survivor)
    if c is None or c.digest != day_list.survivors[survivor]:
        raise RefusedError(f"the contribution of {survivor} the list names is not here yet")
    return c.self_mask_shares(member, key)


def reveal_pool(member: str, key: ShareKey, section: str,
                days: Sequence[tuple[DayList, Mapping[str, Contribution]]],
                history: Iterable[Released], counts: Mapping[str, int]) -> PoolReveal:
    """`member`'s share of `section`'s self-masks summed over pooled days whose section did not open alone.

    `counts` are the pooled days' counts together; the pool opens under the
    same k rule as a day (the counts section: K distinct contributors
    across the days). Every day must be one `member` already revealed for
    (its list is agreed and fixed); a day already released alone, or in
    another pool of the section, is refused — subtracting the two would
    open it alone.
    """
    history = list(history)
    if section not in NUMERIC:
        raise ValueError(f"{section} is not pooled (texts open on their own day or stay sealed)")
    contributors = {m for day_list, _ in days for m in day_list.survivors}
    if len(contributors) < K or (section != "counts" and not opens(section, counts)):
        raise RefusedError(f"the pooled {section} does not meet the k rule")
    wanted = tuple(sorted((day_list.day, day_list.digest) for day_list, _ in days))
    for past in history:
        if past.member != member:
            continue
        if isinstance(past, Reveal) and section in past.masks and any(past.day == d for d, _ in wanted):
            raise RefusedError(f"{section} of {past.day} was already revealed on its own")
        if isinstance(past, PoolReveal) and past.section == section and past.days != wanted \
                and {d for d, _ in past.days} & {d for d, _ in wanted}:
            raise RefusedError(f"{section} of some of these days was already revealed in another pool")
    total = 0
    for day_list, contributions in days:
        if not any(isinstance(p, Reveal) and p.member == member and p.list_digest == day_list.digest
                   for p in history):
            raise RefusedError(f"reveal for the list of {day_list.day} first: a pool needs its days fixed")
        for survivor in day_list.survivors:
            total += _my_shares(contributions, day_list, survivor, member, key)[section]
    return PoolReveal(member, section, wanted, total % PRIME)


class DayTotals(NamedTuple):
    """What a reader opens of a day: the sections that opened, and the partial sums pooling needs."""

    sums: dict[str, int] | None
    sections: dict[str, dict[str, int]]
    texts: dcnet.Opened | None
    faults: tuple[str, ...]
    takeaways: dcnet.Opened | None = None


def _merged(day_list: DayList, reveals: Iterable[Reveal]) -> tuple[dict[str, Reveal], list[str]]:
    """Each holder's reveals for this list merged into one; a holder who contradicts itself is left out."""
    merged: dict[str, Reveal] = {}
    faults: list[str] = []
    bad: set[str] = set()
    for r in reveals:
        if r.day != day_list.day or r.list_digest != day_list.digest or r.member not in day_list.holders:
            continue
        before = merged.get(r.member)
        if before is None:
            merged[r.member] = r
            continue
        parts = []
        for a, b in ((before.seeds, r.seeds), (before.masks, r.masks), (before.texts, r.texts),
                     (before.takeaways, r.takeaways)):
            if any(a[k] != v for k, v in b.items() if k in a):
                bad.add(r.member)
            parts.append({**a, **b})
        merged[r.member] = Reveal(r.member, r.day, r.list_digest, r.survivors, *parts)
    for m in sorted(bad):
        faults.append(f"{m} revealed two different shares for one secret: their shares are not used")
        del merged[m]
    return merged, faults


def open_day(day_list: DayList, contributions: Mapping[str, Contribution], roster: Mapping[str, DayKeys],
             reveals: Iterable[Reveal], layout: TextLayout) -> DayTotals:
    """The sections of a day a reader can open from the listed contributions and the shares revealed so far.

    Only the contributions the list names are summed: a late one, or
    another version, changes nothing. `roster` holds the batches of the
    list's holders (their day keys and the thresholds of their seeds).
    """
    day = day_list.day
    if keys_digest(day, roster) != day_list.keys:
        return DayTotals(None, {}, None, ("the day keys here are not the list's",))
    listed = []
    for m, digest in sorted(day_list.survivors.items()):
        c = contributions.get(m)
        if c is None or c.digest != digest:
            return DayTotals(None, {}, None, (f"the contribution of {m} the list names is not here yet",))
        listed.append(c)
    merged, faults = _merged(day_list, reveals)
    sums = [sum(c.numeric[i] for c in listed) % PRIME for i in range(len(NUMERIC))]
    pairs: list[tuple[bytes, int]] = []  # (pair key, sign) of each dropped member with each survivor
    for v in day_list.dropped:
        holders = set(roster[v].holders)
        shares = {m: r.seeds[v] for m, r in merged.items() if v in r.seeds and m in holders}
        if len(shares) < roster[v].threshold:
            return DayTotals(None, {}, None, (*faults, f"the day key of {v} cannot be rebuilt yet"))
        secret = primitives.day_secret(recover(shares, roster[v].threshold))
        theirs = roster[v].days[day]
        if primitives.public_key(secret) != theirs:
            return DayTotals(None, {}, None, (*faults, f"a wrong share of {v}'s day key was revealed"))
        for c in listed:
            mine = roster[c.member].days[day]
            key = primitives.pair_key(b"huddle-mask", secret, theirs, mine)
            pairs.append((key, sign(mine, theirs)))
    for key, s in pairs:
        sums = [(y - s * m) % PRIME for y, m in zip(sums, numeric_masks(key, day), strict=True)]
    partial = dict(zip(NUMERIC, sums, strict=True))
    t = day_list.threshold
    sections: dict[str, dict[str, int]] = {}
    for section in NUMERIC:
        shares = {m: r.masks[section] for m, r in merged.items() if section in r.masks}
        if len(shares) < t:
            continue
        lanes = unpack(section, (partial[section] - recover(shares, t)) % PRIME)
        if lanes is None or lanes["contributions"] != len(listed):
            faults.append(f"{section} does not add up: a wrong share or contribution")
            continue
        sections[section] = lanes
    texts = None
    seeds = {}
    for c in listed:
        shares = {m: r.texts[c.member] for m, r in merged.items() if c.member in r.texts}
        if len(shares) < t:
            break
        seeds[c.member] = recover(shares, t)
    if listed and len(seeds) == len(listed):
        text_sum = sum(int.from_bytes(c.texts, "little") for c in listed)
        text_sum -= sum(s * text_mask(key, day, layout) for key, s in pairs)
        text_sum -= sum(text_self_mask(seed, day, layout) for seed in seeds.values())
        texts = dcnet.decode(text_sum, layout)
    return DayTotals(partial, sections, texts, tuple(faults), _open_takeaways(day, listed, merged, pairs, t))


def _open_takeaways(day: str, listed: Sequence[Contribution], merged: Mapping[str, Reveal],
                    pairs: Sequence[tuple[bytes, int]], t: int) -> dcnet.Opened | None:
    """The day's takeaways, once t holders revealed every listed member's takeaway seed (None: not open)."""
    if not listed or any(c.takeaways is None for c in listed):
        return None
    total = 0
    for c in listed:
        shares = {m: r.takeaways[c.member] for m, r in merged.items() if c.member in r.takeaways}
        if len(shares) < t:
            return None
        total += int.from_bytes(c.takeaways or b"", "little") - takeaway_self_mask(recover(shares, t), day)
    total -= sum(s * takeaway_mask(key, day) for key, s in pairs)
    return dcnet.decode(total, TAKEAWAY_LAYOUT)


def open_pool(section: str, days: Sequence[tuple[DayList, DayTotals]], reveals: Iterable[PoolReveal]) -> \
        dict[str, int] | None:
    """A section's total over pooled days, from each day's partial sum and the holders' pooled shares.

    None until t holders of every day revealed for exactly this pool (the
    days' holders and threshold are the same within a week's roster), or
    when the total does not add up.
    """
    wanted = tuple(sorted((day_list.day, day_list.digest) for day_list, _ in days))
    if not days or any(totals.sums is None for _, totals in days):
        return None
    holders = set.intersection(*(set(day_list.holders) for day_list, _ in days))
    t = max(day_list.threshold for day_list, _ in days)
    shares = {r.member: r.share for r in reveals
              if r.section == section and r.days == wanted and r.member in holders}
    if len(shares) < t:
        return None
    partial = sum(totals.sums[section] for _, totals in days if totals.sums is not None)
    lanes = unpack(section, (partial - recover(shares, t)) % PRIME)
    contributions = sum(len(day_list.survivors) for day_list, _ in days)
    if lanes is None or lanes["contributions"] != contributions:
        return None
    return lanes
