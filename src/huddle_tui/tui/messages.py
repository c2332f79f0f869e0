"""What the app's workers (saving, reading and syncing with endpoints) tell the screens and the app.

Each is posted to the one screen (or the app) that handles it, so none
bubbles. Every piece of IO runs in a worker and comes back as one of these; tests read
them with `run_test(message_hook=…)` to check what was saved, not only what
was painted.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.message import Message

if TYPE_CHECKING:  # only types: the lobby's first paint does not wait for these imports
    from pathlib import Path

    from huddle_tui.model.checkin import CheckIn, Concern
    from huddle_tui.model.huddle import Handoff, Huddle
    from huddle_tui.rules.rotation import Plan
    from huddle_tui.rules.summary import Summary


class PlanLoaded(Message):
    """Today's plan and who already checked in, read after the lobby's first paint."""

    bubble = False

    def __init__(self, plan: Plan, checked_in: frozenset[str]) -> None:
        """Carry the plan and the casefolded names with a team-visible check-in today."""
        super().__init__()
        self.plan = plan
        self.checked_in = checked_in


class HandoffSaved(Message):
    """The facilitator role went to someone else; the plan that follows from it."""

    bubble = False

    def __init__(self, handoff: Handoff, plan: Plan) -> None:
        """Carry the handoff written and the new plan."""
        super().__init__()
        self.handoff = handoff
        self.plan = plan


class HuddleSaved(Message):
    """The huddle record was written (when the round starts, and again at its end)."""

    bubble = False

    def __init__(self, huddle: Huddle, final: bool) -> None:
        """Carry the huddle and whether it holds the finished turns."""
        super().__init__()
        self.huddle = huddle
        self.final = final


class CheckinSaved(Message):
    """A mood (and status) entered in the round was written."""

    bubble = False

    def __init__(self, checkin: CheckIn, shared: bool) -> None:
        """Carry the check-in and whether it went to the shared folder (False: private)."""
        super().__init__()
        self.checkin = checkin
        self.shared = shared


class ConcernSaved(Message):
    """A concern raised in the round was written where its visibility allows."""

    bubble = False

    def __init__(self, concern: Concern, member: str) -> None:
        """Carry the concern and who raised it (kept only in private and team records)."""
        super().__init__()
        self.concern = concern
        self.member = member


class SummaryReady(Message):
    """The summary of today's huddle, read back from the saved records."""

    bubble = False

    def __init__(self, summary: Summary, markdown: str) -> None:
        """Carry the summary and its Markdown text (for copying and saving)."""
        super().__init__()
        self.summary = summary
        self.markdown = markdown


class FileSaved(Message):
    """The Markdown summary was written to a file."""

    bubble = False

    def __init__(self, path: Path) -> None:
        """Carry where it went."""
        super().__init__()
        self.path = path


class IoFailed(Message):
    """A read or write failed; the text is one line a person can act on."""

    bubble = False

    def __init__(self, what: str, problem: str) -> None:
        """Carry what was being done and what went wrong."""
        super().__init__()
        self.what = what
        self.problem = problem


class SyncStatus(Message):
    """Where check-ins stand with the team's endpoints; the app's sync worker posts it after each sync."""

    bubble = False

    def __init__(self, text: str) -> None:
        """Carry one short line, e.g. "3 check-ins waiting for the endpoint"."""
        super().__init__()
        self.text = text
