"""`huddle demo`: a demo team with synthetic history, opened in the app."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from huddle_tui import paths
from huddle_tui.errors import UsageError
from huddle_tui.text import printable

if TYPE_CHECKING:
    from huddle_tui.demo import You


def configure(p: argparse.ArgumentParser) -> None:
    """Flags of `huddle demo`."""
    p.add_argument("--members", type=int, default=8, help="team size (default 8)")
    p.add_argument("--years", type=float, default=1.0, help="years of history (default 1)")
    p.add_argument("--shared", metavar="DIR", help="where to write it (default: a demo folder "
                   "in your data dir); HUDDLE_CONFIG=DIR/huddle.toml then points any command at it")
    p.add_argument("--seed", type=int, default=7, help="same seed, same history")
    p.add_argument("--no-tui", action="store_true", help="only write the folder and print a summary")
    p.add_argument("--json", action="store_true",
                   help="with --no-tui: print the folder, config and counts as JSON instead")


def run(args: argparse.Namespace) -> int:
    """Generate the folder unless it already holds a demo, then open or summarise it."""
    from huddle_tui.config.team import load_team_config
    from huddle_tui.demo import generate
    from huddle_tui.storage.batch import is_unfinished
    from huddle_tui.storage.fileio import make_root

    if not 1 <= args.members <= 200:
        raise UsageError("--members: 1 to 200")
    if not 0 < args.years <= 20:
        raise UsageError("--years: more than 0, at most 20")
    folder = Path(args.shared).expanduser() if args.shared else paths.demo_dir()
    config = folder / paths.TEAM_CONFIG_NAME
    if (folder / "records").exists() and config.exists():
        sys.stderr.write(printable(f"{folder} already holds a demo team; using it as it is.") + "\n")
        _member_config(folder)
    else:
        # What a crashed run left does not count: the new run removes it.
        left = [p for p in folder.iterdir() if not is_unfinished(p.name)] if folder.exists() else []
        if left and not config.exists():
            raise UsageError(f"{folder} is not empty and holds no huddle.toml; pick another --shared")
        make_root(folder)
        generate(folder, args.members, args.years, args.seed, progress=_progress(), you=_you())
    team = load_team_config(config)
    if not args.no_tui:
        from huddle_tui.commands import app

        args.config = str(config)
        return app.run(args)
    from huddle_tui.journal import Journal
    from huddle_tui.rules.summary import render_text

    journal = Journal(team)
    if args.json:
        from huddle_tui.commands.common import emit_json

        history = journal.read()  # the counts are of every record; the summary below reads a day
        kinds: dict[str, int] = {}
        for record in history.records.values():
            kinds[record.kind] = kinds.get(record.kind, 0) + 1
        emit_json({"folder": str(folder), "config": str(config), "team": team.name,
                   "members": [m.name for m in team.members], "records": kinds})
        return 0
    today = team.today()
    sys.stdout.write(render_text(journal.summary(today)))
    print("\n" + printable(f"Demo folder: {folder}"))
    print(printable(_try_line(folder, config)))
    return 0


def _member_config(folder: Path) -> None:
    """A demo made before demos had a user config gets one, for the member this machine is there."""
    if paths.demo_user_config_file(folder).exists():
        return
    from huddle_tui.demo import write_user_config
    from huddle_tui.storage.keyring import Keyring

    me = Keyring.for_folder(folder).me
    if me is not None:
        write_user_config(folder, me)


def _try_line(folder: Path, config: Path) -> str:
    """What to run next: plain commands while the demo stands in for a user config, else with its own."""
    from huddle_tui.config.team import load_team_config
    from huddle_tui.config.user import demo_stand_in, load_user_config, who_am_i

    user_config = paths.demo_user_config_file(folder)
    if demo_stand_in() == user_config:
        me = who_am_i(load_user_config(), load_team_config(config))
        return f"Try: huddle, huddle me, huddle pairs, huddle followups --mine (you are {me} in the demo)"
    if user_config.is_file():
        return f"Try: HUDDLE_CONFIG_DIR={user_config.parent} huddle me (or HUDDLE_CONFIG={config} huddle)"
    return f"Try: HUDDLE_CONFIG={config} huddle next"


def _you() -> You:
    """The person running the demo: their user config's `me` and this machine's signing key.

    The key is made now if this machine has none yet (as `huddle init`
    would): the demo links it as one of its members', so what they save in
    the demo is signed and trusted like the rest of its history.
    """
    from huddle_tui.config.user import load_user_config
    from huddle_tui.demo import You
    from huddle_tui.storage.localkey import signing_key_path
    from huddle_tui.storage.signature import load_machine_key

    return You(load_user_config().me, load_machine_key(signing_key_path()))


def _progress() -> Callable[[int, int], None] | None:
    """A progress line on stderr when a person is watching, nothing otherwise."""
    if not sys.stderr.isatty():
        return None

    def show(done: int, total: int) -> None:
        """Redraw the progress line every few days of history."""
        if done % 20 == 0 or done == total:
            sys.stderr.write(f"\rwriting demo history: {done}/{total} days")
            if done == total:
                sys.stderr.write("\n")
            sys.stderr.flush()

    return show

