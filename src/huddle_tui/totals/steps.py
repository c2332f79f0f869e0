"""The write paths of anonymous totals: keys published ahead, a contribution per check-in, list and reveals.

Every step runs on a write path only (a check-in, `huddle sync`, the app's
background work): reading never writes (view.py opens what these wrote).

- `publish_keys`: this machine's share key once, and its day keys for the
  working days ahead, each day's seed kept here before its key goes out.
  A day not yet begun gets a new day key when teammates' share keys came
  since (so every holder can help open it); a day begun keeps its key.
- `contribute`: at every check-in, exactly one contribution for the day, of
  one size: the anonymous mood and concerns, the day's measure answers and
  signpost mark, or zeros where there are none.
  Before the day's cut-off a new one replaces the member's; after it none is
  written (no reader would sum it).
- `settle`: after the cut-off, endorse the day's list (adopt the most
  endorsed one this machine can check, else propose one) and, once t
  holders endorsed it, reveal: first the shares that open the counts, then,
  once the counts show the k rule on signed placeholders is met, those of
  the sections it allows (moods, measures, texts). The never-both rule is kept from this
  machine's own log, written before each reveal is published.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from huddle_tui.aggregation.contribution import Contribution, contribute
from huddle_tui.aggregation.keys import ShareKey, make_day_keys
from huddle_tui.aggregation.layout import Answer, opens, plausible
from huddle_tui.aggregation.unmask import (
    DayList,
    PoolReveal,
    Released,
    Reveal,
    open_day,
    propose,
    reveal,
    reveal_pool,
)
from huddle_tui.config.team import TeamConfig
from huddle_tui.errors import CorruptRecord, RefusedError
from huddle_tui.model.ids import named_id
from huddle_tui.storage.envelope import Record
from huddle_tui.storage.folder import FolderStore
from huddle_tui.storage.signature import b64
from huddle_tui.totals import secrets
from huddle_tui.totals.cutoff import closed as closed  # where the write paths and readers look for it
from huddle_tui.totals.records import (
    CONTRIBUTION,
    DAY_KEYS,
    DAY_LIST,
    LAYOUT,
    REVEAL,
    SHARE_KEY,
    DayRecords,
    Trusted,
    current_only,
    days_with,
    majority,
    read_day,
    read_share_keys,
    record_id,
)
from huddle_tui.totals.week import (
    POOL_REVEAL,
    POOLED,
    OpenedDay,
    open_week,
    pool_id,
    pool_of,
    pooled_counts,
    wanted,
    week_days,
    week_days_key,
    week_over,
)

AHEAD_DAYS = 14
"""How far ahead day keys are published: a teammate's contribution masks with every key of its day."""
SETTLE_DAYS = 14
"""How far back a write path still lists and reveals for days whose cut-off passed."""
LOG = "revealed"
"""The private record kind this machine's reveals are logged in before they are published."""
LOG_POOL = "revealedpool"
"""The same for its pooled reveals of a week."""
DONE = "settled"
"""The private record kind noting a day (or a week's pools) this machine has nothing more to do for."""
Publish = Callable[[str, str, str, dict[str, Any]], Record]
"""Save a signed record to the shared folder: kind, id, date, payload (the journal's one save path)."""


class Steps:
    """One member's machine taking part in the team's anonymous totals."""

    def __init__(self, team: TeamConfig, me: str, shared: FolderStore, private: FolderStore,
                 trusted: Trusted, publish: Publish, expects: Callable[[str, date], bool],
                 placeholders: Callable[[date], frozenset[str]], data_dir: Path | None = None) -> None:
        """`placeholders(day)`: who left a signed placeholder that day (rules/privacy.placeholder_members)."""
        self.team = team
        self.me = me
        self.shared = shared
        self.private = private
        self.trusted = trusted
        self.publish = publish
        self.expects = expects
        self.placeholders = placeholders
        self.data_dir = data_dir
        self._key: ShareKey | None = None

    def key(self) -> ShareKey:
        """This machine's share key."""
        if self._key is None:
            self._key = secrets.share_key(self.data_dir)
        return self._key

    # ------------------------------------------------------------ keys ahead

    def publish_keys(self, today: date, also: date | None = None) -> int:
        """Publish the share key if needed and day keys for the working days ahead; how many records."""
        key = self.key()
        written = 0
        share_keys = read_share_keys(self.shared, self.trusted)
        if share_keys.get(self.me) != key.public:
            self.publish(SHARE_KEY, record_id(SHARE_KEY, self.me), today.isoformat(),
                         {"member": self.me, "key": b64(key.public)})
            share_keys[self.me] = key.public
            written += 1
        days = [today + timedelta(days=i) for i in range(AHEAD_DAYS)]
        if also is not None and also not in days:
            days.append(also)
        for day in days:
            if not self.team.is_workday(day) or not self.expects(self.me, day):
                continue
            written += self._day_keys(day, today, share_keys)
        return written

    def _day_keys(self, day: date, today: date, share_keys: dict[str, bytes]) -> int:
        """Publish `day`'s key when there is none, or a new one while the day is ahead and holders came."""
        iso = day.isoformat()
        rid = record_id(DAY_KEYS, self.me, iso)
        own = read_day(self.shared, self.team, iso, self.trusted, (DAY_KEYS,), (self.me,))
        mine = own.roster.get(self.me)
        if mine is not None:
            holders_now = set(share_keys)
            if day <= today or set(mine.holders) >= holders_now:
                return 0
        key = self.key()
        others = {m: k for m, k in share_keys.items() if m != self.me}
        seeds, batch = make_day_keys(self.me, key, [iso], others, os.urandom)
        secrets.keep_seed(self.private, self.team.shared_dir, self.me, iso, seeds[iso])
        self.publish(DAY_KEYS, rid, iso, batch.to_payload())
        return 1

    # ------------------------------------------------------------ the check-in's contribution

    def contribute(self, day: date, today: date, answer: Answer,
                   before: Callable[[Contribution], None] | None = None) -> Contribution | None:
        """Write this member's one contribution for `day`: `answer` (an empty one: zeros).

        The answer holds only what is anonymous: the mood of an anonymous
        check-in, anonymous concerns as texts, the day's measure answers and
        signpost mark; never `source`, a concern's id or anything else that
        could tell two answers apart.

        None when the day's cut-off passed (nothing is written: no reader
        would sum it), or when this machine has no day key for it that the
        folder shows (then the member counts as absent from the totals).
        `before` runs with the contribution made, before it is published (what
        this machine must note first, e.g. that it carries a takeaway).
        """
        if closed(self.team, day, today):
            return None
        iso = day.isoformat()
        records = read_day(self.shared, self.team, iso, self.trusted, (DAY_KEYS,))
        if self.me not in records.roster:
            self.publish_keys(today, also=day)
            records = read_day(self.shared, self.team, iso, self.trusted, (DAY_KEYS,))
        mine = records.roster.get(self.me)
        if mine is None:
            return None
        seed = secrets.kept_seed(self.private, self.team.shared_dir, self.me, iso, mine.days[iso])
        if seed is None or mine.share_key != self.key().public:
            return None
        made = contribute(self.me, iso, answer, records.roster, seed, self.key(), LAYOUT, os.urandom)
        if before is not None:
            before(made)
        self.publish(CONTRIBUTION, record_id(CONTRIBUTION, self.me, iso), iso, made.to_payload())
        return made

    # ------------------------------------------------------------ after the cut-off

    def settle(self, today: date) -> int:
        """List and reveal for every recent day whose cut-off passed; how many records were written."""
        days = [today - timedelta(days=back) for back in range(1, SETTLE_DAYS + 1)]
        due = [d.isoformat() for d in days if self.team.is_workday(d) and closed(self.team, d, today)]
        busy = [date.fromisoformat(d) for d in days_with(self.shared, self.team, CONTRIBUTION, due)]
        written = sum(self.settle_day(d) for d in busy)
        over = {d - timedelta(days=d.weekday()) for d in busy if week_over(self.team, d, today)}
        for monday in sorted(over):
            done = f"week {monday.isoformat()}"
            if self._done(done, monday):
                continue
            week = open_week(self.shared, self.team, monday, self.trusted, self.placeholders)
            if week is None:
                continue
            results = [self._reveal_pool(monday, section, week) for section in POOLED]
            written += sum(w for w, _ in results)
            whole = set(days_with(self.shared, self.team, CONTRIBUTION,
                                  [d.isoformat() for d in week_days(self.team, monday)])) <= set(week)
            if whole and all(settled for _, settled in results):
                self._mark(done, monday)
        return written

    def _done(self, what: str, day: date) -> bool:
        """Whether this machine already did all it can for `what` (a day, or a week's pools)."""
        rid = _log_id(self.team, self.me, what)
        record = self.private.read_ids(DONE, day.isoformat(), (rid,)).records.get(rid)
        return record is not None and not record.deleted

    def _mark(self, what: str, day: date) -> None:
        """Note that nothing more is to be listed or revealed for `what` (later runs skip it unread)."""
        self.private.save(DONE, _log_id(self.team, self.me, what), day.isoformat(), {"done": what})

    def settle_day(self, day: date) -> int:
        """Endorse `day`'s list and reveal what it allows now; how many records were written."""
        iso = day.isoformat()
        if self._done(iso, day):
            return 0
        records = read_day(self.shared, self.team, iso, self.trusted)
        if not records.contributions:
            return 0
        written = 0
        mine = records.endorsements.get(self.me)
        if mine is None or self._may_switch(records, mine):
            chosen = self._choose(records)
            if chosen is None or self.me not in chosen.holders:
                return 0
            if mine is None or chosen.digest != mine.digest:
                self.publish(DAY_LIST, record_id(DAY_LIST, self.me, iso), iso,
                             {"member": self.me, **chosen.to_payload()})
                records.endorsements[self.me] = chosen
                written += 1
        written += self._reveal(records, day)
        return written

    def _may_switch(self, records: DayRecords, mine: DayList) -> bool:
        """Whether to endorse another list than `mine`: it lacks a contribution here, and nothing is lost.

        Over git or the endpoint a machine may propose the day's list before
        it pulled every teammate's contribution. Until the list is agreed and
        this member revealed anything for the day, a later endorsement (the
        record's next version) replaces the earlier one; reveals, not
        endorsements, hold the never-both rule, so nothing opens twice.
        """
        if complete(records, mine) or any(d.digest == mine.digest for d in records.agreed()):
            return False
        logged = self.private.read_ids(LOG, records.day, (_log_id(self.team, self.me, records.day),)).records
        return not logged and self.me not in records.reveals

    def _choose(self, records: DayRecords) -> DayList | None:
        """The list to endorse: the most endorsed one naming every contribution here, else this machine's."""
        for day_list in records.lists():
            roster = records.roster_of(day_list)
            if roster is not None and len(records.listed(day_list)) == len(day_list.survivors) \
                    and complete(records, day_list):
                return day_list
        found = majority(records)
        if found is None:
            return None
        digest, roster = found
        proposed = propose(records.day, roster, current_only(records.contributions, digest))
        return proposed if proposed.survivors else None

    def _reveal(self, records: DayRecords, day: date) -> int:
        """Publish this member's reveal for the day's agreed list when it now holds more than before."""
        agreed = records.agreed()
        if len(agreed) != 1:
            return 0  # none yet, or two lists each signed by t: only a member who signed twice does that
        day_list = agreed[0]
        roster = records.roster_of(day_list)
        if roster is None or self.me not in day_list.holders:
            return 0
        history = self._history(records, day_list)
        endorsed = records.endorsed()
        listed = records.listed(day_list)
        try:
            made = reveal(self.me, self.key(), day_list, endorsed, listed, roster, history)
            totals = open_day(day_list, listed, roster, records.reveals_for(day_list), LAYOUT)
            counts = totals.sections.get("counts")
            if counts is not None and plausible(counts, len(day_list.survivors)) \
                    and counts["answers"] <= len(self.placeholders(day)):
                made = reveal(self.me, self.key(), day_list, endorsed, listed, roster, history, counts)
        except (RefusedError, KeyError, ValueError):
            return 0
        before = next((r for r in history if isinstance(r, Reveal) and r.list_digest == day_list.digest),
                      None)
        iso = day.isoformat()
        written = 0
        if before is None or not _holds(before, made):
            payload = made.to_payload()
            self.private.save(LOG, _log_id(self.team, self.me, iso), iso, {"reveal": payload,
                                                                           "list": day_list.to_payload()})
            self.publish(REVEAL, record_id(REVEAL, self.me, iso), iso, payload)
            written = 1
        if counts is not None:  # with the counts open, this reveal holds all the day will ever need of me
            self._mark(iso, day)
        return written

    def _reveal_pool(self, monday: date, section: str, week: Mapping[str, OpenedDay]) -> tuple[int, bool]:
        """Publish this member's share of `section` pooled over the week's short days, once per pool.

        Returns how many records were written, and whether nothing more is to
        be done for this pool.
        """
        days = pool_of(section, week)
        counts = pooled_counts(days, week)
        if len(days) < 2 or counts is None or not opens(section, counts) \
                or any(self.me not in week[d].day_list.holders for d in days):
            return 0, True
        rid = pool_id(self.me, monday, section)
        key_day = week_days_key(monday)
        history: list[Released] = []
        for d in days:
            history += self._history(week[d].records, week[d].day_list)
        for store in (self.shared, self.private):
            kind = POOL_REVEAL if store is self.shared else LOG_POOL
            wanted_id = rid if store is self.shared else _log_id(self.team, self.me, f"{key_day}/{section}")
            record = store.read_ids(kind, key_day, (wanted_id,)).records.get(wanted_id)
            if record is None or record.deleted or (store is self.shared and self.trusted(record) != self.me):
                continue
            try:
                history.append(PoolReveal.from_payload(record.payload))
            except CorruptRecord:
                continue
        if any(isinstance(p, PoolReveal) and p.section == section and p.days == wanted(days, week)
               for p in history):
            return 0, True
        try:
            pool = [(week[d].day_list, week[d].listed) for d in days]
            made = reveal_pool(self.me, self.key(), section, pool, history, counts)
        except (RefusedError, KeyError, ValueError):
            return 0, False
        payload = made.to_payload()
        self.private.save(LOG_POOL, _log_id(self.team, self.me, f"{key_day}/{section}"), key_day, payload)
        self.publish(POOL_REVEAL, rid, key_day, payload)
        return 1, True

    def _history(self, records: DayRecords, day_list: DayList) -> list[Released]:
        """What this member revealed for the day before: its own log, and its published reveal."""
        out: list[Released] = []
        rid = _log_id(self.team, self.me, records.day)
        logged = self.private.read_ids(LOG, records.day, (rid,)).records.get(rid)
        if logged is not None and not logged.deleted:
            try:
                old_list = DayList.from_payload(logged.payload["list"])
                out.append(Reveal.from_payload(logged.payload["reveal"], old_list))
            except (CorruptRecord, KeyError, TypeError):
                pass
        published = records.reveals.get(self.me)
        if published is not None:
            for candidate in [day_list, *records.endorsements.values()]:
                try:
                    out.append(Reveal.from_payload(published.payload, candidate))
                    break
                except CorruptRecord:
                    continue
        return out


def complete(records: DayRecords, day_list: DayList) -> bool:
    """Whether a list names, in its current version, every contribution here made for its key roster."""
    return all(day_list.survivors.get(m) == c.digest for m, c in records.contributions.items()
               if c.keys == day_list.keys and m in day_list.holders)


def _holds(before: Reveal, now: Reveal) -> bool:
    """Whether an earlier reveal already holds everything a new one would."""
    return (set(now.seeds) <= set(before.seeds) and set(now.masks) <= set(before.masks)
            and set(now.texts) <= set(before.texts) and set(now.takeaways) <= set(before.takeaways))


def _log_id(team: TeamConfig, member: str, day: str) -> str:
    """The id of this machine's log of its reveal of `day`."""
    return named_id(LOG, str(team.shared_dir), member, day)
