"""`huddle followups`: list the team's follow-ups (and mine), and mark one done."""

from __future__ import annotations

import argparse

from huddle_tui.commands.common import add_json_flag, emit_json, open_context
from huddle_tui.errors import UsageError
from huddle_tui.text import printable


def configure(p: argparse.ArgumentParser) -> None:
    """Flags of `huddle followups`."""
    p.add_argument("action", nargs="*", metavar="done ID",
                   help="`done ID` marks a follow-up done (the first characters of its id will do)")
    p.add_argument("--mine", action="store_true", help="only those I own or raised")
    p.add_argument("--open", action="store_true", help="only those not done yet")
    add_json_flag(p)


def run(args: argparse.Namespace) -> int:
    """List follow-ups, or close one."""
    from huddle_tui.followups import all_followups, close, mine
    from huddle_tui.rules.followups import age, overdue

    ctx = open_context(args)
    today = ctx.today()
    if args.action:
        if len(args.action) != 2 or args.action[0] != "done":
            raise UsageError("expected `huddle followups done ID`")
        item, record = close(ctx.journal, args.action[1], today)
        if args.json:
            emit_json({"done": True, "id": item.id, "version": record.version})
        else:
            print(f"Done: {printable(item.text)} (follow-up {item.id[:8]}, owner {printable(item.owner)}, "
                  f"version {record.version}).")
        return 0
    items = all_followups(ctx.journal, today)
    if args.mine:
        me = ctx.me()
        if not me:
            raise UsageError("--mine needs `me` in your user config (run `huddle init`)")
        items = mine(items, me)
    if args.open:
        items = [i for i in items if i.is_open]
    if args.json:
        emit_json({"followups": [i.to_json(ctx.team, today) for i in items],
                   "overdue_after_workdays": ctx.team.followup_days})
        return 0
    if not items:
        print("No follow-ups." if not args.open else "No open follow-ups.")
        return 0
    for i in items:
        days = age(ctx.team, i, today)
        late = "  OVERDUE" if overdue(ctx.team, i, today) else ""
        who = f" from {printable(i.member)}" if i.member and i.visibility != "anonymous" else ""
        print(f"{i.id[:8]}  {i.state:<4}  {days:>2} wd  {printable(i.owner)}: {i.kind}: "
              f"{printable(i.text)}{who} ({i.date}, {i.visibility}){late}")
    return 0
