"""The check-in form makes each choice deliberate: keys, the line of what the team sees, a second ask.

Pilot tests press keys and assert the records written (or not written);
snapshots show the form and the save dialog.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from textual.pilot import Pilot

from huddle_tui.config.team import TeamConfig
from huddle_tui.journal import Journal
from huddle_tui.model.checkin import CheckIn, Concern
from huddle_tui.tui.checkin_form import CheckinForm, FormResult
from huddle_tui.tui.confirm_checkin import ConfirmCheckin
from tests.tui.conftest import DAY
from tests.tui.test_peer_support import form_for, machine


def shared_checkins(team: TeamConfig) -> list[dict[str, object]]:
    """Every live check-in payload in the shared folder."""
    return [r.payload for r in Journal(team).read(("checkin",)).live("checkin")]


async def finish(pilot: Pilot[FormResult]) -> None:
    """Let the save worker finish and its result land."""
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def test_focus_starts_on_the_mood_and_digits_choose_it(team: TeamConfig, tmp_path: Path) -> None:
    """The first key is the mood's: 4 chooses "4 good"; letters and spaces there change nothing."""
    form = form_for(team, tmp_path)
    async with form.run_test(size=(80, 24)) as pilot:
        assert form.focused is form.moods and form.moods.value is None
        await pilot.press(*"so so", "space")
        assert form.moods.value is None  # the RadioSet chose "1 struggling" on a space here
        await pilot.press("4")
        assert form.moods.value == 4
        await pilot.press("left")
        assert form.moods.value == 3


async def test_keys_in_a_text_field_change_no_other_field(team: TeamConfig, tmp_path: Path) -> None:
    """Digits and spaces typed in the status stay there: the mood and the sharing do not move."""
    form = form_for(team, tmp_path)
    async with form.run_test(size=(80, 24)) as pilot:
        await pilot.press("3")
        form.status.focus()
        await pilot.press(*"1 of 2 done ", "5")
        await pilot.pause()
        assert form.status.value == "1 of 2 done 5" and form.moods.value == 3
        assert form._visibility() == "team"
        form.concern_text.focus()
        await pilot.press(*"a 2 b")
        assert form.concern_text.value == "a 2 b" and form.moods.value == 3


async def test_saving_shows_what_the_team_sees_and_waits_for_enter(team: TeamConfig,
                                                                   tmp_path: Path) -> None:
    """ctrl+s shows one line; Esc goes back with nothing written; Enter writes it."""
    form = form_for(team, tmp_path, name="Ana")
    async with form.run_test(size=(80, 24)) as pilot:
        await pilot.press("4")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(form.screen, ConfirmCheckin)
        line = str(form.screen.query_one("#confirm-line").render())
        assert line == "Ana · 4 good · by name — the team sees this with your name"
        await pilot.press("escape")
        await finish(pilot)
        assert not isinstance(form.screen, ConfirmCheckin) and shared_checkins(team) == []
        await pilot.press("ctrl+s")
        await pilot.pause()
        await pilot.press("enter")
        await finish(pilot)
    assert [(p["member"], p["mood"], p["visibility"]) for p in shared_checkins(team)] == [("Ana", 4, "team")]


async def test_anonymous_sharing_says_totals_of_three(team: TeamConfig, tmp_path: Path) -> None:
    """Chosen anonymously, the line says so; nothing with the name goes to the shared folder."""
    form = form_for(team, tmp_path, name="Ana")
    async with form.run_test(size=(80, 24)) as pilot:
        await pilot.press("2")
        form.sharing.focus()
        await pilot.press("down", "enter")  # the second choice: anonymously
        await pilot.press("ctrl+s")
        await pilot.pause()
        line = str(form.screen.query_one("#confirm-line").render())
        assert line.startswith("Ana · 2 low · anonymously") and "totals of 3+" in line
        await pilot.press("enter")  # anonymous: no second question
        await finish(pilot)
    assert all("mood" not in p for p in shared_checkins(team))  # the placeholder only; the answer waits


async def test_a_low_mood_by_name_asks_once_more(team: TeamConfig, tmp_path: Path) -> None:
    """1 struggling by name: the first Enter asks again; the second saves it by name."""
    form = form_for(team, tmp_path, name="Ana")
    async with form.run_test(size=(80, 24)) as pilot:
        await pilot.press("1", "ctrl+s")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(form.screen, ConfirmCheckin) and shared_checkins(team) == []
        assert "cannot be taken back" in str(form.screen.query_one("#confirm-again").render())
        await pilot.press("enter")
        await finish(pilot)
    assert [(p["mood"], p["visibility"]) for p in shared_checkins(team)] == [(1, "team")]


async def test_a_low_mood_by_name_can_go_anonymously_instead(team: TeamConfig, tmp_path: Path) -> None:
    """At the second question `a` saves it anonymously: no named mood is ever written."""
    form = form_for(team, tmp_path)
    async with form.run_test(size=(80, 24)) as pilot:
        await pilot.press("1", "ctrl+s")
        await pilot.pause()
        await pilot.press("enter", "a")
        await finish(pilot)
    payloads = shared_checkins(team)
    assert [p["visibility"] for p in payloads] == ["withheld"] and all("mood" not in p for p in payloads)
    assert form.return_value is not None and form.return_value.saved is not None
    assert form.return_value.saved.checkin.visibility == "anonymous"


async def test_the_form_keeps_what_it_does_not_change(team: TeamConfig, tmp_path: Path) -> None:
    """Checked in with a concern; the form changes only the mood: status and concern stay, version 2."""
    journal = machine(team, tmp_path, "Ana")
    journal.save_checkin(CheckIn(DAY.isoformat(), 3, "Ana", "reviewing", (Concern.new("flaky CI"),)))
    form = form_for(team, tmp_path, current=journal.current("Ana", DAY.isoformat()).checkin)
    async with form.run_test(size=(80, 24)) as pilot:
        assert form.moods.value == 3
        await pilot.press("4", "ctrl+s")
        await pilot.pause()
        await pilot.press("enter")
        await finish(pilot)
    (payload,) = shared_checkins(team)
    assert (payload["mood"], payload["status"]) == (4, "reviewing")
    assert [c["text"] for c in payload["concerns"]] == ["flaky CI"]  # type: ignore[attr-defined]


SnapCompare = Callable[..., bool]


@pytest.mark.parametrize("low", [False, True], ids=["confirm", "ask-again"])
def test_snapshot_save_dialog(snap_compare: SnapCompare, team: TeamConfig, tmp_path: Path, low: bool) -> None:
    """The line of what the team sees over the form; for a low mood by name, the second question."""
    form: CheckinForm = form_for(team, tmp_path)

    async def to_dialog(pilot: Pilot[FormResult]) -> None:
        """A mood and a status, then ctrl+s (and Enter once for the low mood)."""
        await pilot.press("1" if low else "4")
        form.status.focus()
        await pilot.press(*"shipping the importer")
        await pilot.press("ctrl+s")
        await pilot.pause()
        if low:
            await pilot.press("enter")
            await pilot.pause()

    assert snap_compare(form, terminal_size=(80, 24), run_before=to_dialog)
