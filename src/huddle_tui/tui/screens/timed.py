"""What every timed round shares — the pulse, a circle, a debrief: one engine, driven by the same keys.

The round model (rules/roundclock.PulseRound) decides who speaks and what is
left; this screen paints its clock, its bar and its order, rings once when
a turn runs over, and turns keys into the model's moves: next, back, pause,
+30 s, skip, a latecomer, end. Each kind of round says what a turn shows
(`_show_speaker`), who may come late (`latecomer_pool`) and what happens at
the end (`_finish`).
"""

from __future__ import annotations

from textual import getters
from textual.app import ComposeResult
from textual.content import Content
from textual.widgets import Static

from huddle_tui.rules.roundclock import OVER, PulseRound, View, countdown, duration
from huddle_tui.text import printable
from huddle_tui.tui.screens.base import HuddleScreen
from huddle_tui.tui.widgets.countdown import Countdown
from huddle_tui.tui.widgets.speaker_queue import SpeakerQueue

TICK_S = 0.1
KEEP_GOING, QUIT_NOW = "Keep going", "Quit the app now"
BAR_WIDTH = 14


def round_bar(view: View, width: int = 80) -> str:
    """The whole round's progress as a bar with words (the bar shrinks to fit `width`), overtime said."""
    left = view.round_remaining_s
    tail = f"{countdown(left)} left" if left > 0 else f"round over by {duration(-left)}"
    words = f"{duration(view.round_elapsed_s)} of {duration(view.round_s)}, {tail}"
    room = min(BAR_WIDTH, width - len(words) - len("Round  "))
    if room >= 4:
        done = min(1.0, view.round_elapsed_s / view.round_s) if view.round_s else 1.0
        filled = round(done * room)
        line = f"Round {'█' * filled}{'░' * (room - filled)} {words}"
    else:
        line = f"Round {words}"
    if view.extended_s >= 1:
        line += f"\nEnds {duration(view.extended_s)} later: {duration(view.min_turn_s)} min. turn"
    return line


class TimedScreen(HuddleScreen):
    """A screen running a PulseRound by keys; every figure is read from the round's clock."""

    countdown = getters.query_one(Countdown)
    round_bar_line = getters.query_one("#round-bar", Static)
    queue = getters.query_one(SpeakerQueue)
    speaker_line = getters.query_one("#speaker", Static)
    next_line = getters.query_one("#next-up", Static)

    QUIT_QUESTION = "The round is in progress. Quit now?"

    def __init__(self, pulse: PulseRound) -> None:
        """Drive `pulse`."""
        super().__init__()
        self.pulse = pulse
        self._over_rung: set[int] = set()
        self._extended_told = 0.0

    # ------------------------------------------------------------ painting

    def stage_column(self, title: Content) -> ComposeResult:
        """The timed column every kind of round shows: its title, the round's bar, the speaker, the
        countdown, what they said and who is next (the widgets tick() and show_turn() update)."""
        yield Static(title, id="round-title")
        yield Static("", id="round-bar", markup=False)
        yield Static("", id="speaker")
        yield Countdown(id="countdown")
        yield Static("", id="said")
        yield Static("", id="next-up")

    def tick(self) -> None:
        """Read the round at this instant and update whatever changed; ring once when a turn runs over."""
        view = self.pulse.view()
        if view.finished:
            return
        self.countdown.show(view)
        self.round_bar_line.update(round_bar(view, self.round_bar_line.content_size.width or 80))
        self.round_bar_line.set_class(view.round_remaining_s <= 0, "-over")
        self.queue.show(self.pulse)
        self.paint(view)
        if view.state == OVER and not view.paused and self.pulse.index not in self._over_rung:
            self._over_rung.add(self.pulse.index)
            if self.huddle.user.bell:
                self.app.bell()
            if self.huddle.team.auto_advance:
                self.action_next()

    def paint(self, view: View) -> None:
        """What else a tick repaints (the pulse's stage view); nothing by default."""

    def show_turn(self) -> View:
        """Who speaks now (late or not, and their place) and who is next; the round as read for it."""
        view = self.pulse.view()
        if view.speaker is None:
            return view
        late = " (late)" if self.pulse.current and self.pulse.current.late else ""
        self.speaker_line.update(Content.assemble(
            "Now speaking ", (printable(view.speaker) + late, "bold"),
            f"  ·  {view.position} of {view.speakers}"))
        nxt = printable(view.next_speaker) if view.next_speaker else "nobody: this is the last turn"
        self.next_line.update(Content.assemble("Next: ", nxt))
        return view

    def _show_speaker(self) -> None:
        """The lines that change only on keys: who speaks, what their turn asks, who is next."""
        raise NotImplementedError

    def _finish(self) -> None:
        """The round is over: record it and show what follows."""
        raise NotImplementedError

    def latecomer_pool(self) -> list[str]:
        """Who may join late (those with a turn to come or given are left out by the caller)."""
        raise NotImplementedError

    def _refresh_all(self) -> None:
        """Repaint after a key: the tick's figures and the speaker's lines (or finish)."""
        if self.pulse.finished:
            self._finish()
            return
        self.tick()
        self._show_speaker()
        if self.pulse.extended_s >= self._extended_told + 1:
            self._extended_told = self.pulse.extended_s
            self.notify(f"The round now ends {duration(self.pulse.extended_s)} later than planned, so "
                        f"every speaker still gets {duration(self.pulse.min_turn_s)}.",
                        title="Round end moved", markup=False)

    # ------------------------------------------------------------ keys

    def action_next(self) -> None:
        """Next speaker (or the end after the last)."""
        self.pulse.next()
        self._refresh_all()

    def action_back(self) -> None:
        """Back to the previous speaker."""
        self.pulse.back()
        self._refresh_all()

    def action_pause(self) -> None:
        """Pause or resume the clock."""
        self.pulse.toggle_pause()
        self._refresh_all()

    def action_more_time(self) -> None:
        """Thirty seconds more for this speaker."""
        self.pulse.add_time()
        self._over_rung.discard(self.pulse.index)
        self._refresh_all()

    def action_skip(self) -> None:
        """The speaker is absent: skip them."""
        self.pulse.skip()
        self._refresh_all()

    def action_end(self) -> None:
        """End the round now; anyone not reached is recorded as skipped."""
        self.pulse.finish()
        self._refresh_all()

    def action_latecomer(self) -> None:
        """Give someone who just arrived a turn at the end."""
        from huddle_tui.tui.screens.choose import Choose

        waiting = {s.speaker for s in self.pulse.upcoming()}
        if self.pulse.current:
            waiting.add(self.pulse.current.speaker)
        spoke = {s.speaker for s in self.pulse.slots if not s.skipped and s.timebox_s is not None}
        names = [n for n in self.latecomer_pool() if n not in waiting | spoke]
        if not names:
            self.notify("Everyone already has a turn.")
            return
        self.app.push_screen(Choose("Who just joined?", names), self._add_latecomer)

    def _add_latecomer(self, name: str | None) -> None:
        """Append the latecomer's turn."""
        if name is not None and self.pulse.add_latecomer(name):
            self.notify(f"{printable(name)} speaks at the end.", markup=False)
            self._refresh_all()

    async def action_quit_app(self) -> None:
        """Quit during a round only once the facilitator says so."""
        from huddle_tui.tui.screens.choose import Choose

        self.app.push_screen(Choose(self.QUIT_QUESTION, [KEEP_GOING, QUIT_NOW]), self._quit_if)

    async def _quit_if(self, answer: str | None) -> None:
        """Quit when confirmed; otherwise the round goes on."""
        if answer == QUIT_NOW:
            await self.app.run_action("app.quit")

    def _stamp(self) -> str:
        """Now as the records write it (the journal's clock, UTC)."""
        return self.huddle.journal.now().strftime("%Y-%m-%dT%H:%M:%SZ")
