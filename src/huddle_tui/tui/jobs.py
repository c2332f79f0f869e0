"""The app's IO, as plain functions that run in the IO worker and return a message.

Nothing here touches a widget: each function reads or writes through the
Journal and hands back the message a screen will handle on the event loop.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from huddle_tui.errors import RefusedError
from huddle_tui.journal import Journal
from huddle_tui.model.checkin import CheckIn, Concern
from huddle_tui.model.huddle import Handoff, Huddle
from huddle_tui.model.sessions import Session
from huddle_tui.tui.messages import (
    CheckinSaved,
    CheckinsLoaded,
    ConcernSaved,
    DebriefPlanned,
    FileSaved,
    HandoffSaved,
    HuddleSaved,
    PlanLoaded,
    SessionSaved,
    SummaryReady,
    TakeawaySaved,
    ThanksSaved,
)


def load_plan(journal: Journal, day: date) -> PlanLoaded:
    """Today's facilitator and order, who already checked in (by any visibility), rounds held."""
    journal.release_pending()  # this machine's held-back anonymous answers, where now safe
    journal.settle_totals(every_s=300)  # anonymous totals: keys ahead, lists and reveals past a cut-off
    today = journal.today(day)
    return PlanLoaded(today.plan, today.checked_in, today.rounds_held, keys_note(journal), today.asynchronous)


def keys_note(journal: Journal) -> str:
    """One calm sentence when a key waits to be confirmed or the roster changed ("" when nothing does)."""
    trust = journal.authorship()
    if trust is None:
        return ""
    who = sorted({trust.roster.get(m, m) for m in (*trust.waiting, *trust.added)})
    if not who:
        return ""
    return (f"A key for {', '.join(who)} waits to be confirmed: their records are not shown until you "
            "compare fingerprints (`huddle keys`).")


def load_checkins(journal: Journal, day: date, started: datetime | None = None) -> CheckinsLoaded:
    """Today's named check-ins (answers and placeholders), for each speaker's turn; who gave theirs async.

    `started` is when the round asking began (its record may still be on its way).
    """
    history = journal.read(("checkin", "huddle"), since=day.isoformat())
    iso = day.isoformat()
    return CheckinsLoaded({c.member.casefold(): c for c in journal.checkins(history)
                           if c.date == iso and c.member and c.visibility in ("team", "withheld")},
                          journal.async_members(day, history, started))


def save_handoff(journal: Journal, handoff: Handoff, day: date) -> HandoffSaved:
    """Record the handoff, then plan again so the lobby shows the new facilitator and order."""
    journal.save_handoff(handoff)
    return HandoffSaved(handoff, journal.plan(day))


def save_huddle(journal: Journal, huddle: Huddle, record_id: str, final: bool) -> HuddleSaved:
    """Record a round (a new version of that round's own record each time)."""
    journal.save_huddle(huddle, record_id)
    return HuddleSaved(huddle, final)


def amend_checkin(journal: Journal, speaker: str, day: date, mood: int | None,
                  status: str | None) -> CheckinSaved:
    """Change only the mood or status keyed in the round; an answer given elsewhere is kept."""
    try:
        saved = journal.amend_checkin(speaker, day.isoformat(), mood=mood, status=status)
    except RefusedError as exc:
        return CheckinSaved(speaker, None, exc.message)
    return CheckinSaved(speaker, saved)


def save_checkin(journal: Journal, checkin: CheckIn) -> CheckinSaved:
    """Record a whole check-in (a new version of the member's check-in for that date)."""
    return CheckinSaved(checkin.member or "", journal.save_checkin(checkin))


def save_concern(journal: Journal, concern: Concern, day: date, member: str) -> ConcernSaved:
    """Record a concern where its visibility allows (private: this machine only)."""
    journal.save_concern(concern, day.isoformat(), member)
    return ConcernSaved(concern, member)


def build_summary(journal: Journal, day: date) -> SummaryReady:
    """Read today's records back and build the team-visible summary and its Markdown."""
    from huddle_tui.rules.summary import render_text

    summary = journal.summary(day)
    return SummaryReady(summary, render_text(summary, markdown=True))


def write_text(path: Path, text: str) -> FileSaved:
    """Write the Markdown summary where the facilitator asked."""
    from huddle_tui.storage.fileio import write_atomic

    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, text.encode("utf-8"))
    return FileSaved(path)


def save_session(journal: Journal, session: Session, record_id: str, final: bool) -> SessionSaved:
    """Record a circle or debrief (a new version of its own record each time)."""
    from huddle_tui import sessions

    sessions.save(journal, session, record_id)
    return SessionSaved(session, final)


def save_takeaway(journal: Journal, record_id: str, session: Session, text: str, share: str) -> TakeawaySaved:
    """Record `me`'s takeaway: sealed to the room, or named for the team."""
    from huddle_tui import sessions

    return TakeawaySaved(sessions.save_takeaway(journal, record_id, session, text, share))


def save_thanks(journal: Journal, record_id: str, session: Session, to: str) -> ThanksSaved:
    """Record that `me` thanked someone in the room."""
    from huddle_tui import sessions

    sessions.save_thanks(journal, record_id, session, to)
    return ThanksSaved(to)


def plan_debrief(journal: Journal, day: date, event: str) -> DebriefPlanned:
    """A debrief of `event` for the whole team on `day` (who leads reads the earlier debriefs)."""
    from huddle_tui import sessions

    return DebriefPlanned(sessions.debrief_plan(journal, day, event))
