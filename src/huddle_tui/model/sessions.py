"""A circle's or a debrief's session as recorded: the room, who led, the turns; takeaways and thanks after.

A session is timed like the pulse (model/huddle.Turn for each turn); what is
said in it stays in the room (sessions.py seals it), so the record of the
session itself says only that it was held, when, by whom and for whom.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from huddle_tui.model.huddle import Turn

CIRCLE, DEBRIEF = "circle", "debrief"
TYPES = (CIRCLE, DEBRIEF)
CIRCLE_PROMPTS = ("What workload challenge are you carrying?", "What coping tip helped you?")
DEBRIEF_PROMPTS = ("What happened?", "How did it feel?", "What helped?", "What do we keep?")
ROOM, TEAM = "room", "team"
SHARES = (ROOM, TEAM)  # kept in the room (sealed to it), or shared with the team by name
ANONYMOUS = "anonymous"  # shared with no name: only inside the team's totals, never a record of its own
MAX_EVENT_CHARS = 80


def prompts_of(kind: str) -> tuple[str, ...]:
    """The prompts each speaker answers in a session of this kind."""
    return CIRCLE_PROMPTS if kind == CIRCLE else DEBRIEF_PROMPTS


class Session(NamedTuple):
    """One circle or debrief held on one date: its room, its facilitator, order and turns."""

    kind: str  # CIRCLE or DEBRIEF
    date: str
    facilitator: str
    members: tuple[str, ...]  # the room: the circle's members, or the people a debrief is for
    order: tuple[str, ...]
    round: str = ""  # a circle's round (its Monday)
    event: str = ""  # a debrief's event, "Launch v2"
    turns: tuple[Turn, ...] = ()
    round_s: float = 600.0
    started_at: str | None = None
    ended_at: str | None = None

    @property
    def attended(self) -> tuple[str, ...]:
        """Who spoke (a turn not skipped), in speaking order; before the end, nobody yet."""
        return tuple(t.speaker for t in self.turns if not t.skipped)

    @property
    def room(self) -> tuple[str, ...]:
        """Who a takeaway kept in the room is sealed to: a circle's members; those who came to a debrief."""
        if self.kind == DEBRIEF and self.ended_at is not None:
            return self.attended
        return self.members

    def to_payload(self) -> dict[str, Any]:
        """The session as JSON data (its date is the record's)."""
        out: dict[str, Any] = {"type": self.kind, "facilitator": self.facilitator,
                               "members": list(self.members), "order": list(self.order),
                               "turns": [t.to_payload() for t in self.turns], "round_s": self.round_s,
                               "started_at": self.started_at, "ended_at": self.ended_at}
        if self.round:
            out["week"] = self.round  # not "round": in a huddle that is the day's round number
        if self.event:
            out["event"] = self.event
        return out

    @classmethod
    def from_payload(cls, day: str, data: dict[str, Any]) -> Session:
        """Read a session back from a checked payload."""
        return cls(str(data.get("type", "")), day, str(data.get("facilitator", "")),
                   tuple(str(n) for n in data.get("members", ())),
                   tuple(str(n) for n in data.get("order", ())),
                   str(data.get("week", "")), str(data.get("event", "")),
                   tuple(Turn.from_payload(t) for t in data.get("turns", ()) if isinstance(t, dict)),
                   float(data.get("round_s", 600.0)), data.get("started_at"), data.get("ended_at"))
