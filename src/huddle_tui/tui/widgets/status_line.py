"""The status bar spot that says where check-ins go (and, with an endpoint, how sync stands)."""

from __future__ import annotations

from textual.widgets import Static


class StatusLine(Static):
    """Mirrors the app's `sync_text`, which the HTTP outbox may update with SyncStatus."""

    def __init__(self) -> None:
        """A plain-text line: the folder name comes from a config file, not from us."""
        super().__init__("", markup=False)

    def on_mount(self) -> None:
        """Follow the app's line from now on, starting with its current value."""
        self.watch(self.app, "sync_text", self._show)

    def _show(self, text: str) -> None:
        """Show one line, literally."""
        self.update(text)
