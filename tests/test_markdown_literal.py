"""No name or text can restructure the Markdown the app writes: read back by markdown-it-py, in
CommonMark and with GFM's tables and strikethrough, each name stays plain text where it was put."""

from __future__ import annotations

from hypothesis import assume, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from markdown_it.token import Token

from huddle_tui.rules.summary import ConcernLine, Summary, render_text
from huddle_tui.sync.webhooks import note_payload, payload
from huddle_tui.text import markdown_literal, printable

PARSERS = {"commonmark": MarkdownIt("commonmark"),
           "gfm": MarkdownIt("commonmark").enable(["table", "strikethrough"])}
NAMES = ["1. Ana", "+ Ben", "# Chen", "~~x~~", "a|b", "- Dara", "> Emeka", "2) Fatima", "===", "* Gus",
         "    Hana", "**Ivo**", "`Jo`", "### Kai #", "<b>Lin</b>"]
# Text with every mark Markdown knows, and digits, spaces and tabs to start lists and code with.
marked = st.text(alphabet="1290.)-+*#>=~|_`[]()<>!&\\:; \taZé😀\u202e\u200b\x1b", max_size=24)


def shown(value: str) -> str:
    """What a reader must see for `value`: the printable text, without surrounding spaces."""
    return printable(value).strip(" \t")


def literal(children: list[Token]) -> str:
    """The text of an inline run, failing on anything but text (no strike, link, emphasis, code, HTML)."""
    assert all(c.type == "text" for c in children), [c.type for c in children]
    return "".join(c.content for c in children)


def outline(source: str, parser: str) -> list[tuple[str, str]]:
    """(what holds it, its text) for every run of inline text: "item", "cell", "heading" or "paragraph"."""
    tokens = PARSERS[parser].parse(source)
    out, holders = [], []
    for t in tokens:
        if t.nesting == 1:
            holders.append(t.type.removesuffix("_open"))
        elif t.nesting == -1:
            holders.pop()
        elif t.type == "inline":
            where = ("item" if "list_item" in holders else "cell" if {"td", "th"} & set(holders)
                     else holders[-1])
            out.append((where, literal(t.children or [])))
    return out


@settings(max_examples=200, deadline=None)
@given(text=marked, other=marked)
def test_any_text_stays_one_list_item_one_table_cell_and_one_line(text: str, other: str) -> None:
    """As a list item's start, inside a table cell and at a line's start: literal text, nothing more."""
    assume(shown(text) and shown(other))  # no name or record text is blank: an empty one is left out
    lit, lit_other = markdown_literal(text), markdown_literal(other)
    for parser in PARSERS:
        assert outline(f"- {lit}\n- {lit_other}\n", parser) == [("item", shown(text)),
                                                                  ("item", shown(other))]
        assert outline(f"{lit} + {lit_other}\n", parser) == [("paragraph", f"{shown(text)} + {shown(other)}")]
    table = outline(f"| name | note |\n|---|---|\n| {lit} | {lit_other} |\n", "gfm")
    assert table == [("cell", "name"), ("cell", "note"), ("cell", shown(text)), ("cell", shown(other))]


def hostile_summary() -> Summary:
    """A summary whose members are named like Markdown."""
    return Summary(team="# Team | ~~x~~", date="2026-11-26", facilitator="1. Ana", next_facilitator="+ Ben",
                   expected=len(NAMES), checked_in=NAMES, moods={3: len(NAMES)},
                   statuses={n: f"{n} said 1. ok" for n in NAMES},
                   concerns=[ConcernLine("~~gone~~ | a", "blocker", "# Chen", "a|b", "open")],
                   airtime=[{"speaker": n, "spoken_s": 10.0, "timebox_s": 20.0, "skipped": False}
                            for n in NAMES], round_s=300.0, total_s=150.0)


def test_members_named_like_markdown_stay_names_in_the_summary() -> None:
    """`1. Ana`, `+ Ben`, `# Chen`, `~~x~~`, `a|b`: each its own bullet, as typed, in both dialects."""
    source = render_text(hostile_summary(), markdown=True)
    for parser in PARSERS:
        found = outline(source, parser)
        assert found[0] == ("heading", "# Team | ~~x~~ — huddle 2026-11-26")
        items = [text for where, text in found if where == "item"]
        assert [i for i in items if "said" in i] == [f"{shown(n)}: {shown(n)} said 1. ok" for n in NAMES]
        airtime = [f"{shown(n)}: 0:10 of 0:20" for n in NAMES]
        assert [i for i in items if i.endswith("0:10 of 0:20")] == airtime
        assert "[blocker] ~~gone~~ | a (# Chen) → follow-up: a|b (open)" in items
        assert ("paragraph", "Facilitator: 1. Ana") in found
        assert ("paragraph", "Next facilitator: + Ben") in found


def test_chat_markdown_keeps_names_as_names() -> None:
    """Mattermost and Discord: the summary and a buddy round, with names that look like Markdown."""
    for fmt, field in (("mattermost", "text"), ("discord", "content")):
        summary = payload(fmt, hostile_summary())[field].replace("\n", "\n\n")  # a line each, as shown
        for parser in PARSERS:
            items = [text for where, text in outline(summary, parser) if where == "item"]
            assert f"{NAMES[0]}: {NAMES[0]} said 1. ok" in items and "~~x~~: 0:10 of 0:20" in items
        pairs = note_payload(fmt, "Buddy pairs", [" + ".join(NAMES[i:i + 2]) for i in range(0, 14, 2)],
                             lambda n: f"{n} more")[field]
        title, groups = pairs.split("\n", 1)
        assert title == "**Buddy pairs**"
        for parser in PARSERS:
            found = outline(groups.replace("\n", "\n\n"), parser)  # a line each, as the chat shows them
            assert found[0] == ("paragraph", "1. Ana + + Ben")
            assert found == [("paragraph", " + ".join(NAMES[i:i + 2]).strip()) for i in range(0, 14, 2)]
