"""The stage view: name and time in block letters for a shared screen, the same keys, the same records."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from textual.pilot import Pilot

from huddle_tui.config.team import TeamConfig, load_team_config, team_config_to_toml, with_members, write_toml
from huddle_tui.config.user import UserConfig
from huddle_tui.journal import Journal
from huddle_tui.model.huddle import Huddle, Turn
from huddle_tui.tui.app import HuddleApp
from huddle_tui.tui.screens.round import RoundScreen
from huddle_tui.tui.widgets import block_font, stage_font, stage_glyphs
from huddle_tui.tui.widgets.stage_board import BlockText, StageBoard
from tests.fakeclock import FakeClock
from tests.tui.conftest import DAY, MADE, fixed_now
from tests.tui.helpers import open_round, screen_text, settle

KEYS = ("4", "space", "3", "plus", "s", "b", "5", "space", "e")
Recorded = tuple[str, tuple[str, ...], tuple[Turn, ...], bool, list[tuple[str, int | None, str]]]


def stage_app(make_app: MADE) -> HuddleApp:
    """An app whose rounds open in the stage view, as `huddle --stage` makes it."""
    app = make_app()
    app.stage_view = True
    return app


async def test_v_switches_to_the_stage_view_and_back(make_app: MADE, clock: FakeClock) -> None:
    """v shows the speaker and the time in block letters and hides the boxes; v again brings them back."""
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_round(pilot)
        assert screen.query_one(StageBoard).region.height == 0
        await pilot.press("v")
        await pilot.pause()
        board = screen.query_one(StageBoard)
        assert board.region.height > 0 and screen.query_one("#round").region.height == 0
        text = screen_text(app)
        speaker = screen.pulse.view().speaker
        assert speaker is not None
        name = screen.query_one("#stage-name", BlockText)
        assert name.text == speaker and not str(name.render()).strip()  # pixels are cells, not glyphs
        spans = name.render().spans
        assert spans and {span.style for span in spans} == {"reverse"}
        assert "ON TIME" in text and "Next: " in text and f"Now speaking {speaker} · turn 1 of 5" in text
        assert not set("╭╮╰╯│─┃━═║") & set(text)  # no thin lines: they blur first on a call
        await pilot.press("4")
        await settle(pilot)
        assert "mood 4 good" in screen_text(app)  # a key's effect shows in the stage view too
        await pilot.press("v")
        await pilot.pause()
        assert screen.query_one("#round").region.height > 0 and board.region.height == 0


async def test_stage_view_says_each_state_in_words(make_app: MADE, clock: FakeClock) -> None:
    """On time, wrap up, over and paused are each written under the time, not only coloured."""
    app = stage_app(make_app)
    async with app.run_test(size=(64, 20)) as pilot:
        screen = await open_round(pilot)
        line = screen.query_one("#stage-state")
        seen = []
        for step, key in ((0.0, None), (50.0, None), (20.0, None), (0.0, "p")):
            clock.step(step)
            if key:
                await pilot.press(key)
            screen.tick()
            await pilot.pause()
            seen.append(str(line.render()).split(" ")[0])
        assert seen == ["ON", "WRAP", "OVER", "PAUSED"]


def team_in(folder: Path) -> TeamConfig:
    """The five-person team of the `team` fixture, in a shared folder of its own."""
    folder.mkdir()
    base = with_members(TeamConfig(name="Platform", members=(), shared_dir=folder),
                        ["Ana", "Ben", "Chen", "Dara", "Emeka"])
    write_toml(folder / "huddle.toml", team_config_to_toml(base))
    return load_team_config(folder / "huddle.toml")


async def round_by_keys(team: TeamConfig, stage: bool) -> Recorded:
    """Run a round by KEYS in one view; return the turns and check-ins it recorded."""
    clock = FakeClock()
    journal = Journal(team, now=fixed_now, durable=False)
    app = HuddleApp(team, UserConfig(), today=DAY, clock=clock, journal=journal, stage_view=stage)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_round(pilot)
        assert screen.has_class("-stage-view") is stage
        for key in KEYS:
            clock.step(10.0)
            await pilot.press(key)
        await settle(pilot)
    journal = Journal(team)
    history = journal.read()
    (held,) = [Huddle.from_payload(DAY.isoformat(), r.payload) for r in history.live("huddle")]
    checkins = sorted((c.member or "", c.mood, c.source) for c in journal.checkins(history))
    return held.facilitator, held.order, held.turns, held.ended_at is not None, checkins


async def test_the_same_keys_write_the_same_records(tmp_path: Path) -> None:
    """Mood, next, +30 s, skip, back and end save in the stage view just what they save in the normal one."""
    normal = await round_by_keys(team_in(tmp_path / "normal"), stage=False)
    staged = await round_by_keys(team_in(tmp_path / "stage"), stage=True)
    assert staged == normal
    _, order, turns, ended, checkins = normal
    assert ended and checkins == [(order[0], 4, "tui"), (order[1], 5, "tui")]
    spoken = {t.speaker: (t.spoken_s, t.timebox_s, t.skipped) for t in turns}
    assert spoken[order[0]] == (20.0, 60.0, False)
    assert spoken[order[1]] == (50.0, 100.0, False)  # +30 s on a 70 s turn; skipped, then back
    assert spoken[order[2]][0] == 20.0 and spoken[order[3]][2] and spoken[order[4]][2]


@pytest.mark.parametrize("size", [(64, 20), (80, 24), (200, 60)], ids=lambda s: f"{s[0]}x{s[1]}")
def test_snapshot(snap_compare: Callable[..., bool], make_app: MADE, clock: FakeClock,
                  size: tuple[int, int]) -> None:
    """The stage view fills each size: block-letter name and time, state, next and progress in words."""

    async def before(pilot: Pilot[int]) -> None:
        """The first turn, 12.3 s in, mood given."""
        await open_round(pilot)
        clock.step(12.3)
        await pilot.press("4")
        await settle(pilot)
        screen = pilot.app.screen
        assert isinstance(screen, RoundScreen)
        screen.tick()
        await pilot.pause()

    app = make_app()
    app.stage_view = True
    assert snap_compare(app, terminal_size=size, run_before=before)


def test_block_letters_keep_what_the_font_lacks_at_normal_size() -> None:
    """Lower case is drawn as capitals; an accented or CJK letter stays, at normal size, on the middle row."""
    lines = block_font.draw("Zoë 李", 1)
    assert len(lines) == block_font.ROWS
    assert lines == block_font.draw("ZOë 李", 1)
    middle = lines[block_font.ROWS // 2]
    assert "ë" in middle and "李" in middle
    assert all("ë" not in line for i, line in enumerate(lines) if i != block_font.ROWS // 2)
    widths = {block_font.text_width("Zoë 李", 1)} | {sum(block_font.cells(c) for c in line) for line in lines}
    assert len(widths) == 1  # every row as wide as the measure says, so centring is exact


@pytest.mark.parametrize(("width", "height"), [(62, 9), (80, 10), (196, 26), (30, 5), (10, 3)])
def test_a_name_is_drawn_as_large_as_fits(width: int, height: int) -> None:
    """The scale chosen never overflows the box; when nothing fits the caller shows plain text."""
    for name in ("Ana", "Fatima", "Christopher", "Maximilian-Wolfgang"):
        scale = block_font.fit(name, width, height)
        if scale is None:
            assert block_font.text_width(name, 1, 1) > width or height < block_font.ROWS
            continue
        k, wide = scale
        lines = block_font.draw(name, k, wide)
        assert len(lines) <= height and max(len(line) for line in lines) <= width
        bigger = block_font.fit(name, width * 10, height * 10)
        assert bigger is not None and bigger[0] >= k


def test_the_stage_font_has_whole_glyphs() -> None:
    """Every glyph of the 5×7 font and of the typeface at each size is whole rows of one width."""
    for ch, shape in stage_font.LARGE.items():
        assert len(shape) == 7 and len({len(row) for row in shape}) == 1, ch
        assert set("".join(shape)) <= {"#", " "}, ch
    assert set("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789:+") <= set(stage_font.LARGE)
    assert stage_font.caps() == tuple(sorted(stage_glyphs.CAPS))
    for cap in stage_glyphs.CAPS:  # the typeface's, made by benchmarks/make_stage_glyphs.py
        above, below = stage_glyphs.EXTENT[cap]
        for ch, shape in stage_glyphs.GLYPHS[cap].items():
            assert len(shape) == above + cap + below and len({len(row) for row in shape}) == 1, (cap, ch)
            assert set("".join(shape)) <= {"#", " "}, (cap, ch)
            assert ch == " " or "#" in "".join(shape[above:above + cap + below]), (cap, ch)
        assert set(stage_font.LARGE) <= set(stage_glyphs.GLYPHS[cap])
    heights = [max(len(shape[0]) for shape in stage_glyphs.GLYPHS[cap].values()) for cap in stage_glyphs.CAPS]
    assert heights == sorted(heights)  # a larger cap height is a larger letter


def test_an_accent_is_drawn_over_its_letter() -> None:
    """Zoë is drawn ZOË, the line taller by the accent's rows; no letter is left at normal size."""
    font = stage_font.font_for("Zoë")  # the 5×7 letters: two dots over the E, then a blank row
    assert block_font.rows_of(font) == 9 and stage_font.font_for("Zoe") is stage_font.LARGE
    lines = block_font.draw("Zoë", 1, 1, font)
    assert "ë" not in "".join(lines) and "E" not in "".join(lines)
    e_at = block_font.text_width("Zo", 1, 1, font) + 1  # where the third glyph starts
    assert lines[0][e_at:e_at + 5] == " █ █ " and lines[1].strip() == ""
    for cap in stage_font.caps():  # the typeface: its accent rows kept only when needed
        typeface = stage_font.typeface_for("Zoë", cap)
        assert block_font.rows_of(typeface) > block_font.rows_of(stage_font.typeface_for("Zoe", cap)) == cap
        drawn = stage_font.draw("Zoë", stage_font.Scale(typeface, 1, 1, 0))
        assert "ë" not in "".join(drawn) and "█" in drawn[0]


@pytest.mark.parametrize(("text", "width", "height", "rows"), [
    ("Chen", 160, 27, 20), ("Chen", 121, 27, 14), ("Chen", 80, 15, 10), ("Chen", 76, 15, 7),
    ("Chen", 80, 14, 7), ("Chen", 80, 9, 7), ("Chen", 80, 7, 5), ("Chen", 80, 4, None), ("Zoë", 80, 8, 5),
    ("Zoë", 80, 18, 13), ("Christopher", 60, 7, 5)])
def test_the_stage_font_falls_back_to_the_small_one(text: str, width: int, height: int,
                                                    rows: int | None) -> None:
    """The typeface at its largest size leaving 5 rows blank, else 5×7 with a row to spare; 3×5; None."""
    found = stage_font.fit(text, width, height)
    if rows is None:
        assert found is None
        return
    assert found is not None
    lines = stage_font.draw(text, found)
    assert block_font.rows_of(found.font) == rows and len(lines) <= height - (rows > 5)
    assert all(len(line) == len(lines[0]) == stage_font.width_of(text, found) for line in lines)
    assert max(len(line) for line in lines) <= width


def typeface_fits(text: str, cap: int, width: int, height: int) -> bool:
    """Whether `text` in the typeface at `cap` fits width × height, its share of rows left blank."""
    face = stage_font.Scale(stage_font.typeface_for(text, cap), 1, 1, 0)
    room = height - stage_font.BLANK
    return block_font.rows_of(face.font) <= room and stage_font.width_of(text, face) <= width


@pytest.mark.parametrize("size", [(64, 20), (80, 24), (120, 36), (200, 60)], ids=lambda s: f"{s[0]}x{s[1]}")
async def test_the_scale_fills_the_space_and_never_overflows(make_app: MADE, clock: FakeClock,
                                                           size: tuple[int, int]) -> None:
    """At each size, every name and time is drawn inside its box, a row to spare, no larger size fitting.

    The boxes are the stage view's own at that terminal size; the names are
    short, long, hyphenated and accented. On a 200×60 terminal the time is
    drawn at the typeface's largest size and a short name nearly so: the
    letters grow with the screen (OCR through a call reads them by it).
    """
    app = stage_app(make_app)
    async with app.run_test(size=size) as pilot:
        screen = await open_round(pilot)
        boxes = {box.id: box.content_size for box in screen.query(BlockText)}
    texts = ["Jo", "Zoë", "Ana", "Chen", "Fatima", "Oluwaseun", "Anne-Marie", "Christopher", "Maximilian",
             "Valentina", "Björn", "Joao", "Wanjiru", "0:07", "1:59", "+0:12", "+12:34"]
    for box_id, box in boxes.items():
        for text in texts:
            scale = stage_font.fit(text, box.width, box.height)
            assert scale is not None, (size, text)
            lines = stage_font.draw(text, scale)
            assert len(lines) < box.height and max(len(line) for line in lines) <= box.width, (size, text)
            chosen = [cap for cap in stage_font.caps() if stage_font.typeface_for(text, cap) == scale.font]
            fitting = [cap for cap in stage_font.caps() if typeface_fits(text, cap, box.width, box.height)]
            assert chosen == fitting[-1:], (size, box_id, text)  # the largest that fits, or none and 5×7
        if size == (200, 60):
            time = stage_font.fit("0:59", box.width, box.height)
            assert time is not None and block_font.rows_of(time.font) == max(stage_font.caps()), box_id
            assert 2 * block_font.rows_of(time.font) > box.height  # the letters fill the box's height
