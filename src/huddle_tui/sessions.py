"""Peer circles' and debriefs' sessions: what one would be, and what it records, sealed to the room.

A session is the circle of `me` for this round (circles.py), or a debrief
for the whole team or chosen people after an event. Working out what the
session would be (`circle_plan`, `debrief_plan`) reads and writes nothing;
running one records it (kind `session`: the room, facilitator, order and the
timed turns, as the pulse records a huddle) — that a session was held, when,
and who was in it, is for everyone; nothing said in it is.

After the session each member may leave a takeaway (kind `takeaway`): kept
in the room, it is sealed to the room's keys as circle notes are
(sealed.py), so nobody outside opens it; shared with the team, it is named.
Shared anonymously, it is never a record in the shared folder at all: a
file is linked to its writer by the folder, the sync tool and git, and a
room of four to six is too small to hide in. So it is allowed only in a
team whose anonymous answers travel as totals (`[privacy] anonymous =
"totals"`): it waits on its author's machine (totals/takeaways.py) and
travels, words only, inside their next check-in's masked contribution,
in a section of its own that opens only once K members left one that day
(docs/aggregation.md). A member may also thank someone in the room
(kind `thanks`): who thanked whom is counted in the report, never ranked.
"""

from __future__ import annotations

from datetime import date, timedelta
from operator import attrgetter
from typing import NamedTuple

from huddle_tui.config.team import TeamConfig
from huddle_tui.errors import CorruptRecord, RefusedError, UsageError
from huddle_tui.journal import Journal
from huddle_tui.model.circles import PastCircles
from huddle_tui.model.ids import named_id, random_id
from huddle_tui.model.sessions import (
    ANONYMOUS,
    CIRCLE,
    DEBRIEF,
    MAX_EVENT_CHARS,
    ROOM,
    SHARES,
    TEAM,
    Session,
    prompts_of,
)
from huddle_tui.rules.circling import seat
from huddle_tui.text import clean_text

MAX_TAKEAWAY_CHARS = 280
ANONYMOUS_NEEDS_TOTALS = (
    "an anonymous takeaway needs the team's totals mode ([privacy] anonymous = \"totals\"): this team keeps "
    "anonymous answers as records; keep it in the room or share it with your name (--team); nothing saved")
"""The one line refusing an anonymous takeaway where anonymous answers are records of their own."""
MAX_DEBRIEF_MINUTES = 90
FACILITATION_WEEKS = 53  # debriefs led longer ago than a year weigh as never
SMALLEST_ROOM = 2
LARGEST_ROOM = 200  # the session record's limit (storage/validate.py)


class SessionPlan(NamedTuple):
    """What a session would be: its kind, day, room, facilitator, speaking order, prompts and length."""

    kind: str
    day: date
    members: tuple[str, ...]
    facilitator: str
    order: tuple[str, ...]
    minutes: int
    round: str = ""  # a circle's round (its Monday)
    event: str = ""  # a debrief's event
    absent: tuple[str, ...] = ()  # in the room but away today: their turn starts skipped

    @property
    def prompts(self) -> tuple[str, ...]:
        """The prompts each speaker answers."""
        return prompts_of(self.kind)

    @property
    def date(self) -> str:
        """The session record's date: a circle's round (its Monday, as its notes), a debrief's day."""
        return self.round if self.kind == CIRCLE else self.day.isoformat()

    def session(self, started_at: str | None = None) -> Session:
        """The record of this session before anyone spoke."""
        return Session(self.kind, self.date, self.facilitator, self.members, self.order,
                       self.round, self.event, (), self.minutes * 60.0, started_at)

    def to_json(self) -> dict[str, object]:
        """As `huddle circle --json` and `huddle debrief --json` print it."""
        out: dict[str, object] = {"kind": self.kind, "date": self.day.isoformat(),
                                  "members": list(self.members), "facilitator": self.facilitator,
                                  "order": list(self.order), "prompts": list(self.prompts),
                                  "minutes": self.minutes, "absent": list(self.absent)}
        if self.kind == CIRCLE:
            out["week"] = self.round
        else:
            out["event"] = self.event
        return out


def me_of(journal: Journal) -> str:
    """Who is at this terminal (sessions and what is left after them are signed as theirs), or one line."""
    if journal.me is None:
        raise UsageError("set `me` first (huddle init --me NAME): a session is opened as someone's")
    return journal.me


def _away(team: TeamConfig, members: tuple[str, ...], day: date) -> tuple[str, ...]:
    """Those of the room not expected on `day` (away, or not joined yet)."""
    out = []
    for name in members:
        found = team.member(name)
        if found is None or not found.is_expected(day):
            out.append(name)
    return tuple(out)


def circle_plan(journal: Journal, day: date, *, today: date, save: bool = False) -> SessionPlan:
    """`me`'s circle in the round covering `day`, as `huddle circles` shows it (saved only with `save`)."""
    from huddle_tui import circles

    me = me_of(journal)
    view = circles.this_round(journal, day, today=today, save=save)
    circle = view.round.circle_of(me)
    if circle is None:
        raise RefusedError(f"{me} is in no circle in the round of {view.round.monday} "
                           "(opt in with `circles = true` in huddle.toml; `huddle circles` shows the round)")
    if save and view.created and not view.saved:
        raise RefusedError(f"the round of {view.round.monday} has not started yet")
    team = journal.roster()
    return SessionPlan(CIRCLE, day, circle.members, circle.facilitator, circle.order, team.circles.minutes,
                       round=view.round.monday, absent=_away(team, circle.members, day))


def event_name(text: str) -> str:
    """A debrief's event name, checked like every line of text a person types."""
    name = clean_text(text, "--event", MAX_EVENT_CHARS, allow_empty=False)
    if not name.isprintable():
        raise UsageError("--event: only printable characters")
    return name


def debrief_plan(journal: Journal, day: date, event: str, members: list[str] | None = None,
                 minutes: int | None = None) -> SessionPlan:
    """A debrief after `event` for the chosen members (default: everyone joined by `day`); a read.

    The facilitator is whoever of the room led a debrief least recently
    (never counts as longest ago), then fewest times — the circles' rule
    (rules/circling.seat) — and speaks first.
    """
    team = journal.roster()
    name = event_name(event)
    if members is None:
        room = [m.name for m in team.members if m.has_joined(day)]
    else:
        room = []
        for wanted in members:
            found = team.member(wanted.strip())
            if found is None:
                raise UsageError(f"--members: {wanted.strip()!r} is not on the team")
            if found.name not in room:
                room.append(found.name)
    if not SMALLEST_ROOM <= len(room) <= LARGEST_ROOM:
        raise UsageError(f"a debrief is for {SMALLEST_ROOM} to {LARGEST_ROOM} people (--members names them)")
    if minutes is None:
        minutes = max(team.circles.minutes, min(MAX_DEBRIEF_MINUTES, 2 * len(room)))
    if not 1 <= minutes <= MAX_DEBRIEF_MINUTES:
        raise UsageError(f"--minutes: expected 1 to {MAX_DEBRIEF_MINUTES}")
    ordered = tuple(sorted(room, key=lambda n: (n.casefold(), n)))
    past = [PastCircles(date.fromisoformat(s.date), (), (s.facilitator,))
            for s in held(journal, day - timedelta(weeks=FACILITATION_WEEKS), day - timedelta(days=1))
            if s.kind == DEBRIEF]
    salt = f"{team.name.casefold()}\x1fdebrief\x1f{day.isoformat()}\x1f{name.casefold()}"
    circle = seat([ordered], past, day, salt)[0]
    return SessionPlan(DEBRIEF, day, circle.members, circle.facilitator, circle.order, minutes, event=name,
                       absent=_away(team, circle.members, day))


# ------------------------------------------------------------ records


class Held(NamedTuple):
    """A session as read back: its record id and the session."""

    id: str
    session: Session

    @property
    def kind(self) -> str:
        """Circle or debrief."""
        return self.session.kind

    @property
    def date(self) -> str:
        """The day it was held."""
        return self.session.date

    @property
    def facilitator(self) -> str:
        """Who led it."""
        return self.session.facilitator


def held(journal: Journal, since: date, until: date) -> list[Held]:
    """Sessions recorded from `since` to `until` (trusted records only), oldest first; a read."""
    history = journal.shared.read(("session",), since=since.isoformat(), until=until.isoformat())
    return [Held(r.id, Session.from_payload(r.date, r.payload)) for r in history.live("session")]


def session_id(team: TeamConfig, plan: SessionPlan) -> str:
    """The session's record id, the same on every machine: one a circle a round, one a debrief an event a day.

    Two members opening the same circle write versions of one record, so a
    circle is counted held once, whoever ran it.
    """
    if plan.kind == CIRCLE:
        return named_id("session", team.name, CIRCLE, plan.round, *sorted(n.casefold() for n in plan.members))
    return named_id("session", team.name, DEBRIEF, plan.day.isoformat(), plan.event)


def save(journal: Journal, session: Session, rid: str) -> None:
    """Record a session: a new version of its own record each time (at its start, and with its turns)."""
    journal.save_record("session", rid, session.date, session.to_payload())


def recorded(journal: Journal, plan: SessionPlan) -> tuple[str, Session]:
    """The session `plan` describes, as recorded (its id and record); one line when it was not held yet."""
    sid = session_id(journal.team, plan)
    record = journal.shared.read_ids("session", plan.date, (sid,)).records.get(sid)
    if record is None or record.deleted:
        what = (f"the circle of the round of {plan.round}" if plan.kind == CIRCLE
                else f"the debrief {plan.event!r}")
        raise RefusedError(f"{what} has not been held yet (it is recorded when its session opens)")
    return sid, Session.from_payload(record.date, record.payload)


def _in(name: str, names: tuple[str, ...]) -> str | None:
    """`name` as `names` spells it, if it is one of them."""
    return next((n for n in names if n.casefold() == name.casefold()), None)


def takeaway_context(team: TeamConfig, sid: str, room: tuple[str, ...], author: str, rid: str) -> bytes:
    """What a sealed takeaway belongs to, bound in so its boxes open nowhere else."""
    parts = ("huddle takeaway", team.name.casefold(), sid, *sorted(n.casefold() for n in room),
             author.casefold(), rid)
    return "\x1f".join(parts).encode()


class Kept(NamedTuple):
    """A takeaway just saved: its id, who it reaches, and members of the room it could not be sealed to."""

    id: str
    share: str
    readers: tuple[str, ...]
    unreadable_by: tuple[str, ...]


def save_takeaway(journal: Journal, sid: str, session: Session, text: str, share: str) -> Kept:
    """`me`'s takeaway from a session: sealed to the room (ROOM), named for the team (TEAM), or ANONYMOUS.

    Kept in the room or named, it is a signed record; anonymous, it is kept
    on this machine only and goes into the team's totals with `me`'s next
    check-in (refused, with one line, in a team not in the totals mode).
    """
    from huddle_tui.circles import room_keys
    from huddle_tui.sealed import MAX_RECIPIENTS, seal_text

    me = me_of(journal)
    if share not in (*SHARES, ANONYMOUS):
        raise UsageError(f"a takeaway is kept in the room or shared with the team, not {share!r}")
    if share == ANONYMOUS and not journal.team.in_totals:
        raise RefusedError(ANONYMOUS_NEEDS_TOTALS)
    words = clean_text(text, "takeaway", MAX_TAKEAWAY_CHARS, allow_empty=False)
    room = session.room
    author = _in(me, room)
    if author is None:
        raise RefusedError(f"{me} was not in this {session.kind}: only its room leaves takeaways")
    if share == ANONYMOUS:
        from huddle_tui.totals import takeaways

        waiting = takeaways.keep(journal.private, journal.team, author, journal.date_now().isoformat(), words)
        return Kept(waiting.id, ANONYMOUS, (), ())
    rid = random_id()
    payload: dict[str, object] = {"member": author, "session": sid, "type": session.kind,
                                  "members": list(room), "share": share}
    if share == TEAM:
        journal.save_record("takeaway", rid, session.date, {**payload, "text": words})
        return Kept(rid, share, tuple(m.name for m in journal.team.members), ())
    keys, missing = room_keys(journal, room)
    if len(set(keys)) > MAX_RECIPIENTS:
        raise RefusedError(f"this room has {len(set(keys))} keys, more than a sealed takeaway can name "
                           f"({MAX_RECIPIENTS}): share it with the team (--team) or keep it to yourself")
    sealed = seal_text(words, keys, takeaway_context(journal.team, sid, room, author, rid))
    journal.save_record("takeaway", rid, session.date, {**payload, "sealed": sealed.to_payload()})
    return Kept(rid, share, tuple(n for n in room if n not in missing), tuple(missing))


def save_thanks(journal: Journal, sid: str, session: Session, to: str) -> str:
    """`me` thanks someone in the room (once per session and person: again is the same record)."""
    me = me_of(journal)
    room = session.room
    author, thanked = _in(me, room), _in(to, room)
    if author is None:
        raise RefusedError(f"{me} was not in this {session.kind}")
    if thanked is None or thanked.casefold() == author.casefold():
        raise UsageError(f"thank someone else in the room: {', '.join(n for n in room if n != author)}")
    rid = named_id("thanks", journal.team.name, sid, author, thanked)
    journal.save_record("thanks", rid, session.date, {"member": author, "session": sid, "type": session.kind,
                                                       "to": thanked})
    return rid


class Takeaway(NamedTuple):
    """A takeaway as this machine reads it: who left it, kept or shared, and its text if it opens here."""

    id: str
    author: str
    share: str
    text: str | None  # None: kept in a room this machine's key is not in


def takeaways(journal: Journal, sid: str, session: Session) -> list[Takeaway]:
    """A session's takeaways, oldest first, those kept in the room opened where this machine's key can.

    A read: no key is made or published, nothing is written. One left by
    someone outside the room, or sealed to another room, is set aside.
    """
    from huddle_tui.sealed import Sealed, open_text

    room = tuple(session.room)
    folded = {n.casefold() for n in room}
    history = journal.shared.read(("takeaway",), since=session.date, until=session.date)
    secret = journal.agreement_secret()
    out = []
    for r in sorted(history.live("takeaway"), key=attrgetter("written_at", "id")):
        p = r.payload
        author = str(p.get("member", ""))
        if p.get("session") != sid or author.casefold() not in folded:
            continue
        if p.get("share") == TEAM:
            out.append(Takeaway(r.id, author, TEAM, str(p.get("text", ""))))
            continue
        sealed_to = tuple(str(n) for n in p.get("members", ()))
        if {n.casefold() for n in sealed_to} != folded:
            continue
        text = None
        if secret is not None:
            try:
                sealed = Sealed.from_payload(p.get("sealed"))
            except CorruptRecord:
                sealed = None
            if sealed is not None:
                text = open_text(sealed, secret, takeaway_context(journal.team, sid, sealed_to, author, r.id))
        out.append(Takeaway(r.id, author, ROOM, text))
    return out

