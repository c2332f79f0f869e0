"""Chat posts never drop people silently: each fits its platform as the platform counts, and a post
cut short says how many groups it left out and where to see them."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from huddle_tui.config.team import load_team_config, team_config_to_toml, write_toml
from huddle_tui.sync.outbox import Outbox
from huddle_tui.sync.webhooks import (
    DISCORD_MAX,
    MATTERMOST_MAX,
    SLACK_MAX_BLOCKS,
    SLACK_SECTION_MAX,
    TEAMS_MAX_BYTES,
    body_bytes,
    note_payload,
)
from tests.conftest import cli

MONDAY = "2026-11-23"
FORMATS = ("slack", "teams", "mattermost", "discord")
LEFT_OUT = re.compile(r"… (\d+) more groups?: run `huddle pairs --date 2026-11-23`")


def note(left: int) -> str:
    """The line a cut buddy-round post ends with (as `huddle pairs --post` words it)."""
    return f"… {left} more {'group' if left == 1 else 'groups'}: run `huddle pairs --date {MONDAY}`"


def lines_of(fmt: str, body: dict[str, Any]) -> list[str]:
    """The lines a post shows under its title, in order."""
    if fmt == "slack":
        sections = [b["text"]["text"] for b in body["blocks"] if b["type"] == "section"]
        return [line for text in sections for line in text.split("\n")]
    if fmt == "teams":
        return [b["text"] for b in body["attachments"][0]["content"]["body"][1:]]
    text: str = body["text"] if fmt == "mattermost" else body["content"]
    return text.split("\n")[1:]


def within_limits(fmt: str, body: dict[str, Any]) -> None:
    """The platform's own count: code points (Discord, Mattermost), section text (Slack), bytes (Teams)."""
    if fmt == "discord":
        assert len(body["content"]) <= DISCORD_MAX
    elif fmt == "mattermost":
        assert len(body["text"]) <= MATTERMOST_MAX
    elif fmt == "slack":
        assert len(body["blocks"]) <= SLACK_MAX_BLOCKS
        sections = [b["text"]["text"] for b in body["blocks"] if b["type"] == "section"]
        assert all(len(text) <= SLACK_SECTION_MAX for text in sections)
    else:
        assert len(body_bytes(body)) <= TEAMS_MAX_BYTES


def accounted(fmt: str, body: dict[str, Any], groups: int) -> int:
    """How many groups a post shows whole, checking that it says how many more there are."""
    shown = lines_of(fmt, body)
    left = 0
    if shown and LEFT_OUT.fullmatch(shown[-1].replace("\\", "")):
        left = int(LEFT_OUT.fullmatch(shown[-1].replace("\\", ""))[1])  # type: ignore[index]
        shown = shown[:-1]
    assert len(shown) + left == groups, (len(shown), left)
    return len(shown)


def test_pairs_post_for_60_members_names_every_group_or_says_how_many_are_left_out(
        shared: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """60 long names: every format fits its limit, and shown groups + groups said left out = 30."""
    names = [f"Member {i:02d} 🙂 with a display name that is long enough to fill a whole chat line"
             for i in range(60)]
    path = shared / "huddle.toml"
    path.write_text('[team]\nname = "Platform"\n' + "".join(f'\n[[members]]\nname = "{n}"\npairs = true\n'
                                                            for n in names), encoding="utf-8")
    doc = team_config_to_toml(load_team_config(path))
    doc["endpoints"] = [{"url": f"https://chat.invalid/{fmt}", "format": fmt, "name": fmt} for fmt in FORMATS]
    write_toml(path, doc)
    code, _, err = cli(capsys, "pairs", "--post", "--config", str(path), "--date", MONDAY)
    assert code == 0, err
    with Outbox() as outbox:
        bodies = {item.endpoint: json.loads(item.body) for item in outbox.items()}
    assert sorted(bodies) == sorted(FORMATS)
    shown = {}
    for fmt, body in bodies.items():
        within_limits(fmt, body)
        shown[fmt] = accounted(fmt, body, 30)
    assert shown["slack"] == shown["teams"] == 30  # more sections, and bytes as sent: nobody left out
    assert shown["discord"] < shown["mattermost"] < 30  # 2,000 and 4,000 code points: told, not cut mid-name


def sized(fmt: str, lines: list[str], target: int, measure: Any) -> list[str]:
    """`lines` with the last one padded so the post measures exactly `target` (one more, over it)."""
    base = measure(note_payload(fmt, "Buddy pairs", lines, note))
    padded = [*lines[:-1], lines[-1] + "x" * (target - base)]
    assert measure(note_payload(fmt, "Buddy pairs", padded, note)) == target
    return padded


EMOJI_LINES = [f"{'😀' * 30} + {'🎉' * 30}" for _ in range(20)]  # 61 code points, 241 bytes a line


@pytest.mark.parametrize(("fmt", "limit", "measure"), [
    ("discord", DISCORD_MAX, lambda body: len(body["content"])),
    ("mattermost", MATTERMOST_MAX, lambda body: len(body["text"])),
    ("teams", TEAMS_MAX_BYTES, lambda body: len(body_bytes(body))),
])
def test_a_post_at_the_limit_is_whole_and_one_over_says_what_it_left_out(fmt: str, limit: int,
                                                                        measure: Any) -> None:
    """Exactly at the platform's limit (code points, or bytes for Teams) every group is there; one more
    and the last groups give way to the note, which counts them."""
    many = EMOJI_LINES * (4 if fmt == "teams" else 1)
    if fmt == "mattermost":
        many = many * 2
    at = sized(fmt, many, limit, measure)
    body = note_payload(fmt, "Buddy pairs", at, note)
    assert lines_of(fmt, body) == at
    over = [*at[:-1], at[-1] + "x"]
    body = note_payload(fmt, "Buddy pairs", over, note)
    within_limits(fmt, body)
    assert accounted(fmt, body, len(over)) < len(over)


def test_teams_counts_emoji_as_the_bytes_sent_not_as_json_escapes() -> None:
    """An emoji is 4 bytes on the wire (12 as a \\u escape pair): 80 emoji lines fit, all of them."""
    lines = EMOJI_LINES * 4
    body = note_payload("teams", "Buddy pairs", lines, note)
    assert lines_of("teams", body) == lines
    assert len(json.dumps(body)) > TEAMS_MAX_BYTES >= len(body_bytes(body))  # the old estimate would cut


def test_slack_fills_sections_to_3000_characters_as_escaped_and_counts_what_is_left_after_50_blocks() -> None:
    """A section holds lines up to 3,000 characters of its text as sent (& is &amp;, 5 of them); past the
    50 blocks the note says how many groups are left out."""
    line = "&" * 599  # 2,995 characters once escaped
    body = note_payload("slack", "Buddy pairs", [line, "x" * 4], note)
    sections = [b["text"]["text"] for b in body["blocks"] if b["type"] == "section"]
    assert [len(s) for s in sections] == [SLACK_SECTION_MAX]
    body = note_payload("slack", "Buddy pairs", [line, "x" * 5], note)
    assert [len(b["text"]["text"]) for b in body["blocks"] if b["type"] == "section"] == [2995, 5]
    lines = [line] * 60
    body = note_payload("slack", "Buddy pairs", lines, note)
    within_limits("slack", body)
    assert accounted("slack", body, 60) == SLACK_MAX_BLOCKS - 3  # header, note and context blocks
