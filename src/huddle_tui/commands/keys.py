"""`huddle keys`: whose keys this machine trusts, what waits, and confirming a key by its fingerprint.

Trust on first use pins the first key seen for each member; a new key for
someone already pinned, two first keys for one member, or the first key of
someone added to huddle.toml since this machine last looked waits here until
this machine's user compares its fingerprint with its owner (read aloud on a
call, or over chat) and confirms it. A second machine of one's own is linked
with `huddle keys link KEY` on the first, and then needs no confirming.
"""

from __future__ import annotations

import argparse
from typing import Any

from huddle_tui.commands.common import Context, add_json_flag, emit_json, open_context
from huddle_tui.errors import RefusedError, UsageError
from huddle_tui.text import clean_name, printable


def configure(p: argparse.ArgumentParser) -> None:
    """Flags of `huddle keys`."""
    p.add_argument("action", nargs="?", choices=("list", "confirm", "link"), default="list",
                   help="list (the default): each member's keys and what waits; confirm NAME: trust the "
                        "key waiting for NAME; link KEY: vouch for another machine of yours")
    p.add_argument("name", nargs="?", help="the member (confirm) or the other machine's key (link)")
    p.add_argument("--fingerprint", metavar="DIGITS",
                   help="with confirm: the fingerprint you compared (its first groups are enough), "
                        "needed when more than one key waits for the member")
    add_json_flag(p)


def run(args: argparse.Namespace) -> int:
    """List keys, confirm one, or link another machine."""
    ctx = open_context(args)
    if args.action == "confirm":
        return _confirm(ctx, clean_name(args.name or "", "NAME"), args.fingerprint, args.json)
    if args.action == "link":
        if not args.name:
            raise UsageError("link needs the other machine's key (`huddle keys` there shows it)")
        record = ctx.journal.link_key(args.name.strip())
        if args.json:
            emit_json({"linked": True, "key": args.name.strip(), "id": record.id})
        else:
            print(f"Linked: that machine's key is now {printable(ctx.journal.me or '')}'s on every "
                  "teammate's machine that trusts this one.")
        return 0
    return _list(ctx, _published(ctx), args.json)


def _published(ctx: Context) -> str | None:
    """This machine's key as published for `me` (listing writes nothing: no key is made or published)."""
    me = ctx.journal.me
    if me is None:
        return None
    ring = ctx.journal.keyring()
    mine = [k for k in ring.published if k in ring.pinned.get(me.casefold(), [])]
    return mine[0] if mine else None


def _rows(ctx: Context) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Each member's trusted and waiting keys, and the roster changes not yet confirmed here."""
    from huddle_tui.storage.signature import fingerprint

    trust = ctx.journal.authorship()
    rows: list[dict[str, Any]] = []
    for member in ctx.team.members:
        folded = member.name.casefold()
        trusted = sorted(k for k, m in (trust.trusted.items() if trust else ()) if m == folded)
        waiting = trust.waiting.get(folded, []) if trust else []
        rows.append({"member": member.name,
                     "trusted": [{"key": k, "fingerprint": fingerprint(k)} for k in trusted],
                     "waiting": [{"key": c.key, "fingerprint": fingerprint(c.key), "label": c.label,
                                  "date": c.date} for c in waiting]})
    changes = {"added": [trust.roster.get(m, m) for m in trust.added] if trust else [],
               "removed": trust.removed if trust else []}
    return rows, changes


def _list(ctx: Context, mine: str | None, as_json: bool) -> int:
    """Print each member's keys with fingerprints people can read aloud, and what waits."""
    from huddle_tui.storage.signature import fingerprint

    rows, changes = _rows(ctx)
    if as_json:
        emit_json({"me": ctx.journal.me, "key": mine, "fingerprint": fingerprint(mine) if mine else None,
                   "members": rows, "roster": changes})
        return 0
    if mine is not None:
        print(f"This machine's key ({printable(ctx.journal.me or '')}): {fingerprint(mine)}")
        print(f"  to link another machine of yours, run there: huddle keys link {mine}")
    elif ctx.journal.me is None:
        print("This machine signs nothing yet: set `me` with `huddle init --me NAME`.")
    else:
        print("This machine's key is made and published with its first record (a check-in, say).")
    for row in rows:
        keys = ", ".join(k["fingerprint"] for k in row["trusted"]) or "no key yet"
        print(f"{printable(row['member'])}: {keys}")
        for w in row["waiting"]:
            who = printable(row["member"])
            print(f"  waiting to be confirmed: {w['fingerprint']} ({printable(w['label'] or 'a machine')}, "
                  f"{w['date']}) — compare it with {who}, then "
                  f"`huddle keys confirm {who} --fingerprint \"{w['fingerprint'][:11]}\"`")
    if changes["added"] or changes["removed"]:
        added, removed = ", ".join(changes["added"]) or "-", ", ".join(changes["removed"]) or "-"
        print(f"huddle.toml changed since this machine last looked: added {added}; removed {removed}. "
              "An added member's key waits to be confirmed.")
    return 0


def _confirm(ctx: Context, name: str, wanted: str | None, as_json: bool) -> int:
    """Pin the key waiting for a member, chosen by fingerprint when more than one waits."""
    from huddle_tui.storage.signature import fingerprint

    member = ctx.team.member(name)
    if member is None:
        raise UsageError(f"unknown member {name!r} (not on the roster of {ctx.team.name})")
    trust = ctx.journal.authorship()
    waiting = trust.waiting.get(member.name.casefold(), []) if trust else []
    if wanted:
        digits = "".join(wanted.split())
        waiting = [c for c in waiting if "".join(fingerprint(c.key).split()).startswith(digits)]
    keys = sorted({c.key for c in waiting})
    if not keys:
        raise RefusedError(f"no key waits for {member.name}" + (" with that fingerprint" if wanted else ""))
    if len(keys) > 1:
        raise UsageError(f"{len(keys)} keys wait for {member.name}: give --fingerprint (see `huddle keys`)")
    ring = ctx.journal.keyring()
    ring.pin(member.name, keys[0])
    roster = sorted({m.name.casefold() for m in ctx.team.members})
    seen = set(ring.acknowledged or roster) | {member.name.casefold()}
    ring.acknowledge([m for m in roster if m in seen])
    ring.save()
    if as_json:
        emit_json({"confirmed": True, "member": member.name, "fingerprint": fingerprint(keys[0])})
    else:
        print(f"Confirmed: {fingerprint(keys[0])} is {printable(member.name)}'s key on this machine.")
    return 0
