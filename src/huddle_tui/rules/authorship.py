"""Who may speak for whom: which keys are a member's, and whether a record is theirs.

Every teammate can write the shared folder, so a record is a member's only
when a key trusted *on this machine* as that member's signed it. Keys are
published as signed `key` records; this machine trusts them by the rules of
trust on first use (as SSH's known_hosts):

- a key this machine pinned (its own, the first it saw for a member, or one
  its user confirmed with `huddle keys confirm`) is trusted;
- a key published for a member and signed by one of that member's trusted
  keys (a second machine linked by the first) is trusted too;
- a member with nothing pinned gets their first key pinned on sight, when
  there is exactly one — two first keys are both held until confirmed, and
  so is the first key of a member added to huddle.toml since this machine
  last looked (a roster edit must not mint a trusted ghost);
- any other key waits: its records are set aside until confirmed.

A record is then judged (`Authorship.judge`) to be the member's own (signed
by their key), a legacy record (unsigned and dated before keys existed for
its member), a proxy entry (a team check-in or concern keyed by another
member, which must say so in its `keyed_by` and is shown so; a check-in
keyed so never outranks the member's own, while a concern's version by
its follow-up owner ranks as its author's, so a follow-up can be closed), or
set aside with the reason. Anonymous records carry a one-time key their id
is derived from (storage/signature.py), so only their author can change them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import cached_property
from typing import Any, NamedTuple

from huddle_tui.storage.envelope import Record

OWN, LEGACY, PROXY = 2, 1, 0
"""A record's standing in the merge: the member's own outranks an unsigned old one, which outranks a proxy."""
TEAM_KINDS = frozenset(("huddle", "handoff", "pairs", "circles", "session"))
"""Records about the team, not one member: any member's trusted key may sign them."""
PROXY_KINDS = frozenset(("checkin", "concern", "away"))
"""Kinds another member may key for someone (the facilitator in the round, a bot, a lead recording leave)."""
MEMBERLESS_KINDS = frozenset(("checkin", "concern", "signpost", "measure"))
"""Kinds whose records may name no member: anonymous ones, signed by a one-time key bound to their id."""
_KEYS_KEPT = 4096
"""One-time keys whose ids are kept worked out: a merge judges the record it holds again at each new
version, and a month of a big team's anonymous answers is a few thousand; a whole history (export
reads it month by month) is not kept."""


class KeyClaim(NamedTuple):
    """A published key: the member it says it is for, the key, who signed the claim, and when."""

    member: str
    key: str
    signer: str
    date: str
    label: str

    @property
    def first(self) -> bool:
        """A key signed by itself: a first key (or a machine not linked by another)."""
        return self.signer == self.key


def _sha256_hex(data: bytes) -> str:
    """SHA-256 of `data` in hex, from CPython's own SHA-256 module when it has one.

    The same digest as hashlib's, without loading OpenSSL: importing hashlib
    costs 2.5 ms, a fortieth of a report, which needs only this one digest.
    The module is _sha256 up to Python 3.11 and _sha2 from 3.12; hashlib when
    a build has neither.
    """
    try:
        from _sha256 import sha256  # type: ignore[import-not-found]
    except ImportError:
        try:
            from _sha2 import sha256  # type: ignore[import-not-found]
        except ImportError:
            from hashlib import sha256
    return str(sha256(data).hexdigest())


class Authorship:
    """The keys this machine trusts for each member, and the judgement of records by them."""

    def __init__(self, roster: Mapping[str, str], claims: Iterable[KeyClaim],
                 pinned: Mapping[str, Iterable[str]], acknowledged: Iterable[str] | None,
                 own: tuple[str, str] | None = None) -> None:
        """Work out trust from the published `claims`, this machine's `pinned` keys and its roster.

        `roster` maps each member's folded name to their display name;
        `acknowledged` is the roster (folded names) this machine's user last
        saw (None: never looked, so every member counts as seen); `own` is
        (folded member, key) of this machine's own key.
        """
        self.roster = dict(roster)
        self.claims = [c for c in claims if c.member.casefold() in self.roster]
        pins = {m: set(keys) for m, keys in pinned.items()}
        if own is not None:
            pins.setdefault(own[0], set()).add(own[1])
        seen = set(self.roster) if acknowledged is None else set(acknowledged)
        self.added = sorted(m for m in self.roster if m not in seen)
        self.removed = sorted(m for m in seen if m not in self.roster)
        by_member: dict[str, list[KeyClaim]] = {}
        claimants: dict[str, set[str]] = {}
        for claim in self.claims:
            by_member.setdefault(claim.member.casefold(), []).append(claim)
            claimants.setdefault(claim.key, set()).add(claim.member.casefold())
        # A key published for two members (a teammate's own key claimed for someone else) is
        # trusted on sight for neither: only a pin (this machine's user) can say whose it is.
        contested = {key for key, members in claimants.items() if len(members) > 1}
        self.new_pins: dict[str, str] = {}
        self.trusted: dict[str, str] = {}  # key -> folded member
        self.waiting: dict[str, list[KeyClaim]] = {}
        self.first_date: dict[str, str] = {}
        for member, mine in sorted(by_member.items()):
            trusted = set(pins.get(member, ()))
            mine = [c for c in mine if c.key not in contested or c.key in trusted]
            if not trusted:
                firsts = sorted({c.key for c in mine if c.first})
                if len(firsts) == 1 and member not in self.added:
                    trusted = {firsts[0]}
                    self.new_pins[member] = firsts[0]
            trusted = _linked(trusted, mine)
            # A key trusted as one member's is never another's: the first member (by name) keeps it.
            trusted = {k for k in trusted if self.trusted.setdefault(k, member) == member}
            dates = [c.date for c in mine if c.key in trusted]
            if dates:
                self.first_date[member] = min(dates)
            waiting = [c for c in by_member[member] if c.key not in trusted]
            if waiting:
                self.waiting[member] = sorted(waiting, key=lambda c: (c.date, c.key))
        for member, keys in pins.items():
            for key in keys:
                self.trusted.setdefault(key, member)
        self.team_first = min(self.first_date.values(), default=None)
        self.keyed = bool(self.trusted)
        self._anonymous: dict[str, str] = {}  # one-time key -> the id it binds (the last few thousand)

    @cached_property
    def tag(self) -> str:
        """What the judgement depends on, as a short checksum: kept answers are kept per tag.

        Worked out once: what it hashes is settled when the judgement is made, and a report asks for
        it for the roster, for its months' keys and for each read (a 200-member team's, sorted each time).
        """
        parts = sorted(f"{k}={m}" for k, m in self.trusted.items())
        parts += sorted(f"{m}<{d}" for m, d in self.first_date.items())
        parts += sorted(self.roster)
        return _sha256_hex("\n".join(parts).encode())[:16]

    def member_of(self, key: str) -> str | None:
        """The display name of the member a trusted key belongs to, or None."""
        member = self.trusted.get(key)
        return self.roster.get(member, member) if member is not None else None

    def waiting_member(self, key: str) -> str | None:
        """The member a key waits to be confirmed for, if it does."""
        for member, claims in self.waiting.items():
            if any(c.key == key for c in claims):
                return self.roster.get(member, member)
        return None

    def judge(self, record: Record) -> int | str:
        """OWN, LEGACY or PROXY for a record this machine may show, else the reason it is set aside."""
        kind, payload, signer = record.kind, record.payload, record.signer
        if kind == "key":
            return OWN
        member = payload.get("member")
        if kind in TEAM_KINDS:
            return self._team_record(record)
        if member.__class__ is not str or not member:
            if kind not in MEMBERLESS_KINDS:
                return f"a {kind} record that names no member"
            return self._anonymous_record(record)
        folded = member.casefold()
        if not signer:
            return self._unsigned(record, folded, member)
        writer = self.trusted.get(signer)
        if writer is None:
            return self._unknown_signer(signer)
        if folded not in self.roster:
            return f"in the name of {member!r}, who is not on the roster"
        if writer == folded:
            if payload.get("keyed_by") is None:
                return OWN
            return f"{member}'s own {kind} says it was keyed by someone else"
        refused = proxy_refusal(record, member, writer, self.roster[writer], self.roster[writer])
        if refused is not None:
            return refused
        # A concern's follow-up is closed by its owner, who is often not its author: their version
        # ranks as the author's would (it says who keyed it), so a closed follow-up stays closed.
        return OWN if kind == "concern" else PROXY

    def _team_record(self, record: Record) -> int | str:
        """A team record: signed by any member's trusted key, or unsigned from before the team's keys."""
        if record.signer:
            return OWN if record.signer in self.trusted else self._unknown_signer(record.signer)
        if self.team_first is None or record.date < self.team_first:
            return LEGACY
        return f"unsigned, dated after the team's first key ({self.team_first})"

    def _anonymous_record(self, record: Record) -> int | str:
        """A record with no member: its one-time key must be the one its id comes from."""
        signer = record.signer
        if not signer:
            if self.team_first is None or record.date < self.team_first:
                return LEGACY
            return f"unsigned, dated after the team's first key ({self.team_first})"
        bound = self._anonymous.get(signer)
        if bound is None:
            from huddle_tui.storage.signature import id_for_key

            if len(self._anonymous) >= _KEYS_KEPT:  # a history's worth would grow with the history
                self._anonymous.clear()
            bound = self._anonymous[signer] = id_for_key(signer)
        if bound == record.id:
            return OWN
        # A follow-up on an anonymous concern is closed by its owner, a member, signing a new version.
        if record.kind == "concern" and not record.deleted and signer in self.trusted:
            return OWN
        return "an anonymous record whose id is not its signer's: only its author can change it"

    def _unsigned(self, record: Record, folded: str, member: str) -> int | str:
        """An unsigned record in a member's name: readable only when dated before their keys."""
        reason = self.unsigned_reason(member, record.date)
        return LEGACY if reason is None else reason

    def unsigned_reason(self, member: str, day: str) -> str | None:
        """Why an unsigned record in `member`'s name dated `day` is set aside (None: it is readable).

        The writer asks it too, before saving what no reader would show.
        """
        if member.casefold() not in self.roster and self.keyed:
            return f"in the name of {member!r}, who is not on the roster"
        cutoff = self.first_date.get(member.casefold()) or self.team_first
        if cutoff is None or day < cutoff:
            return None
        return f"unsigned, in {member}'s name after their key ({cutoff})"

    def _unknown_signer(self, signer: str) -> str:
        """Why a record signed by a key this machine does not trust is set aside."""
        waits = self.waiting_member(signer)
        if waits is not None:
            return f"signed by a new key for {waits}, waiting to be confirmed (`huddle keys`)"
        return "signed by a key no member here is known by"



def proxy_refusal(record: Record, member: str, writer_folded: str, writer: str, signed_by: str) -> str | None:
    """Why `writer` may not sign `record` for `member` (None: a proxy entry it may make).

    The rules a record keyed for someone else keeps, in one place for the
    readers here and the reference server (server/keys.py): it says who keyed
    it, it is of a kind one may key for another, it withdraws nothing, and it
    is never a placeholder (only its member can leave one). `signed_by` is how
    the message names the signature ("Ben", or "Ben's key").
    """
    kind, payload = record.kind, record.payload
    keyed_by = payload.get("keyed_by")
    if keyed_by.__class__ is not str or keyed_by.casefold() != writer_folded:
        return f"a {kind} for {member} signed by {signed_by} but not marked as keyed by them"
    if kind not in PROXY_KINDS:
        return f"a {kind} for {member} signed by {signed_by}: only {member} can sign it"
    if record.deleted:
        return f"{writer} cannot withdraw {member}'s {kind}"
    if kind == "checkin" and payload.get("visibility", "team") != "team":
        return f"a placeholder for {member} signed by {signed_by}: only {member} can leave one"
    return None


def claims_of(records: Iterable[Record]) -> list[KeyClaim]:
    """The key claims among records of the `key` kind (live ones, each verified when read)."""
    out = []
    for r in records:
        p: dict[str, Any] = r.payload
        if r.kind == "key" and not r.deleted and r.signer:
            out.append(KeyClaim(str(p["member"]), str(p["key"]), r.signer, r.date, str(p.get("label", ""))))
    return out


def _linked(trusted: set[str], claims: list[KeyClaim]) -> set[str]:
    """The trusted keys plus every key a trusted key of the same member signed for them (transitively)."""
    found = set(trusted)
    grew = True
    while grew:
        grew = False
        for claim in claims:
            if claim.key not in found and claim.signer in found:
                found.add(claim.key)
                grew = True
    return found
