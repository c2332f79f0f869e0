"""The `huddle` commands: name → (module, one-line help).

Each module has configure(parser) and run(args). Only the module of the
command being run is imported, and each imports anything heavy (textual,
httpx, sqlite3) inside `run`, so scripted commands start fast.
"""

from __future__ import annotations

COMMANDS: dict[str, tuple[str, str]] = {
    "init": ("init", "create a team config in a shared folder, and your user config"),
    "checkin": ("checkin", "save a check-in: mood 1-5, a one-line status, concerns and blockers"),
    "me": ("me", "your own moods, streaks, follow-ups and support resources (only on your terminal)"),
    "followups": ("followups", "list the team's follow-ups (and yours); `followups done ID` closes one"),
    "away": ("away", "record that a member is away for some dates (not expected, never facilitates)"),
    "next": ("next_", "show the facilitator and speaking order (and hand the role over)"),
    "pairs": ("pairs", "this week's buddy pairs (or --kind coffee); `make` records them, `met` or `skip`"
                       " says how it went"),
    "prompt": ("prompt", "one short segment for your shell prompt before the huddle (nothing when there is "
                         "nothing to do)"),
    "circles": ("circles", "this week's peer circles, each facilitator and speaking order; `make` records"
                           " them"),
    "circle": ("circle", "open your peer circle for this round: timed turns, its prompts, takeaways,"
                         " thanks"),
    "debrief": ("debrief", "a peer-led debrief after an event (--event NAME), for the team or --members"),
    "summary": ("summary", "show a date's check-ins and huddle (text, markdown or json)"),
    "report": ("report", "participation, coverage, mood, facilitation, follow-ups per week, month, quarter"),
    "export": ("export", "write every record (merged, one per id) to stdout as jsonl or csv"),
    "doctor": ("doctor", "check config, shared folder and endpoints; --fix removes leftover temp files"),
    "demo": ("demo", "create a demo team with realistic history and open it"),
    "sync": ("sync", "release held anonymous answers now safe, send the outbox to the team's endpoints and "
                     "pull teammates' records; --status"),
    "keys": ("keys", "members' signing keys, what waits to be confirmed, and confirming one by fingerprint"),
    "trust": ("trust", "review the team's endpoints and approve sending them your tokens from this machine"),
    "serve": ("serve", "run the reference records server over a shared folder (extra: server)"),
}
