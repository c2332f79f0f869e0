"""Every Markdown the app writes is CommonMark with the structure meant, read by a real parser."""

from __future__ import annotations

from datetime import date

from markdown_it import MarkdownIt
from markdown_it.token import Token

from huddle_tui.config.team import TeamConfig
from huddle_tui.journal import Journal
from huddle_tui.model.checkin import CheckIn, Concern, FollowUp
from huddle_tui.model.huddle import Huddle, Turn
from huddle_tui.rules.summary import render_text

DAY = date(2026, 11, 26)
HOSTILE = "*not bold* `code` <b>html</b> [link](https://x.example) & ~~gone~~ | a \\ b"


def blocks(source: str) -> list[tuple[str, str]]:
    """(block type, its inline text) for each top-level block and list item, as a renderer sees them."""
    out: list[tuple[str, str]] = []
    tokens = MarkdownIt("commonmark").parse(source)
    depth = 0
    for i, t in enumerate(tokens):
        if t.type in ("bullet_list_open", "ordered_list_open"):
            depth += 1
        elif t.type in ("bullet_list_close", "ordered_list_close"):
            depth -= 1
        elif t.type == "inline":
            kind = "item" if depth else tokens[i - 1].type.removesuffix("_open")
            out.append((kind, plain(t.children or [])))
    return out


def plain(children: list[Token]) -> str:
    """The literal text of an inline run; links, HTML or emphasis made from people's text fail the test."""
    made = {c.type for c in children} & {"link_open", "html_inline", "em_open", "strong_open", "code_inline",
                                        "image"}
    assert not made, made
    return "".join(c.content if c.type == "text" else " " for c in children)


def test_the_saved_summary_is_commonmark_with_one_block_for_each_line(team: TeamConfig) -> None:
    """Headings, separate paragraphs, bullets that end where they should; people's text stays literal."""
    journal = Journal(team)
    for name, mood in (("Ana", 4), ("Ben", 3), ("Chen", 5)):
        journal.save_checkin(CheckIn(DAY.isoformat(), mood, name, status=f"{name}: {HOSTILE}"))
    journal.save_concern(Concern.new(HOSTILE, "blocker", followup=FollowUp("Ben")), DAY.isoformat(), "Ana")
    turns = (Turn("Ana", 60.0, 42.9), Turn("Ben", 60.0, 75.2), Turn("Chen", 60.0, 0.0, skipped=True))
    journal.save_huddle(Huddle(DAY.isoformat(), "Ana", ("Ana", "Ben", "Chen"), turns, 180.0,
                               "2026-11-26T09:00:00Z", "2026-11-26T09:03:00Z"))
    source = render_text(journal.summary(DAY), markdown=True)
    found = blocks(source)
    kinds = [k for k, _ in found]
    assert kinds[:4] == ["heading", "paragraph", "paragraph", "paragraph"]
    assert found[1][1].startswith("Facilitator: Ana") and found[2][1].startswith("Check-ins: 3 of 5")
    assert found[-1] == ("paragraph", "Next facilitator: Ben")
    assert ("heading", "Concerns") in found and ("heading", "Airtime") in found
    items = [text for k, text in found if k == "item"]
    assert "Ana — 4 good: Ana: " + HOSTILE in items
    assert f"[blocker] {HOSTILE} (Ana) → follow-up: Ben (open)" in items
    assert "Ana: 0:42 of 1:00" in items and "Chen: skipped" in items
    assert ("paragraph", "Round: 1:58 of 3:00") in found


def test_plain_text_keeps_its_lines(team: TeamConfig) -> None:
    """The text format is unchanged: one line each, no escapes, no blank lines."""
    journal = Journal(team)
    journal.save_checkin(CheckIn(DAY.isoformat(), 4, "Ana", status="a *b*"))
    text = render_text(journal.summary(DAY))
    assert "\n\n" not in text and "  Ana: a *b*" in text.splitlines()
