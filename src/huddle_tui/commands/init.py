"""`huddle init`: create a team's huddle.toml in its shared folder, and my user config."""

from __future__ import annotations

import argparse
from pathlib import Path

from huddle_tui import paths
from huddle_tui.commands.common import add_json_flag, emit_json, stdin_is_terminal
from huddle_tui.config.team import (
    ANONYMOUS_MODES,
    MAX_ROUND_MINUTES,
    MIN_ROUND_MINUTES,
    SPEAKING_ORDERS,
    TeamConfig,
    load_team_config,
    team_config_to_toml,
    with_anonymous,
    with_members,
    write_toml,
)
from huddle_tui.config.user import UserConfig, load_user_config, user_config_to_toml
from huddle_tui.errors import UsageError
from huddle_tui.model.teamday import local_zone_name, parse_clock, zone_problem
from huddle_tui.text import MAX_NAME, clean_name, clean_text, printable


def configure(p: argparse.ArgumentParser) -> None:
    """Flags of `huddle init`."""
    p.add_argument("--team", help="the team's name")
    p.add_argument("--members", help='comma-separated roster, e.g. "Ana,Ben,Chen"')
    p.add_argument("--shared", metavar="DIR",
                   help="the team's shared folder (default: a local folder to try things out)")
    p.add_argument("--me", metavar="NAME", help="which member you are")
    p.add_argument("--round-minutes", type=float, default=5.0, help="pulse round length (default 5)")
    p.add_argument("--speaking-order", choices=SPEAKING_ORDERS, default="random")
    p.add_argument("--timezone", metavar="ZONE",
                   help="the team's IANA time zone, whose date is everyone's today "
                        "(default: this machine's, e.g. Europe/Berlin)")
    p.add_argument("--huddle-at", metavar="HH:MM", help="when the huddle starts, on the team's clock")
    p.add_argument("--anonymous", choices=ANONYMOUS_MODES,
                   help="how anonymous answers travel: only inside the team's totals (totals, the "
                        "default for a new team; docs/aggregation.md) or each as a record released "
                        "later (records, how teams made before it work); with --shared DIR of an "
                        "existing team, `--anonymous totals` switches that team to totals")
    p.add_argument("--force", action="store_true", help="replace existing config files")
    add_json_flag(p)


def run(args: argparse.Namespace) -> int:
    """Ask for what is missing (only on a terminal), then write both files (or join a team)."""
    interactive = stdin_is_terminal()
    if args.shared and args.team is None and args.members is None:
        existing = Path(args.shared).expanduser().resolve() / paths.TEAM_CONFIG_NAME
        if existing.is_file() and args.anonymous is not None:
            _switch(existing, args.anonymous, args.json)
            if args.me is None:
                return 0  # the team switched; this machine joined it before (or joins later)
        if existing.is_file():
            return _join(existing, args, interactive)
        if not interactive:  # a join with a mistyped folder: say so, not which flags a new team needs
            raise UsageError(f"no {paths.TEAM_CONFIG_NAME} in {existing.parent} (to start a new team "
                             "there, give --team and --members)")
    team_name = args.team or _ask(interactive, "Team name", "--team")
    members_raw = args.members or _ask(interactive, "Members (comma-separated)", "--members")
    names = [clean_name(n, "--members") for n in members_raw.split(",")]
    names = [n for n in names if n]
    if not names:
        raise UsageError("--members: give at least one name")
    if len({n.casefold() for n in names}) != len(names):
        raise UsageError("--members: a name appears twice")
    if not MIN_ROUND_MINUTES <= args.round_minutes <= MAX_ROUND_MINUTES:
        raise UsageError(f"--round-minutes: {MIN_ROUND_MINUTES:g} to {MAX_ROUND_MINUTES:g}")
    me = clean_name(args.me, "--me") if args.me is not None else None
    if me is None and interactive:
        me = clean_name(input(f"Which member are you? [{printable(names[0])}] "), "--me") or names[0]
    if me is not None and me.casefold() not in {n.casefold() for n in names}:
        raise UsageError(f"--me: {me!r} is not one of the members")
    zone = args.timezone or local_zone_name()
    problem = zone_problem(zone)
    if problem:
        raise UsageError(f"--timezone: {problem}")
    clock = parse_clock(args.huddle_at.strip()) if args.huddle_at else None
    if args.huddle_at and clock is None:
        raise UsageError(f'--huddle-at: expected a 24-hour time like "09:30", got {args.huddle_at!r}')
    shared = Path(args.shared).expanduser().resolve() if args.shared else paths.default_shared_dir()
    team_file = shared / paths.TEAM_CONFIG_NAME
    user_file = paths.user_config_file()
    for existing in (team_file, user_file):
        if existing.exists() and not args.force:
            raise UsageError(f"{existing} already exists (use --force to replace it)")
    team = with_members(TeamConfig(name=clean_text(team_name, "--team", MAX_NAME, allow_empty=False),
                                   members=(), shared_dir=shared, round_minutes=args.round_minutes,
                                   speaking_order=args.speaking_order, timezone=zone,
                                   huddle_at=clock.strftime("%H:%M") if clock else None,
                                   anonymous=args.anonymous or "totals"), names)
    write_toml(team_file, team_config_to_toml(team))
    user = load_user_config() if user_file.exists() and not args.force else UserConfig()
    mine = UserConfig(me=me, shared=shared, theme=user.theme, bell=user.bell, quiet_hours=user.quiet_hours)
    write_toml(user_file, user_config_to_toml(mine), private=True)
    print_key = _publish_key(team, me)
    if args.json:
        emit_json({"team_config": str(team_file), "user_config": str(user_file),
                   "team": team.name, "members": names, "me": me, "fingerprint": print_key,
                   "timezone": zone})
    else:
        if print_key:
            print(f"Your signing key's fingerprint: {print_key} (teammates compare it with `huddle keys`)")
        print(printable(f"Wrote {team_file}") + "\n" + printable(f"Wrote {user_file}") + "\n"
              + printable(f"Next: `huddle` opens today's huddle; teammates point their "
                          f"`huddle init --shared` (or $HUDDLE_CONFIG) at {shared}."))
    return 0


def _join(team_file: Path, args: argparse.Namespace, interactive: bool) -> int:
    """A teammate joins an existing team: only the user config is written."""
    team = load_team_config(team_file)
    me = clean_name(args.me, "--me") if args.me is not None else None
    if me is None and interactive:
        me = clean_name(input(f"Which member of {printable(team.name)} are you? "), "--me")
    if me is None:
        raise UsageError("--me is required to join a team when stdin is not a terminal")
    member = team.member(me)
    if member is None:
        names = ", ".join(printable(m.name) for m in team.members)
        raise UsageError(f"--me: {me!r} is not on {team.name}'s roster ({names})")
    user_file = paths.user_config_file()
    if user_file.exists() and not args.force:
        raise UsageError(f"{user_file} already exists (use --force to replace it)")
    old = load_user_config() if user_file.exists() else UserConfig()
    write_toml(user_file, user_config_to_toml(UserConfig(me=member.name, shared=team_file.parent,
                                                         theme=old.theme, bell=old.bell,
                                                         quiet_hours=old.quiet_hours)), private=True)
    print_key = _publish_key(team, member.name)
    if args.json:
        emit_json({"team_config": str(team_file), "user_config": str(user_file), "team": team.name,
                   "members": [m.name for m in team.members], "me": member.name, "joined": True,
                   "fingerprint": print_key})
    else:
        print(f"Joined {printable(team.name)} as {printable(member.name)}: wrote {printable(str(user_file))}")
        print(f"Your signing key's fingerprint: {print_key} (teammates compare it with `huddle keys`)")
    return 0


def _switch(team_file: Path, mode: str, as_json: bool) -> None:
    """Switch an existing team's anonymous answers to `mode` (only towards totals), saying what changes."""
    from huddle_tui.aggregation.keys import threshold
    from huddle_tui.storage.fileio import write_atomic

    team = load_team_config(team_file)
    if team.anonymous == mode:
        if as_json:
            emit_json({"team_config": str(team_file), "anonymous": mode, "switched": False})
        else:
            print(printable(f"{team.name} already keeps anonymous answers as {mode}: nothing changed."))
        return
    if mode != "totals":
        raise UsageError(f"{team.name} keeps anonymous answers as the team's totals; huddle init does not "
                         "switch a team back to records (days whose totals have not opened yet would "
                         "never open): set [privacy] anonymous in huddle.toml by hand if you mean it")
    switched, text = with_anonymous(team_file, mode)
    write_atomic(team_file, text.encode("utf-8"))
    n = len(switched.members)
    if as_json:
        emit_json({"team_config": str(team_file), "anonymous": mode, "switched": True})
        return
    print(printable(f"{switched.name} now keeps anonymous answers as the team's totals ({team_file}: "
                    '[privacy] anonymous = "totals").'))
    print("From now on an anonymous mood, concern, measure answer or signpost goes only into each "
          "member's masked contribution for the day, and only the team's total opens, from the next "
          f"working day, once {threshold(n)} of the {n} members' machines have run huddle since "
          "(every member needs a huddle that knows totals).")
    print("Anonymous answers given before stay readable as they were given (docs/privacy.md); "
          "nothing else in the team's config changed.")


def _publish_key(team: TeamConfig, me: str | None) -> str | None:
    """Make this machine's signing key (once) and publish it as `me`'s; its fingerprint, to read aloud."""
    if me is None:
        return None
    from huddle_tui.journal import Journal
    from huddle_tui.storage.signature import fingerprint

    key = Journal(team, me=me).signing_key()
    return fingerprint(key.public) if key is not None else None


def _ask(interactive: bool, prompt: str, flag: str) -> str:
    """Prompt on a terminal; without one, a missing flag is a usage error."""
    if not interactive:
        raise UsageError(f"{flag} is required when stdin is not a terminal")
    answer = input(f"{prompt}: ").strip()
    if not answer:
        raise UsageError(f"{flag}: an answer is required")
    return answer
