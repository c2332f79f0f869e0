"""The status bar's sync line says what is sent, waiting or refused, in words."""

from __future__ import annotations

from huddle_tui.sync.engine import EndpointReport, SyncReport, status_line


def test_status_line_words() -> None:
    """All sent; waiting with the endpoint down; refused items point at the command to see them."""
    assert status_line(SyncReport(())) == "no endpoint"
    assert status_line(SyncReport((EndpointReport("k", "api", sent=3),))) == "all sent"
    down = EndpointReport("k", "api", pending=2, error="connection refused")
    assert status_line(SyncReport((down,))) == "2 waiting to send, api unreachable or refusing; will retry"
    refused = EndpointReport("k", "api", dead_total=1)
    assert status_line(SyncReport((refused,))) == "1 refused (see huddle sync --status)"
