"""Peer-circle rounds kept in the shared folder: read, or formed when missing and saved on a write.

Showing a round never writes: with no record yet, the round is formed as any
machine would form it and shown unsaved. It is saved only on a write —
`huddle circles make`. As with buddy rounds (pairs.py), a round is one
record (kind `circles`) whose id every machine derives from the team and the
round's Monday and whose `written_at` is that date, so two machines that
make the same round at once from the same records write the same bytes
under the same name. Once a round's record exists it is the answer.

What a circle says is kept as notes (kind `circlenote`), each sealed to the
keys of the circle's members (sealed.py): the folder shows that a note was
written, by whom, for which circle and when, and nothing it says.
"""

from __future__ import annotations

from datetime import date, timedelta
from operator import attrgetter
from typing import NamedTuple

from huddle_tui.config.team import TeamConfig
from huddle_tui.errors import CorruptRecord, RefusedError, UsageError
from huddle_tui.journal import Journal
from huddle_tui.model.circles import Circle, CircleRound, PastCircles
from huddle_tui.model.ids import named_id, random_id
from huddle_tui.pairs import taking_part
from huddle_tui.rules.circling import GAP_CAP_WEEKS, Person, form, seat
from huddle_tui.rules.pairing import round_monday

HISTORY_WEEKS = GAP_CAP_WEEKS + 1  # older rounds weigh as none; facilitation that old is "long ago"


class CirclesView(NamedTuple):
    """A round as a command shows it: the record's round, whether it was formed just now, and saved."""

    round: CircleRound
    created: bool
    saved: bool


def round_id(team: TeamConfig, monday: date) -> str:
    """The round's record id, the same on every machine."""
    return named_id("circles", team.name, monday.isoformat())


def monday_of(team: TeamConfig, day: date) -> date:
    """The Monday of the round covering `day`, by the circles' cadence."""
    return round_monday(day, team.circles.cadence)


def past_rounds(journal: Journal, before: date) -> list[PastCircles]:
    """The earlier rounds kept in the shared folder (under their own ids only), oldest first."""
    since = (before - timedelta(weeks=HISTORY_WEEKS)).isoformat()
    until = (before - timedelta(days=1)).isoformat()
    history = journal.shared.read(("circles",), since=since, until=until)
    out = []
    for r in sorted(history.live("circles"), key=attrgetter("date", "id")):
        monday = date.fromisoformat(r.date)
        if r.id != round_id(journal.team, monday):
            continue  # a round under any id but its own is nobody's answer
        found = CircleRound.from_payload(r.date, r.payload)
        out.append(PastCircles(monday, tuple(c.members for c in found.circles),
                               tuple(c.facilitator for c in found.circles)))
    return out


def compute(journal: Journal, monday: date) -> CircleRound:
    """The round's circles from the team, the Monday and the earlier rounds (no record written)."""
    team = journal.roster()
    people = [Person(m.name, m.group) for m in taking_part(team, monday, attrgetter("circles"))]
    past = past_rounds(journal, monday)
    salt = f"{team.name.casefold()}\x1fcircles\x1f{monday.isoformat()}"
    formed = form(people, past, monday, cooldown_weeks=team.circles.cooldown_weeks, size=team.circles.size,
                  salt=salt)
    return CircleRound(monday.isoformat(), seat(formed.circles, past, monday, salt), formed.cooldown)


def stored(journal: Journal, monday: date) -> CircleRound | None:
    """The round's record, if some machine made it already."""
    found = _stored(journal, monday)
    return found[0] if found else None


def _stored(journal: Journal, monday: date) -> tuple[CircleRound, int] | None:
    """The round's record and its version, if some machine made it already."""
    rid = round_id(journal.team, monday)
    record = journal.shared.read_ids("circles", monday.isoformat(), (rid,)).records.get(rid)
    if record is None or record.deleted:
        return None
    return CircleRound.from_payload(record.date, record.payload), record.version


def this_round(journal: Journal, day: date, *, today: date, save: bool) -> CirclesView:
    """The round covering `day`: its record, or formed now — and saved only when `save` is asked.

    A round still to come, or one that seats nobody, is never saved: people
    who opt in later that week are still seated.
    """
    monday = monday_of(journal.team, day)
    kept = _stored(journal, monday)
    if kept is not None and kept[0].circles:
        return CirclesView(kept[0], False, False)
    found = compute(journal, monday)
    saved = False
    if save and monday <= today and found.circles:
        journal.save_record("circles", round_id(journal.team, monday), monday.isoformat(), found.to_payload(),
                            dated_only=True, version=kept[1] + 1 if kept else 1)
        saved = True
    return CirclesView(found, True, saved)


class Note(NamedTuple):
    """A circle's note as this machine reads it: who wrote it, when, for whom, and the text if it opens."""

    id: str
    date: str
    author: str
    round: str
    members: tuple[str, ...]
    text: str | None  # None: not sealed to this machine's key (or not openable)


class NoteSaved(NamedTuple):
    """A note just saved: its record id, the circle it was sealed to, and members who could not be."""

    id: str
    circle: Circle
    unreadable_by: tuple[str, ...]  # members with no key this machine trusts: they cannot open it


def note_context(team: TeamConfig, round_: str, members: tuple[str, ...], author: str, rid: str) -> bytes:
    """What a sealed note belongs to, bound in so its boxes open nowhere else."""
    parts = ("huddle circle note", team.name.casefold(), round_, *sorted(m.casefold() for m in members),
             author.casefold(), rid)
    return "\x1f".join(parts).encode()


def save_note(journal: Journal, day: date, text: str, *, today: date) -> NoteSaved:
    """Seal `text` to the members of `me`'s circle in the round covering `day`, and save it, signed.

    The round is recorded first if no machine has yet (a note is a write).
    Who can read it is fixed now: the circle's members on the roster, by
    every key this machine trusts as theirs.
    """
    from huddle_tui.sealed import MAX_TEXT_BYTES, seal_text

    me = journal.me
    if me is None:
        raise UsageError("set `me` first (huddle init --me NAME): a note is sealed and signed as someone's")
    text = text.strip()
    if not text or len(text.encode("utf-8")) > MAX_TEXT_BYTES:
        raise UsageError(f"a note is 1 to {MAX_TEXT_BYTES} bytes of text")
    view = this_round(journal, day, today=today, save=True)
    if view.created and not view.saved:
        raise RefusedError(f"the round of {view.round.monday} has not started yet")
    circle = view.round.circle_of(me)
    if circle is None:
        raise RefusedError(f"{me} is in no circle in the round of {view.round.monday}")
    keys, missing = room_keys(journal, circle.members)
    rid = random_id()
    sealed = seal_text(text, keys, note_context(journal.team, view.round.monday, circle.members, me, rid))
    journal.save_record("circlenote", rid, view.round.monday,  # filed under its round: read with it
                        {"member": me, "round": view.round.monday, "members": list(circle.members),
                         "sealed": sealed.to_payload()})
    return NoteSaved(rid, circle, tuple(missing))


def room_keys(journal: Journal, members: tuple[str, ...]) -> tuple[list[bytes], list[str]]:
    """The X25519 keys to seal to for a room: every key this machine trusts for each member on the roster
    (this machine's own included, made and published if need be), and the members with none.
    """
    from huddle_tui.sealed import recipient_keys
    from huddle_tui.storage.signature import agreement_public

    key = journal.signing_key()
    assert key is not None and journal.me is not None
    found = journal.authorship()
    trusted = {**(found.trusted if found is not None else {}), key.public: journal.me.casefold()}
    roster = [m.name.casefold() for m in journal.team.members]
    return recipient_keys(members, trusted, roster, agreement_public)


def read_notes(journal: Journal, day: date) -> list[Note]:
    """The notes of the round covering `day`, oldest first, opened where this machine's key can.

    A read: no key is made or published, nothing is written. Notes whose
    author's key this machine does not trust are set aside by the read
    itself (rules/authorship.py), as every record is; so is a note whose
    author sat in no circle of the recorded round with those members.
    """
    from huddle_tui.sealed import Sealed, open_text

    monday = monday_of(journal.team, day)
    kept = _stored(journal, monday)
    circles = {frozenset(n.casefold() for n in c.members) for c in kept[0].circles} if kept else set()
    secret = journal.agreement_secret()
    iso = monday.isoformat()
    history = journal.shared.read(("circlenote",), since=iso, until=iso)
    out = []
    for r in sorted(history.live("circlenote"), key=attrgetter("date", "id")):
        if r.payload.get("round") != iso or r.date != iso:
            continue
        members = tuple(str(n) for n in r.payload.get("members", ()))
        author = str(r.payload.get("member", ""))
        folded = frozenset(n.casefold() for n in members)
        if folded not in circles or author.casefold() not in folded:
            continue
        text = None
        if secret is not None:
            try:
                sealed = Sealed.from_payload(r.payload.get("sealed"))
            except CorruptRecord:
                sealed = None
            if sealed is not None:
                text = open_text(sealed, secret, note_context(journal.team, iso, members, author, r.id))
        out.append(Note(r.id, r.date, author, iso, members, text))
    return out
