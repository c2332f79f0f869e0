"""The huddle app: lobby → pulse round → summary, for a facilitator sharing a terminal.

The app owns the Journal and runs every read and write in worker threads,
one at a time and in the order asked (so two quick mood keys are saved in
the order pressed); results come back to the screens as messages.
"""

from __future__ import annotations

import gc
import os
import threading
import time
from collections import deque
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
from huddle_tui.errors import HuddleError
from huddle_tui.rules.roundclock import Clock
from huddle_tui.tui.messages import IoFailed, SyncStatus
from huddle_tui.tui.screens.lobby import LobbyScreen
from huddle_tui.tui.themes import DEFAULT_THEME, load_themes, quick_theme
from huddle_tui.tui.widgets.too_small import MIN_HEIGHT, MIN_WIDTH

if TYPE_CHECKING:
    from textual.command import Provider

    from huddle_tui.journal import Journal

SYNC_EVERY_S = 30.0
START_ENV = "HUDDLE_TUI_START"  # "round": open straight into the round (for benchmarks)
Job = Callable[[], Message]


class HuddleApp(App[int]):
    """Today's huddle for one team, from the lobby to the saved summary."""

    CSS_PATH = "huddle.tcss"
    TITLE = "huddle"
    COMMANDS = App.COMMANDS | {lambda: _commands()}
    # Textual declares these as plain attributes holding a list, so they cannot be ClassVars here.
    HORIZONTAL_BREAKPOINTS = [(0, "-too-narrow"), (MIN_WIDTH, "-narrow"), (110, "-wide")]  # noqa: RUF012
    VERTICAL_BREAKPOINTS = [(0, "-too-short"), (MIN_HEIGHT, "-short"), (34, "-tall")]  # noqa: RUF012

    sync_text: reactive[str] = reactive("")

    def __init__(self, team: TeamConfig, user: UserConfig, *, theme: str | None = None,
                 today: date | None = None, clock: Clock = time.monotonic,
                 journal: Journal | None = None, start_round: bool = False) -> None:
        """Set up the day, the clock and the themes; nothing is read from the shared folder yet."""
        super().__init__()
        self.team = team
        self.user = user
        self.today = today or date.today()
        self.clock = clock
        self._journal = journal
        self.start_round = start_round
        self._jobs: deque[tuple[Job, MessagePump]] = deque()
        self._io_lock = threading.Lock()
        self._theme_problems: list[str] = []
        self._themes_pending = False
        self._outbox_attached = False
        self.huddle_themes: list[str] = []
        self._use_themes(theme or user.theme or team.theme)
        self.set_reactive(HuddleApp.sync_text, self._where_saved())

    @property
    def journal(self) -> Journal:
        """The team's records, opened on first use (in the first worker, after the first paint)."""
        if self._journal is None:
            from huddle_tui.journal import Journal

            self._journal = Journal(self.team)
        if self.team.endpoints and not self._outbox_attached:
            from huddle_tui.sync.replicate import attach

            attach(self._journal)  # every shared save also enters the HTTP outbox
            self._outbox_attached = True
        return self._journal

    def _use_themes(self, wanted: str | None) -> None:
        """Start with the wanted theme alone when it is a shipped one; register the rest after."""
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
        """The status-bar line saying where check-ins go (the HTTP outbox may replace it)."""
        folder = self.team.shared_dir.name or str(self.team.shared_dir)
        line = f"Check-ins are saved to the shared folder “{folder}”"
        if self.team.endpoints:
            line += " · endpoint: sync status not known yet"
        return line

    def get_default_screen(self) -> Screen[None]:
        """The lobby is the first screen: no screen switch (and its delay) before the first paint."""
        return LobbyScreen()

    def on_mount(self) -> None:
        """After the first paint: the other themes, theme problems, and the cycle collector."""
        self.call_after_refresh(self._after_first_paint)

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

    def sync_now(self) -> None:
        """Send the outbox and pull in a background thread; the result arrives as SyncStatus."""
        self.run_worker(self._sync, thread=True, group="sync", exclusive=True, exit_on_error=False)

    def _sync(self) -> None:
        """In a worker: one sync with every endpoint, told to the status bar in one calm line."""
        from huddle_tui.sync.engine import status_line, sync_once

        worker = get_current_worker()
        try:
            report = sync_once(self.team, stop=lambda: worker.is_cancelled)
        except Exception as exc:  # the round must go on whatever the network does
            self.post_message(SyncStatus(f"not synced ({type(exc).__name__}); will retry"))
            return
        self.post_message(SyncStatus(status_line(report)))

    # ------------------------------------------------------------ IO

    def submit(self, job: Job, target: MessagePump) -> None:
        """Run `job` in a worker after every job asked for before it; post its message to `target`."""
        self._jobs.append((job, target))
        self.run_worker(self._drain, thread=True, group="io", exit_on_error=False)

    def _drain(self) -> None:
        """Run waiting jobs in order, one at a time, each result going back as a message."""
        with self._io_lock:
            while self._jobs:
                job, target = self._jobs.popleft()
                try:
                    message = job()
                except HuddleError as exc:
                    self.post_message(IoFailed(_job_name(job), exc.message))
                except (OSError, ValueError) as exc:
                    self.post_message(IoFailed(_job_name(job), str(exc)))
                except Exception as exc:  # a bug must not pass silently, nor stop the jobs behind it
                    self.post_message(IoFailed(_job_name(job), f"{type(exc).__name__}: {exc}"))
                else:
                    target.post_message(message)

    def on_io_failed(self, message: IoFailed) -> None:
        """Tell the facilitator, in one line, that something was not saved or read."""
        self.notify(f"{message.what}: {message.problem}", title="Not saved", severity="error",
                    markup=False, timeout=10)

    def on_sync_status(self, message: SyncStatus) -> None:
        """Show what the HTTP outbox says about the endpoint."""
        self.sync_text = f"{self._where_saved().split(' · ')[0]} · endpoint: {message.text}"


def _commands() -> type[Provider]:
    """The palette's huddle commands, imported when the palette first opens (not before first paint)."""
    from huddle_tui.tui.palette import HuddleCommands

    return HuddleCommands


def _job_name(job: Job) -> str:
    """What a job was doing, in words, for an error line."""
    name = getattr(getattr(job, "func", job), "__name__", "saving")
    return name.replace("_", " ")


def run_app(team: TeamConfig, user: UserConfig, *, theme: str | None = None, inline: bool = False) -> int:
    """Run the app in the terminal (below the prompt with `inline`) and return its exit code."""
    app = HuddleApp(team, user, theme=theme, start_round=os.environ.get(START_ENV) == "round")
    result = app.run(inline=inline)
    return int(result or 0)
