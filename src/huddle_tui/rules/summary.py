"""A date's huddle summary: built once as data, rendered as text, Markdown or JSON.

Only team-visible content is in it: anonymous answers only where at least
three members could have given them (rules/privacy.py), without any name and
never mixed with named ones; moods as distributions (none under three
answers); names beside moods only when the team's mood setting is "named";
nothing private. A check-in given before the round (rules/async_lane.py) is
marked async: by name where it was given by name, else only in the count.
The app's summary screen, `huddle summary` and chat webhooks all use it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from huddle_tui.config.team import TeamConfig
from huddle_tui.model.checkin import MOODS, CheckIn, Concern
from huddle_tui.model.huddle import Huddle
from huddle_tui.rules.async_lane import async_members
from huddle_tui.rules.insights import mood_distribution
from huddle_tui.rules.privacy import K, adds_up, releasable, shown_count
from huddle_tui.rules.roundclock import spoken_of
from huddle_tui.storage.envelope import dumps
from huddle_tui.storage.folder import History
from huddle_tui.text import markdown_literal, printable


class _Fields:
    """Equality and repr from the fields, as @dataclass gave, without importing it (~10 ms a command)."""

    __hash__ = None  # type: ignore[assignment]  # mutable, compared by value: unhashable, as before

    def __eq__(self, other: object) -> bool:
        """Equal when of the same class with equal fields."""
        return other.__class__ is self.__class__ and other.__dict__ == self.__dict__

    def __repr__(self) -> str:
        """The class and its fields, as a dataclass shows them."""
        return f"{type(self).__name__}({', '.join(f'{k}={v!r}' for k, v in self.__dict__.items())})"


class ConcernLine(_Fields):
    """One concern as the team may see it."""

    def __init__(self, text: str, kind: str, member: str | None, followup_owner: str | None = None,
                 followup_state: str | None = None) -> None:
        """The concern's fields."""
        self.text = text
        self.kind = kind
        self.member = member
        self.followup_owner = followup_owner
        self.followup_state = followup_state


class Summary(_Fields):
    """Everything the team may see about one date's huddle."""

    def __init__(self, team: str, date: str, facilitator: str | None, next_facilitator: str | None,
                 expected: int, checked_in: list[str] | None = None, anonymous_count: int = 0,
                 withheld_count: int = 0, anonymous_moods: dict[int, int] | None = None,
                 held_back: int = 0, rounds: int = 0, moods: dict[int, int] | None = None,
                 named_moods: dict[str, int] | None = None, statuses: dict[str, str] | None = None,
                 concerns: list[ConcernLine] | None = None, airtime: list[dict[str, Any]] | None = None,
                 round_s: float | None = None, total_s: float | None = None) -> None:
        """The summary's fields (lists and dicts left out start empty, each its own)."""
        self.team = team
        self.date = date
        self.facilitator = facilitator
        self.next_facilitator = next_facilitator
        self.expected = expected
        self.checked_in: list[str] = [] if checked_in is None else checked_in
        self.anonymous_count = anonymous_count
        self.withheld_count = withheld_count
        self.anonymous_moods = anonymous_moods
        self.held_back = held_back
        self.rounds = rounds
        self.moods = moods
        self.named_moods: dict[str, int] = {} if named_moods is None else named_moods
        self.statuses: dict[str, str] = {} if statuses is None else statuses
        self.keyed_by: dict[str, str] = {}  # member -> who keyed their check-in for them
        self.asynchronous: list[str] = []  # of checked_in, who checked in before the round (async)
        self.async_count = 0  # async check-ins, placeholders included (counted, never named)
        self.not_adding_up = False  # more anonymous answers than placeholders: none shown or counted
        self.totals: dict[str, Any] | None = None  # the day's anonymous totals (totals/view.py), in that mode
        self.concerns: list[ConcernLine] = [] if concerns is None else concerns
        self.airtime: list[dict[str, Any]] = [] if airtime is None else airtime
        self.round_s = round_s
        self.total_s = total_s

    @property
    def answered(self) -> int:
        """How many members checked in: each once, whatever their visibility.

        A placeholder stands for an anonymous or private answer (its name is
        never shown here), so an anonymous answer adds to the count only
        beyond the placeholders (as in records written before they existed).
        """
        return (len(self.checked_in) + self.withheld_count
                + max(0, self.anonymous_count + self.held_back - self.withheld_count))

    def as_json(self) -> dict[str, Any]:
        """The summary as plain JSON data."""
        return {
            "team": self.team, "date": self.date, "facilitator": self.facilitator,
            "next_facilitator": self.next_facilitator, "expected": self.expected,
            "checked_in": self.checked_in, "answered": self.answered,
            "anonymous_checkins": shown_count(self.anonymous_count), "rounds": self.rounds,
            "mood_distribution": _json_counts(self.moods),
            "anonymous_mood_distribution": _json_counts(self.anonymous_moods),
            "moods_by_member": self.named_moods or None, "statuses": self.statuses,
            "keyed_by": self.keyed_by, "async": self.asynchronous, "async_checkins": self.async_count,
            "anonymous_not_adding_up": self.not_adding_up,
            "concerns": [c.__dict__ for c in self.concerns], "airtime": self.airtime,
            "round_s": self.round_s, "total_s": self.total_s, "anonymous_totals": self.totals,
        }


def build(team: TeamConfig, day: date, history: History,
          next_facilitator: str | None = None) -> Summary:
    """Gather one date's team-visible check-ins, concerns and huddle from a history."""
    iso = day.isoformat()
    rounds = [Huddle.from_payload(iso, r.payload) for r in history.live("huddle") if r.date == iso]
    # The latest round that ended (a held day may have had another), else the latest started.
    huddle = max(rounds, key=lambda h: (h.ended_at is not None, h.round), default=None)
    out = Summary(team=team.name, date=iso, facilitator=huddle.facilitator if huddle else None,
                  next_facilitator=next_facilitator, expected=len(team.expected(day)),
                  rounds=len(rounds))
    checkins = [CheckIn.from_payload(r.date, r.payload)  # keyed_by: the reader checked who signed it
                for r in history.live("checkin") if r.date == iso]
    named_moods: list[int] = []
    anonymous: list[CheckIn] = []
    ahead = async_members(team, day, (*history.live("checkin"), *history.live("huddle")))
    for c in checkins:
        if c.visibility == "private":
            continue
        if c.member is None or c.visibility == "anonymous":
            anonymous.append(c)
            continue
        given_ahead = c.member.casefold() in ahead
        out.async_count += 1 if given_ahead else 0
        if c.withheld or c.mood is None:
            out.withheld_count += 1  # counted, never named: it stands for an anonymous or private answer
            continue
        out.checked_in.append(c.member)
        if given_ahead:
            out.asynchronous.append(c.member)
        if c.keyed_by is not None:
            out.keyed_by[c.member] = c.keyed_by
        named_moods.append(c.mood)
        if c.status:
            out.statuses[c.member] = c.status
        if team.mood_privacy == "named":
            out.named_moods[c.member] = c.mood
        out.concerns += [_line(x, c.member) for x in c.concerns]
    # Anonymous answers count and show only where at least K members could have given them,
    # and never in one distribution with the named ones (see rules/privacy.py).
    released = releasable(team, day, checkins)
    if released:
        out.anonymous_count = len(anonymous)
        for c in anonymous:
            out.concerns += [_line(x, None) for x in c.concerns]
        out.anonymous_moods = mood_distribution(c.mood for c in anonymous if c.mood is not None)
    elif adds_up(day, checkins):
        out.held_back = len(anonymous)
    else:  # more answers than placeholders: some are forged, so none is shown or counted
        out.not_adding_up = True
    for r in history.live("concern"):
        if r.date == iso and r.payload.get("text"):
            member = r.payload.get("member")
            if not isinstance(member, str) and not released:
                continue
            out.concerns.append(_line(Concern.from_payload(r.payload, "team"),
                                      member if isinstance(member, str) else None))
    out.moods = mood_distribution(named_moods)
    if out.moods is None:
        out.named_moods = {}
    if huddle is not None:
        out.airtime = [{"speaker": t.speaker, "spoken_s": t.spoken_s, "timebox_s": t.timebox_s,
                        "skipped": t.skipped, "async": t.asynchronous} for t in huddle.turns]
        out.round_s = huddle.round_s
        out.total_s = round(sum(t.spoken_s for t in huddle.turns), 3)
    return out


def _json_counts(counts: dict[int, int] | None) -> dict[str, int] | None:
    """A mood distribution as JSON (keys are strings there)."""
    return {str(k): v for k, v in counts.items()} if counts else None


def _line(c: Concern, member: str | None) -> ConcernLine:
    """One concern, with its author only when it was not anonymous."""
    fu = c.followup
    return ConcernLine(c.text, c.kind, member, fu.owner if fu else None, fu.state if fu else None)


def distribution_line(moods: dict[int, int]) -> str:
    """A mood distribution in words, e.g. '5 great ×2, 4 good ×1'."""
    return ", ".join(f"{m} {MOODS[m]} ×{n}" for m, n in sorted(moods.items(), reverse=True) if n)


def render_text(s: Summary, markdown: bool = False) -> str:
    """The summary as plain text, or as CommonMark with people's text escaped (shown, never obeyed)."""
    if not markdown:
        return "\n".join(line for block in summary_blocks(s) for line in block) + "\n"
    # A blank line between blocks: without it CommonMark runs "Facilitator" and "Check-ins" into
    # one paragraph and takes "Next facilitator" into the last bullet.
    blocks = summary_blocks(s, markdown=True, text=markdown_literal)
    return "\n\n".join("\n".join(block) for block in blocks) + "\n"


def summary_blocks(s: Summary, markdown: bool = False, text: Callable[[str], str] = printable
                   ) -> list[list[str]]:
    """The summary's lines, grouped in blocks (a heading, a line, a list), people's text through `text`."""
    p = text
    h = "## " if markdown else ""
    bullet = "- " if markdown else "  "
    blocks: list[list[str]] = [[f"{h}{p(s.team)} — huddle {s.date}"]]
    blocks.append([f"Facilitator: {p(s.facilitator) if s.facilitator else 'not recorded'}"])
    n = s.answered
    shown = shown_count(s.anonymous_count)
    counts = [f"{shown} anonymous"] if shown else []
    counts += [f"{s.async_count} async"] if s.async_count else []
    said = f" ({', '.join(counts)})" if counts else ""
    blocks.append([f"Check-ins: {n} of {s.expected} expected{said}"])
    if s.moods:
        blocks.append([f"Moods given by name: {distribution_line(s.moods)}"])
    if s.anonymous_moods:
        blocks.append([f"Moods given anonymously: {distribution_line(s.anonymous_moods)}"])
    if s.not_adding_up:
        blocks.append(["Anonymous answers: more than the members who left a placeholder, so none is "
                       "shown or counted (some were not given by members; see `huddle doctor`)"])
    if s.totals is not None:
        blocks.append([totals_line(s.totals), *totals_extra_lines(s.totals)])
        if s.totals.get("takeaways"):
            blocks.append(["Takeaways left anonymously after circles and debriefs (the team's total):"])
            blocks.append([f"{bullet}takeaway: {p(words)}" for words in totals_takeaways(s.totals)])
    if n and not s.moods and not s.anonymous_moods and not (s.totals and s.totals["state"] == "open"):
        blocks.append([f"Moods: hidden until at least {K} people answer"])
    people = []
    for name in s.checked_in:
        mood = s.named_moods.get(name)
        mood_txt = f" — {mood} {MOODS[mood]}" if mood else ""
        status = f": {p(s.statuses[name])}" if name in s.statuses else ""
        keyed = f" (keyed by {p(s.keyed_by[name])})" if name in s.keyed_by else ""
        ahead = " (async)" if name in s.asynchronous else ""
        people.append(f"{bullet}{p(name)}{ahead}{keyed}{mood_txt}{status}")
    if people:
        blocks.append(people)
    if s.concerns:
        blocks.append([f"{h}Concerns" if markdown else "Concerns:"])
        concerns = []
        for c in s.concerns:
            who = p(c.member) if c.member else "anonymous"
            follow = f" → follow-up: {p(c.followup_owner)} ({c.followup_state})" if c.followup_owner else ""
            kind = p(f"[{c.kind}]")
            concerns.append(f"{bullet}{kind} {p(c.text)} ({who}){follow}")
        blocks.append(concerns)
    if s.airtime:
        blocks.append([f"{h}Airtime" if markdown else "Airtime:"])
        blocks.append([f"{bullet}{p(str(t['speaker']))}: " + ("async, " if t.get("async") else "")
                       + ("skipped" if t["skipped"] else spoken_of(t["spoken_s"], t["timebox_s"]))
                       for t in s.airtime])
        if s.total_s is not None and s.round_s:
            blocks.append([f"Round: {spoken_of(s.total_s, s.round_s)}"])
    if s.next_facilitator:
        blocks.append([f"Next facilitator: {p(s.next_facilitator)}"])
    return blocks


def totals_line(totals: dict[str, Any]) -> str:
    """The day's anonymous totals in one line: what opened (alone, or pooled into its week) or why not."""
    state = totals["state"]
    if state == "open":
        line = (f"Anonymous moods, as the team's total of {totals['answers']}: "
                f"{_figures(totals['distribution'], totals['mean'])}")
    else:
        words = {
            "collecting": "the team's total opens after the day's cut-off (the next working day)",
            "opening": "the team's total opens once enough teammates' apps have run since the cut-off",
            "too few": f"fewer than {K} anonymous answers, so no figure is shown",
            "flagged": ("the total claims more answers than members who left a placeholder, so none is "
                        "shown (a contribution is not honest)"),
            "none": "no contributions that day",
        }
        line = "Anonymous moods: " + words.get(str(state), str(state))
    week = totals.get("week")
    if week:
        line += (f"; this week's total of {week['answers']} over {week['days']} short days: "
                 f"{_figures(week['distribution'], week['mean'])}")
    return line


def totals_extra_lines(totals: dict[str, Any]) -> list[str]:
    """What else the day's totals opened, each under its own k rule: concerns' fate, measures, signposts.

    The opened concerns themselves are listed with the day's concerns (as
    anonymous); here is only what became of those that did not open.
    """
    lines = []
    if totals.get("texts_sealed"):
        lines.append(f"Anonymous concerns: fewer than {K} members wrote one, so they stay sealed (unread)")
    lost = totals.get("texts_lost") or 0
    if lost:
        lines.append(f"Anonymous concerns lost: {lost} landed in the same slot as another and could not be "
                     "read (their authors' `huddle me` says which was theirs: raise it again)")
    for measure, name in (("sisq", "Stress (SISQ, 1–5)"), ("who5", "Wellbeing (WHO-5, 0–100)")):
        figures = (totals.get("measures") or {}).get(measure)
        if figures:
            lines.append(f"{name}, as the team's total of {figures['answers']}: mean {figures['mean']}, "
                         f"{figures['past_cutoff']} past the cut-off")
    if totals.get("signposts"):
        lines.append(f"Support signposts shown: {totals['signposts']}")
    if totals.get("takeaways_sealed"):
        lines.append(f"Takeaways left anonymously: fewer than {K} members left one (or a teammate's app is "
                     "older), so they stay sealed and travel again with their authors' next check-in")
    lost = totals.get("takeaways_lost") or 0
    if lost:
        lines.append(f"Takeaways left anonymously lost: {lost} landed in the same slot as another and could "
                     "not be read")
    return lines


def totals_takeaways(totals: dict[str, Any]) -> list[str]:
    """The takeaways the day's totals opened: words only, in an order that says nothing of their authors."""
    return [str(words) for words in totals.get("takeaways") or ()]


def totals_concerns(totals: dict[str, Any]) -> list[ConcernLine]:
    """The anonymous concerns the day's totals opened, as the summary lists concerns (no author)."""
    return [ConcernLine(str(t["text"]), str(t["kind"]), None) for t in totals.get("texts") or ()]


def _figures(distribution: dict[str, int] | None, mean: float | None) -> str:
    """A distribution and a mean, each when shown."""
    figures = []
    if distribution:
        figures.append(distribution_line({int(k): v for k, v in distribution.items()}))
    if mean is not None:
        figures.append(f"mean {mean:.1f}")
    return "; ".join(figures)


def render_json(s: Summary) -> str:
    """The summary as one JSON document."""
    return dumps(s.as_json()) + "\n"
