"""`huddle prompt`: one short segment for a shell prompt, or nothing when there is nothing to do.

"huddle 21:30 · 3/6 in · you: not yet" is shown from the start of the
team's day until its huddle starts, when the team config says when
(`huddle_at`), you are a member expected that day who has not checked in,
no round was held yet and it is not your quiet hours (`quiet_hours` in
your user config, on your own clock: your `timezone` on the roster, else
this machine's). The time is the huddle's on that same clock. It says
nothing of anyone's mood, only how many checked in.

The answer is worked out here, then kept (nudge.py) with the stamps of all
it was read from, so that later prompts read it with a few stat calls
(launch.py) until something changes or the team's day ends.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from huddle_tui import nudge, paths
from huddle_tui.config.team import Member, TeamConfig, load_team_config
from huddle_tui.config.user import (
    UserConfig,
    default_team_config,
    load_user_config,
    locate_team_config,
    quiet_span,
    who_am_i,
)
from huddle_tui.journal import Journal
from huddle_tui.model.teamday import at_clock, clock_in, day_span, zone_of
from huddle_tui.model.teamday import now as clock_now
from huddle_tui.storage.keyring import keyring_path
from huddle_tui.storage.stamps import RECORDS

LOCALTIME = "/etc/localtime"  # this machine's zone, for a member with none on the roster
Span = tuple[float, float]


SHELLS = ("bash", "zsh", "starship", "tmux")
# Python itself rather than the `huddle` script: the script pip writes imports `re` first, which costs a
# warm prompt more than everything else it does. -P: never import from the folder the prompt is shown in.
ENTRY = "-P -c 'import sys;from huddle_tui.launch import main;sys.exit(main())' prompt"
SNIPPETS = {  # each shell's lines, %(cmd)s the command above
    "bash": (
        """_huddle_prompt() { local s; s=$(%(cmd)s 2>/dev/null) && [ -n "$s" ] && printf '%%s ' "$s"; }""",
        """case "$PS1" in *_huddle_prompt*) ;; *) PS1='$(_huddle_prompt)'"$PS1" ;; esac""",
    ),
    "zsh": (
        """_huddle_prompt() { local s; s=$(%(cmd)s 2>/dev/null) && [[ -n $s ]] && print -rn -- "$s "; }""",
        "setopt prompt_subst",
        """[[ $PROMPT == *_huddle_prompt* ]] || PROMPT='$(_huddle_prompt)'"$PROMPT\"""",
    ),
    "starship": (
        "[custom.huddle]",
        "command = \'\'\'%(cmd)s 2>/dev/null\'\'\'",
        "when = true",
        'format = "[($output )]($style)"',
        'style = "bold yellow"',
    ),
    "tmux": ("set -ag status-right '#(huddle prompt 2>/dev/null)'",),
}


def configure(p: argparse.ArgumentParser) -> None:
    """`huddle prompt [--init SHELL]` (and --config, whose answer is never kept)."""
    p.add_argument("--init", choices=SHELLS, metavar="SHELL",
                   help="print the lines that put the segment in your prompt: " + ", ".join(SHELLS))


def run(args: argparse.Namespace) -> int:
    """Work out the segment, keep it for the next prompts (unless --config chose another team), print it."""
    if args.init:
        import shlex

        print("\n".join(SNIPPETS[args.init]) % {"cmd": f"{shlex.quote(sys.executable)} {ENTRY}"})
        return 0
    answer, fresh = segment_answer(getattr(args, "config", None))
    if fresh and args.config is None:
        nudge.keep(answer)
    moment = clock_now().timestamp()
    if any(start <= moment < end for start, end in answer["show"]):
        sys.stdout.write(answer["text"] + "\n")
    return 0


def segment_answer(explicit: str | None) -> tuple[dict[str, Any], bool]:
    """The kept answer for now (see nudge.py) and whether it may be kept: every stamp was settled."""
    seen_ns = time.time_ns()
    context = nudge.context()
    user_file = str(paths.user_config_file())
    watched = [user_file, LOCALTIME]
    stamps = [nudge.stamp(p) for p in watched]  # before reading: a change while reading shows next time
    user = load_user_config()
    found = locate_team_config(explicit, user)
    if found is not None:
        watched.append(str(found))
        stamps.append(nudge.stamp(str(found)))
    team = load_team_config(found) if found is not None else default_team_config(user)
    day = team.today(clock_now())
    for folder in folders(team.shared_dir, day):
        watched.append(folder)
        stamps.append(nudge.stamp(folder))
    text, show = segment(user, team, day)
    start, end = day_span(day, team.timezone)
    answer = {"context": context, "paths": watched, "stamps": stamps, "from": start.timestamp(),
              "until": end.timestamp(), "show": show, "text": text}
    return answer, nudge.settled(stamps, seen_ns)


def folders(root: Path, day: date) -> list[str]:
    """What the day's answer is read from: the keyring, the day's check-in and huddle months, away and keys.

    Away ranges and keys may be recorded in any month (a key published
    changes whose check-ins count), so every month of theirs; a new month
    folder shows as a change of its kind's folder.
    """
    records = os.path.join(root, RECORDS)
    out = [str(keyring_path(root)), records]
    for kind in ("checkin", "huddle"):
        out += [os.path.join(records, kind), os.path.join(records, kind, day.isoformat()[:7])]
    for kind in ("away", "key"):
        folder = os.path.join(records, kind)
        out.append(folder)
        try:
            with os.scandir(folder) as it:
                out += sorted(e.path for e in it if e.is_dir(follow_symlinks=False))
        except OSError:
            continue
    return out


def segment(user: UserConfig, team: TeamConfig, day: date) -> tuple[str, list[Span]]:
    """The segment's text and the spans of the team's `day` to show it in (none: nothing to do)."""
    start = team.huddle_instant(day)
    me = who_am_i(user, team)
    if start is None or me is None or team.path is None:
        return "", []
    journal = Journal(team, me=me)  # a read: no replicator, nothing sent
    roster = journal.roster()
    expected = roster.expected(day)
    member = roster.member(me)
    today = journal.today(day)
    if member is None or member not in expected or today.rounds_held:
        return "", []
    if member.name.casefold() in today.checked_in:
        return "", []
    came = sum(1 for m in expected if m.name.casefold() in today.checked_in)
    text = f"huddle {clock_in(start, member.timezone)} · {came}/{len(expected)} in · you: not yet"
    first, _ = day_span(day, team.timezone)
    return text, shown_spans((first.timestamp(), start.timestamp()), quiet(user, member, day, team))


def quiet(user: UserConfig, member: Member, day: date, team: TeamConfig) -> list[Span]:
    """The member's quiet hours around the team's `day`, as instants (their own clock: see the module)."""
    span = quiet_span(user.quiet_hours) if user.quiet_hours else None
    if span is None:
        return []
    begin, end = span
    first, last = day_span(day, team.timezone)
    zone, tz = member.timezone, zone_of(member.timezone)
    out = []
    local = first.astimezone(tz).date() - timedelta(days=1)
    stop = last.astimezone(tz).date() + timedelta(days=1)
    while local <= stop:
        until = local if end > begin else local + timedelta(days=1)
        out.append((at_clock(local, begin, zone).timestamp(), at_clock(until, end, zone).timestamp()))
        local += timedelta(days=1)
    return out


def shown_spans(window: Span, quiet_spans: list[Span]) -> list[Span]:
    """`window` less every quiet span: what is left, in order."""
    left = [window]
    for q_start, q_end in quiet_spans:
        cut = []
        for start, end in left:
            if q_end <= start or q_start >= end:
                cut.append((start, end))
                continue
            if start < q_start:
                cut.append((start, q_start))
            if q_end < end:
                cut.append((q_end, end))
        left = cut
    return [s for s in left if s[0] < s[1]]
