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
