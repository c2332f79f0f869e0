"""`huddle away`: record an away range in the shared folder, so nobody edits huddle.toml by hand.

`--list` shows every range the app counts: those recorded in the shared
folder and those written in huddle.toml, each marked with where it is kept.
"""

from __future__ import annotations

import argparse

from huddle_tui.commands.common import add_json_flag, date_arg, emit_json, open_context
from huddle_tui.config.team import TeamConfig
from huddle_tui.errors import UsageError
from huddle_tui.model.huddle import Away
from huddle_tui.storage.envelope import Record
from huddle_tui.text import MAX_STATUS, clean_name, clean_text, printable


def configure(p: argparse.ArgumentParser) -> None:
    """Flags of `huddle away`."""
    p.add_argument("--member", help="who is away (default: `me` from your user config)")
    p.add_argument("--from", dest="start", type=date_arg, metavar="D", help="first day away (YYYY-MM-DD)")
    p.add_argument("--to", dest="end", type=date_arg, metavar="D",
                   help="last day away, inclusive (default: the --from day)")
    p.add_argument("--reason", default="", help="why, in a few words (shared with the team)")
    p.add_argument("--list", action="store_true",
                   help="list the away ranges: recorded in the shared folder, and written in huddle.toml")
    add_json_flag(p)


def run(args: argparse.Namespace) -> int:
    """Record one away range (or list them)."""
    ctx = open_context(args)
    if args.list:
        return _list(ctx.journal.read(("away",)).live("away"), ctx.team, args.json)
    member = clean_name(args.member or ctx.me() or "", "--member")
    if not member:
        raise UsageError("--member is required (or set `me` in your user config with `huddle init`)")
    if args.start is None:
        raise UsageError("--from is required (the first day away)")
    start = ctx.day(args.start)
    end = ctx.day(args.end) if args.end else start
    away = Away(member, start.isoformat(), end.isoformat(),
                clean_text(args.reason, "--reason", MAX_STATUS))
    record = ctx.journal.save_away(away)
    saved = Away.from_payload(record.payload)
    if args.json:
        emit_json({"saved": True, "id": record.id, **saved.to_payload()})
    else:
        print(f"Recorded: {printable(saved.member)} is away from {saved.start} to {saved.end}"
              " (not expected to check in, never picked to facilitate).")
    return 0


FOLDER, CONFIG = "shared folder", "huddle.toml"


def _list(records: list[Record], team: TeamConfig, as_json: bool) -> int:
    """Print every away range, by first day: recorded ones, and huddle.toml's marked as such."""
    ranges = [(Away.from_payload(r.payload), FOLDER) for r in records]
    ranges += [(Away(m.name, span.start.isoformat(), span.end.isoformat()), CONFIG)
               for m in team.members for span in m.away]
    ranges.sort(key=lambda found: (found[0].start, found[0].end, found[0].member.casefold(), found[1]))
    if as_json:
        emit_json([{**a.to_payload(), "kept_in": where} for a, where in ranges])
        return 0
    for a, where in ranges:
        reason = f" — {printable(a.reason)}" if a.reason else ""
        kept = " (from huddle.toml)" if where == CONFIG else ""
        print(f"{printable(a.member)}: {a.start} to {a.end}{reason}{kept}")
    if not ranges:
        print("No away ranges: none recorded in the shared folder (huddle away), none in huddle.toml.")
    return 0
