"""The `huddle` command's entry point: a warm `huddle prompt` is answered before anything else loads.

A shell prompt runs `huddle prompt` before every command line. Importing
the CLI (argparse, the error classes, typing) alone costs more than the
whole warm answer (nudge.py), so this module looks at the arguments first
and hands everything else, and a prompt whose answer must be computed, to
cli.main.

The collector is paused from here until a command starts (see cli.py's
start-up tricks): importing the CLI makes thousands of objects, and no
collection need walk them. When the command is done the process ends, and
Python's exit runs the collector over every object alive (tens of
thousands: the parser, the modules' classes and functions) to free memory
the system takes back anyway: several milliseconds, a tenth of a check-in.
So they are frozen (gc.freeze) and the collector at exit skips them; they
are still freed as the modules are cleared, but for those in reference
cycles. Whatever a command writes is closed and made durable before it
returns (records through storage/fileio.py, SQLite by its commits, other
files in `with` blocks), so no finalizer left in a cycle holds anything
unwritten.
"""

import gc
import sys


def main() -> int:
    """Run `huddle` with sys.argv: the kept prompt segment when it holds, else the full CLI."""
    argv = sys.argv[1:]
    if argv == ["prompt"]:
        from huddle_tui import nudge

        segment = nudge.kept_segment()
        if segment is not None:
            if segment:
                sys.stdout.write(segment + "\n")
            return 0
    gc.disable()  # cli.main turns it back on
    from huddle_tui.cli import main as cli_main

    code = cli_main(argv)
    gc.freeze()  # the process ends now: see above
    return code
