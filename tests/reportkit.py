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


def team_of(*members: Member, holidays: tuple[date, ...] = (), target: float = 0.6) -> TeamConfig:
    """A team config that lives nowhere (the report reads only its roster and calendar)."""
    return TeamConfig("Fixture", tuple(members), Path("/nonexistent"), holidays=frozenset(holidays),
                      target_weekly_coverage=target)


def away(start: str, end: str) -> tuple[AwayRange, ...]:
    """One away range."""
    return (AwayRange(date.fromisoformat(start), date.fromisoformat(end)),)


class Folder:
    """A history built record by record."""

    def __init__(self) -> None:
        """Start empty."""
        self.history = History()
        self.files: list[tuple[envelope.Record, bytes, bool]] = []

    def _add(self, kind: str, day: str, payload: dict[str, object]) -> None:
        """Add one record, as version 1 with a fresh id."""
        record, data = envelope.encode(kind, f"r{next(_ids):08d}", 1, day, day, payload)
        self.history.add(record)
        self.files.append((record, data, payload.get("visibility") == "anonymous"))

    def write_to(self, shared: Path) -> None:
        """Put every record in a real shared folder, as the app writes them."""
        store = FolderStore(shared)
        for record, data, anonymous in self.files:
            store.write(record, data, anonymous=anonymous)

    def named(self, day: str, member: str, mood: int, *concerns: Concern) -> None:
        """A check-in given by name."""
        self._add("checkin", day, CheckIn(day, mood, member, concerns=concerns).to_payload())

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
