"""`huddle checkin` on a terminal with no flags: my check-in as a small form, on my own screen.

Mood in words, a status, concerns (kind, who sees it, who follows it up),
how the check-in is shared (each choice said in one line), "I'd like
support", and the team's opted-in measures when they are due. After saving,
a private signpost may follow, here only. The save runs in a worker; the app
returns what was saved so the command can report it as `huddle checkin` does.
"""

from __future__ import annotations

from datetime import date
from typing import ClassVar, NamedTuple

from textual import getters, on
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, Checkbox, Footer, Input, RadioButton, RadioSet, Select, Static

from huddle_tui.config.user import UserConfig
from huddle_tui.errors import HuddleError
from huddle_tui.journal import Journal, Saved
from huddle_tui.model.checkin import (
    CONCERN_KINDS,
    MOODS,
    CheckIn,
    Concern,
    FollowUp,
    Visibility,
    as_visibility,
)
from huddle_tui.rules import measures as m
from huddle_tui.rules.support import Signpost
from huddle_tui.text import MAX_CONCERN, MAX_STATUS, printable
from huddle_tui.tui.widgets.mood_picker import MoodPicker
from huddle_tui.tui.widgets.steady_input import SteadyInput

SHARING: dict[Visibility, str] = {
    "team": "By name: the team sees your answers with your name",
    "anonymous": "Anonymously: no name, only in totals of 3+; they see you checked in",
    "private": "Privately: stays on this machine; they see only that you checked in",
}
CONCERN_SHARING: list[tuple[str, str]] = [("as my check-in", ""), ("by name", "team"),
                                          ("anonymously", "anonymous"), ("privately", "private")]


class FormResult(NamedTuple):
    """What the form saved (None when the member left without saving), and the signpost it showed."""

    saved: Saved | None
    signpost: Signpost | None = None


class FormScreen(Screen[FormResult]):
    """The screen the form is composed on, focused on the mood (App.AUTO_FOCUS would apply to dialogs too)."""

    AUTO_FOCUS = "#mood"


class CheckinForm(App[FormResult]):
    """One screen: the form; after saving, the signpost in its place when there is one."""

    TITLE = "huddle checkin"
    CSS_PATH = "checkin_form.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "Save", priority=True),
        Binding("escape", "leave", "Leave"),
        # As in the round. Not priority: a text field takes its digits first, so typing "1" in the
        # status writes a 1 there and never changes the mood.
        *(Binding(str(n), f"mood({n})", f"mood {n}", show=n == 1, key_display="1-5") for n in MOODS),
    ]

    moods = getters.query_one("#mood", MoodPicker)
    sharing = getters.query_one("#sharing", RadioSet)
    status = getters.query_one("#status", Input)
    concern_text = getters.query_one("#concern-text", Input)
    concern_kind = getters.query_one("#concern-kind", Select)
    concern_sharing = getters.query_one("#concern-sharing", Select)
    concern_owner = getters.query_one("#concern-owner", Input)
    concern_list = getters.query_one("#concerns", Static)
    wants_support = getters.query_one("#wants-support", Checkbox)

    def __init__(self, journal: Journal, member: str, today: date, user: UserConfig, *,
                 current: CheckIn | None = None, default: Visibility = "team",
                 due: tuple[str, ...] = ()) -> None:
        """A form for `member` on `today`, prefilled from `current` when they already checked in."""
        super().__init__()
        self.journal = journal
        self.member = member
        self.today = today
        self.user = user
        self.current = current
        self.visibility: Visibility = default if current is None or current.withheld else \
            as_visibility(current.visibility)
        self.concerns: list[Concern] = list(current.concerns) if current else []
        # Anonymous concerns given to the day's totals beside a named or private check-in: only this
        # machine knows them, so only this form can take them back (until the day's cut-off).
        self.given = journal.given_to_totals(member, today.isoformat())
        self.closed = bool(self.given) and journal.totals_closed(today)
        self.due = due
        self.saved: Saved | None = None
        self.post: Signpost | None = None

    def compose(self) -> ComposeResult:
        """The form's fields in the order a person answers them."""
        mood = self.current.mood if self.current else None
        with VerticalScroll(id="form"):
            yield Static(f"Your check-in · {printable(self.member)} · {self.today:%A %d %B}"
                         + (" · you already checked in today: change anything" if self.current else ""),
                         id="form-title", markup=False)
            yield Static("How are you today?", classes="label")
            yield MoodPicker(mood, id="mood")
            yield SteadyInput(self.current.status if self.current else "", max_length=MAX_STATUS, id="status",
                        compact=True, placeholder="one line on how things are going")
            yield Static("Who sees it", classes="label")
            with RadioSet(id="sharing"):
                for vis, words in SHARING.items():
                    yield RadioButton(words, value=vis == self.visibility, id=f"share-{vis}")
            yield Static("A concern, a blocker or a call for support (optional)", classes="label")
            yield SteadyInput(placeholder="what is on your mind", max_length=MAX_CONCERN, id="concern-text",
                        compact=True)
            with Horizontal(id="concern-row"):
                yield Select([(k, k) for k in CONCERN_KINDS], value="concern", allow_blank=False,
                             id="concern-kind", compact=True)
                yield Select(CONCERN_SHARING, value="", allow_blank=False, id="concern-sharing", compact=True)
                yield SteadyInput(placeholder="who follows it up", id="concern-owner", max_length=80,
                                  compact=True)
                yield Button("Add", id="concern-add", compact=True)
            yield Static(self._concern_lines(), id="concerns", markup=False)
            yield from self._given()
            yield Checkbox("I'd like support (only you see what follows)", id="wants-support")
            yield from self._measures()
            with Horizontal(id="form-buttons"):
                yield Button("Save (ctrl+s)", id="save", variant="primary", compact=True)
                yield Button("Leave (esc)", id="leave", compact=True)
        yield Footer()

    def get_default_screen(self) -> Screen[FormResult]:
        """The form's screen: focus starts on the mood, its first answer (dialogs keep their own focus)."""
        return FormScreen()

    def _measures(self) -> ComposeResult:
        """The opted-in measures that are due today, each optional."""
        if m.SISQ in self.due:
            yield Static(f"Weekly (optional): {m.SISQ_QUESTION}", classes="label", markup=False)
            with RadioSet(id="sisq"):
                for n, word in m.SISQ_ANSWERS.items():
                    yield RadioButton(f"{n} {word}")
        if m.WHO5 in self.due:
            yield Static(f"Every two weeks (optional). {m.WHO5_INTRO}", classes="label")
            for i, item in enumerate(m.WHO5_ITEMS):
                yield Static(item, classes="item", markup=False)
                with RadioSet(id=f"who5-{i}", classes="who5"):
                    for n, word in m.WHO5_ANSWERS.items():
                        yield RadioButton(f"{n} {word}")

    def _given(self) -> ComposeResult:
        """The day's anonymous concerns in its totals, each with a box to take it back (or why it stays)."""
        if not self.given:
            return
        if self.closed:
            yield Static("Given anonymously to the day's totals (only you see this list). The day's total "
                         "opened: they stay in it as you gave them.", classes="label", markup=False)
            for concern in self.given:
                yield Static(f"• {concern.kind}: {printable(concern.text)}", classes="item", markup=False)
            return
        yield Static("Given anonymously to the day's totals (only you see this list): tick one to take it "
                     "back before the total opens.", classes="label", markup=False)
        for i, concern in enumerate(self.given):
            yield Checkbox(f"Take back {concern.kind}: {printable(concern.text)}", id=f"withdraw-{i}")

    def _withdrawn(self) -> tuple[Concern, ...]:
        """The given concerns whose box is ticked (none once the day opened)."""
        if self.closed:
            return ()
        return tuple(c for i, c in enumerate(self.given) if self.query_one(f"#withdraw-{i}", Checkbox).value)

    def _concern_lines(self) -> str:
        """The concerns added so far, one a line."""
        if not self.concerns:
            return "No concerns added."
        return "\n".join(f"• {c.kind}: {printable(c.text)} ({c.visibility}"
                         + (f", follow-up: {printable(c.followup.owner)}" if c.followup else "") + ")"
                         for c in self.concerns)

    # ------------------------------------------------------------ concerns

    @on(Button.Pressed, "#concern-add")
    @on(Input.Submitted, "#concern-text")
    def add_concern(self) -> None:
        """Add the concern typed; it is saved with the check-in."""
        text = self.concern_text.value.strip()
        if not text:
            self.notify("Type the concern first.", markup=False)
            return
        chosen = str(self.concern_sharing.value or "")
        visibility = as_visibility(chosen) if chosen in SHARING else self._visibility()
        owner = self.concern_owner.value.strip()
        self.concerns.append(Concern.new(text, str(self.concern_kind.value), visibility,
                                         FollowUp(owner) if owner else None))
        self.concern_text.value = self.concern_owner.value = ""
        self.concern_list.update(self._concern_lines())

    # ------------------------------------------------------------ saving

    def _visibility(self) -> Visibility:
        """How the check-in is shared, from the choice made."""
        index = self.sharing.pressed_index
        return list(SHARING)[index] if index >= 0 else self.visibility

    def _mood(self) -> int | None:
        """The mood picked, or None."""
        return self.moods.value

    def action_mood(self, mood: int) -> None:
        """1–5 outside a text field choose the mood, as in the round (not under the save dialog)."""
        if self.saved is None and self.screen is self.screen_stack[0]:
            self.moods.value = mood

    def _answers(self) -> list[m.Answer]:
        """The measures answered in full (a measure half answered is not kept)."""
        out = []
        if m.SISQ in self.due:
            index = self.query_one("#sisq", RadioSet).pressed_index
            if index >= 0:
                out.append(m.Answer(m.SISQ, self.today, (list(m.SISQ_ANSWERS)[index],)))
        if m.WHO5 in self.due:
            picked = [self.query_one(f"#who5-{i}", RadioSet).pressed_index for i in range(len(m.WHO5_ITEMS))]
            if all(p >= 0 for p in picked):
                out.append(m.Answer(m.WHO5, self.today, tuple(list(m.WHO5_ANSWERS)[p] for p in picked)))
        return out

    @on(Button.Pressed, "#save")
    def action_save(self) -> None:
        """Show what the team will see; the save follows only once that is confirmed."""
        from huddle_tui.tui.confirm_checkin import ConfirmCheckin

        if self.saved is not None or self.screen is not self.screen_stack[0]:
            return  # saved already: the signpost (or a dialog) is up
        mood = self._mood()
        if mood is None:
            self.notify("Pick a mood first (1 struggling … 5 great).", markup=False)
            self.moods.focus()
            return
        if self.concern_text.value.strip():
            self.add_concern()
        self.push_screen(ConfirmCheckin(self.member, mood, self._visibility()), self._confirmed)

    def _confirmed(self, visibility: Visibility | None) -> None:
        """Save in a worker, as confirmed (maybe anonymously instead); Esc in the dialog saves nothing."""
        mood = self._mood()
        if visibility is None or mood is None:
            return
        concerns = tuple(c if c.visibility != self.visibility or c.visibility == visibility
                         else c._replace(visibility=visibility) for c in self.concerns)
        checkin = CheckIn(self.today.isoformat(), mood, self.member, self.status.value.strip(),
                          concerns, visibility, "form")
        asked, answers, withdraw = self.wants_support.value, self._answers(), self._withdrawn()
        self.run_worker(lambda: self._save(checkin, asked, answers, withdraw), thread=True, group="save",
                        exit_on_error=False)

    def _save(self, checkin: CheckIn, asked: bool, answers: list[m.Answer],
              withdraw: tuple[Concern, ...] = ()) -> None:
        """In a worker: write, then work out the signpost from this machine's own records."""
        from huddle_tui import support

        try:
            if self.journal.team.in_totals:
                # Answers and the signpost's mark first: the check-in's one contribution carries them.
                for answer in answers:
                    support.save_answer(self.journal, self.member, answer)
                post = support.offer(self.journal, self.member, self.today, self.user.support, asked=asked,
                                     mood=checkin.mood)
                saved = self.journal.save_checkin(checkin, signposted=post is not None, withdraw=withdraw)
            else:
                saved = self.journal.save_checkin(checkin)
                for answer in answers:
                    support.save_answer(self.journal, self.member, answer)
                post = support.offer(self.journal, self.member, self.today, self.user.support, asked=asked)
            if post is not None:
                support.note_shown(self.journal, self.member, self.today)
        except (HuddleError, OSError) as exc:
            message = exc.message if isinstance(exc, HuddleError) else str(exc)
            self.call_from_thread(self.notify, f"Not saved: {message}", severity="error", markup=False)
            return
        self.call_from_thread(self._saved, saved, post)

    def _saved(self, saved: Saved, post: Signpost | None) -> None:
        """Close with what was saved, or show the signpost first."""
        self.saved, self.post = saved, post
        if post is None:
            self.exit(FormResult(saved))
            return
        from huddle_tui.tui.signpost import SignpostScreen

        self.push_screen(SignpostScreen(post, self.journal, self.member, self.today),
                         lambda _: self.exit(FormResult(saved, post)))

    @on(Button.Pressed, "#leave")
    def action_leave(self) -> None:
        """Leave without saving anything."""
        self.exit(FormResult(None))

