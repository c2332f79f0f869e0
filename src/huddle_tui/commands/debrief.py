"""`huddle debrief --event NAME`: a peer-led debrief after a high-stakes event, timed like the pulse.

For the whole team (everyone joined) or the people named with `--members`:
the facilitator (whoever of them led a debrief least recently), the speaking
order and the debrief's prompts. With `--json` this is printed and nothing
is opened or written; without it the app opens the session, which records
the event, its date and who attended, for the report. After it, as after
a circle: `takeaway TEXT [--team | --anonymous]`, `thank NAME`, `takeaways`.
"""

from __future__ import annotations

import argparse

from huddle_tui.commands.circle import add_after_flags, after, check_after_args, needs_terminal, open_session
from huddle_tui.commands.common import add_json_flag, date_arg, emit_json, open_context


def configure(p: argparse.ArgumentParser) -> None:
    """Flags of `huddle debrief`."""
    add_after_flags(p, "debrief")
    p.add_argument("--event", required=True, help='what is debriefed, e.g. "Launch v2"')
    p.add_argument("--members", help="comma-separated names (default: the whole team)")
    p.add_argument("--minutes", type=int, help="the session's length (default: 2 a person, at least the "
                                               "circles' minutes)")
    p.add_argument("--date", type=date_arg, help="the day it is held (default: today)")
    add_json_flag(p)


def run(args: argparse.Namespace) -> int:
    """Print the debrief (`--json`, a read), or open it in the app."""
    from huddle_tui import sessions

    ctx = open_context(args)
    check_after_args(args)
    members = None if args.members is None else [n for n in args.members.split(",") if n.strip()]
    plan = sessions.debrief_plan(ctx.journal, ctx.day(args.date), args.event, members, args.minutes)
    if args.action != "open":
        return after(ctx, args, plan)
    if args.json:
        emit_json(plan.to_json())
        return 0
    sessions.me_of(ctx.journal)  # the session is signed as someone's
    needs_terminal("debrief")
    return open_session(ctx, plan)
