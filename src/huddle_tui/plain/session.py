"""Plain mode: the lobby, the round and the summary as lines of text, one line per event.

For a screen reader or a braille display (and TERM=dumb): nothing is
redrawn, no cursor moves, every line is printed once in order. A key is typed
then Enter (a line-based terminal sends nothing before it); Enter alone is the
round's "next". The round is the same PulseRound the app drives, and every
record is saved through the same Journal calls, so a huddle run here is the
same huddle in the shared folder. Textual is never imported.
"""

from __future__ import annotations

import queue
import sys
import threading
import time
from collections.abc import Callable
from datetime import date, datetime
from typing import TextIO

from huddle_tui.config.team import TeamConfig
from huddle_tui.config.user import UserConfig
from huddle_tui.errors import HuddleError, RefusedError
from huddle_tui.journal import Journal
from huddle_tui.model.checkin import MOODS, WITHHELD, CheckIn, Concern, FollowUp, Visibility
from huddle_tui.model.huddle import Huddle, Plan
from huddle_tui.plain.announce import TurnClock, spoken
from huddle_tui.rules.followups import FollowUpItem
from huddle_tui.rules.roundclock import Clock, PulseRound, countdown, duration, opening_turn_s
from huddle_tui.text import MAX_CONCERN, clean_text, printable

POLL_S = 0.5
PRESENCE = ("in the room", "remote", "away")
REASONS = {"rotation": "by rotation", "handoff": "handed over", "held": "already held today"}
LOBBY_KEYS = ("Keys, then Enter: Enter alone starts the round · p presence · "
              "h hand the facilitator role over · f mark a follow-up done · i history · ? keys · q quit")
HISTORY_WEEKS = 12
REASON_LIMIT = 200  # a handoff's reason, as the app's prompt takes it
CONCERN_QUESTION = "Note a concern, blocker or support: type it (one line), then Enter."
KIND_QUESTION = "Is it c a concern, b a blocker or s support? Enter for a concern."
SHARE_QUESTION = ("Who may see it: t the team (with the name), a anonymous (no name), "
                  "p private (this machine only)? Enter for the team.")
OWNER_QUESTION = "Who follows it up? Type the name, then Enter; Enter alone for nobody."
KINDS = {"c": "concern", "b": "blocker", "s": "support"}
TOTALS_REFUSAL = ("Not saved: in this team an anonymous concern goes only with its author's own check-in, "
                  "inside the team's totals (they can add it with `huddle checkin`).")
SHARING: dict[str, Visibility] = {"t": "team", "a": "anonymous", "p": "private"}
ROUND_KEYS = ("Keys, then Enter: Enter alone next speaker · e end · p pause · 1-5 mood · + 30 s more · "
              "b back · s skip · l latecomer · t status · c concern · ? keys · q quit")
SUMMARY_KEYS = ("Keys, then Enter: c say the summary as Markdown (to copy) · s save it to a file · "
                "f mark a follow-up done · q or Enter alone quits")
EOF_LINE = None


class Lines:
    """Lines typed at the terminal, read in a thread so the clock can be looked at while waiting."""

    def __init__(self, source: TextIO) -> None:
        """Start reading `source` (a line at a time, as a line-based terminal sends them)."""
        self._queue: queue.Queue[str | None] = queue.Queue()
        self._thread = threading.Thread(target=self._read, args=(source,), daemon=True)
        self._thread.start()

    def _read(self, source: TextIO) -> None:
        """In the thread: every line, then None at the end of input (or when the terminal hangs up)."""
        try:
            for line in source:
                self._queue.put(line.rstrip("\r\n"))
        except (OSError, ValueError):  # EIO from a closed pty, or a closed file
            pass
        self._queue.put(EOF_LINE)

    def next(self, timeout: float | None) -> str | None:
        """The next line typed (None at the end of input); queue.Empty when none came within `timeout`."""
        return self._queue.get(timeout=timeout)


class PlainSession:
    """One huddle in plain text: lobby, round, summary."""

    def __init__(self, team: TeamConfig, journal: Journal, *, today: date | None = None,
                 clock: Clock = time.monotonic, source: TextIO | None = None, out: TextIO | None = None,
                 poll_s: float = POLL_S) -> None:
        """Run for `team` on `today`, reading keys from `source` and writing lines to `out`."""
        self.team = team
        self.journal = journal
        self.today = today or team.today()  # the team's date, as the app takes it
        self.clock = clock
        self.out = out or sys.stdout
        self.lines = Lines(source or sys.stdin)
        self.poll_s = poll_s
        self.presence: dict[str, str] = {}
        self.statuses: dict[str, str] = {}
        self.moods: dict[str, int] = {}
        self.asynchronous: frozenset[str] = frozenset()  # who checked in before the round (casefolded)
        self.given: dict[str, CheckIn] = {}  # what the async members said, read when the round starts

    # ------------------------------------------------------------ saying and asking

    def say(self, line: str) -> None:
        """Write one line (people's text made printable: no control character reaches the terminal)."""
        self.out.write(printable(line) + "\n")
        self.out.flush()

    def ask(self, question: str) -> str | None:
        """Say a question and wait for the answer line (None at the end of input)."""
        self.say(question)
        return self.lines.next(None)

    # ------------------------------------------------------------ the huddle

    def run(self) -> int:
        """Lobby, then the round and the summary if it is started; the exit code."""
        self.journal.release_pending()
        today = self.journal.today(self.today)
        self.asynchronous = today.asynchronous
        for m in self.team.members:
            if m.has_joined(self.today):
                self.presence[m.name] = "away" if m.is_away(self.today) else "in the room"
        plan = self.lobby(today.plan, today.checked_in, today.rounds_held)
        if plan is None:
            self.say("Bye.")
            return 0
        round_no = today.rounds_held + 1
        ended = self.round(plan, round_no)
        if ended:
            self.summary()
        self.say("Bye.")
        return 0

    def lobby(self, plan: Plan, checked_in: frozenset[str], held: int) -> Plan | None:
        """Say the lobby; the plan to run once Enter starts the round, None to quit."""
        day = self.today
        self.say(f"Lobby · {self.team.name} · {day:%A} {day.day} {day:%B %Y}")
        self._facilitator(plan)
        self._timing(plan)
        for name in self._everyone(plan):
            self.say(self._row(name, plan, checked_in))
        if held:
            self.say(f"Today's huddle was already held; a round started now is recorded as round {held + 1}.")
        self._followups()
        self.say(LOBBY_KEYS)
        while True:
            line = self.lines.next(None)
            if line is None:
                return None
            key = line.strip()
            if key == "":
                return plan
            word = key.split(" ")[0]
            if key == "q":
                return None
            if key == "?":
                self.say(LOBBY_KEYS)
            elif word == "p":
                self._presence(plan, key[1:].strip())
            elif word == "h":
                plan = self._hand_over(plan, held, key[1:].strip())
            elif word == "f":
                self._followup_done(key[1:].strip())
            elif key == "i":
                self._history()
            else:
                self.say(f"No key {key!r} in the lobby; ? lists the keys.")

    def _facilitator(self, plan: Plan) -> None:
        """Who facilitates today, and why them."""
        who = plan.facilitator or "nobody eligible today"
        self.say(f"Facilitator: {who} ({REASONS.get(plan.reason, plan.reason)})")

    def _hand_over(self, plan: Plan, held: int, typed: str) -> Plan:
        """h: someone else facilitates today, for a reason; the handoff is recorded, the day planned again."""
        from huddle_tui.model.huddle import Handoff

        if held:
            self.say("Today's huddle was already held; its facilitator cannot change now.")
            return plan
        others = [n for n in self._everyone(plan)
                  if n != plan.facilitator and self.presence.get(n) != "away" and n in plan.order]
        if plan.facilitator is None or not others:
            self.say("Nobody else is here to hand the role to.")
            return plan
        name = typed or (self.ask(f"Who facilitates today instead? Type the name, then Enter: "
                                  f"{', '.join(others)}.") or "").strip()
        found = next((n for n in others if n.casefold() == name.casefold()), None)
        if found is None:
            self.say(f"{name!r} cannot take the role today." if name else "No name given; nothing changed.")
            return plan
        said = (self.ask(f"Why does {found} facilitate today? Type the reason, then Enter.") or "").strip()
        if not said:
            self.say("No reason given; nothing changed.")
            return plan
        try:
            reason = clean_text(said, "reason", REASON_LIMIT, allow_empty=False)
            self.journal.save_handoff(Handoff(self.today.isoformat(), plan.facilitator, found, reason))
            plan = self.journal.plan(self.today)
        except HuddleError as exc:
            self.say(f"Not handed over: {exc.message}")
            return plan
        self._facilitator(plan)
        self.say("Speaking order: " + ", ".join(plan.order))
        return plan

    def _open_followups(self) -> list[FollowUpItem]:
        """The team's open follow-ups, as the app's shared screens list them (never private ones)."""
        from huddle_tui.followups import team_followups

        return [i for i in team_followups(self.journal, self.today) if i.is_open]

    def _followups(self) -> None:
        """The open follow-ups, one line each, numbered for f."""
        items = self._open_followups()
        if items:
            self.say(f"Open follow-ups: {len(items)}")
        for n, item in enumerate(items, 1):
            self.say(f"{n}. {item.owner}: {item.kind}: {item.text} (raised {item.date})")

    def _followup_done(self, typed: str) -> None:
        """f: mark one open follow-up done, picked by its number."""
        from huddle_tui.followups import close

        items = self._open_followups()
        if not items:
            self.say("No open follow-ups.")
            return
        if not typed:
            for n, item in enumerate(items, 1):
                self.say(f"{n}. {item.owner}: {item.kind}: {item.text}")
            typed = (self.ask("Which follow-up is done? Type its number, then Enter.") or "").strip()
        if not typed.isdigit() or not 1 <= int(typed) <= len(items):
            self.say(f"No follow-up number {typed!r}; nothing changed." if typed else "Nothing changed.")
            return
        item = items[int(typed) - 1]
        try:
            close(self.journal, item.id, self.today)
        except HuddleError as exc:
            self.say(f"Not marked done: {exc.message}")
            return
        self.say(f"Follow-up done: {item.owner}: {item.text}")

    def _history(self) -> None:
        """i: the last weeks' figures, the report `huddle report` and the app's History show, as lines."""
        from datetime import timedelta

        from huddle_tui.rules.report import build, period_start
        from huddle_tui.rules.report_format import render_text

        data = self.journal.report_data()
        since = period_start(self.today, "week") - timedelta(weeks=HISTORY_WEEKS - 1)
        if data.first is not None and since < data.first <= self.today:
            since = period_start(data.first, "week")
        self.say("History")
        for line in render_text(build(data, since, self.today, "week")).splitlines():
            if line.strip():
                self.say(line.rstrip())
        self.say("End of the history. " + LOBBY_KEYS)

    def _everyone(self, plan: Plan) -> list[str]:
        """The speaking order, then anyone else who has joined."""
        return list(plan.order) + [n for n in self.presence if n not in plan.order]

    def _timing(self, plan: Plan) -> None:
        """The round's length, its speakers and each turn's time to start with."""
        speakers = [n for n in plan.order if self.presence.get(n) != "away"]
        ahead = sum(1 for n in speakers if n.casefold() in self.asynchronous)
        per = opening_turn_s(self.team.round_seconds, len(speakers), ahead)
        said = f" ({ahead} async)" if ahead else ""
        self.say(f"Round {duration(self.team.round_seconds)} · {len(speakers)} speakers{said} · "
                 f"{duration(per)} a turn to start with")

    def _row(self, name: str, plan: Plan, checked_in: frozenset[str]) -> str:
        """One person: presence, role, and whether they already checked in."""
        words = [self.presence.get(name, "in the room")]
        if name == plan.facilitator:
            words.append("facilitator")
        if name.casefold() in self.asynchronous:
            words.append("checked in (async)")
        elif name.casefold() in checked_in:
            words.append("checked in")
        return f"{name}: {', '.join(words)}"

    def _presence(self, plan: Plan, typed: str) -> None:
        """Move someone on: in the room → remote → away (away skips their turn)."""
        everyone = self._everyone(plan)
        name = typed or (self.ask("Whose presence? Type the name, then Enter.") or "").strip()
        found = next((n for n in everyone if n.casefold() == name.casefold()), None)
        if found is None:
            self.say(f"Nobody called {name!r} today." if name else "No name given.")
            return
        now = self.presence.get(found, "in the room")
        self.presence[found] = PRESENCE[(PRESENCE.index(now) + 1) % len(PRESENCE)]
        self.say(f"{found}: {self.presence[found]}")
        self._timing(plan)

    # ------------------------------------------------------------ the round

    def round(self, plan: Plan, round_no: int) -> bool:
        """Run the round; True when it ended (by the last turn or e), False when quit."""
        away = [n for n, where in self.presence.items() if where == "away"]
        started = self._stamp()
        self._read_async(datetime.fromisoformat(started))
        pulse = PulseRound(plan.order, self.team.round_seconds, self.clock, absent=away,
                           min_turn_s=self.team.min_turn_seconds, asynchronous=self.asynchronous)
        record_id = self.journal.huddle_id(self.today, round_no)
        pulse.start()
        self._save_huddle(plan, pulse, record_id, started, round_no, final=False)
        self.say(f"Round {round_no} started · facilitator {plan.facilitator or 'nobody'} · "
                 f"{len([s for s in pulse.slots if not s.skipped])} speakers")
        self.say(ROUND_KEYS)
        turn = TurnClock()
        self._begin(pulse, turn)
        actions: dict[str, Callable[[PulseRound, TurnClock], None]] = {
            "": self._next, "e": self._end, "p": self._pause, "+": self._more, "b": self._back,
            "s": self._skip, "l": self._latecomer, "t": self._status, "c": self._concern,
        }
        while not pulse.finished:
            self._tell_time(pulse, turn)
            try:
                line = self.lines.next(self.poll_s)
            except queue.Empty:
                continue
            if line is None:
                return False
            self._tell_time(pulse, turn)  # a milestone passed before the key is said before its effect
            key = line.strip()
            if key == "q":
                if (self.ask("Quit during the round? Moods and statuses given so far are saved; "
                             "the round's timings are not. Type y then Enter to quit.") or "").strip() == "y":
                    return False
                self.say("The round goes on.")
            elif key in MOOD_KEYS:
                self._mood(pulse, int(key))
            elif key == "?":
                self.say(ROUND_KEYS)
            elif key in actions:
                actions[key](pulse, turn)
            else:
                self.say(f"No key {key!r} in the round; ? lists the keys.")
        self._save_huddle(plan, pulse, record_id, started, round_no, final=True)
        unsaved = [n for n, s in self.statuses.items() if s and n not in self.moods]
        if unsaved:
            self.say("Not saved (no mood given): the status of " + ", ".join(unsaved))
        return True

    def _read_async(self, started: datetime) -> None:
        """Who checked in before this round (rules/async_lane.py), and what they said, as the app reads it."""
        iso = self.today.isoformat()
        history = self.journal.read(("checkin", "huddle"), since=iso)
        self.asynchronous = self.journal.async_members(self.today, history, started)
        self.given = {c.member.casefold(): c for c in self.journal.checkins(history)
                      if c.date == iso and c.member and c.visibility in ("team", WITHHELD)
                      and c.member.casefold() in self.asynchronous}

    def _begin(self, pulse: PulseRound, turn: TurnClock, again: bool = False) -> None:
        """Say who speaks now and for how long (an async member's turn: what they said, to read out)."""
        view = pulse.view()
        slot = pulse.current
        if view.speaker is None or slot is None:
            return
        turn.start(pulse.index, view)
        late = " (late)" if slot.late else ""
        if again:
            self.say(f"{view.speaker}{late} speaking again, {countdown(view.remaining_s)} left")
        elif slot.asynchronous:
            self.say(f"{view.speaker} speaking, {spoken(view.timebox_s)}: async check-in, read it out")
            self.say(self._async_said(view.speaker))
        else:
            self.say(f"{view.speaker}{late} speaking, {spoken(view.timebox_s)}")

    def _async_said(self, speaker: str) -> str:
        """What an async member said, as the round shows it: by name, or only that they checked in."""
        given = self.given.get(speaker.casefold())
        if given is None or given.withheld or given.mood is None:
            return f"{speaker} checked in (not shown by name)"
        mood = (f"mood {given.mood} {MOODS[given.mood]}" if self.team.mood_privacy == "named"
                else "mood noted anonymously")
        parts = [mood] + ([f"status: {given.status}"] if given.status else [])
        parts += [f"{c.kind}: {c.text}" for c in given.concerns]
        return f"{speaker} said: {'; '.join(parts)}"

    def _tell_time(self, pulse: PulseRound, turn: TurnClock) -> None:
        """Say a milestone of the current turn if one was passed."""
        line = turn.due(pulse.view())
        if line is not None:
            self.say(line)

    def _done(self, pulse: PulseRound, before: str, how: str, turn: TurnClock) -> None:
        """After the turn of `before` ended: say so, and who is next (or that the round is over)."""
        view = pulse.view()
        if pulse.finished or view.speaker is None:
            self.say(f"{before} {how}; that was the last turn. Round over.")
            return
        self.say(f"{before} {how}; next {view.speaker}")
        self._begin(pulse, turn)

    def _next(self, pulse: PulseRound, turn: TurnClock) -> None:
        """Enter alone: this turn is done."""
        slot = pulse.current
        if slot is None:
            return
        pulse.next()
        self._done(pulse, slot.speaker, f"done, {duration(pulse.elapsed(slot))}", turn)

    def _skip(self, pulse: PulseRound, turn: TurnClock) -> None:
        """s: the speaker is absent."""
        slot = pulse.current
        if slot is None:
            return
        pulse.skip()
        self._done(pulse, slot.speaker, "skipped (absent)", turn)

    def _back(self, pulse: PulseRound, turn: TurnClock) -> None:
        """b: back to the previous speaker."""
        if pulse.index == 0:
            self.say("This is the first turn; there is no one to go back to.")
            return
        pulse.back()
        self._begin(pulse, turn, again=True)

    def _pause(self, pulse: PulseRound, turn: TurnClock) -> None:
        """p: stop or restart the clock."""
        pulse.toggle_pause()
        view = pulse.view()
        self.say(f"{'paused' if view.paused else 'resumed'}, {countdown(view.remaining_s)} left")

    def _more(self, pulse: PulseRound, turn: TurnClock) -> None:
        """+: thirty seconds more for this speaker."""
        pulse.add_time()
        view = pulse.view()
        turn.start(pulse.index, view)
        self.say(f"30 seconds more for {view.speaker}, {countdown(view.remaining_s)} left")

    def _end(self, pulse: PulseRound, turn: TurnClock) -> None:
        """e: end the round now; anyone not reached counts as skipped."""
        waiting = [s.speaker for s in pulse.upcoming()]
        pulse.finish()
        tail = f"; not reached: {', '.join(waiting)}" if waiting else ""
        self.say(f"Round ended{tail}.")

    def _latecomer(self, pulse: PulseRound, turn: TurnClock) -> None:
        """l: someone who just joined speaks at the end."""
        name = (self.ask("Who just joined? Type the name, then Enter.") or "").strip()
        member = next((m.name for m in self.team.members if m.name.casefold() == name.casefold()), None)
        if member is None:
            self.say(f"Nobody called {name!r} in the team." if name else "No name given.")
        elif pulse.add_latecomer(member):
            self.say(f"{member} speaks at the end.")
        else:
            self.say(f"{member} already has a turn.")

    def _mood(self, pulse: PulseRound, mood: int) -> None:
        """1-5: the speaker's mood, saved at once (with a status typed before it)."""
        slot = pulse.current
        if slot is None:
            return
        if self._amend(slot.speaker, mood=mood, status=self.statuses.get(slot.speaker) or None):
            self.moods[slot.speaker] = mood
            self.say(f"mood {mood} {MOODS[mood]} for {slot.speaker}, saved")

    def _status(self, pulse: PulseRound, turn: TurnClock) -> None:
        """t: the speaker's one-line status."""
        slot = pulse.current
        if slot is None:
            return
        text = self.ask(f"Status of {slot.speaker}: type it, then Enter.")
        if not text:
            self.say("No status given.")
            return
        self.statuses[slot.speaker] = text.strip()
        if slot.speaker not in self.moods:
            self.say(f"status kept for {slot.speaker}: it is saved once a mood (1-5) is given")
        elif self._amend(slot.speaker, status=text.strip()):
            self.say(f"status saved for {slot.speaker}")

    def _concern(self, pulse: PulseRound, turn: TurnClock) -> None:
        """c: a concern the speaker raises: its kind, who may see it and who follows it up, as the app asks.

        No name is said with the question or with an anonymous concern's line,
        as the app's dialog names no one: the screen may be shared.
        """
        slot = pulse.current
        if slot is None:
            return
        typed = (self.ask(CONCERN_QUESTION) or "").strip()
        if not typed:
            self.say("No concern given.")
            return
        try:
            text = clean_text(typed, "concern", MAX_CONCERN, allow_empty=False)
        except HuddleError as exc:
            self.say(f"Concern not saved: {exc.message}")
            return
        kind = KINDS.get((self.ask(KIND_QUESTION) or "").strip().lower()[:1], "concern")
        visibility = SHARING.get((self.ask(SHARE_QUESTION) or "").strip().lower()[:1], "team")
        if visibility == "anonymous" and self.team.in_totals:
            # Keyed here it would be this machine's file: it goes only inside its author's own check-in.
            self.say(TOTALS_REFUSAL)
            return
        members = [m.name for m in self.team.members]
        owner = (self.ask(OWNER_QUESTION) or "").strip()
        found = next((m for m in members if m.casefold() == owner.casefold()), None)
        if owner and found is None:
            self.say(f"Nobody called {owner!r} in the team; saved without a follow-up owner.")
        followup = FollowUp(found) if found else None
        try:
            self.journal.save_concern(Concern.new(text, kind, visibility, followup), self.today.isoformat(),
                                      slot.speaker)
        except HuddleError as exc:
            self.say(f"Concern not saved: {exc.message}")
            return
        if visibility == "anonymous":
            self.say(f"Anonymous {kind} noted: it is shown in no one's turn.")
        elif visibility == "private":
            self.say("Kept private: saved on this machine only.")
        else:
            self.say(f"{kind} saved for {slot.speaker}" + (f", follow-up by {found}" if found else ""))

    def _amend(self, speaker: str, *, mood: int | None = None, status: str | None = None) -> bool:
        """Change what a key gave; say in one line why not when it is refused."""
        try:
            self.journal.amend_checkin(speaker, self.today.isoformat(), mood=mood, status=status)
        except RefusedError as exc:
            self.say(exc.message)
            return False
        except HuddleError as exc:
            self.say(f"Not saved: {exc.message}")
            return False
        return True

    def _stamp(self) -> str:
        """Now as the records write it (the journal's clock, UTC)."""
        return self.journal.now().strftime("%Y-%m-%dT%H:%M:%SZ")

    def _save_huddle(self, plan: Plan, pulse: PulseRound, record_id: str, started: str, round_no: int,
                     *, final: bool) -> None:
        """Record the round as the app does: at the start, and with its turns at the end."""
        huddle = Huddle(self.today.isoformat(), plan.facilitator or "", tuple(s.speaker for s in pulse.slots),
                        pulse.turns() if final else (), self.team.round_seconds, started,
                        self._stamp() if final else None, round_no)
        try:
            self.journal.save_huddle(huddle, record_id)
        except HuddleError as exc:
            self.say(f"The round was not recorded: {exc.message}")

    # ------------------------------------------------------------ the summary

    def summary(self) -> None:
        """The summary as the team may see it, then save it or quit."""
        from huddle_tui.rules.summary import render_text

        summary = self.journal.summary(self.today)
        self.say("Summary")
        for line in render_text(summary).splitlines():
            if line.strip():
                self.say(line.rstrip())
        self.say(SUMMARY_KEYS)
        while True:
            typed = self.lines.next(None)
            if typed is None or typed.strip() in ("", "q"):
                return
            key = typed.strip()
            if key == "c":
                self.say("Markdown summary:")
                for line in render_text(summary, markdown=True).splitlines():
                    self.say(line)
                self.say("End of the Markdown summary.")
            elif key == "s":
                self._save_summary(render_text(summary, markdown=True))
            elif key.split(" ")[0] == "f":
                self._followup_done(key[1:].strip())
            elif key == "?":
                self.say(SUMMARY_KEYS)
            else:
                self.say(f"No key {key!r} here; ? lists the keys.")

    def _save_summary(self, markdown: str) -> None:
        """Write the Markdown summary to a file, the path asked (Enter alone takes the one offered)."""
        from pathlib import Path

        from huddle_tui.paths import summaries_dir
        from huddle_tui.storage.fileio import write_atomic

        default = summaries_dir() / f"huddle-{self.today.isoformat()}.md"
        typed = (self.ask(f"Save to which file? Enter alone saves to {default}") or "").strip()
        path = Path(typed).expanduser() if typed else default
        if not path.is_absolute():
            path = summaries_dir() / path
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            write_atomic(path, markdown.encode("utf-8"))
        except OSError as exc:
            self.say(f"Not saved: {exc.strerror or exc}")
            return
        self.say(f"Markdown summary saved to {path}")


MOOD_KEYS = {str(n) for n in MOODS}


def run_plain(team: TeamConfig, user: UserConfig) -> int:
    """`huddle --plain` (or TERM=dumb): open the journal and run the huddle in plain text."""
    from huddle_tui.config.user import who_am_i
    from huddle_tui.journal import open_journal

    journal = open_journal(team, me=who_am_i(user, team))
    return PlainSession(team, journal).run()
