"""A huddle summary as a chat message: Slack, Microsoft Teams, Mattermost, Discord.

Only what summary.build puts in a Summary is ever posted: team-visible
content, anonymous concerns without names, moods as a distribution (none
under three answers), nothing private. Each format stays within its
documented limits, measured as the service counts; a summary or a buddy
round too long for one message is cut at a line, with a note saying how much
was left out and where to read it all.

- Slack incoming webhook, Block Kit: at most 50 blocks, a header's plain text
  at most 150 characters, a section's text at most 3,000; mrkdwn escapes
  ``&``, ``<`` and ``>`` (so no text can become a mention or a link).
- Microsoft Teams Workflows webhook ("When a Teams webhook request is
  received"): a message whose attachment is an Adaptive Card; a Teams message
  is at most about 28 KB, counted in bytes of the JSON as sent.
- Mattermost incoming webhook: ``text`` in Markdown; kept to 4,000 characters,
  the post limit of servers before 5.0 (newer ones allow 16,383).
- Discord execute-webhook: ``content`` at most 2,000 characters (code points), with
  ``allowed_mentions`` empty so nobody is pinged by what someone typed.

What people typed is posted as literal text in every format: a Markdown link
``[text](url)`` or image ``![x](y)``, an autolink ``<http://…>`` and a mention
(``@channel``, ``@here``, ``@everyone``, ``<!channel>``, ``<@U123>``) are
escaped in each format's own syntax, so a status can neither disguise a link
nor ping a channel. A zero-width space after ``@`` is what chat bots commonly
use against mentions; Markdown's backslash escapes stop links where the
format honours them (Mattermost, Discord), and there a name such as
``1. Ana``, ``# Chen`` or ``~~x~~`` stays a name (text.markdown_literal); Adaptive Cards get a zero-width
space between ``]`` and ``(`` and after ``<``, which breaks the syntax in any
renderer.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from huddle_tui.rules.summary import Summary, summary_blocks
from huddle_tui.text import markdown_literal, printable

SLACK_MAX_BLOCKS = 50
SLACK_HEADER_MAX = 150
SLACK_SECTION_MAX = 3000
SLACK_TEXT_MAX = 3000
TEAMS_MAX_BYTES = 28_000
MATTERMOST_MAX = 4000
DISCORD_MAX = 2000
FORMATS = ("slack", "teams", "mattermost", "discord")


Note = Callable[[int], str]  # the line saying how many lines were left out and where to see them


def payload(fmt: str, summary: Summary) -> dict[str, Any]:
    """The JSON body to POST to a chat webhook of format `fmt`."""
    builders = {"slack": slack, "teams": teams, "mattermost": mattermost, "discord": discord}
    if fmt not in builders:
        raise ValueError(f"not a chat format: {fmt!r}")
    return builders[fmt](summary)


def body_bytes(data: dict[str, Any]) -> bytes:
    """A payload as the outbox sends it: the bytes Teams' size limit is about."""
    from huddle_tui.storage.envelope import dumps

    return dumps(data).encode("utf-8")


def summary_lines(summary: Summary, text: Callable[[str], str] = printable) -> list[str]:
    """The summary as Markdown lines (the title first), people's text through `text`."""
    return [line for block in summary_blocks(summary, markdown=True, text=text) for line in block]


def summary_note(summary: Summary) -> Note:
    """What a cut summary post says of the rest: how many lines, and the command that shows them."""
    return lambda left: f"… {left} more lines: run `huddle summary --date {summary.date}`"


def fit(lines: list[str], limit: int, note: Note, size: Callable[[str], int] = len) -> list[str]:
    """As many whole lines as fit in `limit` (measured by `size`), plus `note` of how many were cut.

    The first line (a title) is always kept, cut short itself if nothing else fits.
    """
    if size("\n".join(lines)) <= limit:
        return lines

    def cut(keep: int) -> list[str]:
        """The first `keep` lines and the note naming how many more there are."""
        return [*lines[:keep], note(len(lines) - keep)]

    low, high = 0, len(lines) - 1  # size grows with `keep`, so search for the largest that fits
    while low < high:
        mid = (low + high + 1) // 2
        if size("\n".join(cut(mid))) <= limit:
            low = mid
        else:
            high = mid - 1
    if low == 0:
        return [lines[0][: max(0, limit - 1)] + "…"]
    return cut(low)


ZWSP = "\u200b"


def defuse_mentions(text: str) -> str:
    """Put a zero-width space after each @, so no typed @channel, @here or @name pings anyone."""
    return text.replace("@", "@" + ZWSP)


def markdown_escape(text: str) -> str:
    """People's text for chat Markdown: literal (no link, list, heading, strike), and mentions defused."""
    return defuse_mentions(markdown_literal(text))


def card_escape(text: str) -> str:
    """Break link and autolink syntax for Adaptive Cards, which promise no backslash escapes."""
    return defuse_mentions(text.replace("](", "]" + ZWSP + "(").replace("<", "<" + ZWSP))


def _cut(text: str, limit: int) -> str:
    """One string cut to `limit` characters with an ellipsis."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


# ---------------------------------------------------------------- Slack


def slack_escape(text: str) -> str:
    """Escape Slack's three control characters (no <!channel>, <@U1>, <url|text>) and defuse @."""
    return defuse_mentions(text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"))


def slack(summary: Summary) -> dict[str, Any]:
    """Block Kit: a header, sections of at most 3,000 characters, at most 50 blocks."""
    lines = [slack_escape(line) for line in summary_lines(summary)]
    title = lines[0].removeprefix("## ")
    body = [f"*{line[3:]}*" if line.startswith("## ") else line for line in lines[1:]]
    return _slack_message(title, body, summary_note(summary))


def _slack_message(title: str, lines: list[str], note: Note) -> dict[str, Any]:
    """A header, the lines packed in sections of at most 3,000 characters, and a closing context block.

    Lines go whole into sections; past the 50 blocks, the last section is
    `note` of how many lines were left out.
    """
    sections: list[list[str]] = []
    for line in lines:
        line = _cut(line, SLACK_SECTION_MAX)
        if sections and len("\n".join([*sections[-1], line])) <= SLACK_SECTION_MAX:
            sections[-1].append(line)
        else:
            sections.append([line])
    room = SLACK_MAX_BLOCKS - 2  # the header and the closing context block
    if len(sections) > room:
        left = sum(len(s) for s in sections[room - 1:])
        sections = [*sections[: room - 1], [_cut(note(left), SLACK_SECTION_MAX)]]
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": _cut(title, SLACK_HEADER_MAX)}}]
    blocks += [{"type": "section", "text": {"type": "mrkdwn", "text": "\n".join(s)}} for s in sections]
    blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": "Posted by huddle-tui"}]})
    return {"text": _cut(title, SLACK_TEXT_MAX), "blocks": blocks}


# ---------------------------------------------------------------- Teams


def teams(summary: Summary) -> dict[str, Any]:
    """A Workflows webhook message carrying one Adaptive Card (version 1.4)."""
    lines = [card_escape(line) for line in summary_lines(summary)]
    return _teams_message(lines, summary_note(summary))


def _teams_message(lines: list[str], note: Note) -> dict[str, Any]:
    """One Adaptive Card, the first line its title, within Teams' ~28 KB as the bytes sent.

    Teams limits the message's size in bytes, so it is measured as the
    outbox sends it (UTF-8, emoji as 4 bytes, not as JSON \\u escapes).
    """

    def card(chosen: list[str]) -> dict[str, Any]:
        """The message for a given set of lines."""
        body: list[dict[str, Any]] = []
        for i, line in enumerate(chosen):
            block: dict[str, Any] = {"type": "TextBlock", "text": line.removeprefix("## "), "wrap": True}
            if i == 0:
                block.update(size="Large", weight="Bolder")
            elif line.startswith("## "):
                block.update(weight="Bolder", spacing="Medium")
            body.append(block)
        return {"type": "message", "attachments": [{
            "contentType": "application/vnd.microsoft.card.adaptive", "contentUrl": None,
            "content": {"$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
                        "type": "AdaptiveCard", "version": "1.4", "body": body}}]}

    def size(text: str) -> int:
        """Bytes of the whole message built from these lines."""
        return len(body_bytes(card(text.split("\n"))))

    return card(fit(lines, TEAMS_MAX_BYTES, note, size))


# ---------------------------------------------------------------- Mattermost, Discord


def mattermost(summary: Summary) -> dict[str, Any]:
    """Markdown text within 4,000 characters; links, markup and @-mentions typed by people are defused."""
    lines = summary_lines(summary, markdown_escape)
    return {"text": "\n".join(fit(lines, MATTERMOST_MAX, summary_note(summary))), "username": "huddle"}


def discord(summary: Summary) -> dict[str, Any]:
    """Markdown content within 2,000 code points (Discord's count), pinging nobody, linking nothing typed."""
    lines = summary_lines(summary, markdown_escape)
    text = "\n".join(fit(lines, DISCORD_MAX, summary_note(summary)))
    return {"content": text, "allowed_mentions": {"parse": []}}


# ---------------------------------------------------------------- short notes (buddy rounds)


def note_payload(fmt: str, title: str, lines: list[str], note: Note) -> dict[str, Any]:
    """A short message (a title and lines, e.g. the week's buddy groups) in format `fmt`.

    Each line is escaped as a summary's are, so a name can neither link, ping
    nor restructure the post. A message too long for its format keeps whole
    lines and ends with `note`, saying how many were left out and where to see them.
    """
    if fmt == "slack":
        shown = [slack_escape(printable(x)) for x in [title, *lines]]
        return _slack_message(shown[0], shown[1:], note)
    if fmt == "teams":
        return _teams_message([card_escape(printable(x)) for x in [title, *lines]], note)
    text = [f"**{markdown_escape(title)}**", *(markdown_escape(line) for line in lines)]
    if fmt == "mattermost":
        return {"text": "\n".join(fit(text, MATTERMOST_MAX, note)), "username": "huddle"}
    if fmt == "discord":
        return {"content": "\n".join(fit(text, DISCORD_MAX, note)), "allowed_mentions": {"parse": []}}
    raise ValueError(f"not a chat format: {fmt!r}")
