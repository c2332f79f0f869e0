"""What a huddle produces — check-ins, concerns, huddles, handoffs — as typed records.

Each type (a NamedTuple: cheap to import and to build) turns into the JSON
payload of an envelope (see envelope.py) and back.
Named records get ids derived from what they are about, so a second check-in
by the same member on the same date is a new version of the same record on
every machine; anonymous ones get random ids and carry no author.
"""

from __future__ import annotations

import os
from typing import Any, NamedTuple

MOODS: dict[int, str] = {1: "struggling", 2: "low", 3: "okay", 4: "good", 5: "great"}
MOOD_SYMBOLS: dict[int, str] = {1: "▁", 2: "▂", 3: "▄", 4: "▆", 5: "█"}
CONCERN_KINDS = ("blocker", "concern", "support")
VISIBILITIES = ("team", "anonymous", "private")
FOLLOWUP_STATES = ("open", "done")
_NAMESPACE = bytes.fromhex("8c0b3f7e2d5e4f559a376f1f4a1c2b10")


def as_uuid(raw: bytes, version: int) -> str:
    """Format 16 bytes as an RFC 4122 UUID string of `version` (uuid itself is slow to import)."""
    b = bytearray(raw[:16])
    b[6] = (b[6] & 0x0F) | (version << 4)
    b[8] = (b[8] & 0x3F) | 0x80
    h = b.hex()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def named_id(kind: str, *parts: str) -> str:
    """A stable id (UUID 5) every machine derives alike, e.g. one check-in per member per date."""
    import hashlib  # only writers need ids; reading `huddle next` stays free of OpenSSL

    name = "\x1f".join((kind, *(p.casefold() for p in parts))).encode()
    return as_uuid(hashlib.sha1(_NAMESPACE + name).digest(), 5)


def random_id() -> str:
    """A fresh random id (UUID 4) that says nothing about who made it."""
    return as_uuid(os.urandom(16), 4)


class FollowUp(NamedTuple):
    """Who follows a concern up, and whether that is done."""

    owner: str
    state: str = "open"


class Concern(NamedTuple):
    """Something a person raised: a blocker, a concern or a call for support."""

    text: str
    kind: str = "concern"
    visibility: str = "team"
    followup: FollowUp | None = None
    id: str = ""

    @classmethod
    def new(cls, text: str, kind: str = "concern", visibility: str = "team",
            followup: FollowUp | None = None) -> Concern:
        """A new concern with a fresh id."""
        return cls(text, kind, visibility, followup, random_id())

    def to_payload(self) -> dict[str, Any]:
        """The concern as JSON data."""
        out: dict[str, Any] = {"id": self.id or random_id(), "text": self.text, "kind": self.kind}
        if self.followup is not None:
            out["followup"] = {"owner": self.followup.owner, "state": self.followup.state}
        return out

    @classmethod
    def from_payload(cls, data: dict[str, Any], visibility: str) -> Concern:
        """Read a concern back from JSON data."""
        fu = data.get("followup")
        return cls(text=str(data.get("text", "")), kind=str(data.get("kind", "concern")),
                   visibility=visibility, id=str(data.get("id", "")),
                   followup=FollowUp(str(fu["owner"]), str(fu.get("state", "open")))
                   if isinstance(fu, dict) and "owner" in fu else None)


class CheckIn(NamedTuple):
    """One member's pulse for one date (member is None when anonymous)."""

    date: str
    mood: int
    member: str | None
    status: str = ""
    concerns: tuple[Concern, ...] = ()
    visibility: str = "team"
    source: str = "cli"

    def to_payload(self) -> dict[str, Any]:
        """The check-in as JSON data; an anonymous one has no member key at all."""
        out: dict[str, Any] = {"mood": self.mood, "status": self.status,
                               "concerns": [c.to_payload() for c in self.concerns],
                               "visibility": self.visibility, "source": self.source}
        if self.visibility != "anonymous" and self.member is not None:
            out["member"] = self.member
        return out

    @classmethod
    def from_payload(cls, day: str, data: dict[str, Any]) -> CheckIn:
        """Read a check-in back from JSON data."""
        visibility = str(data.get("visibility", "team"))
        member = data.get("member")
        return cls(date=day, mood=int(data.get("mood", 3)),
                   member=str(member) if member is not None else None,
                   status=str(data.get("status", "")),
                   concerns=tuple(Concern.from_payload(c, visibility)
                                  for c in data.get("concerns", []) if isinstance(c, dict)),
                   visibility=visibility, source=str(data.get("source", "cli")))


class Turn(NamedTuple):
    """One speaker's turn in a pulse round."""

    speaker: str
    timebox_s: float
    spoken_s: float
    skipped: bool = False
    late: bool = False

    def to_payload(self) -> dict[str, Any]:
        """The turn as JSON data."""
        return {"speaker": self.speaker, "timebox_s": round(self.timebox_s, 3),
                "spoken_s": round(self.spoken_s, 3), "skipped": self.skipped, "late": self.late}

    @classmethod
    def from_payload(cls, data: dict[str, Any]) -> Turn:
        """Read a turn back from JSON data."""
        return cls(str(data["speaker"]), float(data.get("timebox_s", 0)),
                   float(data.get("spoken_s", 0)), bool(data.get("skipped", False)),
                   bool(data.get("late", False)))


class Huddle(NamedTuple):
    """One huddle on one date: who facilitated, the order, and each turn."""

    date: str
    facilitator: str
    order: tuple[str, ...]
    turns: tuple[Turn, ...] = ()
    round_s: float = 300.0
    started_at: str | None = None
    ended_at: str | None = None

    def to_payload(self) -> dict[str, Any]:
        """The huddle as JSON data."""
        return {"facilitator": self.facilitator, "order": list(self.order),
                "turns": [t.to_payload() for t in self.turns], "round_s": self.round_s,
                "started_at": self.started_at, "ended_at": self.ended_at}

    @classmethod
    def from_payload(cls, day: str, data: dict[str, Any]) -> Huddle:
        """Read a huddle back from JSON data."""
        return cls(date=day, facilitator=str(data.get("facilitator", "")),
                   order=tuple(str(x) for x in data.get("order", [])),
                   turns=tuple(Turn.from_payload(t) for t in data.get("turns", [])
                               if isinstance(t, dict)),
                   round_s=float(data.get("round_s", 300.0)),
                   started_at=data.get("started_at"), ended_at=data.get("ended_at"))


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
