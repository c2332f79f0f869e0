"""`huddle pairs`: this round's buddy (or coffee) groups, the same on every machine; make, met or skip.

Showing is a read and writes nothing: a round no machine has saved yet is
computed as every machine would make it and shown as not saved. `make`
(and `--post`, `met`, `skip`, which are writes anyway) records it.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
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
from huddle_tui.model.pairs import TRACKS, PairRound
from huddle_tui.text import clean_name, printable

ACTIONS = ("show", "make", "met", "skip")
WRITES = ("make", "met", "skip")
TITLES = {"buddy": "Buddy pairs", "coffee": "Virtual coffee"}


def configure(p: argparse.ArgumentParser) -> None:
    """Flags of `huddle pairs`."""
    p.add_argument("action", nargs="?", choices=ACTIONS, default="show",
                   help="show the round (default; writes nothing); make: record the round in the "
                        "shared folder if no machine has yet; met: say your group met; skip: say it "
                        "did not (the next rounds treat the pair as not met)")
    p.add_argument("--kind", choices=TRACKS, default="buddy",
                   help="buddy pairs (default) or a virtual-coffee round (its own cadence)")
    p.add_argument("--date", type=date_arg, help="a day in the round's week (default: today)")
    p.add_argument("--member", help="who says met or skip (default: `me` from your user config)")
    p.add_argument("--post", action="store_true",
                   help="record the round and queue it as a chat post to the team's chat endpoints "
                        "(sent by `huddle sync` or the app; [pairs] post = true does this for rounds "
                        "recorded by `make`, `met` or `skip`)")
    add_json_flag(p)


def run(args: argparse.Namespace) -> int:
    """Show the round covering the date (a read: nothing saved), or record it, or mark it.

    Only `make`, `met`, `skip` and `--post` write, so a glance at the pairs
    on a git-backed folder leaves its work tree clean.
    """
    from huddle_tui import pairs

    ctx = open_context(args)
    today = ctx.today()
    day = ctx.day(args.date)
    if args.action in ("met", "skip"):
        member = clean_name(args.member or ctx.me() or "", "--member")
        if not member:
            raise UsageError("--member is required (or set `me` in your user config with `huddle init`)")
        pairs.save_mark(ctx.journal, args.kind, day, member, args.action, today=today)
    elif args.member:
        raise UsageError("--member goes with met or skip")
    view = pairs.this_round(ctx.journal, args.kind, day, today=today,
                            save=args.action in WRITES or args.post)
    if args.action == "make" and view.created and not view.saved and view.round.groups:
        raise RefusedError(f"the round of {view.round.monday} has not started yet; nothing saved")
    if args.post or (view.saved and ctx.team.pairs.post):
        _post(ctx, view.round)
    if args.json:
        emit_json({"team": ctx.team.name, "kind": args.kind, "week": view.round.monday,
                   "groups": [list(g) for g in view.round.groups],
                   "cooldown_kept": view.round.cooldown, "cooldown_weeks": ctx.team.pairs.cooldown_weeks,
                   "marks": {n: view.marks[n.casefold()] for g in view.round.groups for n in g
                             if n.casefold() in view.marks},
                   "saved": not view.created or view.saved})
        return 0
    for line in lines(ctx, view.round, view.marks):
        print(line)
    said = _what_was_kept(args.action, view.created, view.saved, bool(view.round.groups),
                          date.fromisoformat(view.round.monday) > today)
    if said:
        print(said)
    return 0


def _what_was_kept(action: str, created: bool, saved: bool, groups: bool, to_come: bool) -> str:
    """The closing line: a mark recorded, else what round_kept_line says of the round."""
    if action in ("met", "skip"):
        return f"Recorded: {action}."
    return round_kept_line(action, created, saved, groups, to_come,
                           nobody="Nothing recorded: nobody to pair.", make="huddle pairs make")

def lines(ctx: Context, found: PairRound, marks: dict[str, str]) -> list[str]:
    """The round as people read it: a title, one line a group, and the cooldown kept."""
    out = [f"{TITLES[found.track]}, week of {found.monday} ({printable(ctx.team.name)}):"]
    for group in found.groups:
        said = sorted({marks[n.casefold()] for n in group if n.casefold() in marks})
        note = f"  ({', '.join(said)})" if said else ""
        out.append("  " + " + ".join(printable(n) for n in group) + note)
    if not found.groups:
        out.append("  nobody to pair: fewer than 2 members opted in (pairs = true) and present")
    wanted = ctx.team.pairs.cooldown_weeks
    if found.groups and found.cooldown == 0 < wanted:
        out.append(f"Some pairs met last time too: with this few people, no grouping keeps them "
                   f"{wanted} weeks apart.")
    elif found.groups and found.cooldown < wanted:
        out.append(f"None of these pairs has met in the last {found.cooldown} weeks (with this few people, "
                   f"no grouping keeps all {wanted}).")
    elif found.groups:
        out.append(f"None of these pairs has met in the last {wanted} weeks.")
    return out


def _post(ctx: Context, found: PairRound) -> None:
    """Queue the round as one post to each chat endpoint (the outbox sends it)."""
    from huddle_tui.sync.outbox import Outbox, endpoint_key
    from huddle_tui.sync.webhooks import body_bytes, note_payload

    chats = [e for e in ctx.team.endpoints if e.format != "records"]
    if not chats:
        raise UsageError("the team config has no chat endpoint to post to ([[endpoints]] with a chat format)")
    title = f"{TITLES[found.track]}, week of {found.monday}"
    body_lines = [" + ".join(g) for g in found.groups] or ["nobody to pair this week"]
    with Outbox() as outbox:
        for endpoint in chats:
            body = body_bytes(note_payload(endpoint.format, title, body_lines, groups_left_out(found)))
            outbox.add(endpoint_key(endpoint), f"pairs:{found.track}:{found.monday}",
                       f"pairs {found.monday}", "POST", "", body)


def groups_left_out(found: PairRound) -> Callable[[int], str]:
    """What a post too long for its chat says of the groups it leaves out, and where everyone sees them."""
    kind = "" if found.track == "buddy" else f" --kind {found.track}"
    return lambda left: (f"… {left} more {'group' if left == 1 else 'groups'}: run "
                         f"`huddle pairs{kind} --date {found.monday}`")
