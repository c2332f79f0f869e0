"""`huddle` with no command: open today's huddle in the terminal app."""

from __future__ import annotations

import argparse
import os


def run(args: argparse.Namespace) -> int:
    """Load the config, then hand over to the Textual app (imported only here), or to plain mode.

    Plain mode (`--plain`, or a terminal that says TERM=dumb) writes lines of
    text and never imports Textual.

    The journal is not opened here: the app opens it in a worker after its
    first paint, so the lobby does not wait for the store's imports.
    """
    from huddle_tui.config.theme_name import theme_name_problem
    from huddle_tui.config.user import load_team, load_user_config
    from huddle_tui.errors import UsageError

    wanted = getattr(args, "theme", None)
    problem = theme_name_problem(wanted) if wanted is not None else None
    if problem is not None:
        raise UsageError(f"--theme: {problem}")
    user = load_user_config()
    team = load_team(getattr(args, "config", None), user)
    if getattr(args, "plain", False) or os.environ.get("TERM") == "dumb":
        from huddle_tui.plain.session import run_plain

        return run_plain(team, user)
    from huddle_tui.tui.app import run_app

    return int(run_app(team, user, theme=getattr(args, "theme", None),
                   inline=bool(getattr(args, "inline", False)), stage=bool(getattr(args, "stage", False))))
