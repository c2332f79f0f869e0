"""A date's huddle summary: built once as data, rendered as text, Markdown or JSON.

Only team-visible content is in it: anonymous check-ins and concerns without
any name, moods as a distribution (none under three answers), names beside
moods only when the team's mood setting is "named", and nothing private.
The app's summary screen, `huddle summary` and chat webhooks all use it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from huddle_tui.config.team import TeamConfig
from huddle_tui.model.checkin import MOODS, CheckIn, Concern
from huddle_tui.model.huddle import Huddle
from huddle_tui.rules.insights import MIN_ANSWERS, expected_members, mood_distribution
from huddle_tui.rules.roundclock import countdown, duration
from huddle_tui.storage.envelope import dumps
from huddle_tui.storage.folder import History
from huddle_tui.text import printable


@dataclass
class ConcernLine:
    """One concern as the team may see it."""

    text: str
    kind: str
    member: str | None
    followup_owner: str | None = None
    followup_state: str | None = None


@dataclass
class Summary:
    """Everything the team may see about one date's huddle."""

    team: str
    date: str
    facilitator: str | None
    next_facilitator: str | None
    expected: int
    checked_in: list[str] = field(default_factory=list)
    anonymous_count: int = 0
    moods: dict[int, int] | None = None
    named_moods: dict[str, int] = field(default_factory=dict)
    statuses: dict[str, str] = field(default_factory=dict)
    concerns: list[ConcernLine] = field(default_factory=list)
    airtime: list[dict[str, Any]] = field(default_factory=list)
    round_s: float | None = None
    total_s: float | None = None

    def as_json(self) -> dict[str, Any]:
        """The summary as plain JSON data."""
        return {
            "team": self.team, "date": self.date, "facilitator": self.facilitator,
            "next_facilitator": self.next_facilitator, "expected": self.expected,
            "checked_in": self.checked_in, "anonymous_checkins": self.anonymous_count,
            "mood_distribution": {str(k): v for k, v in self.moods.items()} if self.moods else None,
            "moods_by_member": self.named_moods or None, "statuses": self.statuses,
            "concerns": [c.__dict__ for c in self.concerns], "airtime": self.airtime,
            "round_s": self.round_s, "total_s": self.total_s,
        }


def build(team: TeamConfig, day: date, history: History,
          next_facilitator: str | None = None) -> Summary:
    """Gather one date's team-visible check-ins, concerns and huddle from a history."""
    iso = day.isoformat()
    huddle_rec = next((r for r in history.live("huddle") if r.date == iso), None)
    huddle = Huddle.from_payload(iso, huddle_rec.payload) if huddle_rec else None
    out = Summary(team=team.name, date=iso, facilitator=huddle.facilitator if huddle else None,
                  next_facilitator=next_facilitator, expected=len(expected_members(team, day)))
    checkins = [CheckIn.from_payload(r.date, r.payload)
                for r in history.live("checkin") if r.date == iso]
    moods: list[int] = []
    for c in checkins:
        if c.visibility == "private":
            continue
        moods.append(c.mood)
        if c.member is None or c.visibility == "anonymous":
            out.anonymous_count += 1
            out.concerns += [_line(x, None) for x in c.concerns]
            continue
        out.checked_in.append(c.member)
        if c.status:
            out.statuses[c.member] = c.status
        if team.mood_privacy == "named":
            out.named_moods[c.member] = c.mood
        out.concerns += [_line(x, c.member) for x in c.concerns]
    for r in history.live("concern"):
        if r.date == iso and r.payload.get("text"):
            member = r.payload.get("member")
            out.concerns.append(_line(Concern.from_payload(r.payload, "team"),
                                      str(member) if isinstance(member, str) else None))
    out.moods = mood_distribution(moods)
    if out.moods is None:
        out.named_moods = {}
    if huddle is not None:
        out.airtime = [{"speaker": t.speaker, "spoken_s": t.spoken_s, "timebox_s": t.timebox_s,
                        "skipped": t.skipped} for t in huddle.turns]
        out.round_s = huddle.round_s
        out.total_s = round(sum(t.spoken_s for t in huddle.turns), 3)
    return out


def _line(c: Concern, member: str | None) -> ConcernLine:
    """One concern, with its author only when it was not anonymous."""
    fu = c.followup
    return ConcernLine(c.text, c.kind, member, fu.owner if fu else None, fu.state if fu else None)


def distribution_line(moods: dict[int, int]) -> str:
    """A mood distribution in words, e.g. '5 great ×2, 4 good ×1'."""
    return ", ".join(f"{m} {MOODS[m]} ×{n}" for m, n in sorted(moods.items(), reverse=True) if n)


def render_text(s: Summary, markdown: bool = False) -> str:
    """The summary as plain text or Markdown (people's text shown escaped, never obeyed)."""
    p = printable
    h = "## " if markdown else ""
    bullet = "- " if markdown else "  "
    lines = [f"{h}{p(s.team)} — huddle {s.date}"]
    lines.append(f"Facilitator: {p(s.facilitator) if s.facilitator else 'not recorded'}")
    n = len(s.checked_in) + s.anonymous_count
    lines.append(f"Check-ins: {n} of {s.expected} expected"
                 + (f" ({s.anonymous_count} anonymous)" if s.anonymous_count else ""))
    if s.moods:
        lines.append(f"Moods: {distribution_line(s.moods)}")
    elif n:
        lines.append(f"Moods: hidden until at least {MIN_ANSWERS} people answer")
    for name in s.checked_in:
        mood = s.named_moods.get(name)
        mood_txt = f" — {mood} {MOODS[mood]}" if mood else ""
        status = f": {p(s.statuses[name])}" if name in s.statuses else ""
        lines.append(f"{bullet}{p(name)}{mood_txt}{status}")
    if s.concerns:
        lines.append(f"{h}Concerns" if markdown else "Concerns:")
        for c in s.concerns:
            who = p(c.member) if c.member else "anonymous"
            follow = f" → follow-up: {p(c.followup_owner)} ({c.followup_state})" if c.followup_owner else ""
            lines.append(f"{bullet}[{c.kind}] {p(c.text)} ({who}){follow}")
    if s.airtime:
        lines.append(f"{h}Airtime" if markdown else "Airtime:")
        for t in s.airtime:
            spoken = ("skipped" if t["skipped"]
                      else f"{duration(t['spoken_s'])} of {countdown(t['timebox_s'])}")
            lines.append(f"{bullet}{p(t['speaker'])}: {spoken}")
        if s.total_s is not None and s.round_s:
            lines.append(f"Round: {duration(s.total_s)} of {countdown(s.round_s)}")
    if s.next_facilitator:
        lines.append(f"Next facilitator: {p(s.next_facilitator)}")
    return "\n".join(lines) + "\n"


def render_json(s: Summary) -> str:
    """The summary as one JSON document."""
    return dumps(s.as_json()) + "\n"
