"""`huddle report`: participation, coverage, mood, huddles, facilitation and follow-ups per period."""

from __future__ import annotations

import argparse
import re
import sys
from datetime import date, timedelta
from typing import TYPE_CHECKING

from huddle_tui.commands.common import date_arg, emit_json, open_context, parse_date
from huddle_tui.errors import UsageError
from huddle_tui.rules.privacy import K

if TYPE_CHECKING:
    from huddle_tui.journal import Journal

FORMATS = ("text", "markdown", "json", "csv")
_DAYS = re.compile(r"^(\d{1,5})d$")


def since_arg(text: str) -> str:
    """argparse type for --since: 30d, 90d (any number of days), YYYY-MM-DD or all."""
    if text == "all" or _DAYS.match(text):
        return text
    try:
        return date_arg(text)
    except argparse.ArgumentTypeError as exc:
        raise argparse.ArgumentTypeError(f"{exc}; or 30d, 90d, all") from None


def configure(p: argparse.ArgumentParser) -> None:
    """Flags of `huddle report`."""
    p.add_argument("--since", type=since_arg, default="90d",
                   help="30d, 90d (days back from --until), YYYY-MM-DD or all (default: 90d)")
    p.add_argument("--until", type=date_arg, help="last date, YYYY-MM-DD (default: today)")
    p.add_argument("--by", choices=("week", "month", "quarter"),
                   help="one row per week, month or quarter (default: week)")
    p.add_argument("--format", choices=FORMATS, default="text")
    p.add_argument("--json", action="store_const", dest="format", const="json",
                   help="same as --format json")
    p.add_argument("--endpoint", metavar="NAME",
                   help="with --org: the records endpoint (a name in your trusted endpoints) to ask")
    p.add_argument("--org", action="store_true",
                   help=f"the org report from --endpoint: every team's aggregates, k ≥ {K} (an org token)")


def start_of(since: str, until: date, first: date | None, today: date) -> date:
    """The report's first date from --since: days back from until, a date, or the first record's."""
    if since == "all":
        return first or until
    days = _DAYS.match(since)
    if days:
        return until - timedelta(days=int(days.group(1)) - 1)
    return parse_date(since, today)


def run(args: argparse.Namespace) -> int:
    """Read the history once and print the report in the asked format (or ask the endpoint, with --org)."""
    if args.org or args.endpoint:
        from huddle_tui.commands.report_org import FIRST_DAY, run_org
        from huddle_tui.model.teamday import team_today

        today = team_today(None)  # an org report names no one team: this machine's date
        until = parse_date(args.until, today) if args.until else today
        return run_org(args, start_of(args.since, until, FIRST_DAY, today), until)
    from huddle_tui.rules.report import as_json, build, team_start
    from huddle_tui.rules.report_format import render_csv, render_text

    ctx = open_context(args)
    until = ctx.day(args.until)
    # A report from a date costs what its window holds: the months before it give only their heads
    # (Journal.report_data), and every figure is the one a whole read gives. From the first record
    # (all), or in a team of totals mode (periods name the measures any day's totals opened), whole.
    asked = None if args.since == "all" else start_of(args.since, until, None, ctx.today())
    if asked is not None and asked > until:
        raise UsageError(f"--since {asked} is after --until {until}")
    _read_showing_progress(ctx.journal)
    data = ctx.journal.report_data(None if asked is None or ctx.team.in_totals else asked)
    if asked is None:
        asked = start_of(args.since, until, data.first, ctx.today())
        if asked > until:
            raise UsageError(f"--since {asked} is after --until {until}")
    # Weeks before the team started would each read "0% of N expected": the report starts with the team.
    started = team_start(data)
    since = max(asked, started) if started is not None and started <= until else asked
    report = build(data, since, until, args.by or "week", asked if since > asked else None)
    if args.format == "json":
        emit_json(as_json(report))
    elif args.format == "csv":
        sys.stdout.write(render_csv(report))
    else:
        sys.stdout.write(render_text(report, markdown=args.format == "markdown"))
    return 0


PROGRESS_FROM = 6  # months never read before: below this the read is quick enough to go unannounced


def _read_showing_progress(journal: Journal) -> None:
    """Read the months not read before a few at a time, with a line on stderr when a person is watching."""
    if not sys.stderr.isatty():
        return
    total, after = journal.read_report_months(limit=0)
    if total < PROGRESS_FROM:
        return
    left = total
    while left:
        sys.stderr.write(f"\rreading the history: {total - left}/{total} months")
        sys.stderr.flush()
        left, after = journal.read_report_months(after, 3)
    sys.stderr.write(f"\rreading the history: {total}/{total} months\n")
