"""`huddle summary`: one date's check-ins and huddle, as the team may see them."""

from __future__ import annotations

import argparse
import sys

from huddle_tui.commands.common import DATE_HELP, date_arg, open_context
from huddle_tui.rules.summary import render_json, render_text


def configure(p: argparse.ArgumentParser) -> None:
    """Flags of `huddle summary`."""
    p.add_argument("--date", type=date_arg, help=DATE_HELP)
    p.add_argument("--format", choices=("text", "markdown", "json"), default="text")
    p.add_argument("--json", action="store_const", dest="format", const="json",
                   help="same as --format json")


def run(args: argparse.Namespace) -> int:
    """Print the summary in the asked format, writing nothing.

    A read leaves the shared folder as it is (on a git-backed folder a write
    would dirty the work tree): held anonymous answers go out on a write
    path instead — a check-in, `huddle sync` or the app.
    """
    ctx = open_context(args)
    summary = ctx.journal.summary(ctx.day(args.date))
    if args.format == "json":
        sys.stdout.write(render_json(summary))
    else:
        sys.stdout.write(render_text(summary, markdown=args.format == "markdown"))
    return 0

