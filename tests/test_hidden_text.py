"""Text from records is checked like names: a bidi control or an invisible character in a status or a
concern is shown as its code (`\\u202e`) in the CLI, the app, Markdown and every chat format; JSON
stays valid JSON carrying the text as it is."""

from __future__ import annotations

import json
import unicodedata
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from huddle_tui.config.team import TeamConfig
from huddle_tui.journal import Journal
from huddle_tui.model.checkin import CheckIn, Concern, FollowUp
from huddle_tui.sync.webhooks import FORMATS, ZWSP, note_payload, payload
from huddle_tui.text import printable
from huddle_tui.tui.screens.summary import summary_content
from tests.conftest import cli

DAY = date(2026, 11, 26)
# Each character the issue names, and other format (Cf) characters and the line/paragraph separators.
HIDDEN = ["\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069",
          "\u200e", "\u200f", "\u061c", "\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad",
          "\u2028", "\u2029", "\U000e0001"]
STATUS = "invoice\u202egnp.exe \u200bdone \u2066x\u2069"
CONCERN = "see\u200d\u2060 me \ufeff"


def raw_hidden(text: str) -> list[str]:
    """The hidden characters in `text` (our own zero-width space after an @ aside)."""
    return [ch for ch in text.replace("@" + ZWSP, "@") if ch in HIDDEN]


@pytest.mark.parametrize("ch", HIDDEN)
def test_printable_spells_each_hidden_character_as_its_code(ch: str) -> None:
    """`\\u202e` on screen instead of a reversed line; astral ones as `\\U000e0001`."""
    code = f"\\u{ord(ch):04x}" if ord(ch) <= 0xFFFF else f"\\U{ord(ch):08x}"
    assert printable(f"a{ch}b") == f"a{code}b"


def test_printable_keeps_what_draws_and_the_joiner_inside_an_emoji() -> None:
    """Letters, accents, right-to-left letters and emoji stay; a ZWJ between emoji only joins them."""
    for text in ("Zoë 😀 tab\there", "שלום", "مرحبا", "👩‍💻 deep work", "👩🏽‍💻", "❤️‍🔥", "👨‍👩‍👧"):
        assert printable(text) == text
    assert printable("a\u200db") == "a\\u200db" and printable("👩\u200d") == "👩\\u200d"


@given(st.text())
def test_nothing_invisible_or_reordering_survives_printable(text: str) -> None:
    """Any text: no format, control or separator character is left raw but tab and an emoji's ZWJ."""
    shown = printable(text)
    for i, ch in enumerate(shown):
        if ch == "\u200d":
            assert unicodedata.category(shown[i + 1]) == "So"
        else:
            assert ch == "\t" or unicodedata.category(ch) not in ("Cf", "Cc", "Zl", "Zp", "Cs"), hex(ord(ch))
    assert printable(shown) == shown


@pytest.fixture
def hidden_day(team: TeamConfig) -> TeamConfig:
    """A day whose statuses and concerns (from records) hold bidi and invisible characters."""
    journal = Journal(team)
    for name, mood in (("Ana", 4), ("Ben", 3), ("Chen", 5)):
        journal.save_checkin(CheckIn(DAY.isoformat(), mood, name, status=f"{name}: {STATUS}"))
    journal.save_concern(Concern.new(CONCERN, "blocker", followup=FollowUp("Ben")), DAY.isoformat(), "Ana")
    return team


@pytest.mark.parametrize("args", [("summary",), ("summary", "--format", "markdown"),
                                  ("export", "--format", "csv"), ("followups",)])
def test_the_cli_shows_hidden_characters_as_codes(hidden_day: TeamConfig, args: tuple[str, ...],
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    """Text and Markdown outputs: the code, never the character."""
    code, out, err = cli(capsys, *args, "--date", DAY.isoformat(), "--config", str(hidden_day.path)) \
        if args[0] == "summary" else cli(capsys, *args, "--config", str(hidden_day.path))
    assert code == 0, err
    assert raw_hidden(out + err) == []
    assert "\\u202e" in out if args[0] != "followups" else "see\\u200d\\u2060 me \\ufeff" in out


def test_json_stays_json_with_the_text_as_it_is(hidden_day: TeamConfig,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    """JSON is data for programs: valid, and the status exactly as recorded."""
    code, out, err = cli(capsys, "summary", "--json", "--date", DAY.isoformat(),
                         "--config", str(hidden_day.path))
    assert code == 0, err
    assert json.loads(out)["statuses"]["Ana"] == f"Ana: {STATUS}"


def test_every_chat_format_and_the_app_show_the_codes(hidden_day: TeamConfig) -> None:
    """Slack, Teams, Mattermost, Discord (a summary and a buddy round) and the app's summary screen."""
    summary = Journal(hidden_day).summary(DAY)
    for fmt in FORMATS:
        for body in (payload(fmt, summary), note_payload(fmt, "Buddy\u202e pairs", [f"Ana + {STATUS}"],
                                                         lambda n: f"{n} more")):
            text = json.dumps(body, ensure_ascii=False)
            assert raw_hidden(text) == [], fmt
            assert "u202e" in text, fmt
    screen = summary_content(summary).plain
    assert raw_hidden(screen) == [] and "Ana: invoice\\u202egnp.exe \\u200bdone" in screen
