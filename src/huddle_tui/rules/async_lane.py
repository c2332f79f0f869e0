"""The async lane: who checked in before the round, so their turn is read out in 10 seconds.

A member asleep at huddle time checks in from their terminal, a bot or the
form. Their check-in is *async* when it was given for the team's day before
the huddle: before the day's first round started, and before the team's
`huddle_at`, whichever comes first. The lobby shows who has; the round gives
their turn ASYNC_TURN_S (rules/roundclock.py) and shows what they said by name, for the
facilitator to read out; summaries and reports mark it.

Every machine must agree, so the rule reads only what the records say, never
a local clock: the check-in's `written_at` (in its signed body) against the
first round's `started_at` (in the huddle record) and the team's huddle time
(huddle.toml). Before any round has started and without a huddle time, every
check-in given so far is async. Only a check-in its member signed and gave
themselves counts (one keyed for them counts only from a bot, which is how
a member checks in through chat); one keyed on the round's shared screen, an
unsigned one from before keys, and an anonymous answer never do. A
placeholder (an anonymous or private answer's named stand-in) does: it says
only that its member checked in, never what they said.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from huddle_tui.config.team import TeamConfig
from huddle_tui.model.checkin import WITHHELD
from huddle_tui.rules.privacy import ROUND_SOURCE
from huddle_tui.storage.envelope import Record

BOT_SOURCE = "bot"
"""The source of a check-in a bot keyed for its member: theirs, though another machine signed it."""


def instant(stamp: object) -> datetime | None:
    """A record's UTC time ("2026-03-02T08:40:00.000000Z", "…:00Z") as an aware instant, or None."""
    if stamp.__class__ is not str or "T" not in str(stamp):
        return None  # an anonymous record's time is only its date
    try:
        found = datetime.fromisoformat(str(stamp))
    except ValueError:
        return None
    return found if found.tzinfo is not None else None


def cutoff(team: TeamConfig, day: date, huddles: Iterable[Record], started: datetime | None = None
           ) -> datetime | None:
    """The instant a check-in for `day` must be written before to be async (None: none known yet).

    The earliest of the team's huddle time that day, the start of each of
    the day's rounds recorded in `huddles`, and `started` (a round starting
    now, whose record may not be read back yet).
    """
    iso = day.isoformat()
    found = [t for t in (team.huddle_instant(day), started) if t is not None]
    found += [t for r in huddles if r.kind == "huddle" and r.date == iso and not r.deleted
              and (t := instant(r.payload.get("started_at"))) is not None]
    return min(found, default=None)


def is_async(record: Record, before: datetime | None) -> bool:
    """Whether a check-in record is an async one: its member's own, signed, written before `before`.

    With `before` None (no round started yet, no huddle time) every such
    check-in counts. Exactly at `before` it does not: the round had started.
    """
    p = record.payload
    if record.kind != "checkin" or record.deleted or not record.signer:
        return False
    if p.get("visibility", "team") not in ("team", WITHHELD) or p.get("member").__class__ is not str:
        return False
    source = p.get("source", "cli")
    if source == ROUND_SOURCE or (p.get("keyed_by") is not None and source != BOT_SOURCE):
        return False
    written = instant(record.written_at)
    return written is not None and (before is None or written < before)


def async_members(team: TeamConfig, day: date, records: Iterable[Record], started: datetime | None = None
                  ) -> frozenset[str]:
    """The members (casefolded names) whose check-in for `day` is async, from the day's records.

    `records` holds the day's live check-ins and huddles (others are
    ignored); `started` is a round starting now (see cutoff).
    """
    iso = day.isoformat()
    day_records = [r for r in records if r.date == iso and not r.deleted]
    before = cutoff(team, day, day_records, started)
    return frozenset(str(r.payload["member"]).casefold() for r in day_records if is_async(r, before))
