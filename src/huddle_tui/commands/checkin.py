"""`huddle checkin`: save a member's pulse from a shell, a git hook, a cron job or a bot."""

from __future__ import annotations

import argparse
import json
import os
import sys
from datetime import date, timedelta
from typing import Any

from huddle_tui.commands.common import (
    DATE_HELP,
    Context,
    add_json_flag,
    date_arg,
    emit_json,
    mood_arg,
    open_context,
    parse_date,
    parse_mood,
    stdin_is_terminal,
)
from huddle_tui.errors import ExitCode, UsageError
from huddle_tui.journal import Saved
from huddle_tui.model.checkin import MOODS, Change, CheckIn, Concern, Visibility
from huddle_tui.rules.privacy import K
from huddle_tui.text import MAX_CONCERN, MAX_STATUS, clean_name, clean_text, printable


def configure(p: argparse.ArgumentParser) -> None:
    """Flags of `huddle checkin`."""
    p.add_argument("--member", help="whose check-in (default: `me` from your user config)")
    p.add_argument("--mood", type=mood_arg, metavar="1-5",
                   help="1 struggling, 2 low, 3 okay, 4 good, 5 great")
    p.add_argument("--status", help="one line on how things are going (\"\" clears it)")
    p.add_argument("--concern", action="append", metavar="TEXT",
                   help="a concern (repeatable; replaces the day's earlier concerns)")
    p.add_argument("--blocker", action="append", metavar="TEXT",
                   help="a blocker (repeatable; replaces the day's earlier blockers)")
    p.add_argument("--support", action="append", metavar="TEXT",
                   help="something you would like support with (repeatable; replaces the earlier ones)")
    for kind, words in CLEARS.items():
        p.add_argument(f"--no-{words}", action="store_true", dest=f"no_{kind}",
                       help=f"remove the {words} given earlier that day (anonymous ones given to the "
                            "day's totals too, until its cut-off)")
    who = p.add_mutually_exclusive_group()
    who.add_argument("--anonymous", action="store_true",
                     help="save with no trace of who wrote it (shown only in aggregate)")
    who.add_argument("--private", action="store_true",
                     help="keep it on this machine only; never synced or shown to others")
    who.add_argument("--named", action="store_true",
                     help="save with your name even when the team default is anonymous")
    p.add_argument("--date", type=date_arg, help=DATE_HELP)
    p.add_argument("--from-json", metavar="-",
                   help="read check-ins as JSON Lines from stdin ('-') instead of flags")
    p.add_argument("--plain", action="store_true",
                   help="at a terminal: ask the questions one at a time as lines of text, for a "
                        "screen reader (automatic when TERM=dumb)")
    add_json_flag(p)


CLEARS = {"concern": "concerns", "blocker": "blockers", "support": "support"}
"""Each kind of concern and its --no- flag: a second check-in keeps what it does not name."""


def run(args: argparse.Namespace) -> int:
    """Save one check-in from flags, or many from JSON Lines."""
    if args.from_json is not None:
        if args.from_json != "-":
            raise UsageError("--from-json takes '-' (standard input)")
        return _run_lines(args)
    ctx = open_context(args)
    ctx.journal.release_pending()  # answers held back in an earlier session, where now safe
    ctx.journal.settle_totals()  # anonymous totals: keys ahead, lists and reveals after a cut-off
    member = args.member or ctx.me()
    if not member:
        raise UsageError("--member is required (or set `me` in your user config with `huddle init`)")
    day = ctx.day(args.date)
    change = _change(args)
    if change == Change() and not args.json and args.member is None and on_terminal():
        if not (args.plain or os.environ.get("TERM") == "dumb"):
            return _form(ctx, member, day)
        if not _ask(args, ctx.team.default_visibility()):
            print("Nothing saved.")
            return 0
        change = _change(args)
    shows = not args.json and member == ctx.me() and on_terminal()
    post = None
    if shows and ctx.team.in_totals and change.mood is not None:
        from huddle_tui import support

        # Worked out before the save: its mark rides in the check-in's one contribution.
        post = support.offer(ctx.journal, member, day, ctx.user.support, mood=change.mood)
    saved, kept = ctx.journal.change_checkin(clean_name(member, "--member"), day.isoformat(), change, "cli",
                                               "--mood", signposted=post is not None)
    _report(saved, saved.checkin, args.json, kept)
    if shows:
        _signpost(ctx, member, day)
    return 0


def _change(args: argparse.Namespace) -> Change:
    """What the flags change of the day's check-in (nothing else of an earlier version is touched)."""
    given = {"concern": args.concern, "blocker": args.blocker, "support": args.support}
    items = []
    for kind, texts in given.items():
        clear = getattr(args, f"no_{kind}")
        if clear and texts:
            raise UsageError(f"--{kind} and --no-{CLEARS[kind]} contradict each other: give one")
        if clear or texts:
            items.append((kind, _concerns(texts or [], kind)))
    status = None if args.status is None else clean_text(args.status, "--status", MAX_STATUS)
    visibility = _chosen(args.anonymous, args.private, args.named)
    return Change(args.mood, status, tuple(items), visibility)


def on_terminal() -> bool:
    """Whether a person is at a terminal (stdin and stdout): a script, a hook or a cron job is not."""
    return stdin_is_terminal() and sys.stdout.isatty()


def _form(ctx: Context, member: str, day: date) -> int:
    """The check-in form on this terminal (textual is imported only here), then the usual report."""
    from huddle_tui.rules.measures import due
    from huddle_tui.support import own_answers
    from huddle_tui.tui.checkin_form import CheckinForm

    current = ctx.journal.current(member, day.isoformat())
    asked = due(ctx.team.measures, own_answers(ctx.journal, member, day - timedelta(days=14)), day)
    form = CheckinForm(ctx.journal, member, day, ctx.user, current=current.checkin,
                       default=ctx.team.default_visibility(), due=asked)
    result = form.run(inline=True)
    if result is None or result.saved is None:
        print("Nothing saved.")
        return 0
    _report(result.saved, result.saved.checkin, False)
    return 0


def _ask(args: argparse.Namespace, default: Visibility) -> bool:
    """The check-in's questions one at a time as plain lines (for a screen reader); the answers fill `args`.

    Enter alone leaves a question's answer as it was; False when nothing was
    answered or the input ended, so nothing is saved.
    """
    moods = " · ".join(f"{n} {word}" for n, word in MOODS.items())
    try:
        while True:
            typed = input(f"Mood: {moods}. Type a number, or Enter to leave it as it is.\n").strip()
            if not typed:
                break
            try:
                args.mood = parse_mood(typed)
                break
            except UsageError as exc:
                print(exc.message)
        status = input("Status: one line on how things are going, or Enter to leave it as it is.\n")
        args.status = status if status.strip() else None
        raised = input("A concern, blocker or support to raise: one line, or Enter for none.\n").strip()
        if raised:
            kind = input("Is it c a concern, b a blocker or s support? Enter for a concern.\n").lower()
            key = {"b": "blocker", "s": "support"}.get(kind.strip()[:1], "concern")
            setattr(args, key, [raised])
        share = input(f"Share it: n named, a anonymous, p private. Enter for the team's way ({default}).\n")
        choice = share.strip().lower()[:1]
        args.named, args.anonymous, args.private = choice == "n", choice == "a", choice == "p"
    except EOFError:
        return False
    return args.mood is not None or args.status is not None or bool(raised)


def _signpost(ctx: Context, member: str, day: date) -> None:
    """After a check-in typed at my own terminal: the private signpost, when one holds."""
    from huddle_tui import support
    from huddle_tui.rules.support import signpost_lines

    post = support.offer(ctx.journal, member, day, ctx.user.support)
    if post is None:
        return
    support.note_shown(ctx.journal, member, day)
    print()
    for line in signpost_lines(post):
        print(printable(line))
    if post.peers:
        print("To ask one of them to follow up with you: `huddle checkin` (the form) or `huddle me`.")


def _chosen(anonymous: bool, private: bool, named: bool) -> Visibility | None:
    """The visibility the flags ask for, or None to keep the earlier version's (or the team's default)."""
    if private:
        return "private"
    if anonymous:
        return "anonymous"
    if named:
        return "team"
    return None


def _concerns(texts: list[str], kind: str) -> tuple[Concern, ...]:
    """Validated concerns of one kind (their visibility is the check-in's, set when it is applied)."""
    return tuple(Concern.new(clean_text(t, f"--{kind}", MAX_CONCERN, allow_empty=False), kind)
                 for t in texts)


def _report(saved: Saved, checkin: CheckIn, as_json: bool, kept: tuple[str, ...] = ()) -> None:
    """Say what was saved, where, as which version, what it kept and what it took back from view."""
    main = saved.answer
    if as_json:
        emit_json({"saved": True, "held_back": saved.held_back, "in_totals": saved.in_totals or None,
                   "date": checkin.date,
                   "visibility": checkin.visibility,
                   "id": main.id, "version": main.version, "retracted": list(saved.retracted),
                   "kept": list(kept),
                   "withdrawn_from_totals": [{"kind": c.kind, "text": c.text} for c in saved.withdrawn],
                   "records": [{"kind": r.kind, "id": r.id, "version": r.version}
                               for r in saved.all]})
        return
    where = {"private": "on this machine only", "anonymous": "anonymously",
             "team": "to the shared folder"}[checkin.visibility]
    who = printable(checkin.member or "")
    again = f", version {main.version}" if main.version > 1 else ""
    mood = checkin.mood or 0
    print(f"Saved {who}'s check-in for {checkin.date} {where}: "
          f"mood {mood} {MOODS.get(mood, '')}{again}.")
    if kept:
        print(f"Kept from the earlier version: {', '.join(kept)}.")
    if saved.held_back:
        print("Your answer waits on this machine. It is shared, with no trace of you, the next time "
              f"huddle runs here once at least {K} teammates have checked in anonymously or privately "
              "for that day (if that never happens, it stays here).")
    if saved.in_totals == "given":
        print("What you gave anonymously went out only inside your masked contribution: the team sees "
              "its total, never your answer. You can change it until the next working day, when the day's "
              "total opens.")
    elif saved.in_totals == "kept":
        print(f"The day's total opened: what you gave anonymously on {checkin.date} stays in it as you "
              "gave it.")
    for what in saved.retracted:
        print(f"Withdrawn from the team's view: {what} (anyone who already synced it may have seen it).")
    for concern in saved.withdrawn:
        print(f"Taken out of the day's anonymous totals: your {concern.kind} \"{printable(concern.text)}\" "
              "(the day's total had not opened: nobody saw it).")


def _run_lines(args: argparse.Namespace) -> int:
    """Read JSON Lines from stdin, saving each valid line and reporting each refused one."""
    ctx = open_context(args)
    saved_n = refused_n = 0
    for number, line in enumerate(sys.stdin, start=1):
        if not line.strip():
            continue
        try:
            member, day, change = _from_obj(json.loads(line), ctx.today())
            saved, kept = ctx.journal.change_checkin(member, day, change, "bot")
        except ValueError as exc:  # JSONDecodeError is a ValueError
            refused_n += 1
            _line_result(args.json, number, False, f"not JSON: {exc}")
            continue
        except UsageError as exc:
            refused_n += 1
            _line_result(args.json, number, False, exc.message)
            continue
        saved_n += 1
        main, checkin = saved.answer, saved.checkin
        also = f", kept {', '.join(kept)}" if kept else ""
        _line_result(args.json, number, True, f"saved {checkin.visibility} check-in "
                     f"for {checkin.date}{also}", main.id, main.version)
    if not args.json:
        print(f"{saved_n} saved, {refused_n} refused")
    if refused_n and saved_n:
        return int(ExitCode.PARTIAL)
    return int(ExitCode.USAGE) if refused_n else 0


FIELDS = {"member", "mood", "status", "concerns", "blockers", "support", "anonymous",
          "private", "date"}


def _from_obj(obj: Any, today: date) -> tuple[str, str, Change]:
    """Turn one JSON object into whose check-in, its date and what it changes, refusing anything unexpected.

    A field left out keeps the day's earlier version's (an empty list clears one); no date is `today`.
    """
    if not isinstance(obj, dict):
        raise UsageError("expected a JSON object")
    unknown = sorted(set(obj) - FIELDS)
    if unknown:
        raise UsageError(f"unknown field {unknown[0]!r} (known: {', '.join(sorted(FIELDS))})")
    member = obj.get("member")
    if not isinstance(member, str) or not member.strip():
        raise UsageError("member is required (a bot names whose check-in each line is)")
    mood = obj.get("mood")
    if mood is not None and (not isinstance(mood, int) or isinstance(mood, bool)):
        raise UsageError(f"mood must be a whole number from 1 to 5, got {mood!r}")
    items = []
    for key, kind in (("concerns", "concern"), ("blockers", "blocker"), ("support", "support")):
        if key not in obj:
            continue
        value = obj[key]
        if not isinstance(value, list) or not all(isinstance(x, str) for x in value):
            raise UsageError(f"{key} must be a list of strings")
        items.append((kind, _concerns(value, kind)))
    status = obj.get("status")
    if status is not None and not isinstance(status, str):
        raise UsageError("status must be a string")
    for flag in ("anonymous", "private"):
        if not isinstance(obj.get(flag, False), bool):
            raise UsageError(f"{flag} must be true or false")
    if obj.get("anonymous") and obj.get("private"):
        raise UsageError("a check-in is either anonymous or private, not both")
    if "date" in obj and not isinstance(obj["date"], str):
        raise UsageError(f"date must be a string like \"2026-11-26\", got {obj['date']!r}")
    day = parse_date(obj["date"], today) if obj.get("date") else today
    said = "anonymous" in obj or "private" in obj  # false for both: the team's default, as before
    visibility = _chosen(bool(obj.get("anonymous")), bool(obj.get("private")), said) if said else None
    change = Change(None if mood is None else parse_mood(mood),
                    None if status is None else clean_text(status, "--status", MAX_STATUS),
                    tuple(items), visibility)
    return clean_name(member, "--member"), day.isoformat(), change


def _line_result(as_json: bool, number: int, ok: bool, message: str,
                 rid: str | None = None, version: int | None = None) -> None:
    """Report one input line's fate, on stdout in JSON mode, else saved→stdout refused→stderr."""
    if as_json:
        emit_json({"line": number, "saved": ok, "message": message, "id": rid, "version": version})
    elif ok:
        print(f"line {number}: {printable(message)}")
    else:
        sys.stderr.write(f"line {number}: refused: {printable(message)}\n")
