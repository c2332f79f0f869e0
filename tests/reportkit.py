"""Build small histories in memory for the report's tests: records as the folder would hold them."""

from __future__ import annotations

from datetime import date
from itertools import count
from pathlib import Path

from huddle_tui.config.team import AwayRange, Member, TeamConfig
from huddle_tui.model.checkin import CheckIn, Concern, FollowUp
from huddle_tui.model.huddle import Huddle, Turn
from huddle_tui.storage import envelope
from huddle_tui.storage.folder import FolderStore, History

_ids = count(1)


def team_of(*members: Member, holidays: tuple[date, ...] = (), target: float = 0.6,
            measures: frozenset[str] = frozenset()) -> TeamConfig:
    """A team config that lives nowhere (the report reads only its roster, calendar and settings)."""
    return TeamConfig("Fixture", tuple(members), Path("/nonexistent"), holidays=frozenset(holidays),
                      target_weekly_coverage=target, measures=measures)


def away(start: str, end: str) -> tuple[AwayRange, ...]:
    """One away range."""
    return (AwayRange(date.fromisoformat(start), date.fromisoformat(end)),)


class Folder:
    """A history built record by record."""

    def __init__(self) -> None:
        """Start empty."""
        self.history = History()
        self.files: list[tuple[envelope.Record, bytes, bool]] = []

    def _add(self, kind: str, day: str, payload: dict[str, object], rid: str | None = None,
             nameless: bool = False) -> None:
        """Add one record, as version 1 with a fresh id (or the one given)."""
        record, data = envelope.encode(kind, rid or f"r{next(_ids):08d}", 1, day, day, payload)
        self.history.add(record)
        self.files.append((record, data, nameless or payload.get("visibility") == "anonymous"))

    def write_to(self, shared: Path) -> None:
        """Put every record in a real shared folder, as the app writes them."""
        store = FolderStore(shared)
        for record, data, anonymous in self.files:
            store.write(record, data, anonymous=anonymous)

    def named(self, day: str, member: str, mood: int, *concerns: Concern, source: str = "cli") -> None:
        """A check-in given by name (from the member's own terminal unless `source` says "tui")."""
        self._add("checkin", day, CheckIn(day, mood, member, concerns=concerns, source=source).to_payload())

    def signpost(self, day: str, times: int = 1) -> None:
        """Released marks of signposts shown that day (nameless, as release_pending writes them)."""
        for _ in range(times):
            self._add("signpost", day, {}, nameless=True)

    def measure(self, day: str, measure: str, *items: int) -> None:
        """A released anonymous measure answer."""
        self._add("measure", day, {"measure": measure, "items": list(items)}, nameless=True)

    def pairs(self, team: TeamConfig, monday: str, *groups: tuple[str, ...], track: str = "buddy",
              marks: dict[str, str] | None = None) -> None:
        """A buddy (or coffee) round under its own id, and each member's "met" or "skip"."""
        from huddle_tui.rules.pair_figures import round_id

        self._add("pairs", monday, {"track": track, "groups": [list(g) for g in groups], "cooldown": 6},
                  rid=round_id(team, track, date.fromisoformat(monday)), nameless=True)
        for member, mark in (marks or {}).items():
            self._add("pairmark", monday, {"track": track, "member": member, "mark": mark})

    def anonymous(self, day: str, member: str, mood: int, placeholder: bool = True) -> None:
        """An anonymous answer in the folder, and (as today's versions write) its named placeholder."""
        if placeholder:
            self._add("checkin", day, CheckIn(day, None, member, visibility="withheld").to_payload())
        self._add("checkin", day, CheckIn(day, mood, None, visibility="anonymous").to_payload())

    def huddle(self, day: str, facilitator: str, *turns: tuple[str, float, float],
               round_s: float = 300.0) -> None:
        """A huddle with (speaker, timebox, spoken) turns."""
        self._add("huddle", day, Huddle(day, facilitator, tuple(t[0] for t in turns),
                                        tuple(Turn(*t) for t in turns), round_s).to_payload())


def concern(owner: str, state: str = "open") -> Concern:
    """A concern someone follows up."""
    return Concern.new("the deadline", followup=FollowUp(owner, state))
