"""The app's one IO worker: every read and write in order, and no save given up.

Screens never touch the shared folder: they submit a job (a plain function
returning the message to post) and get that message back on the event loop.
One long-lived thread runs the jobs in the order asked, so two quick mood
keys are saved in the order pressed. A save that fails for a reason that may
pass (the folder read-only, a network share gone) stays at the head of the
saves and is retried with full-jitter backoff; later saves wait behind it so
versions never land out of order, while reads go on. The app shows "N not
saved yet" until it succeeds, and asks before quitting with saves pending.
"""

from __future__ import annotations

import random
import threading
import time
from collections import deque
from collections.abc import Callable
from typing import TYPE_CHECKING, NamedTuple

from huddle_tui.errors import HuddleError, StoreError

if TYPE_CHECKING:
    from textual.message import Message
    from textual.message_pump import MessagePump

RETRY_CAP_S = 30.0
WAKE_S = 0.1  # how often an idle worker looks whether the app is closing
Post = Callable[["MessagePump", "Message"], None]
Report = Callable[[int, str], None]


class Job(NamedTuple):
    """One piece of IO: what to run, who gets its message, and whether it is a save to keep."""

    run: Callable[[], Message]
    target: MessagePump
    what: str
    save: bool


class IoQueue:
    """The jobs waiting for the IO worker, and the worker's loop."""

    def __init__(self, post: Post, failed: Callable[[str, str], None], pending: Report, *,
                 clock: Callable[[], float] = time.monotonic, rng: Callable[[], float] = random.random,
                 sleep_cap: float = RETRY_CAP_S) -> None:
        """`post` delivers a job's message, `failed` reports a job given up, `pending` the saves waiting."""
        self._post = post
        self._failed = failed
        self._pending = pending
        self._clock = clock
        self._rng = rng
        self._cap = sleep_cap
        self._saves: deque[Job] = deque()
        self._reads: deque[Job] = deque()
        self._cond = threading.Condition()
        self._stopped = False
        self._running = False
        self._failures = 0
        self._retry_at = 0.0
        self._problem = ""

    # ------------------------------------------------------------ from the event loop

    def submit(self, job: Job, *, first: bool = False) -> None:
        """Queue a job after every job asked for before it, or (`first`) before the other reads.

        `first` is for what a screen's first frame waits on (the lobby's
        facilitator and order): it goes ahead of reads asked for earlier (the
        glance's weeks of history), never ahead of a save.
        """
        with self._cond:
            # A read waits behind the saves asked for before it (the summary after the final
            # save), unless they are failing: then it goes ahead and sees what is there.
            behind = job.save or (self._saves and self._failures == 0)
            if behind:
                self._saves.append(job)
            elif first:
                self._reads.appendleft(job)
            else:
                self._reads.append(job)
            self._cond.notify()

    def stop(self) -> None:
        """Let the worker end (the app is closing)."""
        with self._cond:
            self._stopped = True
            self._cond.notify()

    def retry_now(self) -> None:
        """Try a waiting save again at once (the facilitator fixed the folder)."""
        with self._cond:
            self._retry_at = 0.0
            self._cond.notify()

    @property
    def unsaved(self) -> int:
        """Saves asked for and not yet written (in progress or waiting to be retried)."""
        with self._cond:
            return sum(1 for j in self._saves if j.save)

    @property
    def failing(self) -> bool:
        """Whether the head save failed and waits for a retry."""
        with self._cond:
            return self._failures > 0

    @property
    def idle(self) -> bool:
        """Nothing running and nothing ready to run (a save waiting for its retry time is not ready)."""
        with self._cond:
            return not self._running and self._ready() is None

    # ------------------------------------------------------------ in the worker thread

    def run(self, cancelled: Callable[[], bool] = lambda: False) -> None:
        """The worker's loop: run each ready job, wait when none is, until stopped or cancelled."""
        while True:
            with self._cond:
                job = self._ready()
                while job is None and not (self._stopped or cancelled()):
                    wait = max(0.01, self._retry_at - self._clock()) if self._saves else WAKE_S
                    self._cond.wait(min(wait, WAKE_S))
                    job = self._ready()
                if self._stopped or cancelled() or job is None:
                    return
                self._running = True
            try:
                self._run_one(job)
            finally:
                with self._cond:
                    self._running = False

    def _ready(self) -> Job | None:
        """The next job to run: the head save when it is due, else the oldest read (lock held)."""
        if self._saves and (self._failures == 0 or self._clock() >= self._retry_at):
            return self._saves[0]
        return self._reads[0] if self._reads else None

    def _run_one(self, job: Job) -> None:
        """Run one job; keep a save that failed for a reason that may pass, report anything else."""
        try:
            message = job.run()
        except (StoreError, OSError) as exc:
            if job.save:
                self._keep_for_retry(str(exc.message if isinstance(exc, HuddleError) else exc))
                return
            self._done(job)
            self._failed(job.what, exc.message if isinstance(exc, HuddleError) else str(exc))
            return
        except HuddleError as exc:
            self._done(job)
            self._failed(job.what, exc.message)
            return
        except Exception as exc:  # a bug must not pass silently, nor stop the jobs behind it
            self._done(job)
            self._failed(job.what, f"{type(exc).__name__}: {exc}")
            return
        had_failed = self._done(job)
        self._post(job.target, message)
        if job.save and had_failed:
            self._pending(self.unsaved, "")

    def _done(self, job: Job) -> bool:
        """Take a finished (or given-up) job off its queue; True if saves had been failing."""
        with self._cond:
            queue = self._saves if self._saves and self._saves[0] is job else self._reads
            queue.popleft()
            had_failed = self._failures > 0
            if job.save:
                self._failures, self._problem = 0, ""
            while self._saves and not self._saves[0].save:  # reads queued behind saves may go now
                self._reads.append(self._saves.popleft())
            return had_failed

    def _keep_for_retry(self, problem: str) -> None:
        """Leave the failed save at the head; try again after a full-jitter backoff."""
        from huddle_tui.sync.backoff import delay

        with self._cond:
            self._failures += 1
            self._retry_at = self._clock() + delay(self._failures, self._rng, cap=self._cap)
            self._problem = problem
            count = sum(1 for j in self._saves if j.save)
        self._pending(count, problem)
