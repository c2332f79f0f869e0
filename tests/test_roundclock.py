"""The round model: timeboxes, pauses and overtime computed from a stepped fake clock."""

from __future__ import annotations

import pytest

from huddle_tui.rules.roundclock import (
    ASYNC_TURN_S,
    ON_TIME,
    OVER,
    WARNING,
    PulseRound,
    countdown,
    duration,
)
from tests.fakeclock import FakeClock


def ms(value: float) -> int:
    """Round to the millisecond, the precision the round promises."""
    return round(value * 1000)


def tick_through(clock: FakeClock, pulse: PulseRound, steps: list[float]) -> None:
    """Advance in irregular steps, reading the view each time as a timer would (reads change nothing)."""
    for step in steps:
        clock.step(step)
        pulse.view()


def test_full_round_with_irregular_ticks_pauses_skip_latecomer_and_overtime() -> None:
    """Every turn's timebox and remaining time follow from the clock alone, to the millisecond."""
    clock = FakeClock()
    pulse = PulseRound(["Ana", "Ben", "Chen", "Dara"], 240.0, clock, absent=["Dara"])
    pulse.start()
    assert pulse.view().speaker == "Ana"
    assert ms(pulse.view().timebox_s) == 80_000  # 240 s ÷ 3 present speakers
    tick_through(clock, pulse, [0.013, 0.25, 7.9, 0.001, 12.0])  # 20.164 s
    assert ms(pulse.remaining()) == 59_836
    pulse.toggle_pause()
    clock.step(600.0)  # a suspended laptop: no time passes for the round
    assert ms(pulse.remaining()) == 59_836
    assert pulse.view().paused
    pulse.toggle_pause()
    tick_through(clock, pulse, [3.333, 0.503])
    assert ms(pulse.remaining()) == 56_000
    pulse.next()  # Ana spoke 24.000 s; 216 s left for Ben and Chen
    assert ms(pulse.view().timebox_s) == 108_000
    assert pulse.add_latecomer("Dara")  # Dara arrives: a turn at the end, late
    assert [s.speaker for s in pulse.upcoming()] == ["Chen", "Dara"]
    tick_through(clock, pulse, [50.0, 36.3995])
    assert pulse.state() == ON_TIME  # 21.6005 s left of 108 s
    clock.step(0.0015)
    assert pulse.state() == WARNING  # 21.599 s ≤ 20 % of 108 s
    assert ms(pulse.remaining()) == 21_599
    clock.step(21.599)
    assert pulse.state() == OVER
    clock.step(12.0)
    assert ms(pulse.remaining()) == -12_000
    assert duration(pulse.remaining()) == "0:12"
    pulse.next()  # Ben spoke 120 s; 96 s left for Chen and Dara
    assert ms(pulse.view().timebox_s) == 48_000
    pulse.add_time()
    assert ms(pulse.view().timebox_s) == 78_000
    clock.step(10.0)
    pulse.skip()  # Chen has to leave after 10 s
    assert pulse.view().speaker == "Dara"
    assert ms(pulse.view().timebox_s) == 86_000
    clock.step(100.0)
    view = pulse.view()
    assert view.state == OVER
    assert ms(view.round_remaining_s) == -14_000  # the whole round is over by 14 s
    pulse.next()
    assert pulse.finished
    turns = {t.speaker: t for t in pulse.turns()}
    spoken = [ms(turns[n].spoken_s) for n in ("Ana", "Ben", "Chen", "Dara")]
    assert spoken == [24_000, 120_000, 10_000, 100_000]
    assert turns["Chen"].skipped and turns["Dara"].late and not turns["Ana"].skipped


def test_back_returns_to_the_previous_turn_and_keeps_its_time() -> None:
    """Back resumes the previous speaker where they stopped, with their timebox unchanged."""
    clock = FakeClock()
    pulse = PulseRound(["Ana", "Ben"], 120.0, clock)
    pulse.start()
    clock.step(30.0)
    pulse.next()
    clock.step(2.0)
    pulse.back()
    assert pulse.view().speaker == "Ana"
    assert ms(pulse.remaining()) == 30_000
    clock.step(5.0)
    pulse.next()
    assert ms(pulse.remaining()) == 88_000  # Ben keeps the timebox fixed when he first started
    assert ms(pulse.view().elapsed_s) == 2_000


def test_back_brings_back_a_skipped_speaker() -> None:
    """Skipping someone by mistake is undone with back."""
    clock = FakeClock()
    pulse = PulseRound(["Ana", "Ben", "Chen"], 90.0, clock)
    pulse.start()
    pulse.next()
    pulse.skip()
    pulse.back()
    assert pulse.view().speaker == "Ben"
    assert not pulse.slots[1].skipped


def test_finish_early_counts_the_unreached_as_skipped() -> None:
    """Ending the round records everyone, so the airtime table has no holes."""
    clock = FakeClock()
    pulse = PulseRound(["Ana", "Ben"], 60.0, clock)
    pulse.start()
    clock.step(5.0)
    pulse.finish()
    turns = [(t.speaker, t.skipped, t.spoken_s) for t in pulse.turns()]
    assert turns == [("Ana", False, 5.0), ("Ben", True, 0.0)]


def test_nobody_present_finishes_at_once() -> None:
    """A round with everyone away cannot hang waiting for a speaker."""
    pulse = PulseRound(["Ana"], 60.0, FakeClock(), absent=["ana"])
    pulse.start()
    assert pulse.finished and pulse.view().speaker is None


def test_latecomer_rules() -> None:
    """A latecomer gets one turn: not the current speaker again, not someone who already spoke."""
    clock = FakeClock()
    pulse = PulseRound(["Ana", "Ben"], 60.0, clock)
    pulse.start()
    assert not pulse.add_latecomer("Ana")
    pulse.next()
    assert not pulse.add_latecomer("ana")
    assert pulse.add_latecomer("Zoe")
    assert [s.speaker for s in pulse.upcoming()] == ["Zoe"]


@pytest.mark.parametrize(("seconds", "down", "spent"), [
    (60.0, "1:00", "1:00"), (59.001, "1:00", "0:59"), (0.0, "0:00", "0:00"), (-12.7, "0:00", "0:12"),
])
def test_clock_texts(seconds: float, down: str, spent: str) -> None:
    """Countdowns round up (0:00 only when time is up); durations round down."""
    assert countdown(seconds) == down
    assert duration(seconds) == spent


def test_heavy_early_overruns_leave_the_last_speakers_their_minimum_turn() -> None:
    """Two long first turns eat the round: the rest still get 20 s each, and the end moves to match."""
    clock = FakeClock()
    pulse = PulseRound(["Ana", "Ben", "Chen", "Dara", "Emeka"], 300.0, clock, min_turn_s=20.0)
    pulse.start()
    assert ms(pulse.view().timebox_s) == 60_000
    clock.step(200.0)  # Ana runs 140 s over
    pulse.next()
    assert ms(pulse.view().timebox_s) == 25_000  # 100 s left ÷ 4: still above the minimum
    assert pulse.view().extended_s == 0.0
    clock.step(95.0)
    pulse.next()  # 5 s left for three speakers: each gets the minimum, the round 55 s more
    view = pulse.view()
    assert (view.speaker, ms(view.timebox_s), ms(view.extended_s)) == ("Chen", 20_000, 55_000)
    assert ms(view.round_s) == 355_000 and ms(view.round_remaining_s) == 60_000
    clock.step(30.0)  # Chen runs 10 s over too: the next two keep their 20 s
    pulse.next()
    assert (ms(pulse.view().timebox_s), ms(pulse.view().extended_s)) == (20_000, 65_000)
    clock.step(5.0)  # Dara finishes early: Emeka gets her 15 s on top
    pulse.next()
    assert (pulse.view().speaker, ms(pulse.view().timebox_s)) == ("Emeka", 35_000)
    assert [ms(t.timebox_s) for t in pulse.turns()] == [60_000, 25_000, 20_000, 20_000, 35_000]


def test_without_a_minimum_an_overrun_can_leave_nothing() -> None:
    """The old arithmetic, kept for a team that sets min_turn_seconds = 0."""
    clock = FakeClock()
    pulse = PulseRound(["Ana", "Ben"], 60.0, clock)
    pulse.start()
    clock.step(90.0)
    pulse.next()
    assert pulse.view().timebox_s == 0.0 and pulse.view().extended_s == 0.0


def test_the_round_bar_says_the_end_moved() -> None:
    """The facilitator reads why the round runs longer than planned."""
    from huddle_tui.tui.screens.timed import round_bar

    clock = FakeClock()
    pulse = PulseRound(["Ana", "Ben", "Chen"], 60.0, clock, min_turn_s=20.0)
    pulse.start()
    clock.step(60.0)
    pulse.next()
    line = round_bar(pulse.view())
    assert line.endswith("\nEnds 0:40 later: 0:20 min. turn")
    assert "Round █" in line and "Round █" not in round_bar(pulse.view(), width=32)


def test_async_turns_take_ten_seconds_and_the_others_share_the_rest() -> None:
    """Two async members of five: their turns are 10 s, the three live ones share 300 − 20 s."""
    clock = FakeClock()
    pulse = PulseRound(["Ana", "Ben", "Chen", "Dara", "Emeka"], 300.0, clock, asynchronous=["ana", "DARA"])
    pulse.start()
    assert pulse.view().speaker == "Ana" and pulse.view().timebox_s == ASYNC_TURN_S
    clock.step(7.0)  # read out in 7 s: the 3 s left go to the live speakers
    pulse.next()
    assert ms(pulse.view().timebox_s) == ms((300.0 - 7.0 - ASYNC_TURN_S) / 3)  # Dara's 10 s kept aside
    clock.step(90.0)
    pulse.next()
    clock.step(95.0)
    pulse.next()
    assert pulse.view().speaker == "Dara" and pulse.view().timebox_s == ASYNC_TURN_S
    clock.step(12.0)  # an async turn can run over like any other
    assert pulse.state() == OVER
    pulse.next()
    assert ms(pulse.view().timebox_s) == ms(300.0 - 7.0 - 90.0 - 95.0 - 12.0)
    pulse.next()
    turns = pulse.turns()
    assert [t.asynchronous for t in turns] == [True, False, False, True, False]
    assert [t.skipped for t in turns] == [False] * 5  # an async turn is a turn taken
    assert [t.timebox_s for t in turns if t.asynchronous] == [ASYNC_TURN_S, ASYNC_TURN_S]


def test_an_async_turn_keeps_ten_seconds_when_the_round_has_run_out() -> None:
    """Past the round's end an async turn is still 10 s; the minimum turn moves the end for the live one."""
    clock = FakeClock()
    pulse = PulseRound(["Ana", "Ben", "Chen"], 60.0, clock, min_turn_s=20.0, asynchronous=["Chen"])
    pulse.start()
    clock.step(80.0)
    pulse.next()
    assert pulse.view().timebox_s == 20.0 and pulse.extended_s == 20.0  # the minimum, not the async 10 s
    pulse.next()
    assert pulse.view().speaker == "Chen" and pulse.view().timebox_s == ASYNC_TURN_S


def test_mark_async_changes_only_the_turns_still_to_start() -> None:
    """A check-in read after the start makes a later turn async; a started turn keeps its timebox."""
    clock = FakeClock()
    pulse = PulseRound(["Ana", "Ben", "Chen"], 90.0, clock, asynchronous=["Ana"])
    pulse.start()
    assert pulse.mark_async(["Chen"]) is True  # Ana's turn has started: it stays async
    assert [s.asynchronous for s in pulse.slots] == [True, False, True]
    assert pulse.mark_async(["Chen"]) is False
    pulse.next()
    assert pulse.view().timebox_s == 90.0 - ASYNC_TURN_S  # Ana read out in no time; Chen's 10 s kept aside
