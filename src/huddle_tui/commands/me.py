"""`huddle me`: my own moods, streaks, follow-ups and support, read from my machine, shown only to me."""

from __future__ import annotations

import argparse
import sys

from huddle_tui.commands.common import add_json_flag, emit_json, open_context, stdin_is_terminal
from huddle_tui.errors import UsageError


def configure(p: argparse.ArgumentParser) -> None:
    """Flags of `huddle me`."""
    p.add_argument("--weeks", type=int, default=6, choices=range(1, 27), metavar="1-26",
                   help="how many weeks back (default 6)")
    add_json_flag(p)


def run(args: argparse.Namespace) -> int:
    """Show the screen on a terminal, JSON with --json, plain lines otherwise."""
    from huddle_tui import support

    ctx = open_context(args)
    me = ctx.me()
    if not me:
        raise UsageError("`huddle me` needs `me` in your user config (run `huddle init`)")
    today = ctx.today()
    view = support.me_view(ctx.journal, me, today, ctx.user.support, args.weeks)
    if view.signpost is not None:
        support.note_shown(ctx.journal, me, today)
    if args.json:
        emit_json(view.to_json())
        return 0
    if stdin_is_terminal() and sys.stdout.isatty():
        from huddle_tui.tui.me_app import MeApp

        return int(MeApp(ctx.journal, view, ctx.user).run() or 0)
    for line in support.render_me(view):
        print(line)
    return 0
