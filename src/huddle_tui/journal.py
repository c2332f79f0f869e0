"""A team's records as the app and the commands use them: save, read, plan.

The journal splits a check-in by visibility before anything is written:
team-visible parts go to the shared folder with the member's name; anonymous
ones go there with a random id and no author; private ones go only to this
machine's private folder. Records for the HTTP outbox are handed to `sinks`
in the same step as the save (private ones never are).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from huddle_tui import paths
from huddle_tui.config.team import TeamConfig
from huddle_tui.errors import UsageError
from huddle_tui.model.checkin import CheckIn, Concern
from huddle_tui.model.huddle import Handoff, Huddle
from huddle_tui.model.ids import as_uuid, named_id, random_id
from huddle_tui.rules.rotation import Held, Plan, can_facilitate, plan_for
from huddle_tui.storage.envelope import Record
from huddle_tui.storage.folder import FolderStore, History, utc_now

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
        self.private = FolderStore(private_root or paths.private_dir(), now=now, durable=durable,
                                   private=True)
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
            saved.shared.append(self._share("checkin", rid, main.date, main.to_payload(),
                                            anonymous=True))
        else:
            rid = named_id("checkin", main.member or "", main.date)
            saved.shared.append(self._share("checkin", rid, main.date, main.to_payload()))
        for concern in others:
            saved_to = self.save_concern(concern, main.date, main.member)
            (saved.private if concern.visibility == "private" else saved.shared).append(saved_to)
        return saved

    def save_concern(self, concern: Concern, day: str, member: str | None) -> Record:
        """Save a concern on its own, e.g. an anonymous one raised in a named check-in."""
        payload = concern.to_payload()
        if concern.visibility == "private":
            payload["member"] = member
            return self.private.save("concern", concern.id, day, payload)
        if concern.visibility == "anonymous":
            return self._share("concern", random_id(), day,
                               {k: v for k, v in payload.items() if k != "id"}, anonymous=True)
        payload["member"] = member
        return self._share("concern", concern.id, day, payload)

    def _anonymous_id(self, member: str, day: str) -> str:
        """My anonymous check-in's id that day: the same on a re-check-in, unguessable to others.

        It is an HMAC of member and date under a secret that never leaves this
        machine, so a second anonymous check-in is a new version of the first
        (not a second answer) with no link to its author stored anywhere, and
        two check-ins at once cannot race over a shared map.
        """
        import hashlib
        import hmac

        from huddle_tui.storage.localkey import anonymity_key

        secret = anonymity_key()
        digest = hmac.new(secret, f"{member.casefold()}\x1f{day}".encode(), hashlib.sha256).digest()
        return as_uuid(digest, 4)

    # ------------------------------------------------------------ huddles

    def save_huddle(self, huddle: Huddle) -> Record:
        """Record a huddle held (or about to be), one record per team per date."""
        return self._share("huddle", named_id("huddle", self.team.name, huddle.date), huddle.date,
                           huddle.to_payload())

    def save_handoff(self, handoff: Handoff) -> Record:
        """Record that the facilitator role for a date went to someone else."""
        if self.team.member(handoff.to_member) is None:
            raise UsageError(f"unknown member {handoff.to_member!r} (not on the roster)")
        return self._share("handoff", named_id("handoff", self.team.name, handoff.date),
                           handoff.date, handoff.to_payload())

    def _share(self, kind: str, record_id: str, day: str, payload: dict[str, Any], *,
               anonymous: bool = False) -> Record:
        """Save a record to the shared folder, queueing it for every sink first.

        The outbox gets it before the file is written: a crash in between leaves
        a record that will still be sent (and pulled back), never one that is
        saved but never sent.
        """
        record, data = self.shared.prepare(kind, record_id, day, payload, anonymous=anonymous)
        for sink in self.sinks:
            sink(record)
        self.shared.write(record, data, anonymous=anonymous)
        return record

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

