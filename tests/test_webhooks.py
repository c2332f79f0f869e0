"""Chat webhooks: each format's documented shape and limits, and nothing private in any body."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from huddle_tui.config.team import Endpoint, TeamConfig
from huddle_tui.journal import Journal, open_journal
from huddle_tui.model.checkin import CheckIn, Concern
from huddle_tui.model.huddle import Huddle, Turn
from huddle_tui.rules.summary import ConcernLine, Summary
from huddle_tui.sync.engine import sync_once
from huddle_tui.sync.outbox import Outbox
from huddle_tui.sync.webhooks import (
    DISCORD_MAX,
    MATTERMOST_MAX,
    SLACK_HEADER_MAX,
    SLACK_MAX_BLOCKS,
    SLACK_SECTION_MAX,
    TEAMS_MAX_BYTES,
    body_bytes,
    payload,
)
from tests.http_helpers import LiveServer, Receiver, with_endpoints

DAY = "2026-11-26"
PRIVATE = "PRIVATE: my manager makes me anxious"
ANONYMOUS = "the release process is scaring people"


def check_slack(body: dict[str, Any]) -> None:
    """Block Kit for an incoming webhook: text fallback, ≤ 50 blocks, header ≤ 150, sections ≤ 3,000."""
    assert isinstance(body["text"], str) and body["text"]
    blocks = body["blocks"]
    assert 1 <= len(blocks) <= SLACK_MAX_BLOCKS
    assert blocks[0]["type"] == "header" and blocks[0]["text"]["type"] == "plain_text"
    assert len(blocks[0]["text"]["text"]) <= SLACK_HEADER_MAX
    for block in blocks[1:]:
        assert block["type"] in ("section", "context")
        texts = [block["text"]] if block["type"] == "section" else block["elements"]
        for text in texts:
            assert text["type"] == "mrkdwn" and len(text["text"]) <= SLACK_SECTION_MAX
            assert "<" not in text["text"]  # nothing typed can become a link or a mention


def check_teams(body: dict[str, Any]) -> None:
    """A Workflows message with one Adaptive Card, within Teams' ~28 KB message size."""
    assert body["type"] == "message"
    (attachment,) = body["attachments"]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    card = attachment["content"]
    assert card["type"] == "AdaptiveCard" and card["version"] == "1.4"
    assert card["$schema"] == "http://adaptivecards.io/schemas/adaptive-card.json"
    assert card["body"] and all(b["type"] == "TextBlock" and b["wrap"] for b in card["body"])
    assert len(body_bytes(body)) <= TEAMS_MAX_BYTES  # the bytes as the outbox sends them


def check_mattermost(body: dict[str, Any]) -> None:
    """Incoming webhook text within 4,000 characters."""
    assert set(body) <= {"text", "username"} and 0 < len(body["text"]) <= MATTERMOST_MAX


def check_discord(body: dict[str, Any]) -> None:
    """Execute-webhook content within 2,000 characters, pinging nobody."""
    assert 0 < len(body["content"]) <= DISCORD_MAX
    assert body["allowed_mentions"] == {"parse": []}


CHECKS = {"slack": check_slack, "teams": check_teams, "mattermost": check_mattermost,
          "discord": check_discord}


def hold_a_huddle(journal: Journal) -> None:
    """Two named check-ins (one with a private concern), three anonymous ones, then the huddle ends.

    Three answers are withheld, so the anonymous ones have 3 candidates and are released.
    """
    for name, mood in (("Ana", 4), ("Ben", 2)):
        concerns = (Concern.new(PRIVATE, "support", "private"),) if name == "Ben" else ()
        journal.save_checkin(CheckIn(DAY, mood, name, f"{name} is on track", concerns))
    journal.save_checkin(CheckIn(DAY, 5, "Chen", "", visibility="anonymous"))
    journal.save_checkin(CheckIn(DAY, 3, "Dara", "", (Concern.new(ANONYMOUS, "concern", "anonymous"),),
                                 visibility="anonymous"))
    journal.save_checkin(CheckIn(DAY, 1, "Emeka", "", visibility="anonymous"))
    open_journal(journal.team, durable=False).release_pending()  # a later session releases them
    turns = tuple(Turn(n, 60, 45) for n in ("Ana", "Ben", "Chen"))
    journal.save_huddle(Huddle(DAY, "Ana", ("Ana", "Ben", "Chen"), turns, 300.0, f"{DAY}T09:00:00Z", None))
    journal.save_huddle(Huddle(DAY, "Ana", ("Ana", "Ben", "Chen"), turns, 300.0, f"{DAY}T09:00:00Z",
                               f"{DAY}T09:05:00Z"))


def test_each_chat_format_gets_one_summary_in_its_shape_and_nothing_private(team: TeamConfig) -> None:
    """A huddle's end queues one post per chat endpoint; each fits its format; no private text anywhere."""
    receiver = Receiver()
    server = LiveServer(receiver).start()
    try:
        team = with_endpoints(team, *(Endpoint(url=f"{server.url}/{fmt}", format=fmt, name=fmt)
                                      for fmt in CHECKS))
        journal = open_journal(team, durable=False)
        hold_a_huddle(journal)
        with Outbox() as outbox:
            queued = [i.body for i in outbox.items()]
        report = sync_once(team)
    finally:
        server.stop()
    assert report.ok, report
    assert sorted(p for p, _ in receiver.posts) == sorted(f"/{fmt}" for fmt in CHECKS)
    for path, raw in receiver.posts:
        assert PRIVATE.encode() not in raw
        body = json.loads(raw)
        CHECKS[path.strip("/")](body)
        text = raw.decode()
        assert ANONYMOUS in text and "Dara" not in text  # anonymous: the words, never the name
        assert "Ana" in text and "great" in text  # named content and the anonymous distribution
    assert all(PRIVATE.encode() not in body for body in queued)


def test_moods_are_left_out_of_a_post_when_fewer_than_three_answered() -> None:
    """Two answers: no distribution, no per-person mood, in any format."""
    summary = Summary(team="Platform", date=DAY, facilitator="Ana", next_facilitator="Ben", expected=5,
                      checked_in=["Ana", "Ben"], moods=None, statuses={"Ana": "ok", "Ben": "fine"})
    for fmt in CHECKS:
        text = json.dumps(payload(fmt, summary), ensure_ascii=False)
        assert "struggling" not in text and "great" not in text
        assert "hidden until at least 3" in text


@pytest.mark.parametrize("fmt", list(CHECKS))
def test_a_very_long_summary_is_cut_to_each_format_limit(fmt: str) -> None:
    """80 members and 200 long concerns still make one valid message, saying what was left out."""
    names = [f"Member {i:02d} <@here> & co" for i in range(80)]
    summary = Summary(team="Platform " * 30, date=DAY, facilitator="Ana", next_facilitator="Ben",
                      expected=80, checked_in=names, moods={1: 10, 2: 10, 3: 20, 4: 20, 5: 20},
                      named_moods={n: 3 for n in names}, statuses={n: "x" * 280 for n in names},
                      concerns=[ConcernLine("y" * 500, "blocker", None) for _ in range(200)])
    body = payload(fmt, summary)
    CHECKS[fmt](body)
    assert "huddle summary --date 2026-11-26" in json.dumps(body)


def test_an_unknown_format_is_an_error() -> None:
    """Only the four documented chat formats exist."""
    with pytest.raises(ValueError):
        payload("records", Summary(team="t", date=DAY, facilitator=None, next_facilitator=None, expected=0))


def test_a_chat_post_is_queued_once_per_huddle_version(team: TeamConfig, tmp_path: Path) -> None:
    """A started-but-not-ended huddle posts nothing; its end posts once."""
    team = with_endpoints(team, Endpoint(url="https://chat.invalid/hook", format="discord", name="chat"))
    journal = open_journal(team, durable=False)
    hold_a_huddle(journal)
    with Outbox() as outbox:
        items = outbox.items("chat")
    assert [i.label for i in items] == [f"summary {DAY}"]
    assert items[0].method == "POST" and items[0].path == ""
