"""The `huddle` command: argument parsing, dispatch, and one-line errors.

Importing this module must stay cheap: scripted commands (`huddle checkin`,
`huddle next`) never load textual, httpx or sqlite3. Each command's module
imports what it needs inside its `run`.

Start-up tricks, and why (measured in benchmarks/, kept to two places): a
scripted command lives for a few tens of milliseconds, about as long as the
interpreter takes to start, so every module it imports and every cycle
collection during start-up shows in its time. Hence, here, the lazy imports
and the collector paused until a command starts (the app turns it back on
after its first paint), when what start-up made is frozen (gc.freeze): it
lives as long as the process, and no collection during the command or at
its exit (launch.py freezes the rest) walks its tens of thousands of
objects again; and in the hot read paths (storage/folder.py, _pause_gc, and
the report's, Journal.report_data) the collector paused while a read builds
its many small objects. The modules
whose named tuples every command builds (PLAIN_ANNOTATIONS in
tests/test_import_hygiene.py) do without `from __future__ import
annotations`: typing.NamedTuple compiles each field's annotation given as text.
Other modules import what they use at the top unless a comment says why not.
"""

from __future__ import annotations

import argparse
import functools
import gc
import importlib
import os
import sys
from collections.abc import Sequence
from types import ModuleType
from typing import NoReturn

from huddle_tui import __version__
from huddle_tui.errors import ExitCode, HuddleError

EXIT_CODES = """exit codes:
  0  ok
  1  internal error (a bug: please report it)
  2  bad usage or bad input (nothing was saved)
  3  config error (the message names the file and key)
  4  the shared folder or local data cannot be written
  5  partly done (e.g. some --from-json lines refused; the others were saved)
  6  an endpoint refused or could not be reached"""


class HelpFormatter(argparse.RawDescriptionHelpFormatter):
    """argparse's formatter, sized from the terminal without importing shutil (and bz2, lzma)."""

    def __init__(self, prog: str, indent_increment: int = 2, max_help_position: int = 24,
                 width: int | None = None) -> None:
        """Use $COLUMNS or the terminal's width, as argparse would."""
        super().__init__(prog, indent_increment, max_help_position, max(width or _help_width(), 40))


@functools.cache
def _help_width() -> int:
    """$COLUMNS or the terminal's width, less 2, looked up once a run.

    argparse makes a formatter for every argument it adds (to check its
    metavar), two dozen for one command line: each asking the environment and
    the terminal cost more than the rest of building the parser.
    """
    try:
        return int(os.environ.get("COLUMNS", "")) - 2
    except ValueError:
        try:
            return os.get_terminal_size(sys.stdout.fileno()).columns - 2
        except (OSError, ValueError):
            return 78


class Parser(argparse.ArgumentParser):
    """argparse, with usage errors in one line and exit code 2."""

    def error(self, message: str) -> NoReturn:
        """Print one line naming the command and the problem, then exit 2."""
        _say(f"{self.prog}: error: {message} (see --help)")  # the message may quote argv
        raise SystemExit(ExitCode.USAGE)


ALL = "*"


def command_in(argv: Sequence[str]) -> str:
    """Which subparsers argv needs: one command's name, "" for none (the app), ALL otherwise."""
    from huddle_tui.commands import COMMANDS

    skip = False
    for token in argv:
        if skip:
            skip = False
        elif token in ("--config", "--theme"):
            skip = True
        elif token in ("-h", "--help"):
            return ALL  # the help lists every command
        elif not token.startswith("-"):
            return token if token in COMMANDS else ALL  # ALL: argparse names the valid choices
    return ""


def load_command(name: str) -> ModuleType:
    """Import one command's module."""
    from huddle_tui.commands import COMMANDS

    return importlib.import_module(f"huddle_tui.commands.{COMMANDS[name][0]}")


def build_parser(only: str = ALL) -> Parser:
    """The command line with the subparsers `only` asks for (see command_in), to start fast."""
    from huddle_tui.commands import COMMANDS

    parser = Parser(
        prog="huddle",
        description="Run your team's daily huddle: a timed pulse round, a rotating "
                    "facilitator, moods and concerns kept in a shared folder. "
                    "With no command, opens today's huddle.",
        epilog=EXIT_CODES,
        formatter_class=HelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"huddle-tui {__version__}")
    add_config_flag(parser)
    parser.add_argument("--theme", help="theme name for this run (see the command palette)")
    parser.add_argument("--inline", action="store_true",
                        help="run below the shell prompt instead of full screen")
    parser.add_argument("--stage", action="store_true",
                        help="open the round in the stage view: name and time in large letters")
    parser.add_argument("--plain", action="store_true",
                        help="plain text, one line per event, for a screen reader or braille display "
                             "(automatic when TERM=dumb)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    for name, (_, summary) in COMMANDS.items():
        if only not in (ALL, name):
            continue  # each subparser costs a few hundred microseconds to build
        command = sub.add_parser(name, help=summary, description=summary, epilog=EXIT_CODES,
                                 formatter_class=HelpFormatter)
        add_config_flag(command)
        if only == name:
            load_command(name).configure(command)
    return parser


def add_config_flag(parser: argparse.ArgumentParser) -> None:
    """--config, accepted before or after the command name."""
    parser.add_argument("--config", metavar="PATH", default=argparse.SUPPRESS,
                        help="team config (default: $HUDDLE_CONFIG, ./huddle.toml, "
                             "then the shared folder in your user config)")


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command and return its exit code; errors are one line, never a traceback."""
    # Start-up allocates a great deal and frees little: see "Start-up tricks" above.
    gc.disable()
    try:
        return _run(list(sys.argv[1:] if argv is None else argv))
    finally:
        gc.unfreeze()  # collectable again when main returns to a caller that goes on (a test)
        gc.enable()


def _run(argv: list[str]) -> int:
    """Parse and dispatch (with the cycle collector paused until a command starts)."""
    args = build_parser(command_in(argv)).parse_args(argv)
    if not hasattr(args, "config"):
        args.config = None
    if args.command is not None:
        gc.freeze()
        gc.enable()
    try:
        if args.command is None:
            from huddle_tui.commands import app as app_command

            return app_command.run(args)
        return int(load_command(args.command).run(args))
    except HuddleError as exc:
        _say(f"huddle: {exc.message}")
        return int(exc.code)
    except KeyboardInterrupt:
        _say("huddle: interrupted")
        return 130
    except BrokenPipeError:
        # The reader of our output went away (`huddle export | head`): not an error.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    except Exception as exc:
        if os.environ.get("HUDDLE_DEBUG"):
            raise
        _say(f"huddle: internal error: {type(exc).__name__}: {exc} "
             "(set HUDDLE_DEBUG=1 for details, and please report it)")
        return int(ExitCode.INTERNAL)


def _say(line: str) -> None:
    """Write one line to stderr with control characters escaped."""
    from huddle_tui.text import printable

    sys.stderr.write(printable(line) + "\n")


if __name__ == "__main__":
    raise SystemExit(main())
