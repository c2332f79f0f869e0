"""`huddle circle`: open your peer circle for this round, timed like the pulse; `--json` only says what it is.

The circle is the one `huddle circles` shows you in: its facilitator (who
led least recently), its speaking order, the two prompts each speaker
answers and its length. With `--json` this is printed and nothing is
opened or written; without it the app opens the session, which records it.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from huddle_tui.commands.common import (
    Context,
    add_json_flag,
    date_arg,
    emit_json,
    open_context,
    stdin_is_terminal,
)
from huddle_tui.errors import UsageError

if TYPE_CHECKING:
    from huddle_tui.sessions import SessionPlan


def configure(p: argparse.ArgumentParser) -> None:
    """Flags of `huddle circle`."""
    p.add_argument("--date", type=date_arg, help="a day in the round's week (default: today)")
    add_json_flag(p)


def run(args: argparse.Namespace) -> int:
    """Print the circle (`--json`, a read), or open its session in the app."""
    from huddle_tui import sessions

    ctx = open_context(args)
    today = ctx.today()
    day = ctx.day(args.date)
    plan = sessions.circle_plan(ctx.journal, day, today=today)  # a read: one line if `me` is in no circle
    if args.json:
        emit_json(plan.to_json())
        return 0
    needs_terminal("circle")
    return open_session(ctx, sessions.circle_plan(ctx.journal, day, today=today, save=True))


def needs_terminal(command: str) -> None:
    """One line, before anything is written, when the app cannot open here."""
    if not stdin_is_terminal():
        raise UsageError(f"huddle {command} opens the session in the app and needs a terminal; "
                         "--json prints the session for scripts")


def open_session(ctx: Context, plan: SessionPlan) -> int:
    """Hand the session to the app (Textual is imported only here)."""
    from huddle_tui.tui.app import run_session

    return run_session(ctx.team, ctx.user, ctx.journal, plan)
