"""What the commands share: argument types, loading the team, printing results."""

from __future__ import annotations

import argparse
import sys
from datetime import date, timedelta
from typing import Any, NamedTuple

from huddle_tui.config.team import TeamConfig
from huddle_tui.config.user import UserConfig, load_team, load_user_config, who_am_i
from huddle_tui.errors import UsageError
from huddle_tui.journal import FIRST_DATE, LAST_DATE, Journal, open_journal
from huddle_tui.storage.envelope import dumps

DATE_HELP = "YYYY-MM-DD, today, yesterday or tomorrow (default: today)"


def parse_date(text: str, today: date) -> date:
    """A YYYY-MM-DD date, or today / yesterday / tomorrow counted from `today` (the team's)."""
    words = {"today": 0, "yesterday": -1, "tomorrow": 1}
    if text.lower() in words:
        return today + timedelta(days=words[text.lower()])
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise UsageError(f"not a date: {text!r} (expected YYYY-MM-DD, today, yesterday or tomorrow)"
                         ) from None
    if not FIRST_DATE <= day <= LAST_DATE:
        raise UsageError(f"{day} is out of range: dates from {FIRST_DATE} to {LAST_DATE}")
    return day


def date_arg(text: str) -> str:
    """argparse type for dates, with a one-line error: checked now, resolved by `Context.day`.

    "today" means the team's today, which is known only once the team config
    is read, after the arguments are parsed; so the text is kept.
    """
    try:
        parse_date(text, FIRST_DATE + timedelta(days=1))
    except UsageError as exc:
        raise argparse.ArgumentTypeError(exc.message) from None
    return text


def parse_mood(value: object) -> int:
    """A mood: a whole number from 1 to 5, nothing else (not 3.5, not 'three')."""
    if isinstance(value, bool):
        raise UsageError(f"mood must be a whole number from 1 to 5, got {value!r}")
    if isinstance(value, int):
        mood = value
    elif isinstance(value, str) and value.strip().isdigit():
        mood = int(value.strip())
    else:
        raise UsageError(f"mood must be a whole number from 1 to 5, got {value!r}")
    if not 1 <= mood <= 5:
        raise UsageError(f"mood must be a whole number from 1 to 5, got {mood}")
    return mood


def mood_arg(text: str) -> int:
    """argparse type for moods."""
    try:
        return parse_mood(text)
    except UsageError as exc:
        raise argparse.ArgumentTypeError(exc.message) from None


def add_json_flag(parser: argparse.ArgumentParser) -> None:
    """--json: print data for scripts instead of text for people."""
    parser.add_argument("--json", action="store_true", help="print JSON for scripts")


class Context(NamedTuple):
    """A command's view of the world: who I am, my team, its journal."""

    user: UserConfig
    team: TeamConfig
    journal: Journal

    def me(self) -> str | None:
        """Who is at this terminal: `me` from the user config, or the one member of a team of one."""
        return who_am_i(self.user, self.team)

    def today(self) -> date:
        """The team's date now: the same on every machine when the team names its time zone."""
        return self.team.today()

    def day(self, text: str | None) -> date:
        """A --date as given (see date_arg), or the team's today without one."""
        return self.today() if text is None else parse_date(text, self.today())


def open_context(args: argparse.Namespace) -> Context:
    """Load the user config and the team config, and open the team's journal (signing as `me`)."""
    user = load_user_config()
    team = load_team(getattr(args, "config", None), user)
    return Context(user, team, open_journal(team, me=who_am_i(user, team)))


def emit_json(data: Any) -> None:
    """Print one JSON document on stdout, with nothing in it a terminal would obey.

    dumps escapes C0 and C1; a file name's undecodable bytes (lone surrogates)
    would still leave stdout raw (0x9b is a CSI), so they are \\u-escaped too.
    """
    text = dumps(data)
    if not text.isascii():
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            text = "".join(f"\\u{ord(c):04x}" if "\ud800" <= c <= "\udfff" else c for c in text)
    sys.stdout.write(text + "\n")


def stdin_is_terminal() -> bool:
    """Whether we may prompt: never when stdin is a pipe, a file or closed."""
    try:
        return sys.stdin is not None and sys.stdin.isatty()
    except (AttributeError, ValueError):
        return False


def round_kept_line(action: str, created: bool, saved: bool, seated: bool, to_come: bool, *,
                    nobody: str, make: str) -> str:
    """The closing line of `huddle pairs` and `huddle circles`: what was recorded, or why the round
    shown is not a record yet ("" for none).

    A person reading an unsaved round must know that nothing was written and
    how to record it (`make`, the command that does); a round read from its
    record needs no line. `nobody` is the line when there was no one to seat.
    """
    if not created:
        return "Already recorded in the shared folder: nothing to do." if action == "make" else ""
    if saved:
        return "Recorded: the round is saved in the shared folder for everyone."
    if not seated:
        return nobody if action == "make" else ""
    if to_come:
        return "(a preview: the round has not started, so nothing was saved)"
    return f"(not saved yet; `{make}` records it for everyone)"
