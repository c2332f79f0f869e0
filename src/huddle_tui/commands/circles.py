"""`huddle circles`: this round's peer circles, with facilitator and speaking order; `make` records it.

Showing is a read and writes nothing: a round no machine has saved yet is
formed as every machine would form it and shown as not saved. `make`
records it in the shared folder. `note TEXT` keeps a note sealed to the
members of your circle (a write); `notes` lists the round's notes, opening
those sealed to this machine's key (a read).
"""

from __future__ import annotations

import argparse
from datetime import date

from huddle_tui.commands.common import (
    Context,
    add_json_flag,
    date_arg,
    emit_json,
    open_context,
    round_kept_line,
)
from huddle_tui.errors import RefusedError, UsageError
from huddle_tui.model.circles import CircleRound
from huddle_tui.rules.circling import SMALLEST
from huddle_tui.text import printable

ACTIONS = ("show", "make", "note", "notes")


def configure(p: argparse.ArgumentParser) -> None:
    """Flags of `huddle circles`."""
    p.add_argument("action", nargs="?", choices=ACTIONS, default="show",
                   help="show the round (default; writes nothing); make: record the round in the "
                        "shared folder if no machine has yet; note TEXT: keep a note sealed to your "
                        "circle's members; notes: the round's notes (those sealed to you opened)")
    p.add_argument("text", nargs="?", help="the note's text (with note)")
    p.add_argument("--date", type=date_arg, help="a day in the round's week (default: today)")
    add_json_flag(p)


def run(args: argparse.Namespace) -> int:
    """Show the round covering the date (a read: nothing saved), or record it with `make`."""
    from huddle_tui import circles

    ctx = open_context(args)
    today = ctx.today()
    if (args.text is not None) != (args.action == "note"):
        raise UsageError("note takes the note's text, in quotes; no other action takes text")
    if args.action == "note":
        return _note(ctx, args, today)
    if args.action == "notes":
        return _notes(ctx, args)
    view = circles.this_round(ctx.journal, ctx.day(args.date), today=today, save=args.action == "make")
    to_come = date.fromisoformat(view.round.monday) > today
    if args.action == "make" and view.created and not view.saved and view.round.circles:
        raise RefusedError(f"the round of {view.round.monday} has not started yet; nothing saved")
    settings = ctx.team.circles
    if args.json:
        emit_json({"team": ctx.team.name, "week": view.round.monday, "cadence": settings.cadence,
                   "minutes": settings.minutes,
                   "circles": [{"members": list(c.members), "facilitator": c.facilitator,
                                "order": list(c.order)} for c in view.round.circles],
                   "cooldown_kept": view.round.cooldown, "cooldown_weeks": settings.cooldown_weeks,
                   "saved": not view.created or view.saved})
        return 0
    for line in lines(ctx, view.round):
        print(line)
    said = round_kept_line(args.action, view.created, view.saved, bool(view.round.circles), to_come,
                           nobody="Nothing recorded: nobody to seat.", make="huddle circles make")
    if said:
        print(said)
    return 0


def lines(ctx: Context, found: CircleRound) -> list[str]:
    """The round as people read it: a title, each circle's facilitator and order, the cooldown kept."""
    settings = ctx.team.circles
    out = [f"Peer circles, week of {found.monday} ({printable(ctx.team.name)}), "
           f"{settings.minutes} minutes each:"]
    for i, circle in enumerate(found.circles, 1):
        out.append(f"  Circle {i}: facilitated by {printable(circle.facilitator)}")
        out.append("    speaking order: " + ", ".join(printable(n) for n in circle.order))
    if not found.circles:
        out.append(f"  nobody to seat: fewer than {SMALLEST} members opted in (circles = true) and present")
        return out
    wanted = settings.cooldown_weeks
    if found.cooldown < wanted:
        out.append(f"Some people shared a circle within the last {wanted} weeks: with this few people, "
                   f"no split keeps everyone apart that long.")
    elif wanted:
        out.append(f"Nobody shares a circle with someone they sat with in the last {wanted} weeks.")
    return out


def _note(ctx: Context, args: argparse.Namespace, today: date) -> int:
    """Seal a note to the members of `me`'s circle and save it; say who can open it."""
    from huddle_tui import circles

    saved = circles.save_note(ctx.journal, ctx.day(args.date), args.text, today=today)
    readers = [n for n in saved.circle.members if n not in saved.unreadable_by]
    if args.json:
        emit_json({"id": saved.id, "circle": list(saved.circle.members), "readers": readers,
                   "unreadable_by": list(saved.unreadable_by)})
        return 0
    print(f"Sealed to your circle: {', '.join(printable(n) for n in readers)} can open it; "
          f"nobody else can.")
    if saved.unreadable_by:
        print(f"{', '.join(printable(n) for n in saved.unreadable_by)} cannot: no key of theirs is trusted "
              f"on this machine yet (`huddle keys`).")
    return 0


def _notes(ctx: Context, args: argparse.Namespace) -> int:
    """The round's notes: who wrote each and when, and the text where this machine's key opens it."""
    from huddle_tui import circles

    day = ctx.day(args.date)
    notes = circles.read_notes(ctx.journal, day)
    if args.json:
        emit_json({"week": circles.monday_of(ctx.team, day).isoformat(),
                   "notes": [{"id": n.id, "date": n.date, "author": n.author, "circle": list(n.members),
                              "text": n.text} for n in notes]})
        return 0
    print(f"Circle notes, week of {circles.monday_of(ctx.team, day).isoformat()}:")
    for n in notes:
        said = printable(n.text) if n.text is not None else "(sealed: not for this machine's key)"
        print(f"  {n.date} {printable(n.author)}: {said}")
    if not notes:
        print("  none")
    return 0
