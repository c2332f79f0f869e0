"""`huddle export`: every record, merged, to stdout as JSON Lines or CSV."""

from __future__ import annotations

import argparse
import csv
import json
import sys
from collections.abc import Iterator
from datetime import date
from itertools import groupby
from operator import itemgetter

from huddle_tui.commands.common import date_arg, open_context
from huddle_tui.config.team import TeamConfig
from huddle_tui.model.checkin import CheckIn
from huddle_tui.rules.privacy import K, releasable
from huddle_tui.storage.bymonth import read_by_month
from huddle_tui.storage.envelope import Record, json_line
from huddle_tui.text import csv_cell, printable

CSV_COLUMNS = ["kind", "id", "version", "date", "written_at", "member", "mood", "status",
               "visibility", "concerns", "facilitator", "order", "payload"]
_DATE = itemgetter(Record._fields.index("date"))  # C-level: no Python call per record
_ORDER = itemgetter(*(Record._fields.index(f) for f in ("date", "kind", "id")))  # by date, kind, id


def configure(p: argparse.ArgumentParser) -> None:
    """Flags of `huddle export`."""
    p.add_argument("--since", type=date_arg, help="only records dated on or after YYYY-MM-DD")
    p.add_argument("--format", choices=("jsonl", "csv"), default="jsonl")
    p.add_argument("--json", action="store_const", dest="format", const="jsonl",
                   help="same as --format jsonl (one JSON record a line)")
    p.add_argument("--private", action="store_true",
                   help="export this machine's private records instead of the shared folder's")


def run(args: argparse.Namespace) -> int:
    """Write the records, oldest first, a month at a time; problems go to stderr, not into the data.

    The history is read month by month (storage/bymonth.py), merged as a whole
    read merges it: memory holds a month, not five years.
    """
    ctx = open_context(args)
    store = ctx.journal.private if args.private else ctx.journal.shared
    since = ctx.day(args.since).isoformat() if args.since else None
    months = read_by_month(store, since)
    team = None if args.private else ctx.journal.roster()
    out = sys.stdout
    writer = None
    if args.format == "csv":
        writer = csv.DictWriter(out, CSV_COLUMNS, lineterminator="\n")
        writer.writeheader()
    held = unsigned = 0
    for month in months:
        records = sorted(month, key=_ORDER)
        unsigned += sum(1 for r in records if not r.signer)
        for kept, left_out in [(records, 0)] if team is None else _released_days(team, records):
            held += left_out
            if writer is None:
                out.write("".join([json_line(r) + "\n" for r in kept]))
            else:
                writer.writerows(_csv_row(r) for r in kept)
    if held:
        sys.stderr.write(f"huddle: {held} anonymous answers left out: fewer than {K} members could "
                         "have given them (see docs/privacy.md)\n")
    if args.private or ctx.journal.authorship() is None:
        unsigned = 0
    if unsigned:  # in a team with keys, say how much rests on no signature (lines without "signer")
        sys.stderr.write(f"huddle: {unsigned} records are unsigned (made before keys existed: no \"signer\" "
                         "in their line)\n")
    for problem in months.problems:
        sys.stderr.write(printable(f"huddle: skipped {problem.path}: {problem.reason}") + "\n")
    return 0


def _csv_row(r: Record) -> dict[str, str]:
    """One record's CSV row, every cell made safe for a spreadsheet."""
    p = r.payload
    # Tombstones and kinds this version does not know are not validated: a column is
    # filled only from a value of its type, and the payload column holds everything.
    order = p.get("order")
    row = {"kind": r.kind, "id": r.id, "version": r.version, "date": r.date,
           "written_at": r.written_at, "member": _scalar(p.get("member")),
           "mood": _scalar(p.get("mood")), "status": _scalar(p.get("status")),
           "visibility": _scalar(p.get("visibility")),
           "concerns": json.dumps(p["concerns"], ensure_ascii=False) if "concerns" in p else "",
           "facilitator": _scalar(p.get("facilitator")),
           "order": ";".join(order) if isinstance(order, list)
           and all(isinstance(x, str) for x in order) else "",
           "payload": json.dumps(p, ensure_ascii=False, sort_keys=True)}
    return {k: csv_cell(str(v)) for k, v in row.items()}


def _released_days(team: TeamConfig, records: list[Record]) -> Iterator[tuple[list[Record], int]]:
    """Each day's records (sorted by date) without anonymous answers fewer than K members could have
    given, and how many were left out.

    A day's rule reads that day's named check-ins alone (who, and how: visibility), and only days
    with an anonymous answer are asked about. Going day by day, each record is looked at just
    before it is written, not in a pass of its own over the whole history.
    """
    for day, group in groupby(records, key=_DATE):
        rows = list(group)
        if not any(map(_anonymous, rows)):
            yield rows, 0
            continue
        named = [_checkin(r) for r in rows if r.kind == "checkin" and not r.deleted and "member" in r.payload]
        if releasable(team, date.fromisoformat(day), named):
            yield rows, 0
            continue
        kept = [r for r in rows if not _anonymous(r)]
        yield kept, len(rows) - len(kept)


def _anonymous(r: Record) -> bool:
    """An anonymous answer: a check-in's, or a concern with no author (a tombstone holds no answer)."""
    payload = r.payload
    return not r.deleted and (payload.get("visibility") == "anonymous"
                              or (r.kind == "concern" and "member" not in payload))


def _checkin(r: Record) -> CheckIn:
    """A named check-in as the k = 3 rule reads it: who, and how (visibility)."""
    member = r.payload["member"]
    return CheckIn(r.date, None, str(member) if member is not None else None,
                   visibility=r.payload.get("visibility", "team"))


def _scalar(value: object) -> object:
    """A payload value for a CSV column: text or a number as it is, anything else left blank."""
    return value if isinstance(value, (str, int, float)) and not isinstance(value, bool) else ""
