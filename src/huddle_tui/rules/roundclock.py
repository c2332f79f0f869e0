"""The pulse round as plain arithmetic: who speaks, for how long, and what is left.

Core code (no Textual): the app, a script and the tests all drive the same
model. Every figure is computed from an injectable clock (seconds, e.g.
`time.monotonic`), never by counting ticks, so a stalled event loop or a
suspended laptop cannot make the round drift.

A turn's timebox is fixed when that turn first starts: the round time left
divided by the speakers left (this one included, absent ones not), so an early
finish gives the others more and an overrun gives them less — but never less
than the minimum turn: below it, the overrun moves the round's end instead
(`extended_s` says by how much), so the last speakers are not left with 0:00.

An async member's turn (they checked in before the round: rules/async_lane.py)
is ASYNC_TURN_S long, whatever is left: the facilitator reads out what they
said. The others share what is left after the async turns still to come.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:  # the lobby imports this module before its first paint; records are not needed then
    from huddle_tui.model.huddle import Turn

Clock = Callable[[], float]
ASYNC_TURN_S = 10.0
"""An async member's turn (rules/async_lane.py): enough to read out what they said."""
WARNING_SHARE = 0.2
EXTRA_S = 30.0

ON_TIME, WARNING, OVER = "on time", "warning", "over"


class Slot:
    """One place in the speaking order and what has happened in it so far."""

    __slots__ = ("asynchronous", "late", "skipped", "speaker", "spoken_s", "timebox_s")

    def __init__(self, speaker: str, *, late: bool = False, skipped: bool = False,
                 asynchronous: bool = False) -> None:
        """A slot nobody has spoken in yet (its timebox is set when it starts)."""
        self.speaker = speaker
        self.late = late
        self.skipped = skipped
        self.asynchronous = asynchronous
        self.timebox_s: float | None = None
        self.spoken_s = 0.0


class View(NamedTuple):
    """Everything a screen shows about the round at one instant."""

    speaker: str | None
    next_speaker: str | None
    position: int
    speakers: int
    timebox_s: float
    elapsed_s: float
    remaining_s: float
    state: str
    round_s: float
    round_elapsed_s: float
    paused: bool
    finished: bool
    extended_s: float = 0.0
    min_turn_s: float = 0.0

    @property
    def round_remaining_s(self) -> float:
        """Round time left (negative when the whole round has run over)."""
        return self.round_s - self.round_elapsed_s


class PulseRound:
    """A timed round over a speaking order, driven by keys and read through a clock."""

    def __init__(self, order: Sequence[str], round_s: float, clock: Clock,
                 absent: Iterable[str] = (), min_turn_s: float = 0.0,
                 asynchronous: Iterable[str] = ()) -> None:
        """Prepare the round; names in `absent` start skipped (away today); every turn gets `min_turn_s`.

        Names in `asynchronous` checked in before the round: their turns are async ones.
        """
        gone = {n.casefold() for n in absent}
        ahead = {n.casefold() for n in asynchronous}
        self.slots = [Slot(n, skipped=n.casefold() in gone, asynchronous=n.casefold() in ahead)
                      for n in order]
        self.round_s = float(round_s)
        self.min_turn_s = float(min_turn_s)
        self.extended_s = 0.0
        self.clock = clock
        self.index = 0
        self.started = False
        self.finished = False
        self._since: float | None = None

    # ------------------------------------------------------------ reading

    @property
    def paused(self) -> bool:
        """Whether the clock is stopped in the middle of a started round."""
        return self.started and not self.finished and self._since is None

    @property
    def current(self) -> Slot | None:
        """The slot whose turn it is, if the round is under way."""
        if not self.started or self.finished or not self.slots:
            return None
        return self.slots[self.index]

    def elapsed(self, slot: Slot | None = None) -> float:
        """Seconds spoken in a slot (the current one by default), counting a running turn."""
        return _Frozen(self, self.clock()).elapsed(slot or self.current)

    def round_elapsed(self) -> float:
        """Seconds spoken across the whole round so far."""
        return _Frozen(self, self.clock()).round_elapsed()

    def remaining(self) -> float:
        """Seconds left in the current turn (negative when over)."""
        return _Frozen(self, self.clock()).remaining()

    def state(self) -> str:
        """On time, warning (at most a fifth of the timebox left) or over."""
        return _Frozen(self, self.clock()).state()

    def upcoming(self) -> list[Slot]:
        """Slots still to speak after the current one, absent ones left out."""
        return [s for s in self.slots[self.index + 1:] if not s.skipped] if self.started else [
            s for s in self.slots if not s.skipped]

    def view(self) -> View:
        """A consistent picture of the round, every figure read from one clock reading."""
        now = self.clock()
        frozen = _Frozen(self, now)
        slot = self.current
        ahead = self.upcoming()
        speaking = [s for s in self.slots if not s.skipped]
        position = speaking.index(slot) + 1 if slot is not None and slot in speaking else 0
        return View(
            speaker=slot.speaker if slot else None,
            next_speaker=ahead[0].speaker if ahead else None,
            position=position, speakers=len(speaking),
            timebox_s=slot.timebox_s or 0.0 if slot else 0.0,
            elapsed_s=frozen.elapsed(slot), remaining_s=frozen.remaining(),
            state=frozen.state(), round_s=self.round_s, round_elapsed_s=frozen.round_elapsed(),
            paused=self.paused, finished=self.finished, extended_s=self.extended_s,
            min_turn_s=self.min_turn_s)

    def turns(self) -> tuple[Turn, ...]:
        """The round as records: every slot, unreached ones as skipped."""
        from huddle_tui.model.huddle import Turn

        return tuple(Turn(s.speaker, round(s.timebox_s or 0.0, 3), round(self.elapsed(s), 3),
                          skipped=s.skipped or s.timebox_s is None, late=s.late, asynchronous=s.asynchronous)
                     for s in self.slots)

    def mark_async(self, names: Iterable[str]) -> bool:
        """Make the turns still to start async exactly for `names` (a started turn keeps its timebox).

        The round reads the day's check-ins again once it has started: one
        given before its start that the lobby had not seen yet becomes async,
        and one its record dates after the start does not. True when any changed.
        """
        ahead = {n.casefold() for n in names}
        changed = False
        for slot in self.slots:
            wanted = slot.speaker.casefold() in ahead
            if slot.timebox_s is None and slot.asynchronous != wanted:
                slot.asynchronous = wanted
                changed = True
        return changed

    # ------------------------------------------------------------ driving

    def start(self) -> None:
        """Begin the first present speaker's turn (or finish at once with nobody)."""
        if self.started:
            return
        self.started = True
        first = self._next_index(-1)
        if first is None:
            self.finished = True
        else:
            self._begin(first)

    def next(self) -> None:
        """End this turn and start the next present speaker's (or finish the round)."""
        if self.current is None:
            return
        self._stop()
        following = self._next_index(self.index)
        if following is None:
            self.finished = True
        else:
            self._begin(following)

    def back(self) -> None:
        """Return to the previous speaker (bringing them back if they were skipped)."""
        if self.current is None or self.index == 0:
            return
        self._stop()
        previous = self.slots[self.index - 1]
        previous.skipped = False
        self._begin(self.index - 1)

    def toggle_pause(self) -> None:
        """Stop the clock, or start it again from where it stopped."""
        if self.current is None:
            return
        if self._since is None:
            self._since = self.clock()
        else:
            self._stop()

    def add_time(self, seconds: float = EXTRA_S) -> None:
        """Give the current speaker more time (the others' timeboxes shrink to match)."""
        slot = self.current
        if slot is not None and slot.timebox_s is not None:
            slot.timebox_s += seconds

    def skip(self) -> None:
        """Mark the current speaker absent and move on; their share goes to the others."""
        slot = self.current
        if slot is None:
            return
        slot.skipped = True
        self.next()

    def add_latecomer(self, name: str) -> bool:
        """Give someone who just joined a turn at the end; False when they already have one to come."""
        if self.finished:
            return False
        wanted = name.casefold()
        for i, slot in enumerate(self.slots):
            if slot.speaker.casefold() != wanted:
                continue
            if slot is self.current:
                return False
            if not slot.skipped and (i > self.index or not self.started):
                slot.late = True
                return True
            if not slot.skipped:
                return False
            del self.slots[i]
            if self.started and i < self.index:
                self.index -= 1
            break
        self.slots.append(Slot(name, late=True))
        return True

    def finish(self) -> None:
        """End the round now; anyone not reached counts as skipped."""
        if self.current is not None:
            self._stop()
        self.started = self.finished = True

    # ------------------------------------------------------------ internals

    def _next_index(self, after: int) -> int | None:
        """The next slot after `after` whose speaker is present."""
        return next((i for i in range(after + 1, len(self.slots)) if not self.slots[i].skipped), None)

    def _begin(self, index: int) -> None:
        """Start (or resume) the turn at `index`, fixing its timebox the first time."""
        self.index = index
        slot = self.slots[index]
        if slot.timebox_s is None:
            slot.timebox_s = ASYNC_TURN_S if slot.asynchronous else self._share(index)
        self._since = self.clock()

    def _share(self, index: int) -> float:
        """A live turn's timebox from `index`: what is left, less the async turns to come, shared."""
        to_come = [s for s in self.slots[index:] if not s.skipped and s.timebox_s is None]
        ahead = sum(1 for s in to_come if s.asynchronous)
        left = max(0.0, self.round_s - self.round_elapsed() - ahead * ASYNC_TURN_S)
        waiting = (len(to_come) - ahead) or 1
        if left < self.min_turn_s * waiting:
            # The overrun comes out of the round's end, not out of the speakers still to come.
            extra = self.min_turn_s * waiting - left
            self.round_s += extra
            self.extended_s += extra
            left += extra
        return left / waiting

    def _stop(self) -> None:
        """Bank the running part of the current turn and stop the clock."""
        slot = self.current
        if slot is not None and self._since is not None:
            slot.spoken_s += self.clock() - self._since
        self._since = None


class _Frozen:
    """The round's figures at one clock reading, so a view never mixes two instants."""

    def __init__(self, pulse: PulseRound, now: float) -> None:
        """Remember the round and the instant."""
        self.pulse = pulse
        self.now = now

    def elapsed(self, slot: Slot | None) -> float:
        """Seconds spoken in `slot` at this instant."""
        if slot is None:
            return 0.0
        p = self.pulse
        if slot is p.current and p._since is not None:
            return slot.spoken_s + self.now - p._since
        return slot.spoken_s

    def round_elapsed(self) -> float:
        """Seconds spoken in the whole round at this instant."""
        return sum(self.elapsed(s) for s in self.pulse.slots)

    def remaining(self) -> float:
        """The current turn's time left at this instant."""
        slot = self.pulse.current
        if slot is None or slot.timebox_s is None:
            return 0.0
        return slot.timebox_s - self.elapsed(slot)

    def state(self) -> str:
        """On time, warning or over at this instant."""
        slot = self.pulse.current
        if slot is None or slot.timebox_s is None:
            return ON_TIME
        left = self.remaining()
        if left <= 0:
            return OVER
        return WARNING if left <= WARNING_SHARE * slot.timebox_s else ON_TIME


def opening_turn_s(round_s: float, speakers: int, asynchronous: int = 0) -> float:
    """What a live turn starts with before anyone spoke: the round less the async turns, shared.

    The lobby says it ("1:33 a turn to start with"); the round works it out
    again at each turn from what is really left.
    """
    live = speakers - asynchronous
    return max(0.0, round_s - asynchronous * ASYNC_TURN_S) / live if live > 0 else round_s


def countdown(seconds: float) -> str:
    """A countdown as m:ss, rounding up so it reads 0:00 only when time is really up."""
    whole = max(0, math.ceil(seconds - 1e-9))
    return f"{whole // 60}:{whole % 60:02d}"


def duration(seconds: float) -> str:
    """Time spent or overrun as m:ss, rounding down (a second is over only when it has passed)."""
    whole = max(0, math.floor(abs(seconds) + 1e-9))
    return f"{whole // 60}:{whole % 60:02d}"


def spoken_of(spoken_s: float, timebox_s: float) -> str:
    """Time spoken against its timebox, "0:42 of 0:42": one rounding rule for the screen and every file."""
    return f"{duration(spoken_s)} of {duration(timebox_s)}"
