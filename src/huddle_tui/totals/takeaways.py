"""Takeaways shared anonymously: kept on their author's machine, carried by their next contributions.

A takeaway left "anonymous" after a circle or debrief is never a file of
its own in the shared folder (a file is linked to its writer by the folder,
the sync tool and git). Leaving one writes only a private record here
(`KIND`); the author's next own check-in carries its words, and nothing of
the session, in the takeaway section of that day's contribution
(aggregation/layout.py), which every contribution has, full or zeros.

One takeaway rides in a contribution (the one already carried that day
first, then the oldest waiting); more wait for the next. A takeaway is
carried on one day at a time, and never on two days that could both open it:

- while a day that carried it is not settled (its list not agreed, its
  counts not open), it waits, whatever check-ins come;
- a day that can never open it — its agreed list names another version of
  this member's contribution or none, fewer than K contributed, fewer than
  K members left a takeaway, a listed contribution is from before the
  section — sends it **again** with the next contribution;
- a day whose counts allow its takeaways to open has it for good
  (`given`): shown once the holders' reveals are in, or lost there if it
  landed in one slot with another. A lost takeaway is not sent again: its
  words would link the day's collided slot (which, minus its slot, opens
  the other one) to a second day's contributors, and the two days'
  contributors together could narrow its author to one person.

A day nobody settled within the steps' reach (steps.SETTLE_DAYS, with a
week's margin) never opens: its takeaway goes again. Everything here
reads the shared folder only; the private record changes on write paths
(a check-in) alone.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from datetime import date
from typing import NamedTuple

from huddle_tui.aggregation.dcnet import Text
from huddle_tui.aggregation.layout import TAKEAWAY_LAYOUT, plausible
from huddle_tui.aggregation.unmask import open_day, takeaways_may_open
from huddle_tui.config.team import TeamConfig
from huddle_tui.errors import RefusedError
from huddle_tui.model.ids import named_id, random_id
from huddle_tui.rules.privacy import K
from huddle_tui.storage.folder import FolderStore
from huddle_tui.totals.records import LAYOUT, Trusted, read_day
from huddle_tui.totals.steps import SETTLE_DAYS, closed

KIND = "anontakeaway"
"""The private record kind of a takeaway waiting to travel in the totals (never in the shared folder)."""
TAKEAWAY_KIND = 1
"""A takeaway's kind number in its slot: the section itself says it is a takeaway."""
WAITING, AGAIN, GIVEN = "waiting", "again", "given"
"""What became of a day that carried a takeaway: not settled yet; can never open it; has it for good."""
STALE_DAYS = SETTLE_DAYS + 7
"""Past this many days after a day nobody lists or reveals for it any more: it never opens."""


class Waiting(NamedTuple):
    """One anonymous takeaway as its author's machine keeps it."""

    id: str
    member: str
    words: str
    left: str
    carried: dict[str, tuple[str, ...]]
    """Each day that carried it, with the digests of this member's contributions of that day that did."""
    given: str = ""
    """The day whose totals have it for good ("" while it still travels)."""

    @property
    def text(self) -> Text:
        """The takeaway as its slot holds it: the words, nothing else."""
        return Text(TAKEAWAY_KIND, self.words.encode())

    def to_payload(self) -> dict[str, object]:
        """As the private record holds it."""
        return {"member": self.member, "text": self.words, "left": self.left,
                "carried": {d: list(v) for d, v in sorted(self.carried.items())}, "given": self.given,
                "visibility": "private", "in_totals": True}


def fits(words: str) -> None:
    """Refuse (RefusedError) words a takeaway slot cannot hold."""
    size = len(words.encode())
    if size > TAKEAWAY_LAYOUT.body_bytes:
        most = TAKEAWAY_LAYOUT.body_bytes
        raise RefusedError(f"an anonymous takeaway goes into the team's totals with at most {most} bytes "
                           f"(about {most} letters); this one has {size}: shorten it; nothing saved")


def keep(private: FolderStore, team: TeamConfig, member: str, day: str, words: str) -> Waiting:
    """Keep a new anonymous takeaway on this machine only, to travel with `member`'s next contribution."""
    fits(words)
    made = Waiting(named_id(KIND, str(team.shared_dir), member, random_id()), member, words, day, {})
    private.save(KIND, made.id, day, made.to_payload())
    return made


def kept(private: FolderStore, member: str) -> list[Waiting]:
    """`member`'s anonymous takeaways this machine keeps, oldest first (unreadable ones left out)."""
    out = []
    for record in private.read((KIND,)).live(KIND):
        p = record.payload
        try:
            if p.get("member") != member:
                continue
            carried = {str(d): tuple(str(x) for x in v) for d, v in dict(p.get("carried") or {}).items()}
            out.append(Waiting(record.id, member, str(p["text"]), str(p["left"]), carried,
                               str(p.get("given") or "")))
        except (KeyError, TypeError, ValueError):
            continue
    return sorted(out, key=lambda w: (w.left, w.id))


def save(private: FolderStore, waiting: Waiting) -> None:
    """Keep a changed takeaway (its next version)."""
    private.save(KIND, waiting.id, waiting.left, waiting.to_payload())


Placeholders = Callable[[date], frozenset[str]]


def fate(store: FolderStore, team: TeamConfig, me: str, day: date, digests: Collection[str], today: date,
         trusted: Trusted, placeholders: Placeholders) -> str:
    """What became of `day`, which carried a takeaway in `me`'s contributions `digests`: a read.

    GIVEN once the day's agreed list names one of them and its opened counts
    let its takeaways open (as every honest holder reveals); AGAIN when the
    day can never open it; WAITING while that is not known yet.
    """
    if not closed(team, day, today):
        return WAITING
    stale = (today - day).days > STALE_DAYS
    records = read_day(store, team, day.isoformat(), trusted)
    agreed = records.agreed()
    if len(agreed) > 1:
        return AGAIN  # two lists signed by t: nothing of the day is ever revealed
    if not agreed:
        return AGAIN if stale else WAITING
    day_list = agreed[0]
    if day_list.survivors.get(me) not in digests or len(day_list.survivors) < K:
        return AGAIN
    roster = records.roster_of(day_list)
    listed = records.listed(day_list)
    if roster is None:
        return AGAIN if stale else WAITING
    counts = open_day(day_list, listed, roster, records.reveals_for(day_list), LAYOUT).sections.get("counts")
    if counts is None:
        return AGAIN if stale else WAITING
    if not takeaways_may_open(counts, listed, day_list):
        return AGAIN  # fewer than K takeaway authors, or a contribution from before the section: for good
    if not plausible(counts, len(day_list.survivors)) or counts["answers"] > len(placeholders(day)):
        return AGAIN if stale else WAITING  # flagged (maybe a placeholder not here yet): no holder reveals
    return GIVEN


def settled(store: FolderStore, team: TeamConfig, waiting: Waiting, today: date, trusted: Trusted,
            placeholders: Placeholders, but: str = "") -> Waiting | None:
    """`waiting` as the days that carried it (but `but`) say: given, free to travel, or None (it waits)."""
    if waiting.given:
        return waiting
    free = True
    for day, digests in sorted(waiting.carried.items()):
        if day == but:
            continue
        found = fate(store, team, waiting.member, date.fromisoformat(day), digests, today, trusted,
                     placeholders)
        if found == GIVEN:
            return waiting._replace(given=day)
        if found == WAITING:
            free = False
    return waiting if free else None


def to_carry(store: FolderStore, private: FolderStore, team: TeamConfig, me: str, day: str, today: date,
             trusted: Trusted, placeholders: Placeholders) -> Waiting | None:
    """The takeaway `me`'s contribution for `day` carries, if any (a write path: notes a day that has one).

    The one this day already carried (a new version of the contribution
    carries it too), else the oldest that no other day may still open.
    """
    chosen = None
    for waiting in kept(private, me):
        now = settled(store, team, waiting, today, trusted, placeholders, but=day)
        if now is not None and now.given and not waiting.given:
            save(private, now)  # a write path: it went into that day's totals for good
        if now is None or now.given:
            continue
        if day in now.carried:
            return now
        if chosen is None:
            chosen = now
    return chosen


def note_carried(private: FolderStore, waiting: Waiting, day: str, digest: str) -> None:
    """Note, before the contribution is published, that it carries `waiting` (a crash then only delays it)."""
    carried = dict(waiting.carried)
    carried[day] = (*carried.get(day, ()), digest)
    save(private, waiting._replace(carried=carried))


SHOWN, LOST, OPENING = "shown", "lost", "opening"
"""A takeaway a day's totals have: among its opened takeaways; not among them (a collision); not open yet."""


class Mine(NamedTuple):
    """Where `me`'s anonymous takeaways stand, as `huddle circle takeaways` tells its author alone."""

    waiting: int
    given: tuple[tuple[str, str], ...]  # (day, words) of those a day's totals have for good


def shown_state(words: str, opened: tuple[str, ...] | None) -> str:
    """What became of a takeaway in its day's totals, given the takeaways they opened (None: not yet)."""
    if opened is None:
        return OPENING
    return SHOWN if words in opened else LOST


def mine(store: FolderStore, private: FolderStore, team: TeamConfig, me: str, today: date, trusted: Trusted,
         placeholders: Placeholders) -> Mine:
    """How many of `me`'s anonymous takeaways still wait, and which days' totals took the others (a read)."""
    waiting, given = 0, []
    for w in kept(private, me):
        now = settled(store, team, w, today, trusted, placeholders) or w
        if now.given:
            given.append((now.given, now.words))
        else:
            waiting += 1
    return Mine(waiting, tuple(given))
