"""The lobby: today's facilitator, who is here, and what the round will give each speaker."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, ClassVar, Protocol, runtime_checkable

from textual import getters
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.message import Message
from textual.widgets import Footer, Static

from huddle_tui.rules.roundclock import duration, opening_turn_s
from huddle_tui.text import printable
from huddle_tui.tui.screens.base import COMMON_KEYS, HuddleScreen
from huddle_tui.tui.widgets.fit import fit
from huddle_tui.tui.widgets.glance import Glance
from huddle_tui.tui.widgets.roster import Roster
from huddle_tui.tui.widgets.status_line import StatusLine

if TYPE_CHECKING:
    from huddle_tui.model.huddle import Plan
    from huddle_tui.tui.messages import DebriefPlanned, HandoffSaved, PlanLoaded

PRESENCE = ("in the room", "remote", "away")
LIVE_REFRESH_S = 5.0
REASONS = {"rotation": "by rotation", "handoff": "handed over", "held": "already held today"}
VIEW_SUMMARY, ANOTHER_ROUND = "View today's summary", "Run another round (recorded as its own huddle)"


@runtime_checkable
class Folding(Protocol):
    """A panel under the roster that gives up all but one row when the roster needs them."""

    display: bool
    folded: bool

    @property
    def unfolded_height(self) -> int:
        """The rows it takes shown in full."""


class LobbyScreen(HuddleScreen):
    """Painted at once: today as last read when nothing changed since, else the config until it is read."""

    facilitator_line = getters.query_one("#lobby-facilitator", Static)
    timing_line = getters.query_one("#lobby-timing", Static)
    roster = getters.query_one("#roster", Roster)

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "start", "start", priority=True, tooltip="Start the pulse round"),
        Binding("p", "presence", "presence", tooltip="Presence: in the room, remote or away"),
        Binding("h", "hand_over", "hand over", tooltip="Hand the facilitator role to someone else"),
        Binding("i", "history", "history", tooltip="History: mood, participation and facilitation by week"),
        Binding("f", "followup_done", "follow-up done", show=False, tooltip="Mark a follow-up done"),
        Binding("d", "debrief", "debrief", show=False,
                tooltip="Debrief an event with the whole team (a timed peer-led session)"),
        *COMMON_KEYS,
    ]

    def __init__(self) -> None:
        """Start with no plan: the roster comes from the config until the records are read."""
        super().__init__()
        self.plan: Plan | None = None
        self._keys_note = ""  # the last keys note shown, so a refresh does not repeat it
        self.rounds_held = 0
        self.checked_in: frozenset[str] = frozenset()
        self.asynchronous: frozenset[str] = frozenset()  # of checked_in, who did before the round
        self.presence: dict[str, str] = {}
        self.add_class("-keys-later")  # the footer's row, kept free until it is mounted

    def compose(self) -> ComposeResult:
        """Title, facilitator, timing, roster, glance and where check-ins go; the keys come a frame later."""
        app = self.huddle
        yield self.too_small()
        with Vertical(id="lobby", classes="body"):
            day = app.today  # %-d is not portable to Windows
            yield Static(Content.assemble(("Lobby", "bold"), " · ", printable(app.team.name), " · ",
                                          f"{day:%A} {day.day} {day:%B %Y}"), id="lobby-title")
            yield Static("Facilitator: reading today's plan…", id="lobby-facilitator", markup=False)
            yield Static("", id="lobby-timing", markup=False)
            yield Roster(id="roster")
            yield Glance(id="glance")
            yield StatusLine()

    def on_mount(self) -> None:
        """Show the roster from the config now; read the plan once that is painted."""
        day = self.huddle.today
        for m in self.huddle.team.members:
            if m.has_joined(day):
                self.presence[m.name] = "away" if m.is_away(day) else "in the room"
        kept = self.huddle.kept_today()
        if kept is not None:  # nothing changed since it was last read: the first frame is the whole lobby
            self.plan, self.checked_in, self.rounds_held, self.asynchronous = kept
        self._show()
        self.watch(self.roster, "spare_rows", self._fit_roster, init=False)
        self.call_after_refresh(self._load_plan)
        self.call_after_refresh(self._mount_after_first_frame)
        # Teammates check in from their own terminals: their ✓ arrives here while the lobby is up.
        self._live = self.set_interval(LIVE_REFRESH_S, self._load_plan)

    async def _mount_after_first_frame(self) -> None:
        """What the first frame does without, unseen: the hidden panels, and the keys into their free row.

        The pairs line and the follow-ups are hidden until read. The footer
        shows its keys only a frame after it is mounted anyway, and its
        stylesheet alone costs the first paint a few milliseconds to parse.
        """
        from huddle_tui.tui.widgets.followups import FollowupsPanel
        from huddle_tui.tui.widgets.pairs_line import PairsLine

        self.query_one("#lobby").mount(PairsLine(id="lobby-pairs"), FollowupsPanel(),
                                       before=self.query_one(Glance))
        await self.mount(Footer())
        self.remove_class("-keys-later")
        self.refresh_bindings()  # a footer shows the keys it is told of after it is mounted

    def on_screen_suspend(self) -> None:
        """Stop re-reading while the round (or a dialog) covers the lobby."""
        self._live.pause()

    def on_screen_resume(self) -> None:
        """Start re-reading again when the lobby is back on top."""
        self._live.resume()

    def _load_plan(self) -> None:
        """Ask a worker for today's plan (after the first paint, so reading never delays it)."""
        app = self.huddle

        def reading_todays_plan() -> Message:
            """In the worker: import the store and read (nothing of it is needed to paint)."""
            from huddle_tui.tui import jobs

            return jobs.load_plan(app.journal, app.today)

        app.submit(reading_todays_plan, self, first=True)  # before the glance's weeks of history

    def on_plan_loaded(self, message: PlanLoaded) -> None:
        """Show the facilitator and order; open the round at once when asked to (benchmarks)."""
        fresh = (message.plan, message.checked_in, message.rounds_held, message.asynchronous)
        if fresh != (self.plan, self.checked_in, self.rounds_held, self.asynchronous):  # idle: no repaint
            self.plan, self.checked_in, self.rounds_held, self.asynchronous = fresh
            self._show()
        if message.keys_note and message.keys_note != self._keys_note:  # once, not every refresh
            self.notify(message.keys_note, markup=False)
        self._keys_note = message.keys_note
        if self.huddle.start_round:  # once, straight in: a benchmark's runs each open a round of their own
            self.huddle.start_round = False
            self._open_round(self.rounds_held + 1)

    def on_handoff_saved(self, message: HandoffSaved) -> None:
        """Show the new facilitator and say it was recorded."""
        self.plan = message.plan
        self._show()
        self.notify(f"{printable(message.handoff.to_member)} facilitates today (recorded)", markup=False)

    # ------------------------------------------------------------ showing

    def _fit_roster(self, spare: int) -> None:
        """The roster comes first: fold the panels under it, the largest first, until it shows everyone.

        A folded panel's rows are the roster's now, so they come off its spare
        rows first: the same panels fold whichever of them are folded already,
        and the roster's next resize asks the same question.
        """
        panels = [w for w in self.query_one("#lobby").children if isinstance(w, Folding) and w.display]
        spare -= sum(p.unfolded_height - 1 for p in panels if p.folded)  # every panel in full
        for panel in sorted(panels, key=lambda p: p.unfolded_height, reverse=True):
            panel.folded = spare < 0
            if panel.folded:
                spare += panel.unfolded_height - 1

    def _order(self) -> list[str]:
        """Everyone on the roster today: the speaking order first, then anyone else joined."""
        order = list(self.plan.order) if self.plan else []
        return order + [n for n in self.presence if n not in order]

    def _speakers(self) -> list[str]:
        """Who will get a turn: the order without anyone marked away."""
        return [n for n in (self.plan.order if self.plan else ()) if self.presence.get(n) != "away"]

    def _show(self) -> None:
        """Repaint the facilitator line, the timing line and the roster."""
        team, plan = self.huddle.team, self.plan
        facilitator = self.facilitator_line
        if plan is not None:
            who = printable(plan.facilitator) if plan.facilitator else "nobody eligible today"
            facilitator.update(f"Facilitator: {who} ({REASONS.get(plan.reason, plan.reason)})"
                               " · h hands it over")
        speakers = self._speakers()
        ahead = sum(1 for n in speakers if n.casefold() in self.asynchronous)
        per_turn = opening_turn_s(team.round_seconds, len(speakers), ahead)
        said = f" ({ahead} async)" if ahead else ""
        self.timing_line.update(
            f"Round {duration(team.round_seconds)} · {len(speakers)} speakers{said} · "
            f"{duration(per_turn)} a turn to start with")
        self.roster.show(self._order(), self._row)

    def _row(self, name: str) -> Content:
        """One roster line: name, role, presence, and ✓ when already checked in (async: before the round)."""
        role = "facilitator" if self.plan and name == self.plan.facilitator else ""
        folded = name.casefold()
        done = ("✓ in (async)" if folded in self.asynchronous
                else "✓ checked in" if folded in self.checked_in else "")
        where = self.presence.get(name, "in the room")
        return Content.assemble(fit(name, 16), " ", (role.ljust(12), "bold"), " ",
                                (where.ljust(12), "dim" if where == "away" else ""), " ", done)

    # ------------------------------------------------------------ actions

    def action_presence(self) -> None:
        """Cycle the highlighted person: in the room → remote → away (away skips their turn)."""
        order = self._order()
        if not order:
            return
        name = order[min(self.roster.highlighted, len(order) - 1)]
        now = self.presence.get(name, "in the room")
        self.presence[name] = PRESENCE[(PRESENCE.index(now) + 1) % len(PRESENCE)]
        self._show()

    def action_hand_over(self) -> None:
        """Pick who facilitates instead, then why; the handoff is recorded in the shared folder."""
        from huddle_tui.tui.screens.choose import Choose

        if self.plan is None or self.plan.facilitator is None:
            self.notify("Today's plan is still being read; try again in a moment.")
            return
        if self.rounds_held:
            self.notify("Today's huddle was already held; its facilitator cannot change now.")
            return
        others = [n for n in self._order()
                  if n != self.plan.facilitator and self.presence.get(n) != "away"]
        if not others:
            self.notify("Nobody else is here to hand the role to.")
            return
        self.app.push_screen(Choose("Who facilitates today instead?", others), self._ask_reason)

    def _ask_reason(self, name: str | None) -> None:
        """After a name is picked, ask for the reason that goes in the record."""
        from huddle_tui.tui.screens.text_prompt import TextPrompt

        if name is None:
            return
        self.app.push_screen(TextPrompt(f"Why does {printable(name)} facilitate today?",
                                        allow_empty=False, field="reason", limit=200),
                             partial(self._hand_over, name))

    def _hand_over(self, name: str, reason: str | None) -> None:
        """Save the handoff in a worker; the lobby updates when it is written."""
        from huddle_tui.model.huddle import Handoff
        from huddle_tui.tui import jobs

        if reason is None or self.plan is None or self.plan.facilitator is None:
            return
        handoff = Handoff(self.huddle.today.isoformat(), self.plan.facilitator, name, reason)
        self.huddle.submit(partial(jobs.save_handoff, self.huddle.journal, handoff, self.huddle.today),
                           self, save=True)

    def action_history(self) -> None:
        """Open the History screen (the report's figures by week)."""
        from huddle_tui.tui.screens.history import HistoryScreen

        self.app.push_screen(HistoryScreen())

    def action_debrief(self) -> None:
        """Ask which event, then open its debrief for everyone on the team (huddle debrief, from the app)."""
        from huddle_tui.tui.screens.text_prompt import TextPrompt

        if self.huddle.journal.me is None:
            self.notify("Set `me` first (huddle init --me NAME): a debrief is recorded as someone's.",
                        markup=False)
            return
        self.app.push_screen(TextPrompt("Which event is this debrief for?", limit=80, allow_empty=False,
                                        field="event"), self._plan_debrief)

    def _plan_debrief(self, event: str | None) -> None:
        """Work out the debrief in the IO worker (who leads reads the earlier ones)."""
        from huddle_tui.tui import jobs

        if event:
            app = self.huddle
            app.submit(partial(jobs.plan_debrief, app.journal, app.today, event), self)

    def on_debrief_planned(self, message: DebriefPlanned) -> None:
        """Open the debrief over the lobby."""
        self.huddle.open_session(message.plan)

    def action_start(self) -> None:
        """Open the round with today's order, anyone away skipped; a held day asks what to do."""
        from huddle_tui.tui.screens.choose import Choose

        if self.plan is None:
            self.notify("Today's plan is still being read; try again in a moment.")
            return
        if self.rounds_held:
            self.app.push_screen(Choose("Today's huddle was already held. What now?",
                                        [VIEW_SUMMARY, ANOTHER_ROUND]), self._after_held)
            return
        self._open_round(1)

    def _after_held(self, answer: str | None) -> None:
        """View the held round's summary, or run another round recorded as its own huddle."""
        from huddle_tui.tui.screens.summary import SummaryScreen

        if answer == VIEW_SUMMARY:
            self.app.push_screen(SummaryScreen())
        elif answer == ANOTHER_ROUND:
            self._open_round(self.rounds_held + 1)

    def _open_round(self, round_no: int) -> None:
        """Push the round screen for round `round_no` of the day."""
        from huddle_tui.rules.roundclock import PulseRound
        from huddle_tui.tui.screens.round import RoundScreen

        assert self.plan is not None
        app = self.huddle
        away = [n for n, where in self.presence.items() if where == "away"]
        pulse = PulseRound(self.plan.order, app.team.round_seconds, app.clock, absent=away,
                           min_turn_s=app.team.min_turn_seconds, asynchronous=self.asynchronous)
        # Pushed, not switched: the lobby is the default screen and stays beneath the round.
        app.push_screen(RoundScreen(pulse, self.plan.facilitator or "", round_no))
