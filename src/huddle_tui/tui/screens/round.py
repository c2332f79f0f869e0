"""The pulse round: a big countdown for the speaker, the order beside it, one key an action.

What is left is always read from the round model's clock; the interval timer
only decides how often to look. Moods, statuses and concerns are saved in a
worker as they are entered, so nothing is lost if the round is cut short.
"""

from __future__ import annotations

from functools import partial
from typing import ClassVar

from textual import getters
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widgets import Footer, Static

from huddle_tui.model.checkin import MOOD_SYMBOLS, MOODS, CheckIn, Concern
from huddle_tui.model.huddle import Huddle
from huddle_tui.rules.roundclock import PulseRound, View
from huddle_tui.text import printable
from huddle_tui.tui.messages import CheckinSaved, CheckinsLoaded
from huddle_tui.tui.screens.base import HIDE_KEYS, KEYS_KEY, QUIT_KEY
from huddle_tui.tui.screens.timed import TICK_S, TimedScreen
from huddle_tui.tui.widgets.speaker_queue import SpeakerQueue
from huddle_tui.tui.widgets.stage_board import StageBoard
from huddle_tui.tui.widgets.status_line import StatusLine

CHECKINS_REFRESH_S = 1.0  # a check-in made on a teammate's own terminal shows in their turn within ~1 s
GIVEN_BY = {"cli": "checked in from their terminal", "form": "checked in from their terminal",
            "bot": "checked in by a bot"}
"""Where a check-in given before the round came from, by its record's `source`: a bot is no terminal."""
ASYNC_NOTE, ASYNC_HIDDEN = "Async check-in: read it out", "Async check-in"
"""An async member's turn (rules/async_lane.py): what they said by name is on screen, to be read out;
of an anonymous or private answer only that they checked in (each line fits the stage at 64 columns)."""


class Draft:
    """What one speaker's turn shows: their check-in so far, and whether all of it is saved."""

    def __init__(self) -> None:
        """Nothing yet."""
        self.mood: int | None = None
        self.status = ""
        self.shown: list[str] = []
        self.unsaved = 0
        self.from_terminal = False
        self.source = ""
        self.withheld = False

    def take(self, checkin: CheckIn) -> None:
        """Show a check-in the speaker gave before the round (from their terminal, a bot, …)."""
        self.from_terminal = checkin.source != "tui"
        self.source = checkin.source
        self.withheld = checkin.withheld
        self.mood = checkin.mood
        self.status = checkin.status
        self.shown = [f"{c.kind}: {printable(c.text)}" for c in checkin.concerns]


def _mood_bindings() -> list[Binding]:
    """Keys 1–5 for moods: one footer entry, five palette commands with their words."""
    return [Binding(str(n), f"mood({n})", "mood", show=n == 1, key_display="1-5",
                    tooltip=f"Mood {n} {MOODS[n]} for the speaker") for n in MOODS]


class RoundScreen(TimedScreen):
    """The facilitator's screen during the round; every key is also in the command palette."""

    CSS_PATH = "round.tcss"
    SCOPED_CSS = False  # rules name the screen's own ids, and some match on Screen classes

    said_lines = getters.query_one("#said", Static)
    board = getters.query_one(StageBoard)
    QUIT_QUESTION = ("The round is in progress. Quit now? Moods, statuses and concerns given so far are "
                     "saved; the round's timings are not.")

    BINDINGS: ClassVar[list[BindingType]] = [
        # The keys a facilitator needs most, in that order, and each in full at 80 columns (at 64 the
        # first few); +30s, back and late are under `?` and in the palette.
        Binding("space,enter", "next", "next", key_display="␣", tooltip="Next speaker"),
        KEYS_KEY,
        Binding("e", "end", "end", tooltip="End the round now"),
        Binding("p", "pause", "pause", tooltip="Pause or resume the clock"),
        *_mood_bindings(),
        Binding("plus,equals_sign", "more_time", "+30s", key_display="+", show=False,
                tooltip="Give the speaker 30 seconds more"),
        Binding("b", "back", "back", show=False, tooltip="Back to the previous speaker"),
        Binding("s", "skip", "skip", tooltip="Skip the speaker (absent)"),
        Binding("l", "latecomer", "late", show=False, tooltip="Add a latecomer at the end"),
        Binding("t", "status", "status", tooltip="Type the speaker's status"),
        Binding("c", "concern", "concern", tooltip="Note a concern (kind, visibility, follow-up)"),
        Binding("v", "stage_view", "stage view", show=False,
                tooltip="Stage view: name and time in large letters, for a shared screen"),
        HIDE_KEYS,
        QUIT_KEY,
    ]

    def __init__(self, pulse: PulseRound, facilitator: str, round_no: int = 1) -> None:
        """Run `pulse`, led by `facilitator`, as the day's round number `round_no`."""
        super().__init__(pulse)
        self.facilitator = facilitator
        self.round_no = round_no
        self.huddle_id = ""
        self.drafts: dict[str, Draft] = {}
        self._started_at = ""

    def compose(self) -> ComposeResult:
        """Header, round bar, speaker, countdown, what they said; the order on the right."""
        app = self.huddle
        yield self.too_small()
        with Horizontal(id="round", classes="body"):
            with Vertical(id="stage"):
                # The team name last: at 64 columns it is the part cut short, not the facilitator.
                yield from self.stage_column(Content.assemble(
                    ("Pulse round", "bold"), " · facilitator ", printable(self.facilitator), " · ",
                    printable(app.team.name)))
            yield SpeakerQueue(id="queue")
        yield StageBoard(id="stage-view", classes="body")
        yield StatusLine()
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        """Start the clock, record that the huddle started, and look at the clock often."""

        self.set_class(self.huddle.stage_view, "-stage-view")
        self.pulse.start()
        self._started_at = self._stamp()
        self.huddle_id = self.huddle.journal.huddle_id(self.huddle.today, self.round_no)
        self._save_huddle(final=False)
        self.load_checkins()
        self.set_interval(CHECKINS_REFRESH_S, self.load_checkins)
        self.set_interval(TICK_S, self.tick)
        self._refresh_all()

    def load_checkins(self) -> None:
        """Read today's check-ins again: teammates check in from their own terminals during the round."""
        from datetime import datetime

        from huddle_tui.tui import jobs

        started = datetime.fromisoformat(self._started_at)  # as the round's record says, to the second
        self.huddle.submit(partial(jobs.load_checkins, self.huddle.journal, self.huddle.today, started), self)

    # ------------------------------------------------------------ painting

    def paint(self, view: View) -> None:
        """The stage view follows every tick too."""
        self.board.show(view, bool(self.pulse.current and self.pulse.current.late))

    def _show_speaker(self) -> None:
        """The speaker line, what they said, and who is next (changes only on keys)."""
        view = self.show_turn()
        if view.speaker is None:
            return
        slot = self.pulse.current
        said = self._said(view.speaker, bool(slot and slot.asynchronous))
        self.said_lines.update(said)
        self.board.said(said.plain.split("\n")[0])

    def _said(self, speaker: str, asynchronous: bool = False) -> Content:
        """The speaker's mood (with its word), status and concerns, as the team may see them.

        An async speaker's turn says so first (the stage view shows that line to the room): the
        facilitator reads out what they said by name, and of an anonymous or private answer
        there is only that they checked in.
        """
        draft = self.drafts.get(speaker) or Draft()
        if draft.withheld and asynchronous:
            mood = "checked in (not shown by name)"
        elif draft.withheld:
            mood = "checked in from their own terminal (not shown by name)"
        elif draft.mood is None:
            mood = "mood not given (keys 1-5)"
        elif self.huddle.team.mood_privacy == "named":
            mood = f"mood {draft.mood} {MOODS[draft.mood]} {MOOD_SYMBOLS[draft.mood]}"
        else:
            mood = "mood noted anonymously" + ("" if draft.unsaved else " ✓")
        if draft.unsaved and not draft.withheld:
            mood += " · not saved yet"
        parts: list[str | Content | tuple[str, str]] = [(mood, "bold")]
        if asynchronous:
            parts[:0] = [(ASYNC_HIDDEN if draft.withheld else ASYNC_NOTE, "bold"), "\n"]
        elif draft.from_terminal and not draft.withheld:
            parts.append(f"  ({GIVEN_BY.get(draft.source, 'checked in before the round')})")
        if draft.status:
            parts += ["\nstatus: ", printable(draft.status)]
        for line in draft.shown:
            parts += ["\n", line]
        return Content.assemble(*parts)

    # ------------------------------------------------------------ keys

    def action_stage_view(self) -> None:
        """Switch between the normal and the stage view (every other key works alike in both)."""
        self.huddle.stage_view = not self.huddle.stage_view
        self.set_class(self.huddle.stage_view, "-stage-view")

    def action_mood(self, mood: int) -> None:
        """Record the speaker's mood: shown at once, saved in a worker."""
        speaker = self.pulse.current.speaker if self.pulse.current else None
        if speaker is None:
            return
        draft = self._editable(speaker)
        if draft is None:
            return
        draft.mood = mood
        self._save_checkin(speaker, mood=mood, status=draft.status or None)

    def _editable(self, speaker: str) -> Draft | None:
        """The speaker's draft, unless their answer was given (and is kept) on their own terminal."""
        draft = self.drafts.setdefault(speaker, Draft())
        if draft.withheld:
            self.notify(f"{printable(speaker)} checked in from their own terminal; "
                        "their answer stays as they gave it.", markup=False)
            return None
        return draft

    def action_status(self) -> None:
        """Type the speaker's one-line status."""
        from huddle_tui.text import MAX_STATUS
        from huddle_tui.tui.screens.text_prompt import TextPrompt

        if self.pulse.current is None:
            return
        speaker = self.pulse.current.speaker
        draft = self.drafts.setdefault(speaker, Draft())
        self.app.push_screen(TextPrompt(f"Status of {printable(speaker)}", value=draft.status,
                                        limit=MAX_STATUS, field="status"),
                             partial(self._set_status, speaker))

    def _set_status(self, speaker: str, status: str | None) -> None:
        """Keep the status; save it with the mood (a check-in needs one)."""
        if status is None:
            return
        draft = self._editable(speaker)
        if draft is None:
            return
        draft.status = status
        self._show_speaker()
        if draft.mood is None:
            self.notify("Status kept: it is saved once a mood (1-5) is given.")
        else:
            self._save_checkin(speaker, status=status)

    def action_concern(self) -> None:
        """Note a concern the speaker raises."""
        from huddle_tui.tui.screens.concern import ConcernDialog

        if self.pulse.current is None:
            return
        speaker = self.pulse.current.speaker
        members = [m.name for m in self.huddle.team.members]
        self.app.push_screen(ConcernDialog(speaker, members), partial(self._save_concern, speaker))

    def latecomer_pool(self) -> list[str]:
        """Anyone on the team who has joined by today."""
        return [m.name for m in self.huddle.team.members if m.has_joined(self.huddle.today)]

    # ------------------------------------------------------------ saving

    def _huddle(self, final: bool) -> Huddle:
        """This round's huddle record, with its turns once the round is over."""
        app = self.huddle
        return Huddle(app.today.isoformat(), self.facilitator, tuple(s.speaker for s in self.pulse.slots),
                      self.pulse.turns() if final else (), app.team.round_seconds, self._started_at,
                      self._stamp() if final else None, self.round_no)

    def _save_huddle(self, final: bool) -> None:
        """Record the round (at the start, so rotation sees it was held; at the end, with turns)."""
        from huddle_tui.tui import jobs

        self.huddle.submit(partial(jobs.save_huddle, self.huddle.journal, self._huddle(final),
                                   self.huddle_id, final), self.app, save=True)

    def _save_checkin(self, speaker: str, *, mood: int | None = None, status: str | None = None) -> None:
        """Save only what the key changed; the speaker's own check-in keeps the rest."""
        from huddle_tui.tui import jobs

        app, draft = self.huddle, self.drafts[speaker]
        draft.unsaved += 1
        self._show_speaker()
        app.submit(partial(jobs.amend_checkin, app.journal, speaker, app.today, mood, status),
                   self, save=True)

    def on_checkins_loaded(self, message: CheckinsLoaded) -> None:
        """Show in each turn what the speaker already gave (keys change only what they name).

        Who checked in before the round is read again too: a turn still to come becomes async
        (or stops being so) as the records say, so the round's record agrees with every machine.
        """
        if self.pulse.mark_async(message.asynchronous):
            self.queue.show(self.pulse)
        for slot in self.pulse.slots:
            found = message.checkins.get(slot.speaker.casefold())
            draft = self.drafts.setdefault(slot.speaker, Draft())
            if found is not None and not draft.unsaved and (draft.mood is None or draft.from_terminal):
                draft.take(found)
        self._show_speaker()

    def on_checkin_saved(self, message: CheckinSaved) -> None:
        """A key's save landed (or was refused): the turn stops saying "not saved yet"."""
        draft = self.drafts.setdefault(message.speaker, Draft())
        draft.unsaved = max(0, draft.unsaved - 1)
        if message.saved is None:
            self.notify(message.refused, severity="warning", markup=False)
            draft.withheld, draft.mood = True, None
        else:
            checkin = message.saved.checkin
            draft.mood, draft.status = checkin.mood, checkin.status
        self._show_speaker()

    def _save_concern(self, speaker: str, concern: Concern | None) -> None:
        """Save a concern where its visibility allows; show only what the team may see."""
        from huddle_tui.tui import jobs

        if concern is None:
            return
        if concern.visibility == "anonymous" and self.huddle.journal.team.in_totals:
            # Keyed here it would be this machine's file: it goes only inside its author's own check-in.
            self.notify("Not saved: in this team an anonymous concern goes only with its author's own "
                        "check-in, inside the team's totals (they can add it with `huddle checkin`).",
                        severity="warning", markup=False)
            return
        draft = self.drafts.setdefault(speaker, Draft())
        if concern.visibility == "team":
            owner = f" → follow-up: {printable(concern.followup.owner)}" if concern.followup else ""
            draft.shown.append(f"{concern.kind}: {printable(concern.text)}{owner}")
        elif concern.visibility == "anonymous":
            self.huddle.anonymous_keyed += 1
            self.notify(f"Anonymous {concern.kind} noted: it is shown in no one's turn.")
        else:
            self.notify("Kept private: saved on this machine only.")
        self._show_speaker()
        app = self.huddle
        app.submit(partial(jobs.save_concern, app.journal, concern, app.today, speaker), self.app,
                   save=True)

    def _finish(self) -> None:
        """Save the finished huddle and show the summary (which reads it back)."""
        from huddle_tui.tui.screens.summary import SummaryScreen

        self._save_huddle(final=True)
        unsaved = [n for n, d in self.drafts.items() if d.status and d.mood is None]
        if unsaved:
            self.notify("Not saved (no mood given): the status of "
                        + ", ".join(printable(n) for n in unsaved), severity="warning", markup=False)
        self.app.switch_screen(SummaryScreen())
