"""A member's own view of themselves, read from their own machine, and the team's support counts.

Own moods come from every place this machine holds them: the named record in
the shared folder, the private folder, and an anonymous answer found again
by its id (an HMAC under this machine's local key, journal._anonymous_id).
The signpost (rules/support.py) is offered from them; a signpost shown and a
measure answered each leave an anonymous mark that goes out only where at
least 3 members could have left it (rules.privacy.mark_releasable), so the
impact report can count them (rules/report.py) and never say whose they were.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any, NamedTuple

from huddle_tui.config.team import SupportResource
from huddle_tui.errors import HuddleError
from huddle_tui.journal import Journal
from huddle_tui.model.checkin import WITHHELD, Concern, FollowUp, Visibility
from huddle_tui.model.ids import as_uuid, named_id
from huddle_tui.rules import measures as m
from huddle_tui.rules import support as rules
from huddle_tui.rules.followups import FollowUpItem
from huddle_tui.storage.envelope import Record

WEEKS = 6


class OwnMood(NamedTuple):
    """One day's mood as its member gave it, and how it was shared."""

    date: date
    mood: int
    visibility: str
    keyed_by: str | None = None  # entered for me by someone else (the facilitator, a bot): shown so


def own_moods(journal: Journal, member: str, since: date, until: date) -> list[OwnMood]:
    """The member's moods from `since` to `until`, named, anonymous and private alike, oldest first."""
    name = journal._member(member).name
    first, last = since.isoformat(), until.isoformat()
    shared = journal.shared.read(("checkin",), since=first, until=last).live("checkin")
    private = journal.private.read(("checkin",), since=first, until=last).live("checkin")
    by_id = {r.id: r for r in shared}
    found: dict[date, OwnMood] = {}

    def take(record: Record | None, visibility: str) -> None:
        """Keep a record's mood for its day when it is a real answer in range."""
        if record is None or record.deleted or not first <= record.date <= last:
            return
        mood = record.payload.get("mood")
        if record.payload.get("visibility") == WITHHELD or mood.__class__ is not int or not 1 <= mood <= 5:
            return
        keyed = record.payload.get("keyed_by") if visibility == "team" else None
        found[date.fromisoformat(record.date)] = OwnMood(date.fromisoformat(record.date), mood, visibility,
                                                         str(keyed) if keyed is not None else None)

    for r in shared:
        if r.payload.get("member") == name and r.payload.get("visibility") == "team":
            take(r, "team")
    for r in private:
        if r.payload.get("member") != name:
            continue
        take(r, "anonymous" if r.payload.get("pending") else "private")
    day = since
    while day <= until:  # released anonymous answers: found again by their id, never by a name
        if day not in found:
            held_as = journal._anonymous_id(name, day.isoformat())
            take(by_id.get(journal._released_id("checkin", held_as)) or by_id.get(held_as), "anonymous")
        day += timedelta(days=1)
    return [found[d] for d in sorted(found)]


def own_answers(journal: Journal, member: str, since: date) -> list[m.Answer]:
    """The member's own measure answers (the private copies), oldest first."""
    name = journal._member(member).name
    out = []
    for r in journal.private.read((m.MEASURE_KIND,), since=since.isoformat()).live(m.MEASURE_KIND):
        if r.payload.get("member") == name and not r.payload.get("pending"):
            answer = m.Answer.from_payload(r.date, r.payload)
            if answer is not None:
                out.append(answer)
    return sorted(out, key=lambda a: a.date)


def save_answer(journal: Journal, member: str, answer: m.Answer) -> None:
    """Keep a measure answer in full on this machine, and an anonymous copy to go out once k ≥ 3 allow."""
    if not m.valid(answer):
        from huddle_tui.errors import UsageError

        raise UsageError(f"not a valid {answer.measure} answer: {list(answer.items)}")
    name = journal._member(member).name
    day = answer.date.isoformat()
    journal.private.save(m.MEASURE_KIND, named_id(m.MEASURE_KIND, f"{name}\x1f{answer.measure}", day), day,
                         {**answer.to_payload(), "member": name, "visibility": "private"})
    if journal.team.in_totals:
        return  # no mark of its own: the day's contribution carries the answer (Journal._contribute)
    mark = _mark_id(f"{name}\x1f{answer.measure}", day)
    journal.private.save(m.MEASURE_KIND, mark, day,
                         {**answer.to_payload(), "pending": True, "visibility": "private"})
    journal._given.add(mark)  # released in a later session, like an anonymous answer


def resources_for(journal: Journal, own: Iterable[SupportResource]) -> tuple[SupportResource, ...]:
    """The team's support resources and the member's own."""
    return rules.resources(journal.team, own)


def offer(journal: Journal, member: str, today: date, own: Iterable[SupportResource] = (), *,
          asked: bool = False, mood: int | None = None) -> rules.Signpost | None:
    """The signpost to show this member today, from their own moods and measure answers, or None.

    `mood`: today's, about to be saved (so the signpost, and its mark in the
    day's contribution, can go with the check-in that prompts it).
    """
    since = today - timedelta(weeks=WEEKS)
    moods = {o.date: o.mood for o in own_moods(journal, member, since, today)}
    if mood is not None:
        moods[today] = mood
    signals = m.signals(own_answers(journal, member, since), today)
    mapped = [{m.SISQ: rules.SISQ_REASON, m.WHO5: rules.WHO5_REASON}[s] for s in signals]
    reasons = rules.reasons_for(moods, journal.team, today, asked=asked, measure_signals=mapped)
    return rules.signpost(reasons, resources_for(journal, own))


def note_shown(journal: Journal, member: str, day: date) -> bool:
    """Leave the anonymous mark of a signpost shown today, once a day; True when it is new."""
    name = journal._member(member).name
    if journal.team.in_totals:  # counted in the day's contribution, never as a file of its own
        fresh = not journal.private.read_ids(rules.SIGNPOST_KIND, day.isoformat(),
                                             (journal.signpost_note_id(name, day),)).records
        journal.note_signpost(name, day)
        return fresh
    rid = _mark_id(f"{name}\x1f{rules.SIGNPOST_KIND}", day.isoformat())
    iso = day.isoformat()
    if (journal.private.read_ids(rules.SIGNPOST_KIND, iso, (rid,)).records
            or journal.shared.read_ids(rules.SIGNPOST_KIND, iso, (rid,)).records):
        return False
    journal.private.save(rules.SIGNPOST_KIND, rid, iso, {"pending": True, "visibility": "private"})
    journal._given.add(rid)  # released in a later session, like an anonymous answer
    return True


def ask_peer(journal: Journal, member: str, day: date, supporter: str, visibility: Visibility,
             text: str = "would like to talk with a peer supporter") -> Record:
    """A support follow-up owned by the peer supporter the member picked, shared as the member chose."""
    concern = Concern.new(text, "support", visibility, FollowUp(supporter))
    return journal.save_concern(concern, day.isoformat(), journal._member(member).name)


def _mark_id(what: str, day: str) -> str:
    """An id for this member's mark that day: the same on a second try, unlinkable for anyone else."""
    from huddle_tui.storage.localkey import anonymity_key

    digest = hmac.new(anonymity_key(), f"{what}\x1f{day}".encode(), hashlib.sha256).digest()
    return as_uuid(digest, 4)


# ---------------------------------------------------------------- `huddle me`


class MeView(NamedTuple):
    """What `huddle me` shows: my moods by working day, my streaks, my follow-ups, the signpost."""

    member: str
    today: date
    days: tuple[date, ...]
    moods: dict[date, OwnMood]
    low_streak: int
    checkin_streak: int
    followups: tuple[FollowUpItem, ...]
    signpost: rules.Signpost | None
    resources: tuple[SupportResource, ...]
    answers: tuple[m.Answer, ...]
    buddies: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (round kind, the others in my group) this week
    lost_texts: tuple[tuple[date, str, str], ...] = ()  # my anonymous concerns a totals collision lost

    def to_json(self) -> dict[str, Any]:
        """The view for `huddle me --json` (this member's own data, on their own terminal)."""
        return {"member": self.member, "today": self.today.isoformat(),
                     "moods": [{"date": o.date.isoformat(), "mood": o.mood, "visibility": o.visibility,
                                "keyed_by": o.keyed_by} for o in self.moods.values()],
                     "streaks": {"low": self.low_streak, "checked_in": self.checkin_streak},
                     "followups": [{"id": f.id, "date": f.date, "text": f.text, "owner": f.owner,
                                    "state": f.state} for f in self.followups],
                     "signpost": None if self.signpost is None else {
                         "reasons": list(self.signpost.reasons),
                         "says": rules.signpost_lines(self.signpost)},
                     "resources": [r._asdict() for r in self.resources],
                     "buddies": [{"kind": kind, "with": list(names)} for kind, names in self.buddies],
                     "lost_in_totals": [{"date": d.isoformat(), "kind": kind, "text": text}
                                        for d, kind, text in self.lost_texts],
                     "measures": [{"measure": a.measure, "date": a.date.isoformat(),
                                   "items": list(a.items), "score": m.score(a),
                                   "past_cutoff": m.past_cutoff(a)} for a in self.answers]}


def me_view(journal: Journal, member: str, today: date, own: Iterable[SupportResource] = (),
            weeks: int = WEEKS) -> MeView:
    """Everything `huddle me` shows, read from this machine (the form and the command share it)."""
    from huddle_tui.followups import all_followups, mine

    name = journal._member(member).name
    since = today - timedelta(weeks=weeks)
    moods = {o.date: o for o in own_moods(journal, name, since, today)}
    team = journal.roster()
    days = tuple(d for d in (since + timedelta(days=i) for i in range((today - since).days + 1))
                 if team.is_workday(d) and team.expects(name, d))
    run = 0
    for d in reversed(days):
        if d not in moods:
            if d == today:
                continue  # today is not over yet
            break
        run += 1
    mine_open = tuple(f for f in mine(all_followups(journal, today), name) if f.is_open)
    own = tuple(own)
    return MeView(name, today, days, moods,
                  rules.low_streak({d: o.mood for d, o in moods.items()}, journal.team, today), run,
                  mine_open, offer(journal, name, today, own), resources_for(journal, own),
                  tuple(own_answers(journal, name, since)), my_buddies(journal, name, today),
                  lost_texts(journal, name, today))


LOST_DAYS = 14
"""How far back `huddle me` looks for anonymous concerns the team's totals lost (a day opens the next)."""


def lost_texts(journal: Journal, name: str, today: date) -> tuple[tuple[date, str, str], ...]:
    """My anonymous concerns that landed in one slot with another's, so the day's totals could not read them.

    Only this machine knows which texts were mine (its private copies); the
    opened totals say which came out. Said to me alone, plainly, so that I
    can raise it again: a collided text is never sent again on its own.
    """
    if not journal.team.in_totals:
        return ()
    from huddle_tui.aggregation.dcnet import Opened, Text, to_send_again
    from huddle_tui.totals.answer import concern_of, text_of, text_opened

    since = (today - timedelta(days=LOST_DAYS)).isoformat()
    sent: dict[str, list[Text]] = {}
    for record in journal.private.read(("checkin", "concern"), since=since).live():
        payload = record.payload
        if payload.get("member") != name or not payload.get("in_totals") or record.date >= today.isoformat():
            continue
        raw = payload.get("concerns", []) if record.kind == "checkin" else [payload]
        for item in raw:
            if isinstance(item, dict):
                try:
                    sent.setdefault(record.date, []).append(text_of(Concern.from_payload(item, "anonymous")))
                except HuddleError:
                    continue
    out = []
    for day in sorted(sent):
        view = journal.totals_view(date.fromisoformat(day))
        if view is None or view.texts is None:
            continue
        opened = Opened(tuple(text_opened(kind, words) for kind, words in view.texts), 0)
        out += [(date.fromisoformat(day), *concern_of(text)) for text in to_send_again(sent[day], opened)]
    return tuple(out)


def my_buddies(journal: Journal, name: str, today: date) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """Who I am paired with this week, in each buddy or coffee round already made (never made here)."""
    from huddle_tui.pairs import monday_of, stored

    found = []
    for kind in ("buddy", "coffee"):
        try:
            pairs_round = stored(journal, kind, monday_of(journal.team, kind, today))
        except (ValueError, KeyError, TypeError):  # a hostile or older round record: nothing shown
            continue
        group = pairs_round.group_of(name) if pairs_round else None
        if group:
            found.append((kind, tuple(n for n in group if n.casefold() != name.casefold())))
    return tuple(found)


CHART_LABELS = {5: "5 great", 4: "4 good", 3: "3 okay", 2: "2 low", 1: "1 struggling"}
SHOWN_AS = {"team": "n", "anonymous": "a", "private": "p", "keyed": "k"}


def render_me(view: MeView, width: int = 80) -> list[str]:
    """`huddle me` as lines of plain text: a chart with the numbers, streaks, follow-ups, support."""
    from huddle_tui.text import printable

    room = max(5, (width - 18) // 2)  # the label column, a margin and a scrollbar
    days = view.days[-room:]
    lines = [f"{printable(view.member)} · your own check-ins (only on this terminal)",
             f"Moods on working days since {days[0]:%d %b}" if days else "No working days yet",
             ""]
    for level in range(5, 0, -1):
        row = "".join(("█ " if (o := view.moods.get(d)) and o.mood >= level else "  ") for d in days)
        lines.append(f"{CHART_LABELS[level]:<13}{row}".rstrip())
    lines.append(f"{'mood':<13}" + "".join(f"{o.mood} " if (o := view.moods.get(d)) else "· " for d in days))
    lines.append(f"{'shared as':<13}" + "".join(
        f"{SHOWN_AS.get('keyed' if o.keyed_by else o.visibility, '?')} " if (o := view.moods.get(d)) else "  "
        for d in days))
    lines.append(f"{'day':<13}" + "".join(f"{d:%a}"[0] + " " for d in days))
    keyed = [o for o in view.moods.values() if o.keyed_by]
    marks = "n by name, a anonymously, p privately" + (", k keyed for you" if keyed else "")
    lines.append(f"{marks}; · no check-in.")
    if keyed:
        lines.append("Entered for you by others: " + ", ".join(
            f"{o.date:%d %b} by {printable(o.keyed_by or '')} ({o.mood})" for o in keyed[-5:])
            + " — your own check-in always replaces theirs.")
    lines.append("A daily mood is how a day felt, not a measure of health.")
    lines.append("")
    lines.append(f"Check-in streak: {view.checkin_streak} working day(s) in a row · "
                 f"low moods (≤ 2) in a row: {view.low_streak}")
    if view.answers:
        latest: dict[str, m.Answer] = {a.measure: a for a in view.answers}
        parts = [f"{'stress (SISQ)' if k == m.SISQ else 'WHO-5'} {m.score(a)} on {a.date:%d %b}"
                 for k, a in sorted(latest.items())]
        lines.append("Your latest answers: " + ", ".join(parts) + " (see docs/wellbeing.md)")
    for kind, names in view.buddies:
        lines.append(f"Your {kind} this week: {', '.join(printable(n) for n in names) or 'nobody'}")
    for day, kind, text in view.lost_texts:
        lines.append(f"Lost in the team's totals: your anonymous {kind} of {day:%d %b}, "
                     f"\"{printable(text)}\" — it landed in the same slot as another and could not be read. "
                     "Raise it again if it still holds.")
    lines.append("")
    lines.append(f"Your open follow-ups: {len(view.followups)}")
    for f in view.followups:
        line = f"  {f.id[:8]} {f.date} {printable(f.owner)}: {printable(f.text)}"
        lines.append(line if len(line) <= width - 4 else line[:width - 5] + "…")
    lines.append("")
    if view.signpost is not None:
        lines += [printable(line) for line in rules.signpost_lines(view.signpost)]
    else:
        lines.append("Support, whenever you want it:")
        lines += [printable(line) for line in rules.resource_lines(view.resources)]
    return lines
