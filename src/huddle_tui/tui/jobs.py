"""The app's IO, as plain functions that run in a worker thread and return a message.

Nothing here touches a widget: each function reads or writes through the
Journal and hands back the message a screen will handle on the event loop.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from huddle_tui.journal import Journal
from huddle_tui.model.checkin import CheckIn, Concern
from huddle_tui.model.huddle import Handoff, Huddle
from huddle_tui.tui.messages import (
    CheckinSaved,
    ConcernSaved,
    FileSaved,
    HandoffSaved,
    HuddleSaved,
    PlanLoaded,
    SummaryReady,
)


def load_plan(journal: Journal, day: date) -> PlanLoaded:
    """Today's facilitator and order, and who already checked in (team-visible, named)."""
    plan = journal.plan(day)
    today = journal.read(("checkin",), since=day.isoformat())
    named = frozenset(c.member.casefold() for c in journal.checkins(today)
                      if c.date == day.isoformat() and c.member and c.visibility == "team")
    return PlanLoaded(plan, named)


def save_handoff(journal: Journal, handoff: Handoff, day: date) -> HandoffSaved:
    """Record the handoff, then plan again so the lobby shows the new facilitator and order."""
    journal.save_handoff(handoff)
    return HandoffSaved(handoff, journal.plan(day))


def save_huddle(journal: Journal, huddle: Huddle, final: bool) -> HuddleSaved:
    """Record the huddle (a new version of today's record each time)."""
    journal.save_huddle(huddle)
    return HuddleSaved(huddle, final)


def save_checkin(journal: Journal, checkin: CheckIn) -> CheckinSaved:
    """Record a mood and status given in the round."""
    saved = journal.save_checkin(checkin)
    return CheckinSaved(checkin, shared=bool(saved.shared))


def save_concern(journal: Journal, concern: Concern, day: date, member: str) -> ConcernSaved:
    """Record a concern where its visibility allows (private: this machine only)."""
    journal.save_concern(concern, day.isoformat(), member)
    return ConcernSaved(concern, member)


def build_summary(journal: Journal, day: date) -> SummaryReady:
    """Read today's records back and build the team-visible summary and its Markdown."""
    from huddle_tui.commands.summary import next_workday
    from huddle_tui.rules.summary import build, render_text

    history = journal.read(("checkin", "concern", "huddle"), since=day.isoformat())
    upcoming = journal.plan(next_workday(day))
    summary = build(journal.team, day, history, upcoming.facilitator)
    return SummaryReady(summary, render_text(summary, markdown=True))


def write_text(path: Path, text: str) -> FileSaved:
    """Write the Markdown summary where the facilitator asked."""
    from huddle_tui.storage.fileio import write_atomic

    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, text.encode("utf-8"))
    return FileSaved(path)
