"""The check-in form of a team whose anonymous answers go only to its totals, driven by keys.

A stress answer given in the form, an anonymous concern and the mood ride
in the check-in's one contribution: the shared folder gains no measure
mark, no concern and no anonymous record, and the team's totals open them
the next working day, on `huddle summary` and the app's summary screen.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from huddle_tui import support
from huddle_tui.config.user import UserConfig
from huddle_tui.model.checkin import Concern
from huddle_tui.rules import measures as m
from huddle_tui.tui.checkin_form import CheckinForm
from huddle_tui.tui.screens.summary import summary_content
from tests.totalskit import DAY, NAMES, Homes, distinct_slots
from tests.tui.test_peer_support import saved


async def test_the_form_puts_the_mood_a_concern_and_a_stress_answer_only_in_the_contribution(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Ana answers anonymously by keys; Ben and Chen likewise from the command line; the day opens all."""
    distinct_slots(monkeypatch)
    homes = Homes(tmp_path, monkeypatch)
    homes.keys_ahead()
    journal = homes.journal("Ana", DAY)
    form = CheckinForm(journal, "Ana", DAY, UserConfig(me="Ana"), due=(m.SISQ,))
    async with form.run_test(size=(100, 40)) as pilot:
        await pilot.press("2")
        form.concern_text.focus()
        await pilot.press(*"the deadline is unrealistic")
        form.concern_sharing.value = "anonymous"
        await pilot.press("enter")
        form.query_one("#sisq").focus()
        await pilot.press("down", "down", "down", "enter")  # the fourth answer: 4 "rather much"
        form.sharing.focus()
        await pilot.press("down", "enter")  # anonymously
        await pilot.pause()
        await saved(pilot)
    kinds = {p.parent.parent.name for p in homes.files()}
    assert kinds == {"key", "sharekey", "daykeys", "checkin", "contribution"}
    raw = b"".join(p.read_bytes() for p in homes.files())
    assert b"deadline" not in raw
    for name, words, stress in (("Ben", "two teams ask for the same thing", 5),
                                ("Chen", "no time to learn", 2)):
        support.save_answer(homes.journal(name, DAY), name, m.Answer(m.SISQ, DAY, (stress,)))
        homes.check_in(name, "anonymous", 3, concerns=(Concern.new(words, "concern", "anonymous"),))
    for name in NAMES[3:]:
        homes.check_in(name, "team", 4)
    homes.morning_after()
    totals = homes.totals("Dara")
    assert (totals["answers"], totals["mean"]) == (3, round(8 / 3, 2))
    assert sorted(t["text"] for t in totals["texts"]) == ["no time to learn", "the deadline is unrealistic",
                                                         "two teams ask for the same thing"]
    assert totals["measures"]["sisq"] == {"answers": 3, "mean": 3.7, "past_cutoff": 2, "sum": 11}
    assert json.loads(homes.summary("Dara"))["anonymous_totals"] == totals
    shown = summary_content(homes.journal("Dara", homes.team.next_workday(DAY)).summary(DAY)).plain
    for line in ("Anonymous moods, as the team's total of 3: mean 2.7",
                 "Stress (SISQ, 1–5), as the team's total of 3: mean 3.7, 2 past the cut-off",
                 "[concern] the deadline is unrealistic (anonymous)"):
        assert line in shown  # the app's summary screen reads the same opened totals


async def test_the_form_lists_the_day_s_anonymous_concerns_and_takes_one_back_before_the_cut_off(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Ana gave two concerns anonymously beside her named check-in; the form takes one back by its box.

    The day then opens without it; the next day the form lists the other
    as staying in the day's totals, with no box to tick.
    """
    from textual.widgets import Checkbox, Static

    distinct_slots(monkeypatch)
    homes = Homes(tmp_path, monkeypatch)
    homes.keys_ahead()
    homes.check_in("Ana", "team", 4, concerns=(Concern.new("I might quit", "concern", "anonymous"),
                                                Concern.new("the build is slow", "blocker", "anonymous")))
    journal = homes.journal("Ana", DAY)
    current = journal.current("Ana", DAY.isoformat()).checkin
    form = CheckinForm(journal, "Ana", DAY, UserConfig(me="Ana"), current=current)
    async with form.run_test(size=(100, 40)) as pilot:
        boxes = {str(box.label): box for box in form.query(Checkbox) if box.id and "withdraw" in box.id}
        assert set(boxes) == {"Take back concern: I might quit", "Take back blocker: the build is slow"}
        boxes["Take back concern: I might quit"].focus()
        await pilot.press("space")
        await saved(pilot)
    assert form.return_value is not None and form.return_value.saved is not None
    assert [c.text for c in form.return_value.saved.withdrawn] == ["I might quit"]
    assert [c.text for c in homes.journal("Ana", DAY).given_to_totals("Ana", DAY.isoformat())] == \
        ["the build is slow"]
    for name, words in (("Ben", "b"), ("Chen", "c")):
        homes.check_in(name, "anonymous", 3, concerns=(Concern.new(words, "concern", "anonymous"),))
    for name in NAMES[3:]:
        homes.check_in(name, "team", 4)
    homes.morning_after()
    assert [t["text"] for t in homes.totals("Dara")["texts"]] == ["the build is slow", "b", "c"]
    after = homes.journal("Ana", homes.team.next_workday(DAY))
    late = CheckinForm(after, "Ana", DAY, UserConfig(me="Ana"), current=current)
    async with late.run_test(size=(100, 40)):
        assert not late.query("#withdraw-0")
        shown = " ".join(str(s.render()) for s in late.query(Static))
        assert "The day's total opened: they stay in it as you gave them." in shown
        assert "the build is slow" in shown
