"""One module per `huddle` command; each has HELP, configure(parser) and run(args).

These modules import only light core modules at the top; anything heavy
(textual, httpx, sqlite3) is imported inside `run`.
"""

from __future__ import annotations

from types import ModuleType

from huddle_tui.commands import checkin, demo, doctor, export, init, next_, summary

COMMANDS: dict[str, ModuleType] = {
    "init": init,
    "checkin": checkin,
    "next": next_,
    "summary": summary,
    "export": export,
    "doctor": doctor,
    "demo": demo,
}
