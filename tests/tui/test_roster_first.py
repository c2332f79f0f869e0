"""The lobby's roster comes first: everyone gets a row before the panels under it take more than one."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from textual.pilot import Pilot

from huddle_tui.config.team import TeamConfig, load_team_config, team_config_to_toml, write_toml
from huddle_tui.demo import NAMES
from huddle_tui.tui.screens.lobby import LobbyScreen
from huddle_tui.tui.widgets.followups import FollowupsPanel
from huddle_tui.tui.widgets.glance import Glance
from huddle_tui.tui.widgets.pairs_line import PairsLine
from huddle_tui.tui.widgets.roster import Roster
from tests.reportkit import Folder, concern
from tests.tui.conftest import DAY, MADE
from tests.tui.helpers import settle

SIZES = [(64, 20), (80, 24)]


def lived_in(team: TeamConfig, size: int) -> TeamConfig:
    """A demo-like team of `size`, all in pairs: three weeks of check-ins, huddles, four open follow-ups."""
    names = NAMES[:size]
    config = team._replace(members=tuple(team.members[0]._replace(name=n, pairs=True) for n in names))
    path = config.shared_dir / "huddle.toml"
    write_toml(path, team_config_to_toml(config))
    config = load_team_config(path)
    f = Folder()
    start = DAY - timedelta(days=21)
    for n in range(22):
        day = start + timedelta(days=n)
        if day.weekday() >= 5:
            continue
        for i, name in enumerate(names):
            if (n + i) % 3:
                owed = [concern(names[(i + 1) % size])] if n in (3, 8, 15, 17) and i < 2 else []
                f.named(day.isoformat(), name, 1 + (n + i) % 5, *owed)
        if day.weekday() == 0:
            f.pairs(config, day.isoformat(), *[tuple(names[k:k + 2]) for k in range(0, size, 2)])
        if day < DAY:
            f.huddle(day.isoformat(), names[n % size], (names[0], 60, 50), (names[1], 60, 70))
    f.write_to(config.shared_dir)
    return config


def shown_names(roster: Roster) -> list[str]:
    """The people whose lines the roster draws now, top to bottom."""
    return [line[2:].split()[0] for line in roster.render().plain.splitlines()]


async def lobby_at(pilot: Pilot[int]) -> LobbyScreen:
    """The lobby with today's plan, the follow-ups, the pairs and the glance read."""
    await settle(pilot)
    await settle(pilot)  # the panels' rows settle, then the roster's fit
    lobby = pilot.app.screen
    assert isinstance(lobby, LobbyScreen) and lobby.query_one(FollowupsPanel).display
    return lobby


async def test_at_80x24_all_eight_are_on_screen_without_scrolling(make_app: MADE, team: TeamConfig) -> None:
    """Eight people, four open follow-ups, pairs, the glance: every roster line drawn, none scrolled off."""
    app = make_app(team_config=lived_in(team, 8))
    async with app.run_test(size=(80, 24)) as pilot:
        lobby = await lobby_at(pilot)
        roster = lobby.roster
        assert sorted(shown_names(roster)) == sorted(NAMES[:8])
        assert roster.spare_rows >= 0 and roster.border_subtitle == ""
        assert roster.region.bottom <= app.size.height - 1  # the footer's row is below it
        panel = lobby.query_one(FollowupsPanel)
        assert panel.folded and panel.outer_size.height == 1  # the largest panel gave up its rows
        assert lobby.query_one(PairsLine).outer_size.height == 1


async def test_the_panels_fold_and_unfold_with_the_terminal(make_app: MADE, team: TeamConfig) -> None:
    """At 120×40 every panel is in full; at 64×20 each is a line and the roster has the rest; and back."""
    app = make_app(team_config=lived_in(team, 8))
    async with app.run_test(size=(120, 40)) as pilot:
        lobby = await lobby_at(pilot)
        panels = (lobby.query_one(FollowupsPanel), lobby.query_one(Glance))
        assert [p.outer_size.height for p in panels] == [5, 3] and not any(p.folded for p in panels)
        await pilot.resize_terminal(64, 20)
        await settle(pilot)
        assert [p.outer_size.height for p in panels] == [1, 1] and all(p.folded for p in panels)
        assert sorted(shown_names(lobby.roster)) == sorted(NAMES[:8])
        await pilot.resize_terminal(120, 40)
        await settle(pilot)
        assert [p.outer_size.height for p in panels] == [5, 3] and not any(p.folded for p in panels)


async def test_twelve_at_64x20_show_as_many_as_fit_and_say_how_many(make_app: MADE, team: TeamConfig) -> None:
    """Twelve people cannot fit 64×20: the panels are a line each, the roster's border says which it shows."""
    app = make_app(team_config=lived_in(team, 12))
    async with app.run_test(size=(64, 20)) as pilot:
        lobby = await lobby_at(pilot)
        roster = lobby.roster
        assert len(shown_names(roster)) == roster.content_size.height == 8
        assert roster.border_subtitle == "1–8 of 12 · ↑↓"
        roster.focus()
        await pilot.press("end")
        assert roster.border_subtitle == "5–12 of 12 · ↑↓" and shown_names(roster)[-1] == lobby._order()[-1]


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("members", [8, 12])
def test_snapshot(snap_compare: Callable[..., bool], make_app: MADE, team: TeamConfig,
                  members: int, size: tuple[int, int]) -> None:
    """The lobby of a lived-in team: the roster first, then each panel in full or as one line."""

    async def ready(pilot: Pilot[int]) -> None:
        """Everything read, the panels folded as the roster needs."""
        await lobby_at(pilot)

    assert snap_compare(make_app(team_config=lived_in(team, members)), terminal_size=size, run_before=ready)
