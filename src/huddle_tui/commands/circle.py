"""`huddle circle`: open your peer circle for this round, timed like the pulse; `--json` only says what it is.

The circle is the one `huddle circles` shows you in: its facilitator (who
led least recently), its speaking order, the two prompts each speaker
answers and its length. With `--json` this is printed and nothing is
opened or written; without it the app opens the session, which records it.

After it, from anyone's own terminal: `takeaway TEXT` (kept in the room,
sealed to it; `--team` shares it with the team by name; `--anonymous` with
no name, inside the team's totals: kept on this machine until the next
check-in carries it, shown once 3 members left one), `thank NAME`, and
`takeaways` to read them (those kept in the room opened for its members,
and how many of your anonymous ones still wait).
"""

from __future__ import annotations

import argparse
from datetime import date
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
from huddle_tui.rules.privacy import K
from huddle_tui.text import printable

if TYPE_CHECKING:
    from huddle_tui.sessions import SessionPlan

ACTIONS = ("open", "takeaway", "thank", "takeaways")


def configure(p: argparse.ArgumentParser) -> None:
    """Flags of `huddle circle`."""
    add_after_flags(p, "circle")
    p.add_argument("--date", type=date_arg, help="a day in the round's week (default: today)")
    add_json_flag(p)


def add_after_flags(p: argparse.ArgumentParser, what: str) -> None:
    """The actions after a session, alike for a circle and a debrief."""
    p.add_argument("action", nargs="?", choices=ACTIONS, default="open",
                   help=f"open: run the {what} in the app (default); takeaway TEXT: leave yours, kept in "
                        "the room (sealed to it) unless --team; thank NAME: thank someone in the room; "
                        "takeaways: read them (a read)")
    p.add_argument("text", nargs="?", help="the takeaway's text, or the name to thank")
    share = p.add_mutually_exclusive_group()
    share.add_argument("--team", action="store_true", help="share the takeaway with the team, with your name")
    share.add_argument("--anonymous", action="store_true",
                       help="share the takeaway with no name, inside the team's totals (a team with "
                            '[privacy] anonymous = "totals"): it travels in your next check-in and shows '
                            f"once {K} members left one, among theirs")


def run(args: argparse.Namespace) -> int:
    """Print the circle (`--json`, a read), open its session in the app, or act after it."""
    from huddle_tui import sessions

    ctx = open_context(args)
    today = ctx.today()
    day = ctx.day(args.date)
    check_after_args(args)
    plan = sessions.circle_plan(ctx.journal, day, today=today)  # a read: one line if `me` is in no circle
    if args.action != "open":
        return after(ctx, args, plan)
    if args.json:
        emit_json(plan.to_json())
        return 0
    needs_terminal("circle")
    return open_session(ctx, sessions.circle_plan(ctx.journal, day, today=today, save=True))


def check_after_args(args: argparse.Namespace) -> None:
    """Text with takeaway and thank only; --team with takeaway only."""
    if (args.text is not None) != (args.action in ("takeaway", "thank")):
        raise UsageError("takeaway takes its text and thank a name, in quotes; no other action takes text")
    if (args.team or args.anonymous) and args.action != "takeaway":
        raise UsageError("--team and --anonymous go with takeaway")


def after(ctx: Context, args: argparse.Namespace, plan: SessionPlan) -> int:
    """A takeaway, a thanks, or the takeaways read, for the session `plan` describes (held already)."""
    from huddle_tui import sessions
    from huddle_tui.model.sessions import ANONYMOUS, ROOM, TEAM

    sid, session = sessions.recorded(ctx.journal, plan)
    if args.action == "takeaway":
        share = TEAM if args.team else ANONYMOUS if args.anonymous else ROOM
        kept = sessions.save_takeaway(ctx.journal, sid, session, args.text, share)
        if args.json:
            emit_json({"id": kept.id, "share": kept.share, "readers": list(kept.readers),
                       "unreadable_by": list(kept.unreadable_by)})
        elif kept.share == TEAM:
            print("Shared with the team, with your name.")
        elif kept.share == ANONYMOUS:
            print(ANONYMOUS_SAID)
        else:
            print(f"Kept in the room: {', '.join(printable(n) for n in kept.readers)} can read it; "
                  "nobody else can.")
            if kept.unreadable_by:
                print(f"{', '.join(printable(n) for n in kept.unreadable_by)} cannot: no key of theirs is "
                      "trusted on this machine yet (`huddle keys`).")
        return 0
    if args.action == "thank":
        sessions.save_thanks(ctx.journal, sid, session, args.text)
        if not args.json:
            print(f"Thanks to {printable(args.text)} recorded.")
        return 0
    from huddle_tui.totals.takeaways import LOST, shown_state

    found = sessions.takeaways(ctx.journal, sid, session)
    yours = ctx.journal.my_anonymous_takeaways()
    given = []
    if yours is not None:
        for day, words in yours.given:
            view = ctx.journal.totals_view(date.fromisoformat(day))
            given.append((day, words, shown_state(words, view.takeaways if view is not None else None)))
    if args.json:
        out: dict[str, object] = {"session": sid, "takeaways": [
            {"author": t.author, "share": t.share, "text": t.text} for t in found]}
        if yours is not None:
            out["your_anonymous"] = {"waiting": yours.waiting,
                                     "given": [{"date": d, "text": w, "state": s} for d, w, s in given]}
        emit_json(out)
        return 0
    for t in found:
        said = printable(t.text) if t.text is not None else "(kept in the room: not for this machine's key)"
        print(f"  {printable(t.author)} ({'shared' if t.share == TEAM else 'kept in the room'}): {said}")
    if not found:
        print("  no takeaways yet")
    if yours is not None and yours.waiting:
        print(f"  Your anonymous takeaways waiting for the team's totals (only you see this): "
              f"{yours.waiting}. Each travels in your next check-in and shows once {K} members left one.")
    for day, words, state in given:
        if state == LOST:
            print(f"  Lost in the team's totals of {day}: your anonymous takeaway \"{printable(words)}\" "
                  "landed in the same slot as another and could not be read (only you see this).")
    return 0


ANONYMOUS_SAID = ("Kept on this machine only: your next check-in carries it, with no name, into the team's "
                  f"totals, where it shows once {K} members have left one (`huddle summary`).")


def needs_terminal(command: str) -> None:
    """One line, before anything is written, when the app cannot open here."""
    if not stdin_is_terminal():
        raise UsageError(f"huddle {command} opens the session in the app and needs a terminal; "
                         "--json prints the session for scripts")


def open_session(ctx: Context, plan: SessionPlan) -> int:
    """Hand the session to the app (Textual is imported only here)."""
    from huddle_tui.tui.app import run_session

    return run_session(ctx.team, ctx.user, ctx.journal, plan)
