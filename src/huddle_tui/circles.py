"""Peer-circle rounds kept in the shared folder: read, or formed when missing and saved on a write.

Showing a round never writes: with no record yet, the round is formed as any
machine would form it and shown unsaved. It is saved only on a write —
`huddle circles make`. As with buddy rounds (pairs.py), a round is one
record (kind `circles`) whose id every machine derives from the team and the
round's Monday and whose `written_at` is that date, so two machines that
make the same round at once from the same records write the same bytes
under the same name. Once a round's record exists it is the answer.
"""

from __future__ import annotations

from datetime import date, timedelta
from operator import attrgetter
from typing import NamedTuple

from huddle_tui.config.team import TeamConfig
from huddle_tui.journal import Journal
from huddle_tui.model.circles import CircleRound, PastCircles
from huddle_tui.model.ids import named_id
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
