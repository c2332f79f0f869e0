"""What the journal hands to the outbox, in the same step as each local save.

For every `records` endpoint, each shared record is queued as a PUT. For every
chat endpoint, the day's summary is queued as one post when a huddle record
says the huddle ended (team-visible content only; see rules/summary.py). Private
records never reach this module: the journal does not emit them, and the
outbox refuses them again.
"""

from __future__ import annotations

import threading
from datetime import date

from huddle_tui.journal import Journal
from huddle_tui.storage.envelope import Record
from huddle_tui.sync.outbox import Outbox, endpoint_key


class OutboxSink:
    """A journal sink that queues each saved record for the team's endpoints."""

    def __init__(self, journal: Journal, outbox: Outbox | None = None) -> None:
        """Queue into `outbox` (default: the user's outbox, opened on first use in each thread)."""
        self.journal = journal
        self._given = outbox
        self._local = threading.local()

    @property
    def outbox(self) -> Outbox:
        """The outbox, opened on first use, once per thread (the app saves from worker threads)."""
        # A SQLite connection belongs to its thread; a thread's own is closed when the thread ends.
        if self._given is not None:
            return self._given
        outbox: Outbox | None = getattr(self._local, "outbox", None)
        if outbox is None:
            outbox = self._local.outbox = Outbox()
        return outbox

    def __call__(self, record: Record) -> None:
        """Queue one record (and, when a huddle ends, its summary post)."""
        for endpoint in self.journal.team.endpoints:
            if endpoint.format == "records":
                self.outbox.add_record(endpoint_key(endpoint), record)
            elif record.kind == "huddle" and record.payload.get("ended_at") and not record.deleted:
                self.queue_summary(endpoint.format, endpoint_key(endpoint), record)

    def queue_summary(self, fmt: str, key: str, huddle: Record) -> bool:
        """Build the day's team-visible summary as a chat payload and queue its POST."""
        from huddle_tui.commands.summary import next_workday
        from huddle_tui.rules.summary import build
        from huddle_tui.storage.envelope import dumps
        from huddle_tui.sync.webhooks import payload

        day = date.fromisoformat(huddle.date)
        history = self.journal.read(("checkin", "concern", "huddle", "handoff"))
        upcoming = self.journal.plan(next_workday(day), history)
        summary = build(self.journal.team, day, history, upcoming.facilitator)
        body = dumps(payload(fmt, summary)).encode("utf-8")
        return self.outbox.add(key, f"summary:{huddle.date}:v{huddle.version}",
                               f"summary {huddle.date}", "POST", "", body)


def attach(journal: Journal, outbox: Outbox | None = None) -> OutboxSink:
    """Plug the outbox into a journal; commands call this only when endpoints are configured."""
    sink = OutboxSink(journal, outbox)
    journal.sinks.append(sink)
    return sink
