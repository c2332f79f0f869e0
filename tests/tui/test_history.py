"""History and the lobby's glance: reached by a key, drawn at share sizes, the report's numbers."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from markdown_it import MarkdownIt
from textual.pilot import Pilot

from huddle_tui.config.team import TeamConfig
from huddle_tui.rules.report import period_start
from huddle_tui.rules.report_format import num, pct
from huddle_tui.tui.screens.history import HistoryScreen
from huddle_tui.tui.widgets.glance import Glance
from tests.conftest import cli
from tests.reportkit import Folder, concern
from tests.tui.conftest import DAY, MADE
from tests.tui.helpers import screen_text, settle

SIZES = [(80, 24), (120, 40)]
MOODS = {"Ana": [4, 3, 2, 2, 1], "Ben": [3, 4, 4, 5, 3], "Chen": [5, 5, 4, 4, 4]}


@pytest.fixture
def lived_in(team: TeamConfig) -> TeamConfig:
    """Three weeks before DAY: named moods, a released anonymous day, huddles and follow-ups."""
    f = Folder()
    start = DAY - timedelta(days=21)
    for n in range(21):
        day = start + timedelta(days=n)
        if day.weekday() >= 5:
            continue
        iso = day.isoformat()
        released = n % 7 == 2  # Chen, Dara and Emeka answer anonymously: three candidates, three answers
        for name, moods in MOODS.items():
            if (n + len(name)) % 4 and not (released and name == "Chen"):  # some days missed
                f.named(iso, name, moods[n % 5], *([concern("Dara")] if n == 2 and name == "Ana" else []))
        if released:
            for name, mood in (("Chen", 4), ("Dara", 2), ("Emeka", 3)):
                f.anonymous(iso, name, mood)
        f.huddle(iso, ["Ana", "Ben", "Chen", "Dara", "Emeka"][n % 5], ("Ana", 60, 50 + n), ("Ben", 60, 70))
    f.write_to(team.shared_dir)
    return team


def report_json(capsys: pytest.CaptureFixture[str], *args: str) -> dict[str, object]:
    """`huddle report ... --format json`, parsed."""
    code, out, err = cli(capsys, "report", *args, "--format", "json")
    assert code == 0, err
    data: dict[str, object] = json.loads(out)
    return data


def test_every_format_gives_the_same_numbers(lived_in: TeamConfig, capsys: pytest.CaptureFixture[str],
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """Text, Markdown and CSV show exactly the JSON's figures, period by period."""
    monkeypatch.setenv("HUDDLE_CONFIG", str(lived_in.path))
    window = ("--since", "2026-02-09", "--until", DAY.isoformat(), "--by", "week")
    data = report_json(capsys, *window)
    periods = data["periods"]
    assert isinstance(periods, list) and len(periods) == 4
    assert any(p["anonymous_answers"] for p in periods)  # the released day is in the figures
    texts = {fmt: cli(capsys, "report", *window, "--format", fmt)[1] for fmt in ("text", "markdown", "csv")}
    rows = list(csv.DictReader(io.StringIO(texts["csv"])))
    assert len(rows) == len(periods)
    for p, row in zip(periods, rows, strict=True):
        for key in ("participation", "coverage", "mood_mean", "submitted", "expected", "huddles",
                    "airtime_gini", "followups_open", "low_mood_streaks", "anonymous_answers"):
            assert row[key] == ("" if p[key] is None else str(p[key])), key
        assert row["signposts"] == "not collected"
        shown = [f"{pct(p['participation'])} ({p['submitted']} of {p['expected']} expected",
                 f"{pct(p['coverage'])} (target 60%", f"mean {num(p['mood_mean'])} from {p['mood_answers']}",
                 f"{p['huddles']} held", f"{p['followups_open']} open", f"Gini {num(p['airtime_gini'], 2)}"]
        for text in (texts["text"], texts["markdown"]):
            block = re.split(r"\n(?:## )?\d{4}-W\d\d \(", text.split(f"{p['label']} (", 1)[1])[0]
            for piece in shown:
                assert piece in block, (piece, p["label"])


def test_the_markdown_is_commonmark(lived_in: TeamConfig, capsys: pytest.CaptureFixture[str],
                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """A CommonMark parser finds a title, a heading and a list item per figure a period: no stray markup."""
    monkeypatch.setenv("HUDDLE_CONFIG", str(lived_in.path))
    code, out, _ = cli(capsys, "report", "--since", "2026-02-09", "--until", DAY.isoformat(),
                       "--by", "week", "--format", "markdown")
    assert code == 0
    tokens = MarkdownIt("commonmark").parse(out)
    headings = [t.tag for t in tokens if t.type == "heading_open"]
    assert headings == ["h1"] + ["h2"] * 4
    assert sum(1 for t in tokens if t.type == "list_item_open") == 4 * 11 + 2  # + "what changed"
    html = MarkdownIt("commonmark").render(out)
    assert "<strong>participation</strong>" in html and "|" not in html and "\\" not in html


async def test_history_and_glance_show_the_reports_numbers(
        make_app: MADE, lived_in: TeamConfig, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    """i opens History; it and the lobby's glance show what `huddle report` says for the same weeks."""
    monkeypatch.setenv("HUDDLE_CONFIG", str(lived_in.path))
    since = period_start(DAY, "week") - timedelta(weeks=3)  # History starts at the first record's week
    weekly = report_json(capsys, "--since", since.isoformat(), "--until", DAY.isoformat(), "--by", "week")
    periods = weekly["periods"]
    assert isinstance(periods, list)
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        glance = app.screen.query_one(Glance)
        assert glance.figures is not None
        last4 = periods[-4:]
        assert glance.figures.participation == tuple(p["participation"] for p in last4)
        assert glance.figures.coverage == last4[-1]["coverage"]
        assert glance.figures.open_followups == last4[-1]["followups_open"] == 1
        lobby = screen_text(app)
        assert " ".join(pct(p["participation"]) for p in last4) in lobby.replace("\xa0", " ")
        await pilot.press("i")
        await settle(pilot)
        assert isinstance(app.screen, HistoryScreen)
        shown = screen_text(app)
        for p in periods:
            assert p["label"] in shown
            assert pct(p["participation"]) in shown and num(p["mood_mean"]) in shown
        await pilot.press("escape")
        assert not isinstance(app.screen, HistoryScreen)


def at(size: tuple[int, int], opened: bool) -> Callable[[Pilot[int]], object]:
    """Settle the lobby, and open History when asked."""

    async def before(pilot: Pilot[int]) -> None:
        """Read, and perhaps press i."""
        await settle(pilot)
        if opened:
            await pilot.press("i")
            await settle(pilot)

    return before


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("view", ["lobby_glance", "history"])
def test_snapshot(snap_compare: Callable[..., bool], make_app: MADE, lived_in: TeamConfig,
                  view: str, size: tuple[int, int]) -> None:
    """The lobby with its glance, and History, are complete and readable at this size."""
    assert snap_compare(make_app(), terminal_size=size, run_before=at(size, view == "history"))



async def test_the_glance_reads_a_long_history_a_few_months_per_job(
        make_app: MADE, team: TeamConfig, monkeypatch: pytest.MonkeyPatch) -> None:
    """Months never read go a few per IO job (saves wait behind one step, not all), then the figures."""
    f = Folder()
    for back in range(1, 11):
        day = (DAY.replace(day=1) - timedelta(days=31 * back)).replace(day=10)
        f.named(day.isoformat(), "Ana", 4, concern("Ben"))
    f.write_to(team.shared_dir)
    seen: list[int] = []
    reading = Glance.on_glance_reading

    def spy(self: Glance, message: Any) -> None:
        """Note how many months were left at each step."""
        seen.append(message.months_left)
        reading(self, message)

    monkeypatch.setattr(Glance, "on_glance_reading", spy)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        glance = app.screen.query_one(Glance)
        for _ in range(20):
            await settle(pilot)
            if glance.figures is not None:
                break
        assert seen == [7, 4, 1]  # 10 months, 3 a job
        assert glance.figures is not None and glance.figures.open_followups == 10
        assert "10 open" in screen_text(app)
