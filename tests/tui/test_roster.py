"""The lobby's roster draws only the lines on screen: a 200-person team costs what 20 lines cost."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.content import Content

from huddle_tui.tui.widgets.roster import Roster


class OneRoster(App[None]):
    """Just a roster, to count the lines it makes."""

    def compose(self) -> ComposeResult:
        """The roster alone."""
        yield Roster(id="roster")


async def test_only_the_visible_lines_are_made_and_the_highlight_stays_in_view() -> None:
    """Of 200 people, only those that fit are drawn; moving to the end draws the end, ▶ on the last."""
    made: list[str] = []

    def line(name: str) -> Content:
        """One person's line, counted."""
        made.append(name)
        return Content(name)

    app = OneRoster()
    async with app.run_test(size=(40, 12)) as pilot:
        roster = app.query_one(Roster)
        roster.show([f"Person {i}" for i in range(200)], line)
        await pilot.pause()
        assert 0 < len(set(made)) <= 12 and "Person 0" in made
        roster.focus()
        await pilot.pause()
        made.clear()
        await pilot.press("end")
        await pilot.pause()
        assert 0 < len(set(made)) <= 12 and "Person 199" in made and "Person 0" not in made
        assert "▶ Person 199" in str(roster.render())
