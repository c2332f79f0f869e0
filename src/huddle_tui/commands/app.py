"""`huddle` with no command: open today's huddle in the terminal app."""

from __future__ import annotations

import argparse

from huddle_tui.errors import UsageError


def run(args: argparse.Namespace) -> int:
    """Load the config, then hand over to the Textual app (imported only here).

    The journal is not opened here: the app opens it in a worker after its
    first paint, so the lobby does not wait for the store's imports.
    """
    from huddle_tui.config import load_team, load_user_config

    user = load_user_config()
    team = load_team(getattr(args, "config", None), user)
    try:
        from huddle_tui.tui.app import run_app  # type: ignore[import-not-found,unused-ignore]
    except ImportError:
        raise UsageError("the huddle app is not available in this build; "
                         "try `huddle next` or `huddle summary`") from None
    return int(run_app(team, user, theme=getattr(args, "theme", None),
                   inline=bool(getattr(args, "inline", False))))
