"""The `huddle` command's entry point: a warm `huddle prompt` is answered before anything else loads.

A shell prompt runs `huddle prompt` before every command line. Importing
the CLI (argparse, the error classes, typing) alone costs more than the
whole warm answer (nudge.py), so this module looks at the arguments first
and hands everything else, and a prompt whose answer must be computed, to
cli.main.
"""

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
    from huddle_tui.cli import main as cli_main

    return cli_main(argv)
