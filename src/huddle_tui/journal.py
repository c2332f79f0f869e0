"""A team's records as the app and the commands use them: save, read, plan.

The journal splits a check-in by visibility before anything is written:
team-visible parts go to the shared folder with the member's name; anonymous
ones go there with a random id and no author; private ones go only to this
machine's private folder. Records for the HTTP outbox are handed to `sinks`
in the same step as the save (private ones never are).
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path

from huddle_tui import paths
from huddle_tui.config import TeamConfig
from huddle_tui.envelope import Record
from huddle_tui.errors import UsageError
from huddle_tui.fileio import write_atomic
from huddle_tui.records import CheckIn, Concern, Handoff, Huddle, named_id, random_id
from huddle_tui.rotation import Held, Plan, can_facilitate, plan_for
from huddle_tui.store import FolderStore, History, utc_now

Sink = Callable[[Record], None]
RECENT_DAYS = 60


class Saved:
    """What one check-in became on disk: the records written, by where they went."""

    def __init__(self) -> None:
        """Start with nothing written."""
        self.shared: list[Record] = []
        self.private: list[Record] = []

    @property
    def all(self) -> list[Record]:
        """Every record written."""
        return [*self.shared, *self.private]


class Journal:
    """The records of one team: its shared folder plus this machine's private folder."""

    def __init__(self, team: TeamConfig, *, now: Callable[[], datetime] = utc_now,
                 private_root: Path | None = None, index: bool = True,
                 durable: bool = True) -> None:
        """Open the team's stores; `now` is the injectable clock for timestamps."""
        self.team = team
        self.now = now
        self.shared = FolderStore(team.shared_dir, now=now, durable=durable,
                                  index_dir=paths.index_dir() if index else None)
        self.private = FolderStore(private_root or paths.private_dir(), now=now, durable=durable)
        self.sinks: list[Sink] = []

    # ------------------------------------------------------------ check-ins

    def save_checkin(self, checkin: CheckIn) -> Saved:
        """Save a check-in, each concern going where its visibility allows."""
        member = self.team.member(checkin.member) if checkin.member else None
        if checkin.member is not None and member is None:
            raise UsageError(f"unknown member {checkin.member!r} (not on the roster of {self.team.name})")
        if not 1 <= checkin.mood <= 5:
            raise UsageError(f"mood must be 1 to 5, got {checkin.mood}")
        saved = Saved()
        own = [c for c in checkin.concerns if c.visibility == checkin.visibility]
        others = [c for c in checkin.concerns if c.visibility != checkin.visibility]
        main = checkin._replace(member=member.name if member else None, concerns=tuple(own))
        if checkin.visibility == "private":
            rid = named_id("checkin", main.member or "", main.date)
            saved.private.append(self.private.save("checkin", rid, main.date, main.to_payload()))
        elif checkin.visibility == "anonymous":
            rid = self._anonymous_id(main.member or "", main.date)
            saved.shared.append(self.shared.save("checkin", rid, main.date,
                                                 main.to_payload(), anonymous=True))
        else:
            rid = named_id("checkin", main.member or "", main.date)
            saved.shared.append(self.shared.save("checkin", rid, main.date, main.to_payload()))
        for concern in others:
            saved_to = self.save_concern(concern, main.date, main.member)
            (saved.private if concern.visibility == "private" else saved.shared).append(saved_to)
        for record in saved.shared:
            self._emit(record)
        return saved

    def save_concern(self, concern: Concern, day: str, member: str | None) -> Record:
        """Save a concern on its own, e.g. an anonymous one raised in a named check-in."""
        payload = concern.to_payload()
        if concern.visibility == "private":
            payload["member"] = member
            return self.private.save("concern", concern.id, day, payload)
        if concern.visibility == "anonymous":
            return self.shared.save("concern", random_id(), day,
                                    {k: v for k, v in payload.items() if k != "id"}, anonymous=True)
        payload["member"] = member
        return self.shared.save("concern", concern.id, day, payload)

    def _anonymous_id(self, member: str, day: str) -> str:
        """The random id of my anonymous check-in that day, so a re-check-in is a new version.

        The link lives only on this machine, keyed by a salted hash, and is
        forgotten after two weeks.
        """
        import hashlib

        path = paths.data_dir() / "anonymous-ids.json"
        try:
            data = json.loads(path.read_text("utf-8"))
            if not isinstance(data, dict):
                data = {}
        except (OSError, ValueError):
            data = {}
        salt = str(data.get("salt") or os.urandom(16).hex())
        raw_links = data.get("links")
        links: dict[str, list[str]] = raw_links if isinstance(raw_links, dict) else {}
        key = hashlib.sha256(f"{salt}\x1f{member.casefold()}\x1f{day}".encode()).hexdigest()
        found = links.get(key)
        if isinstance(found, list) and len(found) == 2:
            return str(found[0])
        rid = random_id()
        horizon = (date.fromisoformat(day) - timedelta(days=14)).isoformat()
        links = {k: v for k, v in links.items() if isinstance(v, list) and len(v) == 2
                 and str(v[1]) >= horizon}
        links[key] = [rid, day]
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(path, json.dumps({"salt": salt, "links": links}).encode())
        return rid

    # ------------------------------------------------------------ huddles

    def save_huddle(self, huddle: Huddle) -> Record:
        """Record a huddle held (or about to be), one record per team per date."""
        record = self.shared.save("huddle", named_id("huddle", self.team.name, huddle.date),
                                  huddle.date, huddle.to_payload())
        self._emit(record)
        return record

    def save_handoff(self, handoff: Handoff) -> Record:
        """Record that the facilitator role for a date went to someone else."""
        if self.team.member(handoff.to_member) is None:
            raise UsageError(f"unknown member {handoff.to_member!r} (not on the roster)")
        record = self.shared.save("handoff", named_id("handoff", self.team.name, handoff.date),
                                  handoff.date, handoff.to_payload())
        self._emit(record)
        return record

    def _emit(self, record: Record) -> None:
        """Hand a shared record to every sink (the HTTP outbox)."""
        for sink in self.sinks:
            sink(record)

    # ------------------------------------------------------------ reading

    def read(self, kinds: tuple[str, ...] | None = None, since: str | None = None) -> History:
        """Read the shared folder (merged, verified)."""
        return self.shared.read(kinds, since=since)

    def checkins(self, history: History) -> list[CheckIn]:
        """Every live check-in in a history."""
        return [CheckIn.from_payload(r.date, r.payload) for r in history.live("checkin")]

    def plan(self, day: date, history: History | None = None) -> Plan:
        """Facilitator and speaking order for `day`, from the huddle and handoff records.

        Without a history given, it reads only the last RECENT_DAYS first: that
        settles the rotation whenever at most one eligible member is missing
        from it (that one facilitated longest ago, or never). Otherwise it
        reads everything.
        """
        if history is not None:
            return self._plan(day, history)
        since = (day - timedelta(days=RECENT_DAYS)).isoformat()
        recent = self.read(("huddle", "handoff"), since=since)
        plan = self._plan(day, recent)
        if plan.reason != "rotation":
            return plan
        named = {h.facilitator.casefold() for h in self._held(recent, day)}
        missing = [m for m in self.team.members if can_facilitate(m, day)
                   and m.name.casefold() not in named]
        return plan if len(missing) <= 1 else self._plan(day, self.read(("huddle", "handoff")))

    def _held(self, history: History, day: date) -> list[Held]:
        """Huddles as rotation sees them (a past handoff alone counts as facilitating)."""
        huddles = [Held(r.date, str(r.payload.get("facilitator", "")),
                        tuple(str(x) for x in r.payload.get("order", ())))
                   for r in history.live("huddle")]
        held = {h.date for h in huddles}
        iso = day.isoformat()
        huddles += [Held(r.date, str(r.payload.get("to", "")), ())
                    for r in history.live("handoff") if r.date not in held and r.date < iso]
        return huddles

    def _plan(self, day: date, history: History) -> Plan:
        """The plan from one history."""
        handoffs = [Handoff.from_payload(r.date, r.payload) for r in history.live("handoff")]
        return plan_for(self.team, day, self._held(history, day), handoffs)
