"""Peer-circle rounds as recorded: one record a round, each circle with its facilitator and speaking order."""

from __future__ import annotations

from datetime import date
from typing import Any, NamedTuple


class Circle(NamedTuple):
    """One circle: its members (in name order), who facilitates, and the order they speak in."""

    members: tuple[str, ...]
    facilitator: str
    order: tuple[str, ...]

    def to_payload(self) -> dict[str, Any]:
        """The circle as JSON data."""
        return {"members": list(self.members), "facilitator": self.facilitator, "order": list(self.order)}

    @classmethod
    def from_payload(cls, data: dict[str, Any]) -> Circle:
        """Read a circle back from a checked payload."""
        return cls(tuple(str(n) for n in data.get("members", ())), str(data.get("facilitator", "")),
                   tuple(str(n) for n in data.get("order", ())))


class CircleRound(NamedTuple):
    """One round's circles, starting on a Monday, and the cooldown in weeks they keep."""

    monday: str
    circles: tuple[Circle, ...]
    cooldown: int  # below the team's: with this few people no grouping keeps them all apart that long

    def to_payload(self) -> dict[str, Any]:
        """The round as JSON data (its date is the record's)."""
        return {"circles": [c.to_payload() for c in self.circles], "cooldown": self.cooldown}

    @classmethod
    def from_payload(cls, day: str, data: dict[str, Any]) -> CircleRound:
        """Read a round back from a checked payload."""
        return cls(day, tuple(Circle.from_payload(c) for c in data.get("circles", ())),
                   int(data.get("cooldown", 0)))

    def circle_of(self, name: str) -> Circle | None:
        """The circle a member is in this round, if any."""
        key = name.casefold()
        return next((c for c in self.circles if any(n.casefold() == key for n in c.members)), None)


class PastCircles(NamedTuple):
    """An earlier round as the next ones weigh it: its Monday, its circles and their facilitators."""

    monday: date
    circles: tuple[tuple[str, ...], ...]
    facilitators: tuple[str, ...] = ()
