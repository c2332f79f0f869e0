"""`huddle next`: today's facilitator and speaking order, the same on every machine."""

from __future__ import annotations

import argparse
from datetime import date

from huddle_tui.commands.common import DATE_HELP, add_json_flag, date_arg, emit_json, open_context
from huddle_tui.config.team import TeamConfig
from huddle_tui.errors import UsageError
from huddle_tui.model.huddle import Handoff, Huddle
from huddle_tui.text import MAX_STATUS, clean_name, clean_text, printable


def configure(p: argparse.ArgumentParser) -> None:
    """Flags of `huddle next`."""
    p.add_argument("--date", type=date_arg, help=DATE_HELP)
    p.add_argument("--handoff", metavar="NAME", help="hand the facilitator role to NAME for that date")
    p.add_argument("--reason", default="", help="why the role is handed over (with --handoff)")
    p.add_argument("--confirm", action="store_true",
                   help="record that the huddle is held with this plan, so the rotation moves on "
                        "(the app does this when a round starts)")
    add_json_flag(p)


def run(args: argparse.Namespace) -> int:
    """Print the plan; record a handoff or a held huddle first when asked."""
    ctx = open_context(args)
    day = ctx.day(args.date)
    if args.reason and not args.handoff:
        raise UsageError("--reason goes with --handoff")
    recorded = ""
    if args.handoff:
        reason = clean_text(args.reason, "--reason", MAX_STATUS)
        current = ctx.journal.plan(day)
        name = clean_name(args.handoff, "--handoff", allow_empty=False)
        ctx.journal.save_handoff(Handoff(day.isoformat(), current.facilitator or "", name, reason))
        recorded = "Handoff recorded."
    # Kept beside the index (Journal.today): when nothing changed since, no history is read.
    plan = ctx.journal.today(day).plan
    if args.confirm and plan.reason != "held" and plan.facilitator:
        ctx.journal.save_huddle(Huddle(plan.date, plan.facilitator, plan.order,
                                       round_s=ctx.team.round_seconds))
        recorded = (f"Recorded: the huddle of {plan.date} held, facilitated by {printable(plan.facilitator)}"
                    f" with the order above, so the next working day's rotation moves on.")
        plan = ctx.journal.plan(day)
    elif args.confirm:
        recorded = (f"Nothing recorded: the huddle of {plan.date} is already recorded as held."
                    if plan.reason == "held" else f"Nothing recorded: no huddle on {plan.date}.")
    if args.json:
        out: dict[str, object] = {"date": plan.date, "facilitator": plan.facilitator,
                                  "order": list(plan.order), "reason": plan.reason,
                                  "team": ctx.team.name}
        start = ctx.team.huddle_instant(day)
        if start is not None:
            out["huddle_at"] = start.isoformat()
        if ctx.team.timezone:
            out["timezone"] = ctx.team.timezone
        if plan.handoff:
            out["handoff"] = {"from": plan.handoff.from_member, "to": plan.handoff.to_member,
                              "reason": plan.handoff.reason}
        emit_json(out)
        return 0
    if plan.facilitator is None and not ctx.team.is_workday(day):
        print(f"{plan.date}: not a working day for {printable(ctx.team.name)}: no huddle.")
    elif plan.facilitator is None:
        print(f"{plan.date}: nobody can facilitate (everyone is away or in their first week).")
    else:
        # Just recorded, the day is held because of this command: "already held" would say otherwise.
        held = "held: recorded now" if recorded.startswith("Recorded") else "huddle already held"
        why = {"held": held, "handoff": "handed over", "rotation": "rotation"}
        note = f" — {printable(plan.handoff.reason)}" if plan.handoff and plan.handoff.reason else ""
        print(f"{plan.date}: facilitator {printable(plan.facilitator)} ({why[plan.reason]}{note})")
    print("Speaking order: " + (", ".join(printable(n) for n in plan.order) or "nobody expected"))
    local = local_times(ctx.team, day, plan.order)
    if local:
        print(local)
    if recorded:
        print(recorded)
    return 0


def local_times(team: TeamConfig, day: date, order: tuple[str, ...]) -> str:
    """When the huddle starts for each speaker whose own clock reads otherwise: "Ana · 21:30 in Auckland".

    Only with a huddle time in the config, and only for members whose
    `timezone` shows another time than the team's clock, so a team in one
    place sees nothing new.
    """
    from huddle_tui.model.teamday import clock_in, place_of

    start = team.huddle_instant(day)
    if start is None or team.huddle_at is None:
        return ""
    shown = []
    for name in order:
        member = team.member(name)
        if member is None or not member.timezone:
            continue
        clock = clock_in(start, member.timezone)
        if clock != team.huddle_at:
            shown.append(f"{printable(member.name)} · {clock} in {printable(place_of(member.timezone))}")
    where = f" {team.timezone}" if team.timezone else ""
    return f"Huddle at {team.huddle_at}{where} time: " + ", ".join(shown) if shown else ""
