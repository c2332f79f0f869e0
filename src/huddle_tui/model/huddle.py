"""A huddle as recorded: its turns, who facilitated, and handoffs of that role."""

from __future__ import annotations

from typing import Any, NamedTuple


class Turn(NamedTuple):
    """One speaker's turn in a pulse round."""

    speaker: str
    timebox_s: float
    spoken_s: float
    skipped: bool = False
    late: bool = False
    asynchronous: bool = False
    """The speaker checked in before the round (rules/async_lane.py): their turn read what they said."""

    def to_payload(self) -> dict[str, Any]:
        """The turn as JSON data (`async` only on an async turn, so other turns read as they always did)."""
        out: dict[str, Any] = {"speaker": self.speaker, "timebox_s": round(self.timebox_s, 3),
                               "spoken_s": round(self.spoken_s, 3), "skipped": self.skipped,
                               "late": self.late}
        if self.asynchronous:
            out["async"] = True
        return out

    @classmethod
    def from_payload(cls, data: dict[str, Any]) -> Turn:
        """Read a turn back from JSON data."""
        return cls(str(data["speaker"]), float(data.get("timebox_s", 0)),
                   float(data.get("spoken_s", 0)), bool(data.get("skipped", False)),
                   bool(data.get("late", False)), data.get("async") is True)


class Huddle(NamedTuple):
    """One huddle on one date: who facilitated, the order, and each turn."""

    date: str
    facilitator: str
    order: tuple[str, ...]
    turns: tuple[Turn, ...] = ()
    round_s: float = 300.0
    started_at: str | None = None
    ended_at: str | None = None
    round: int = 1

    def to_payload(self) -> dict[str, Any]:
        """The huddle as JSON data (`round` only for a second or later round that day)."""
        out: dict[str, Any] = {"facilitator": self.facilitator, "order": list(self.order),
                               "turns": [t.to_payload() for t in self.turns], "round_s": self.round_s,
                               "started_at": self.started_at, "ended_at": self.ended_at}
        if self.round > 1:
            out["round"] = self.round
        return out

    @classmethod
    def from_payload(cls, day: str, data: dict[str, Any]) -> Huddle:
        """Read a huddle back from JSON data."""
        return cls(date=day, facilitator=str(data.get("facilitator", "")),
                   order=tuple(str(x) for x in data.get("order", [])),
                   turns=tuple(Turn.from_payload(t) for t in data.get("turns", [])
                               if isinstance(t, dict)),
                   round_s=float(data.get("round_s", 300.0)),
                   started_at=data.get("started_at"), ended_at=data.get("ended_at"),
                   round=int(data.get("round", 1)))


class Handoff(NamedTuple):
    """The facilitator role handed to someone else for one date."""

    date: str
    from_member: str
    to_member: str
    reason: str

    def to_payload(self) -> dict[str, Any]:
        """The handoff as JSON data."""
        return {"from": self.from_member, "to": self.to_member, "reason": self.reason}

    @classmethod
    def from_payload(cls, day: str, data: dict[str, Any]) -> Handoff:
        """Read a handoff back from JSON data."""
        return cls(day, str(data.get("from", "")), str(data.get("to", "")),
                   str(data.get("reason", "")))


class Away(NamedTuple):
    """A member away for a range of dates (inclusive), recorded in the shared folder."""

    member: str
    start: str
    end: str
    reason: str = ""

    def to_payload(self) -> dict[str, Any]:
        """The away range as JSON data."""
        return {"member": self.member, "from": self.start, "to": self.end, "reason": self.reason}

    @classmethod
    def from_payload(cls, data: dict[str, Any]) -> Away:
        """Read an away range back from JSON data."""
        return cls(str(data.get("member", "")), str(data.get("from", "")), str(data.get("to", "")),
                   str(data.get("reason", "")))


class Plan(NamedTuple):
    """Today's facilitator and speaking order, and why the facilitator is who it is."""

    date: str
    facilitator: str | None
    order: tuple[str, ...]
    reason: str
    handoff: Handoff | None = None

    def to_payload(self) -> dict[str, Any]:
        """As JSON data, for the derived records a plan is kept in."""
        return {"date": self.date, "facilitator": self.facilitator, "order": list(self.order),
                "reason": self.reason, "handoff": self.handoff.to_payload() if self.handoff else None}

    @classmethod
    def from_payload(cls, data: dict[str, Any]) -> Plan:
        """Read it back (KeyError, TypeError or ValueError on a damaged file: the caller reads afresh)."""
        facilitator = data["facilitator"]
        day, handoff = str(data["date"]), data["handoff"]
        return cls(day, None if facilitator is None else str(facilitator),
                   tuple(str(n) for n in data["order"]), str(data["reason"]),
                   None if handoff is None else Handoff.from_payload(day, handoff))


class Today(NamedTuple):
    """What the lobby shows of a day: its plan, who already checked in (casefolded), rounds held.

    `asynchronous`: of those, who checked in before the round (rules/async_lane.py).
    """

    plan: Plan
    checked_in: frozenset[str]
    rounds_held: int
    asynchronous: frozenset[str] = frozenset()

    def to_payload(self) -> dict[str, Any]:
        """As JSON data, for the derived record the lobby paints from."""
        return {**self.plan.to_payload(), "checked_in": sorted(self.checked_in),
                "rounds_held": self.rounds_held, "async": sorted(self.asynchronous)}

    @classmethod
    def from_payload(cls, data: dict[str, Any]) -> Today:
        """Read it back (KeyError, TypeError or ValueError on a damaged file: the caller reads afresh)."""
        return cls(Plan.from_payload(data), frozenset(str(n) for n in data["checked_in"]),
                   int(data["rounds_held"]), frozenset(str(n) for n in data["async"]))
