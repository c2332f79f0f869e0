"""Peer circles' and debriefs' figures for the impact report: held, attended, led, takeaways and thanks.

A session's record is named (who led, who was in the room, who spoke), as a
huddle's is, so sessions held, attendance and how facilitation rotated are
counted as they are. What people left after them is counted only, never
listed by name, and a count is shown only from K up (rules/privacy.py):
takeaways shared with the team and kept in the room, thanks given and the
number of people thanked. There is no per-person count of thanks: no
leaderboard. A takeaway or thanks counts only when its author was in the
session's room (and a thanks only for someone else in it).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, NamedTuple

from huddle_tui.model.sessions import CIRCLE, DEBRIEF, TEAM, Session
from huddle_tui.rules.privacy import shown_count
from huddle_tui.storage.envelope import Record

SESSION_KINDS = ("session", "takeaway", "thanks")


class SessionFact(NamedTuple):
    """One session as the report counts it: kind, date, event, who led, room, who came, what was left."""

    kind: str
    date: str
    event: str
    facilitator: str
    members: tuple[str, ...]
    attended: tuple[str, ...]
    shared: int  # takeaways shared with the team
    kept: int  # takeaways kept in the room
    thanks: tuple[tuple[str, str], ...]  # (from, to), folded, once a pair


class SessionStats(NamedTuple):
    """A period's circles and debriefs (counts below K hidden: None)."""

    circles: int
    debriefs: int
    events: tuple[str, ...]  # each debrief: its date and event
    seated: int  # places in the rooms of sessions that ended
    attended: int
    attendance: float | None
    target: float
    facilitators: int  # different people who led
    facilitation_spread: int | None  # most sessions led by one person minus fewest (of those who led)
    takeaways_shared: int | None
    takeaways_kept: int | None
    takeaways_anonymous: int | None  # of those shared, with no name: opened from the team's totals
    thanks: int | None
    thanked: int | None  # how many different people were thanked


def session_facts(records: Iterable[Record]) -> tuple[SessionFact, ...]:
    """The sessions among `records`, each with the takeaways and thanks left after it, by date."""
    found: dict[str, Session] = {}
    left: list[Record] = []
    for r in records:
        if r.deleted:
            continue
        if r.kind == "session":
            found[r.id] = Session.from_payload(r.date, r.payload)
        elif r.kind in ("takeaway", "thanks"):
            left.append(r)
    shared: dict[str, int] = {}
    kept: dict[str, int] = {}
    thanks: dict[str, set[tuple[str, str]]] = {}
    for r in left:
        sid = str(r.payload.get("session", ""))
        session = found.get(sid)
        if session is None:
            continue
        room = {n.casefold() for n in session.room}
        author = str(r.payload.get("member", "")).casefold()
        if author not in room:
            continue
        if r.kind == "thanks":
            to = str(r.payload.get("to", "")).casefold()
            if to in room and to != author:
                thanks.setdefault(sid, set()).add((author, to))
        elif r.payload.get("share") == TEAM:
            shared[sid] = shared.get(sid, 0) + 1
        else:
            kept[sid] = kept.get(sid, 0) + 1
    return tuple(sorted((SessionFact(s.kind, s.date, s.event, s.facilitator, s.members,
                                     s.attended if s.ended_at is not None else (), shared.get(sid, 0),
                                     kept.get(sid, 0), tuple(sorted(thanks.get(sid, ()))))
                         for sid, s in found.items()), key=lambda f: (f.date, f.kind, f.event, f.members)))


def session_stats(facts: Iterable[SessionFact], target: float, anonymous: int = 0) -> SessionStats:
    """One period's figures from its sessions, and the `anonymous` takeaways its days' totals opened.

    A takeaway left with no name travels only in its author's contribution
    to a day's totals (docs/aggregation.md) and opens there, on some day
    after its session, with no tie to the session: it is counted by the
    period of the day that opened it, among the takeaways shared.
    """
    held = list(facts)
    ended = [f for f in held if f.attended]
    seated = sum(len(f.members) for f in ended)
    attended = sum(len(f.attended) for f in ended)
    led: dict[str, int] = {}
    for f in held:
        led[f.facilitator.casefold()] = led.get(f.facilitator.casefold(), 0) + 1
    pairs = [p for f in held for p in f.thanks]
    return SessionStats(
        circles=sum(1 for f in held if f.kind == CIRCLE), debriefs=sum(1 for f in held if f.kind == DEBRIEF),
        events=tuple(f"{f.date} {f.event}" for f in held if f.kind == DEBRIEF),
        seated=seated, attended=attended, attendance=attended / seated if seated else None, target=target,
        facilitators=len(led), facilitation_spread=max(led.values()) - min(led.values()) if led else None,
        takeaways_shared=shown_count(sum(f.shared for f in held) + anonymous),
        takeaways_kept=shown_count(sum(f.kept for f in held)),
        takeaways_anonymous=shown_count(anonymous),
        thanks=shown_count(len(pairs)), thanked=shown_count(len({to for _, to in pairs})))


def fact_to_json(f: SessionFact) -> list[Any]:
    """A fact as the report's kept month holds it."""
    return [f.kind, f.date, f.event, f.facilitator, list(f.members), list(f.attended), f.shared, f.kept,
            [list(p) for p in f.thanks]]


def fact_from_json(d: list[Any]) -> SessionFact:
    """A fact back from fact_to_json's (this machine's own kept file)."""
    return SessionFact(str(d[0]), str(d[1]), str(d[2]), str(d[3]), tuple(map(str, d[4])),
                       tuple(map(str, d[5])), int(d[6]), int(d[7]), tuple((str(a), str(b)) for a, b in d[8]))
