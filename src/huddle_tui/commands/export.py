"""`huddle export`: every record, merged, to stdout as JSON Lines or CSV."""

from __future__ import annotations

import argparse
import csv
import gc
import json
import sys
from datetime import date

from huddle_tui.commands.common import date_arg, open_context
from huddle_tui.config.team import TeamConfig
from huddle_tui.storage.envelope import Record, dumps
from huddle_tui.text import csv_cell, printable

CSV_COLUMNS = ["kind", "id", "version", "date", "written_at", "member", "mood", "status",
               "visibility", "concerns", "facilitator", "order", "payload"]


def configure(p: argparse.ArgumentParser) -> None:
    """Flags of `huddle export`."""
    p.add_argument("--since", type=date_arg, help="only records dated on or after YYYY-MM-DD")
    p.add_argument("--format", choices=("jsonl", "csv"), default="jsonl")
    p.add_argument("--json", action="store_const", dest="format", const="jsonl",
                   help="same as --format jsonl (one JSON record a line)")
    p.add_argument("--private", action="store_true",
                   help="export this machine's private records instead of the shared folder's")


def run(args: argparse.Namespace) -> int:
    """Write the records, oldest first; problems go to stderr, not into the data."""
    ctx = open_context(args)
    store = ctx.journal.private if args.private else ctx.journal.shared
    since = args.since.isoformat() if args.since else None
    history = store.read(since=since)
    # What is read lives until the end and holds no cycles: the collector need not walk it again
    # for every batch of output lines (a third of writing them).
    gc.freeze()
    records = sorted(history.records.values(), key=lambda r: (r.date, r.kind, r.id))
    if not args.private:
        records, held = _releasable_only(ctx.journal.roster(), records)
        if held:
            sys.stderr.write(f"huddle: {held} anonymous answers left out: fewer than 3 members could "
                             "have given them (see docs/privacy.md)\n")
    out = sys.stdout
    if args.format == "jsonl":
        for r in records:
            out.write(dumps(r.as_json()) + "\n")
    else:
        writer = csv.DictWriter(out, CSV_COLUMNS, lineterminator="\n")
        writer.writeheader()
        for r in records:
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
            writer.writerow({k: csv_cell(str(v)) for k, v in row.items()})
    for problem in history.problems:
        sys.stderr.write(printable(f"huddle: skipped {problem.path}: {problem.reason}") + "\n")
    return 0


def _releasable_only(team: TeamConfig, records: list[Record]) -> tuple[list[Record], int]:
    """The records without anonymous answers of days fewer than 3 members could have given them on."""
    from huddle_tui.model.checkin import CheckIn
    from huddle_tui.rules.privacy import releasable

    def anonymous(r: Record) -> bool:
        """An anonymous answer: a check-in's, or a concern with no author."""
        payload = r.payload
        return payload.get("visibility") == "anonymous" or (r.kind == "concern" and "member" not in payload)

    # Each day's named check-ins, so a day's rule reads only that day (not the whole history); only
    # days with an anonymous answer are asked about, and the rule reads who and how (visibility) alone.
    days = {r.date for r in records if anonymous(r)}
    named: dict[str, list[CheckIn]] = {}
    for r in records:
        if r.kind == "checkin" and r.date in days and not r.deleted and "member" in r.payload:
            payload = r.payload
            member = payload["member"]
            named.setdefault(r.date, []).append(CheckIn(
                r.date, None, str(member) if member is not None else None,
                visibility=payload.get("visibility", "team")))
    by_day: dict[str, bool] = {}
    kept, held = [], 0
    for r in records:
        if anonymous(r):
            if r.date not in by_day:
                by_day[r.date] = releasable(team, date.fromisoformat(r.date), named.get(r.date, ()))
            if not by_day[r.date]:
                held += 1
                continue
        kept.append(r)
    return kept, held


def _scalar(value: object) -> object:
    """A payload value for a CSV column: text or a number as it is, anything else left blank."""
    return value if isinstance(value, (str, int, float)) and not isinstance(value, bool) else ""
