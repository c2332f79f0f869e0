"""`huddle summary`: one date's check-ins and huddle, as the team may see them."""

from __future__ import annotations

import argparse
import sys
from datetime import date, timedelta

from huddle_tui.commands.common import date_arg, open_context
from huddle_tui.rules.summary import build, render_json, render_text


def configure(p: argparse.ArgumentParser) -> None:
    """Flags of `huddle summary`."""
    p.add_argument("--date", type=date_arg, help="YYYY-MM-DD (default: today)")
    p.add_argument("--format", choices=("text", "markdown", "json"), default="text")
    p.add_argument("--json", action="store_const", dest="format", const="json",
                   help="same as --format json")


def run(args: argparse.Namespace) -> int:
    """Print the summary in the asked format."""
    ctx = open_context(args)
    day = args.date or date.today()
    history = ctx.journal.read(("checkin", "concern", "huddle", "handoff"))
    upcoming = ctx.journal.plan(next_workday(day), history)
    summary = build(ctx.team, day, history, upcoming.facilitator)
    if args.format == "json":
        sys.stdout.write(render_json(summary))
    else:
        sys.stdout.write(render_text(summary, markdown=args.format == "markdown"))
    return 0


def next_workday(day: date) -> date:
    """The next Monday-to-Friday date after `day`."""
    nxt = day + timedelta(days=1)
    while nxt.weekday() >= 5:
        nxt += timedelta(days=1)
    return nxt
