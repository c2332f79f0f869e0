"""Buddy and coffee rounds as recorded: one record a round, and each member's "met" or "skip"."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal, NamedTuple

Track = Literal["buddy", "coffee"]
TRACKS: tuple[Track, ...] = ("buddy", "coffee")
MARKS = ("met", "skip")


class PairRound(NamedTuple):
    """One round's groups (pairs, and trios where needed), starting on a Monday."""

    track: Track
    monday: str
    groups: tuple[tuple[str, ...], ...]
    cooldown: int  # the cooldown in weeks the groups keep (below the team's: it was relaxed)

    def to_payload(self) -> dict[str, Any]:
        """The round as JSON data (its date is the record's)."""
        return {"track": self.track, "groups": [list(g) for g in self.groups], "cooldown": self.cooldown}

    @classmethod
    def from_payload(cls, day: str, data: dict[str, Any]) -> PairRound:
        """Read a round back from a checked payload."""
        track: Track = "coffee" if data.get("track") == "coffee" else "buddy"
        return cls(track, day, tuple(tuple(str(n) for n in g) for g in data.get("groups", ())),
                   int(data.get("cooldown", 0)))

    def group_of(self, name: str) -> tuple[str, ...] | None:
        """The group a member is in this round, if any."""
        key = name.casefold()
        return next((g for g in self.groups if any(n.casefold() == key for n in g)), None)


class PairMark(NamedTuple):
    """A member's word on a round: "met", or "skip" (the next rounds treat the pair as not met)."""

    track: Track
    monday: str
    member: str
    mark: str

    def to_payload(self) -> dict[str, Any]:
        """The mark as JSON data."""
        return {"track": self.track, "member": self.member, "mark": self.mark}

    @classmethod
    def from_payload(cls, day: str, data: dict[str, Any]) -> PairMark:
        """Read a mark back from a checked payload."""
        track: Track = "coffee" if data.get("track") == "coffee" else "buddy"
        return cls(track, day, str(data.get("member", "")), str(data.get("mark", "")))


class PastRound(NamedTuple):
    """An earlier round: its Monday, its groups, and who said it did not happen for them."""

    monday: date
    groups: tuple[tuple[str, ...], ...]
    skipped: frozenset[str] = frozenset()  # casefolded names
    met: frozenset[str] = frozenset()  # casefolded names
