"""What the journal hands to the HTTP outbox once a record is durable in the shared folder.

For every `records` endpoint, each shared record is queued as a PUT; for
every chat endpoint, the day's summary (built from the folder after the
round's last write) is queued as one post when a huddle has ended.

The outbox must hold exactly what the folder holds. So before a file is
written the replicator notes its path (`intend`), and once the file is
durable it queues the record and drops the note in one transaction
(`saved`). A crash between the two leaves a note: the next save, or the next
`huddle sync`, settles it from the folder (`reconcile`) — queueing the
file's own bytes if it was written, forgetting the note if it was not. A
record is never queued with a body that was not saved. Private records never
reach this module, and the outbox refuses them again.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import TYPE_CHECKING

from huddle_tui.config.team import TeamConfig
from huddle_tui.storage.envelope import Record
from huddle_tui.sync.outbox import Outbox, endpoint_key

if TYPE_CHECKING:
    from huddle_tui.rules.summary import Summary


class Replicator:
    """Queues each durable shared record (and each ended huddle's summary) for the team's endpoints."""

    def __init__(self, team: TeamConfig, outbox: Outbox | None = None) -> None:
        """Queue into `outbox` (default: the user's outbox, opened on first use in each thread)."""
        self.team = team
        self._given = outbox
        self._local = threading.local()

    @property
    def outbox(self) -> Outbox:
        """The outbox, opened on first use, once per thread (the app saves from a worker thread)."""
        # A SQLite connection belongs to its thread.
        if self._given is not None:
            return self._given
        outbox: Outbox | None = getattr(self._local, "outbox", None)
        if outbox is None:
            outbox = self._local.outbox = Outbox()
            reconcile(outbox, self.team)
        return outbox

    def intend(self, target: Path) -> None:
        """Note the file about to be written."""
        self.outbox.intend(str(target))

    def saved(self, record: Record, target: Path) -> None:
        """The file is durable: queue its PUT for every records endpoint, and drop the note."""
        self.outbox.settle(str(target), [(endpoint_key(e), record) for e in self.team.endpoints
                                         if e.format == "records"])

    def huddle_ended(self, summary: Summary, huddle: Record) -> None:
        """Queue the day's team-visible summary as a post to every chat endpoint."""
        from huddle_tui.sync.webhooks import body_bytes, payload

        for endpoint in self.team.endpoints:
            if endpoint.format == "records":
                continue
            body = body_bytes(payload(endpoint.format, summary))
            self.outbox.add(endpoint_key(endpoint), f"summary:{huddle.date}:{huddle.id}:v{huddle.version}",
                            f"summary {huddle.date}", "POST", "", body)


def reconcile(outbox: Outbox, team: TeamConfig) -> int:
    """Settle the notes a crash left: queue each file that was written, forget each that was not.

    Returns how many records were queued. The file is read back and verified,
    so what is queued is exactly what the folder holds.
    """
    from huddle_tui.errors import CorruptRecord
    from huddle_tui.storage.envelope import decode

    queued = 0
    for path in outbox.intents():
        try:
            record = decode(Path(path).read_bytes())
        except (OSError, CorruptRecord):
            outbox.settle(path, [])  # never written (or unreadable): nothing to send
            continue
        outbox.settle(path, [(endpoint_key(e), record) for e in team.endpoints if e.format == "records"])
        queued += 1
    return queued
