"""The huddle app: lobby → pulse round → summary, for a facilitator sharing a terminal.

The app owns the Journal and runs every read and write in its one IO worker
(tui/io.py), in the order asked; results come back to the screens as
messages. A save that fails is retried until it succeeds, the status bar says
how many are not saved yet, and quitting with any pending asks first.
The messages module is imported where a message is first made (in the IO
worker, after the first paint), so the lobby never waits for it.
"""

from __future__ import annotations

import gc
import os
import time
from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING

from textual.app import App
from textual.message import Message
from textual.message_pump import MessagePump
from textual.reactive import reactive
from textual.screen import Screen
from textual.worker import get_current_worker

from huddle_tui.config.team import TeamConfig
from huddle_tui.config.user import UserConfig
from huddle_tui.rules.roundclock import Clock
from huddle_tui.tui.io import IoQueue, Job
from huddle_tui.tui.screens.lobby import LobbyScreen
from huddle_tui.tui.themes import DEFAULT_THEME, load_themes, quick_theme
from huddle_tui.tui.widgets.too_small import MIN_HEIGHT, MIN_WIDTH

if TYPE_CHECKING:
    from textual.command import Provider

    from huddle_tui.journal import Journal
    from huddle_tui.model.huddle import Today
    from huddle_tui.sessions import SessionPlan
    from huddle_tui.tui.messages import IoFailed, SavesPending, SyncStatus

SYNC_EVERY_S = 30.0
GIT_SYNC_EVERY_S = 120.0  # a git-backed folder, if the user config asks: each round fetches
START_ENV = "HUDDLE_TUI_START"  # "round": open straight into the round (for benchmarks)
Work = Callable[[], Message]
STAY, QUIT_ANYWAY = "Stay: retry the saves now", "Quit and lose them"


class HuddleApp(App[int]):
    """Today's huddle for one team, from the lobby to the saved summary."""

    CSS_PATH = "huddle.tcss"
    TITLE = "huddle"
    COMMANDS = App.COMMANDS | {lambda: _commands()}
    # Textual declares these as plain attributes holding a list, so they cannot be ClassVars here.
    HORIZONTAL_BREAKPOINTS = [(0, "-too-narrow"), (MIN_WIDTH, "-narrow"), (110, "-wide")]  # noqa: RUF012
    VERTICAL_BREAKPOINTS = [(0, "-too-short"), (MIN_HEIGHT, "-short"), (34, "-tall")]  # noqa: RUF012

    sync_text: reactive[str] = reactive("")
    unsaved: reactive[int] = reactive(0)

    def __init__(self, team: TeamConfig, user: UserConfig, *, theme: str | None = None,
                 today: date | None = None, clock: Clock = time.monotonic,
                 journal: Journal | None = None, start_round: bool = False, stage_view: bool = False,
                 session: SessionPlan | None = None) -> None:
        """Set up the day, the clock and the themes; nothing is read from the shared folder yet.

        With `session` the app opens straight into that circle or debrief
        (`huddle circle`, `huddle debrief`) instead of the lobby.
        """
        super().__init__()
        self.session = session
        self.team = team
        self.user = user
        self.today = today or team.today()  # the team's date, the same on every teammate's machine
        self.clock = clock
        self._journal = journal
        self.start_round = start_round
        self.stage_view = stage_view  # the round opens in the stage view (`huddle --stage`, key v)
        # Anonymous concerns keyed in this session's rounds: they wait on this machine (released in a
        # later session), so the summary says they are waiting rather than that none were raised.
        self.anonymous_keyed = 0
        self.io = IoQueue(self._post_to, self._io_failed, self._saves_pending)
        self._theme_problems: list[str] = []
        self._themes_pending = False
        self.huddle_themes: list[str] = []
        self._endpoint_text = "sync status not known yet" if team.endpoints else ""
        self._git_text = ""
        self._use_themes(theme or user.theme or team.theme)
        self.set_reactive(HuddleApp.sync_text, self._status())

    @property
    def journal(self) -> Journal:
        """The team's records, opened on first use (in the first worker, after the first paint)."""
        if self._journal is None:
            from huddle_tui.config.user import who_am_i
            from huddle_tui.journal import open_journal

            self._journal = open_journal(self.team, me=who_am_i(self.user, self.team))
        elif self.team.endpoints and self._journal.replicator is None:
            from huddle_tui.sync.replicate import Replicator

            self._journal.replicator = Replicator(self.team)  # every shared save also enters the outbox
        return self._journal

    def kept_today(self) -> Today | None:
        """Today's lobby as last read, for the first frame (storage/derived.first_frame).

        Stats the folders it depends on and reads a row or two of the folder's
        cache, without opening the journal, whose imports would delay the
        first paint.
        """
        from huddle_tui import paths
        from huddle_tui.storage import derived
        from huddle_tui.storage.cache import cache_for

        index_dir = self._journal.shared.index_dir if self._journal is not None else paths.index_dir()
        if index_dir is None:
            return None
        root = self.team.shared_dir
        return derived.first_frame(cache_for(index_dir, root), root, self.today.isoformat(), self.team)

    def _use_themes(self, wanted: str | None) -> None:
        """Start with the wanted theme alone when it is a shipped one; register the rest after.

        The theme is made current through App.theme, as Textual intends, so
        its watcher keeps every part of a theme change (classes, the ANSI
        colour filter, CSS variables, theme_changed_signal) whatever Textual
        version runs. Its refresh_css parses every stylesheet once more
        before the first frame, ~2% of the lobby's first paint
        (benchmarks/README.md): worth it not to copy Textual's internals.
        """
        quick = quick_theme(wanted or DEFAULT_THEME)
        if quick is None:
            self._register_themes(wanted)
            return
        self.register_theme(quick)
        self.theme = quick.name
        self._themes_pending = True

    def _register_themes(self, wanted: str | None) -> None:
        """Register every shipped and user theme, note the broken ones, and pick one."""
        self._themes_pending = False
        result = load_themes()
        for theme in result.loaded:
            self.register_theme(theme)
            if theme.name not in self.huddle_themes:
                self.huddle_themes.append(theme.name)
        self._theme_problems += [f"Theme file {src} skipped: {why}" for src, why in result.failed]
        if wanted and wanted not in self.available_themes:
            self._theme_problems.append(f"No theme called {wanted!r}; using {DEFAULT_THEME}")
            wanted = None
        self.theme = wanted or DEFAULT_THEME

    def _where_saved(self) -> str:
        """Where check-ins go, for the status bar."""
        folder = self.team.shared_dir.name or str(self.team.shared_dir)
        return f"Check-ins are saved to the shared folder “{folder}”"

    def get_default_screen(self) -> Screen[None]:
        """The lobby is the first screen: no screen switch (and its delay) before the first paint.

        A session (`huddle circle`, `huddle debrief`) is pushed over a blank
        screen instead: a pushed screen brings its own stylesheet.
        """
        if self.session is not None:
            return Screen()
        return LobbyScreen()

    def open_session(self, plan: SessionPlan) -> None:
        """Push a circle's or debrief's session on the pulse's engine (at start, or from the lobby)."""
        from huddle_tui.rules.roundclock import PulseRound
        from huddle_tui.sessions import session_id
        from huddle_tui.tui.screens.session import SessionScreen

        pulse = PulseRound(plan.order, plan.minutes * 60.0, self.clock, absent=plan.absent,
                           min_turn_s=self.team.min_turn_seconds)
        self.push_screen(SessionScreen(plan, pulse, session_id(self.team, plan)))

    def on_mount(self) -> None:
        """Start the IO worker; after the first paint: the other themes, their problems, the collector."""
        self.run_worker(self._io_loop, thread=True, group="io", name="io", exit_on_error=False)
        if self.session is not None:
            self.open_session(self.session)
        self.call_after_refresh(self._after_first_paint)

    def _io_loop(self) -> None:
        """In the IO worker: run jobs until the app closes."""
        worker = get_current_worker()
        self.io.run(lambda: worker.is_cancelled)

    def on_unmount(self) -> None:
        """Let the IO worker end with the app."""
        self.io.stop()

    def _after_first_paint(self) -> None:
        """Work that need not delay the first paint (the lobby asks for history itself)."""
        gc.enable()  # huddle_tui.cli.main paused it for start-up
        if self._themes_pending:
            self._register_themes(self.theme)
        for problem in self._theme_problems:
            self.notify(problem, title="Themes", severity="warning", markup=False, timeout=8)
        if self.team.endpoints:
            self.set_interval(SYNC_EVERY_S, self.sync_now)
            self.sync_now()
        if self.user.git_sync:
            self.set_interval(GIT_SYNC_EVERY_S, self.git_sync_now)
            self.git_sync_now()

    def sync_now(self) -> None:
        """Send the outbox and pull in a background thread; the result arrives as SyncStatus."""
        self.run_worker(self._sync, thread=True, group="sync", exclusive=True, exit_on_error=False)

    def _sync(self) -> None:
        """In a worker: one sync with every endpoint, told to the status bar in one calm line."""
        from huddle_tui.sync.engine import status_line, sync_once
        from huddle_tui.tui.messages import SyncStatus

        worker = get_current_worker()
        try:
            report = sync_once(self.team, stop=lambda: worker.is_cancelled)
        except Exception as exc:  # the round must go on whatever the network does
            self.post_message(SyncStatus(f"not synced ({type(exc).__name__}); will retry"))
            return
        self.post_message(SyncStatus(status_line(report)))

    def git_sync_now(self) -> None:
        """Commit, pull and push a git-backed shared folder in a thread (user config `git_sync`)."""
        self.run_worker(self._git_sync, thread=True, group="git", exit_on_error=False)

    def _git_sync(self) -> None:
        """In a worker: one git round (sync/git.py), told to the status bar in one line."""
        from huddle_tui.sync.git import background_sync

        worker = get_current_worker()
        try:
            line = background_sync(self.team.shared_dir, stop=lambda: worker.is_cancelled)
        except Exception as exc:  # the round must go on whatever git does
            line = f"not synced ({type(exc).__name__}); will retry"
        if line is not None and not worker.is_cancelled:
            self.call_from_thread(self._git_synced, line)

    def _git_synced(self, line: str) -> None:
        """Show what the last git round did (the status bar names the shared folder, then git)."""
        self._git_text = line
        self.sync_text = self._status()

    # ------------------------------------------------------------ IO

    def submit(self, work: Work, target: MessagePump, *, save: bool = False, first: bool = False) -> None:
        """Run `work` in the IO worker after every job asked for before it; post its message to `target`.

        A `save` that fails for a reason that may pass is kept and retried, never dropped.
        A `first` read goes ahead of the other reads (what a first frame waits on).
        """
        self.io.submit(Job(work, target, _job_name(work), save), first=first)
        if save:
            self.unsaved = self.io.unsaved

    def _post_to(self, target: MessagePump, message: Message) -> None:
        """From the worker: deliver a job's message (and the count of saves still to do)."""
        from huddle_tui.tui.messages import SavesPending

        target.post_message(message)
        self.post_message(SavesPending(self.io.unsaved))

    def _io_failed(self, what: str, problem: str) -> None:
        """From the worker: a job was given up (a read, or a save refused for good)."""
        from huddle_tui.tui.messages import IoFailed, SavesPending

        self.post_message(IoFailed(what, problem))
        self.post_message(SavesPending(self.io.unsaved))

    def _saves_pending(self, count: int, problem: str) -> None:
        """From the worker: saves waiting for a retry (or none any more)."""
        from huddle_tui.tui.messages import SavesPending

        self.post_message(SavesPending(count, problem))

    def on_io_failed(self, message: IoFailed) -> None:
        """Tell the facilitator, in one line, that something was not saved or read."""
        self.notify(f"{message.what}: {message.problem}", title="Not done", severity="error",
                    markup=False, timeout=10)

    def on_saves_pending(self, message: SavesPending) -> None:
        """Keep the status bar's count of saves not done yet; say once why they wait."""
        before = self.unsaved
        self.unsaved = message.count
        if message.problem and not (before and self.io.failing and message.count == before):
            self.notify(f"{message.problem} — it will be retried; nothing is lost while the app is open.",
                        title="Not saved yet", severity="warning", markup=False, timeout=10)
        self.sync_text = self._status()

    def _status(self) -> str:
        """The status bar's line: where check-ins go, what is not saved yet, the endpoint."""
        line = self._where_saved()
        if self.unsaved and self.io.failing:
            line = f"{self.unsaved} not saved yet (retrying) · {line}"
        if self._endpoint_text:
            line += f" · endpoint: {self._endpoint_text}"
        if self._git_text:
            line += f" · git: {self._git_text}"
        return line

    async def action_quit(self) -> None:
        """Quit; with saves not done yet, wait a moment for them, then ask before losing any."""
        import asyncio

        for _ in range(50):
            if not self.io.unsaved or self.io.failing:
                break
            await asyncio.sleep(0.02)
        if not self.io.unsaved:
            self.exit()
            return
        from huddle_tui.tui.screens.choose import Choose

        count = self.io.unsaved
        question = (f"{count} {'save is' if count == 1 else 'saves are'} not done yet "
                    "(the folder cannot be written). Quit anyway and lose them?")
        self.push_screen(Choose(question, [STAY, QUIT_ANYWAY]), self._quit_if)

    def _quit_if(self, answer: str | None) -> None:
        """Quit when the facilitator confirmed it; otherwise retry the saves now."""
        if answer == QUIT_ANYWAY:
            self.exit()
        else:
            self.io.retry_now()

    def on_sync_status(self, message: SyncStatus) -> None:
        """Show what the HTTP outbox says about the endpoint."""
        self._endpoint_text = message.text
        self.sync_text = self._status()


def _commands() -> type[Provider]:
    """The palette's huddle commands, imported when the palette first opens (not before first paint)."""
    from huddle_tui.tui.palette import HuddleCommands

    return HuddleCommands


def _job_name(work: Work) -> str:
    """What a job was doing, in words, for an error line."""
    name = getattr(getattr(work, "func", work), "__name__", "saving")
    return str(name).replace("_", " ")


def run_app(team: TeamConfig, user: UserConfig, *, theme: str | None = None, inline: bool = False,
            stage: bool = False) -> int:
    """Run the app in the terminal (below the prompt with `inline`; rounds in the stage view with `stage`)."""
    app = HuddleApp(team, user, theme=theme, start_round=os.environ.get(START_ENV) == "round",
                    stage_view=stage)
    result = app.run(inline=inline)
    return int(result or 0)


def run_session(team: TeamConfig, user: UserConfig, journal: Journal, plan: SessionPlan) -> int:
    """Run a circle's or a debrief's session in the terminal, on the journal the command opened."""
    app = HuddleApp(team, user, today=plan.day, journal=journal, session=plan)
    return int(app.run() or 0)
