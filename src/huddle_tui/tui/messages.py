"""What the app's IO worker tells the screens (and the app), as small dataclass messages.

Every piece of IO runs in the app's one long-lived IO worker and comes back as
one of these, posted to the one screen (or the app) that handles it, so none
bubbles. Tests read them with `run_test(message_hook=…)` to check what was
saved, not only what was painted.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual.message import Message

if TYPE_CHECKING:  # only types: the lobby's first paint does not wait for these imports
    from pathlib import Path

    from huddle_tui.journal import Saved
    from huddle_tui.model.checkin import CheckIn, Concern
    from huddle_tui.model.huddle import Handoff, Huddle, Plan
    from huddle_tui.model.sessions import Session
    from huddle_tui.rules.summary import Summary
    from huddle_tui.sessions import Kept, SessionPlan


@dataclass
class PlanLoaded(Message, bubble=False):
    """Today's plan, who already checked in (casefolded names), and how many rounds were held."""

    plan: Plan
    checked_in: frozenset[str]
    rounds_held: int = 0
    keys_note: str = ""  # a key waits to be confirmed, or the roster changed: said once, calmly
    asynchronous: frozenset[str] = frozenset()  # of checked_in, who did before the round (async)


@dataclass
class HandoffSaved(Message, bubble=False):
    """The facilitator role went to someone else; the plan that follows from it."""

    handoff: Handoff
    plan: Plan


@dataclass
class HuddleSaved(Message, bubble=False):
    """A round's huddle record was written (when it starts, and again at its end with the turns)."""

    huddle: Huddle
    final: bool


@dataclass
class CheckinsLoaded(Message, bubble=False):
    """Today's check-ins as the round shows them, by casefolded member name; whose were async."""

    checkins: dict[str, CheckIn]
    asynchronous: frozenset[str] = frozenset()


@dataclass
class CheckinSaved(Message, bubble=False):
    """A speaker's mood or status keyed in the round was written (or refused: `refused` says why)."""

    speaker: str
    saved: Saved | None
    refused: str = ""


@dataclass
class ConcernSaved(Message, bubble=False):
    """A concern raised in the round was written where its visibility allows."""

    concern: Concern
    member: str


@dataclass
class SummaryReady(Message, bubble=False):
    """The summary of today's huddle, read back from the saved records, and its Markdown."""

    summary: Summary
    markdown: str


@dataclass
class FileSaved(Message, bubble=False):
    """The Markdown summary was written to a file."""

    path: Path


@dataclass
class IoFailed(Message, bubble=False):
    """A read or write failed; `problem` is one line a person can act on."""

    what: str
    problem: str


@dataclass
class SavesPending(Message, bubble=False):
    """How many saves are waiting to be retried (0: everything asked for is saved)."""

    count: int
    problem: str = ""


@dataclass
class SyncStatus(Message, bubble=False):
    """One calm line on where check-ins stand with the team's endpoints, after a sync."""

    text: str


@dataclass
class SessionSaved(Message, bubble=False):
    """A circle's or debrief's session record was written (at its start, and at its end with the turns)."""

    session: Session
    final: bool


@dataclass
class TakeawaySaved(Message, bubble=False):
    """A takeaway left after a session was written: kept in the room, or shared with the team."""

    kept: Kept


@dataclass
class ThanksSaved(Message, bubble=False):
    """A thanks to someone in the room was written."""

    to: str


@dataclass
class DebriefPlanned(Message, bubble=False):
    """A debrief asked for in the app, worked out (its room, facilitator and order): ready to open."""

    plan: SessionPlan
