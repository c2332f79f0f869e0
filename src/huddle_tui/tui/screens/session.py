"""A peer circle's or a debrief's session: the pulse's timed round, with the room's prompts in each turn.

The clock, the keys and the order are the pulse's (TimedScreen over
rules/roundclock.PulseRound); what a turn shows is the prompts each speaker
answers. Nothing said is typed here: the session records only that it was
held, who led, for whom, and the turns' timings (at its start, and with the
turns at its end). What each member keeps from it is left after, on the
end screen: a takeaway kept in the room (sealed to it), shared with the
team by name, or (in a team whose anonymous answers are totals) with no
name inside the team's totals; and thanks to someone in the room.
"""

from __future__ import annotations

from functools import partial
from typing import ClassVar

from textual import getters
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.widgets import Footer, Static

from huddle_tui.model.sessions import ANONYMOUS, CIRCLE, ROOM, TEAM, Session
from huddle_tui.rules.privacy import K
from huddle_tui.rules.roundclock import PulseRound, spoken_of
from huddle_tui.sessions import SessionPlan
from huddle_tui.text import printable
from huddle_tui.tui.messages import TakeawaySaved, ThanksSaved
from huddle_tui.tui.screens.base import COMMON_KEYS, HIDE_KEYS, KEYS_KEY, QUIT_KEY, HuddleScreen
from huddle_tui.tui.screens.timed import TICK_S, TimedScreen
from huddle_tui.tui.widgets.speaker_queue import SpeakerQueue
from huddle_tui.tui.widgets.status_line import StatusLine

KEEP_IN_ROOM = "Keep it in the room: sealed, only the people in it can read it"
SHARE_NAMED = "Share it with the team, with your name"
SHARE_ANONYMOUS = f"Share it with the team, with no name: in the team's totals, once {K} people left one"


def title_of(plan: SessionPlan) -> str:
    """The session's name: a circle's week, or the event debriefed."""
    if plan.kind == CIRCLE:
        return f"Peer circle, week of {plan.round}"
    return f"Debrief: {plan.event}"


class SessionScreen(TimedScreen):
    """A circle or debrief under way: countdown, prompts, the order; the pulse's keys."""

    CSS_PATH = "round.tcss"
    SCOPED_CSS = False

    prompt_lines = getters.query_one("#said", Static)
    QUIT_QUESTION = "The session is in progress. Quit now? Its timings are not saved."

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("space,enter", "next", "next", key_display="␣", tooltip="Next speaker"),
        KEYS_KEY,
        Binding("e", "end", "end", tooltip="End the session now"),
        Binding("p", "pause", "pause", tooltip="Pause or resume the clock"),
        Binding("plus,equals_sign", "more_time", "+30s", key_display="+",
                tooltip="Give the speaker 30 seconds more"),
        Binding("s", "skip", "skip", tooltip="Skip the speaker (absent)"),
        Binding("l", "latecomer", "late", tooltip="Add a latecomer at the end"),
        Binding("b", "back", "back", show=False, tooltip="Back to the previous speaker"),
        HIDE_KEYS,
        QUIT_KEY,
    ]

    def __init__(self, plan: SessionPlan, pulse: PulseRound, record_id: str) -> None:
        """Run `plan` on `pulse`, recorded under `record_id`."""
        super().__init__(pulse)
        self.plan = plan
        self.record_id = record_id
        self._started_at = ""

    def compose(self) -> ComposeResult:
        """Title, round bar, speaker, countdown, the prompts; the order on the right."""
        yield self.too_small()
        with Horizontal(id="round", classes="body"):
            with Vertical(id="stage"):
                # What it is and who leads first: at 64 columns the week or the event is the part cut short.
                kind = "Circle" if self.plan.kind == CIRCLE else "Debrief"
                detail = f"week of {self.plan.round}" if self.plan.kind == CIRCLE else self.plan.event
                yield from self.stage_column(Content.assemble(
                    (kind, "bold"), " · facilitator ", printable(self.plan.facilitator), " · ",
                    printable(detail)))
            yield SpeakerQueue(id="queue")
        yield StatusLine()
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        """Start the clock, record that the session started, and look at the clock often."""
        self.pulse.start()
        self._started_at = self._stamp()
        self._save(final=False)
        self.set_interval(TICK_S, self.tick)
        self._refresh_all()

    def _show_speaker(self) -> None:
        """Who speaks, the prompts they answer, who is next."""
        if self.show_turn().speaker is not None:
            self.prompt_lines.update("\n".join(f"• {p}" for p in self.plan.prompts))

    def latecomer_pool(self) -> list[str]:
        """A circle's members; for a debrief, anyone on the team who has joined."""
        if self.plan.kind == CIRCLE:
            return list(self.plan.members)
        return [m.name for m in self.huddle.team.members if m.has_joined(self.huddle.today)]

    def _session(self, final: bool) -> Session:
        """The session's record, with its turns once it is over."""
        base = self.plan.session(self._started_at)
        if not final:
            return base
        return base._replace(order=tuple(s.speaker for s in self.pulse.slots), turns=self.pulse.turns(),
                             ended_at=self._stamp())

    def _save(self, final: bool) -> None:
        """Record the session (at the start, so it counts as held; at the end, with its turns)."""
        from huddle_tui.tui import jobs

        self.huddle.submit(partial(jobs.save_session, self.huddle.journal, self._session(final),
                                   self.record_id, final), self.app, save=True)

    def _finish(self) -> None:
        """Save the finished session and open its end: takeaways and thanks."""
        session = self._session(final=True)
        self._save(final=True)
        self.app.switch_screen(SessionEndScreen(self.plan, session, self.record_id))


class SessionEndScreen(HuddleScreen):
    """After a session: who spoke and for how long; `me` may leave a takeaway and thank someone."""

    CSS = """
    #session-end { padding: 0 1; height: 1fr; }
    #end-text { width: 1fr; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("t", "takeaway", "takeaway", tooltip="Leave your takeaway: kept in the room or shared"),
        Binding("k", "thank", "thank", tooltip="Thank someone in the room"),
        *COMMON_KEYS,
    ]

    def __init__(self, plan: SessionPlan, session: Session, record_id: str) -> None:
        """The end of `session`, recorded under `record_id`."""
        super().__init__()
        self.plan = plan
        self.session = session
        self.record_id = record_id
        self.said: list[str] = []

    def compose(self) -> ComposeResult:
        """The session in words, then what was left after it."""
        yield self.too_small()
        with VerticalScroll(id="session-end", classes="body"):
            yield Static(self._text(), id="end-text")
        yield StatusLine()
        yield Footer(compact=True, show_command_palette=False)

    def _me(self) -> str | None:
        """Who is at this terminal, as the room spells it (None: not in the room)."""
        me = self.huddle.journal.me
        if me is None:
            return None
        return next((n for n in self.session.room if n.casefold() == me.casefold()), None)

    def _text(self) -> Content:
        """Title, each turn, the room, and what this terminal's member left."""
        s = self.session
        spent = sum(t.spoken_s for t in s.turns)
        parts: list[str | Content | tuple[str, str]] = [
            (printable(title_of(self.plan)), "bold"), f" · ended, {spoken_of(spent, s.round_s)}",
            f"\nFacilitator: {printable(s.facilitator)} · {len(s.attended)} of {len(s.members)} spoke\n"]
        for t in s.turns:
            how = "absent" if t.skipped else spoken_of(t.spoken_s, t.timebox_s)
            parts.append(f"\n  {printable(t.speaker)}{' (late)' if t.late else ''}: {how}")
        me = self._me()
        if me is None:
            parts.append("\n\nTakeaways and thanks are left by the people in the room.")
        elif self.huddle.journal.team.in_totals:
            parts.append(f"\n\n{printable(me)}: t leaves your takeaway, k thanks someone in the room. "
                         "A takeaway kept in the room is sealed to it; one shared with the team carries "
                         "your name, or none: then only your next check-in carries it, inside the team's "
                         f"totals, shown once {K} people left one.")
        else:
            parts.append(f"\n\n{printable(me)}: t leaves your takeaway, k thanks someone in the room. "
                         "A takeaway kept in the room is sealed to it; one shared with the team carries "
                         "your name (a room this small cannot hide who said it).")
        for line in self.said:
            parts += ["\n", ("✓ ", "bold"), line]
        return Content.assemble(*parts)

    def _repaint(self) -> None:
        """Show what was just left."""
        self.query_one("#end-text", Static).update(self._text())

    def action_takeaway(self) -> None:
        """Type the takeaway, then choose where it goes."""
        from huddle_tui.sessions import MAX_TAKEAWAY_CHARS
        from huddle_tui.tui.screens.text_prompt import TextPrompt

        if self._me() is None:
            self.notify("Only someone in the room leaves a takeaway.", markup=False)
            return
        self.app.push_screen(TextPrompt("Your takeaway", limit=MAX_TAKEAWAY_CHARS, allow_empty=False,
                                        field="takeaway"), self._where)

    def _where(self, text: str | None) -> None:
        """Ask where the takeaway goes."""
        from huddle_tui.tui.screens.choose import Choose

        if text:
            choices = [KEEP_IN_ROOM, SHARE_NAMED]
            if self.huddle.journal.team.in_totals:  # anonymous only where it never is a file of its own
                choices.append(SHARE_ANONYMOUS)
            self.app.push_screen(Choose("Where does it go?", choices), partial(self._save_takeaway, text))

    def _save_takeaway(self, text: str, where: str | None) -> None:
        """Save the takeaway, signed, in a worker."""
        from huddle_tui.tui import jobs

        if where is None:
            return
        share = {KEEP_IN_ROOM: ROOM, SHARE_ANONYMOUS: ANONYMOUS}.get(where, TEAM)
        self.huddle.submit(partial(jobs.save_takeaway, self.huddle.journal, self.record_id, self.session,
                                   text, share), self, save=True)

    def on_takeaway_saved(self, message: TakeawaySaved) -> None:
        """Say where the takeaway went and who can read it."""
        kept = message.kept
        if kept.share == ROOM:
            readers = ", ".join(printable(n) for n in kept.readers)
            line = f"Takeaway kept in the room: {readers} can read it"
            if kept.unreadable_by:
                line += (" (not " + ", ".join(printable(n) for n in kept.unreadable_by)
                         + ": no key of theirs is trusted here yet)")
        elif kept.share == ANONYMOUS:
            line = ("Takeaway kept on this machine: your next check-in carries it, with no name, into the "
                    "team's totals")
        else:
            line = "Takeaway shared with the team, with your name"
        self.said.append(line)
        self._repaint()

    def action_thank(self) -> None:
        """Choose someone in the room to thank."""
        from huddle_tui.tui.screens.choose import Choose

        me = self._me()
        if me is None:
            self.notify("Only someone in the room thanks someone in it.", markup=False)
            return
        others = [n for n in self.session.room if n != me]
        self.app.push_screen(Choose("Thank someone in the room", others), self._thank)

    def _thank(self, name: str | None) -> None:
        """Save the thanks in a worker."""
        from huddle_tui.tui import jobs

        if name is not None:
            self.huddle.submit(partial(jobs.save_thanks, self.huddle.journal, self.record_id, self.session,
                                       name), self, save=True)

    def on_thanks_saved(self, message: ThanksSaved) -> None:
        """Say who was thanked."""
        self.said.append(f"You thanked {printable(message.to)}")
        self._repaint()
