"""Buddy and coffee rounds kept in the shared folder: read, made when missing, marked met or skipped.

Showing a round never writes: with no record yet, the round is computed as
any machine would make it and shown unsaved. It is saved only on a write —
`huddle pairs make`, `--post`, `met` / `skip`, or the app's lobby.

A round is one record (kind `pairs`) whose id every machine derives from the
team, the track and the round's Monday, and whose `written_at` is that date:
two machines that make the same round at once compute the same groups from
the same records (rules/pairing.py) and so write byte-identical files under
the same name. Should they have read different records (a mark not yet
synced), the two versions differ and the folder's merge rule (highest
version, then written_at, then checksum) picks the same one on every machine.
Once a round's record exists it is the answer; nothing recomputes it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from operator import attrgetter
from typing import NamedTuple

from huddle_tui.config.team import Member, TeamConfig
from huddle_tui.errors import RefusedError, UsageError
from huddle_tui.journal import Journal
from huddle_tui.model.ids import named_id
from huddle_tui.model.pairs import MARKS, PairMark, PairRound, PastRound, Track
from huddle_tui.rules.pair_figures import round_id, rounds_from
from huddle_tui.rules.pairing import GAP_CAP_WEEKS, Candidate, choose, round_monday

HISTORY_WEEKS = GAP_CAP_WEEKS + 1  # older rounds weigh the same as none: no need to read them


class RoundView(NamedTuple):
    """A round as a command shows it: the record's round, whether it was made just now, the marks."""

    round: PairRound
    created: bool
    saved: bool
    marks: dict[str, str]  # casefolded member → "met" or "skip"


def mark_id(team: TeamConfig, track: str, monday: date, member: str) -> str:
    """A member's mark's record id for a round: one per member, so each file has one writer."""
    return named_id("pairmark", team.name, track, monday.isoformat(), member)


def monday_of(team: TeamConfig, track: str, day: date) -> date:
    """The Monday of the round covering `day`, by the track's cadence."""
    return round_monday(day, team.pairs.cadence_of(track))


def taking_part(team: TeamConfig, monday: date, opted: Callable[[Member], bool] = attrgetter("pairs"),
                ) -> list[Member]:
    """Opted-in members there for the round: joined and not away for most of its week's working days.

    `opted` says who opted in: buddies (`pairs`) by default, or circles.
    """
    week = [monday + timedelta(days=i) for i in range(7)]
    workdays = [d for d in week if team.is_workday(d)]
    out = []
    for m in team.members:
        if not opted(m):
            continue
        if workdays:
            present = sum(1 for d in workdays if m.is_expected(d))
            if 2 * present >= len(workdays) and present:
                out.append(m)
        elif m.is_expected(monday):
            out.append(m)
    return out


def utc_offset(zone: str | None, monday: date) -> float | None:
    """A time zone's UTC offset in hours at noon UTC on the round's Monday (None if unknown)."""
    if not zone:
        return None
    try:
        from datetime import UTC
        from zoneinfo import ZoneInfo

        moment = datetime(monday.year, monday.month, monday.day, 12, tzinfo=UTC)
        offset = moment.astimezone(ZoneInfo(zone)).utcoffset()
    except (ValueError, KeyError, OSError, ImportError):
        return None
    return None if offset is None else offset.total_seconds() / 3600


def past_rounds(journal: Journal, track: str, before: date,
                weeks: int | None = HISTORY_WEEKS) -> list[PastRound]:
    """The track's earlier rounds with their marks, from `weeks` back (all when None)."""
    since = None if weeks is None else (before - timedelta(weeks=weeks)).isoformat()
    until = (before - timedelta(days=1)).isoformat()
    history = journal.shared.read(("pairs", "pairmark"), since=since, until=until)
    return rounds_from(journal.team, history.records.values())[track]


def compute(journal: Journal, track: Track, monday: date) -> PairRound:
    """The round's groups from the team, the Monday and the earlier rounds (no record written)."""
    team = journal.roster()
    people = [Candidate(m.name, frozenset(i.casefold() for i in m.interests), utc_offset(m.timezone, monday))
              for m in taking_part(team, monday)]
    grouping = choose(people, past_rounds(journal, track, monday), monday,
                      cooldown_weeks=team.pairs.cooldown_weeks, group_size=team.pairs.group_size,
                      salt=f"{team.name.casefold()}\x1f{track}\x1f{monday.isoformat()}")
    return PairRound(track, monday.isoformat(), grouping.groups, grouping.cooldown)


def stored(journal: Journal, track: str, monday: date) -> PairRound | None:
    """The round's record, if some machine made it already (its own files only, not the month)."""
    found = _stored(journal, track, monday)
    return found[0] if found else None


def _stored(journal: Journal, track: str, monday: date) -> tuple[PairRound, int] | None:
    """The round's record and its version, if some machine made it already."""
    rid = round_id(journal.team, track, monday)
    record = journal.shared.read_ids("pairs", monday.isoformat(), (rid,)).records.get(rid)
    if record is None or record.deleted:
        return None
    return PairRound.from_payload(record.date, record.payload), record.version


def marks_for(journal: Journal, track: str, monday: date, names: list[str]) -> dict[str, str]:
    """What the round's members said of it: casefolded name → met or skip."""
    ids = {mark_id(journal.team, track, monday, n): n for n in names}
    found = journal.shared.read_ids("pairmark", monday.isoformat(), ids).records
    out = {}
    for rid, record in found.items():
        if not record.deleted and rid in ids:
            out[ids[rid].casefold()] = PairMark.from_payload(record.date, record.payload).mark
    return out


def this_round(journal: Journal, track: Track, day: date, *, today: date, save: bool) -> RoundView:
    """The round covering `day`: its record, or made now — and saved only when `save` is asked.

    `save` has no default so every caller says whether it is a read (the
    same groups, nothing written) or a write (kept for everyone, unless the
    round is still to come or pairs nobody).
    """
    monday = monday_of(journal.team, track, day)
    kept = _stored(journal, track, monday)
    found = kept[0] if kept else None
    created = saved = False
    if found is None or not found.groups:
        # No round yet, or one made before two people opted in: an empty round is never kept, so
        # people who opt in later in the week are paired (the same on every machine, as made here).
        found = compute(journal, track, monday)
        created = True
        if save and monday <= today and found.groups:
            journal.save_record("pairs", round_id(journal.team, track, monday), monday.isoformat(),
                                found.to_payload(), dated_only=True,
                                version=kept[1] + 1 if kept else 1)  # never edited once it pairs anyone
            saved = True
    names = [n for g in found.groups for n in g]
    return RoundView(found, created, saved, marks_for(journal, track, monday, names))


def save_mark(journal: Journal, track: Track, day: date, member: str, mark: str, *, today: date) -> PairRound:
    """Record a member's "met" or "skip" for the round covering `day`."""
    if mark not in MARKS:
        raise UsageError(f"a mark is met or skip, not {mark!r}")
    entry = journal.team.member(member)
    if entry is None:
        raise UsageError(f"unknown member {member!r} (not on the roster of {journal.team.name})")
    view = this_round(journal, track, day, today=today, save=True)
    if not view.saved and view.created:
        raise RefusedError(f"the round of {view.round.monday} has not started yet")
    if view.round.group_of(entry.name) is None:
        raise RefusedError(f"{entry.name} is in no group in the {track} round of {view.round.monday}")
    monday = date.fromisoformat(view.round.monday)
    journal.save_record("pairmark", mark_id(journal.team, track, monday, entry.name), view.round.monday,
                        PairMark(track, view.round.monday, entry.name, mark).to_payload())
    return view.round


def lobby_text(journal: Journal, today: date) -> str:
    """The lobby's line: this week's buddy groups (names only: no marks, safe for a shared screen).

    Made and saved here when no machine has made the round yet, as `huddle pairs make` would:
    the app is a write session.
    """
    if sum(1 for m in journal.team.members if m.pairs) < 2:
        return ""
    view = this_round(journal, "buddy", today, today=today, save=True)
    if not view.round.groups:
        return "Buddies this week: nobody to pair (fewer than 2 opted in and here)"
    return "Buddies this week: " + " · ".join(" + ".join(g) for g in view.round.groups)
