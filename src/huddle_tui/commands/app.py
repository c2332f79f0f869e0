"""`huddle` with no command: open today's huddle in the terminal app."""

from __future__ import annotations

import argparse

from huddle_tui.errors import UsageError


def run(args: argparse.Namespace) -> int:
    """Load the config, then hand over to the Textual app (imported only here)."""
    from huddle_tui.commands.common import open_context

    ctx = open_context(args)
    try:
        from huddle_tui.tui.app import run_app  # type: ignore[import-not-found,unused-ignore]
    except ImportError:
        raise UsageError("the huddle app is not available in this build; "
                         "try `huddle next` or `huddle summary`") from None
    return int(run_app(ctx.team, ctx.user, theme=getattr(args, "theme", None),
                   inline=bool(getattr(args, "inline", False))))
